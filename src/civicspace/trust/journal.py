"""The store's journal: revision rows and audit entries written inside each change's transaction.

:class:`~civicspace.store.repository.Store` calls these hooks; passing
``journal=NO_JOURNAL`` to the store switches them off (the benchmark measures the cost).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, select, text, tuple_
from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.crypto import Sealed, associated_data, is_sealed
from civicspace.crypto.sealing import require_keyring
from civicspace.db.audit import revisions
from civicspace.db.engine import among_ids, bound_ids
from civicspace.model.records import Record, record_type
from civicspace.store.bulk import PreparedRows, bulk_insert, prepare_rows, write_rows
from civicspace.store.snapshot import Snapshot, record_json, snapshot
from civicspace.trust import audit

GUARD = {"public": 0, "restricted": 1, "confidential": 2}


def sealed_side(
    kind: str, record_id: str, number: int, side: str, text: str, visibility: str
) -> Any:
    """What is written for one side of a revision: the JSON, sealed when the record was
    confidential on either side (encryption at rest, see :mod:`civicspace.crypto`).

    The associated data names the record, the revision and the side, so a sealed image
    cannot be moved to another record or revision unnoticed.
    """
    if visibility != "confidential":
        return text
    return Sealed(text, revision_aad(kind, record_id, number, side))


def revision_aad(kind: str, record_id: str, number: int, side: str) -> bytes:
    """The associated data of one sealed side ("before" or "after") of a revision."""
    return associated_data(kind, record_id, f"revision {number} {side}")


def opened_side(
    conn: Connection, kind: str, record_id: str, number: int, side: str, stored: str
) -> str:
    """The JSON of one side of a revision, opened with the database's keyring when sealed."""
    if not is_sealed(stored):
        return stored
    keyring = require_keyring(conn, "confidential revisions")
    return keyring.open(stored, revision_aad(kind, record_id, number, side), conn)


def record_from_json(kind: str, text: str) -> Record:
    return record_type(kind).model_validate(json.loads(text))


def guarded(*records: Record | Snapshot | None) -> tuple[str, str]:
    """The most guarded visibility and verification among ``records`` (None ignored)."""
    present = [r for r in records if r is not None]
    visibility = max((r.visibility for r in present), key=GUARD.__getitem__)
    unverified = [r.verification for r in present if r.verification != "verified"]
    return visibility, unverified[0] if unverified else "verified"


def actor_of(viewer: Viewer) -> str:
    return viewer.name or viewer.role


@dataclass(frozen=True)
class PreparedRevisions:
    """Revision rows ready for the driver, with what the batch's audit entry says of them."""

    rows: PreparedRows
    kinds: dict[str, int]
    digest: str


def _revision_rows(
    records: Iterable[Snapshot],
    latest: dict[tuple[str, str], tuple[int, str | None]],
    actor: str,
    now: dt.datetime,
    action: str,
    reason: str | None,
) -> tuple[list[dict[str, Any]], str]:
    """One revision row per record, numbered after ``latest``; and the batch's digest."""
    rows: list[dict[str, Any]] = []
    digest = hashlib.sha256()
    for record in records:
        after = record.json
        number, before = latest.get((record.kind, record.id), (0, None))
        # An import's revisions are creates (or replaces); its audit entry says "import".
        act = "create" if action == "import" else action
        act = "replace" if act == "create" and before is not None else act
        before_record = record_from_json(record.kind, before) if before else None
        visibility, verification = (
            guarded(before_record, record)
            if before_record is not None
            else (record.visibility, record.verification)  # what guarded() gives for one
        )
        rows.append(
            {
                "kind": record.kind,
                "record_id": record.id,
                "revision": number + 1,
                "action": act,
                "actor": actor,
                "at": now,
                "reason": reason,
                "visibility": visibility,
                "verification": verification,
                "before": sealed_side(
                    record.kind, record.id, number + 1, "before", before, visibility
                )
                if before
                else None,
                "after": sealed_side(
                    record.kind, record.id, number + 1, "after", after, visibility
                ),
            }
        )
        digest.update(f"{record.kind}\x1f{record.id}\x1f{number + 1}\x1f".encode())
        digest.update(hashlib.sha256(after.encode()).digest())
    return rows, digest.hexdigest()


def _per_kind(kinds: Iterable[str]) -> dict[str, int]:
    """How many of each kind, in the order the kinds first come (a batch entry's "records")."""
    return dict(Counter(kinds))


