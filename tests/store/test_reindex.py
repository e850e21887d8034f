"""Rebuilding the search documents: documents written by other rules (another folding of
``ʹ``), tampered with or left behind by a deleted record are all written anew."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from civicspace.access import Viewer
from civicspace.crypto import require_keyring
from civicspace.db import schema as t
from civicspace.model import Incident, Person
from civicspace.store.repository import Store
from civicspace.text import fold
from tests.helpers import EDITOR

PUBLIC = {"visibility": "public", "verification": "verified"}
D = t.search_documents.c


def _records(store: Store) -> None:
    store.save(Person(id="p-ilin", name={"text": "Sergeĭ Ilʹin"}, **PUBLIC), EDITOR)
    store.save(
        Person(
            id="p-kuzmin",
            name={"text": "Pavel Kuzʹmin"},
            visibility="confidential",
            verification="verified",
        ),
        EDITOR,
    )
    store.save(
        Incident(
            id="inc-1",
            title="Picket dispersed",
            date="2022-06-01",
            country="KZ",
            freedoms=["assembly"],
            participants=[{"person_id": "p-ilin", "role": "target"}],
            **PUBLIC,
        ),
        EDITOR,
    )


def _bodies(store: Store) -> dict[tuple[str, str], tuple[object, str]]:
    with store.db.begin() as conn:
        rows = conn.execute(select(D.kind, D.record_id, D.text, D.body)).all()
    return {(r.kind, r.record_id): (r.text, r.body) for r in rows}


def _other_folding(words: str) -> list[str]:
    """The keys of ``words`` by the other folding of ``ʹ`` (U+02B9): one release dropped it,
    the others keep it in the word; documents written by either may remain."""
    keys = fold(words).split()
    other = [k.replace("ʹ", "") if "ʹ" in k else k for k in keys]
    if other == keys:
        other = [w.casefold() for w in words.split()]
    assert other != keys
    return other


def _age(store: Store) -> None:
    """Make the documents look written by another folding, tamper with one text and leave
    a document of a record that no longer exists."""
    with store.db.begin() as conn:
        conn.execute(
            update(t.search_documents)
            .where(D.record_id == "p-ilin")
            .values(body=" ".join(_other_folding("Sergei Ilʹin")), text="tampered")
        )
        keyring = require_keyring(conn)
        old = _other_folding("Pavel Kuzʹmin")
        old_tokens = " ".join(keyring.blind_token(w, conn) for w in old)
        conn.execute(
            update(t.search_documents).where(D.record_id == "p-kuzmin").values(body=old_tokens)
        )
        conn.execute(
            update(t.search_documents).where(D.record_id == "inc-1").values(body="", text="")
        )
        conn.execute(
            insert(t.search_documents).values(
                kind="persons",
                record_id="p-gone",
                visibility="public",
                verification="verified",
                title="Gone Person",
                text="Gone Person",
                body="gone person",
            )
        )


def test_rebuild_search_writes_every_document_anew(store: Store) -> None:
    _records(store)
    fresh = _bodies(store)
    _age(store)
    anonymous = Viewer.anonymous()
    assert store.search("Ilʹin", anonymous) == []
    assert store.search("Kuzʹmin", EDITOR) == []
    assert {h.id for h in store.search("Gone", anonymous)} == {"p-gone"}

    calls: list[tuple[str, int, int]] = []
    assert store.rebuild_search(lambda *args: calls.append(args)) == 3
    assert ("persons", 2, 2) in calls and ("incidents", 1, 1) in calls

    rebuilt = _bodies(store)
    assert rebuilt.keys() == fresh.keys()  # the stale document is gone
    for key in (("persons", "p-ilin"), ("incidents", "inc-1")):
        assert rebuilt[key] == fresh[key]
    assert rebuilt["persons", "p-kuzmin"][1] == fresh["persons", "p-kuzmin"][1]  # blind tokens
    assert {h.id for h in store.search("Ilʹin", anonymous)} == {"p-ilin", "inc-1"}
    assert {h.id for h in store.search("Kuzʹmin", EDITOR)} == {"p-kuzmin"}
    assert store.search("Kuzʹmin", anonymous) == []
    assert store.search("Gone", anonymous) == []


def test_rebuild_search_of_an_empty_database_writes_nothing(store: Store) -> None:
    with store.db.begin() as conn:
        conn.execute(delete(t.search_documents))
    assert store.rebuild_search() == 0
