"""Key rotation without downtime: re-wrap data keys under a new master key, and
optionally re-encrypt every confidential value under a new data key, in batches.

Re-wrapping changes one small table; the data is untouched. The new key file is written
beside the old one first, the data keys wrapped under both, and only then is the old key
file replaced and the old wrappings removed, so at every moment the key file on disk
opens the database. Processes already running keep their unwrapped data keys.

Re-encryption seals again everything a data key sealed: records and their search
documents, the sealed sides of revisions, and evidence (sealed values and files). Once
nothing is left under an old data key, :func:`remove_data_key` deletes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    String,
    Text,
    cast,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import TypeDecorator

from civicspace.crypto.keyring import (
    HEADER,
    Keyring,
    is_sealed,
    new_data_key,
    read_keys,
    store_wrapped,
)
from civicspace.crypto.keys import KeyProblem, MasterKey
from civicspace.crypto.sealing import Sealed
from civicspace.db.engine import Database
from civicspace.db.keys import crypto_keys
from civicspace.store.mapping import MAPPINGS, PROTECTED, load_records, record_rows
from civicspace.store.search import index_records


@dataclass
class Rotation:
    old_master: str
    new_master: str
    key_file: Path | None
    reencrypted: int = 0
    new_data_key: str | None = None


def _keyring(db: Database) -> Keyring:
    keyring: Keyring | None = db.keyring
    if keyring is None:
        raise KeyProblem("no master key is configured: civicspace keys init")
    return keyring


def rewrap(db: Database, new: MasterKey, key_file: Path | None) -> Rotation:
    """Wrap every data key under ``new``; write ``key_file`` (if given); drop old wrappings."""
    keyring = _keyring(db)
    old = keyring.master
    if new.id == old.id:
        raise KeyProblem("the new master key is the old one")
    staged = None
    if key_file is not None:
        staged = key_file.with_name(key_file.name + ".new")
        staged.unlink(missing_ok=True)
        new.write(staged)
    with db.begin() as conn:
        keys = read_keys(conn, old)
        if not keys:
            raise KeyProblem("this database has no data keys yet: nothing to rotate")
        conn.execute(delete(crypto_keys).where(crypto_keys.c.master_id == new.id))
        store_wrapped(conn, new, keys)
    if staged is not None and key_file is not None:
        os.replace(staged, key_file)
    with db.begin() as conn:
        conn.execute(delete(crypto_keys).where(crypto_keys.c.master_id == old.id))
    keyring.rekey(MasterKey(new.secret, str(key_file) if key_file else new.origin))
    return Rotation(old.id, new.id, key_file)


def new_data_key_active(db: Database) -> str:
    """Create a data key for new writes; older data keys stay, retired, for reading."""
    keyring = _keyring(db)
    key = new_data_key("data")
    with db.begin() as conn:
        conn.execute(
            update(crypto_keys).where(crypto_keys.c.purpose == "data").values(active=False)
        )
        store_wrapped(conn, keyring.master, [key])
        keyring.unlock(conn, create=False)
    return key.id


@dataclass
class Reencryption:
    """What ``keys rotate --reencrypt`` sealed again under the new data key."""

    records: int = 0
    revisions: int = 0
    evidence_rows: int = 0
    evidence_files: int = 0
    problems: list[str] = field(default_factory=list)  # evidence missing or damaged


def reencrypt(db: Database, batch: int = 500, evidence: Path | None = None) -> Reencryption:
    """Seal every confidential value again under the active data key.

    Records (and their search documents), then the sealed sides of revisions, then
    evidence: sealed names, origins and notes, and the files in ``evidence`` (the
    database's evidence folder by default). Each batch is its own short transaction, and
    a record someone changed meanwhile is left as they wrote it (its version moved on),
    so writers never wait long or lose work.
    """
    from civicspace.evidence import evidence_dir
    from civicspace.evidence.reseal import reseal_evidence

    keyring = _keyring(db)
    done = Reencryption(records=_reencrypt_records(db, batch))
    done.revisions = _reseal_revisions(db, keyring, batch)
    resealed = reseal_evidence(db, keyring, evidence or evidence_dir(db))
    done.evidence_rows, done.evidence_files = resealed.rows, resealed.files
    done.problems = resealed.problems
    return done


def _reencrypt_records(db: Database, batch: int) -> int:
    done = 0
    for kind, mapping in MAPPINGS.items():
        table = mapping.table
        with db.begin() as conn:
            ids = list(
                conn.scalars(
                    select(table.c.id)
                    .where(table.c.visibility == "confidential")
                    .order_by(table.c.id)
                )
            )
        spec = PROTECTED.get(kind)
        children = {a for a, _ in spec.children} if spec else set()
        for start in range(0, len(ids), batch):
            with db.begin() as conn:
                records = load_records(conn, kind, ids[start : start + batch])
                written = []
                for record in records:
                    rows = record_rows(record)
                    result = conn.execute(
                        update(table)
                        .where(table.c.id == record.id, table.c.version == record.version)
                        .values(**rows[table][0])
                    )
                    if result.rowcount != 1:
                        continue
                    for coll in mapping.collections:
                        if coll.attribute in children:
                            conn.execute(
                                delete(coll.table).where(coll.table.c.parent_id == record.id)
                            )
                            if rows[coll.table]:
                                conn.execute(insert(coll.table), rows[coll.table])
                    written.append(record)
                index_records(conn, written)
                done += len(written)
    return done


def _reseal_revisions(db: Database, keyring: Keyring, batch: int) -> int:
    """Seal the sealed sides of revisions again, in batches; returns how many revisions.

    Revisions are never changed otherwise, so no writer competes for these rows.
    """
    from civicspace.db.audit import revisions
    from civicspace.trust.journal import revision_aad

    with db.begin() as conn:
        current = f"{HEADER}:{keyring.active_cipher(conn)[0]}:"
    stale = [
        (c.like(f"{HEADER}:%") & ~c.like(f"{current}%"))
        for c in (revisions.c.before, revisions.c.after)
    ]
    done, last = 0, 0
    while True:
        with db.begin() as conn:
            rows = conn.execute(
                select(revisions)
                .where(revisions.c.id > last, stale[0] | stale[1])
                .order_by(revisions.c.id)
                .limit(batch)
            ).all()
            for row in rows:
                values: dict[str, Any] = {}
                for side in ("before", "after"):
                    stored = getattr(row, side)
                    if is_sealed(stored) and not stored.startswith(current):
                        aad = revision_aad(row.kind, row.record_id, row.revision, side)
                        values[side] = Sealed(keyring.open(stored, aad, conn), aad)
                conn.execute(update(revisions).where(revisions.c.id == row.id).values(**values))
        if not rows:
            return done
        done += len(rows)
        last = rows[-1].id


def _text_columns(conn: Connection) -> Iterator[tuple[str, Column[Any]]]:
    from civicspace.trust.backup import known_tables

    for table in known_tables(conn):
        for column in table.columns:
            kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(kind, String | Text | JSON):
                yield table.name, column


def sealed_under(db: Database, key_id: str, evidence: Path | None = None) -> dict[str, int]:
    """How many values each column (``table.column``), and how many evidence files
    (``evidence files``), hold sealed under the data key ``key_id``; only those with any.

    Reads every text column of every table: a check before removing a key, not a query
    for every day.
    """
    from civicspace.db.evidence import evidence_files
    from civicspace.evidence import evidence_dir
    from civicspace.evidence.blobs import BlobFolder, sealed_key_id

    found: dict[str, int] = {}
    pattern = f"%{HEADER}:{key_id}:%"
    with db.begin() as conn:
        for name, column in _text_columns(conn):
            # As text, whatever the column's type (a JSON document, a date read as text).
            text = (
                cast(column, Text) if isinstance(column.type, JSON) else type_coerce(column, Text)
            )
            count = conn.scalar(
                select(func.count()).select_from(column.table).where(text.like(pattern))
            )
            if count:
                found[f"{name}.{column.name}"] = count
        stored = conn.scalars(
            select(evidence_files.c.stored_as).where(evidence_files.c.encrypted).distinct()
        ).all()
    blobs = BlobFolder(evidence or evidence_dir(db))
    files = sum(
        1
        for name in stored
        if blobs.path(name).exists() and sealed_key_id(blobs.path(name)) == key_id
    )
    if files:
        found["evidence files"] = files
    return found


def remove_data_key(db: Database, key_id: str, evidence: Path | None = None) -> None:
    """Delete a retired data key, once nothing is sealed under it any more.

    Refused while any value or evidence file still needs it (run ``keys rotate
    --reencrypt`` again, after restarting the processes started before the rotation:
    they went on sealing with the key they had).
    """
    with db.begin() as conn:
        rows = conn.execute(select(crypto_keys).where(crypto_keys.c.key_id == key_id)).all()
    if not rows:
        raise KeyProblem(f"this database has no data key {key_id}")
    if rows[0].purpose != "data":
        raise KeyProblem(f"{key_id} is the {rows[0].purpose} key, not a data key")
    if any(r.active for r in rows):
        raise KeyProblem(f"data key {key_id} is the active one: rotate first")
    used = sealed_under(db, key_id, evidence)
    if used:
        where = ", ".join(f"{name} ({count})" for name, count in used.items())
        raise KeyProblem(
            f"data key {key_id} still seals values in {where}: run "
            "`civicspace keys rotate --reencrypt` again (restart processes started before "
            "the last rotation first)"
        )
    with db.begin() as conn:
        conn.execute(delete(crypto_keys).where(crypto_keys.c.key_id == key_id))
