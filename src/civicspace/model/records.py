"""The domain records monitors keep, as Pydantic types.

Every record has a stable ``id`` (a readable slug such as ``person-zhanbolat-mamai`` or
any unique string), a visibility (who may read it), a verification status, its sources,
and provenance (who created and last changed it, when, and a version counter used for
optimistic concurrency). Vocabulary fields are checked against the YAML vocabularies,
so an unknown term fails with the list of allowed terms.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from civicspace.model.dates import FuzzyDate
from civicspace.model.vocabulary import legal_article, vocabulary


def _term(name: str) -> AfterValidator:
    return AfterValidator(lambda value: vocabulary(name).check(value))


Visibility = Annotated[str, _term("visibility")]
Verification = Annotated[str, _term("verification status")]
Freedom = Annotated[str, _term("freedom")]
ViolationType = Annotated[str, _term("violation type")]
PersonRole = Annotated[str, _term("person role")]
ParticipantRole = Annotated[str, _term("participant role")]
CaseEventKind = Annotated[str, _term("case event kind")]
OrganisationKind = Annotated[str, _term("organisation kind")]
RegistrationStatus = Annotated[str, _term("registration status")]
LawStageKind = Annotated[str, _term("law stage")]
SentenceType = Annotated[str, _term("sentence type")]
RatingBand = Annotated[str, _term("rating band")]
Reliability = Annotated[str, _term("source reliability grade")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
RecordId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s/]+$")]

VISIBILITY_RANK = {"public": 0, "restricted": 1, "confidential": 2}


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # PostgreSQL cannot store NUL in text; refuse it for every backend alike.
    _reject_nul = field_validator("*", mode="after")(_no_nul)


class Name(Model):
    """One written form of a name: ``Жанболат Мамай`` (Cyrl, kk) or ``Zhanbolat Mamai``."""

    text: str = Field(min_length=1)
    script: str | None = Field(None, description="ISO 15924: Cyrl, Latn ...")
    lang: str | None = Field(None, description="ISO 639-1: kk, ru, en ...")


class Citation(Model):
    """A link from a record to a source, with where in the source the fact is."""

    source_id: RecordId
    locator: str | None = Field(None, description="section, page or paragraph")


class Record(Model):
    """Fields shared by every kind of record."""

    kind: ClassVar[str]
    id: RecordId
    visibility: Visibility = "public"
    verification: Verification = "unverified"
    sources: list[Citation] = Field(default_factory=list)
    notes: str | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    version: int = 0


class Country(Model):
    id: CountryCode
    name: str
    names: list[Name] = Field(default_factory=list)
    region: str | None = Field(None, description="ACLED region, e.g. 'Caucasus and Central Asia'")


class Location(Model):
    """A place; admin1..3 follow the country's administrative levels (ACLED's convention)."""

    id: RecordId
    country: CountryCode
    name: str
    names: list[Name] = Field(default_factory=list)
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    geo_precision: Literal[1, 2, 3] | None = Field(
        None, description="1 exact place, 2 near/part of a region, 3 provincial capital"
    )


class Source(Record):
    """Where a fact comes from. A confidential source's identity stays confidential."""

    kind: ClassVar[str] = "sources"
    title: str
    publisher: str | None = None
    url: str | None = None
    published: FuzzyDate | None = None
    language: str | None = None
    reliability: Reliability | None = None
    confidential: bool = False
    public_label: str | None = Field(
        None, description="What readers without access see instead of a confidential source"
    )

    @model_validator(mode="after")
    def _confidential_sources_are_confidential(self) -> Source:
        if self.confidential and self.visibility != "confidential":
            raise ValueError("a confidential source must have visibility 'confidential'")
        return self


class Participant(Model):
    """A person or an organisation taking part in an incident, in a role."""

    person_id: RecordId | None = None
    organisation_id: RecordId | None = None
    role: ParticipantRole
    note: str | None = None

    @model_validator(mode="after")
    def _exactly_one_party(self) -> Participant:
        if (self.person_id is None) == (self.organisation_id is None):
            raise ValueError("a participant is either a person_id or an organisation_id")
        return self


