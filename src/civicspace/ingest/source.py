"""What a reader hands the pipeline: a file's sections in the order they are written.

Every format (a JSON/YAML bundle, a CSV of one kind, records built in code) becomes a
:class:`Source`, so validation, duplicate ids and references are checked in one place
(:mod:`civicspace.ingest.checks`) whatever the file looked like.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from civicspace.ingest.errors import Problem
from civicspace.model.kinds import fields_of, insert_order
from civicspace.model.markers import Ref, Searchable
from civicspace.model.records import KINDS, Country, Location, Record, record_type

# Countries and locations: shared reference data, not records (no visibility, no journal).
PLACE_TYPES: dict[str, type[BaseModel]] = {"countries": Country, "locations": Location}
PLACES = tuple(PLACE_TYPES)
# Kind by kind, each after the kinds it refers to (derived from the model): sources (which
# cite each other), then the parties, then the records that name them. Countries and
# locations come before all of them.
INSERT_ORDER = insert_order()
REPORT_ORDER = (*PLACES, *KINDS)  # problems and counts are listed in the bundle's own order


def _named_parties() -> tuple[str, ...]:
    """The kinds whose names other kinds' search documents quote (a ``Searchable`` ``Ref``,
    as an incident's ``participants.*.person_id``), in insert order."""
    named = {
        kind
        for each in KINDS
        for f in fields_of(record_type(each))
        if f.marker(Searchable) and (ref := f.marker(Ref))
        for kind in ref.kinds
    }
    return tuple(kind for kind in INSERT_ORDER if kind in named)


# Parties: written (and their names known) before the records whose documents name them.
PARTIES = _named_parties()


def item_type(kind: str) -> type[BaseModel]:
    """The model a section of ``kind`` is validated as."""
    return PLACE_TYPES.get(kind) or record_type(kind)


@dataclass
class Bundle:
    """Validated countries, locations and records, and where each was read."""

    countries: list[Country] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    rows: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (kind, id) -> where it was read

    def __len__(self) -> int:
        return len(self.countries) + len(self.locations) + len(self.records)


@dataclass
class Section:
    """One kind's items as read (plain data, or models already validated) and their rows."""

    kind: str
    items: Sequence[Any]
    rows: Sequence[str] | None = None  # None: ``kind[index]``, as in a bundle

    def row(self, index: int) -> str:
        return self.rows[index] if self.rows is not None else f"{self.kind}[{index}]"


@dataclass
class Source:
    """A file read by its format: its sections by kind and the problems of its layout."""

    file: str
    sections: dict[str, Section]
    problems: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Records to write, countries and locations aside (what progress counts)."""
        return sum(len(s.items) for k, s in self.sections.items() if k not in PLACES)


def bundle_source(bundle: Bundle, file: str) -> Source:
    """A :class:`Source` of records already validated (a CSV file, records built in code)."""
    by_kind: dict[str, list[Any]] = {"countries": bundle.countries, "locations": bundle.locations}
    for record in bundle.records:
        by_kind.setdefault(record.kind, []).append(record)
    sections = {}
    for kind, items in by_kind.items():
        rows = [bundle.rows.get((kind, item.id), f"{kind}[{i}]") for i, item in enumerate(items)]
        sections[kind] = Section(kind, items, rows)
    return Source(file, sections)
