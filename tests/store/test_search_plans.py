"""How lists filtered by words are planned: PostgreSQL walks the documents newest first
for a broad match only while the list's statements run, and a rare word costs no walk."""

from __future__ import annotations

from sqlalchemy import text

from civicspace.access import Viewer
from civicspace.application import open_database
from civicspace.model import Incident
from civicspace.store.repository import RecordQuery, Store
from civicspace.store.search import text_filter
from tests.helpers import EDITOR


def setting(conn, name: str) -> str:
    return str(conn.execute(text(f"SHOW {name}")).scalar())


def test_the_walk_changes_the_planner_only_inside(postgres_url: str) -> None:
    """PostgreSQL only: SQLite's full-text index gives the newest matches in order by itself."""
    database = open_database(postgres_url)
    with database.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # a value set before is kept
        matches = text_filter(conn, "kettling", Viewer.anonymous(), "incidents")
        assert matches is not None
        with matches.walking_newest_first(conn):
            assert setting(conn, "enable_bitmapscan") == "off"
            assert setting(conn, "enable_hashjoin") == "off"
            assert setting(conn, "max_parallel_workers_per_gather") == "0"
        assert setting(conn, "enable_bitmapscan") == "on"
        assert setting(conn, "enable_hashjoin") == "on"
        assert setting(conn, "max_parallel_workers_per_gather") != "0"
    with database.begin() as conn:  # and nothing outlives the transaction
        assert setting(conn, "enable_seqscan") == "on"
    database.dispose()


def test_rare_and_missing_words_list_exactly_their_matches(store: Store) -> None:
    for i, title in enumerate(["Kettling in Almaty", "Kettling in Astana", "Picket"]):
        store.save(
            Incident(
                id=f"inc-{i}",
                title=title,
                date=f"2022-06-0{i + 1}",
                country="KZ",
                freedoms=["assembly"],
                visibility="public" if i else "restricted",
                verification="verified",
            ),
            EDITOR,
        )
    by_date = RecordQuery(text="kettling", sort="date", descending=True)
    assert [r.id for r in store.list("incidents", EDITOR, by_date).items] == ["inc-1", "inc-0"]
    page = store.list("incidents", Viewer.anonymous(), by_date)
    assert ([r.id for r in page.items], page.total) == (["inc-1"], 1)
    nothing = store.list("incidents", EDITOR, RecordQuery(text="zzyzx"))
    assert (nothing.items, nothing.total, nothing.exact) == ([], 0, True)
