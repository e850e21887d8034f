"""Saving a record edited by someone who could not see all of it.

A researcher reads a public incident without its confidential witness (redaction). If
their edited copy replaced the stored one as is, the witness would silently vanish.
:func:`save_edit` puts back every reference the editor of the change could not see.
"""

from __future__ import annotations

from typing import Any

from civicspace.access.policy import Viewer
from civicspace.model.records import Record
from civicspace.store.repository import NotFound, Store

# Collections that redaction may shorten (see ``repository.redact``).
REDACTED_COLLECTIONS = (
    "sources", "participants", "affiliations", "defendants", "charges", "events", "recognitions",
)
_EVERYTHING = Viewer("admin", "redaction-merge")


def hidden_parts(store: Store, record: Record, viewer: Viewer) -> dict[str, list[Any]]:
    """Items of the stored record's collections that ``viewer`` was not shown."""
    try:
        full = store.get(record.kind, record.id, _EVERYTHING)
        seen = store.get(record.kind, record.id, viewer)
    except NotFound:
        return {}
    hidden: dict[str, list[Any]] = {}
    for name in REDACTED_COLLECTIONS:
        if not hasattr(full, name):
            continue
        shown = getattr(seen, name)
        missing = [item for item in getattr(full, name) if item not in shown]
        if missing:
            hidden[name] = missing
    return hidden


def save_edit(
    store: Store, record: Record, viewer: Viewer, expected_version: int | None
) -> Record:
    """:meth:`Store.save`, keeping what the viewer could not see of the stored record,
    and returning the saved record as the viewer may see it (never the merged parts).

    The version check in ``save`` still guards the whole change: if the record moved on
    between this read and the write, nothing is written.
    """
    hidden = hidden_parts(store, record, viewer)
    if hidden:
        merged = {
            name: [*getattr(record, name), *items] for name, items in hidden.items()
        }
        record = type(record).model_validate({**record.model_dump(), **merged})
    saved = store.save(record, viewer, expected_version)
    return store.get(saved.kind, saved.id, viewer) if hidden else saved
