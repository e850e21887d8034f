"""The visibility rule is the store's own: account names never reach anonymous readers,
and a restricted participant's name never makes a public incident findable."""

from __future__ import annotations

from sqlalchemy import select

from civicspace.access import Viewer
from civicspace.db import schema as t
from civicspace.model import Incident, Person
from civicspace.model.records import KINDS
from civicspace.store.repository import RecordQuery, Store
from civicspace.text import fold
from tests.helpers import EDITOR

MONITOR = Viewer("editor", "monitor-zhuldyz")  # an account name that identifies a monitor
PUBLIC = {"visibility": "public", "verification": "verified"}


def _public_incident(store: Store, **fields: object) -> Incident:
    incident = Incident.model_validate(
        {
            "id": "inc-public",
            "title": "Picket dispersed",
            "date": "2022-06-01",
            "country": "KZ",
            "freedoms": ["assembly"],
            **PUBLIC,
            **fields,
        }
    )
    saved = store.save(incident, MONITOR)
    assert isinstance(saved, Incident)
    return saved


def test_anonymous_readers_get_no_account_names_from_any_read(store: Store) -> None:
    _public_incident(store)
    anonymous = Viewer.anonymous()
    read = [
        store.get("incidents", "inc-public", anonymous),
        *store.get_many("incidents", ["inc-public"], anonymous),
        *store.list("incidents", anonymous).items,
        *store.list("incidents", anonymous, RecordQuery(text="picket")).items,
    ]
    assert len(read) == 4
    for record in read:
        assert (record.created_by, record.updated_by) == (None, None)
        assert "monitor-zhuldyz" not in record.model_dump_json()
    # Signed-in readers do see who entered the record.
    staff = store.get("incidents", "inc-public", Viewer("viewer", "v"))
    assert (staff.created_by, staff.updated_by) == ("monitor-zhuldyz", "monitor-zhuldyz")


RESTRICTED_NAMES = ("Сәуле Жұмабекова", "Saule Zhumabekova")


def _incident_naming_a_restricted_person(store: Store) -> None:
    store.save(
        Person(
            id="person-restricted",
            name={"text": RESTRICTED_NAMES[0], "script": "Cyrl"},
            names=[{"text": RESTRICTED_NAMES[1], "script": "Latn"}],
            visibility="restricted",
            verification="verified",
        ),
        EDITOR,
    )
    store.save(Person(id="person-public", name={"text": "Ерлан Оспанов"}, **PUBLIC), EDITOR)
    _public_incident(
        store,
        participants=[
            {"person_id": "person-restricted", "role": "target"},
            {"person_id": "person-public", "role": "target"},
        ],
    )


def test_a_restricted_participant_does_not_make_a_public_incident_findable(
    store: Store,
) -> None:
    _incident_naming_a_restricted_person(store)
    anonymous = Viewer.anonymous()
    for query in (*RESTRICTED_NAMES, "Жұмабекова", "Zhumabekova", "Saule"):
        assert store.search(query, anonymous) == [], query
        found = store.summaries("incidents", anonymous, RecordQuery(text=query))
        assert found.items == [] and found.total == 0, query
    # The public participant's name does make it findable: the document holds names.
    assert "inc-public" in {h.id for h in store.search("Оспанов", anonymous)}
    # A reader of restricted records finds the person, by either script.
    for query in ("Жұмабекова", "Zhumabekova"):
        assert "person-restricted" in {h.id for h in store.search(query, Viewer("viewer", "v"))}


def test_a_public_incidents_search_document_leaves_out_a_restricted_name(store: Store) -> None:
    _incident_naming_a_restricted_person(store)
    d = t.search_documents.c
    with store.db.begin() as conn:
        text, body = conn.execute(
            select(d.text, d.body).where(d.kind == "incidents", d.record_id == "inc-public")
        ).one()
    assert "Оспанов" in text  # the public participant is quoted
    for name in RESTRICTED_NAMES:
        for word in name.split():
            assert word not in text
            assert fold(word) not in body.split()


def test_summaries_and_redaction_follow_the_kinds_declarations() -> None:
    from civicspace.model.kinds import reference_fields
    from civicspace.store.repository import REDACTED_COLLECTIONS, SUMMARY_FIELDS

    lists = set()
    for kind in KINDS:
        referring = {r.path.split(".")[0] for r in reference_fields(kind)}
        # A summary is shown unredacted: none of its fields may point at another record.
        assert not referring & set(SUMMARY_FIELDS.get(kind, ())), kind
        lists |= {r.path.split(".")[0] for r in reference_fields(kind) if ".*" in r.path}
    # Every list of references to records with a visibility can be shortened by redaction.
    assert lists == set(REDACTED_COLLECTIONS)
