"""What a revision keeps of a record: its kind, id, visibility, verification and JSON.

The store hands snapshots to its journal; an import's worker processes render them, so
the process that writes only stores them.
"""

from __future__ import annotations

from dataclasses import dataclass

from civicspace.model.records import Record

__all__ = ["Snapshot", "record_json", "snapshot"]


def record_json(record: Record) -> str:
    """A record as JSON, the same fields as in an export bundle, in the model's field order.

    Pydantic writes it directly (several times faster than ``json.dumps`` of a dump).
    """
    return record.model_dump_json(exclude_none=True)


@dataclass(frozen=True)
class Snapshot:
    """What a revision keeps of a record: who may read it and its JSON (:func:`record_json`).

    An import's worker processes render these, so the process that writes only stores them.
    """

    kind: str
    id: str
    visibility: str
    verification: str
    json: str


def snapshot(record: Record | Snapshot) -> Snapshot:
    if isinstance(record, Snapshot):
        return record
    return Snapshot(
        record.kind, record.id, record.visibility, record.verification, record_json(record)
    )
