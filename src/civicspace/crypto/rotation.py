"""Key rotation without downtime: re-wrap data keys under a new master key, and
optionally re-encrypt every confidential value under a new data key, in batches.

Re-wrapping changes one small table; the data is untouched. The new key file is written
beside the old one first, the data keys wrapped under both, and only then is the old key
file replaced and the old wrappings removed, so at every moment the key file on disk
opens the database. Processes already running keep their unwrapped data keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from civicspace.crypto.keyring import Keyring, new_data_key, read_keys, store_wrapped
from civicspace.crypto.keys import KeyProblem, MasterKey
from civicspace.crypto.tables import crypto_keys
from civicspace.store.db import Database
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
    keyring = db.keyring
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


def reencrypt(db: Database, batch: int = 500) -> int:
    """Seal every confidential record again under the active data key; returns how many.

    Each batch is its own short transaction, and a record someone changed meanwhile is
    left as they wrote it (its version moved on), so writers never wait long or lose work.
    """
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
