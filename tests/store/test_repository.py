import datetime as dt
from pathlib import Path

import pytest

from civicspace.access import AccessDenied, Viewer
from civicspace.application import open_store
from civicspace.model import FuzzyDate, Incident, Person
from civicspace.store.repository import NotFound, RecordQuery, VersionConflict
from tests.helpers import EDITOR, load_sample

RESEARCHER = Viewer("researcher", "res-1")


def test_records_keep_provenance_and_versions(database, tmp_path: Path) -> None:
    times = iter(
        [dt.datetime(2022, 9, 1, 10, tzinfo=dt.UTC), dt.datetime(2022, 9, 2, 11, tzinfo=dt.UTC)]
    )
    store = open_store(database, clock=lambda: next(times))
    person = Person(id="p1", name={"text": "Inga Imanbai"}, visibility="restricted")
    saved = store.save(person, RESEARCHER)
    assert (saved.version, saved.created_by) == (1, "res-1")
    changed = store.save(
        saved.model_copy(update={"description": "activist"}), EDITOR, expected_version=1
    )
    stored = store.get("persons", "p1", EDITOR)
    assert stored.version == changed.version == 2
    assert stored.created_by == "res-1" and stored.updated_by == "editor-1"
    assert stored.created_at == dt.datetime(2022, 9, 1, 10, tzinfo=dt.UTC)
    assert stored.updated_at == dt.datetime(2022, 9, 2, 11, tzinfo=dt.UTC)


def test_stale_update_is_refused_and_changes_nothing(store) -> None:
    store.save(Person(id="p1", name={"text": "A"}), EDITOR)
    store.save(Person(id="p1", name={"text": "B"}), EDITOR, expected_version=1)
    with pytest.raises(VersionConflict):
        store.save(Person(id="p1", name={"text": "C"}), EDITOR, expected_version=1)
    assert store.get("persons", "p1", EDITOR).name.text == "B"


def test_roles_limit_what_can_be_written(store) -> None:
    with pytest.raises(AccessDenied):
        store.save(Person(id="p1", name={"text": "A"}), Viewer("viewer", "v"))
    with pytest.raises(AccessDenied):  # only editors publish as verified
        store.save(Person(id="p1", name={"text": "A"}, verification="verified"), RESEARCHER)


