"""What a country update reports on: the country, the period, the edition and the language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicspace.reports.words import LANGUAGES

__all__ = ["EDITIONS", "ReportRequest"]

EDITIONS = ("public", "internal")


@dataclass(frozen=True)
class ReportRequest:
    """What to report on: country, period (inclusive days), edition and language."""

    country: str
    date_from: dt.date
    date_to: dt.date
    edition: str = "public"
    lang: str = "en"
    deadline_days: int = 60
    victim_lists: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.edition not in EDITIONS:
            raise ValueError(f"unknown edition {self.edition!r}; one of: {', '.join(EDITIONS)}")
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language {self.lang!r}; one of: {', '.join(LANGUAGES)}")
        if self.date_to < self.date_from:
            raise ValueError("the period ends before it starts")
