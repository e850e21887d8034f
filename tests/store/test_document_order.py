"""The search documents read as they always have (their text is every hit's snippet): an
incident's or case's summary first, then its title; a person's names, description, then
roles; a law's assessment before its stages' notes; a rating's rationale before who rated.

The expected texts are written here by the rules of the hand-written documents the
declarations replaced (``_texts`` before ``Searchable``), not read from today's code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from civicspace.crypto import is_sealed, require_keyring
from civicspace.db import schema as t
from civicspace.demo import load_demo
from civicspace.model.records import KINDS, VISIBILITY_RANK, Record
from civicspace.model.vocabulary import vocabulary
from civicspace.store.mapping import MAPPINGS
from civicspace.store.repository import Store
from civicspace.store.search_documents import document_aad
from tests.helpers import EDITOR

Parties = dict[str, tuple[str, list[str]]]  # id -> (visibility, names)


def _title(r: Any) -> str:
    if getattr(r, "title", None):
        return str(r.title)
    if getattr(r, "name", None) is not None:
        return str(r.name.text)
    if r.kind == "statistics":
        return str(r.display())
    if r.kind == "ratings":
        return f"{r.country} {r.band} ({r.date})"
    return str(r.id)


def _named(ids: list[str | None], parties: Parties, visibility: str) -> tuple[list[str], list[str]]:
    shown: list[str] = []
    hidden: list[str] = []
    for pid in ids:
        if pid and pid in parties:
            vis, names = parties[pid]
            if VISIBILITY_RANK[vis] <= VISIBILITY_RANK[visibility]:
                (hidden if vis == "confidential" else shown).extend(names)
    return shown, hidden


def _expected(r: Any, persons: Parties, orgs: Parties) -> str:
    """A record's document text by the old rules (a confidential one: protected words first)."""
    secret = r.visibility == "confidential"
    parts: list[Any] = [getattr(r, "summary", None)]
    protected: list[Any] = []
    (protected if secret and r.kind in ("persons", "organisations", "sources") else parts).append(
        _title(r)
    )
    if r.kind in ("persons", "organisations"):
        (protected if secret else parts).extend(n.text for n in r.names)
        if not secret:
            parts.append(r.description)
    if r.kind == "persons":
        parts += [vocabulary("person role")[role].label for role in r.roles]
    if r.kind == "incidents":
        parts += [vocabulary("violation type")[v].label for v in r.violations]
        for ids, parties in (
            ([p.person_id for p in r.participants], persons),
            ([p.organisation_id for p in r.participants], orgs),
        ):
            shown, hidden = _named(ids, parties, r.visibility)
            parts += shown
            protected += hidden
    if r.kind == "cases":
        shown, hidden = _named(list(r.defendants), persons, r.visibility)
        parts += shown
        protected += hidden
        parts += [f"{c.code} {c.article} {c.title}" for c in r.charges]
    if r.kind == "laws":
        parts += [r.assessment, *(s.note for s in r.stages)]
    if r.kind == "statistics":
        parts += [r.reported_by, r.topic]
    if r.kind == "ratings":
        parts += [r.rationale, r.rated_by]
    if r.kind == "sources":
        (protected if secret else parts).append(r.publisher)
        parts.append(r.public_label)
    return " · ".join(p for p in [*protected, *parts] if p)


def _stored_texts(store: Store) -> dict[tuple[str, str], str]:
    d = t.search_documents.c
    out = {}
    with store.db.begin() as conn:
        for row in conn.execute(select(d.kind, d.record_id, d.text)):
            text = row.text
            if is_sealed(text):
                aad = document_aad(row.kind, row.record_id, "text")
                text = require_keyring(conn).open(text, aad, conn)
            out[row.kind, row.record_id] = text
    return out


def test_the_demos_documents_read_as_before(store: Store) -> None:
    load_demo(store, EDITOR)
    records: dict[str, list[Record]] = {
        kind: [store.get(kind, rid, EDITOR) for rid in _ids(store, kind)] for kind in KINDS
    }
    people: list[Any] = records["persons"]
    persons = {p.id: (p.visibility, [p.name.text, *(n.text for n in p.names)]) for p in people}
    organisations: list[Any] = records["organisations"]
    orgs = {o.id: (o.visibility, [o.name.text]) for o in organisations}
    stored = _stored_texts(store)
    checked = {kind: 0 for kind in KINDS}
    for kind, items in records.items():
        for record in items:
            assert stored[kind, record.id] == _expected(record, persons, orgs), (kind, record.id)
            checked[kind] += 1
    assert all(checked.values()), checked
    # The kinds whose order the declarations alone would change are covered.
    incidents: list[Any] = [r for r in records["incidents"] if getattr(r, "summary", None)]
    assert incidents and stored["incidents", incidents[0].id].startswith(incidents[0].summary)
    assert any(p.roles and p.description for p in people)
    assert any(getattr(r, "rationale", None) for r in records["ratings"])
    laws: list[Any] = records["laws"]
    assert any(law.assessment and any(s.note for s in law.stages) for law in laws)


def _ids(store: Store, kind: str) -> list[str]:
    table = MAPPINGS[kind].table
    with store.db.begin() as conn:
        return list(conn.scalars(select(table.c.id).order_by(table.c.id)))
