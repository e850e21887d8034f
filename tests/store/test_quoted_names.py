"""A person's names leave the documents that quote them when the person is hidden or
renamed, whether through ``Store.save`` or a replacing import: a public incident or case
never stays findable by a name its readers may no longer see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from civicspace.access import Viewer
from civicspace.db import schema as t
from civicspace.ingest import ImportOptions, import_path
from civicspace.store.repository import Store
from civicspace.text import fold
from tests.helpers import EDITOR

NAMES = ("Жасырынбек Секретов", "Zhasyrynbek Secretov")
PSEUDONYM = "Witness A"
PUBLIC = {"visibility": "public", "verification": "verified"}
QUOTING = (("incidents", "inc-picket"), ("cases", "case-secretov"))


def _person(**changes: Any) -> dict[str, Any]:
    person = {
        "id": "person-secretov",
        "name": {"text": NAMES[0], "script": "Cyrl"},
        "names": [{"text": NAMES[1], "script": "Latn"}],
        **PUBLIC,
    }
    return person | changes


def _bundle(person: dict[str, Any], quoting: bool) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "format": "civicspace-export",
        "version": 1,
        "countries": [{"id": "KZ", "name": "Kazakhstan"}],
        "persons": [person],
    }
    if quoting:
        bundle["incidents"] = [
            {
                "id": "inc-picket",
                "title": "Picket dispersed",
                "date": "2022-06",
                "country": "KZ",
                "freedoms": ["assembly"],
                "participants": [{"person_id": "person-secretov", "role": "target"}],
                **PUBLIC,
            }
        ]
        bundle["cases"] = [
            {
                "id": "case-secretov",
                "title": "Activist prosecuted",
                "country": "KZ",
                "defendants": ["person-secretov"],
                **PUBLIC,
            }
        ]
    return bundle


def _import(store: Store, tmp_path: Path, bundle: dict[str, Any], replace: bool) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    import_path(store, EDITOR, path, ImportOptions(replace=replace))


def _change_person(store: Store, tmp_path: Path, how: str, **changes: Any) -> None:
    """Store the person, an incident and a case naming them, then change the person only."""
    _import(store, tmp_path, _bundle(_person(), quoting=True), replace=False)
    for kind, rid in QUOTING:  # the names are quoted before the change
        assert {(h.kind, h.id) for h in store.search(NAMES[1], Viewer.anonymous())} >= {(kind, rid)}
    if how == "import":
        _import(store, tmp_path, _bundle(_person(**changes), quoting=False), replace=True)
    else:
        stored = store.get("persons", "person-secretov", EDITOR)
        edited = stored.model_validate({**stored.model_dump(), **changes})
        store.save(edited, EDITOR, stored.version)


def _documents(store: Store) -> dict[tuple[str, str], tuple[str, str]]:
    d = t.search_documents.c
    with store.db.begin() as conn:
        rows = conn.execute(select(d.kind, d.record_id, d.text, d.body)).all()
    return {(r.kind, r.record_id): (r.text, r.body) for r in rows}


def _assert_not_quoted(store: Store, names: tuple[str, ...]) -> None:
    documents = _documents(store)
    for key in QUOTING:
        text, body = documents[key]
        for word in (w for name in names for w in name.split()):
            assert word not in text, (key, word)
            assert fold(word) not in body.split(), (key, word)


@pytest.mark.parametrize("how", ["import", "save"])
def test_a_person_made_confidential_leaves_the_public_documents_naming_them(
    store: Store, tmp_path: Path, how: str
) -> None:
    _change_person(store, tmp_path, how, visibility="confidential")
    for query in (*NAMES, "Секретов", "Secretov", "Zhasyrynbek"):
        assert store.search(query, Viewer.anonymous()) == [], query
    _assert_not_quoted(store, NAMES)
    # An editor still finds the person (their own, blind-indexed document).
    assert {h.id for h in store.search(NAMES[0], EDITOR)} == {"person-secretov"}


@pytest.mark.parametrize("how", ["import", "save"])
def test_a_person_renamed_to_a_pseudonym_is_no_longer_found_by_the_old_name(
    store: Store, tmp_path: Path, how: str
) -> None:
    _change_person(store, tmp_path, how, name={"text": PSEUDONYM, "script": "Latn"}, names=[])
    for viewer in (Viewer.anonymous(), EDITOR):
        for query in (*NAMES, "Секретов", "Secretov"):
            assert store.search(query, viewer) == [], (viewer.role, query)
    _assert_not_quoted(store, NAMES)
    found = {(h.kind, h.id) for h in store.search(PSEUDONYM, Viewer.anonymous())}
    assert found == {("persons", "person-secretov"), *QUOTING}
