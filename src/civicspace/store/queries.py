"""Which records a list asks for: the filters of a :class:`RecordQuery` as SQL under the
viewer's visibility rule, their order, and reading records by id as a viewer sees them."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Connection, Table, select

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.db.types import contains_term
from civicspace.model.dates import FuzzyDate
from civicspace.model.kinds import date_field
from civicspace.model.records import Record
from civicspace.store.mapping import load_records
from civicspace.store.redaction import redact
from civicspace.store.visibility import visible_to


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


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set):
        return tuple(_frozen(v) for v in value)
    return value  # type: ignore[no-any-return]


def conditions(kind: str, table: Table, viewer: Viewer, q: RecordQuery) -> list[Any]:
    """The WHERE of a list of ``kind``: what ``viewer`` may read, narrowed by ``q``'s filters
    (its text filter aside, see :func:`civicspace.store.search.text_filter`)."""
    c = table.c
    where: list[Any] = [*visible_to(viewer, table)]
    if q.verification:
        where.append(c.verification == q.verification)
    if q.visibility:
        where.append(c.visibility == q.visibility)
    if q.country and "country" in c:
        where.append(c.country == q.country.upper())
    date_col = date_field(kind)  # filtered by its earliest and latest day
    if date_col and q.date_from:
        where.append(c[f"{date_col}_hi"] >= q.date_from.earliest)
    if date_col and q.date_to:
        where.append(c[f"{date_col}_lo"] <= q.date_to.latest)
    if q.freedom and "freedoms" in c:
        where.append(contains_term(c.freedoms, q.freedom))
    if q.violation and "violations" in c:
        where.append(contains_term(c.violations, q.violation))
    if q.role and "roles" in c:
        where.append(contains_term(c.roles, q.role))
    elif q.role and kind == "incidents":
        where.append(
            c.id.in_(select(t.participants.c.parent_id).where(t.participants.c.role == q.role))
        )
    return where


def order(table: Table, query: RecordQuery) -> list[Any]:
    """ORDER BY the query's sort column (a fuzzy date by its earliest day), then id."""
    sort_name = query.sort if query.sort in table.c else "id"
    if sort_name == "date" and "date_lo" in table.c:
        sort_name = "date_lo"
    sort_col = table.c[sort_name]
    return [sort_col.desc() if query.descending else sort_col.asc(), table.c.id.asc()]


def read_visible(conn: Connection, kind: str, ids: Sequence[str], viewer: Viewer) -> list[Record]:
    """The records of ``kind`` with these ids that ``viewer`` may read, in the order given,
    redacted for the viewer (see :func:`civicspace.store.redaction.redact`)."""
    records = [
        r for r in load_records(conn, kind, ids) if viewer.can_read(r.visibility, r.verification)
    ]
    return redact(conn, records, viewer)
