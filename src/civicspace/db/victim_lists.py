"""Tables for victim lists, linkage runs and reviewers' decisions (SQLAlchemy Core).

Records keep every raw field as imported (JSON) beside the normalised keys, which a newer
normaliser can recompute. Reviewers' decisions are rows with who and when; a changed mind
soft-deletes the old row and adds a new one, so the history is never overwritten.
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
    String,
    Table,
    Text,
)

from civicspace.db.schema import metadata

ID = String(200)

victim_lists = Table(
    "victim_lists",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("compiler", Text),
    Column("kind", String(20), nullable=False),  # official / ngo / media / other
    Column("compiled_on", Date),
    Column("notes", Text),
    Column("source_file", Text),
    Column("column_mapping", JSON),
    Column("record_count", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(200)),
)

victim_list_records = Table(
    "victim_list_records",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "list_id", ID, ForeignKey("victim_lists.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("row_number", Integer, nullable=False),
    Column("raw", JSON, nullable=False),
    Column("name", Text, nullable=False),
    Column("surname_key", String(200), index=True),
    Column("given_key", String(200)),
    Column("given_initial", String(10)),
    Column("patronymic_key", String(200)),
    Column("patronymic_initial", String(10)),
    Column("gender", String(1)),
    Column("birth_year", Integer),
    Column("event_day", Integer),
    Column("place_key", String(200)),
    Column("initials_only", Boolean, nullable=False),
    Column("normaliser_version", String(20), nullable=False),
)

linkage_runs = Table(
    "linkage_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Float),
    Column("engine", String(40), nullable=False),
    Column("model_version", String(40), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("lists", JSON, nullable=False),
    Column("parameters", JSON),
    Column("created_by", String(200)),
)

linkage_pairs = Table(
    "linkage_pairs",
    metadata,
    Column("run_id", Integer, ForeignKey("linkage_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("record_l", ID, primary_key=True),
    Column("record_r", ID, primary_key=True),
    Column("match_probability", Float, nullable=False),
)

linkage_clusters = Table(
    "linkage_clusters",
    metadata,
    Column("run_id", Integer, ForeignKey("linkage_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("record_id", ID, primary_key=True),
    Column("cluster_id", ID, nullable=False, index=True),
)

# Pairs a run found contradictory within a cluster (model v3) and kept apart. Re-clustering
# a run with later decisions (``service.clusters``) keeps them apart too, unless a reviewer
# said "same"; without them a decision would re-join what the model had split.
linkage_apart = Table(
    "linkage_apart",
    metadata,
    Column("run_id", Integer, ForeignKey("linkage_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("record_l", ID, primary_key=True),
    Column("record_r", ID, primary_key=True),
)

review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_l", ID, nullable=False),
    Column("record_r", ID, nullable=False),
    Column("decision", String(20), nullable=False),  # "same" / "different"
    Column("note", Text),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Column("deleted_by", String(200)),
    Index("ix_review_decisions_pair", "record_l", "record_r"),
)

ALL_TABLES = (
    victim_lists,
    victim_list_records,
    linkage_runs,
    linkage_pairs,
    linkage_clusters,
    linkage_apart,
    review_decisions,
)
