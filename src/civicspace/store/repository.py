"""Reading and writing records with provenance, optimistic concurrency and visibility.

:class:`Store` is the one door to the records for the CLI, the web app and reports:
every read takes a :class:`~civicspace.access.Viewer` and returns only what that viewer
may see, with references to hidden people, organisations and sources removed.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections import namedtuple
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    delete,
    false,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.crypto import is_sealed, keyring_of
from civicspace.db import schema as t
from civicspace.db.engine import Database, among_ids, bound_ids
from civicspace.db.types import contains_term
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import KINDS, Record, references
from civicspace.store.bulk import bulk_insert, write_rows
from civicspace.store.counts import CountCache, Counter, plain_counter
from civicspace.store.mapping import MAPPINGS, group_rows, load_records, record_rows
from civicspace.store.prepared import PreparedInsert, stamped_rows
from civicspace.store.search import (
    RANKED_UP_TO,
    SearchHit,
    index_records,
    remove_documents,
    search,
    text_filter,
    write_documents,
)
from civicspace.store.snapshot import Snapshot

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class NotFound(LookupError):
    """No record of that kind and id that the viewer may see."""


class VersionConflict(RuntimeError):
    """The record changed since the caller read it (optimistic concurrency)."""


class IdTaken(VersionConflict):
    """A new record's id belongs to a stored record (which the caller may not be able to see)."""


