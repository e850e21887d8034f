"""The domain records monitors keep, as Pydantic types.

Every record has a stable ``id`` (a readable slug such as ``person-zhanbolat-mamai`` or
any unique string), a visibility (who may read it), a verification status, its sources,
and provenance (who created and last changed it, when, and a version counter used for
optimistic concurrency). Vocabulary fields are checked against the YAML vocabularies,
so an unknown term fails with the list of allowed terms.

Each field carries its meaning as markers (:mod:`civicspace.model.markers`): what an id
refers to (``Ref``), what is encrypted when the record is confidential (``Sealed``), what
search indexes (``Searchable``), which vocabulary a term comes from (``Term``). Each kind
declares the rest in its ``spec``; :mod:`civicspace.model.kinds` derives everything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from civicspace.model.dates import FuzzyDate
from civicspace.model.markers import Internal, KindSpec, Ref, Sealed, Searchable
from civicspace.model.parts import (
    VISIBILITY_RANK,
    Affiliation,
    CaseEvent,
    Charge,
    Citation,
    Country,
    CountryRef,
    Freedom,
    IncidentCounts,
    LawStage,
    Location,
    Model,
    Name,
    OrganisationKind,
    Participant,
    PersonRole,
    RatingBand,
    Recognition,
    RecordId,
    RegistrationStatus,
    Reliability,
    Sentence,
    Verification,
    ViolationType,
    Visibility,
)
from civicspace.model.vocabulary import vocabulary


class Record(Model):
    """Fields shared by every kind of record; a kind's ``spec`` also sets its ``kind``."""

    kind: ClassVar[str]
    spec: ClassVar[KindSpec]
    id: Annotated[RecordId, Internal()]
    visibility: Visibility = "public"
    verification: Verification = "unverified"
    sources: list[Citation] = Field(default_factory=list)
    notes: Annotated[str | None, Sealed()] = None
    created_at: Annotated[dt.datetime | None, Internal()] = None
    created_by: Annotated[str | None, Internal()] = None
    updated_at: Annotated[dt.datetime | None, Internal()] = None
    updated_by: Annotated[str | None, Internal()] = None
    version: Annotated[int, Internal()] = 0

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "spec" in cls.__dict__:
            cls.kind = cls.spec.kind


class Source(Record):
    """Where a fact comes from. A confidential source's identity stays confidential."""

    spec: ClassVar[KindSpec] = KindSpec(
        "sources",
        label="Sources",
        caption="title",
        date="published",
        id_prefix="src",
        list_columns=("title", "publisher", "published", "reliability"),
        sections={
            "source": ("title", "publisher", "url", "published", "language", "reliability"),
            "confidentiality": ("confidential", "public_label"),
        },
    )
    title: Annotated[str, Searchable("A", identifies=True), Sealed()]
    publisher: Annotated[str | None, Searchable("B", identifies=True), Sealed()] = None
    url: Annotated[str | None, Sealed()] = None
    published: FuzzyDate | None = None
    language: str | None = None
    reliability: Reliability | None = None
    confidential: bool = False
    public_label: Annotated[str | None, Searchable("B")] = Field(
        None, description="What readers without access see instead of a confidential source"
    )

    @model_validator(mode="after")
    def _confidential_sources_are_confidential(self) -> Source:
        if self.confidential and self.visibility != "confidential":
            raise ValueError("a confidential source must have visibility 'confidential'")
        return self


class Incident(Record):
    """Something that happened to civic freedoms on a (fuzzy) date at a place."""

    spec: ClassVar[KindSpec] = KindSpec(
        "incidents",
        label="Incidents",
        caption="title",
        date="date",
        id_prefix="inc",  # ids made by the incident form have always begun "inc-"
        summary=("title", "date", "freedoms", "violations"),
        list_columns=("date", "title", "freedoms", "location_id"),
        sections={
            "what": ("title", "date", "end_date", "freedoms", "violations", "summary", "tags"),
            "where": ("country", "location_id"),
            "who": ("participants",),
            "counts": ("counts",),
        },
    )
    title: Annotated[str, Searchable("A"), Sealed()] = Field(min_length=1)
    date: FuzzyDate
    end_date: FuzzyDate | None = None
    country: CountryRef
    location_id: Annotated[RecordId | None, Ref("locations")] = None
    freedoms: list[Freedom] = Field(min_length=1)
    violations: Annotated[list[ViolationType], Searchable("B")] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    counts: IncidentCounts = Field(default_factory=IncidentCounts)
    summary: Annotated[str | None, Searchable("B", order=-1), Sealed()] = None
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _end_after_start(self) -> Incident:
        if self.end_date is not None and self.end_date.latest < self.date.earliest:
            raise ValueError("end_date is before date")
        return self


