"""What every part of a report draft shares: the data, the words, the notes and the edition.

The sections (introduction, general, freedoms, tables) are plain functions over one
:class:`Drafting`; it also remembers which legal cases are already printed in full.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from civicspace.access.policy import Viewer
from civicspace.model.records import Charge, LegalCase, Rating, Record
from civicspace.model.vocabulary import legal_article, legal_codes, vocabulary
from civicspace.reports.gather import ReportData, overlaps
from civicspace.reports.model import Paragraph
from civicspace.reports.notes import SourceNotes
from civicspace.reports.request import ReportRequest
from civicspace.reports.words import Words
from civicspace.store.repository import Store

__all__ = ["FREEDOMS", "Drafting"]

FREEDOMS = ("assembly", "expression", "association")


@dataclass
class Drafting:
    """One report being drafted: who reads it, what it prints and in which words."""

    store: Store
    viewer: Viewer
    data: ReportData
    request: ReportRequest
    today: dt.date
    w: Words = field(init=False)
    internal: bool = field(init=False)
    notes: SourceNotes = field(init=False)
    printed_cases: set[str] = field(init=False, default_factory=set)
    cases_by_person: dict[str, list[LegalCase]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.w = Words(self.request.lang)
        self.internal = self.request.edition == "internal"
        self.notes = SourceNotes(self.data, self.w, self.internal)
        for case in self.data.cases:
            for pid in case.defendants:
                self.cases_by_person.setdefault(pid, []).append(case)

    @property
    def end(self) -> dt.date:
        return self.request.date_to

    def flags(self, record: Record) -> list[str]:
        return self.w.flags(record.visibility, record.verification) if self.internal else []

    def paragraph(self, text: str, records: Iterable[Record], lead: str | None = None) -> Paragraph:
        recs = list(records)
        flags = sorted({f for r in recs for f in self.flags(r)})
        notes = self.notes.cite(recs)
        if not notes and self.internal:
            flags.append(self.w("unsourced"))
        return Paragraph(text, notes, lead, flags)

    def editor_paragraphs(self, section: str) -> list[Paragraph]:
        """Editors' own summaries for ``section`` in the report's language, after the
        generated text, each citing its sources like every other paragraph."""
        return [
            self.paragraph(s.summary, [s], lead=s.title)
            for s in self.data.summaries
            if s.section == section and s.lang == self.w.lang
        ]

    def band(self, key: str) -> str:
        return self.w.term(vocabulary("rating band")[key])

    def freedom(self, key: str) -> str:
        return self.w.term(vocabulary("freedom")[key])

    def charge_label(self, charge: Charge) -> str:
        article = legal_article(charge.code, charge.article)
        title = (article.title_ru if self.w.lang == "ru" else None) or article.title
        code = legal_codes()[charge.code].title.split(" of the ")[0]
        part = self.w("part", part=charge.part) if charge.part else ""
        return self.w("article", article=charge.article, part=part, code=code, title=title)

    def status(self, status: str) -> str:
        return self.w(f"status_{status}")

    def freedom_counts(self) -> dict[str, int]:
        counts = Counter(f for i in self.data.incidents for f in set(i.freedoms))
        return {f: counts.get(f, 0) for f in FREEDOMS}

    def current_rating(self) -> tuple[Rating | None, list[Rating]]:
        """The rating in force at the period's end, and the ratings given within it."""
        ratings = [r for r in self.data.ratings if r.date.earliest <= self.end]
        in_period = [r for r in ratings if overlaps(r.date, None, self.data.date_from, self.end)]
        return (ratings[-1] if ratings else None), in_period