class UnknownReference(ValueError):
    """A record points at a record that does not exist or that its author may not see."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class RecordQuery:
    """Filters for listing records; each applies only to kinds that have the field."""

    country: str | None = None
    date_from: FuzzyDate | None = None
    date_to: FuzzyDate | None = None
    freedom: str | None = None
    violation: str | None = None
    role: str | None = None
    verification: str | None = None
    visibility: str | None = None
    text: str | None = None
    sort: str = "id"
    descending: bool = False
    limit: int = 50
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> Hashable:
        """Every field, hashable: what a remembered page is keyed by besides kind and viewer."""
        return tuple(_frozen(getattr(self, f.name)) for f in fields(self))


PAGES_AROUND = 4  # pages on each side of a first visit whose ids are read and remembered
PageIds = tuple[tuple[str, ...], int, bool]  # a page's ids, the total, whether broad


def _as_known(ids: tuple[str, ...], total: int) -> PageIds:
    return ids, total, False


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set):
        return tuple(_frozen(v) for v in value)
    return value  # type: ignore[no-any-return]


Item = TypeVar("Item")


@dataclass
class Page(Generic[Item]):
    """One page of a list. ``total`` is exact unless ``exact`` is false: a text filter
    matched more than :data:`~civicspace.store.search.RANKED_UP_TO` records, the count
    stopped there and the page holds the newest matches (``newest_first``), not the
    requested order."""

    items: list[Item]
    total: int
    limit: int
    offset: int
    exact: bool = True
    newest_first: bool = False


_DATE_COLUMN = {
    "incidents": "date",
    "ratings": "date",
    "statistics": "as_of",
    "sources": "published",
}
_REFERENCE_TABLES = {"persons": t.persons, "organisations": t.organisations, "sources": t.sources}
# What list pages show of a record besides its id, visibility and verification; none of
# these fields refers to another record, so a summary has nothing to redact.
SUMMARY_FIELDS = {"incidents": ("title", "date", "freedoms", "violations")}
# A summary is a named tuple: a template reads each field of each row, and a database
# row's attributes are found through a __getattr__ fallback, several times slower.
SUMMARIES: dict[str, Any] = {
    kind: namedtuple(  # type: ignore[misc]
        f"{kind.title()}Summary", ("id", "visibility", "verification", *fields)
    )
    for kind, fields in SUMMARY_FIELDS.items()
}


class Journal(Protocol):
    """What the store tells about each change and sensitive read, in the same transaction.

    The default, :class:`civicspace.trust.journal.RevisionJournal`, keeps every change as a
    revision and writes the audit trail; :class:`civicspace.trust.NoJournal` keeps nothing.
    """

    keeps_audit_head: bool  # does every change move the audit head (see store.counts)?

    def inserted(
        self,
        conn: Connection,
        records: Sequence[Record] | Sequence[Snapshot],
        actor: str,
        now: dt.datetime,
        action: str = "create",
        reason: str | None = None,
    ) -> None: ...

    def prepare_inserted(
        self, dialect: Dialect, records: Sequence[Snapshot], actor: str, now: dt.datetime
    ) -> Any:
        """What :meth:`inserted` would write for these new records, built without a database."""

    def inserted_prepared(
        self, conn: Connection, prepared: Any, actor: str, now: dt.datetime
    ) -> None: ...

    def changed(
        self,
        conn: Connection,
        before: Record,
        after: Record | None,
        actor: str,
        now: dt.datetime,
        action: str,
        reason: str | None = None,
    ) -> int: ...

    def read(
        self, conn: Connection, viewer: Viewer, kind: str, ids: Sequence[str], now: dt.datetime
    ) -> None: ...

    def exported(
        self,
        conn: Connection,
        viewer: Viewer,
        kind: str,
        count: int,
        confidential_ids: Sequence[str],
        now: dt.datetime,
    ) -> None: ...


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
        grouped = stamped_rows(records, actor, now)
        secret = any(r.visibility == "confidential" for r in records)
        for table in t.metadata.sorted_tables:
            rows = grouped.get(table)
            if rows:
                bulk_insert(conn, table, rows, secret=secret)
        index_records(conn, records, new=True, written=written)
        self.journal.inserted(conn, records, actor, now, action, reason)

    def insert_prepared(
        self, conn: Connection, batch: PreparedInsert, actor: str, now: dt.datetime
    ) -> None:
        """Store new records that :func:`prepare_insert` turned into rows (an import's worker
        processes do): the same rows, documents and journal as :meth:`insert_many`."""
        for rows in batch.tables:
            write_rows(conn, rows)
        write_documents(conn, batch.documents)
        self.journal.inserted_prepared(conn, batch.revisions, actor, now)

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
        if not records:
            return
        now = now or self.clock()
        grouped = group_rows(records)
        for kind in sorted({r.kind for r in records}):
            mapping = MAPPINGS[kind]
            ids = [r.id for r in records if r.kind == kind]
            rows = [row for row in grouped[mapping.table] if row["id"] in set(ids)]
            for row in rows:
                row["updated_at"] = row["updated_at"] or now
                row["updated_by"] = row["updated_by"] or actor
                row["created_at"] = row["created_at"] or now
                row["created_by"] = row["created_by"] or actor
                row["version"] = row["version"] or 1
                row["b_id"] = row["id"]
            columns = [c for c in mapping.table.columns if c.name != "id"]
            conn.execute(
                update(mapping.table)
                .where(mapping.table.c.id == bindparam("b_id"))
                .values({c.name: bindparam(c.name) for c in columns}),
                rows,
            )
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for coll in mapping.collections:
                    conn.execute(delete(coll.table).where(coll.table.c.parent_id.in_(chunk)))
                conn.execute(
                    delete(t.citations).where(
                        t.citations.c.record_kind == kind, t.citations.c.record_id.in_(chunk)
                    )
                )
        secret = any(r.visibility == "confidential" for r in records)
        main_tables = {MAPPINGS[k].table for k in MAPPINGS}
        for table in t.metadata.sorted_tables:
            child_rows = grouped.get(table)
            if child_rows and table not in main_tables:
                bulk_insert(conn, table, child_rows, secret=secret)
        index_records(conn, records, written=written)
        self.journal.inserted(conn, records, actor, now, "replace", None)

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
        viewer.require_write()
        # Re-validate: a model_copy(update=...) by a caller skips validation.
        record = type(record).model_validate(record.model_dump())
        if record.visibility == "confidential" or record.verification == "verified":
            viewer.require_publish()
        table = MAPPINGS[record.kind].table
        actor = viewer.name or viewer.role
        with self.db.begin() as conn:
            current = conn.execute(
                select(table.c.version, table.c.created_at, table.c.created_by, table.c.visibility)
                .where(table.c.id == record.id)
                .with_for_update()
            ).first()
            now = self.clock()
            if current is None:
                if expected_version not in (None, 0):
                    raise NotFound(f"{record.kind} {record.id!r} does not exist")
                _check_references(conn, record, None, viewer)
                saved = record.model_copy(
                    update={
                        "created_at": now,
                        "created_by": actor,
                        "updated_at": now,
                        "updated_by": actor,
                        "version": 1,
                    }
                )
                self.insert_many(
                    conn, [saved], actor, now, action=action or "create", reason=reason
                )
                return redact(conn, [saved], viewer)[0]
            if expected_version == 0:  # a create: the same answer whoever may read the holder
                raise IdTaken(f"{record.kind} id {record.id!r} is taken: choose another id")
            if not viewer.can_read(current.visibility, "verified"):
                raise NotFound(f"{record.kind} {record.id!r} does not exist")
            if expected_version is not None and expected_version != current.version:
                raise VersionConflict(
                    f"{record.kind} {record.id!r} is at version {current.version}, "
                    f"not {expected_version}: reload it and apply your change again"
                )
            # The stored record, as loaded (timestamps in UTC on every database).
            before = load_records(conn, record.kind, [record.id])[0]
            record = _keep_hidden(conn, before, record, viewer)
            _check_references(conn, record, before, viewer)
            saved = record.model_copy(
                update={
                    "created_at": before.created_at,
                    "created_by": before.created_by,
                    "updated_at": now,
                    "updated_by": actor,
                    "version": current.version + 1,
                }
            )
            rows = record_rows(saved)
            result = conn.execute(
                update(table)
                .where(table.c.id == record.id, table.c.version == current.version)
                .values(**rows.pop(table)[0])
            )
            if result.rowcount != 1:
                raise VersionConflict(f"{record.kind} {record.id!r} changed while saving")
            self._replace_children(conn, saved, rows)
            index_records(conn, [saved, *self._dependents(conn, saved)])
            self.journal.changed(conn, before, saved, actor, now, action or "update", reason)
            return redact(conn, [saved], viewer)[0]

    def _replace_children(
        self, conn: Connection, record: Record, rows: dict[Table, list[dict[str, Any]]]
    ) -> None:
        for coll in MAPPINGS[record.kind].collections:
            conn.execute(delete(coll.table).where(coll.table.c.parent_id == record.id))
        conn.execute(
            delete(t.citations).where(
                t.citations.c.record_kind == record.kind, t.citations.c.record_id == record.id
            )
        )
        for table, child_rows in rows.items():
            if child_rows:
                conn.execute(insert(table), child_rows)

    def _dependents(self, conn: Connection, record: Record) -> builtins.list[Record]:
        """Records whose search documents quote ``record``'s names."""
        if record.kind == "persons":
            incident_ids = conn.scalars(
                select(t.participants.c.parent_id).where(t.participants.c.person_id == record.id)
            ).all()
            case_ids = conn.scalars(
                select(t.defendants.c.parent_id).where(t.defendants.c.person_id == record.id)
            ).all()
            return [
                *load_records(conn, "incidents", incident_ids),
                *load_records(conn, "cases", case_ids),
            ]
        if record.kind == "organisations":
            incident_ids = conn.scalars(
                select(t.participants.c.parent_id).where(
                    t.participants.c.organisation_id == record.id
                )
            ).all()
            return load_records(conn, "incidents", incident_ids)
        return []

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
        viewer.require_write()
        table = MAPPINGS[kind].table
        with self.db.begin() as conn:
            current = conn.execute(
                select(table.c.version, table.c.visibility).where(table.c.id == record_id)
            ).first()
            if current is None or not viewer.can_read(current.visibility, "verified"):
                raise NotFound(f"{kind} {record_id!r} does not exist")
            if expected_version is not None and expected_version != current.version:
                raise VersionConflict(f"{kind} {record_id!r} is at version {current.version}")
            before = load_records(conn, kind, [record_id])[0]  # kept whole in the revision
            conn.execute(
                delete(t.citations).where(
                    t.citations.c.record_kind == kind, t.citations.c.record_id == record_id
                )
            )
            remove_documents(conn, [(kind, record_id)])
            result = conn.execute(
                delete(table).where(table.c.id == record_id, table.c.version == current.version)
            )
            if result.rowcount != 1:
                raise VersionConflict(f"{kind} {record_id!r} changed while deleting")
            now = self.clock()
            self.journal.changed(
                conn, before, None, viewer.name or viewer.role, now, "delete", reason
            )

    # --- reading ----------------------------------------------------------------------
    def get(self, kind: str, record_id: str, viewer: Viewer) -> Record:
        with self.db.begin() as conn:
            found = self._visible(conn, kind, [record_id], viewer)
            self._audit_read(conn, viewer, kind, found)
        if not found:
            raise NotFound(f"no {kind} record {record_id!r}")
        return found[0]

    def get_many(self, kind: str, ids: Sequence[str], viewer: Viewer) -> builtins.list[Record]:
        with self.db.begin() as conn:
            found = self._visible(conn, kind, ids, viewer)
            self._audit_read(conn, viewer, kind, found)
            return found

    def _audit_read(
        self, conn: Connection, viewer: Viewer, kind: str, records: Sequence[Record]
    ) -> None:
        confidential = [r.id for r in records if r.visibility == "confidential"]
        if confidential:
            self.journal.read(conn, viewer, kind, confidential, self.clock())

    def _visible(
        self, conn: Connection, kind: str, ids: Sequence[str], viewer: Viewer
    ) -> builtins.list[Record]:
        records = [
            r
            for r in load_records(conn, kind, ids)
            if viewer.can_read(r.visibility, r.verification)
        ]
        return redact(conn, records, viewer)

    def list(self, kind: str, viewer: Viewer, query: RecordQuery | None = None) -> Page[Record]:
        query = query or RecordQuery()
        with self.db.begin() as conn:
            ids, total, broad = self._page_ids(conn, kind, viewer, query)
            # Read fresh and checked again: the ids may come from the count cache.
            items = self._visible(conn, kind, ids, viewer)
            self._audit_read(conn, viewer, kind, items)
        return _page(items, total, broad, query)

    def summaries(self, kind: str, viewer: Viewer, query: RecordQuery | None = None) -> Page[Any]:
        """The page :meth:`list` gives, each record with only :data:`SUMMARY_FIELDS`, its id,
        visibility and verification, read from its own row: a list page of 25 incidents
        took 3.2 ms to load and redact them whole, 0.4 ms this way. A confidential record
        (sealed fields, an audited read) is loaded whole; a row the viewer may no longer
        read (changed since the page's ids were chosen) is left out."""
        query = query or RecordQuery()
        summary = SUMMARIES[kind]
        with self.db.begin() as conn:
            ids, total, broad = self._page_ids(conn, kind, viewer, query)
            rows = {}
            if ids:
                statement = _summary_statement(kind, conn.dialect)
                bound = {"ids": bound_ids(ids, conn.dialect)}
                found = map(summary._make, conn.execute(statement, bound))
                rows = {r.id: r for r in found if viewer.can_read(r.visibility, r.verification)}
            whole = [
                rid
                for rid, r in rows.items()
                if r.visibility == "confidential" or any(is_sealed(v) for v in r)
            ]
            loaded = {r.id: r for r in redact(conn, load_records(conn, kind, whole), viewer)}
            self._audit_read(conn, viewer, kind, builtins.list(loaded.values()))
            items = [loaded.get(rid, rows[rid]) for rid in ids if rid in rows]
        return _page(items, total, broad, query)

    def _page_ids(
        self, conn: Connection, kind: str, viewer: Viewer, query: RecordQuery
    ) -> tuple[Sequence[str], int, bool]:
        """The ids of the records on the page, the total and whether the text filter was
        broad (the page then holds the newest matches).

        Remembered by kind, viewer and query until the data changes: a page asked again
        skips building and keying its statements (0.3 ms; a search 0.7 ms and, on
        PostgreSQL, two round trips for the planner settings)."""
        count = self._counter(conn)
        keyring = keyring_of(conn)

        def remember(q: RecordQuery, choose: Callable[[], PageIds]) -> PageIds:
            # Besides the data, a page depends on these: the words' blind tokens on the
            # keyring, and which text filters are broad on the cap.
            return count.remembered(("page", kind, viewer, q.key(), RANKED_UP_TO, keyring), choose)

        return remember(
            query, lambda: self._choose_page(conn, kind, viewer, query, count, remember)
        )

    def _choose_page(
        self,
        conn: Connection,
        kind: str,
        viewer: Viewer,
        query: RecordQuery,
        count: Counter,
        remember: Callable[[RecordQuery, Callable[[], PageIds]], PageIds],
    ) -> PageIds:
        table = MAPPINGS[kind].table
        conditions = self._conditions(kind, table, viewer, query)
        matches = text_filter(conn, query.text, viewer, kind, count) if query.text else None
        if query.text and matches is None:
            conditions.append(false())
        broad = matches is not None and matches.broad
        if matches is not None and broad:
            # Too many matches to sort: the newest matches first, counted up to the cap.
            newest = matches.newest(table, *conditions)
            capped = newest.order_by(None).limit(RANKED_UP_TO + 1).subquery()
            with matches.walking_newest_first(conn):
                total = count(select(func.count()).select_from(capped))
                ids = count.ids(newest.limit(query.limit).offset(query.offset))
        else:
            if matches is not None:
                # At most RANKED_UP_TO records match: read their ids first. As a subquery,
                # PostgreSQL walked the whole date index looking for a page of matches that
                # a rare word does not have (a word matching nothing: 0.6 s at 100,000).
                conditions.append(table.c.id.in_(count.ids(matches.ids())))
            total = count(select(func.count()).select_from(table).where(*conditions))
            # A first visit reads the ids of the pages around it too, at little more cost
            # (the rows before the page are walked anyway), and remembers them: the next
            # page, or one a few clicks away, is then answered without the database.
            around = PAGES_AROUND if self.count_cache is not None and query.limit else 0
            start = max(0, query.offset - around * query.limit)
            wide = count.ids(
                select(table.c.id)
                .where(*conditions)
                .order_by(*self._order(table, query))
                .limit(query.offset - start + (around + 1) * query.limit)
                .offset(start)
            )
            for offset in range(start, query.offset + around * query.limit + 1, query.limit):
                if offset != query.offset:
                    page = wide[offset - start : offset - start + query.limit]
                    remember(replace(query, offset=offset), partial(_as_known, page, total))
            ids = wide[query.offset - start : query.offset - start + query.limit]
        return ids, total, broad

    @staticmethod
    def _order(table: Table, query: RecordQuery) -> builtins.list[Any]:
        sort_name = query.sort if query.sort in table.c else "id"
        if sort_name == "date" and "date_lo" in table.c:
            sort_name = "date_lo"
        sort_col = table.c[sort_name]
        return [sort_col.desc() if query.descending else sort_col.asc(), table.c.id.asc()]

    @staticmethod
    def _conditions(kind: str, table: Table, viewer: Viewer, q: RecordQuery) -> builtins.list[Any]:
        c = table.c
        conditions: builtins.list[Any] = [c.visibility.in_(viewer.visibilities)]
        if viewer.verified_only:
            conditions.append(c.verification == "verified")
        if q.verification:
            conditions.append(c.verification == q.verification)
        if q.visibility:
            conditions.append(c.visibility == q.visibility)
        if q.country and "country" in c:
            conditions.append(c.country == q.country.upper())
        date_col = _DATE_COLUMN.get(kind)
        if date_col and q.date_from:
            conditions.append(c[f"{date_col}_hi"] >= q.date_from.earliest)
        if date_col and q.date_to:
            conditions.append(c[f"{date_col}_lo"] <= q.date_to.latest)
        if q.freedom and "freedoms" in c:
            conditions.append(contains_term(c.freedoms, q.freedom))
        if q.violation and "violations" in c:
            conditions.append(contains_term(c.violations, q.violation))
        if q.role and "roles" in c:
            conditions.append(contains_term(c.roles, q.role))
        elif q.role and kind == "incidents":
            conditions.append(
                c.id.in_(select(t.participants.c.parent_id).where(t.participants.c.role == q.role))
            )
        return conditions

    def counts(self, viewer: Viewer) -> dict[str, int]:
        out = {}
        with self.db.begin() as conn:
            count = self._counter(conn)
            for kind in KINDS:
                table = MAPPINGS[kind].table
                conditions = self._conditions(kind, table, viewer, RecordQuery())
                out[kind] = count(select(func.count()).select_from(table).where(*conditions))
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
        conditions = self._conditions(kind, table, viewer, RecordQuery())
        rows = conn.execute(
            select(table.c.id, table.c.visibility).where(*conditions).order_by(table.c.id)
        ).all()
        confidential = [r.id for r in rows if r.visibility == "confidential"]
        self.journal.exported(conn, viewer, kind, len(rows), confidential, self.clock())
        return [r.id for r in rows]