class IncidentCounts(Model):
    detained: int | None = Field(None, ge=0)
    injured: int | None = Field(None, ge=0)
    killed: int | None = Field(None, ge=0)
    fined: int | None = Field(None, ge=0)


class Incident(Record):
    """Something that happened to civic freedoms on a (fuzzy) date at a place."""

    kind: ClassVar[str] = "incidents"
    title: str = Field(min_length=1)
    date: FuzzyDate
    end_date: FuzzyDate | None = None
    country: CountryCode
    location_id: RecordId | None = None
    freedoms: list[Freedom] = Field(min_length=1)
    violations: list[ViolationType] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    counts: IncidentCounts = Field(default_factory=IncidentCounts)
    summary: str | None = None
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _end_after_start(self) -> Incident:
        if self.end_date is not None and self.end_date.latest < self.date.earliest:
            raise ValueError("end_date is before date")
        return self


class Affiliation(Model):
    organisation_id: RecordId
    role: str | None = Field(None, description="leader, member, correspondent ...")
    since: FuzzyDate | None = None
    until: FuzzyDate | None = None


class Person(Record):
    """A person, named in as many scripts and spellings as sources use."""

    kind: ClassVar[str] = "persons"
    name: Name
    names: list[Name] = Field(default_factory=list, description="variants besides `name`")
    gender: Literal["female", "male", "other", "unknown"] = "unknown"
    birth_year: int | None = Field(None, ge=1900, le=2100)
    country: CountryCode | None = None
    roles: list[PersonRole] = Field(default_factory=list)
    affiliations: list[Affiliation] = Field(default_factory=list)
    description: str | None = None

    def all_names(self) -> list[Name]:
        return [self.name, *self.names]


class Organisation(Record):
    kind: ClassVar[str] = "organisations"
    name: Name
    names: list[Name] = Field(default_factory=list)
    org_kind: OrganisationKind
    registration_status: RegistrationStatus | None = None
    country: CountryCode | None = None
    description: str | None = None


class Charge(Model):
    """A charge under an article of a legal code in the registry (``KZ-CC`` art. 274)."""

    code: str
    article: str
    part: str | None = None
    person_id: RecordId | None = Field(None, description="the defendant, if several")
    brought: FuzzyDate | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _article_exists(self) -> Charge:
        legal_article(self.code, self.article)
        return self

    @property
    def title(self) -> str:
        return legal_article(self.code, self.article).title

    def label(self) -> str:
        part = f" part {self.part}" if self.part else ""
        return f"{self.code} art. {self.article}{part} ({self.title})"


class Sentence(Model):
    type: SentenceType
    months: int | None = Field(None, ge=0, description="length of imprisonment/restriction")
    fine_amount: str | None = None
    restrictions: list[str] = Field(default_factory=list)


class CaseEvent(Model):
    """One step of a case's timeline. ``until`` is the end of a custody measure."""

    kind: CaseEventKind
    date: FuzzyDate
    until: FuzzyDate | None = None
    person_id: RecordId | None = None
    court: str | None = None
    sentence: Sentence | None = None
    outcome: str | None = Field(None, description="e.g. upheld, overturned, reduced")
    description: str | None = None

    @model_validator(mode="after")
    def _sentence_only_on_verdicts(self) -> CaseEvent:
        if self.sentence is not None and self.kind not in {"verdict", "appeal_decided"}:
            raise ValueError("a sentence belongs to a verdict or appeal_decided event")
        return self


class Recognition(Model):
    """Recognition as a political prisoner (or similar) by a named body."""

    person_id: RecordId
    by: str = Field(description="who recognised, e.g. an expert group or an NGO")
    organisation_id: RecordId | None = None
    date: FuzzyDate
    status: Literal["political_prisoner", "prisoner_of_conscience", "persecuted"] = (
        "political_prisoner"
    )
    withdrawn: FuzzyDate | None = None


class LegalCase(Record):
    kind: ClassVar[str] = "cases"
    title: str
    country: CountryCode
    defendants: list[RecordId] = Field(min_length=1)
    charges: list[Charge] = Field(default_factory=list)
    events: list[CaseEvent] = Field(default_factory=list)
    recognitions: list[Recognition] = Field(default_factory=list)
    summary: str | None = None
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


