"""Figures for dashboards, computed in the database under the viewer's visibility rule.

Counts only ever include records the viewer may read (the same conditions as
:meth:`Store.list`), so a dashboard never reveals that a hidden record exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import String, cast, func, select

from civicspace.access.policy import Viewer
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import Rating
from civicspace.model.vocabulary import vocabulary
from civicspace.store.mapping import MAPPINGS
from civicspace.store.queries import RecordQuery, conditions
from civicspace.store.repository import Store

# Columns a list may be sorted by; ``date`` means the earliest day of a fuzzy date.
_SORTABLE = ("id", "date", "title", "country", "updated_at", "created_at", "as_of", "published")


def sort_fields(kind: str) -> list[str]:
    """The fields ``Store.list`` can sort ``kind`` by."""
    columns = MAPPINGS[kind].table.c
    return [name for name in _SORTABLE if name in columns or f"{name}_lo" in columns]


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2022-06"
    by_freedom: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_freedom.values())


def incidents_per_month(
    store: Store,
    viewer: Viewer,
    date_from: FuzzyDate | None = None,
    date_to: FuzzyDate | None = None,
    country: str | None = None,
) -> list[MonthCount]:
    """Incidents per month of their (earliest) date, split by freedom; an incident touching
    two freedoms counts once under each. Months without incidents are left out."""
    table = MAPPINGS["incidents"].table
    query = RecordQuery(date_from=date_from, date_to=date_to, country=country)
    where = conditions("incidents", table, viewer, query)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # ISO text of a date on both databases; grouping in SQL keeps 100,000 incidents cheap.
    month = func.substr(cast(table.c.date_lo, String), 1, 7).label("month")
    with store.db.begin() as conn:
        rows = conn.execute(
            select(month, table.c.freedoms, func.count().label("n"))
            .where(*where)
            .group_by(month, table.c.freedoms)
        )
        for row in rows:
            for freedom in row.freedoms or []:
                counts[row.month][freedom] += row.n
    order = vocabulary("freedom").keys()
    return [
        MonthCount(month, {f: counts[month].get(f, 0) for f in order}) for month in sorted(counts)
    ]


def current_rating(store: Store, viewer: Viewer, country: str | None = None) -> Rating | None:
    """The newest rating the viewer may read."""
    page = store.list(
        "ratings", viewer, RecordQuery(country=country, sort="date", descending=True, limit=1)
    )
    item = page.items[0] if page.items else None
    return item if isinstance(item, Rating) else None
