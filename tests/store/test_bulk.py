"""Bulk inserts: rows read back as they were given, and values marked for sealing never
reach the database in plaintext."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from civicspace.crypto import Sealed
from civicspace.db import schema as t
from civicspace.db.engine import Database
from civicspace.store.bulk import bulk_insert, prepare_rows

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


# Text as validation lets it through: no NUL (records refuse it), no lone surrogates.
_letters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_OPTIONAL = {
    "names": st.none()
    | st.lists(st.fixed_dictionaries({"text": st.text(_letters, max_size=5)}), max_size=2),
    "admin1": st.none() | st.text(_letters, max_size=8),
    "admin2": st.none() | st.just(""),
    "latitude": st.none() | st.floats(-90, 90),
    "geo_precision": st.none() | st.integers(1, 3),
}
_locations = st.lists(st.fixed_dictionaries(_OPTIONAL), min_size=1, max_size=6)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(optional=_locations)
def test_rows_read_back_as_given_whichever_columns_are_empty_in_every_row(
    database: Database, optional: list[dict[str, object]]
) -> None:
    rows = [
        {"id": f"loc-{i}", "country": "KZ", "name": f"Place {i}", **values}
        for i, values in enumerate(optional)
    ]
    with database.engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(t.countries.insert().values(id="KZ", name="Kazakhstan"))
        bulk_insert(conn, t.locations, rows, secret=False)
        stored = [
            dict(r._mapping)
            for r in conn.execute(
                select(*(t.locations.c[c] for c in rows[0])).order_by(t.locations.c.id)
            )
        ]
        transaction.rollback()
    assert sorted(stored, key=lambda r: str(r["id"])) == sorted(rows, key=lambda r: str(r["id"]))


def test_columns_empty_in_every_row_are_left_out_and_defaults_kept(database: Database) -> None:
    rows = [
        {
            "id": f"src-{i}",
            "visibility": "public",
            "verification": "verified",
            "title": "T",
            "notes": None,
            "url": "https://example.org" if i else None,
        }
        for i in range(3)
    ]
    prepared = prepare_rows(database.engine.dialect, t.sources, rows)
    assert "notes" not in prepared.columns  # NULL in every row, no default
    assert "url" in prepared.columns  # given in some rows
    assert {"version", "confidential"} <= set(prepared.columns)  # their defaults are written
    with database.begin() as conn:
        bulk_insert(conn, t.sources, rows, secret=False)
        stored = conn.execute(
            select(t.sources.c.notes, t.sources.c.url, t.sources.c.version).order_by(t.sources.c.id)
        ).all()
    assert stored == [
        (None, None, 1),
        (None, "https://example.org", 1),
        (None, "https://example.org", 1),
    ]
