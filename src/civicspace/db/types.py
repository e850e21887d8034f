"""Column types shared by the tables: fuzzy dates and term lists, portable to SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, Text, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from civicspace.model.dates import FuzzyDate


class FuzzyDateType(TypeDecorator[FuzzyDate]):
    """A :class:`FuzzyDate` stored in its canonical text form (``early 2022-09``)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(value if isinstance(value, FuzzyDate) else FuzzyDate.parse(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> FuzzyDate | None:
        return None if value is None else FuzzyDate.parse(value)


class TermList(TypeDecorator[list[str]]):
    """A list of vocabulary terms stored as ``|a|b|`` so ``LIKE '%|a|%'`` filters on both
    databases without a child table per list (terms never contain ``|``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return "|" + "|".join(value) + "|" if value else ""

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        if value is None:
            return None
        return [v for v in value.split("|") if v]


def contains_term(column: ColumnElement[Any], term: str) -> ColumnElement[bool]:
    """A condition true where the term list in ``column`` contains ``term``."""
    return type_coerce(column, Text).like(f"%|{term}|%")