_RECORD_REFERENCES = frozenset({"sources", "persons", "organisations"})


_SUMMARY_STATEMENTS: dict[tuple[str, str], Select[Any]] = {}


def _summary_statement(kind: str, dialect: Dialect) -> Select[Any]:
    """The summaries of the records whose ids are bound as ``ids``; built once per kind and
    database, so that SQLAlchemy keys and compiles it once too."""
    key = (kind, dialect.name)
    if key not in _SUMMARY_STATEMENTS:
        table = MAPPINGS[kind].table
        columns = (table.c[name] for name in SUMMARIES[kind]._fields)
        _SUMMARY_STATEMENTS[key] = select(*columns).where(among_ids(table.c.id, dialect))
    return _SUMMARY_STATEMENTS[key]


def _references(record: Record) -> list[tuple[str, str]]:
    """``(kind, id)`` of the records ``record`` points at (not places)."""
    return [(kind, rid) for _f, kind, rid in references(record) if kind in _RECORD_REFERENCES]


def _page(items: list[Item], total: int, broad: bool, query: RecordQuery) -> Page[Item]:
    exact = total <= RANKED_UP_TO or not broad
    return Page(
        items,
        total if exact else RANKED_UP_TO,
        query.limit,
        query.offset,
        exact=exact,
        newest_first=broad,
    )


