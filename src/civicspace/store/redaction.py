"""References to records a viewer may not see: removed on reading, kept on writing,
refused when an author adds them.

:func:`readable_references` is the one reference check: which of the ``(kind, id)`` a
record points at exist and may be read by the viewer. Reading (:func:`redact`),
saving an edited copy (:func:`keep_hidden`) and validating a new pointer
(:func:`check_references`) all go through it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.model.records import Record, references
from civicspace.store.errors import UnknownReference
from civicspace.store.mapping import MAPPINGS
from civicspace.store.visibility import without_accounts

Pointer = tuple[str, str]  # (kind, id)
CHUNK = 500  # ids per IN (...), under every database's limit on bound values


def readable_references(
    conn: Connection,
    wanted: Mapping[str, Iterable[str]],
    viewer: Viewer,
    kept: Collection[Pointer] = (),
) -> set[Pointer]:
    """The ``(kind, id)`` among ``wanted`` (ids by kind) that exist and that ``viewer`` may
    read, or that are in ``kept`` (pointers a stored record already had). Locations have
    no visibility: existing is enough. One query per kind and 500 ids."""
    readable: set[Pointer] = set()
    for kind, ids in wanted.items():
        table = t.locations if kind == "locations" else MAPPINGS[kind].table
        listed = list(ids)
        for start in range(0, len(listed), CHUNK):
            chunk = listed[start : start + CHUNK]
            if kind == "locations":
                found = conn.scalars(select(table.c.id).where(table.c.id.in_(chunk)))
                readable.update((kind, rid) for rid in found)
                continue
            rows = conn.execute(
                select(table.c.id, table.c.visibility, table.c.verification).where(
                    table.c.id.in_(chunk)
                )
            )
            readable.update(
                (kind, r.id)
                for r in rows
                if (kind, r.id) in kept or viewer.can_read(r.visibility, r.verification)
            )
    return readable


def _by_kind(pointers: Iterable[Pointer]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {}
    for kind, rid in pointers:
        wanted.setdefault(kind, set()).add(rid)
    return wanted


def _record_references(record: Record) -> list[Pointer]:
    """``(kind, id)`` of the records ``record`` points at that have a visibility of their
    own (people, organisations, sources; not places or countries)."""
    return [(kind, rid) for _f, kind, rid in references(record) if kind in MAPPINGS]


def redact(conn: Connection, records: list[Record], viewer: Viewer) -> list[Record]:
    """``records`` as ``viewer`` may see them: without references to people, organisations
    and sources the viewer may not see, and without account names the viewer may not learn.

    A public incident may name a confidential witness; an anonymous reader gets the
    incident without that participant (and so without the witness's id or name).
    """
    wanted = _by_kind(p for record in records for p in _record_references(record))
    readable = readable_references(conn, wanted, viewer)
    hidden = {(kind, rid) for kind, ids in wanted.items() for rid in ids} - readable
    if hidden:
        records = [_without(record, hidden) for record in records]
    return without_accounts(records, viewer)


def _without(record: Any, hidden: set[Pointer]) -> Any:
    changes: dict[str, Any] = {
        "sources": [c for c in record.sources if ("sources", c.source_id) not in hidden]
    }
    if hasattr(record, "participants"):
        changes["participants"] = [
            p
            for p in record.participants
            if ("persons", p.person_id) not in hidden
            and ("organisations", p.organisation_id) not in hidden
        ]
    if hasattr(record, "defendants"):
        gone = {pid for pid in record.defendants if ("persons", pid) in hidden}
        if gone:
            changes["defendants"] = [p for p in record.defendants if p not in gone]
            for attr in ("charges", "events", "recognitions"):
                changes[attr] = [x for x in getattr(record, attr) if x.person_id not in gone]
    if hasattr(record, "affiliations"):
        changes["affiliations"] = [
            a for a in record.affiliations if ("organisations", a.organisation_id) not in hidden
        ]
    if hasattr(record, "recognitions") and "recognitions" not in changes:
        changes["recognitions"] = [
            r
            for r in record.recognitions
            if not r.organisation_id or ("organisations", r.organisation_id) not in hidden
        ]
    return record.model_copy(update=changes)


# Collections that redaction may shorten (see ``redact``).
REDACTED_COLLECTIONS = (
    "sources",
    "participants",
    "affiliations",
    "defendants",
    "charges",
    "events",
    "recognitions",
)


def keep_hidden(conn: Connection, stored: Record, edited: Record, viewer: Viewer) -> Record:
    """``edited`` plus the items of ``stored`` that ``viewer`` was not shown (redacted)."""
    seen = redact(conn, [stored], viewer)[0]
    merged: dict[str, list[Any]] = {}
    for name in REDACTED_COLLECTIONS:
        if name not in type(stored).model_fields:
            continue
        shown = getattr(seen, name)
        hidden = [item for item in getattr(stored, name) if item not in shown]
        if hidden:
            merged[name] = [*getattr(edited, name), *hidden]
    if not merged:
        return edited
    return type(edited).model_validate({**edited.model_dump(), **merged})


def check_references(
    conn: Connection, record: Record, stored: Record | None, viewer: Viewer
) -> None:
    """Every id ``record`` points at exists; those its author adds, the author may read.

    Both cases get the same message, so a reference cannot probe for hidden records. A
    record's country is an ISO code, kept even when no country row describes it, so it is
    not checked.
    """
    kept = {(kind, rid) for _f, kind, rid in references(stored)} if stored is not None else set()
    pointers = [p for p in references(record) if p[1] != "countries"]
    readable = readable_references(conn, _by_kind((k, r) for _f, k, r in pointers), viewer, kept)
    for field_name, kind, rid in pointers:
        if (kind, rid) not in readable:
            raise UnknownReference(f"{field_name}: no {kind} record with id {rid!r}", field_name)
