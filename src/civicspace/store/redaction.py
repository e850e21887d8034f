"""References to records a viewer may not see: removed on reading, kept on writing,
refused when an author adds them.

:func:`readable_references` is the one reference check: which of the ``(kind, id)`` a
record points at exist and may be read by the viewer. Reading (:func:`redact`),
saving an edited copy (:func:`keep_hidden`) and validating a new pointer
(:func:`check_references`) all go through it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Connection, select

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.model.kinds import reference_fields, references
from civicspace.model.records import KINDS, Record
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


@cache
def _lists_of_references(kind: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """``(list, attribute, kinds)`` for each list of a ``kind`` record whose items point at
    records with a visibility of their own (``("participants", "person_id", ("persons",))``;
    an empty attribute when the items are the ids, as a case's ``defendants``). Derived
    from the kind's ``Ref`` markers (:func:`civicspace.model.kinds.reference_fields`)."""
    out = []
    for ref in reference_fields(kind):
        name, star, attribute = ref.path.partition(".*")
        kinds = tuple(k for k in ref.kinds if k in MAPPINGS)
        if star and kinds:
            out.append((name, attribute.removeprefix("."), kinds))
    return tuple(out)


def _without(record: Record, hidden: set[Pointer]) -> Record:
    """``record`` without the list items that point at ``hidden`` records: a participant,
    a citation, a defendant with the charges, events and recognitions that name them."""
    values = record.__dict__
    kept: dict[str, list[Any]] = {}
    for name, attribute, kinds in _lists_of_references(record.kind):
        items = kept.get(name, values[name])
        kept[name] = [
            item
            for item in items
            if not any(
                (k, getattr(item, attribute) if attribute else item) in hidden for k in kinds
            )
        ]
    return record.model_copy(update=kept)


# Collections that redaction may shorten (see ``redact``), for every kind.
REDACTED_COLLECTIONS = tuple(
    dict.fromkeys(name for kind in KINDS for name, _a, _k in _lists_of_references(kind))
)


def keep_hidden(conn: Connection, stored: Record, edited: Record, viewer: Viewer) -> Record:
    """``edited`` plus the items of ``stored`` that ``viewer`` was not shown (redacted)."""
    seen = redact(conn, [stored], viewer)[0]
    merged: dict[str, list[Any]] = {}
    for name in REDACTED_COLLECTIONS:
        if name not in type(stored).model_fields:
            continue
        shown, kept = getattr(seen, name), getattr(edited, name)
        # An edit that already names a hidden item (it came from elsewhere) keeps it once.
        hidden = [item for item in getattr(stored, name) if item not in shown and item not in kept]
        if hidden:
            merged[name] = [*kept, *hidden]
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
