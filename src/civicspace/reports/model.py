"""The report as data: what the templates print, already worded and numbered.

The service fills these plain objects from the store; templates (Markdown, HTML) only lay
them out, so a user's own template never has to know the database or the vocabularies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Note:
    """A numbered source note; ``flags`` mark restricted, confidential or unverified sources."""

    number: int
    source_id: str
    text: str
    url: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class Paragraph:
    """A paragraph of facts with the numbers of the notes that support them."""

    text: str
    notes: list[int] = field(default_factory=list)
    lead: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class CaseBlock:
    """A legal case as printed under an incident: charges, custody, deadline, verdicts."""

    case_id: str
    title: str
    lines: list[str]
    notes: list[int] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    see_above: bool = False


@dataclass
class IncidentEntry:
    incident_id: str
    lead: str
    title: str
    text: str
    people: str
    notes: list[int] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    cases: list[CaseBlock] = field(default_factory=list)


@dataclass
class Group:
    """Incidents of one violation type, in date order."""

    key: str
    title: str
    entries: list[IncidentEntry] = field(default_factory=list)


@dataclass
class Subsection:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    subsections: list[Subsection] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    cases: list[CaseBlock] = field(default_factory=list)


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    empty: str = ""


@dataclass
class Chart:
    key: str
    title: str
    svg: str
    filename: str = ""


@dataclass
class Report:
    """A country update for one period and edition, ready to render."""

    country: str
    country_name: str
    date_from: dt.date
    date_to: dt.date
    edition: str
    lang: str
    title: str
    period: str
    generated_on: dt.date
    labels: dict[str, str]
    introduction: list[Paragraph]
    sections: list[Section]
    tables: list[ReportTable]
    charts: list[Chart]
    notes: list[Note]
    counts: dict[str, int] = field(default_factory=dict)
    incident_total: int = 0

    @property
    def internal(self) -> bool:
        return self.edition == "internal"
