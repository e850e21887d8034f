"""Key rotation: re-wrap under a new master key, re-encrypt under a new data key, no loss."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from civicspace.application import open_database, open_store
from civicspace.cli.app import app
from civicspace.crypto import KeyProblem, Keyring, MasterKey
from civicspace.db import schema as t
from civicspace.db.engine import Database
from civicspace.db.keys import crypto_keys
from civicspace.evidence import EvidenceLocker
from civicspace.model import Person
from civicspace.store.repository import Store
from civicspace.trust.history import history
from civicspace.trust.rotation import (
    new_data_key_active,
    reencrypt,
    remove_data_key,
    rewrap,
    sealed_under,
)
from tests.helpers import EDITOR, load_sample, snapshot


def _sealed_key_ids(db: Database) -> set[str]:
    with db.begin() as conn:
        names = conn.scalars(select(t.person_names.c.text)).all()
        docs = conn.scalars(select(t.search_documents.c.text)).all()
    return {v.split(":")[1] for v in [*names, *docs] if v.startswith("cs1:")}


def test_rewrap_opens_with_the_new_key_only_and_keeps_everything(
    database_url: str, store: Store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    before = snapshot(store)
    new = MasterKey.generate()
    rewrap(store.db, new, None)
    assert snapshot(open_store(store.db)) == before  # the running process never stopped
    fresh = open_database(database_url, keyring=Keyring(new))
    assert snapshot(open_store(fresh)) == before
    fresh.dispose()
    old = open_database(database_url)  # the old key (from the environment)
    with pytest.raises(KeyProblem, match="does not open this database"):
        snapshot(open_store(old))
    old.dispose()


def test_reencrypt_moves_every_value_to_a_new_data_key(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    before = snapshot(store)
    old_ids = _sealed_key_ids(store.db)
    assert len(old_ids) == 1
    new_id = new_data_key_active(store.db)
    assert reencrypt(store.db, batch=1).records >= 2  # the witness and the confidential source
    assert _sealed_key_ids(store.db) == {new_id}
    assert snapshot(store) == before
    assert [h.id for h in store.search("Канарбек", EDITOR)] == ["person-witness"]


def test_writers_keep_writing_while_keys_rotate(store: Store, tmp_path: Path) -> None:
    """No downtime: a writer saves confidential records during a re-wrap and re-encryption."""
    load_sample(store, tmp_path)
    errors: list[BaseException] = []
    written: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            while not stop.is_set() or len(written) < 5:
                pid = f"p-{len(written)}"
                store.save(
                    Person(id=pid, name={"text": f"Secret {pid}"}, visibility="confidential"),
                    EDITOR,
                )
                written.append(pid)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    rewrap(store.db, MasterKey.generate(), None)
    new_data_key_active(store.db)
    reencrypt(store.db, batch=2)
    stop.set()
    thread.join(timeout=60)
    assert errors == []
    saved = store.get_many("persons", written, EDITOR)
    assert [p.name.text for p in saved] == [f"Secret {pid}" for pid in written]  # type: ignore[attr-defined]


def test_cli_keys_init_and_rotate_replace_the_key_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CIVICSPACE_MASTER_KEY")
    db_path = tmp_path / "m.sqlite"
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db_path), "keys", "init"])
    assert result.exit_code == 0, result.output
    key_file = tmp_path / "m.sqlite.key"
    first = key_file.read_text()
    assert key_file.stat().st_mode & 0o777 == 0o600
    db = open_database(db_path)
    open_store(db).save(
        Person(id="p", name={"text": "Kept Secret"}, visibility="confidential"), EDITOR
    )
    db.dispose()
    assert runner.invoke(app, ["--db", str(db_path), "keys", "init"]).exit_code != 0
    result = runner.invoke(app, ["--db", str(db_path), "keys", "rotate", "--reencrypt"])
    assert result.exit_code == 0, result.output
    assert key_file.read_text() != first and key_file.stat().st_mode & 0o777 == 0o600
    assert not key_file.with_name("m.sqlite.key.new").exists()
    db = open_database(db_path)
    assert open_store(db).get("persons", "p", EDITOR).name.text == "Kept Secret"  # type: ignore[attr-defined]
    db.dispose()
    status = runner.invoke(app, ["--db", str(db_path), "keys", "status"])
    assert "retired" in status.output and "active" in status.output
    db = open_database(db_path)
    with db.begin() as conn:
        retired = conn.scalar(select(crypto_keys.c.key_id).where(~crypto_keys.c.active))
    db.dispose()
    result = runner.invoke(app, ["--db", str(db_path), "keys", "remove", str(retired)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--db", str(db_path), "history", "persons", "p", "--json"])
    assert result.exit_code == 0 and "Kept Secret" in result.output, result.output


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(3 * 1024 * 1024)  # several chunks


def _data_key(db: Database) -> str:
    with db.begin() as conn:
        return str(
            conn.scalar(
                select(crypto_keys.c.key_id).where(
                    crypto_keys.c.purpose == "data", crypto_keys.c.active
                )
            )
        )


def _raw_tables(db: Database) -> str:
    """Every value of every table, read with plain SQL (no keyring involved)."""
    dumped = []
    with db.engine.connect() as conn:
        for table in inspect(db.engine).get_table_names():
            if not table.startswith("search_fts"):  # SQLite's FTS shadow tables hold tokens
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    dumped.append(" ".join(str(v) for v in row))
    return "\n".join(dumped)


def test_reencrypt_reseals_history_and_evidence_so_the_old_key_can_go(
    database_url: str, store: Store, tmp_path: Path
) -> None:
    """After re-encryption and removal of the old data key, a fresh process (no key in
    memory) still opens the records, their history with its diffs, and their evidence;
    no table and no evidence file holds anything under the old key."""
    load_sample(store, tmp_path)
    witness = store.get("persons", "person-witness", EDITOR)
    store.save(witness.model_copy(update={"description": "phone +7 701 555 0199"}), EDITOR)
    source = store.get("sources", "src-secret", EDITOR)
    store.delete("sources", "src-secret", EDITOR)  # a deleted record lives in its revisions
    folder = tmp_path / "evidence"
    locker = EvidenceLocker(store, folder)
    added = locker.add(
        "persons",
        "person-witness",
        io.BytesIO(JPEG),
        EDITOR,
        "portrait.jpg",
        origin="handed over by the lawyer",
        note="taken in 2021",
    )
    locker.read(added.id, EDITOR, origin="office laptop")
    before = snapshot(store)
    history_before = history(store, "persons", "person-witness", EDITOR)
    deleted_before = history(store, "sources", "src-secret", EDITOR)
    old = _data_key(store.db)
    assert f"cs1:{old}:" in _raw_tables(store.db)

    new = new_data_key_active(store.db)
    with pytest.raises(KeyProblem, match="still seals values in"):
        remove_data_key(store.db, old, folder)  # nothing moved yet
    done = reencrypt(store.db, batch=1, evidence=folder)
    assert done.records >= 1 and done.revisions >= 3 and done.problems == []
    assert done.evidence_rows == 3 and done.evidence_files == 1  # the file, two custody rows
    assert sealed_under(store.db, old, folder) == {}
    remove_data_key(store.db, old, folder)

    fresh = open_database(database_url)  # a new process: only the new data key exists
    try:
        raw = _raw_tables(fresh)
        assert f"cs1:{old}:" not in raw and f"cs1:{new}:" in raw
        reopened = open_store(fresh)
        assert snapshot(reopened) == before
        assert history(reopened, "persons", "person-witness", EDITOR) == history_before
        change = {c.path: c.new for c in history_before[-1].changes}
        assert change["description"] == "phone +7 701 555 0199"  # the diff opened
        deleted = history(reopened, "sources", "src-secret", EDITOR)
        assert deleted == deleted_before and deleted[-1].before == source.model_dump(
            mode="json", exclude_none=True
        )
        again = EvidenceLocker(reopened, folder)
        assert again.read(added.id, EDITOR) == JPEG
        assert again.get(added.id, EDITOR).origin == "handed over by the lawyer"
        assert [c.origin for c in again.custody(added.id, EDITOR)][:2] == [
            "handed over by the lawyer",
            "office laptop",
        ]
        assert again.verify() == []
    finally:
        fresh.dispose()
    stored = [p for p in folder.rglob("*") if p.is_file()]
    assert stored and all(old.encode() not in p.read_bytes()[:64] for p in stored)
    # Running it again has nothing left to do.
    assert reencrypt(store.db, evidence=folder).revisions == 0


def test_a_key_still_in_use_or_active_is_not_removed(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    active = _data_key(store.db)
    with pytest.raises(KeyProblem, match="is the active one"):
        remove_data_key(store.db, active, tmp_path / "evidence")
    with pytest.raises(KeyProblem, match="no data key"):
        remove_data_key(store.db, "000000000000", tmp_path / "evidence")
