"""Wording in the report's language: the strings file, dates at their precision, labels."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

import yaml

from civicspace.model.dates import FuzzyDate
from civicspace.model.vocabulary import Term

LANGUAGES = ("en", "ru")

_RU_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
_RU_MONTHS_NOM = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
_RU_PARTS = {"early": "начало", "mid": "середина", "late": "конец"}


@cache
def _all_strings() -> dict[str, dict[str, str]]:
    text = resources.files("civicspace.reports").joinpath("strings.yaml").read_text("utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(text)
    missing = set(data["en"]) - set(data["ru"])
    if missing:
        raise ValueError(f"strings.yaml: ru lacks {sorted(missing)}")
    return data


class Words:
    """The report's strings in one language; ``w("title", country=...)`` formats one."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; one of: {', '.join(LANGUAGES)}")
        self.lang = lang
        self.strings = _all_strings()[lang]

    def __call__(self, key: str, **fields: Any) -> str:
        return self.strings[key].format(**fields) if fields else self.strings[key]

    def term(self, term: Term) -> str:
        return (term.label_ru if self.lang == "ru" else None) or term.label

    def date(self, value: FuzzyDate) -> str:
        """A fuzzy date at its precision: "early September 2022", "начало сентября 2022"."""
        if self.lang != "ru":
            return value.display()
        if value.day and value.month:
            body = f"{value.day} {_RU_MONTHS[value.month - 1]} {value.year}"
        elif value.month:
            month = _RU_MONTHS_NOM[value.month - 1]
            body = (
                f"{_RU_PARTS[value.part]} {_RU_MONTHS[value.month - 1]} {value.year}"
                if value.part
                else f"{month} {value.year}"
            )
        else:
            body = f"{_RU_PARTS[value.part]} {value.year}" if value.part else str(value.year)
        return f"около: {body}" if value.approximate else body

    def day(self, value: dt.date) -> str:
        return self.date(FuzzyDate.from_date(value))

    def flags(self, visibility: str, verification: str) -> list[str]:
        """Markers for the internal edition: restricted/confidential, unverified."""
        out = []
        if visibility != "public":
            out.append(self(f"flag_{visibility}"))
        if verification != "verified":
            out.append(self(f"flag_{verification}"))
        return out