def _batch_event(
    action: str, actor: str, kinds: dict[str, int], reason: str | None, digest: str
) -> audit.AuditEvent:
    return audit.AuditEvent(
        "import" if action in ("create", "import") else action,
        actor,
        detail={"records": kinds, "reason": reason, "revisions_sha256": digest},
    )


@cache
def _numbers(dialect: Dialect) -> Select[Any]:
    """The newest revision number of each of a list of records (of one kind)."""
    return (
        select(revisions.c.record_id, func.max(revisions.c.revision))
        .where(revisions.c.kind == bindparam("kind"), among_ids(revisions.c.record_id, dialect))
        .group_by(revisions.c.record_id)
    )


class RevisionJournal:
    """Keeps every change as a revision and audits changes, exports and confidential reads."""

    keeps_audit_head = True

    def __init__(self, audit_reads: bool = True) -> None:
        self.audit_reads = audit_reads

    # --- changes ----------------------------------------------------------------------
    def inserted(
        self,
        conn: Connection,
        records: Sequence[Record | Snapshot],
        actor: str,
        now: dt.datetime,
        action: str = "create",
        reason: str | None = None,
    ) -> None:
        """Revisions for records just inserted: one ``executemany``, one audit entry per batch.

        A record that already has revisions was deleted and is coming back (``undelete``)
        or was replaced by an import: its previous state is the last revision's ``after``.
        """
        if not records:
            return
        latest = self._latest(conn, [(r.kind, r.id) for r in records])
        snapshots = [snapshot(r) for r in records]
        rows, digest = _revision_rows(snapshots, latest, actor, now, action, reason)
        secret = any(row["visibility"] == "confidential" for row in rows)
        bulk_insert(conn, revisions, rows, secret=secret)
        if len(rows) == 1 and action != "import":
            row = rows[0]
            event = audit.AuditEvent(
                row["action"],
                actor,
                row["kind"],
                row["record_id"],
                {"revision": row["revision"], "reason": reason, "sha256": _sha(snapshots[0].json)},
            )
            self._stored(conn, 1, [event], now)
            return
        kinds = _per_kind(row["kind"] for row in rows)
        self._stored(conn, len(rows), [_batch_event(action, actor, kinds, reason, digest)], now)

    def prepare_inserted(
        self, dialect: Dialect, records: Sequence[Snapshot], actor: str, now: dt.datetime
    ) -> PreparedRevisions:
        """The revisions an import writes for new records none of which is confidential,
        as :meth:`inserted_prepared` takes them; no database needed (an import's workers)."""
        rows, digest = _revision_rows(records, {}, actor, now, "import", None)
        kinds = _per_kind(record.kind for record in records)
        return PreparedRevisions(prepare_rows(dialect, revisions, rows), kinds, digest)

    def inserted_prepared(
        self, conn: Connection, prepared: PreparedRevisions, actor: str, now: dt.datetime
    ) -> None:
        """Store revisions from :meth:`prepare_inserted`, as :meth:`inserted` would have.

        They were numbered as the records' first; a record that has revisions (it was deleted
        and is imported again) needs its previous state, so then the batch is redone here.
        """
        values = prepared.rows.values
        if not values:
            return
        at = {name: i for i, name in enumerate(prepared.rows.columns)}
        key = itemgetter(at["kind"], at["record_id"])
        if self._latest(conn, [key(row) for row in values]):
            fields = itemgetter(
                *(at[c] for c in ("kind", "record_id", "visibility", "verification", "after"))
            )
            snapshots = [Snapshot(*fields(row)) for row in values]
            self.inserted(conn, snapshots, actor, now, "import")
            return
        write_rows(conn, prepared.rows)
        event = _batch_event("import", actor, prepared.kinds, None, prepared.digest)
        self._stored(conn, len(values), [event], now)

    @staticmethod
    def _stored(
        conn: Connection, count: int, events: list[audit.AuditEvent], now: dt.datetime
    ) -> None:
        if count >= 1000 and conn.dialect.name == "postgresql":
            # A bulk import grows the table inside one transaction, out of autovacuum's
            # sight; without fresh statistics the next batch's look-up scans the table.
            conn.execute(text("ANALYZE revisions"))
        audit.append(conn, events, now)

    def changed(
        self,
        conn: Connection,
        before: Record,
        after: Record | None,
        actor: str,
        now: dt.datetime,
        action: str,
        reason: str | None = None,
    ) -> int:
        """A revision for an update (``after`` set) or a delete (``after`` None); its number.

        The number is computed by the INSERT itself (one round trip fewer); the change's
        row lock on the record keeps two writers from computing the same one.
        """
        before_text = record_json(before)
        after_text = record_json(after) if after is not None else None
        visibility, verification = guarded(before, after)
        latest = (
            select(func.coalesce(func.max(revisions.c.revision), 0))
            .where(revisions.c.kind == before.kind, revisions.c.record_id == before.id)
            .scalar_subquery()
        )
        # Sealing needs the number for the associated data, so sealed revisions ask first.
        number = (conn.scalar(select(latest)) or 0) + 1 if visibility == "confidential" else None
        values: dict[str, Any] = {
            "kind": before.kind,
            "record_id": before.id,
            "revision": number if number is not None else latest + 1,
            "action": action,
            "actor": actor,
            "at": now,
            "reason": reason,
            "visibility": visibility,
            "verification": verification,
            "before": before_text,
            "after": after_text,
        }
        if number is not None:
            values["before"] = sealed_side(
                before.kind, before.id, number, "before", before_text, visibility
            )
            values["after"] = (
                sealed_side(before.kind, before.id, number, "after", after_text, visibility)
                if after_text
                else None
            )
        number = conn.execute(
            insert(revisions).values(**values).returning(revisions.c.revision)
        ).scalar_one()
        number = int(number)
        detail = {"revision": number, "reason": reason, "sha256": _sha(after_text or before_text)}
        audit.append(conn, [audit.AuditEvent(action, actor, before.kind, before.id, detail)], now)
        return number

    def _latest(
        self, conn: Connection, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, str | None]]:
        """The newest revision number and ``after`` JSON of each record that has revisions."""
        by_kind: dict[str, list[str]] = {}
        for kind, rid in keys:
            by_kind.setdefault(kind, []).append(rid)
        found: dict[tuple[str, str], tuple[int, str | None]] = {}
        for kind, ids in by_kind.items():
            if conn.scalar(select(revisions.c.id).where(revisions.c.kind == kind).limit(1)) is None:
                continue  # the first import of this kind: nothing to look up
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                # Which of these ids have revisions at all, and their newest number: answered
                # from the (kind, record_id, revision) index alone. A fresh import's ids have
                # none, so nothing more is read.
                ids_param = bound_ids(chunk, conn.dialect)
                query = _numbers(conn.dialect)
                numbers: dict[str, int] = {
                    rid: n for rid, n in conn.execute(query, {"kind": kind, "ids": ids_param})
                }
                if not numbers:
                    continue
                rows = conn.execute(
                    select(revisions.c.record_id, revisions.c.revision, revisions.c.after).where(
                        revisions.c.kind == kind,
                        tuple_(revisions.c.record_id, revisions.c.revision).in_(
                            list(numbers.items())
                        ),
                    )
                )
                for r in rows:
                    after = (
                        opened_side(conn, kind, r.record_id, r.revision, "after", r.after)
                        if r.after
                        else None
                    )
                    found[(kind, r.record_id)] = (r.revision, after)
        return found

    # --- reads ------------------------------------------------------------------------
    def read(
        self, conn: Connection, viewer: Viewer, kind: str, ids: Sequence[str], now: dt.datetime
    ) -> None:
        """Audit a read that returned the confidential records ``ids`` (one entry per call)."""
        if not self.audit_reads or not ids:
            return
        rid = ids[0] if len(ids) == 1 else None
        event = audit.AuditEvent("read", actor_of(viewer), kind, rid, {"ids": list(ids)})
        audit.append(conn, [event], now)

    def exported(
        self,
        conn: Connection,
        viewer: Viewer,
        kind: str,
        count: int,
        confidential_ids: Sequence[str],
        now: dt.datetime,
    ) -> None:
        detail = {"records": count, "confidential_ids": list(confidential_ids)}
        audit.append(conn, [audit.AuditEvent("export", actor_of(viewer), kind, None, detail)], now)


class NoJournal:
    """Keeps nothing: no revisions, no audit (for measuring what the journal costs)."""

    audit_reads = False
    keeps_audit_head = False

    def inserted(self, *args: Any, **kwargs: Any) -> None:
        return None

    def prepare_inserted(self, *args: Any, **kwargs: Any) -> None:
        return None

    def inserted_prepared(self, *args: Any, **kwargs: Any) -> None:
        return None

    def changed(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def read(self, *args: Any, **kwargs: Any) -> None:
        return None

    def exported(self, *args: Any, **kwargs: Any) -> None:
        return None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
