"""What a field means, written on the field: markers for ``typing.Annotated``.

A record's field says what it refers to, whether it is encrypted at rest and whether
search indexes it, beside its type::

    location_id: Annotated[RecordId | None, Ref("locations")] = None
    title: Annotated[str, Searchable("A"), Sealed()] = Field(min_length=1)

Pydantic keeps such objects in ``model_fields[name].metadata`` (or inside the
annotation, for a list's items); :mod:`civicspace.model.kinds` walks them to derive
references, sealing, search documents, import order and the rest. :class:`KindSpec`
holds the few facts about a kind that belong to no single field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from civicspace.model.vocabulary import vocabulary


@dataclass(frozen=True, init=False)
class Ref:
    """This id points at a record of ``kinds`` (or ``"locations"``, ``"countries"``).

    ``within`` names a list field of the same record the id must also be in (a charge's
    ``person_id`` is one of the case's ``defendants``): the reference is checked there,
    so :func:`~civicspace.model.kinds.references` does not report it twice.
    """

    kinds: tuple[str, ...]
    within: str | None

    def __init__(self, *kinds: str, within: str | None = None) -> None:
        if not kinds:
            raise TypeError("Ref needs at least one kind")
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "within", within)


@dataclass(frozen=True)
class Sealed:
    """Encrypted at rest when the record is confidential (for a name: its text)."""


@dataclass(frozen=True)
class Searchable:
    """Indexed in the record's search document: ``"A"`` titles and names, ``"B"`` body text.

    On an id (``Ref``), the names of the record it points at are indexed, if that record
    is no less visible. In a confidential record, an ``identifies`` field (a person's
    name, a source's publisher) is indexed as whole names too, only as blind tokens; a
    field not indexed ``when_confidential`` is left out. A document lists its fields'
    words by ``order``, then in declaration order, the caption at 0 before the others.
    """

    weight: Literal["A", "B"] = "B"
    identifies: bool = False
    when_confidential: bool = True
    order: int = 0


@dataclass(frozen=True)
class Internal:
    """Kept by the system (provenance, version), never typed into a form or shown in a section."""


@dataclass(frozen=True)
class Term:
    """A key of the vocabulary ``name``; validates like the vocabulary's ``check``.

    Pydantic runs it as an after-validator and keeps it in the field's metadata, so
    the vocabulary a field draws from can be read off the model.
    """

    name: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def check(self, value: str) -> str:
        return vocabulary(self.name).check(value)


COMMON_SECTION = ("record", ("visibility", "verification", "sources", "notes"))
"""The section every kind ends with: who may read it, its verification and sources."""


@dataclass(frozen=True)
class KindSpec:
    """What a kind declares beyond its fields: its name, how it is captioned and listed.

    ``caption`` is a field path (``"title"``, ``"name.text"``) or a method taking no
    argument (``"display"``); ``date`` is the fuzzy-date field lists filter on;
    ``summary`` the fields a list page reads from a record's own row (empty: whole
    records); ``sections`` the ordered groups of fields of forms and read-only pages
    (:data:`COMMON_SECTION` is added when missing); ``id_prefix`` and ``id_from`` how a
    new id is made (``person-`` + the slug of ``name.text``).
    """

    kind: str
    label: str
    caption: str
    sections: Mapping[str, tuple[str, ...]]
    list_columns: tuple[str, ...]
    date: str | None = None
    summary: tuple[str, ...] = ()
    id_prefix: str = ""
    id_from: str = ""

    def __post_init__(self) -> None:
        sections = dict(self.sections)
        name, fields = COMMON_SECTION
        if name not in sections:
            sections[name] = fields
        object.__setattr__(self, "sections", MappingProxyType(sections))
        object.__setattr__(self, "id_prefix", self.id_prefix or self.kind.rstrip("s"))
        object.__setattr__(self, "id_from", self.id_from or self.caption)

    def __hash__(self) -> int:
        return hash(self.kind)


__all__ = ["COMMON_SECTION", "Internal", "KindSpec", "Ref", "Searchable", "Sealed", "Term"]
