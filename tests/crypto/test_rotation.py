"""Key rotation: re-wrap under a new master key, re-encrypt under a new data key, no loss."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from civicspace.cli import app
from civicspace.crypto import KeyProblem, Keyring, MasterKey
from civicspace.crypto.rotation import new_data_key_active, reencrypt, rewrap
from civicspace.model import Person
from civicspace.store import schema as t
from civicspace.store.db import Database
from civicspace.store.repository import Store
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
    assert snapshot(Store(store.db)) == before  # the running process never stopped
    fresh = Database.connect(database_url, keyring=Keyring(new))
    assert snapshot(Store(fresh)) == before
    fresh.dispose()
    old = Database.connect(database_url)  # the old key (from the environment)
    with pytest.raises(KeyProblem, match="does not open this database"):
        snapshot(Store(old))
    old.dispose()


def test_reencrypt_moves_every_value_to_a_new_data_key(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    before = snapshot(store)
    old_ids = _sealed_key_ids(store.db)
    assert len(old_ids) == 1
    new_id = new_data_key_active(store.db)
    assert reencrypt(store.db, batch=1) >= 2  # the witness and the confidential source
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
                store.save(Person(id=pid, name={"text": f"Secret {pid}"},
                                  visibility="confidential"), EDITOR)
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
    db = Database.connect(db_path)
    Store(db).save(Person(id="p", name={"text": "Kept Secret"}, visibility="confidential"), EDITOR)
    db.dispose()
    assert runner.invoke(app, ["--db", str(db_path), "keys", "init"]).exit_code != 0
    result = runner.invoke(app, ["--db", str(db_path), "keys", "rotate", "--reencrypt"])
    assert result.exit_code == 0, result.output
    assert key_file.read_text() != first and key_file.stat().st_mode & 0o777 == 0o600
    assert not key_file.with_name("m.sqlite.key.new").exists()
    db = Database.connect(db_path)
    assert Store(db).get("persons", "p", EDITOR).name.text == "Kept Secret"  # type: ignore[attr-defined]
    db.dispose()
    status = runner.invoke(app, ["--db", str(db_path), "keys", "status"])
    assert "retired" in status.output and "active" in status.output
