"""Consistent, encrypted backups while the application runs, and restores into an empty place.

SQLite is copied with its online backup API (a page-consistent snapshot even while
others write); PostgreSQL is read table by table inside one REPEATABLE READ transaction.
The archive (a tar stream: ``manifest.json``, the database, ``evidence/``) is sealed by
:mod:`civicspace.trust.sealing` and written under a temporary name, then renamed.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import importlib.util
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Table,
    TypeDecorator,
    func,
    insert,
    inspect,
    null,
    select,
    text,
)

from civicspace.db import metadata
from civicspace.db.engine import Database, resolve_url
from civicspace.db.schema import RECORD_TABLES
from civicspace.trust import audit
from civicspace.trust.files import atomic_file
from civicspace.trust.sealing import BackupKey, OpenedReader, SealedWriter

FORMAT = "civicspace-backup"
DEFAULT_EVIDENCE = Path("var/evidence")
# A restore target holding any of these is in use: refuse rather than mix two databases.
_MUST_BE_EMPTY = {*RECORD_TABLES, "revisions", "audit_log", "users"}


def default_evidence(db: Database) -> Path:
    """Where the evidence files of ``db`` live (the evidence package decides), else var/evidence."""
    if importlib.util.find_spec("civicspace.evidence"):
        from civicspace.evidence import evidence_dir

        return Path(evidence_dir(db))
    return DEFAULT_EVIDENCE


class RestoreError(RuntimeError):
    """The restore target is not empty, or the restored data does not match the backup."""


@dataclass
class BackupSummary:
    path: Path
    dialect: str
    tables: dict[str, int]
    evidence_files: int
    audit_head: tuple[int, str]


def known_tables(conn: Connection) -> list[Table]:
    """Every table present in the database, parents before children (``civicspace.db``'s
    metadata holds every table of the project)."""
    present = set(inspect(conn).get_table_names())
    return [t for t in metadata.sorted_tables if t.name in present]


def _raw(table: Table) -> Table:
    """``table`` with its custom types replaced by their storage types (values pass unchanged)."""
    columns = [
        Column(
            c.name,
            c.type.impl if isinstance(c.type, TypeDecorator) else c.type,
            primary_key=c.primary_key,
            autoincrement=False,
        )
        for c in table.columns
    ]
    return Table(table.name, MetaData(), *columns)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return null() if isinstance(column.type, JSON) else None
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _table_lines(conn: Connection, table: Table) -> Iterator[bytes]:
    raw = _raw(table)
    order = list(raw.primary_key.columns) or list(raw.columns)
    for row in conn.execute(select(raw).order_by(*order)):
        record = {k: _encode(v) for k, v in row._mapping.items()}
        yield (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(
    db: Database,
    out: Path,
    key: BackupKey,
    evidence: Path | None = DEFAULT_EVIDENCE,
    actor: str = "cli",
) -> BackupSummary:
    """Snapshot ``db`` (and the evidence folder, if it exists) into the sealed file ``out``."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.begin() as conn:  # logged first, so the backup holds its own entry
        audit.append(
            conn, [audit.AuditEvent("backup", actor, detail={"file": Path(out).name})], now
        )
    manifest: dict[str, Any] = {"format": FORMAT, "version": 1, "created_at": now.isoformat()}
    manifest["dialect"] = db.dialect
    tables: dict[str, int] = {}
    with (
        tempfile.TemporaryDirectory(prefix="civicspace-backup-") as work,
        atomic_file(out) as handle,
    ):
        sealed = SealedWriter(handle, key)
        with tarfile.open(fileobj=sealed, mode="w|gz") as archive:  # type: ignore[call-overload]
            if db.dialect == "sqlite":
                snapshot = Path(work) / "database.sqlite"
                _sqlite_snapshot(db, snapshot)
                with sqlite3.connect(snapshot) as check:
                    head = check.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
                    for (name,) in check.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    ).fetchall():
                        tables[name] = check.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                check.close()
                archive.add(snapshot, "database.sqlite")
            else:
                head = _postgres_dump(db, archive, tables)
            manifest["tables"] = tables
            manifest["audit_head"] = list(head) if head else [0, audit.GENESIS]
            files = 0
            if evidence is not None and Path(evidence).is_dir():
                for path in sorted(Path(evidence).rglob("*")):
                    if path.is_file():
                        archive.add(path, f"evidence/{path.relative_to(evidence).as_posix()}")
                        files += 1
            manifest["evidence_files"] = files
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        sealed.close()
    return BackupSummary(Path(out), db.dialect, tables, files, tuple(manifest["audit_head"]))


