"""The parts records are made of: field types, names, citations, places, sub-records.

Each type carries its meaning as markers (:mod:`civicspace.model.markers`); the record
kinds that use them are in :mod:`civicspace.model.records`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from civicspace.model.dates import FuzzyDate
from civicspace.model.markers import Ref, Sealed, Searchable, Term
from civicspace.model.vocabulary import legal_article

Visibility = Annotated[str, Term("visibility")]
Verification = Annotated[str, Term("verification status")]
Freedom = Annotated[str, Term("freedom")]
ViolationType = Annotated[str, Term("violation type")]
PersonRole = Annotated[str, Term("person role")]
ParticipantRole = Annotated[str, Term("participant role")]
CaseEventKind = Annotated[str, Term("case event kind")]
OrganisationKind = Annotated[str, Term("organisation kind")]
RegistrationStatus = Annotated[str, Term("registration status")]
LawStageKind = Annotated[str, Term("law stage")]
SentenceType = Annotated[str, Term("sentence type")]
RatingBand = Annotated[str, Term("rating band")]
Reliability = Annotated[str, Term("source reliability grade")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
RecordId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s/]+$")]
# What a record's ``country`` is: a code that must be in the countries table.
CountryRef = Annotated[CountryCode, Ref("countries")]

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
    # A list of these has a one-cell form in flat (CSV) exports.
    flat: ClassVar[bool] = False

    # PostgreSQL cannot store NUL in text; refuse it for every backend alike.
    _reject_nul = field_validator("*", mode="after")(_no_nul)


class Name(Model):
    """One written form of a name: ``Жанболат Мамай`` (Cyrl, kk) or ``Zhanbolat Mamai``."""

    flat: ClassVar[bool] = True
    text: str = Field(min_length=1)
    script: str | None = Field(None, description="ISO 15924: Cyrl, Latn ...")
    lang: str | None = Field(None, description="ISO 639-1: kk, ru, en ...")

    def search_text(self) -> str:
        return self.text


class Citation(Model):
    """A link from a record to a source, with where in the source the fact is."""

    flat: ClassVar[bool] = True
    source_id: Annotated[RecordId, Ref("sources")]
    locator: str | None = Field(None, description="section, page or paragraph")


class Country(Model):
    id: CountryCode
    name: str
    names: list[Name] = Field(default_factory=list)
    region: str | None = Field(None, description="ACLED region, e.g. 'Caucasus and Central Asia'")


class Location(Model):
    """A place; admin1..3 follow the country's administrative levels (ACLED's convention)."""

    id: RecordId
    country: CountryRef
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


class Participant(Model):
    """A person or an organisation taking part in an incident, in a role.

    The names of the party go into the incident's search document (``Searchable``),
    unless the party is less visible than the incident.
    """

    flat: ClassVar[bool] = True
    person_id: Annotated[RecordId | None, Ref("persons"), Searchable("B")] = None
    organisation_id: Annotated[RecordId | None, Ref("organisations"), Searchable("B")] = None
    role: ParticipantRole
    note: Annotated[str | None, Sealed()] = None  # a witness statement

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


class Affiliation(Model):
    organisation_id: Annotated[RecordId, Ref("organisations")]
    role: str | None = Field(None, description="leader, member, correspondent ...")
    since: FuzzyDate | None = None
    until: FuzzyDate | None = None


# The people a case's charges, events and recognitions name are among its defendants.
Defendant = Annotated[RecordId | None, Ref("persons", within="defendants")]


class Charge(Model):
    """A charge under an article of a legal code in the registry (``KZ-CC`` art. 274)."""

    flat: ClassVar[bool] = True
    code: str
    article: str
    part: str | None = None
    person_id: Defendant = Field(None, description="the defendant, if several")
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

    def search_text(self) -> str:
        """What a case's search document holds of the charge: code, article and its title."""
        return f"{self.code} {self.article} {self.title}"


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
    person_id: Defendant = None
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

    person_id: Annotated[RecordId, Ref("persons", within="defendants")]
    by: str = Field(description="who recognised, e.g. an expert group or an NGO")
    organisation_id: Annotated[RecordId | None, Ref("organisations")] = None
    date: FuzzyDate
    status: Literal["political_prisoner", "prisoner_of_conscience", "persecuted"] = (
        "political_prisoner"
    )
    withdrawn: FuzzyDate | None = None


class LawStage(Model):
    stage: LawStageKind
    date: FuzzyDate
    note: Annotated[str | None, Searchable("B", order=1)] = None


__all__ = [
    "VISIBILITY_RANK",
    "Affiliation",
    "CaseEvent",
    "CaseEventKind",
    "Charge",
    "Citation",
    "Country",
    "CountryCode",
    "CountryRef",
    "Defendant",
    "Freedom",
    "IncidentCounts",
    "LawStage",
    "LawStageKind",
    "Location",
    "Model",
    "Name",
    "OrganisationKind",
    "Participant",
    "ParticipantRole",
    "PersonRole",
    "RatingBand",
    "Recognition",
    "RecordId",
    "RegistrationStatus",
    "Reliability",
    "Sentence",
    "SentenceType",
    "Verification",
    "ViolationType",
    "Visibility",
]
