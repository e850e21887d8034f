"""What a person typed into a form as new becomes: a record of their own, written in the
same transaction as the record that names them (see :mod:`civicspace.editing.service`)."""

from __future__ import annotations

import re

from civicspace.editing.ids import new_id
from civicspace.model.records import Person

CYRILLIC = re.compile("[а-яёәғқңөұүһі]", re.I)


def script_of(text: str) -> str:
    """The script a name is written in, as monitors type them: ``Cyrl`` or ``Latn``."""
    return "Cyrl" if CYRILLIC.search(text) else "Latn"


def new_participant(name: str, *, visibility: str, country: str | None) -> Person:
    """A new person named ``name`` in a record's participants: a fresh id made from the
    name, the name's script, the visibility chosen for them and the record's country."""
    return Person.model_validate(
        {
            "id": new_id("persons", name),
            "name": {"text": name, "script": script_of(name)},
            "visibility": visibility,
            "country": (country or "").upper() or None,
        }
    )


__all__ = ["CYRILLIC", "new_participant", "script_of"]