def redact(conn: Connection, records: list[Record], viewer: Viewer) -> list[Record]:
    """Remove references to people, organisations and sources ``viewer`` may not see.

    A public incident may name a confidential witness; an anonymous reader gets the
    incident without that participant (and so without the witness's id or name).
    """
    wanted: dict[str, set[str]] = {}
    for record in records:
        for kind, rid in _references(record):
            wanted.setdefault(kind, set()).add(rid)
    hidden: set[tuple[str, str]] = set()
    for kind, ids in wanted.items():
        table = _REFERENCE_TABLES[kind]
        ids_list = list(ids)
        visible: set[str] = set()
        for start in range(0, len(ids_list), 500):
            chunk = ids_list[start : start + 500]
            rows = conn.execute(
                select(table.c.id, table.c.visibility, table.c.verification).where(
                    table.c.id.in_(chunk)
                )
            )
            visible.update(r.id for r in rows if viewer.can_read(r.visibility, r.verification))
        hidden.update((kind, rid) for rid in ids if rid not in visible)
    if not hidden:
        return records
    return [_without(record, hidden) for record in records]


def _without(record: Any, hidden: set[tuple[str, str]]) -> Any:
    changes: dict[str, Any] = {
        "sources": [c for c in record.sources if ("sources", c.source_id) not in hidden]
    }
    if hasattr(record, "participants"):
        changes["participants"] = [
            p
            for p in record.participants
            if ("persons", p.person_id) not in hidden
            and ("organisations", p.organisation_id) not in hidden
        ]
    if hasattr(record, "defendants"):
        gone = {pid for pid in record.defendants if ("persons", pid) in hidden}
        if gone:
            changes["defendants"] = [p for p in record.defendants if p not in gone]
            for attr in ("charges", "events", "recognitions"):
                changes[attr] = [x for x in getattr(record, attr) if x.person_id not in gone]
    if hasattr(record, "affiliations"):
        changes["affiliations"] = [
            a for a in record.affiliations if ("organisations", a.organisation_id) not in hidden
        ]
    if hasattr(record, "recognitions") and "recognitions" not in changes:
        changes["recognitions"] = [
            r
            for r in record.recognitions
            if not r.organisation_id or ("organisations", r.organisation_id) not in hidden
        ]
    return record.model_copy(update=changes)


