"""Normalised fields of a list record: what linkage compares, derived from the raw fields.

Raw fields are kept as written elsewhere; these are derived and can be recomputed by a
newer version of this module without losing anything.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from civicspace.text.names import name_fold, parse_name

NORMALISER_VERSION = "1"
EVENT_YEAR_DEFAULT = 2022
_GENDER = {
    "m": "m",
    "male": "m",
    "м": "m",
    "муж": "m",
    "мужской": "m",
    "ер": "m",
    "f": "f",
    "female": "f",
    "ж": "f",
    "жен": "f",
    "женский": "f",
    "әйел": "f",
    "w": "f",
}
# "г. Алматы", "city of Almaty", "Алматы қаласы": keep the place name only.
_PLACE_NOISE = re.compile(r"\b(g|gorod|city|of|kalasy|qalasy|obl|oblast|oblys|region)\b\.?")
EPOCH = dt.date(1970, 1, 1)

NORMALISED_FIELDS = (
    "surname_key",
    "given_key",
    "given_initial",
    "patronymic_key",
    "patronymic_initial",
    "gender",
    "birth_year",
    "event_day",
    "place_key",
    "initials_only",
)


def parse_gender(value: Any) -> str | None:
    """ "m"/"f" from the many ways lists write it; ``None`` when absent or unknown."""
    text = str(value or "").strip().lower().rstrip(".")
    return _GENDER.get(text)


def parse_int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):  # "nan", "inf" parse as floats but are no count
        return None
    return int(number) if number == int(number) else None


def parse_date(value: Any) -> dt.date | None:
    """ISO dates and the dd.mm.yyyy form common on Russian-language lists."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def place_key(value: Any) -> str | None:
    key = _PLACE_NOISE.sub(" ", name_fold(str(value or ""))).split()
    return " ".join(key) or None


def normalise(raw: Mapping[str, Any], event_year: int = EVENT_YEAR_DEFAULT) -> dict[str, Any]:
    """The comparison columns of one record from its raw fields (already mapped to our names).

    The birth year comes from ``birth_year`` or, failing that, ``event_year - age`` (one
    year off for half the people, which the comparison tolerates).
    """
    name = parse_name(str(raw.get("name") or ""))
    keys = name.keys()
    birth_year = parse_int(raw.get("birth_year"))
    age = parse_int(raw.get("age"))
    if birth_year is None and age is not None:
        birth_year = event_year - age
    day = parse_date(raw.get("date"))
    return {
        "surname_key": keys.surname,
        "given_key": keys.given,
        "given_initial": keys.given_initial,
        "patronymic_key": keys.patronymic,
        "patronymic_initial": keys.patronymic_initial,
        "gender": parse_gender(raw.get("gender")) or name.gender,
        "birth_year": birth_year,
        "event_day": (day - EPOCH).days if day else None,
        "place_key": place_key(raw.get("place")),
        "initials_only": name.initials_only,
    }
