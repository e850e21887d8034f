"""An import follows the rules ``Store.save`` and the editing services enforce, record by
record: what a role may claim, which stored records it may replace, which records it may
point at, and whose provenance a replaced record keeps. Every refusal is a problem of the
file, which is refused whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicspace.access.policy import Viewer
from civicspace.ingest import ImportOptions, ImportRejected, import_path
from civicspace.model.records import Person
from civicspace.store.repository import Store
from tests.factories import sample_bundle
from tests.helpers import EDITOR, snapshot
from tests.ingest.claims import claims_refused, unverified

RESEARCHER = Viewer("researcher", "r-1")
REPLACE = ImportOptions(replace=True)


def _bundle(**sections: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": "civicspace-export", "version": 1, **sections}


def _write(tmp_path: Path, data: object, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _person(pid: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "name": {"text": name}, "visibility": "public", **fields}


def _refused(store: Store, viewer: Viewer, path: Path, options: ImportOptions) -> list[str]:
    """The problems of an import that must be refused, after checking it wrote nothing."""
    before = snapshot(store)
    with pytest.raises(ImportRejected) as info:
        import_path(store, viewer, path, options)
    assert snapshot(store) == before
    return [str(p) for p in info.value.problems]


@pytest.fixture
def secret(store: Store) -> Person:
    """A confidential person only editors may read."""
    person = Person.model_validate(
        _person("p-secret", "Witness Realname", visibility="confidential")
    )
    return store.save(person, EDITOR)


@pytest.mark.parametrize("options", [ImportOptions(), REPLACE], ids=["new", "replace"])
def test_a_researcher_may_not_claim_what_only_editors_may(
    store: Store, tmp_path: Path, options: ImportOptions
) -> None:
    path = _write(tmp_path, sample_bundle())
    assert _refused(store, RESEARCHER, path, options) == [
        str(p) for p in claims_refused(str(path), sample_bundle())
    ]


def test_claims_are_checked_in_forked_workers_too(store: Store, tmp_path: Path) -> None:
    """A large import validates in worker processes; their records are held to the claims."""
    data = _bundle(
        persons=[_person(f"p-{i}", f"Person {i}") for i in range(6)]
        + [_person("p-verified", "Verified", verification="verified")]
    )
    path = _write(tmp_path, data)
    workers = ImportOptions(workers=2, parallel_at=1, chunk_size=2)
    assert _refused(store, RESEARCHER, path, workers) == [
        f"{path}:persons[6]:verification: only editors may verify records"
    ]
    assert import_path(store, EDITOR, path, workers).counts["persons"] == 7


def test_a_csv_is_held_to_the_same_claims(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "id,name,visibility,verification\np-1,One,public,unverified\n"
        "p-2,Two,confidential,unverified\np-3,Three,public,verified\n",
        encoding="utf-8",
    )
    before = snapshot(store)
    with pytest.raises(ImportRejected) as info:
        import_path(store, RESEARCHER, path, kind="persons")
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:visibility: only editors may make a record confidential",
        f"{path}:4:verification: only editors may verify records",
    ]
    assert snapshot(store) == before


def test_a_researcher_may_not_replace_a_record_they_cannot_read(
    store: Store, tmp_path: Path, secret: Person
) -> None:
    """The answer for a hidden record is the one for any id the importer may not replace
    (a visible one without ``replace``): it says nothing of what the record holds."""
    store.save(Person.model_validate(_person("p-open", "Open Person")), EDITOR)
    hidden = _write(tmp_path, _bundle(persons=[_person("p-secret", "Overwritten")]), "h.json")
    visible = _write(tmp_path, _bundle(persons=[_person("p-open", "Overwritten")]), "v.json")
    assert _refused(store, RESEARCHER, hidden, REPLACE) == [
        f"{hidden}:persons[0]:id: persons 'p-secret' already exists"
    ]
    assert _refused(store, RESEARCHER, visible, ImportOptions()) == [
        f"{visible}:persons[0]:id: persons 'p-open' already exists"
    ]
    assert _refused(store, RESEARCHER, hidden, ImportOptions()) == [
        f"{hidden}:persons[0]:id: persons 'p-secret' already exists"
    ]
    import_path(store, RESEARCHER, visible, REPLACE)
    assert store.get("persons", "p-open", EDITOR).name.text == "Overwritten"
    import_path(store, EDITOR, hidden, REPLACE)
    assert store.get("persons", "p-secret", EDITOR).name.text == "Overwritten"


def test_a_reference_to_a_hidden_record_is_as_unknown_as_one_to_no_record(
    store: Store, tmp_path: Path, secret: Person
) -> None:
    def incident(person_id: str) -> dict[str, Any]:
        return {
            "id": f"inc-{person_id}",
            "title": "Picket dispersed",
            "date": "2022-09-01",
            "country": "KZ",
            "freedoms": ["assembly"],
            "visibility": "public",
            "participants": [{"person_id": person_id, "role": "target"}],
        }

    countries = sample_bundle()["countries"]
    both = [incident("p-secret"), incident("p-nobody")]
    path = _write(tmp_path, _bundle(countries=countries, incidents=both))
    assert _refused(store, RESEARCHER, path, ImportOptions()) == [
        f"{path}:incidents[0]:participants.0.person_id: unknown persons id 'p-secret'",
        f"{path}:incidents[1]:participants.0.person_id: unknown persons id 'p-nobody'",
    ]
    alone = _write(tmp_path, _bundle(countries=countries, incidents=both[:1]), "alone.json")
    assert import_path(store, EDITOR, alone).counts["incidents"] == 1


def test_a_replaced_record_keeps_who_entered_it_and_when(store: Store, tmp_path: Path) -> None:
    import_path(store, EDITOR, _write(tmp_path, unverified(sample_bundle())))
    entered = store.get("persons", "person-mamai", EDITOR)
    assert entered.created_by == EDITOR.name
    data = unverified(sample_bundle())
    for person in data["persons"]:
        person.update(created_by="someone-else", created_at="2001-01-01T00:00:00Z")
    data["persons"][0]["gender"] = "female"
    import_path(store, RESEARCHER, _write(tmp_path, data, "again.json"), REPLACE)
    replaced = store.get("persons", "person-mamai", EDITOR)
    assert replaced.gender == "female"
    assert (replaced.created_by, replaced.created_at) == (entered.created_by, entered.created_at)
    import_path(store, RESEARCHER, _write(tmp_path, unverified(sample_bundle()), "3.json"), REPLACE)
    again = store.get("persons", "person-mamai", EDITOR)  # a file without them keeps them too
    assert (again.created_by, again.created_at) == (entered.created_by, entered.created_at)


def test_a_replacement_keeps_what_the_importer_was_not_shown(store: Store, tmp_path: Path) -> None:
    """A researcher re-imports the incident as they were shown it (without the confidential
    witness) or as an editor exported it (with the witness): either way the witness stays,
    as ``Store.save`` keeps them; a reference to the witness the stored record lacked
    is unknown."""
    import_path(store, EDITOR, _write(tmp_path, sample_bundle()))
    shown = store.get("incidents", "inc-extension", RESEARCHER)
    assert [p.person_id for p in shown.participants] == ["person-mamai"]

    def incident(participants: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        data = shown.model_dump(mode="json", exclude_none=True)
        data.update(verification="unverified", participants=participants, **fields)
        return data

    mamai = {"person_id": "person-mamai", "role": "target"}
    witness = {"person_id": "person-witness", "role": "witness"}
    for n, participants in enumerate([[mamai], [mamai, witness]]):
        path = _write(tmp_path, _bundle(incidents=[incident(participants)]), f"{n}.json")
        import_path(store, RESEARCHER, path, REPLACE)
        stored = store.get("incidents", "inc-extension", EDITOR)
        assert [p.person_id for p in stored.participants] == ["person-mamai", "person-witness"]
    other = incident([witness], id="inc-other")
    path = _write(tmp_path, _bundle(incidents=[other]), "other.json")
    assert _refused(store, RESEARCHER, path, REPLACE) == [
        f"{path}:incidents[0]:participants.0.person_id: unknown persons id 'person-witness'"
    ]
