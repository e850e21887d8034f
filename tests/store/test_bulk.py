"""Bulk inserts: values marked for sealing never reach the database in plaintext."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civicspace.crypto import Sealed
from civicspace.store import schema as t
from civicspace.store.bulk import bulk_insert
from civicspace.store.db import Database

SECRET = "Informant K, phone +7 701 000 00 00"


def _documents(title: object) -> list[dict[str, object]]:
    common = {"kind": "persons", "verification": "verified", "text": "x", "body": "x"}
    return [
        {**common, "record_id": "p-1", "visibility": "public", "title": "Open"},
        {**common, "record_id": "p-2", "visibility": "confidential", "title": title},
    ]


@pytest.mark.parametrize("where", ["text column", "inside a JSON value"])
def test_a_marked_value_in_rows_said_to_hold_none_is_refused_not_written(
    database: Database, where: str
) -> None:
    with database.begin() as conn:
        conn.execute(t.countries.insert().values(id="KZ", name="Kazakhstan"))
    marked = Sealed(SECRET, b"aad")
    with pytest.raises(Exception) as caught, database.begin() as conn:
        if where == "text column":
            bulk_insert(conn, t.search_documents, _documents(marked), secret=False)
        else:
            row = {"id": "KZ-2", "name": "Kazakhstan", "names": [{"text": marked}]}
            bulk_insert(conn, t.countries, [row], secret=False)
    assert SECRET not in str(caught.value)
    with database.begin() as conn:
        assert conn.execute(select(t.search_documents.c.id)).all() == []
        assert conn.execute(select(t.countries.c.id)).scalars().all() == ["KZ"]
