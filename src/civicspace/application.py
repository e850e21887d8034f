"""The one place that builds the application's objects for the CLI, the web app and scripts.

The lower layers are handed what they need instead of importing it: a
:class:`~civicspace.db.engine.Database` gets its keyring here, and a
:class:`~civicspace.store.Store` gets its journal (revisions and the audit chain).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from civicspace.crypto import sealing
from civicspace.crypto.keyring import Keyring
from civicspace.crypto.keys import MasterKey, master_key_from_environment
from civicspace.db.engine import Database, default_key_file, resolve_url
from civicspace.db.keys import crypto_keys
from civicspace.store.counts import CountCache
from civicspace.store.repository import Clock, Journal, Store, utcnow
from civicspace.trust.journal import RevisionJournal

__all__ = ["attach_keyring", "open_database", "open_store"]


def attach_keyring(db: Database, keyring: Keyring) -> None:
    """Open and seal confidential fields of ``db`` with ``keyring`` from now on."""
    db.keyring = keyring
    db.with_connection_option(sealing.OPTION, keyring)


def _ensure_keys(db: Database) -> None:
    """Give a new SQLite database its key file, and any keyed database its data keys."""
    if db.keyring is None and db.key_file is not None:
        with db.engine.begin() as conn:
            has_keys = conn.execute(select(crypto_keys.c.key_id).limit(1)).first()
        if has_keys is None and not db.key_file.exists():
            master = MasterKey.generate()
            master.write(db.key_file)
            attach_keyring(db, Keyring(MasterKey(master.secret, str(db.key_file))))
    if db.keyring is not None:
        with db.engine.connect() as conn:
            db.keyring.unlock(conn)


def open_database(
    target: str | os.PathLike[str] | None = None,
    keyring: Keyring | None | Literal["settings"] = "settings",
    **engine_options: Any,
) -> Database:
    """Open ``target`` with its keyring; the keyring comes from the settings unless given.

    Settings: ``CIVICSPACE_MASTER_KEY``, else the file named by
    ``CIVICSPACE_MASTER_KEY_FILE``, else ``<database>.key`` beside a SQLite file. A new
    SQLite database gets its own key file at its first migration, unless a keyring (or
    None) is given. Without a keyring, confidential records are refused rather than
    stored in plaintext.
    """
    url = resolve_url(target)
    key_file: Path | None = default_key_file(url) if keyring == "settings" else None
    if keyring == "settings":
        master = master_key_from_environment(key_file)
        keyring = Keyring(master) if master else None
    db = Database.connect(url, key_file, **engine_options)
    sealing.install(db.base_engine)
    if keyring is not None:
        attach_keyring(db, keyring)
    db.after_migrate.append(_ensure_keys)
    return db


def open_store(
    db: Database,
    clock: Clock = utcnow,
    journal: Journal | None = None,
    counts: CountCache | None = None,
) -> Store:
    """A :class:`Store` over ``db`` that keeps revisions and the audit chain by default."""
    if journal is None:
        journal = RevisionJournal()
    return Store(db, clock=clock, journal=journal, counts=counts)
