"""A list's pages: which ids are on a page (remembered until the data changes), the
page's total, and summaries that list pages show without loading whole records."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Select, false, func, select
from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.crypto import is_sealed, keyring_of
from civicspace.db.engine import among_ids, bound_ids
from civicspace.model.kinds import summary_fields
from civicspace.model.records import KINDS, Record
from civicspace.store import search
from civicspace.store.counts import Counter
from civicspace.store.mapping import MAPPINGS, load_records
from civicspace.store.queries import RecordQuery, conditions, order
from civicspace.store.redaction import redact

# The cap on ranked matches is read from the search module when a page is chosen, so
# that it is one setting (tests lower it there).
PAGES_AROUND = 4  # pages on each side of a first visit whose ids are read and remembered
PageIds = tuple[tuple[str, ...], int, bool]  # a page's ids, the total, whether broad
Remember = Callable[[RecordQuery, Callable[[], PageIds]], PageIds]

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


def make_page(items: list[Item], total: int, broad: bool, query: RecordQuery) -> Page[Item]:
    """The page of ``items``; a broad text filter's total is capped at ``RANKED_UP_TO``."""
    exact = total <= search.RANKED_UP_TO or not broad
    return Page(
        items,
        total if exact else search.RANKED_UP_TO,
        query.limit,
        query.offset,
        exact=exact,
        newest_first=broad,
    )


def page_ids(
    conn: Connection,
    kind: str,
    viewer: Viewer,
    query: RecordQuery,
    count: Counter,
    around: int,
) -> PageIds:
    """The ids of the records on the page, the total and whether the text filter was
    broad (the page then holds the newest matches). ``around``: pages on each side whose
    ids a first visit reads too (0 without a count cache to remember them in).

    Remembered by kind, viewer and query until the data changes: a page asked again
    skips building and keying its statements (0.3 ms; a search 0.7 ms and, on
    PostgreSQL, two round trips for the planner settings)."""
    keyring = keyring_of(conn)

    def remember(q: RecordQuery, choose: Callable[[], PageIds]) -> PageIds:
        # Besides the data, a page depends on these: the words' blind tokens on the
        # keyring, and which text filters are broad on the cap.
        return count.remembered(
            ("page", kind, viewer, q.key(), search.RANKED_UP_TO, keyring), choose
        )

    return remember(query, lambda: _choose_page(conn, kind, viewer, query, count, remember, around))


def _as_known(ids: tuple[str, ...], total: int) -> PageIds:
    return ids, total, False


def _choose_page(
    conn: Connection,
    kind: str,
    viewer: Viewer,
    query: RecordQuery,
    count: Counter,
    remember: Remember,
    around: int,
) -> PageIds:
    table = MAPPINGS[kind].table
    where = conditions(kind, table, viewer, query)
    matches = search.text_filter(conn, query.text, viewer, kind, count) if query.text else None
    if query.text and matches is None:
        where.append(false())
    broad = matches is not None and matches.broad
    if matches is not None and broad:
        # Too many matches to sort: the newest matches first, counted up to the cap.
        newest = matches.newest(table, *where)
        capped = newest.order_by(None).limit(search.RANKED_UP_TO + 1).subquery()
        with matches.walking_newest_first(conn):
            total = count(select(func.count()).select_from(capped))
            ids = count.ids(newest.limit(query.limit).offset(query.offset))
        return ids, total, broad
    if matches is not None:
        # At most RANKED_UP_TO records match: read their ids first. As a subquery,
        # PostgreSQL walked the whole date index looking for a page of matches that
        # a rare word does not have (a word matching nothing: 0.6 s at 100,000).
        where.append(table.c.id.in_(count.ids(matches.ids())))
    total = count(select(func.count()).select_from(table).where(*where))
    # A first visit reads the ids of the pages around it too, at little more cost
    # (the rows before the page are walked anyway), and remembers them: the next
    # page, or one a few clicks away, is then answered without the database.
    around = around if query.limit else 0
    start = max(0, query.offset - around * query.limit)
    wide = count.ids(
        select(table.c.id)
        .where(*where)
        .order_by(*order(table, query))
        .limit(query.offset - start + (around + 1) * query.limit)
        .offset(start)
    )
    for offset in range(start, query.offset + around * query.limit + 1, query.limit):
        if offset != query.offset:
            page = wide[offset - start : offset - start + query.limit]
            remember(replace(query, offset=offset), partial(_as_known, page, total))
    ids = wide[query.offset - start : query.offset - start + query.limit]
    return ids, total, broad


# What list pages show of a record besides its id, visibility and verification, for the
# kinds that declare it; none of these fields refers to another record, so a summary has
# nothing to redact.
SUMMARY_FIELDS = {kind: fields for kind in KINDS if (fields := summary_fields(kind))}
# A summary is a named tuple: a template reads each field of each row, and a database
# row's attributes are found through a __getattr__ fallback, several times slower.
SUMMARIES: dict[str, Any] = {
    kind: namedtuple(f"{kind.title()}Summary", ("id", "visibility", "verification", *fields))
    for kind, fields in SUMMARY_FIELDS.items()
}

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


def summaries_of(
    conn: Connection, kind: str, ids: Sequence[str], viewer: Viewer
) -> tuple[list[Any], list[Record]]:
    """The summaries of the records with these ids that ``viewer`` may read, in order, and
    the confidential or sealed ones among them, loaded whole and redacted (to audit)."""
    summary = SUMMARIES[kind]
    rows = {}
    if ids:
        bound = {"ids": bound_ids(ids, conn.dialect)}
        found = map(summary._make, conn.execute(_summary_statement(kind, conn.dialect), bound))
        rows = {r.id: r for r in found if viewer.can_read(r.visibility, r.verification)}
    whole = [
        rid
        for rid, r in rows.items()
        if r.visibility == "confidential" or any(is_sealed(v) for v in r)
    ]
    loaded = {r.id: r for r in redact(conn, load_records(conn, kind, whole), viewer)}
    items = [loaded.get(rid, rows[rid]) for rid in ids if rid in rows]
    return items, list(loaded.values())
