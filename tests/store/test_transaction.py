"""Store.transaction: several writes through the bound store commit together or not at
all, and reads inside the block see the block's own earlier writes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civicspace.db import audit
from civicspace.db import schema as t
from civicspace.model import Incident, Person
from civicspace.store import NotFound, Store
from tests.helpers import EDITOR

TABLES = (t.persons, t.incidents, t.participants, t.search_documents, audit.revisions)


def rows(store: Store) -> dict[str, int]:
    """Rows of the tables a save writes to, by table."""
    with store.db.begin() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in TABLES
        }


def witness() -> Person:
    return Person(id="p-witness", name={"text": "Асель Нурланова"}, visibility="restricted")


def picket() -> Incident:
    return Incident(
        id="inc-picket",
        title="Picket dispersed",
        date="2022-06-05",
        country="KZ",
        freedoms=["assembly"],
        visibility="restricted",
        participants=[{"person_id": "p-witness", "role": "witness"}],
    )


def test_a_failure_after_two_saves_leaves_nothing_written(store: Store) -> None:
    before = rows(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.save(witness(), EDITOR, expected_version=0)
        tx.save(picket(), EDITOR, expected_version=0)  # names the person saved just before
        assert rows(tx)[t.participants.name] == before[t.participants.name] + 1
        raise RuntimeError("something after the writes fails")
    assert rows(store) == before
    for kind, record_id in (("persons", "p-witness"), ("incidents", "inc-picket")):
        with pytest.raises(NotFound):
            store.get(kind, record_id, EDITOR)
    assert store.search("Nurlanova", EDITOR) == []


def test_reads_inside_the_block_see_its_writes_and_the_end_commits_them(store: Store) -> None:
    with store.transaction() as tx:
        tx.save(witness(), EDITOR, expected_version=0)
        assert tx.get("persons", "p-witness", EDITOR).name.text == "Асель Нурланова"
        assert [h.id for h in tx.search("Nurlanova", EDITOR)] == ["p-witness"]
        tx.save(picket(), EDITOR, expected_version=0)
        assert tx.get("incidents", "inc-picket", EDITOR).participants[0].person_id == "p-witness"
    assert store.get("incidents", "inc-picket", EDITOR).version == 1
    assert {h.id for h in store.search("Nurlanova", EDITOR)} == {"p-witness", "inc-picket"}


def test_a_transaction_inside_a_transaction_joins_it(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        with tx.transaction() as inner:
            inner.save(witness(), EDITOR, expected_version=0)
        assert tx.get("persons", "p-witness", EDITOR).version == 1
        raise RuntimeError("the outer block fails after the inner one ended")
    with pytest.raises(NotFound):
        store.get("persons", "p-witness", EDITOR)