# Collections that redaction may shorten (see ``redact``).
REDACTED_COLLECTIONS = (
    "sources",
    "participants",
    "affiliations",
    "defendants",
    "charges",
    "events",
    "recognitions",
)


def _keep_hidden(conn: Connection, stored: Record, edited: Record, viewer: Viewer) -> Record:
    """``edited`` plus the items of ``stored`` that ``viewer`` was not shown (redacted)."""
    seen = redact(conn, [stored], viewer)[0]
    merged: dict[str, list[Any]] = {}
    for name in REDACTED_COLLECTIONS:
        if name not in type(stored).model_fields:
            continue
        shown = getattr(seen, name)
        hidden = [item for item in getattr(stored, name) if item not in shown]
        if hidden:
            merged[name] = [*getattr(edited, name), *hidden]
    if not merged:
        return edited
    return type(edited).model_validate({**edited.model_dump(), **merged})


def _check_references(
    conn: Connection, record: Record, stored: Record | None, viewer: Viewer
) -> None:
    """Every id ``record`` points at exists; those its author adds, the author may read.

    Both cases get the same message, so a reference cannot probe for hidden records. One
    query per kind of record pointed at. A record's country is an ISO code, kept even when
    no country row describes it, so it is not checked.
    """
    kept = {(kind, rid) for _f, kind, rid in references(stored)} if stored is not None else set()
    pointers = [p for p in references(record) if p[1] != "countries"]
    wanted: dict[str, set[str]] = {}
    for _f, kind, rid in pointers:
        wanted.setdefault(kind, set()).add(rid)
    readable: set[tuple[str, str]] = set()
    for kind, ids in wanted.items():
        if kind == "locations":
            found = conn.scalars(select(t.locations.c.id).where(t.locations.c.id.in_(ids)))
            readable.update((kind, rid) for rid in found)
            continue
        table = _REFERENCE_TABLES[kind]
        rows = conn.execute(
            select(table.c.id, table.c.visibility, table.c.verification).where(table.c.id.in_(ids))
        )
        readable.update(
            (kind, r.id)
            for r in rows
            if (kind, r.id) in kept or viewer.can_read(r.visibility, r.verification)
        )
    for field_name, kind, rid in pointers:
        if (kind, rid) not in readable:
            raise UnknownReference(f"{field_name}: no {kind} record with id {rid!r}", field_name)
