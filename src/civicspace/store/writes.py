"""Writing records: bulk inserts and replacements for imports, and the one-record save and
delete with optimistic concurrency, reference checks and the journal, each on the
caller's connection (inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.model.records import Record
from civicspace.store.bulk import bulk_insert, write_rows
from civicspace.store.errors import IdTaken, NotFound, VersionConflict
from civicspace.store.journal import Clock, Journal
from civicspace.store.mapping import MAPPINGS, group_rows, load_records, record_rows
from civicspace.store.prepared import PreparedInsert, stamped_rows
from civicspace.store.redaction import check_references, keep_hidden, redact
from civicspace.store.search import index_records, remove_documents, write_documents
from civicspace.store.search_index import quoting

Written = Mapping[tuple[str, str], Record]


def insert_many(
    conn: Connection,
    journal: Journal,
    records: Sequence[Record],
    actor: str,
    now: dt.datetime,
    *,
    action: str = "create",
    reason: str | None = None,
    written: Written | None = None,
) -> None:
    """Insert new records in bulk (one ``executemany`` per table), index and journal them."""
    grouped = stamped_rows(records, actor, now)
    secret = any(r.visibility == "confidential" for r in records)
    for table in t.metadata.sorted_tables:
        rows = grouped.get(table)
        if rows:
            bulk_insert(conn, table, rows, secret=secret)
    index_records(conn, records, new=True, written=written)
    journal.inserted(conn, records, actor, now, action, reason)


def insert_prepared(
    conn: Connection, journal: Journal, batch: PreparedInsert, actor: str, now: dt.datetime
) -> None:
    """Store rows, documents and revisions that :func:`prepare_insert` built."""
    for rows in batch.tables:
        write_rows(conn, rows)
    write_documents(conn, batch.documents)
    journal.inserted_prepared(conn, batch.revisions, actor, now)


def _with_stored_provenance(conn: Connection, records: Sequence[Record]) -> list[Record]:
    """``records`` (each replacing a stored one) with the stored record's ``created_at`` and
    ``created_by``: who first entered a record is the store's to say, never a file's
    (``save`` keeps them the same way)."""
    created: dict[tuple[str, str], tuple[Any, Any]] = {}
    for kind in {r.kind for r in records}:
        table = MAPPINGS[kind].table
        ids = [r.id for r in records if r.kind == kind]
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(table.c.id, table.c.created_at, table.c.created_by).where(
                    table.c.id.in_(ids[start : start + 500])
                )
            )
            created.update(((kind, row.id), (row.created_at, row.created_by)) for row in rows)
    out = []
    for record in records:
        at, by = created[(record.kind, record.id)]
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)  # SQLite drops the zone; the store writes UTC
        out.append(record.model_copy(update={"created_at": at, "created_by": by}))
    return out


def replace_many(
    conn: Connection,
    journal: Journal,
    records: Sequence[Record],
    actor: str,
    now: dt.datetime,
    written: Written | None = None,
) -> None:
    """Replace stored records in bulk, main rows updated in place (see ``Store.replace_many``);
    each keeps the stored record's ``created_at`` and ``created_by``."""
    records = _with_stored_provenance(conn, records)
    grouped = group_rows(records)
    for kind in sorted({r.kind for r in records}):
        mapping = MAPPINGS[kind]
        ids = [r.id for r in records if r.kind == kind]
        rows = [row for row in grouped[mapping.table] if row["id"] in set(ids)]
        for row in rows:
            row["updated_at"] = row["updated_at"] or now
            row["updated_by"] = row["updated_by"] or actor
            row["created_at"] = row["created_at"] or now
            row["created_by"] = row["created_by"] or actor
            row["version"] = row["version"] or 1
            row["b_id"] = row["id"]
        columns = [c for c in mapping.table.columns if c.name != "id"]
        conn.execute(
            update(mapping.table)
            .where(mapping.table.c.id == bindparam("b_id"))
            .values({c.name: bindparam(c.name) for c in columns}),
            rows,
        )
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for coll in mapping.collections:
                conn.execute(delete(coll.table).where(coll.table.c.parent_id.in_(chunk)))
            conn.execute(
                delete(t.citations).where(
                    t.citations.c.record_kind == kind, t.citations.c.record_id.in_(chunk)
                )
            )
    secret = any(r.visibility == "confidential" for r in records)
    main_tables = {MAPPINGS[k].table for k in MAPPINGS}
    for table in t.metadata.sorted_tables:
        child_rows = grouped.get(table)
        if child_rows and table not in main_tables:
            bulk_insert(conn, table, child_rows, secret=secret)
    # The documents quoting a replaced person's names follow a rename or a hidden person.
    index_records(conn, [*records, *quoting(conn, records)], written=written)
    journal.inserted(conn, records, actor, now, "replace", None)


