"""A large import refreshes the planner's statistics of the tables it wrote, and no others,
and leaves the search index merged."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from civicspace.ingest import ImportOptions, import_path
from civicspace.store.repository import Store
from tests.factories import sample_bundle
from tests.helpers import EDITOR


def test_an_import_analyses_the_tables_it_wrote_and_leaves_other_schemas_alone(
    store: Store, tmp_path: Path
) -> None:
    sqlite = store.db.engine.dialect.name == "sqlite"
    if not sqlite:  # a neighbour in the same database, in a schema of its own
        with store.db.begin() as conn:
            conn.execute(text("CREATE SCHEMA IF NOT EXISTS neighbour"))
            conn.execute(text("DROP TABLE IF EXISTS neighbour.ledger"))
            conn.execute(text("CREATE TABLE neighbour.ledger (n integer)"))
            conn.execute(text("INSERT INTO neighbour.ledger SELECT generate_series(1, 100)"))
    try:
        path = tmp_path / "sample.json"
        path.write_text(json.dumps(sample_bundle(), ensure_ascii=False), encoding="utf-8")
        import_path(store, EDITOR, path, ImportOptions(analyze_after=1))
        with store.db.begin() as conn:
            if sqlite:
                analysed = set(conn.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
                assert {"incidents", "persons", "search_documents", "revisions"} <= analysed
                assert "users" not in analysed
            else:
                last = dict(
                    conn.execute(
                        text(
                            "SELECT schemaname || '.' || relname, last_analyze "
                            "FROM pg_stat_user_tables WHERE relname IN "
                            "('incidents', 'search_documents', 'revisions', 'ledger')"
                        )
                    ).all()
                )
                schema = conn.scalar(text("SELECT current_schema()"))
                for table in ("incidents", "search_documents", "revisions"):
                    assert last[f"{schema}.{table}"] is not None
                assert last["neighbour.ledger"] is None
                # the search index's pending list was merged: nothing left to clean
                pending = text("SELECT gin_clean_pending_list('ix_search_documents_tsv')")
                assert conn.scalar(pending) == 0
    finally:
        if not sqlite:
            with store.db.begin() as conn:
                conn.execute(text("DROP SCHEMA neighbour CASCADE"))
