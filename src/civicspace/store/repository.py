"""Reading and writing records with provenance, optimistic concurrency and visibility.

:class:`Store` is the one door to the records for the CLI, the web app and reports:
every read takes a :class:`~civicspace.access.Viewer` and returns only what that viewer
may see, with references to hidden people, organisations and sources removed and, for
readers who may not learn them, the monitors' account names blanked.

The store is a facade: the work is done in small modules, each with one idea.
:mod:`~civicspace.store.queries` (filters, reading by id), :mod:`~civicspace.store.pages`
(page ids, totals, summaries), :mod:`~civicspace.store.writes` (inserts, saves, deletes),
:mod:`~civicspace.store.visibility` (the rule, in SQL and for provenance) and
:mod:`~civicspace.store.redaction` (the one reference check).
"""

from __future__ import annotations

import builtins
import copy
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, func, select

from civicspace.access.policy import Viewer
from civicspace.db.engine import Database
from civicspace.model.records import KINDS, Record
from civicspace.store import pages, queries, writes
from civicspace.store.counts import CountCache, Counter, plain_counter
from civicspace.store.errors import IdTaken, NotFound, UnknownReference, VersionConflict
from civicspace.store.journal import Clock, Journal, utcnow
from civicspace.store.mapping import MAPPINGS
from civicspace.store.pages import PAGES_AROUND, SUMMARIES, SUMMARY_FIELDS, Page
from civicspace.store.prepared import PreparedInsert
from civicspace.store.queries import RecordQuery
from civicspace.store.redaction import REDACTED_COLLECTIONS, redact
from civicspace.store.reindex import Progress, rebuild_search
from civicspace.store.search import RANKED_UP_TO, SearchHit, search

__all__ = [
    "PAGES_AROUND",
    "RANKED_UP_TO",
    "REDACTED_COLLECTIONS",
    "SUMMARIES",
    "SUMMARY_FIELDS",
    "Clock",
    "IdTaken",
    "Journal",
    "NotFound",
    "Page",
    "RecordQuery",
    "Store",
    "UnknownReference",
    "VersionConflict",
    "redact",
    "utcnow",
]


