"""The victim lists themselves: import a file as a list, read its records, delete it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, or_, select

from civicspace.db.engine import Database
from civicspace.db.victim_lists import (
    linkage_apart,
    linkage_clusters,
    linkage_pairs,
    victim_list_records,
    victim_lists,
)
from civicspace.victims.importer import LIST_KINDS, ListImportError, read_list_file
from civicspace.victims.normalise import NORMALISER_VERSION, normalise

__all__ = ["ListMetadata", "delete_list", "import_list", "lists", "records_frame"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ListMetadata:
    """Who compiled a list, when, and what kind of compiler they are."""

    list_id: str
    title: str
    kind: str = "other"
    compiler: str | None = None
    compiled_on: dt.date | None = None
    notes: str | None = None


def import_list(
    db: Database,
    path: str | Path,
    meta: ListMetadata,
    mapping: dict[str, str] | None = None,
    imported_by: str | None = None,
    event_year: int = 2022,
) -> int:
    """Import a list file; returns the number of records. All or nothing."""
    problems = []
    if not _SLUG.match(meta.list_id):
        problems.append(
            f"{path}:0:list: id {meta.list_id!r} must be lower-case letters, digits, - or _"
        )
    if meta.kind not in LIST_KINDS:
        problems.append(f"{path}:0:kind: {meta.kind!r} is not one of {', '.join(LIST_KINDS)}")
    if problems:
        raise ListImportError(problems)
    rows = read_list_file(path, mapping)
    with db.begin() as conn:
        if conn.execute(select(victim_lists.c.id).where(victim_lists.c.id == meta.list_id)).first():
            raise ListImportError([f"{path}:0:list: a list {meta.list_id!r} already exists"])
        conn.execute(
            insert(victim_lists).values(
                id=meta.list_id,
                title=meta.title,
                compiler=meta.compiler,
                kind=meta.kind,
                compiled_on=meta.compiled_on,
                notes=meta.notes,
                source_file=Path(path).name,
                column_mapping=mapping or {},
                record_count=len(rows),
                imported_at=_now(),
                imported_by=imported_by,
            )
        )
        conn.execute(
            insert(victim_list_records),
            [
                {
                    "id": f"{meta.list_id}:{r.row_number}",
                    "list_id": meta.list_id,
                    "row_number": r.row_number,
                    "raw": r.raw,
                    "name": r.fields["name"],
                    "normaliser_version": NORMALISER_VERSION,
                    **normalise(r.fields, event_year=event_year),
                }
                for r in rows
            ],
        )
    return len(rows)


def lists(db: Database) -> list[dict[str, Any]]:
    """Every imported list's row (title, kind, compiler, counts), by id."""
    with db.begin() as conn:
        return [
            dict(r._mapping) for r in conn.execute(select(victim_lists).order_by(victim_lists.c.id))
        ]


def records_frame(db: Database, list_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Records with their normalised fields, as the linkage engine takes them."""
    query = select(victim_list_records, victim_lists.c.kind).join(victim_lists)
    if list_ids:
        query = query.where(victim_list_records.c.list_id.in_(list_ids))
    with db.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(victim_list_records.c.id))]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.rename(columns={"id": "unique_id", "list_id": "list_name"})


def delete_list(db: Database, list_id: str) -> None:
    """Delete a list, its records and the linkage results (pairs, clusters, pairs kept
    apart) that name them.

    Runs keep their other pairs and clusters; reviewers' decisions stay (they are kept, never
    erased) but no longer show, as their records are gone.
    """
    records = select(victim_list_records.c.id).where(victim_list_records.c.list_id == list_id)
    with db.begin() as conn:
        conn.execute(
            delete(linkage_pairs).where(
                or_(linkage_pairs.c.record_l.in_(records), linkage_pairs.c.record_r.in_(records))
            )
        )
        conn.execute(delete(linkage_clusters).where(linkage_clusters.c.record_id.in_(records)))
        conn.execute(
            delete(linkage_apart).where(
                or_(linkage_apart.c.record_l.in_(records), linkage_apart.c.record_r.in_(records))
            )
        )
        conn.execute(delete(victim_list_records).where(victim_list_records.c.list_id == list_id))
        conn.execute(delete(victim_lists).where(victim_lists.c.id == list_id))
