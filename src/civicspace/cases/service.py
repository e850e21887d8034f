"""Case listings monitors ask for: custody deadlines coming up, the political-prisoner list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from civicspace.access.policy import Viewer
from civicspace.cases.custody import custody_state
from civicspace.db import schema as t
from civicspace.model.records import LegalCase, Person
from civicspace.store.repository import Store


@dataclass(frozen=True)
class DeadlineRow:
    case_id: str
    case_title: str
    person_id: str
    person_name: str
    status: str
    deadline: str
    days_left: int
    charges: list[str]


@dataclass(frozen=True)
class PrisonerRow:
    person_id: str
    name: str
    recognised_by: str
    recognised_on: str
    case_id: str
    charges: list[str]
    status: str
    custody_since: str | None
    days_in_custody: int | None
    next_deadline: str | None


def _names(store: Store, ids: set[str], viewer: Viewer) -> dict[str, str]:
    return {
        p.id: p.name.text
        for p in store.get_many("persons", sorted(ids), viewer)
        if isinstance(p, Person)
    }


def upcoming_deadlines(
    store: Store, viewer: Viewer, today: dt.date, within_days: int = 30
) -> list[DeadlineRow]:
    """Custody measures that end between ``today`` and ``today + within_days``, soonest first."""
    horizon = today + dt.timedelta(days=within_days)
    with store.db.begin() as conn:
        case_ids = sorted(
            set(
                conn.scalars(
                    select(t.case_events.c.parent_id).where(
                        t.case_events.c.until_hi >= today, t.case_events.c.until_lo <= horizon
                    )
                )
            )
        )
    cases = [c for c in store.get_many("cases", case_ids, viewer) if isinstance(c, LegalCase)]
    rows: list[DeadlineRow] = []
    people = _names(store, {p for c in cases for p in c.defendants}, viewer)
    for case in cases:
        for pid in case.defendants:
            state = custody_state(case, pid, today)
            deadline = state.deadline_after(today)
            if deadline is None or deadline.earliest > horizon:
                continue
            rows.append(
                DeadlineRow(
                    case.id,
                    case.title,
                    pid,
                    people.get(pid, pid),
                    state.status,
                    str(deadline),
                    (deadline.earliest - today).days,
                    [c.label() for c in case.charges if c.person_id in (None, pid)],
                )
            )
    return sorted(rows, key=lambda r: (r.days_left, r.case_id, r.person_id))


def political_prisoners(store: Store, viewer: Viewer, on: dt.date) -> list[PrisonerRow]:
    """People recognised as political prisoners (recognition not withdrawn by ``on``)."""
    with store.db.begin() as conn:
        case_ids = sorted(set(conn.scalars(select(t.recognitions.c.parent_id))))
    cases = [c for c in store.get_many("cases", case_ids, viewer) if isinstance(c, LegalCase)]
    people = _names(store, {r.person_id for c in cases for r in c.recognitions}, viewer)
    rows = []
    for case in cases:
        for rec in case.recognitions:
            if rec.date.earliest > on or (rec.withdrawn and rec.withdrawn.earliest <= on):
                continue
            state = custody_state(case, rec.person_id, on)
            deadline = state.deadline_after(on)
            rows.append(
                PrisonerRow(
                    rec.person_id,
                    people.get(rec.person_id, rec.person_id),
                    rec.by,
                    str(rec.date),
                    case.id,
                    [c.label() for c in case.charges if c.person_id in (None, rec.person_id)],
                    state.status,
                    str(state.custody_since) if state.custody_since else None,
                    state.days_in_custody(on),
                    str(deadline) if deadline else None,
                )
            )
    return sorted(rows, key=lambda r: r.name.casefold())
