"""Read what a country update needs from the store, as one viewer sees it.

All visibility decisions are the store's: the public edition reads as
``Viewer.anonymous()`` (public and verified records, hidden people and sources already
removed from references), the internal edition as the editor who asks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select

from civicspace.access.policy import Viewer
from civicspace.cases.custody import custody_state
from civicspace.db import schema as t
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import (
    Incident,
    Law,
    LegalCase,
    Organisation,
    Person,
    Rating,
    Record,
    Source,
    Statistic,
    Summary,
)
from civicspace.store.repository import RecordQuery, Store

PAGE_SIZE = 5000
R = TypeVar("R", bound=Record)


@dataclass
class ReportData:
    """Everything the report prints, already filtered by the viewer's rights."""

    country: str
    country_name: str
    date_from: dt.date
    date_to: dt.date
    incidents: list[Incident]
    cases: list[LegalCase]
    laws: list[Law]
    ratings: list[Rating]
    statistics: list[Statistic]
    persons: dict[str, Person] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    summaries: list[Summary] = field(default_factory=list)


def _all(store: Store, kind: str, cls: type[R], viewer: Viewer, query: RecordQuery) -> list[R]:
    items: list[R] = []
    offset = 0
    while True:
        page = store.list(kind, viewer, dataclasses.replace(query, limit=PAGE_SIZE, offset=offset))
        items.extend(r for r in page.items if isinstance(r, cls))
        offset += PAGE_SIZE
        if offset >= page.total or not page.items:
            return items


def overlaps(date: FuzzyDate, end: FuzzyDate | None, start: dt.date, stop: dt.date) -> bool:
    return date.earliest <= stop and (end or date).latest >= start


def _case_in_period(case: LegalCase, start: dt.date, stop: dt.date, named: set[str]) -> bool:
    if any(overlaps(e.date, None, start, stop) for e in case.events):
        return True
    if any(p in named for p in case.defendants):
        return True
    return any(custody_state(case, p, start).in_custody for p in case.defendants)


def gather(
    store: Store, viewer: Viewer, country: str, date_from: dt.date, date_to: dt.date
) -> ReportData:
    """The records of ``country`` for the period that ``viewer`` may read."""
    country = country.upper()
    period = RecordQuery(
        country=country,
        date_from=FuzzyDate.from_date(date_from),
        date_to=FuzzyDate.from_date(date_to),
        sort="date",
    )
    everything = RecordQuery(country=country, sort="id")
    incidents = _all(store, "incidents", Incident, viewer, period)
    statistics = _all(store, "statistics", Statistic, viewer, period)
    ratings = sorted(
        _all(store, "ratings", Rating, viewer, everything), key=lambda r: (r.date.earliest, r.id)
    )
    laws = [
        law
        for law in _all(store, "laws", Law, viewer, everything)
        if any(overlaps(s.date, None, date_from, date_to) for s in law.stages)
    ]
    named = {p.person_id for i in incidents for p in i.participants if p.person_id}
    cases = [
        c
        for c in _all(store, "cases", LegalCase, viewer, everything)
        if _case_in_period(c, date_from, date_to, named)
    ]
    data = ReportData(
        country, country, date_from, date_to, incidents, cases, laws, ratings, statistics
    )
    data.summaries = sorted(
        (
            s
            for s in _all(store, "summaries", Summary, viewer, everything)
            if overlaps(s.period_start, s.period_end, date_from, date_to)
        ),
        key=lambda s: (s.period_start.earliest, s.id),
    )
    person_ids = named | {p for c in cases for p in c.defendants}
    org_ids = {p.organisation_id for i in incidents for p in i.participants if p.organisation_id}
    data.persons = {
        p.id: p
        for p in store.get_many("persons", sorted(person_ids), viewer)
        if isinstance(p, Person)
    }
    data.organisations = {
        o.id: o
        for o in store.get_many("organisations", sorted(org_ids), viewer)
        if isinstance(o, Organisation)
    }
    records: list[Record] = [*incidents, *cases, *laws, *ratings, *statistics, *data.summaries]
    source_ids = {c.source_id for r in records for c in r.sources}
    data.sources = {
        s.id: s
        for s in store.get_many("sources", sorted(source_ids), viewer)
        if isinstance(s, Source)
    }
    # Countries and places carry no visibility of their own: they are gazetteer entries.
    location_ids = sorted({i.location_id for i in incidents if i.location_id})
    with store.db.begin() as conn:
        name = conn.scalar(select(t.countries.c.name).where(t.countries.c.id == country))
        data.country_name = name or country
        for start in range(0, len(location_ids), 500):
            chunk = location_ids[start : start + 500]
            rows = conn.execute(
                select(t.locations.c.id, t.locations.c.name).where(t.locations.c.id.in_(chunk))
            )
            data.places.update({row.id: row.name for row in rows})
    return data
