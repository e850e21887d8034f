"""The count cache: each viewer's counts stay their own, and any write makes them recount."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, event, update

from civicspace.access import Viewer
from civicspace.application import open_store
from civicspace.db.audit import audit_head
from civicspace.model import Incident
from civicspace.store.counts import CountCache
from civicspace.store.mapping import MAPPINGS
from civicspace.store.repository import RecordQuery, Store
from civicspace.trust import NoJournal
from tests.helpers import EDITOR, load_sample

ANONYMOUS = Viewer.anonymous()
VIEWER = Viewer("viewer", "v")


def totals(store: Store, query: RecordQuery | None = None) -> dict[str, int]:
    """Incidents counted by an editor first, then a viewer, then an anonymous visitor."""
    return {
        v.role: store.list("incidents", v, query or RecordQuery()).total
        for v in (EDITOR, VIEWER, ANONYMOUS)
    }


def incident(
    record_id: str, visibility: str = "public", verification: str = "verified"
) -> Incident:
    return Incident(
        id=record_id,
        title=f"Mamai picket {record_id}",
        date="2022-06-08",
        country="KZ",
        freedoms=["assembly"],
        visibility=visibility,
        verification=verification,
    )


@pytest.fixture
def cached(database, tmp_path: Path) -> Store:
    load_sample(open_store(database), tmp_path)
    return open_store(database, counts=CountCache())


def test_each_visibility_class_gets_its_own_count(cached: Store) -> None:
    first = totals(cached)
    assert first == {"editor": 2, "viewer": 2, "anonymous": 1}
    hits = cached.count_cache.hits if cached.count_cache else 0
    # Asked again in the opposite order: every answer comes from the cache, unchanged.
    again = {v.role: cached.list("incidents", v).total for v in (ANONYMOUS, VIEWER, EDITOR)}
    assert again == first
    # Each list is answered from the cache once: its page (ids and count) is remembered.
    assert cached.count_cache is not None and cached.count_cache.hits == hits + 3


def test_confidential_records_never_count_for_viewers(cached: Store, database) -> None:
    open_store(database).save(incident("inc-secret", "confidential"), EDITOR)
    assert totals(cached) == {"editor": 3, "viewer": 2, "anonymous": 1}
    assert cached.counts(EDITOR)["incidents"] == 3
    assert cached.counts(VIEWER)["incidents"] == 2
    assert cached.counts(ANONYMOUS)["incidents"] == 1


def test_a_write_by_another_store_is_counted_at_once(cached: Store, database) -> None:
    """Another store stands for another process (an import, the command line)."""
    other = open_store(database)
    assert totals(cached) == {"editor": 2, "viewer": 2, "anonymous": 1}
    other.save(incident("inc-new", "restricted", "unverified"), EDITOR)
    assert totals(cached) == {"editor": 3, "viewer": 3, "anonymous": 1}
    published = other.get("incidents", "inc-new", EDITOR)
    other.save(
        published.model_copy(update={"visibility": "public", "verification": "verified"}), EDITOR
    )
    assert totals(cached) == {"editor": 3, "viewer": 3, "anonymous": 2}
    hidden = other.get("incidents", "inc-new", EDITOR)
    other.save(hidden.model_copy(update={"visibility": "confidential"}), EDITOR)
    assert totals(cached) == {"editor": 3, "viewer": 2, "anonymous": 1}
    other.delete("incidents", "inc-new", EDITOR)
    assert totals(cached) == {"editor": 2, "viewer": 2, "anonymous": 1}


def test_an_import_is_counted_at_once(cached: Store, database, tmp_path: Path) -> None:
    assert totals(cached)["anonymous"] == 1
    bundle = {
        "format": "civicspace-export",
        "version": 1,
        "incidents": [incident(f"inc-{i}").model_dump(mode="json") for i in range(3)],
    }
    load_sample(open_store(database), tmp_path, bundle)
    assert totals(cached) == {"editor": 5, "viewer": 5, "anonymous": 4}


def test_filtered_and_text_counts_are_kept_apart(cached: Store, database) -> None:
    by_words = RecordQuery(text="Mamai")
    assert totals(cached, by_words) == {"editor": 1, "viewer": 1, "anonymous": 1}
    assert totals(cached, RecordQuery(verification="unverified"))["viewer"] == 1
    open_store(database).save(incident("inc-mamai-2"), EDITOR)
    assert totals(cached, by_words) == {"editor": 2, "viewer": 2, "anonymous": 2}
    assert totals(cached, RecordQuery(text="picket")) == {"editor": 1, "viewer": 1, "anonymous": 1}


def test_nothing_is_cached_without_the_audit_head(cached: Store, database) -> None:
    with database.begin() as conn:
        conn.execute(delete(audit_head))
    totals(cached)
    assert cached.count_cache is not None and cached.count_cache.hits == 0
    assert totals(cached) == {"editor": 2, "viewer": 2, "anonymous": 1}
    assert cached.count_cache.hits == 0


def test_only_a_store_whose_writes_are_audited_caches(database) -> None:
    assert open_store(database).count_cache is not None
    assert open_store(database, journal=NoJournal()).count_cache is None


def test_page_ids_are_kept_apart_and_follow_every_write(cached: Store, database) -> None:
    """Pages answered from the cache are those a store without one gives, for each
    viewer, before and after writes by another store."""
    fresh = open_store(database, journal=NoJournal())  # no cache
    other = open_store(database)
    queries = (
        RecordQuery(sort="date", descending=True),
        RecordQuery(sort="date", descending=True, limit=1, offset=1),
        RecordQuery(text="Mamai"),
    )

    def pages(store: Store, kind: str = "list") -> list[list[str]]:
        read = store.list if kind == "list" else store.summaries
        return [
            [r.id for r in read("incidents", v, q).items]
            for v in (EDITOR, VIEWER, ANONYMOUS)
            for q in queries
        ]

    def check() -> None:
        expected = pages(fresh)
        assert pages(cached) == expected
        assert pages(cached) == expected  # the second time from the cache
        assert pages(cached, "summaries") == expected

    check()
    assert cached.count_cache is not None and cached.count_cache.hits > 0
    other.save(incident("inc-new", "restricted", "unverified"), EDITOR)
    check()
    published = other.get("incidents", "inc-new", EDITOR)
    other.save(
        published.model_copy(update={"visibility": "public", "verification": "verified"}), EDITOR
    )
    check()
    other.save(
        other.get("incidents", "inc-new", EDITOR).model_copy(update={"visibility": "confidential"}),
        EDITOR,
    )
    check()
    other.delete("incidents", "inc-new", EDITOR)
    check()


def test_a_cached_page_never_shows_a_record_hidden_since(cached: Store, database) -> None:
    """A change that leaves no audit entry (a repair in SQL) keeps the cached page ids; the
    records themselves are read fresh and checked again, so the hidden one is left out."""
    query = RecordQuery(sort="date", descending=True)
    for read in (cached.list, cached.summaries):
        shown = [r.id for r in read("incidents", ANONYMOUS, query).items]
        assert "inc-extension" in shown
    with database.begin() as conn:
        conn.execute(
            update(MAPPINGS["incidents"].table)
            .where(MAPPINGS["incidents"].table.c.id == "inc-extension")
            .values(visibility="restricted")
        )
    for read in (cached.list, cached.summaries):
        shown = [r.id for r in read("incidents", ANONYMOUS, query).items]
        assert "inc-extension" not in shown


def test_a_remembered_page_is_each_viewers_and_each_querys_own(cached: Store) -> None:
    """Pages are remembered by viewer and every field of the query: the same query from
    another viewer, or a query differing in any one field, is not answered with it."""
    base = RecordQuery(sort="date", descending=True, limit=1)

    def page(viewer: Viewer, query: RecordQuery) -> tuple[list[str], int]:
        found = cached.summaries("incidents", viewer, query)
        return [r.id for r in found.items], found.total

    first = {v: page(v, base) for v in (EDITOR, ANONYMOUS)}
    assert first[EDITOR][1] == 2 and first[ANONYMOUS][1] == 1
    assert {v: page(v, base) for v in (ANONYMOUS, EDITOR)} == first
    assert page(Viewer("editor", "another editor"), base) == first[EDITOR]
    variants = [
        RecordQuery(sort="date", descending=False, limit=1),
        RecordQuery(sort="date", descending=True, limit=1, offset=1),
        RecordQuery(sort="date", descending=True, limit=1, verification="verified"),
        RecordQuery(sort="date", descending=True, limit=1, text="Mamai"),
    ]
    fresh = open_store(cached.db, journal=NoJournal())  # no cache
    for query in variants:
        assert query.key() != base.key()
        for viewer in (EDITOR, ANONYMOUS):
            expected = fresh.summaries("incidents", viewer, query)
            assert page(viewer, query) == ([r.id for r in expected.items], expected.total)


def test_pages_around_a_first_visit_are_remembered_and_right(cached: Store, database) -> None:
    """A first visit reads the ids of the pages around it; each of those pages, asked later,
    comes from the cache and is the page a store without a cache gives."""
    writer = open_store(database)
    for i in range(12):
        writer.save(
            incident(f"inc-page-{i:02d}").model_copy(update={"date": f"2022-05-{i + 1:02d}"}),
            EDITOR,
        )
    fresh = open_store(database, journal=NoJournal())

    def page(store: Store, offset: int, viewer: Viewer = ANONYMOUS) -> list[str]:
        query = RecordQuery(sort="date", descending=True, limit=2, offset=offset)
        return [r.id for r in store.list("incidents", viewer, query).items]

    pages_chosen: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "LIMIT" in statement.upper():
            pages_chosen.append(statement)

    first = page(cached, 8)
    assert first == page(fresh, 8)
    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        for offset in (0, 2, 4, 6, 10, 12, 14, 16):  # up to four pages either side
            assert page(cached, offset) == page(fresh, offset), offset
        assert len(pages_chosen) == 8  # the store without a cache's, not one of the cached
        assert page(cached, 18) == page(fresh, 18)  # five pages away: chosen anew
        assert len(pages_chosen) == 10
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert page(cached, 8, EDITOR) == page(fresh, 8, EDITOR)  # another viewer, its own pages
