"""The database tables (SQLAlchemy Core). One table per kind of record, child tables for
ordered collections (participants, names, charges, timeline events...), and citations
linking any record to its sources. Columns ending in ``_lo``/``_hi`` hold the earliest and
latest day a fuzzy date can mean, for filtering and sorting.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from civicspace.db.types import FuzzyDateType, TermList

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(200)


def _record_columns(index: bool = True) -> list[Column]:  # type: ignore[type-arg]
    """Identity, access and provenance columns; ``index`` indexes visibility and verification."""
    return [
        Column("id", ID, primary_key=True),
        Column("visibility", String(20), nullable=False, index=index),
        Column("verification", String(30), nullable=False, index=index),
        Column("notes", Text),
        Column("created_at", DateTime(timezone=True)),
        Column("created_by", String(200)),
        Column("updated_at", DateTime(timezone=True)),
        Column("updated_by", String(200)),
        Column("version", Integer, nullable=False, default=1),
    ]


def _fuzzy(name: str, index: bool = False, index_lo: bool | None = None) -> list[Column]:  # type: ignore[type-arg]
    """A fuzzy date and its earliest and latest day; ``index`` indexes both days, or the
    latest only when ``index_lo`` is false (another index starts with the earliest)."""
    return [
        Column(name, FuzzyDateType),
        Column(f"{name}_lo", Date, index=index if index_lo is None else index_lo),
        Column(f"{name}_hi", Date, index=index),
    ]


def _child(name: str, parent: str, *columns: Column | Index) -> Table:  # type: ignore[type-arg]
    return Table(
        name,
        metadata,
        Column("parent_id", ID, ForeignKey(f"{parent}.id", ondelete="CASCADE"), primary_key=True),
        Column("position", Integer, primary_key=True),
        *columns,
    )


countries = Table(
    "countries",
    metadata,
    Column("id", String(2), primary_key=True),
    Column("name", Text, nullable=False),
    Column("names", JSON),
    Column("region", Text),
)

locations = Table(
    "locations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("country", String(2), ForeignKey("countries.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("names", JSON),
    Column("admin1", Text),
    Column("admin2", Text),
    Column("admin3", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geo_precision", Integer),
)

sources = Table(
    "sources",
    metadata,
    *_record_columns(),
    Column("title", Text, nullable=False),
    Column("publisher", Text),
    Column("url", Text),
    *_fuzzy("published"),
    Column("language", String(20)),
    Column("reliability", String(2)),
    Column("confidential", Boolean, nullable=False, default=False),
    Column("public_label", Text),
)

organisations = Table(
    "organisations",
    metadata,
    *_record_columns(),
    Column("name", JSON, nullable=False),
    Column("sort_name", Text, nullable=False, index=True),
    Column("names", JSON),
    Column("org_kind", String(40), nullable=False, index=True),
    Column("registration_status", String(40)),
    Column("country", String(2), index=True),
    Column("description", Text),
)

persons = Table(
    "persons",
    metadata,
    *_record_columns(),
    Column("name", JSON, nullable=False),
    Column("sort_name", Text, nullable=False, index=True),
    Column("gender", String(10), nullable=False),
    Column("birth_year", Integer),
    Column("country", String(2), index=True),
    Column("roles", TermList),
    Column("description", Text),
)
person_names = _child(
    "person_names",
    "persons",
    Column("text", Text, nullable=False),
    Column("script", String(10)),
    Column("lang", String(10)),
)
affiliations = _child(
    "affiliations",
    "persons",
    Column("organisation_id", ID, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("role", Text),
    Column("since", FuzzyDateType),
    Column("until", FuzzyDateType),
)

incidents = Table(
    "incidents",
    metadata,
    # Visibility, verification and the earliest day are read through the listing index
    # below; indexes of their own only cost every write (2% of an import's instructions).
    *_record_columns(index=False),
    Column("title", Text, nullable=False),
    *_fuzzy("date", index=True, index_lo=False),
    *_fuzzy("end_date"),
    Column("country", String(2), nullable=False, index=True),
    Column("location_id", ID, ForeignKey("locations.id"), index=True),
    Column("freedoms", TermList, nullable=False),
    Column("violations", TermList, nullable=False),
    Column("counts", JSON),
    Column("summary", Text),
    Column("tags", JSON),
    # Pages of the incident list (newest first, filtered by who may read) come from this
    # index alone: a deep page no longer reads every skipped row (10 ms -> 1 ms at 100,000).
    Index("ix_incidents_listing", "date_lo", "visibility", "verification", "id"),
)
participants = _child(
    "incident_participants",
    "incidents",
    Column("person_id", ID, ForeignKey("persons.id"), index=True),
    Column("organisation_id", ID, ForeignKey("organisations.id"), index=True),
    Column("role", String(40), nullable=False),
    Column("note", Text),
)

cases = Table(
    "cases",
    metadata,
    *_record_columns(),
    Column("title", Text, nullable=False),
    Column("country", String(2), nullable=False, index=True),
    Column("summary", Text),
    Column("politically_motivated", Boolean),
)
defendants = _child(
    "case_defendants",
    "cases",
    Column("person_id", ID, ForeignKey("persons.id"), nullable=False, index=True),
)
charges = _child(
    "case_charges",
    "cases",
    Column("code", String(40), nullable=False),
    Column("article", String(20), nullable=False),
    Column("part", String(20)),
    Column("person_id", ID),
    Column("brought", FuzzyDateType),
    Column("note", Text),
    Index(None, "code", "article"),
)
case_events = _child(
    "case_events",
    "cases",
    Column("kind", String(40), nullable=False),
    *_fuzzy("date"),
    *_fuzzy("until", index=True),
    Column("person_id", ID),
    Column("court", Text),
    Column("sentence", JSON),
    Column("outcome", Text),
    Column("description", Text),
)
recognitions = _child(
    "case_recognitions",
    "cases",
    Column("person_id", ID, nullable=False, index=True),
    Column("by", Text, nullable=False),
    Column("organisation_id", ID),
    Column("date", FuzzyDateType, nullable=False),
    Column("status", String(40), nullable=False),
    Column("withdrawn", FuzzyDateType),
)

laws = Table(
    "laws",
    metadata,
    *_record_columns(),
    Column("title", Text, nullable=False),
    Column("country", String(2), nullable=False, index=True),
    Column("is_draft", Boolean, nullable=False),
    Column("freedoms", TermList),
    Column("assessment", Text),
    Column("restrictive", Boolean),
)
law_stages = _child(
    "law_stages",
    "laws",
    Column("stage", String(40), nullable=False),
    *_fuzzy("date"),
    Column("note", Text),
)

statistics = Table(
    "statistics",
    metadata,
    *_record_columns(),
    Column("country", String(2), nullable=False, index=True),
    Column("value", Float, nullable=False),
    Column("qualifier", String(20), nullable=False),
    Column("unit", Text, nullable=False),
    Column("counts", Text, nullable=False),
    *_fuzzy("as_of", index=True),
    Column("reported_by", Text),
    Column("freedoms", TermList),
    Column("topic", Text),
)

ratings = Table(
    "ratings",
    metadata,
    *_record_columns(),
    Column("country", String(2), nullable=False, index=True),
    *_fuzzy("date", index=True),
    Column("band", String(20), nullable=False),
    Column("score", Integer),
    Column("previous_band", String(20)),
    Column("rated_by", Text, nullable=False),
    Column("rationale", Text),
)

summaries = Table(
    "summaries",
    metadata,
    *_record_columns(),
    Column("country", String(2), nullable=False, index=True),
    *_fuzzy("period_start", index=True),
    *_fuzzy("period_end", index=True),
    Column("section", String(20), nullable=False),
    Column("title", Text),
    Column("summary", Text, nullable=False),
    Column("lang", String(10), nullable=False),
)

citations = Table(
    "citations",
    metadata,
    Column("record_kind", String(20), primary_key=True),
    Column("record_id", ID, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("source_id", ID, ForeignKey("sources.id"), nullable=False, index=True),
    Column("locator", Text),
)

# One row per searchable record. `body` holds folding keys (see civicspace.text.fold) so a
# Latin query finds Cyrillic names and back; `text` keeps the original for snippets.
# SQLite indexes `body` with an FTS5 table kept in step by triggers; PostgreSQL with a
# generated tsvector column and a GIN index (both created in the migration).
search_documents = Table(
    "search_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("record_id", ID, nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("verification", String(30), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("body", Text, nullable=False),
    Index("ux_search_documents_kind_record", "kind", "record_id", unique=True),
)

RECORD_TABLES: dict[str, Table] = {
    "sources": sources,
    "organisations": organisations,
    "persons": persons,
    "incidents": incidents,
    "cases": cases,
    "laws": laws,
    "statistics": statistics,
    "ratings": ratings,
    "summaries": summaries,
}