def save(
    conn: Connection,
    journal: Journal,
    clock: Clock,
    record: Record,
    viewer: Viewer,
    expected_version: int | None = None,
    *,
    reason: str | None = None,
    action: str | None = None,
) -> Record:
    """Create ``record`` or replace the stored one (see ``Store.save``); returns it as
    ``viewer`` may see it."""
    viewer.require_write()
    # Re-validate: a model_copy(update=...) by a caller skips validation.
    record = type(record).model_validate(record.model_dump())
    if record.visibility == "confidential" or record.verification == "verified":
        viewer.require_publish()
    table = MAPPINGS[record.kind].table
    current = conn.execute(
        select(table.c.version, table.c.created_at, table.c.created_by, table.c.visibility)
        .where(table.c.id == record.id)
        .with_for_update()
    ).first()
    now = clock()
    if current is None:
        if expected_version not in (None, 0):
            raise NotFound(f"{record.kind} {record.id!r} does not exist")
        saved = _create(conn, journal, record, viewer, now, action, reason)
    else:
        if expected_version == 0:  # a create: the same answer whoever may read the holder
            raise IdTaken(f"{record.kind} id {record.id!r} is taken: choose another id")
        if not viewer.can_read(current.visibility, "verified"):
            raise NotFound(f"{record.kind} {record.id!r} does not exist")
        if expected_version is not None and expected_version != current.version:
            raise VersionConflict(
                f"{record.kind} {record.id!r} is at version {current.version}, "
                f"not {expected_version}: reload it and apply your change again"
            )
        saved = _update(conn, journal, record, current.version, viewer, now, action, reason)
    return redact(conn, [saved], viewer)[0]


def _create(
    conn: Connection,
    journal: Journal,
    record: Record,
    viewer: Viewer,
    now: dt.datetime,
    action: str | None,
    reason: str | None,
) -> Record:
    check_references(conn, record, None, viewer)
    actor = viewer.name or viewer.role
    saved = record.model_copy(
        update={
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
            "version": 1,
        }
    )
    insert_many(conn, journal, [saved], actor, now, action=action or "create", reason=reason)
    return saved


def _update(
    conn: Connection,
    journal: Journal,
    record: Record,
    version: int,
    viewer: Viewer,
    now: dt.datetime,
    action: str | None,
    reason: str | None,
) -> Record:
    # The stored record, as loaded (timestamps in UTC on every database).
    before = load_records(conn, record.kind, [record.id])[0]
    record = keep_hidden(conn, before, record, viewer)
    check_references(conn, record, before, viewer)
    actor = viewer.name or viewer.role
    saved = record.model_copy(
        update={
            "created_at": before.created_at,
            "created_by": before.created_by,
            "updated_at": now,
            "updated_by": actor,
            "version": version + 1,
        }
    )
    table = MAPPINGS[record.kind].table
    rows = record_rows(saved)
    result = conn.execute(
        update(table)
        .where(table.c.id == record.id, table.c.version == version)
        .values(**rows.pop(table)[0])
    )
    if result.rowcount != 1:
        raise VersionConflict(f"{record.kind} {record.id!r} changed while saving")
    _replace_children(conn, saved, rows)
    index_records(conn, [saved, *quoting(conn, [saved])])
    journal.changed(conn, before, saved, actor, now, action or "update", reason)
    return saved


def _replace_children(
    conn: Connection, record: Record, rows: dict[Table, list[dict[str, Any]]]
) -> None:
    for coll in MAPPINGS[record.kind].collections:
        conn.execute(delete(coll.table).where(coll.table.c.parent_id == record.id))
    conn.execute(
        delete(t.citations).where(
            t.citations.c.record_kind == record.kind, t.citations.c.record_id == record.id
        )
    )
    for table, child_rows in rows.items():
        if child_rows:
            conn.execute(insert(table), child_rows)


def delete_record(
    conn: Connection,
    journal: Journal,
    clock: Clock,
    kind: str,
    record_id: str,
    viewer: Viewer,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    """Remove a record from the live tables (see ``Store.delete``)."""
    viewer.require_write()
    table = MAPPINGS[kind].table
    current = conn.execute(
        select(table.c.version, table.c.visibility).where(table.c.id == record_id)
    ).first()
    if current is None or not viewer.can_read(current.visibility, "verified"):
        raise NotFound(f"{kind} {record_id!r} does not exist")
    if expected_version is not None and expected_version != current.version:
        raise VersionConflict(f"{kind} {record_id!r} is at version {current.version}")
    before = load_records(conn, kind, [record_id])[0]  # kept whole in the revision
    conn.execute(
        delete(t.citations).where(
            t.citations.c.record_kind == kind, t.citations.c.record_id == record_id
        )
    )
    remove_documents(conn, [(kind, record_id)])
    result = conn.execute(
        delete(table).where(table.c.id == record_id, table.c.version == current.version)
    )
    if result.rowcount != 1:
        raise VersionConflict(f"{kind} {record_id!r} changed while deleting")
    journal.changed(conn, before, None, viewer.name or viewer.role, clock(), "delete", reason)
