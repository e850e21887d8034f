"""Tables of the trust branch: revisions of records and the hash-chained audit log."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from civicspace.db.schema import ID, metadata

# One row per change of one record. ``before``/``after`` hold the whole record as JSON
# (null before a create, null after a delete), so a deleted record stays recoverable.
# ``visibility``/``verification`` are the most guarded of the two sides: a reader sees a
# revision only if they could read the record as it was on both sides of it.
revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("record_id", ID, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("visibility", String(20), nullable=False),
    Column("verification", String(30), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index("ux_revisions_kind_record_revision", "kind", "record_id", "revision", unique=True),
)

# Append-only. ``hash`` = SHA-256(prev_hash + canonical JSON of the entry); ``seq`` has no
# gaps, so a deleted entry shows as a missing number. ``at`` is ISO text so that the
# hashed bytes are exactly the stored ones on every database.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("kind", String(40)),
    Column("record_id", ID),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row (id 1): the newest entry. Updating it first serialises appends across
# processes (a row lock on PostgreSQL, the write lock on SQLite) and records the tail, so
# entries cut from the end are detected too.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