def test_anonymous_sees_only_public_verified_and_no_hidden_references(
    store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    anonymous = Viewer.anonymous()
    incident = store.get("incidents", "inc-extension", anonymous)
    assert [p.person_id for p in incident.participants] == ["person-mamai"]
    assert len(store.get("incidents", "inc-extension", EDITOR).participants) == 2
    with pytest.raises(NotFound):
        store.get("persons", "person-witness", anonymous)
    with pytest.raises(NotFound):
        store.get("incidents", "inc-draft", anonymous)
    assert store.get("incidents", "inc-draft", Viewer("viewer", "v")).visibility == "restricted"
    with pytest.raises(NotFound):
        store.get("persons", "person-witness", Viewer("viewer", "v"))
    assert store.counts(anonymous)["persons"] == 1
    assert store.counts(EDITOR)["persons"] == 2


def test_list_filters_and_stable_pagination(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    for i in range(7):
        store.save(
            Incident(
                id=f"inc-{i:02d}",
                title=f"Protest {i}",
                date=f"2022-07-{i + 1:02d}",
                country="KZ",
                freedoms=["assembly"],
                violations=["protest_dispersed"],
            ),
            EDITOR,
        )
    q = RecordQuery(freedom="assembly", sort="date", limit=3)
    pages = [
        store.list("incidents", EDITOR, RecordQuery(**{**q.__dict__, "offset": o}))
        for o in (0, 3, 6)
    ]
    ids = [r.id for p in pages for r in p.items]
    assert pages[0].total == 8 and len(ids) == 8 and len(set(ids)) == 8
    dates = [store.get("incidents", i, EDITOR).date.earliest for i in ids]
    assert dates == sorted(dates)
    in_august = store.list(
        "incidents",
        EDITOR,
        RecordQuery(date_from=FuzzyDate.parse("2022-08"), date_to=FuzzyDate.parse("2022-08")),
    )
    assert [r.id for r in in_august.items] == ["inc-extension"]
    assert store.list("incidents", EDITOR, RecordQuery(role="witness")).total == 1
    assert store.list("incidents", EDITOR, RecordQuery(violation="activist_prosecuted")).total == 1
    assert store.list("persons", EDITOR, RecordQuery(role="opposition_leader")).total == 1
    assert store.list("incidents", EDITOR, RecordQuery(text="Мамай")).total == 1


def test_delete_removes_record_and_its_search_document(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    store.delete("laws", "law-elections", EDITOR)
    with pytest.raises(NotFound):
        store.get("laws", "law-elections", EDITOR)
    assert store.search("elections", EDITOR) == []


def test_saving_a_redacted_copy_keeps_what_its_author_could_not_see(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    draft = store.get("incidents", "inc-extension", EDITOR).model_copy(
        update={"id": "inc-draft-2", "verification": "unverified"}
    )
    store.save(draft, EDITOR, expected_version=0)
    seen = store.get("incidents", "inc-draft-2", RESEARCHER)
    assert [p.person_id for p in seen.participants] == ["person-mamai"]  # the witness is hidden
    saved = store.save(
        seen.model_copy(update={"summary": "Detention extended again."}), RESEARCHER, seen.version
    )
    assert "person-witness" not in saved.model_dump_json()  # the answer is redacted too
    stored = store.get("incidents", "inc-draft-2", EDITOR)
    assert stored.summary == "Detention extended again."
    assert [p.person_id for p in stored.participants] == ["person-mamai", "person-witness"]
    # what the author could see, the author may remove
    store.save(stored.model_copy(update={"participants": stored.participants[1:]}), EDITOR, 2)
    assert [p.person_id for p in store.get("incidents", "inc-draft-2", EDITOR).participants] == [
        "person-witness"
    ]


def test_a_new_records_id_is_taken_alike_whether_or_not_its_holder_is_visible(
    store, tmp_path: Path
) -> None:
    from civicspace.store.repository import IdTaken

    load_sample(store, tmp_path)
    answers = []
    for taken in ("person-mamai", "person-witness"):  # public, confidential
        with pytest.raises(IdTaken) as caught:
            store.save(Person(id=taken, name={"text": "X"}), RESEARCHER, expected_version=0)
        answers.append(str(caught.value).replace(taken, "ID"))
    assert answers[0] == answers[1]
    assert store.get("persons", "person-witness", EDITOR).name.text == "Aigerim Canarybek"


def test_a_reference_to_a_missing_or_hidden_record_names_the_field(store, tmp_path: Path) -> None:
    from civicspace.store.repository import UnknownReference

    load_sample(store, tmp_path)
    incident = store.get("incidents", "inc-draft", RESEARCHER)
    messages = []
    for pid in ("person-nobody", "person-witness"):  # missing; confidential to a researcher
        edited = incident.model_copy(
            update={"participants": [{"person_id": pid, "role": "target"}]}
        )
        with pytest.raises(UnknownReference) as caught:
            store.save(edited, RESEARCHER, incident.version)
        assert caught.value.field == "participants.0.person_id"
        messages.append(str(caught.value).replace(pid, "ID"))
    assert messages[0] == messages[1]
    with pytest.raises(UnknownReference, match="sources.0.source_id"):
        store.save(
            Person(id="p-new", name={"text": "N"}, sources=[{"source_id": "src-none"}]), EDITOR
        )
    assert store.get("incidents", "inc-draft", EDITOR).participants == incident.participants


def test_an_edit_that_names_a_hidden_participant_keeps_it_once(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    draft = store.get("incidents", "inc-extension", EDITOR).model_copy(
        update={"id": "inc-draft-3", "verification": "unverified"}
    )
    store.save(draft, EDITOR, expected_version=0)
    # The researcher's copy came from elsewhere (an earlier editor's export) and names the
    # witness the researcher may not see; the stored incident names the witness once.
    edited = draft.model_copy(update={"summary": "Seen again.", "visibility": "restricted"})
    store.save(edited, RESEARCHER, expected_version=1)
    stored = store.get("incidents", "inc-draft-3", EDITOR)
    assert [p.person_id for p in stored.participants] == ["person-mamai", "person-witness"]
