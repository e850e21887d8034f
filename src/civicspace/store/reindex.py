"""Rebuilding every search document from the stored records.

Documents are written when a record is saved, so they keep the rules of the version that
wrote them: after a change to folding (``text.fold``), to what a document holds or to its
order, a database answers old searches until each record is saved again. A rebuild
writes them all anew, confidential records' blind tokens included.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, delete, select, text

from civicspace.db import schema as t
from civicspace.db.engine import Database
from civicspace.model.records import KINDS
from civicspace.store.mapping import MAPPINGS, load_records
from civicspace.store.search_index import BULK_FTS_AT, index_records

Progress = Callable[[str, int, int], None]
"""Called after each batch: (kind, its documents rebuilt so far, its records)."""


def rebuild_search(db: Database, progress: Progress | None = None) -> int:
    """Rewrite the search document of every record, one transaction per kind; returns the
    number of documents written. Searches keep working meanwhile (each kind switches at
    its commit); writes wait for the kind being rebuilt."""
    written = 0
    for kind in KINDS:
        with db.begin() as conn:
            written += _rebuild_kind(conn, kind, progress)
    return written


def _rebuild_kind(conn: Connection, kind: str, progress: Progress | None) -> int:
    """Delete ``kind``'s documents, stale ones for deleted records too, and write them anew."""
    if conn.dialect.name == "postgresql":  # no save writes a document until this commits
        conn.execute(text("LOCK TABLE search_documents IN EXCLUSIVE MODE"))
    # Deleting first takes SQLite's write lock before anything is read.
    conn.execute(delete(t.search_documents).where(t.search_documents.c.kind == kind))
    table = MAPPINGS[kind].table
    ids = list(conn.scalars(select(table.c.id).order_by(table.c.id)))
    for start in range(0, len(ids), BULK_FTS_AT):  # SQLite feeds FTS5 a batch at once
        index_records(conn, load_records(conn, kind, ids[start : start + BULK_FTS_AT]), new=True)
        if progress is not None:
            progress(kind, min(start + BULK_FTS_AT, len(ids)), len(ids))
    return len(ids)


__all__ = ["Progress", "rebuild_search"]
