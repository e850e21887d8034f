"""Numbered source notes: each source gets a number at its first citation in the report."""

from __future__ import annotations

from collections.abc import Iterable

from civicspace.model.records import Record
from civicspace.reports.gather import ReportData
from civicspace.reports.model import Note
from civicspace.reports.words import Words

__all__ = ["SourceNotes"]


class SourceNotes:
    """Numbers sources in order of first citation."""

    def __init__(self, data: ReportData, words: Words, internal: bool) -> None:
        self.data, self.words, self.internal = data, words, internal
        self.numbers: dict[str, int] = {}

    def cite(self, records: Iterable[Record]) -> list[int]:
        out: list[int] = []
        for record in records:
            for citation in record.sources:
                if citation.source_id not in self.data.sources:
                    continue
                number = self.numbers.setdefault(citation.source_id, len(self.numbers) + 1)
                if number not in out:
                    out.append(number)
        return sorted(out)

    def notes(self) -> list[Note]:
        out = []
        for source_id, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            s = self.data.sources[source_id]
            parts = [s.publisher, s.title, self.words.date(s.published) if s.published else None]
            flags = self.words.flags(s.visibility, s.verification) if self.internal else []
            out.append(
                Note(number, source_id, ". ".join(p for p in parts if p) + ".", s.url, flags)
            )
        return out
