"""What Alembic's autogenerate compares: every table in :data:`civicspace.db.metadata`,
less the full-text machinery that migrations make with raw SQL (SQLite's FTS5 tables,
PostgreSQL's generated tsvector column and its index), which no Table declares."""

from __future__ import annotations

from typing import Any

__all__ = ["include_object"]

_RAW_SQL_INDEXES = frozenset({"ix_search_documents_tsv"})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object`` hook: False for what raw SQL made."""
    if type_ == "table" and name is not None and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "tsv" and obj.table.name == "search_documents":
        return False
    return not (type_ == "index" and name in _RAW_SQL_INDEXES)
