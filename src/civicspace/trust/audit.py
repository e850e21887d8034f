"""The audit trail: an append-only log whose entries are chained by SHA-256.

Each entry's hash covers the previous entry's hash and the entry's own canonical JSON,
so changing, removing or reordering any entry breaks every link after it. Publish
:func:`head` somewhere outside the database and :func:`verify` can later prove the
chain still contains that state.

>>> entry_hash(GENESIS, {"seq": 1, "action": "login"})[:12]
'6f8445e72b71'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, LargeBinary, bindparam, insert, select, text, update

from civicspace.db.audit import audit_head, audit_log
from civicspace.db.engine import Database
from civicspace.trust.files import atomic_file

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "actor", "action", "kind", "record_id", "detail")


@dataclass(frozen=True)
class AuditEvent:
    """What happened: ``action`` by ``actor``, about a record when ``kind``/``record_id`` are set."""

    action: str
    actor: str
    kind: str | None = None
    record_id: str | None = None
    detail: dict[str, Any] | None = None


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    content = canonical({k: entry.get(k) for k in HASHED_FIELDS})
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def append(conn: Connection, events: Sequence[AuditEvent], now: dt.datetime) -> str:
    """Append ``events`` in the caller's transaction; returns the new head hash.

    The head row is locked *first*, which serialises writers (a row lock on PostgreSQL,
    the database write lock on SQLite), and only then read. On PostgreSQL one event is
    appended by one statement (see :data:`_APPEND_ONE`); every confidential read pays
    for an append, and each round trip counted.
    """
    if not events:
        return ""
    at = now.astimezone(dt.UTC).isoformat()
    if len(events) == 1 and conn.dialect.name == "postgresql":
        appended = _append_one(conn, events[0], at)
        if appended is not None:
            return appended
    head = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(seq=audit_head.c.seq + len(events))
        .returning(audit_head.c.seq, audit_head.c.hash)
    ).first()
    if head is None:  # a database emptied by hand (TRUNCATE) lost its head row
        conn.execute(insert(audit_head).values(id=1, seq=len(events), hash=GENESIS))
        seq, prev = 0, GENESIS
    else:
        seq, prev = head.seq - len(events), head.hash
    rows = []
    for event in events:
        seq += 1
        row = _row(event, at, seq)
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, row)
        rows.append(row)
    conn.execute(insert(audit_log), rows)
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=prev))
    return prev


def _row(event: AuditEvent, at: str, seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at,
        "actor": event.actor,
        "action": event.action,
        "kind": event.kind,
        "record_id": event.record_id,
        "detail": canonical(event.detail or {}),
    }


# One entry in one round trip: lock the head and read it (FOR UPDATE waits for a concurrent
# appender and then returns the row as it committed it), insert the entry with its hash
# computed by the server, move the head. The hashed bytes are those of :func:`entry_hash`:
# the canonical JSON sorts its keys and "seq" comes last, so the client sends everything
# before the number (``:content``, UTF-8) and the server appends the number and "}".
_APPEND_ONE = text(
    """
    WITH prev AS (
        SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE
    ), entry AS (
        INSERT INTO audit_log (seq, at, actor, action, kind, record_id, detail, prev_hash, hash)
        SELECT prev.seq + 1, :at, :actor, :action, :kind, :record_id, :detail, prev.hash,
               encode(sha256(convert_to(prev.hash, 'UTF8') || :content
                             || convert_to(CAST(prev.seq + 1 AS text) || '}', 'UTF8')), 'hex')
        FROM prev
        RETURNING seq, hash
    )
    UPDATE audit_head SET seq = entry.seq, hash = entry.hash
    FROM entry WHERE audit_head.id = 1
    RETURNING audit_head.hash
    """
).bindparams(bindparam("content", type_=LargeBinary))


def _append_one(conn: Connection, event: AuditEvent, at: str) -> str | None:
    """Append one event with :data:`_APPEND_ONE`; None when the head row is missing."""
    row = _row(event, at, 0)
    hashed = canonical({k: row[k] for k in HASHED_FIELDS})
    if not hashed.endswith(',"seq":0}'):  # keys sorted: "seq" must stay the last one
        raise AssertionError("the audit entry's canonical form no longer ends with its seq")
    params = {k: v for k, v in row.items() if k != "seq"}
    return conn.execute(_APPEND_ONE, {**params, "content": hashed[:-2].encode()}).scalar()


def head(conn: Connection) -> tuple[int, str]:
    """The sequence number and hash of the newest entry (0 and the genesis hash when empty)."""
    row = conn.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def entries(conn: Connection, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every entry in sequence order, read in batches (the log can be long)."""
    last = 0
    while True:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield dict(r._mapping)
        last = rows[-1].seq


@dataclass
class Verdict:
    ok: bool
    entries: int
    head: str
    broken_at: int | None = None
    problem: str | None = None
    published_head_found: bool | None = None

    def message(self) -> str:
        if self.ok:
            text = f"audit chain intact: {self.entries} entries, head {self.head}"
            if self.published_head_found:
                text += " (the published head is in the chain)"
            return text
        where = f" at entry {self.broken_at}" if self.broken_at is not None else ""
        return f"audit chain broken{where}: {self.problem}"


def verify(conn: Connection, published_head: str | None = None) -> Verdict:
    """Recompute the chain; name the first entry that was altered, removed or moved."""
    expected_seq, prev, count = 1, GENESIS, 0
    found_published = published_head is None or published_head == GENESIS
    for entry in entries(conn):
        seq = entry["seq"]
        if seq != expected_seq:
            what = "is missing" if seq > expected_seq else "is out of order"
            return Verdict(False, count, prev, expected_seq, f"entry {expected_seq} {what}")
        if entry["prev_hash"] != prev:
            return Verdict(
                False,
                count,
                prev,
                seq,
                "its link to the previous entry is broken (an earlier entry was removed or moved)",
            )
        if entry_hash(prev, entry) != entry["hash"]:
            return Verdict(False, count, prev, seq, "its content was altered")
        prev = entry["hash"]
        found_published = found_published or prev == published_head
        expected_seq += 1
        count += 1
    head_seq, head_hash = head(conn)
    if (head_seq, head_hash) != (count, prev):
        return Verdict(
            False,
            count,
            prev,
            count + 1,
            f"the head says entry {head_seq} with hash {head_hash[:12]}..., but the log ends at "
            f"entry {count}: entries were removed from the end",
        )
    if not found_published:
        return Verdict(
            False,
            count,
            prev,
            None,
            f"the published head {published_head} is not in the chain: it was rewritten",
        )
    return Verdict(True, count, prev, published_head_found=published_head is not None)


def export_lines(db: Database, out: Path, actor: str) -> int:
    """Write the whole chain to ``out`` as JSON lines (the export itself is logged first)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.begin() as conn:
        append(conn, [AuditEvent("audit-export", actor, detail={"file": out.name})], now)
    count = 0
    with atomic_file(out) as handle, db.begin() as conn:
        for entry in entries(conn):
            handle.write((canonical(entry) + "\n").encode("utf-8"))
            count += 1
    return count


def record_login(db: Database, name: str, succeeded: bool, client: str = "") -> None:
    """Log a login attempt, successful or not, with the client address."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    action = "login" if succeeded else "login-failed"
    with db.begin() as conn:
        append(conn, [AuditEvent(action, name[:200], detail={"client": client})], now)