class Person(Record):
    """A person, named in as many scripts and spellings as sources use."""

    spec: ClassVar[KindSpec] = KindSpec(
        "persons",
        label="People",
        caption="name.text",
        id_prefix="person",
        list_columns=("name", "country", "roles"),
        sections={
            "names": ("name", "names"),
            "person": ("gender", "birth_year", "country", "roles"),
            "affiliations": ("affiliations",),
            "description": ("description",),
        },
    )
    name: Annotated[Name, Searchable("A", identifies=True), Sealed()]
    names: Annotated[list[Name], Searchable("A", identifies=True), Sealed()] = Field(
        default_factory=list, description="variants besides `name`"
    )
    gender: Literal["female", "male", "other", "unknown"] = "unknown"
    birth_year: int | None = Field(None, ge=1900, le=2100)
    country: CountryRef | None = None
    roles: Annotated[list[PersonRole], Searchable("B", order=1)] = Field(default_factory=list)
    affiliations: list[Affiliation] = Field(default_factory=list)
    description: Annotated[str | None, Searchable("B", when_confidential=False), Sealed()] = None

    def all_names(self) -> list[Name]:
        return [self.name, *self.names]


class Organisation(Record):
    spec: ClassVar[KindSpec] = KindSpec(
        "organisations",
        label="Organisations",
        caption="name.text",
        id_prefix="org",
        list_columns=("name", "org_kind", "registration_status", "country"),
        sections={
            "names": ("name", "names"),
            "organisation": ("org_kind", "registration_status", "country", "description"),
        },
    )
    name: Annotated[Name, Searchable("A", identifies=True), Sealed()]
    names: Annotated[list[Name], Searchable("A", identifies=True), Sealed()] = Field(
        default_factory=list
    )
    org_kind: OrganisationKind
    registration_status: RegistrationStatus | None = None
    country: CountryRef | None = None
    description: Annotated[str | None, Searchable("B", when_confidential=False), Sealed()] = None


class LegalCase(Record):
    spec: ClassVar[KindSpec] = KindSpec(
        "cases",
        label="Legal cases",
        caption="title",
        id_prefix="case",
        list_columns=("title", "country", "defendants", "politically_motivated"),
        sections={
            "case": ("title", "country", "defendants", "summary", "politically_motivated"),
            "charges": ("charges",),
            "timeline": ("events",),
            "recognitions": ("recognitions",),
        },
    )
    title: Annotated[str, Searchable("A")]
    country: CountryRef
    defendants: Annotated[list[RecordId], Ref("persons"), Searchable("B")] = Field(min_length=1)
    charges: Annotated[list[Charge], Searchable("B")] = Field(default_factory=list)
    events: list[CaseEvent] = Field(default_factory=list)
    recognitions: list[Recognition] = Field(default_factory=list)
    summary: Annotated[str | None, Searchable("B", order=-1)] = None
    politically_motivated: bool | None = None

    @model_validator(mode="after")
    def _people_are_defendants(self) -> LegalCase:
        known = set(self.defendants)
        items: list[Charge | CaseEvent | Recognition] = [
            *self.charges,
            *self.events,
            *self.recognitions,
        ]
        for item in items:
            if item.person_id is not None and item.person_id not in known:
                raise ValueError(f"{item.person_id!r} is not a defendant of this case")
        return self


class Law(Record):
    spec: ClassVar[KindSpec] = KindSpec(
        "laws",
        label="Laws and drafts",
        caption="title",
        id_prefix="law",
        list_columns=("title", "country", "is_draft", "restrictive"),
        sections={
            "law": ("title", "country", "is_draft", "freedoms", "restrictive", "assessment"),
            "stages": ("stages",),
        },
    )
    title: Annotated[str, Searchable("A")]
    country: CountryRef
    is_draft: bool = True
    freedoms: list[Freedom] = Field(default_factory=list)
    stages: list[LawStage] = Field(default_factory=list)
    assessment: Annotated[str | None, Searchable("B")] = None
    restrictive: bool | None = Field(None, description="does it restrict civic freedoms?")