class LawStage(Model):
    stage: LawStageKind
    date: FuzzyDate
    note: str | None = None


class Law(Record):
    kind: ClassVar[str] = "laws"
    title: str
    country: CountryCode
    is_draft: bool = True
    freedoms: list[Freedom] = Field(default_factory=list)
    stages: list[LawStage] = Field(default_factory=list)
    assessment: str | None = None
    restrictive: bool | None = Field(None, description="does it restrict civic freedoms?")


class Statistic(Record):
    """An aggregate figure reported by a source: "over 5,000 criminal cases initiated"."""

    kind: ClassVar[str] = "statistics"
    country: CountryCode
    value: float
    qualifier: Literal["exactly", "about", "over", "at least", "under", "at most", "close to"] = (
        "exactly"
    )
    unit: str = Field(description="people, cases, percent ...")
    counts: str = Field(description="what is counted")
    as_of: FuzzyDate
    reported_by: str | None = Field(None, description="who produced the figure")
    freedoms: list[Freedom] = Field(default_factory=list)
    topic: str | None = None

    def display(self) -> str:
        value = f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,}"
        qualifier = "" if self.qualifier == "exactly" else f"{self.qualifier} "
        unit = "%" if self.unit == "percent" else f" {self.unit}"
        return f"{qualifier}{value}{unit} {self.counts}".strip()


class Rating(Record):
    """A civic space rating on a date; a score, if given, must lie in the band's range."""

    kind: ClassVar[str] = "ratings"
    country: CountryCode
    date: FuzzyDate
    band: RatingBand
    score: int | None = Field(None, ge=1, le=100)
    previous_band: RatingBand | None = None
    rated_by: str = "CIVICUS Monitor"
    rationale: str | None = None

    @model_validator(mode="after")
    def _score_in_band(self) -> Rating:
        if self.score is not None and band_for_score(self.score) != self.band:
            term = vocabulary("rating band")[self.band]
            raise ValueError(
                f"score {self.score} is outside band {self.band!r} "
                f"({term.attr('min')}-{term.attr('max')})"
            )
        return self


class Summary(Record):
    """An editor's own text for one section of a country update over a period.

    Reports print it after the generated text of its section (``introduction``,
    ``general``, ``assembly``, ``expression`` or ``association``), citing its sources.
    """

    kind: ClassVar[str] = "summaries"
    country: CountryCode
    period_start: FuzzyDate
    period_end: FuzzyDate
    section: Literal["introduction", "general", "assembly", "expression", "association"]
    title: str | None = None
    summary: str = Field(min_length=1)
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


def references(item: BaseModel) -> list[tuple[str, str, str]]:
    """``(field, kind, id)`` for every id that ``item`` (a record or a location) points at.

    Fields are read from the instance's own values, so probing a kind that lacks one
    costs a dictionary look-up, not an attribute error (imports call this per record).
    """
    values = item.__dict__
    out: list[tuple[str, str, str]] = []
    for i, c in enumerate(values.get("sources", ())):
        out.append((f"sources.{i}.source_id", "sources", c.source_id))
    if values.get("location_id"):
        out.append(("location_id", "locations", values["location_id"]))
    if values.get("country"):
        out.append(("country", "countries", values["country"]))
    for i, p in enumerate(values.get("participants", ())):
        if p.person_id:
            out.append((f"participants.{i}.person_id", "persons", p.person_id))
        else:
            out.append((f"participants.{i}.organisation_id", "organisations", p.organisation_id))
    for i, pid in enumerate(values.get("defendants", ())):
        out.append((f"defendants.{i}", "persons", pid))
    for i, a in enumerate(values.get("affiliations", ())):
        out.append((f"affiliations.{i}.organisation_id", "organisations", a.organisation_id))
    for i, r in enumerate(values.get("recognitions", ())):
        if r.organisation_id:
            out.append((f"recognitions.{i}.organisation_id", "organisations", r.organisation_id))
    return out
