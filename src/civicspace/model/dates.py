"""Dates as monitors know them: a day, a month, part of a month, a year, or roughly.

A :class:`FuzzyDate` is written canonically as ``2022-09-05``, ``2022-09``, ``2022``,
``early 2022-09`` (also ``mid``/``late``) and ``~2022-09-05`` for approximate dates.
It also reads the way people write: ``"early September 2022"``, ``"5 September 2022"``.
Every fuzzy date covers a range of days, :attr:`earliest` to :attr:`latest`, which is
what filters and sorting use; nothing ever invents a day that was not known::

    >>> d = FuzzyDate.parse("early September 2022")
    >>> str(d), d.earliest.isoformat(), d.latest.isoformat(), d.display()
    ('early 2022-09', '2022-09-01', '2022-09-10', 'early September 2022')
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

Precision = Literal["day", "month", "year"]
Part = Literal["early", "mid", "late"]

# Read once: calendar.month_name formats a date with strftime on every lookup.
MONTH_NAMES = tuple(calendar.month_name)
MONTHS = {name.lower(): i for i, name in enumerate(MONTH_NAMES) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
_PART_MONTHS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}

_CANONICAL = re.compile(
    r"^(?P<approx>~)?(?:(?P<part>early|mid|late) )?(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$"
)
_WORDS = re.compile(
    r"^(?:(?P<approx>about|around|approximately|circa|c\.)\s+)?"
    r"(?:(?P<part>early|mid|late|beginning of|end of|the beginning of|the end of)[\s-]+)?"
    r"(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+)?(?P<month>[a-z]+\.?)?\s*(?P<y>\d{4})$"
)


class FuzzyDate:
    """A date known to a day, a month (or part of it) or a year, possibly approximate."""

    __slots__ = ("year", "month", "day", "part", "approximate")

    def __init__(
        self,
        year: int,
        month: int | None = None,
        day: int | None = None,
        part: Part | None = None,
        approximate: bool = False,
    ) -> None:
        if not 1 <= year <= 9999:
            raise ValueError(f"year {year} is out of range")
        if month is None and day is not None:
            raise ValueError("a day needs a month")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month {month} is out of range")
        if day is not None:
            dt.date(year, month or 1, day)  # raises ValueError for 2022-02-30
            if part is not None:
                raise ValueError("a day-precise date has no early/mid/late part")
        if part is not None and part not in _PART_DAYS:
            raise ValueError(f"part must be early, mid or late, not {part!r}")
        self.year, self.month, self.day = year, month, day
        self.part: Part | None = part
        self.approximate = approximate

    # --- constructors -----------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        """Read a canonical or an English written date; ``ValueError`` names what failed."""
        raw = " ".join(str(text).strip().lower().split())
        if not raw:
            raise ValueError("empty date")
        m = _CANONICAL.match(raw)
        if m:
            return cls(
                int(m["y"]),
                int(m["m"]) if m["m"] else None,
                int(m["d"]) if m["d"] else None,
                m["part"],  # type: ignore[arg-type]
                bool(m["approx"]),
            )
        m = _WORDS.match(raw.replace(",", ""))
        if m and (m["month"] or not m["d"]):
            month = None
            if m["month"]:
                month = MONTHS.get(m["month"].rstrip("."))
                if month is None:
                    raise ValueError(f"unknown month {m['month']!r} in date {text!r}")
            written = m["part"]
            part: Part | None = None
            if written:
                word = (
                    "early" if "beginning" in written else "late" if "end" in written else written
                )
                part = word  # type: ignore[assignment]  # the regex admits only the three parts
            return cls(int(m["y"]), month, int(m["d"]) if m["d"] else None, part, bool(m["approx"]))
        raise ValueError(
            f"cannot read date {text!r}; write YYYY-MM-DD, YYYY-MM, YYYY, 'early YYYY-MM', "
            "'~YYYY-MM-DD' or e.g. 'early September 2022'"
        )

    @classmethod
    def from_date(cls, value: dt.date) -> FuzzyDate:
        return cls(value.year, value.month, value.day)

    # --- derived ----------------------------------------------------------------------
    @property
    def precision(self) -> Precision:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def earliest(self) -> dt.date:
        if self.day:
            return dt.date(self.year, self.month or 1, self.day)
        if self.month:
            first = _PART_DAYS[self.part][0] if self.part else 1
            return dt.date(self.year, self.month, first)
        return dt.date(self.year, _PART_MONTHS[self.part][0] if self.part else 1, 1)

    @property
    def latest(self) -> dt.date:
        if self.day:
            return self.earliest
        if self.month:
            last = calendar.monthrange(self.year, self.month)[1]
            end = min(_PART_DAYS[self.part][1], last) if self.part else last
            return dt.date(self.year, self.month, end)
        month = _PART_MONTHS[self.part][1] if self.part else 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def display(self, lang: str = "en") -> str:
        """Human wording at the known precision: ``early September 2022``, never a made-up day."""
        if self.month:
            month = MONTH_NAMES[self.month]
            body = f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"
        else:
            body = str(self.year)
        if self.part:
            body = f"mid-{body}" if self.part == "mid" else f"{self.part} {body}"
        return f"around {body}" if self.approximate else body

    def __str__(self) -> str:
        body = f"{self.year:04d}"
        if self.month:
            body += f"-{self.month:02d}"
        if self.day:
            body += f"-{self.day:02d}"
        if self.part:
            body = f"{self.part} {body}"
        return f"~{body}" if self.approximate else body

    def __repr__(self) -> str:
        return f"FuzzyDate({str(self)!r})"

    def _key(self) -> tuple[Any, ...]:
        return (self.year, self.month, self.day, self.part, self.approximate)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FuzzyDate) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: FuzzyDate) -> bool:
        return (self.earliest, self.latest) < (other.earliest, other.latest)

    # --- pydantic integration: validated from str/date, serialised as the canonical str
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> FuzzyDate:
            if isinstance(value, FuzzyDate):
                return value
            if isinstance(value, dt.date):
                return cls.from_date(value)
            if isinstance(value, str):
                return cls.parse(value)
            raise ValueError(f"expected a date string, got {type(value).__name__}")

        return core_schema.no_info_plain_validator_function(
            validate,
            json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )
