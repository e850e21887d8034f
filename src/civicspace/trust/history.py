"""Reading a record's revisions, restoring an earlier one, and undeleting a deleted record.

Restoring and undeleting are new revisions: nothing in the history is ever rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, select
from sqlalchemy.exc import IntegrityError

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.db.audit import revisions
from civicspace.model.kinds import references
from civicspace.model.records import Record
from civicspace.store.mapping import MAPPINGS
from civicspace.store.repository import NotFound, Store, redact
from civicspace.trust.journal import actor_of, opened_side, record_from_json

# Provenance changes with every revision; the revision itself says who and when.
_NOT_DIFFED = {"version", "updated_at", "updated_by"}


@dataclass
class Change:
    path: str
    old: Any
    new: Any


@dataclass
class Revision:
    kind: str
    record_id: str
    revision: int
    action: str
    actor: str
    at: dt.datetime
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: list[Change] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.record_id,
            "revision": self.revision,
            "action": self.action,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "changes": [{"path": c.path, "old": c.old, "new": c.new} for c in self.changes],
            "before": self.before,
            "after": self.after,
        }


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by path, e.g. ``{"name": {"text": "A"}}`` -> ``{"name.text": "A"}``."""
    if not prefix and not value:
        return {}
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    old, new = flatten(before or {}), flatten(after or {})
    return [
        Change(path, old.get(path), new.get(path))
        for path in sorted(old.keys() | new.keys())
        if path.split(".")[0].split("[")[0] not in _NOT_DIFFED and old.get(path) != new.get(path)
    ]


@dataclass
class _Stored:
    """One revision row with its before/after JSON opened (unsealed)."""

    revision: int
    action: str
    actor: str
    at: dt.datetime
    reason: str | None
    visibility: str
    verification: str
    before: str | None
    after: str | None


def _rows(conn: Connection, kind: str, record_id: str) -> list[_Stored]:
    if kind not in MAPPINGS:
        raise ValueError(f"unknown kind {kind!r}")
    rows = conn.execute(
        select(revisions)
        .where(revisions.c.kind == kind, revisions.c.record_id == record_id)
        .order_by(revisions.c.revision)
    )
    return [_opened(conn, kind, record_id, r) for r in rows]


def _opened(conn: Connection, kind: str, record_id: str, row: Row[Any]) -> _Stored:
    sides = [
        opened_side(conn, kind, record_id, row.revision, side, text) if text else None
        for side, text in (("before", row.before), ("after", row.after))
    ]
    return _Stored(
        row.revision,
        row.action,
        row.actor,
        row.at,
        row.reason,
        row.visibility,
        row.verification,
        sides[0],
        sides[1],
    )


def history(store: Store, kind: str, record_id: str, viewer: Viewer) -> list[Revision]:
    """The revisions of one record that ``viewer`` may read, oldest first, with diffs.

    A revision is readable when the record was readable on both sides of it; references
    to records the viewer may not see are removed from both sides, as in every read.
    """
    if viewer.role == "anonymous":
        raise AccessDenied("the history of a record needs a login")
    out: list[Revision] = []
    with store.db.begin() as conn:
        rows = [
            _opened(conn, kind, record_id, r)
            for r in conn.execute(
                select(revisions)
                .where(revisions.c.kind == kind, revisions.c.record_id == record_id)
                .order_by(revisions.c.revision)
            )
            if viewer.can_read(r.visibility, r.verification)  # sealed ones are never opened
        ]
        if not rows:
            raise NotFound(f"no history of {kind} {record_id!r}")
        for row in rows:
            sides = [
                record_from_json(kind, text) if text else None for text in (row.before, row.after)
            ]
            present = [s for s in sides if s is not None]
            visible = iter(redact(conn, present, viewer))
            before, after = (
                next(visible).model_dump(mode="json", exclude_none=True) if s else None
                for s in sides
            )
            out.append(
                Revision(
                    kind,
                    record_id,
                    row.revision,
                    row.action,
                    row.actor,
                    row.at,
                    row.reason,
                    before,
                    after,
                    diff(before, after),
                )
            )
        if any(r.visibility == "confidential" for r in rows):
            store.journal.read(conn, viewer, kind, [record_id], store.clock())
    return out


def restore(
    store: Store, kind: str, record_id: str, number: int, viewer: Viewer, reason: str | None = None
) -> Record:
    """Make revision ``number``'s result the current record again, as a new revision."""
    viewer.require_publish()
    with store.db.begin() as conn:
        rows = {r.revision: r for r in _rows(conn, kind, record_id)}
    if number not in rows:
        raise NotFound(f"{kind} {record_id!r} has no revision {number}")
    chosen = rows[number].after
    if chosen is None:
        raise ValueError(
            f"revision {number} deleted {kind} {record_id!r}: restore revision {number - 1}, "
            f"or undelete it"
        )
    record = record_from_json(kind, chosen)
    reason = reason or f"restore of revision {number}"
    table = MAPPINGS[kind].table
    with store.db.begin() as conn:
        live = conn.scalar(select(table.c.id).where(table.c.id == record_id))
    if live is not None:
        return store.save(record, viewer, reason=reason, action="restore")
    newest = rows[max(rows)]
    last = newest.before or newest.after
    version = record_from_json(kind, last).version if last else 0
    return _reinsert(store, record, version or 0, viewer, "restore", reason)


def undelete(
    store: Store, kind: str, record_id: str, viewer: Viewer, reason: str | None = None
) -> Record:
    """Bring back a deleted record exactly as it was, by an editor, as a new revision."""
    viewer.require_publish()
    with store.db.begin() as conn:
        rows = _rows(conn, kind, record_id)
    if not rows or rows[-1].action != "delete" or rows[-1].before is None:
        table = MAPPINGS[kind].table
        with store.db.begin() as conn:
            live = conn.scalar(select(table.c.id).where(table.c.id == record_id))
        if live is not None:
            raise ValueError(f"{kind} {record_id!r} is not deleted")
        raise NotFound(f"no deleted {kind} record {record_id!r}")
    record = record_from_json(kind, rows[-1].before)
    return _reinsert(store, record, record.version or 0, viewer, "undelete", reason)


def _reinsert(
    store: Store, record: Record, last_version: int, viewer: Viewer, action: str, reason: str | None
) -> Record:
    actor, now = actor_of(viewer), store.clock()
    record = record.model_copy(
        update={"version": last_version + 1, "updated_at": now, "updated_by": actor}
    )
    try:
        with store.db.begin() as conn:
            store.insert_many(conn, [record], actor, now, action=action, reason=reason)
    except IntegrityError as exc:
        missing = ", ".join(
            f"{k} {rid!r}" for k, rid in _references(record) if not _exists(store, k, rid)
        )
        raise ValueError(
            f"cannot {action} {record.kind} {record.id!r}: "
            + (
                f"it refers to {missing}, which no longer exist; undelete those first"
                if missing
                else "it is back already or clashes with a current record"
            )
        ) from exc
    return record


def _references(record: Record) -> list[tuple[str, str]]:
    return [(kind, rid) for _field, kind, rid in references(record) if kind in MAPPINGS]


def _exists(store: Store, kind: str, record_id: str) -> bool:
    table = MAPPINGS[kind].table
    with store.db.begin() as conn:
        return conn.scalar(select(table.c.id).where(table.c.id == record_id)) is not None