def _sqlite_snapshot(db: Database, target: Path) -> None:
    source_path = db.engine.url.database
    assert source_path
    source = sqlite3.connect(source_path, timeout=30)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)  # the online backup API: a consistent copy while others write
    finally:
        dest.close()
        source.close()


def _postgres_dump(
    db: Database, archive: tarfile.TarFile, tables: dict[str, int]
) -> tuple[int, str]:
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            for table in known_tables(conn):
                data = b"".join(_table_lines(conn, table))
                tables[table.name] = data.count(b"\n")
                _add_bytes(archive, f"tables/{table.name}.jsonl", data)
            return audit.head(conn)


def _members(archive: tarfile.TarFile, work: Path) -> dict[str, Any]:
    archive.extractall(work, filter="data")  # refuses absolute paths and "..", no devices
    manifest = json.loads((work / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise RestoreError("the archive holds no civicspace backup manifest")
    return dict(manifest)


def restore_backup(
    source: Path, target: str, key: BackupKey, evidence: Path | None = DEFAULT_EVIDENCE
) -> BackupSummary:
    """Restore the backup ``source`` into the empty database ``target``; evidence into ``evidence``."""
    url = resolve_url(target)
    if url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists():
        raise RestoreError(f"{target} exists: restore into a new file")
    with tempfile.TemporaryDirectory(prefix="civicspace-restore-") as tmp:
        work = Path(tmp)
        with open(source, "rb") as handle:
            reader = OpenedReader(handle, key)
            with tarfile.open(fileobj=reader, mode="r|gz") as archive:  # type: ignore[call-overload]
                manifest = _members(archive, work)
        files = list((work / "evidence").rglob("*")) if (work / "evidence").is_dir() else []
        if (
            evidence is not None
            and files
            and Path(evidence).exists()
            and any(Path(evidence).iterdir())
        ):
            raise RestoreError(f"evidence folder {evidence} is not empty")
        snapshot = work / "database.sqlite"
        if url.startswith("sqlite:///") and snapshot.exists():
            shutil.copyfile(snapshot, url.removeprefix("sqlite:///"))
            db = Database.connect(target)
            db.migrate()
        else:
            db = Database.connect(target)
            db.migrate()
            _load_tables(db, work, snapshot if snapshot.exists() else None)
        try:
            with db.begin() as conn:
                head = audit.head(conn)
                verdict = audit.verify(conn)
            tables = _counts(db)
        finally:
            db.dispose()
        if evidence is not None and files:
            shutil.copytree(work / "evidence", evidence, dirs_exist_ok=True)
    expected = tuple(manifest["audit_head"])
    if head != expected or not verdict.ok:
        raise RestoreError(
            f"restored audit head {head} differs from the backup's {expected}: {verdict.message()}"
        )
    return BackupSummary(Path(source), db.dialect, tables, sum(f.is_file() for f in files), head)


def _counts(db: Database) -> dict[str, int]:
    with db.begin() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in known_tables(conn)
        }


def _load_tables(db: Database, work: Path, sqlite_snapshot: Path | None) -> None:
    """Copy every known table into the migrated, empty ``db`` (from JSON lines or a SQLite file)."""
    source_db = Database.connect(sqlite_snapshot) if sqlite_snapshot else None
    try:
        with db.begin() as conn:
            tables = known_tables(conn)
            for table in tables:
                if table.name in _MUST_BE_EMPTY and conn.scalar(
                    select(func.count()).select_from(table)
                ):
                    raise RestoreError(f"the target database is not empty (table {table.name})")
            for table in reversed(tables):  # what migrations seed (audit head, keys) is replaced
                conn.execute(table.delete())
            for table in tables:
                raw = _raw(table)
                if source_db is not None:
                    with source_db.begin() as src:
                        rows = [dict(r._mapping) for r in src.execute(select(raw))]
                else:
                    path = work / "tables" / f"{table.name}.jsonl"
                    if not path.exists():
                        continue
                    with open(path, encoding="utf-8") as lines:
                        rows = [
                            {c.name: _decode(c, json.loads(line).get(c.name)) for c in raw.columns}
                            for line in lines
                        ]
                for start in range(0, len(rows), 5000):
                    conn.execute(insert(raw), rows[start : start + 5000])
            if db.dialect == "postgresql":
                _reset_sequences(conn, tables)
    finally:
        if source_db is not None:
            source_db.dispose()


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto"
                and len(table.primary_key.columns) == 1
                and column.type.python_type is int
            ):
                sequence = conn.scalar(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": column.name},
                )
                if sequence:
                    conn.execute(
                        text(
                            f'SELECT setval(:s, coalesce((SELECT max("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                        ),
                        {"s": sequence},
                    )
