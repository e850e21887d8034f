"""Evidence files attached to records, and their chain of custody (append-only)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from civicspace.db.schema import ID, metadata

# One row per file attached to one record. The content lives outside the database, named
# by its SHA-256 (or, for a confidential record's file, by a keyed token of it, so the
# folder does not reveal which known file we hold). For confidential records the
# original name, origin and note are sealed like other confidential fields.
evidence_files = Table(
    "evidence_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("record_id", ID, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("stored_as", String(80), nullable=False),
    Column("encrypted", Boolean, nullable=False),
    Column("original_name", Text, nullable=False),
    Column("declared_type", String(200)),
    Column("sniffed_type", String(100), nullable=False),
    Column("origin", Text),
    Column("note", Text),
    Column("added_by", String(200), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_evidence_files_record", "kind", "record_id"),
)

# Who did what with a file, when and from where: added, accessed, exported, verify_failed.
evidence_custody = Table(
    "evidence_custody",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("evidence_files.id"), nullable=False, index=True),
    Column("action", String(30), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("origin", Text),
    Column("sha256", String(64), nullable=False),
)
