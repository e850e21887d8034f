"""The migration history builds exactly the tables and indexes the code declares."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import civicspace.db.audit  # noqa: F401  (their tables join the shared metadata)
import civicspace.db.victim_lists  # noqa: F401
from civicspace.db import schema as t
from civicspace.db.engine import Database


def _outside_metadata(change: tuple) -> bool:
    """Full-text machinery made by raw SQL: SQLite's FTS5 tables, PostgreSQL's tsvector."""
    kind, *rest = change
    if kind == "remove_table":
        return rest[0].name.startswith("search_fts")
    if kind == "remove_column":
        return rest[1] == "search_documents" and rest[2].name == "tsv"
    if kind == "remove_index":
        return rest[0].name == "ix_search_documents_tsv"
    return False


def test_migrations_match_the_declared_schema(database: Database) -> None:
    with database.engine.connect() as conn:
        changes = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert [c for c in changes if not _outside_metadata(c)] == []
