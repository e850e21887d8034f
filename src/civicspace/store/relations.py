"""Records that point at a person or an organisation, read under the viewer's rule.

The child tables (participants, defendants, affiliations) find the candidates; the
records themselves come through :meth:`Store.get_many`, which drops what the viewer may
not read, so a page never learns of a hidden incident or case.
"""

from __future__ import annotations

from sqlalchemy import select

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.model.records import Record
from civicspace.store.repository import Store


def _ids(store: Store, query: object) -> list[str]:
    with store.db.begin() as conn:
        return sorted(set(conn.scalars(query)))  # type: ignore[call-overload]


def incidents_of(
    store: Store, viewer: Viewer, person_id: str | None = None, organisation_id: str | None = None
) -> list[Record]:
    c = t.participants.c
    where = c.person_id == person_id if person_id else c.organisation_id == organisation_id
    records = store.get_many("incidents", _ids(store, select(c.parent_id).where(where)), viewer)
    return sorted(records, key=lambda r: str(getattr(r, "date", "")), reverse=True)


def cases_of(store: Store, viewer: Viewer, person_id: str) -> list[Record]:
    c = t.defendants.c
    return store.get_many(
        "cases", _ids(store, select(c.parent_id).where(c.person_id == person_id)), viewer
    )


def members_of(store: Store, viewer: Viewer, organisation_id: str) -> list[Record]:
    c = t.affiliations.c
    ids = _ids(store, select(c.parent_id).where(c.organisation_id == organisation_id))
    return store.get_many("persons", ids, viewer)