class Statistic(Record):
    """An aggregate figure reported by a source: "over 5,000 criminal cases initiated"."""

    spec: ClassVar[KindSpec] = KindSpec(
        "statistics",
        label="Statistics",
        caption="display",
        date="as_of",
        id_prefix="stat",
        id_from="counts",
        list_columns=("as_of", "display", "reported_by", "country"),
        sections={
            "figure": ("country", "value", "qualifier", "unit", "counts", "as_of"),
            "context": ("reported_by", "freedoms", "topic"),
        },
    )
    country: CountryRef
    value: float
    qualifier: Literal["exactly", "about", "over", "at least", "under", "at most", "close to"] = (
        "exactly"
    )
    unit: str = Field(description="people, cases, percent ...")
    counts: str = Field(description="what is counted")
    as_of: FuzzyDate
    reported_by: Annotated[str | None, Searchable("B")] = Field(
        None, description="who produced the figure"
    )
    freedoms: list[Freedom] = Field(default_factory=list)
    topic: Annotated[str | None, Searchable("B")] = None

    def display(self) -> str:
        value = f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,}"
        qualifier = "" if self.qualifier == "exactly" else f"{self.qualifier} "
        unit = "%" if self.unit == "percent" else f" {self.unit}"
        return f"{qualifier}{value}{unit} {self.counts}".strip()


class Rating(Record):
    """A civic space rating on a date; a score, if given, must lie in the band's range."""

    spec: ClassVar[KindSpec] = KindSpec(
        "ratings",
        label="Civic space ratings",
        caption="display",
        date="date",
        id_prefix="rating",
        id_from="date",
        list_columns=("date", "country", "band", "score"),
        sections={
            "rating": ("country", "date", "band", "score", "previous_band"),
            "reasons": ("rated_by", "rationale"),
        },
    )
    country: CountryRef
    date: FuzzyDate
    band: RatingBand
    score: int | None = Field(None, ge=1, le=100)
    previous_band: RatingBand | None = None
    rated_by: Annotated[str, Searchable("B", order=1)] = "CIVICUS Monitor"
    rationale: Annotated[str | None, Searchable("B")] = None

    @model_validator(mode="after")
    def _score_in_band(self) -> Rating:
        if self.score is not None and band_for_score(self.score) != self.band:
            term = vocabulary("rating band")[self.band]
            raise ValueError(
                f"score {self.score} is outside band {self.band!r} "
                f"({term.attr('min')}-{term.attr('max')})"
            )
        return self

    def display(self) -> str:
        return f"{self.country} {self.band} ({self.date})"


class Summary(Record):
    """An editor's own text for one section of a country update over a period.

    Reports print it after the generated text of its section (``introduction``,
    ``general``, ``assembly``, ``expression`` or ``association``), citing its sources.
    """

    spec: ClassVar[KindSpec] = KindSpec(
        "summaries",
        label="Summaries",
        caption="title",
        id_prefix="summary",
        list_columns=("period_start", "period_end", "section", "title"),
        sections={
            "summary": ("country", "section", "period_start", "period_end", "title", "lang"),
            "text": ("summary",),
        },
    )
    country: CountryRef
    period_start: FuzzyDate
    period_end: FuzzyDate
    section: Literal["introduction", "general", "assembly", "expression", "association"]
    title: Annotated[str | None, Searchable("A")] = None
    summary: Annotated[str, Searchable("B", order=-1)] = Field(min_length=1)
    lang: str = "en"

    @model_validator(mode="after")
    def _period_in_order(self) -> Summary:
        if self.period_end.latest < self.period_start.earliest:
            raise ValueError("period_end is before period_start")
        return self


def band_for_score(score: float) -> str:
    """The rating band whose range contains ``score`` (81-100 open ... 1-20 closed)."""
    for key, term in vocabulary("rating band").terms.items():
        if term.attr("min") <= round(score) <= term.attr("max"):
            return key
    raise ValueError(f"score {score} is outside 1-100")


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (Incident, Person, Organisation, LegalCase, Law, Statistic, Rating, Source, Summary)
}
KINDS = tuple(RECORD_TYPES)


def record_type(kind: str) -> type[Record]:
    if kind not in RECORD_TYPES:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    return RECORD_TYPES[kind]


def to_jsonable(record: BaseModel) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


__all__ = [
    "KINDS",
    "RECORD_TYPES",
    "VISIBILITY_RANK",
    "Affiliation",
    "CaseEvent",
    "Charge",
    "Citation",
    "Country",
    "Incident",
    "IncidentCounts",
    "Law",
    "LawStage",
    "LegalCase",
    "Location",
    "Model",
    "Name",
    "Organisation",
    "Participant",
    "Person",
    "Rating",
    "Recognition",
    "Record",
    "Sentence",
    "Source",
    "Statistic",
    "Summary",
    "band_for_score",
    "record_type",
    "to_jsonable",
]
