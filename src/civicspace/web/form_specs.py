"""What each kind's form shows, derived from the kind's declaration.

The fields and their order are the kind's ``spec.sections``
(:mod:`civicspace.model.kinds`); a field drawn from a vocabulary (``Term``) is a select,
or ticks when it is a list; a field holding ids of people, organisations or sources
(``Ref``) offers them; a list of sub-records is a :class:`Group` of rows showing the
fields :data:`ROW_FIELDS` names for its model (a row keeps the fields it does not show).
The fields only editors may set are :data:`civicspace.editing.EDITORS_FIELDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from civicspace.editing import EDITORS_FIELDS
from civicspace.model.kinds import fields_of, spec_of
from civicspace.model.markers import Ref, Term
from civicspace.model.records import (
    KINDS,
    Affiliation,
    CaseEvent,
    Charge,
    Citation,
    LawStage,
    Name,
    Recognition,
    Record,
    record_type,
)

SCRIPTS = ("Cyrl", "Latn", "Arab", "Hans", "Geor", "Armn")
# Kinds with pages of their own for their records (the incident has its own form).
FORM_KINDS = tuple(kind for kind in KINDS if kind != "incidents")
# Kinds whose ids a form offers to pick from (a country is typed as its ISO code).
PICKED_KINDS = frozenset({"persons", "organisations", "sources"})


@dataclass(frozen=True)
class Field:
    """One input. ``widget`` is inferred from the model when left empty:
    text, area, number, check (bool), tristate (bool | None), select, multi, legal, ref."""

    name: str
    widget: str = ""
    vocab: str | None = None  # a vocabulary (select / multi)
    ref: str | None = None  # a kind whose ids are offered (ref)
    choices: tuple[str, ...] = ()
    editors_only: bool = False


@dataclass(frozen=True)
class Group:
    """Rows of a list field (``single``: one sub-record, such as a person's main name;
    ``scalar``: a list of plain values, such as a case's defendants)."""

    name: str
    model: type[Any] | None
    fields: tuple[Field, ...]
    single: bool = False
    scalar: bool = False


@dataclass(frozen=True)
class FormSpec:
    kind: str
    items: tuple[Field | Group, ...]

    @property
    def model(self) -> type[Record]:
        return record_type(self.kind)


# The fields a row of each kind of sub-record shows, in order; "legal" picks a code's
# article (the row's ``code`` and ``article``), "script" offers the scripts monitors meet.
ROW_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {
    Name: ("text", "script", "lang"),
    Citation: ("source_id", "locator"),
    Affiliation: ("organisation_id", "role", "since", "until"),
    Charge: ("article", "part", "person_id", "brought", "note"),
    CaseEvent: ("kind", "date", "until", "person_id", "court", "outcome", "description"),
    Recognition: ("person_id", "by", "date", "status", "withdrawn"),
    LawStage: ("stage", "date", "note"),
}
# Lists of sub-records a kind's form leaves out: a source does not cite sources.
LEFT_OUT = {("sources", "sources")}


def _field(name: str, markers: tuple[Any, ...], many: bool) -> Field:
    """An input for a plain field, its widget from its markers (or inferred later)."""
    term = next((m for m in markers if isinstance(m, Term)), None)
    ref = next((m for m in markers if isinstance(m, Ref)), None)
    editors_only = name in EDITORS_FIELDS
    if term is not None:
        return Field(
            name, "multi" if many else "select", vocab=term.name, editors_only=editors_only
        )
    if ref is not None and ref.kinds[0] in PICKED_KINDS:
        return Field(name, "ref", ref=ref.kinds[0], editors_only=editors_only)
    if name == "script":
        return Field(name, "select", choices=SCRIPTS)
    if name == "article":
        return Field(name, "legal")
    return Field(name, editors_only=editors_only)


def _rows(name: str, model: type[BaseModel], single: bool) -> Group:
    """Rows of ``model`` items, each showing the fields :data:`ROW_FIELDS` names."""
    paths = {f.path: f for f in fields_of(model)}
    shown = tuple(
        _field(sub, paths[sub].markers if sub in paths else (), False) for sub in ROW_FIELDS[model]
    )
    return Group(name, model, shown, single=single)


def form_spec(kind: str) -> FormSpec:
    """The form of ``kind``: every field of its declared sections, in their order."""
    declared = {f.path: f for f in fields_of(record_type(kind))}
    items: list[Field | Group] = []
    for names in spec_of(kind).sections.values():
        for name in names:
            if (kind, name) in LEFT_OUT:
                continue
            f = declared[name]
            if f.model is not None:
                items.append(_rows(name, f.model, single=not f.many))
            elif f.many and any(isinstance(m, Ref) for m in f.markers):
                ref = next(m for m in f.markers if isinstance(m, Ref))
                items.append(
                    Group(name, None, (Field("id", "ref", ref=ref.kinds[0]),), scalar=True)
                )
            else:
                items.append(_field(name, f.markers, f.many))
    return FormSpec(kind, tuple(items))


SPECS: dict[str, FormSpec] = {kind: form_spec(kind) for kind in FORM_KINDS}


def _(message: str) -> str:
    """Marks interface words for ``pybabel extract``; templates translate them."""
    return message


LABELS = {
    "title": _("Title"),
    "country": _("Country"),
    "name": _("Name"),
    "names": _("Other spellings"),
    "text": _("Name"),
    "script": _("Script"),
    "lang": _("Language"),
    "gender": _("Gender"),
    "birth_year": _("Year of birth"),
    "roles": _("Roles"),
    "affiliations": _("Affiliations"),
    "organisation_id": _("Organisation"),
    "role": _("Role"),
    "since": _("Since"),
    "until": _("Until"),
    "description": _("Description"),
    "org_kind": _("Kind"),
    "registration_status": _("Registration"),
    "defendants": _("Defendants"),
    "id": _("Person"),
    "charges": _("Charges"),
    "article": _("Article"),
    "part": _("Part"),
    "person_id": _("Person"),
    "brought": _("Brought"),
    "note": _("Note"),
    "events": _("Timeline"),
    "kind": _("Event"),
    "date": _("Date"),
    "court": _("Court"),
    "outcome": _("Outcome"),
    "recognitions": _("Recognition"),
    "by": _("Recognised by"),
    "status": _("Status"),
    "withdrawn": _("Withdrawn"),
    "summary": _("Summary"),
    "politically_motivated": _("Politically motivated"),
    "is_draft": _("Draft"),
    "freedoms": _("Freedoms"),
    "stages": _("Stages"),
    "stage": _("Stage"),
    "assessment": _("Assessment"),
    "restrictive": _("Restrictive"),
    "value": _("Value"),
    "qualifier": _("Qualifier"),
    "unit": _("Unit"),
    "counts": _("What is counted"),
    "as_of": _("As of"),
    "reported_by": _("Reported by"),
    "topic": _("Topic"),
    "band": _("Band"),
    "score": _("Score"),
    "previous_band": _("Previous band"),
    "rated_by": _("Rated by"),
    "rationale": _("Rationale"),
    "publisher": _("Publisher"),
    "url": _("Address (URL)"),
    "published": _("Published"),
    "language": _("Language"),
    "reliability": _("Reliability"),
    "confidential": _("Confidential source"),
    "public_label": _("Shown instead to readers without access"),
    "section": _("Report section"),
    "period_start": _("Period from"),
    "period_end": _("Period to"),
    "visibility": _("Visibility"),
    "verification": _("Verification"),
    "sources": _("Sources"),
    "source_id": _("Source"),
    "locator": _("Where in the source"),
    "notes": _("Notes"),
}
FORM_TITLES = {
    "persons": (_("New person"), _("Edit person")),
    "organisations": (_("New organisation"), _("Edit organisation")),
    "cases": (_("New legal case"), _("Edit legal case")),
    "laws": (_("New law or draft"), _("Edit law or draft")),
    "statistics": (_("New statistic"), _("Edit statistic")),
    "ratings": (_("New rating"), _("Edit rating")),
    "sources": (_("New source"), _("Edit source")),
    "summaries": (_("New summary"), _("Edit summary")),
}
# Words of Literal choices, shown through the catalogue.
CHOICE_WORDS = (
    _("female"),
    _("male"),
    _("other"),
    _("unknown"),
    _("exactly"),
    _("about"),
    _("over"),
    _("at least"),
    _("under"),
    _("at most"),
    _("close to"),
    _("introduction"),
    _("general"),
    _("assembly"),
    _("expression"),
    _("association"),
    _("political_prisoner"),
    _("prisoner_of_conscience"),
    _("persecuted"),
)


__all__ = [
    "CHOICE_WORDS",
    "FORM_TITLES",
    "LABELS",
    "SCRIPTS",
    "SPECS",
    "Field",
    "FormSpec",
    "Group",
    "form_spec",
]
