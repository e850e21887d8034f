"""create_record and update_record: the record and the new people it names are written in
one transaction, so a refused change writes nothing, however often it is sent again."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.db import audit
from civicspace.db import schema as t
from civicspace.editing import (
    ClaimRefused,
    create_record,
    new_id,
    new_participant,
    update_record,
)
from civicspace.model.records import Incident, Person
from civicspace.store import NotFound, Store, UnknownReference, VersionConflict

RESEARCHER = Viewer("researcher", "researcher")
EDITOR = Viewer("editor", "editor")
RETRIES = 3


def rows(store: Store) -> dict[str, int]:
    """Rows of persons, incidents, their participants, search documents and revisions."""
    with store.db.begin() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in (
                t.persons,
                t.incidents,
                t.participants,
                t.search_documents,
                audit.revisions,
            )
        }


def incident(**changes: Any) -> Incident:
    data: dict[str, Any] = {
        "id": new_id("incidents", "Picket dispersed"),
        "title": "Picket dispersed",
        "date": "2022-06-05",
        "country": "KZ",
        "freedoms": ["assembly"],
        "visibility": "restricted",
        "sources": [{"source_id": "src-update"}],
    }
    return Incident.model_validate({**data, **changes})


def newcomers() -> list[Person]:
    return [
        new_participant("Асель Нурланова", visibility="restricted", country="kz"),
        new_participant("Erlan Testov", visibility="public", country="KZ"),
    ]


def with_newcomers(record: Incident, people: list[Person]) -> Incident:
    named = [{"person_id": p.id, "role": "target"} for p in people]
    data = record.model_dump()
    return Incident.model_validate({**data, "participants": [*data["participants"], *named]})


@pytest.mark.parametrize(
    "refused",
    [
        {"sources": [{"source_id": "src-nowhere"}]},
        {"participants": [{"person_id": "person-nowhere", "role": "target"}]},
    ],
    ids=["unknown source", "unknown person"],
)
def test_a_refused_create_writes_nothing_however_often_it_is_sent(
    store: Store, refused: dict[str, Any]
) -> None:
    before = rows(store)
    for _ in range(RETRIES):
        people = newcomers()
        with pytest.raises(UnknownReference):
            create_record(
                store, RESEARCHER, with_newcomers(incident(**refused), people), new_records=people
            )
        for person in people:
            with pytest.raises(NotFound):
                store.get("persons", person.id, EDITOR)
    assert rows(store) == before


def test_a_stale_edit_writes_nothing_however_often_it_is_sent(store: Store) -> None:
    stored = store.get("incidents", "inc-extension", RESEARCHER)
    assert isinstance(stored, Incident)
    before = rows(store)
    for _ in range(RETRIES):
        people = newcomers()
        change = {"title": "Changed", "verification": "unverified"}
        edited = with_newcomers(stored.model_copy(update=change), people)
        with pytest.raises(VersionConflict):
            update_record(store, RESEARCHER, edited, stored.version + 1, new_records=people)
    assert rows(store) == before
    assert store.get("incidents", "inc-extension", EDITOR).title == stored.title  # type: ignore[attr-defined]


def test_what_a_role_may_not_do_writes_nothing(store: Store) -> None:
    before = rows(store)
    people = newcomers()
    record = with_newcomers(incident(), people)
    with pytest.raises(AccessDenied):
        create_record(store, Viewer("viewer", "viewer"), record, new_records=people)
    secret = new_participant("Informant", visibility="confidential", country="KZ")
    with pytest.raises(ClaimRefused) as refused:
        create_record(store, RESEARCHER, with_newcomers(incident(), [secret]), new_records=[secret])
    assert refused.value.field == "visibility"
    with pytest.raises(ClaimRefused) as refused:
        create_record(
            store,
            RESEARCHER,
            record.model_copy(update={"verification": "verified"}),
            new_records=people,
        )
    assert refused.value.field == "verification"
    # A record that fails validation at the last step leaves the new people out too.
    with pytest.raises(ValidationError):
        create_record(
            store, RESEARCHER, record.model_copy(update={"title": ""}), new_records=people
        )
    assert rows(store) == before


def test_a_taken_id_among_the_new_people_writes_nothing(store: Store) -> None:
    before = rows(store)
    taken = Person.model_validate({"id": "person-mamai", "name": {"text": "Someone else"}})
    people = [*newcomers(), taken]
    with pytest.raises(VersionConflict):  # IdTaken
        create_record(store, RESEARCHER, with_newcomers(incident(), people), new_records=people)
    assert rows(store) == before


def test_a_record_and_its_new_people_are_written_together(store: Store) -> None:
    before = rows(store)
    people = newcomers()
    saved = create_record(store, RESEARCHER, with_newcomers(incident(), people), new_records=people)
    after = rows(store)
    assert after["persons"] == before["persons"] + 2
    assert after["incidents"] == before["incidents"] + 1
    assert after["revisions"] == before["revisions"] + 3
    assert [p.person_id for p in saved.participants] == [p.id for p in people]
    first = store.get("persons", people[0].id, EDITOR)
    assert first.country == "KZ" and first.name.text == "Асель Нурланова"  # type: ignore[attr-defined]
    assert first.name.script == "Cyrl" and first.created_by == "researcher"  # type: ignore[attr-defined]
    # An edit names one more newcomer; a researcher's edit leaves the record unverified.
    more = [new_participant("Third Person", visibility="restricted", country="KZ")]
    edited = update_record(
        store, RESEARCHER, with_newcomers(saved, more), saved.version, new_records=more
    )
    assert edited.version == 2 and len(edited.participants) == 3
    assert rows(store)["persons"] == before["persons"] + 3


def test_new_ids_read_as_what_they_name() -> None:
    made = new_id("incidents", "Picket dispersed")
    assert made.startswith("inc-picket-dispersed-") and len(made.rsplit("-", 1)[1]) == 6
    assert new_id("persons", "Айдос Садыков").startswith("person-aidos-sad")  # folded
    assert new_id("incidents", "").startswith("inc-inc-")
