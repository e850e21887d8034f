"""How a new record's id is made: its kind's prefix, the field its kind names (``id_from``
in the kind's declaration) folded to ASCII, six random hex digits
(``inc-picket-dispersed-3f9a1c``), so an id reads as what it names."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from civicspace.model.kinds import spec_of
from civicspace.model.records import KINDS
from civicspace.text import fold

ID_PREFIXES = {kind: spec_of(kind).id_prefix for kind in KINDS}


def new_id(kind: str, title: str) -> str:
    """A fresh id of ``kind`` made from ``title``: ``new_id("incidents", "Picket dispersed")``
    is ``inc-picket-dispersed-`` and six random hex digits; names are folded to Latin."""
    prefix = ID_PREFIXES[kind]
    base = re.sub(r"[^a-z0-9]+", "-", fold(title).lower()).strip("-")[:40] or prefix
    return f"{prefix}-{base}-{secrets.token_hex(3)}"


def id_for(kind: str, data: Mapping[str, Any]) -> str:
    """A fresh id for a new record of ``kind`` described by ``data`` (a model's fields),
    made from the field its declaration names (``name.text`` for a person)."""
    value: Any = data
    for part in spec_of(kind).id_from.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return new_id(kind, str(value or ""))


__all__ = ["ID_PREFIXES", "id_for", "new_id"]
