"""How a new record's id is made: a kind's prefix, its caption folded to ASCII, six random
hex digits (``inc-picket-dispersed-3f9a1c``), so an id reads as what it names."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from civicspace.text import fold

# The first word of each kind's new ids.
ID_PREFIXES = {
    "incidents": "inc",
    "persons": "person",
    "organisations": "org",
    "cases": "case",
    "laws": "law",
    "statistics": "stat",
    "ratings": "rating",
    "sources": "src",
    "summaries": "summary",
}
# The field (dotted) a new id is made from, where it is not ``title``.
ID_FROM = {
    "persons": "name.text",
    "organisations": "name.text",
    "statistics": "counts",
    "ratings": "date",
}


def new_id(kind: str, title: str) -> str:
    """A fresh id of ``kind`` made from ``title``: ``new_id("incidents", "Picket dispersed")``
    is ``inc-picket-dispersed-`` and six random hex digits; names are folded to Latin."""
    prefix = ID_PREFIXES[kind]
    base = re.sub(r"[^a-z0-9]+", "-", fold(title).lower()).strip("-")[:40] or prefix
    return f"{prefix}-{base}-{secrets.token_hex(3)}"


def id_for(kind: str, data: Mapping[str, Any]) -> str:
    """A fresh id for a new record of ``kind`` described by ``data`` (a model's fields)."""
    value: Any = data
    for part in ID_FROM.get(kind, "title").split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return new_id(kind, str(value or ""))


__all__ = ["ID_PREFIXES", "id_for", "new_id"]
