"""Data keys, stored wrapped (encrypted) under a master key that is not in the database."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, String, Table, Text

from civicspace.db.schema import metadata

# One row per (data key, master key) wrapping. During a master key rotation a data key
# briefly has two wrappings, so the old and the new key file both open the database.
# ``purpose`` is "data" (AES-GCM field encryption) or "index" (the blind index secret).
crypto_keys = Table(
    "crypto_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("master_id", String(16), primary_key=True),
    Column("purpose", String(10), nullable=False),
    Column("wrapped", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
