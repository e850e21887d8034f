"""Derive a defendant's custody status and next deadline from a case timeline.

Custody is never stored: it is read off the events (``pretrial_detention_extended``
until 12 October 2022, ``verdict`` with a sentence, ``released``...), so correcting an
event corrects the status. Events with fuzzy dates count from their earliest day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicspace.model.dates import FuzzyDate
from civicspace.model.records import CaseEvent, LegalCase
from civicspace.model.vocabulary import vocabulary

IN_CUSTODY = {"detained", "house_arrest", "pretrial_detention", "imprisoned"}


@dataclass(frozen=True)
class CustodyState:
    status: str  # free, detained, house_arrest, pretrial_detention, imprisoned, restricted, unknown
    since: FuzzyDate | None
    until: FuzzyDate | None
    custody_since: FuzzyDate | None  # start of the unbroken custody run, for time served

    @property
    def in_custody(self) -> bool:
        return self.status in IN_CUSTODY

    def days_in_custody(self, on: dt.date) -> int | None:
        if self.custody_since is None or not self.in_custody:
            return None
        return (on - self.custody_since.earliest).days

    def deadline_after(self, on: dt.date) -> FuzzyDate | None:
        """The end of the current measure when it is still ahead (or today)."""
        if self.until is not None and self.until.latest >= on:
            return self.until
        return None


def _add_months(date: dt.date, months: int) -> dt.date:
    year, month = divmod(date.month - 1 + months, 12)
    year += date.year
    month += 1
    day = min(
        date.day,
        [
            31,
            29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1],
    )
    return dt.date(year, month, day)


def _effect(event: CaseEvent) -> tuple[str, FuzzyDate | None] | None:
    if event.kind in ("verdict", "appeal_decided") and event.sentence is not None:
        custody = vocabulary("sentence type")[event.sentence.type].attr("custody", "free")
        until = event.until
        if until is None and event.sentence.months and custody in ("imprisoned", "restricted"):
            until = FuzzyDate.from_date(_add_months(event.date.earliest, event.sentence.months))
        return custody, until
    custody = vocabulary("case event kind")[event.kind].attr("custody")
    return (custody, event.until) if custody else None


def _midpoint(date: FuzzyDate) -> dt.date:
    return date.earliest + (date.latest - date.earliest) / 2


def custody_state(case: LegalCase, person_id: str, on: dt.date) -> CustodyState:
    """Custody of ``person_id`` in ``case`` on day ``on`` (events after ``on`` are ignored)."""
    events = [
        (i, e)
        for i, e in enumerate(case.events)
        if (e.person_id in (None, person_id)) and e.date.earliest <= on
    ]
    # A vague date sorts at the middle of what it can mean: a verdict in "~August" comes
    # after a detention order of 5 August, as the timeline itself tells.
    events.sort(key=lambda pair: (_midpoint(pair[1].date), pair[0]))
    status, since, until, custody_since = "unknown", None, None, None
    for _, event in events:
        effect = _effect(event)
        if effect is None:
            continue
        new_status, new_until = effect
        if new_status in IN_CUSTODY and status not in IN_CUSTODY:
            custody_since = event.date
        if new_status not in IN_CUSTODY:
            custody_since = None
        status, since, until = new_status, event.date, new_until
    if status in ("restricted", "imprisoned") and until is not None and until.latest < on:
        status, since, until, custody_since = "free", until, None, None
    return CustodyState(status, since, until, custody_since)
