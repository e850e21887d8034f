"""Search finds people across scripts and spellings, and never reveals hidden records."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.model import Person
from civicspace.store.repository import Store
from civicspace.text import SCHEMES, transliterate
from tests.helpers import EDITOR, load_sample


@pytest.mark.parametrize("query", ["Mamai", "Мамай", "mamay", "Janbolat", "Жанболат Мамай", "MAMA"])
def test_cyrillic_and_latin_spellings_find_the_same_person(
    store, tmp_path: Path, query: str
) -> None:
    load_sample(store, tmp_path)
    hits = store.search(query, Viewer.anonymous())
    assert {"person-mamai", "case-mamai"} <= {h.id for h in hits}


def test_case_is_found_by_its_article_and_snippet_shows_the_words(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    hits = store.search("false information", EDITOR, kinds=["cases"])
    assert [h.id for h in hits] == ["case-mamai"]
    assert "false information" in hits[0].snippet


def test_hidden_names_are_not_searchable_through_public_records(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    for viewer in (Viewer.anonymous(), Viewer("viewer", "v"), Viewer("researcher", "r")):
        assert store.search("Canarybek", viewer) == []
        assert store.search("Канарбек", viewer) == []
    assert store.search("dispersal", Viewer.anonymous()) == []  # restricted, unverified
    assert [h.id for h in store.search("Canarybek", EDITOR)] == ["person-witness"]


def test_renaming_a_person_reindexes_the_incidents_that_name_them(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    person = store.get("persons", "person-mamai", EDITOR)
    store.save(person.model_copy(update={"names": [{"text": "Мамаев"}]}), EDITOR)
    assert "inc-extension" in {h.id for h in store.search("Мамаев", EDITOR)}


AMBIGUOUS = re.compile(r"[^аеёиоуыэюяәөұүійь\s][жхцчшщңғһ]|[ңц][^аеёиоуыэюяәөұүі]")
KAZAKH_RUSSIAN = "абвгдежзийклмнопрстуфхцчшыэюяәғқңөұүһі"
cyrillic_words = st.text(alphabet=KAZAKH_RUSSIAN, min_size=3, max_size=10)


@pytest.fixture(scope="module")
def search_store(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Store:
    import shutil

    path = tmp_path_factory.mktemp("search") / "db.sqlite"
    shutil.copy(sqlite_template, path)
    return open_store(open_database(path))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    surname=cyrillic_words,
    given_name=cyrillic_words,
    scheme=st.sampled_from(sorted(SCHEMES)),
    n=st.integers(0, 10**9),
)
def test_any_transliteration_of_a_cyrillic_name_finds_it(
    search_store: Store, surname: str, given_name: str, scheme: str, n: int
) -> None:
    cyrillic = f"{given_name.capitalize()} {surname.capitalize()}"
    # A consonant before a letter written as a digraph (ж х ц ч ш щ ң ғ һ) is ambiguous in
    # Latin ("зж" -> "zzh" reads as "ж"); see docs/search.md. Everything else must match.
    assume(not AMBIGUOUS.search(cyrillic.lower()))
    pid = f"p-{n}-{abs(hash(cyrillic))}"
    search_store.save(Person(id=pid, name={"text": cyrillic, "script": "Cyrl"}), EDITOR)
    latin = transliterate(cyrillic, scheme)
    assert pid in {h.id for h in search_store.search(latin, EDITOR, limit=1000)}
    # and the other way round: a Latin record is found by its Cyrillic spelling
    search_store.save(Person(id=pid + "-lat", name={"text": latin}), EDITOR)
    assert pid + "-lat" in {h.id for h in search_store.search(cyrillic, EDITOR, limit=1000)}


def test_bgn_apostrophes_do_not_split_a_name(store) -> None:
    store.save(Person(id="p-ilin", name={"text": "Ильин"}), EDITOR)
    assert [h.id for h in store.search("Il’in", EDITOR)] == ["p-ilin"]


def test_a_query_matching_too_many_records_lists_the_newest_first(store, monkeypatch) -> None:
    from civicspace.store import search as search_module

    public = {"visibility": "public", "verification": "verified"}
    for i in range(6):
        store.save(Person(id=f"p-aliev-{i}", name={"text": f"Алиев {i}"}, **public), EDITOR)
    store.save(
        Person(id="p-aliev-hidden", name={"text": "Алиев Х"}, visibility="restricted"), EDITOR
    )
    ranked = [h.id for h in store.search("Aliev", Viewer.anonymous())]
    assert sorted(ranked) == [f"p-aliev-{i}" for i in range(6)]

    monkeypatch.setattr(search_module, "RANKED_UP_TO", 3)
    newest = [h.id for h in store.search("Aliev", Viewer.anonymous(), limit=4)]
    assert newest == ["p-aliev-5", "p-aliev-4", "p-aliev-3", "p-aliev-2"]
    assert [h.id for h in store.search("Aliev", EDITOR, limit=1)] == ["p-aliev-hidden"]
    assert store.search("Aliev", Viewer.anonymous(), limit=4, offset=4)[-1].id == "p-aliev-0"


def test_a_list_filtered_by_words_matching_too_many_records_pages_the_newest_first(
    store, monkeypatch
) -> None:
    from civicspace.model import Incident
    from civicspace.store import search as search_module
    from civicspace.store.repository import RecordQuery

    public = {
        "visibility": "public",
        "verification": "verified",
        "country": "KZ",
        "freedoms": ["assembly"],
    }
    for i in range(6):  # dates run backwards, so date order and newest-first differ
        store.save(
            Incident(id=f"inc-{i}", title=f"Kettling {i}", date=f"2022-06-{20 - i}", **public),
            EDITOR,
        )
    store.save(
        Incident(
            id="inc-hidden",
            title="Kettling",
            date="2022-06-30",
            country="KZ",
            freedoms=["assembly"],
            visibility="restricted",
        ),
        EDITOR,
    )
    store.save(
        Incident(
            id="inc-other", title="Kettling", date="2022-06-29", **{**public, "country": "KG"}
        ),
        EDITOR,
    )
    by_date = RecordQuery(text="kettl", country="KZ", sort="date", descending=True, limit=4)

    page = store.list("incidents", Viewer.anonymous(), by_date)
    assert [r.id for r in page.items] == ["inc-0", "inc-1", "inc-2", "inc-3"]
    assert (page.total, page.exact, page.newest_first) == (6, True, False)

    monkeypatch.setattr(search_module, "RANKED_UP_TO", 3)
    monkeypatch.setattr("civicspace.store.repository.RANKED_UP_TO", 3)
    page = store.list("incidents", Viewer.anonymous(), by_date)
    assert [r.id for r in page.items] == ["inc-5", "inc-4", "inc-3", "inc-2"]
    assert (page.total, page.exact, page.newest_first) == (3, False, True)
    rest = store.list(
        "incidents", Viewer.anonymous(), RecordQuery(**{**by_date.__dict__, "offset": 4})
    )
    assert [r.id for r in rest.items] == ["inc-1", "inc-0"]
    seen_by_editor = store.list("incidents", EDITOR, RecordQuery(text="kettl", limit=10))
    assert seen_by_editor.items[0].id == "inc-other" and len(seen_by_editor.items) == 8


def test_documents_indexed_in_bulk_are_found_and_later_saves_still_index(
    store, tmp_path: Path, monkeypatch
) -> None:
    from civicspace.store import search_index

    monkeypatch.setattr(search_index, "BULK_FTS_AT", 1)  # the sample takes the bulk path
    load_sample(store, tmp_path)
    assert {"person-mamai", "case-mamai"} <= {h.id for h in store.search("Mamai", EDITOR)}
    store.save(Person(id="p-ilin", name={"text": "Ильин"}), EDITOR)  # one document: trigger
    assert [h.id for h in store.search("Ilin", EDITOR)] == ["p-ilin"]


def test_a_failed_bulk_index_keeps_the_search_trigger(
    tmp_path: Path, sqlite_template: Path, monkeypatch
) -> None:
    """SQLite goes on after a failed statement: a caller that catches the error and commits
    must still leave the trigger that indexes later saves."""
    import shutil

    from sqlalchemy.exc import IntegrityError

    from civicspace.store import search as search_module
    from civicspace.store import search_index

    shutil.copy(sqlite_template, tmp_path / "db.sqlite")
    store = open_store(open_database(str(tmp_path / "db.sqlite")))
    monkeypatch.setattr(search_index, "BULK_FTS_AT", 1)
    people = [Person(id=f"p-{i}", name={"text": f"Сейтқали {i}"}) for i in range(3)]
    with store.db.begin() as conn:
        search_module.index_records(conn, people, new=True)
        with pytest.raises(IntegrityError):
            search_module.index_records(conn, people, new=True)  # the same documents again
    store.save(Person(id="p-after", name={"text": "Төлеубай"}), EDITOR)
    assert [h.id for h in store.search("Toleubai", EDITOR)] == ["p-after"]
    assert {h.id for h in store.search("Seitkali", EDITOR)} == {"p-0", "p-1", "p-2"}
    store.db.dispose()


def test_more_than_is_exact_whether_the_matches_are_recent_or_old(store) -> None:
    """PostgreSQL first looks among the newest documents; either way the answer is exact."""
    from civicspace.store import search as search_module

    old = [Person(id=f"p-old-{i}", name={"text": f"Досымов {i}"}) for i in range(5)]
    newer = [Person(id=f"p-new-{i}", name={"text": f"Ерланов {i}"}) for i in range(20)]
    for person in [*old, *newer]:
        store.save(person, EDITOR)

    def more_than(word: str, n: int) -> bool:
        with store.db.begin() as conn:
            query = search_module._query(conn, [word], EDITOR)
            return query.more_than(conn, n)

    # the old matches lie beyond the newest 2 * (n + 1) documents: counted from the index
    assert more_than("dosimov", 4) is True
    assert more_than("dosimov", 5) is False
    # the recent ones are found among the newest documents
    assert more_than("erlanov", 19) is True
    assert more_than("erlanov", 20) is False
    assert more_than("nobody", 0) is False
