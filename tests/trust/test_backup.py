"""Encrypted backups taken while the app writes; restores give identical data and audit head."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civicspace.application import open_database, open_store
from civicspace.db.audit import revisions
from civicspace.db.engine import Database
from civicspace.store.repository import Store, VersionConflict
from civicspace.trust import audit
from civicspace.trust.backup import RestoreError, create_backup, restore_backup
from civicspace.trust.sealing import BackupKey, BackupKeyError
from tests.conftest import _truncate_postgres
from tests.helpers import EDITOR, load_sample, snapshot


@pytest.fixture
def key(tmp_path: Path) -> BackupKey:
    path = tmp_path / "backup.key"
    path.write_bytes(os.urandom(32))
    return BackupKey.from_file(path)


def _state(db: Database) -> tuple[str, tuple[int, str], int]:
    """Everything an editor sees, the audit head, and the number of revisions."""
    with db.begin() as conn:
        head = audit.head(conn)
        count = conn.scalar(select(func.count()).select_from(revisions)) or 0
    return snapshot(open_store(db)), head, count


def _evidence(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_backup_while_writing_then_restore_gives_identical_data(
    store: Store, tmp_path: Path, key: BackupKey
) -> None:
    load_sample(store, tmp_path)
    evidence = tmp_path / "evidence"
    (evidence / "ab").mkdir(parents=True)
    (evidence / "ab" / "abcdef.jpg").write_bytes(b"\xff\xd8 photo of a detention")

    stop = threading.Event()

    def keep_editing() -> None:  # the app keeps writing during the backup
        while not stop.is_set():
            law = store.get("laws", "law-elections", EDITOR)
            try:
                store.save(
                    law.model_copy(update={"assessment": f"v{law.version}"}), EDITOR, law.version
                )
            except VersionConflict:
                pass

    writer = threading.Thread(target=keep_editing)
    writer.start()
    try:
        summary = create_backup(store.db, tmp_path / "b.csbackup", key, evidence)
    finally:
        stop.set()
        writer.join()

    target = tmp_path / "restored.sqlite"
    out = tmp_path / "evidence-restored"
    restored = restore_backup(tmp_path / "b.csbackup", str(target), key, out)
    assert restored.audit_head == summary.audit_head
    assert _evidence(out) == _evidence(evidence)
    db = open_database(target)
    try:
        with db.begin() as conn:
            assert audit.verify(conn).ok
        law = open_store(db).get("laws", "law-elections", EDITOR)
        # Consistent: the snapshot's record, revisions and audit chain agree.
        with db.begin() as conn:
            revs = conn.scalar(
                select(func.count()).select_from(revisions).where(revisions.c.record_id == law.id)
            )
        assert revs == law.version
    finally:
        db.dispose()


def test_restore_of_a_quiet_database_is_identical(
    database: Database, tmp_path: Path, key: BackupKey
) -> None:
    store = open_store(database)
    load_sample(store, tmp_path)
    store.delete("incidents", "inc-draft", EDITOR)
    store.get("persons", "person-witness", EDITOR)
    create_backup(database, tmp_path / "b.csbackup", key, None)
    expected = _state(database)

    target = tmp_path / "restored.sqlite"
    restore_backup(tmp_path / "b.csbackup", str(target), key, None)
    restored = open_database(target)
    try:
        assert _state(restored) == expected
    finally:
        restored.dispose()
    with pytest.raises(RestoreError, match="exists"):
        restore_backup(tmp_path / "b.csbackup", str(target), key, None)


def test_sqlite_backup_restores_into_postgresql(
    tmp_path: Path, key: BackupKey, sqlite_template: Path, postgres_url: str
) -> None:
    source_path = tmp_path / "source.sqlite"
    source_path.write_bytes(sqlite_template.read_bytes())
    source = open_database(source_path)
    load_sample(open_store(source), tmp_path)
    open_store(source).delete("laws", "law-elections", EDITOR)
    create_backup(source, tmp_path / "b.csbackup", key, None)
    expected = _state(source)
    source.dispose()

    target = open_database(postgres_url)
    try:
        _truncate_postgres(target)
        restore_backup(tmp_path / "b.csbackup", postgres_url, key, None)
        assert _state(target) == expected
        # Sequences continue after the restored rows: new revisions can be written.
        store = open_store(target)
        law = store.get("incidents", "inc-extension", EDITOR)
        store.save(law.model_copy(update={"title": "After restore"}), EDITOR, law.version)
        with pytest.raises(RestoreError, match="not empty"):
            restore_backup(tmp_path / "b.csbackup", postgres_url, key, None)
    finally:
        target.dispose()


def test_backup_is_encrypted_and_authenticated(
    store: Store, tmp_path: Path, key: BackupKey
) -> None:
    load_sample(store, tmp_path)
    path = tmp_path / "b.csbackup"
    create_backup(store.db, path, key, None)
    data = path.read_bytes()
    assert data.startswith(b"CSBACKUP\x01")
    for secret in (b"Canarybek", "Канарбек".encode(), b"SQLite format", b"person-witness"):
        assert secret not in data

    with pytest.raises(BackupKeyError, match="wrong passphrase or key file"):
        restore_backup(path, str(tmp_path / "a.sqlite"), BackupKey(os.urandom(32), key.kdf), None)
    with pytest.raises(BackupKeyError, match="encrypted with a key file"):
        restore_backup(
            path,
            str(tmp_path / "a.sqlite"),
            BackupKey.from_passphrase("a long passphrase", 10),
            None,
        )
    altered = bytearray(data)
    altered[len(data) // 2] ^= 1
    (tmp_path / "altered").write_bytes(bytes(altered))
    with pytest.raises(BackupKeyError, match="altered"):
        restore_backup(tmp_path / "altered", str(tmp_path / "b.sqlite"), key, None)
    (tmp_path / "cut").write_bytes(data[: len(data) - 100])
    with pytest.raises(BackupKeyError):
        restore_backup(tmp_path / "cut", str(tmp_path / "c.sqlite"), key, None)
    assert not any((tmp_path / n).exists() for n in ("a.sqlite", "b.sqlite", "c.sqlite"))


def test_passphrase_backup_round_trip(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    key = BackupKey.from_passphrase("correct horse battery staple", log2_n=12)
    create_backup(store.db, tmp_path / "b.csbackup", key, None)
    restore_backup(tmp_path / "b.csbackup", str(tmp_path / "r.sqlite"), key, None)
    with pytest.raises(BackupKeyError, match="wrong passphrase"):
        restore_backup(
            tmp_path / "b.csbackup",
            str(tmp_path / "s.sqlite"),
            BackupKey.from_passphrase("incorrect horse battery staple", log2_n=12),
            None,
        )