class Store:
    """Records in one database. ``clock`` is injectable so tests control time; ``journal``
    receives every change (revisions, audit trail): :func:`civicspace.application.open_store`
    hands in the revision journal, ``civicspace.trust.NoJournal()`` keeps nothing."""

    def __init__(
        self,
        db: Database,
        *,
        journal: Journal,
        clock: Clock = utcnow,
        counts: CountCache | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.journal = journal
        # Cached counts are valid while the audit head stands still, which only a journal
        # that writes audit entries guarantees (see civicspace.store.counts).
        if counts is None and journal.keeps_audit_head:
            counts = CountCache()
        self.count_cache = counts

    def _counter(self, conn: Connection) -> Counter:
        return self.count_cache.counter(conn) if self.count_cache else plain_counter(conn)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """This store bound to one transaction: every read and write made through it inside
        the block commits together when the block ends, or rolls back together if it raises.

        Each method of the store (and every helper handed the store) opens its connection
        with ``self.db.begin()``; the bound store's ``db`` yields the one open connection
        instead, so reads inside the block see the block's earlier writes. For example a
        form that creates the people it names, then the incident naming them::

            with store.transaction() as tx:
                tx.save(person, viewer, expected_version=0)
                tx.save(incident, viewer, expected_version=0)
        """
        with self.db.begin() as conn:
            bound = copy.copy(self)
            bound.db = _InTransaction(self.db, conn)
            yield bound

    # --- writing ----------------------------------------------------------------------
    def insert_many(
        self,
        conn: Connection,
        records: Sequence[Record],
        actor: str,
        now: dt.datetime | None = None,
        *,
        action: str = "create",
        reason: str | None = None,
        written: Mapping[tuple[str, str], Record] | None = None,
    ) -> None:
        """Insert new records in bulk (one ``executemany`` per table), index and journal them.

        ``written``: records stored earlier in the same transaction, by ``(kind, id)``, whose
        names the search documents may take without reading them back (see ``index_records``).
        """
        now = now or self.clock()
        writes.insert_many(
            conn, self.journal, records, actor, now, action=action, reason=reason, written=written
        )

    def insert_prepared(
        self, conn: Connection, batch: PreparedInsert, actor: str, now: dt.datetime
    ) -> None:
        """Store new records that :func:`prepare_insert` turned into rows (an import's worker
        processes do): the same rows, documents and journal as :meth:`insert_many`."""
        writes.insert_prepared(conn, self.journal, batch, actor, now)

    def replace_many(
        self,
        conn: Connection,
        records: Sequence[Record],
        actor: str,
        now: dt.datetime | None = None,
        written: Mapping[tuple[str, str], Record] | None = None,
    ) -> None:
        """Replace stored records in bulk, in place: main rows are updated, never deleted, so
        records elsewhere that refer to them (an incident naming a person) stay valid.
        ``written`` as for :meth:`insert_many`."""
        if records:
            writes.replace_many(conn, self.journal, records, actor, now or self.clock(), written)

    def save(
        self,
        record: Record,
        viewer: Viewer,
        expected_version: int | None = None,
        *,
        reason: str | None = None,
        action: str | None = None,
    ) -> Record:
        """Create ``record`` or replace the stored one; a stale ``expected_version`` changes nothing.

        ``record`` may be a copy its author read redacted: whatever of the stored record
        the author could not see (a confidential witness among the participants) is kept.
        Returns the saved record as ``viewer`` may see it. ``reason`` (why) and ``action``
        (``restore``...) are kept in the revision.
        """
        with self.db.begin() as conn:
            return writes.save(
                conn,
                self.journal,
                self.clock,
                record,
                viewer,
                expected_version,
                reason=reason,
                action=action,
            )

    def delete(
        self,
        kind: str,
        record_id: str,
        viewer: Viewer,
        expected_version: int | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        """Remove a record from the live tables; its last revision keeps the whole record,
        so an editor can undelete it (see :mod:`civicspace.trust.history`)."""
        with self.db.begin() as conn:
            writes.delete_record(
                conn, self.journal, self.clock, kind, record_id, viewer, expected_version, reason
            )

    def rebuild_search(self, progress: Progress | None = None) -> int:
        """Rewrite every record's search document (after a change to folding or to what
        documents hold); returns how many. See :func:`civicspace.store.reindex.rebuild_search`."""
        return rebuild_search(self.db, progress)

    # --- reading ----------------------------------------------------------------------
    def get(self, kind: str, record_id: str, viewer: Viewer) -> Record:
        with self.db.begin() as conn:
            found = queries.read_visible(conn, kind, [record_id], viewer)
            self._audit_read(conn, viewer, kind, found)
        if not found:
            raise NotFound(f"no {kind} record {record_id!r}")
        return found[0]

    def get_many(self, kind: str, ids: Sequence[str], viewer: Viewer) -> builtins.list[Record]:
        with self.db.begin() as conn:
            found = queries.read_visible(conn, kind, ids, viewer)
            self._audit_read(conn, viewer, kind, found)
            return found

    def _audit_read(
        self, conn: Connection, viewer: Viewer, kind: str, records: Sequence[Record]
    ) -> None:
        confidential = [r.id for r in records if r.visibility == "confidential"]
        if confidential:
            self.journal.read(conn, viewer, kind, confidential, self.clock())

    def list(self, kind: str, viewer: Viewer, query: RecordQuery | None = None) -> Page[Record]:
        query = query or RecordQuery()
        with self.db.begin() as conn:
            ids, total, broad = self._page_ids(conn, kind, viewer, query)
            # Read fresh and checked again: the ids may come from the count cache.
            items = queries.read_visible(conn, kind, ids, viewer)
            self._audit_read(conn, viewer, kind, items)
        return pages.make_page(items, total, broad, query)

    def summaries(self, kind: str, viewer: Viewer, query: RecordQuery | None = None) -> Page[Any]:
        """The page :meth:`list` gives, each record with only :data:`SUMMARY_FIELDS`, its id,
        visibility and verification, read from its own row: a list page of 25 incidents
        took 3.2 ms to load and redact them whole, 0.4 ms this way. A confidential record
        (sealed fields, an audited read) is loaded whole; a row the viewer may no longer
        read (changed since the page's ids were chosen) is left out."""
        query = query or RecordQuery()
        with self.db.begin() as conn:
            ids, total, broad = self._page_ids(conn, kind, viewer, query)
            items, loaded = pages.summaries_of(conn, kind, ids, viewer)
            self._audit_read(conn, viewer, kind, loaded)
        return pages.make_page(items, total, broad, query)

    def _page_ids(
        self, conn: Connection, kind: str, viewer: Viewer, query: RecordQuery
    ) -> pages.PageIds:
        around = PAGES_AROUND if self.count_cache is not None else 0
        return pages.page_ids(conn, kind, viewer, query, self._counter(conn), around)

    def counts(self, viewer: Viewer) -> dict[str, int]:
        out = {}
        with self.db.begin() as conn:
            count = self._counter(conn)
            for kind in KINDS:
                table = MAPPINGS[kind].table
                where = queries.conditions(kind, table, viewer, RecordQuery())
                out[kind] = count(select(func.count()).select_from(table).where(*where))
        return out

    def search(
        self,
        text: str,
        viewer: Viewer,
        kinds: Sequence[str] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> builtins.list[SearchHit]:
        with self.db.begin() as conn:
            hits = search(conn, text, viewer, kinds, limit, offset)
            by_kind: dict[str, builtins.list[str]] = {}
            for hit in hits:
                if hit.visibility == "confidential":
                    by_kind.setdefault(hit.kind, []).append(hit.id)
            for kind, ids in by_kind.items():
                self.journal.read(conn, viewer, kind, ids, self.clock())
            return hits

    def all_ids(self, conn: Connection, kind: str, viewer: Viewer) -> builtins.list[str]:
        """Every id of ``kind`` the viewer may read, for exports (audited as an export)."""
        table = MAPPINGS[kind].table
        where = queries.conditions(kind, table, viewer, RecordQuery())
        rows = conn.execute(
            select(table.c.id, table.c.visibility).where(*where).order_by(table.c.id)
        ).all()
        confidential = [r.id for r in rows if r.visibility == "confidential"]
        self.journal.exported(conn, viewer, kind, len(rows), confidential, self.clock())
        return [r.id for r in rows]


class _InTransaction(Database):
    """``database`` whose ``begin()`` yields the one connection of an open transaction."""

    def __init__(self, database: Database, conn: Connection) -> None:
        self.__dict__.update(database.__dict__)
        self._conn = conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        # Committing or rolling back is the outermost block's business, never an inner one's.
        yield self._conn
