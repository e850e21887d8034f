"""The victim-list services the CLI and the web app call: import, link, review, export.

Each takes a :class:`~civicspace.db.engine.Database`; nothing here knows about terminals
or HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import and_, delete, insert, or_, select, update

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.db.engine import Database
from civicspace.db.victim_lists import (
    linkage_apart,
    linkage_clusters,
    linkage_pairs,
    linkage_runs,
    review_decisions,
    victim_list_records,
    victim_lists,
)
from civicspace.victims.importer import LIST_KINDS, ListImportError, read_list_file
from civicspace.victims.linkage import (
    DEFAULT_MODEL,
    LinkageResult,
    ScoredPair,
    cluster_records,
    link_records,
    pair_key,
)
from civicspace.victims.normalise import NORMALISER_VERSION, normalise

DECISIONS = ("same", "different")
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


def active_decisions(db: Database) -> dict[tuple[str, str], str]:
    with db.begin() as conn:
        rows = conn.execute(
            select(
                review_decisions.c.record_l,
                review_decisions.c.record_r,
                review_decisions.c.decision,
            ).where(review_decisions.c.deleted_at.is_(None))
        )
        return {(r.record_l, r.record_r): r.decision for r in rows}


def decide(
    db: Database, a: str, b: str, decision: str, decided_by: str, note: str | None = None
) -> None:
    """Record a reviewer's decision on a pair; an earlier one is soft-deleted, not changed."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    left, right = pair_key(a, b)
    now = _now()
    with db.begin() as conn:
        known = conn.execute(
            select(victim_list_records.c.id).where(victim_list_records.c.id.in_([left, right]))
        ).all()
        if len(known) != 2:
            raise ValueError(f"unknown record in pair {left!r}, {right!r}")
        conn.execute(
            update(review_decisions)
            .where(
                and_(
                    review_decisions.c.record_l == left,
                    review_decisions.c.record_r == right,
                    review_decisions.c.deleted_at.is_(None),
                )
            )
            .values(deleted_at=now, deleted_by=decided_by)
        )
        conn.execute(
            insert(review_decisions).values(
                record_l=left,
                record_r=right,
                decision=decision,
                note=note,
                decided_by=decided_by,
                decided_at=now,
            )
        )


def run_linkage(
    db: Database,
    *,
    engine: str = "duckdb",
    model: str = DEFAULT_MODEL,
    threshold: float | None = None,
    created_by: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, LinkageResult]:
    """Link every imported list; store pairs, clusters and the pairs kept apart (v3), so
    :func:`clusters` can redo the run's clustering later. Decisions override the model."""
    frame = records_frame(db)
    if frame.empty or frame["list_name"].nunique() < 2:
        raise ValueError("import at least two lists before linking")
    started = _now()
    result = link_records(
        frame,
        model=model,
        engine=engine,
        threshold=threshold,
        decisions=active_decisions(db),
        progress=progress,
    )
    with db.begin() as conn:
        run_id = conn.execute(
            insert(linkage_runs)
            .values(
                started_at=started,
                seconds=result.seconds,
                engine=result.engine,
                model_version=result.model_version,
                threshold=result.threshold,
                lists=sorted(frame["list_name"].unique()),
                parameters=result.parameters,
                created_by=created_by,
            )
            .returning(linkage_runs.c.id)
        ).scalar_one()
        seen: set[tuple[str, str]] = set()
        pair_rows = []
        for p in result.pairs:
            key = pair_key(p.left, p.right)
            if key not in seen:
                seen.add(key)
                pair_rows.append(
                    {
                        "run_id": run_id,
                        "record_l": key[0],
                        "record_r": key[1],
                        "match_probability": p.probability,
                    }
                )
        if pair_rows:
            conn.execute(insert(linkage_pairs), pair_rows)
        apart = sorted({pair_key(a, b) for a, b in result.apart})
        if apart:
            conn.execute(
                insert(linkage_apart),
                [{"run_id": run_id, "record_l": a, "record_r": b} for a, b in apart],
            )
        conn.execute(
            insert(linkage_clusters),
            [
                {"run_id": run_id, "record_id": r, "cluster_id": c}
                for r, c in result.clusters.items()
            ],
        )
    return run_id, result


def latest_run(db: Database) -> int | None:
    with db.begin() as conn:
        return conn.execute(
            select(linkage_runs.c.id).order_by(linkage_runs.c.id.desc()).limit(1)
        ).scalar()


def clusters(db: Database, run_id: int) -> dict[str, str]:
    """record id -> cluster id of a run, re-clustered with the decisions made since, so a
    reviewer's word takes effect without re-running the model. Pairs the run kept apart
    stay apart unless a reviewer said "same"."""
    with db.begin() as conn:
        threshold = conn.execute(
            select(linkage_runs.c.threshold).where(linkage_runs.c.id == run_id)
        ).scalar_one()
        members = conn.execute(
            select(linkage_clusters.c.record_id, victim_list_records.c.list_id)
            .join(victim_list_records, victim_list_records.c.id == linkage_clusters.c.record_id)
            .where(linkage_clusters.c.run_id == run_id)
        ).all()
        pairs = conn.execute(select(linkage_pairs).where(linkage_pairs.c.run_id == run_id)).all()
        apart = conn.execute(
            select(linkage_apart.c.record_l, linkage_apart.c.record_r).where(
                linkage_apart.c.run_id == run_id
            )
        ).all()
    return cluster_records(
        {m.record_id: m.list_id for m in members},
        [ScoredPair(p.record_l, p.record_r, p.match_probability) for p in pairs],
        threshold,
        active_decisions(db),
        apart=[(a.record_l, a.record_r) for a in apart],
    )


def review_queue(
    db: Database, run_id: int, floor: float = 0.2, limit: int | None = None
) -> list[dict[str, Any]]:
    """Pairs below the run's threshold but above ``floor`` with no decision yet."""
    decided = active_decisions(db)
    with db.begin() as conn:
        threshold = conn.execute(
            select(linkage_runs.c.threshold).where(linkage_runs.c.id == run_id)
        ).scalar_one()
        left, right = victim_list_records.alias(), victim_list_records.alias()
        pairs = conn.execute(  # joined to both records: a deleted list's pairs never show
            select(linkage_pairs)
            .join(left, left.c.id == linkage_pairs.c.record_l)
            .join(right, right.c.id == linkage_pairs.c.record_r)
            .where(
                linkage_pairs.c.run_id == run_id,
                linkage_pairs.c.match_probability >= floor,
                linkage_pairs.c.match_probability < threshold,
            )
            .order_by(linkage_pairs.c.match_probability.desc())
        ).all()
        wanted = [p for p in pairs if (p.record_l, p.record_r) not in decided][:limit]
        ids = {p.record_l for p in wanted} | {p.record_r for p in wanted}
        records = (
            {
                r.id: dict(r._mapping)
                for r in conn.execute(
                    select(victim_list_records).where(victim_list_records.c.id.in_(ids))
                )
            }
            if ids
            else {}
        )
    return [
        {
            "left": records[p.record_l],
            "right": records[p.record_r],
            "probability": p.match_probability,
        }
        for p in wanted
    ]


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


# --- reviewing pairs in the web app ------------------------------------------------------------
#
# Victim lists name dead and detained people and carry no visibility of their own, so they are
# working material of the staff who link them: the roles that create records (researchers,
# editors, admins) read the lists and the review queue; the roles that verify records (editors,
# admins) decide whether two records are one person. Viewers and the public never see them.


def can_read_lists(viewer: Viewer) -> bool:
    return viewer.can_write


def can_decide_pairs(viewer: Viewer) -> bool:
    return viewer.can_publish


def require_list_reader(viewer: Viewer) -> None:
    if not can_read_lists(viewer):
        raise AccessDenied(
            f"role {viewer.role!r} cannot read victim lists; researchers, editors and admins can"
        )


def require_pair_decider(viewer: Viewer) -> None:
    if not can_decide_pairs(viewer):
        raise AccessDenied(
            f"role {viewer.role!r} cannot decide linkage pairs; editors and admins can"
        )


@dataclass(frozen=True)
class RecordCard:
    """One list record as a reviewer compares it: fields as the list wrote them beside the
    keys linkage compared (``name_key`` "mamai zh. s." for "Мамай Ж.С.")."""

    id: str
    list_id: str
    list_title: str
    row_number: int
    name: str
    name_key: str
    gender: str | None
    age: str
    birth_year: int | None
    date: str
    place: str
    place_key: str | None


@dataclass(frozen=True)
class ReviewPair:
    left: RecordCard
    right: RecordCard
    probability: float


@dataclass(frozen=True)
class DecidedPair:
    left: RecordCard
    right: RecordCard
    decision: str
    note: str | None
    decided_by: str
    decided_at: dt.datetime


def _name_key(row: Any) -> str:
    parts = [
        row.surname_key,
        row.given_key or (f"{row.given_initial}." if row.given_initial else None),
        row.patronymic_key or (f"{row.patronymic_initial}." if row.patronymic_initial else None),
    ]
    return " ".join(p for p in parts if p)


def record_cards(db: Database, ids: Sequence[str]) -> dict[str, RecordCard]:
    """Cards of the records with these ids (unknown ids are left out)."""
    if not ids:
        return {}
    query = (
        select(victim_list_records, victim_lists.c.title, victim_lists.c.column_mapping)
        .join(victim_lists)
        .where(victim_list_records.c.id.in_(set(ids)))
    )
    with db.begin() as conn:
        rows = conn.execute(query).all()
    cards = {}
    for row in rows:
        # The raw fields keep the file's own column names; the list's mapping says which
        # column held the age, date and place (columns named like our fields map themselves).
        mapping = row.column_mapping or {}

        def written(field: str, row: Any = row, mapping: dict[str, str] = mapping) -> str:
            return str(row.raw.get(mapping.get(field, field)) or "").strip()

        cards[row.id] = RecordCard(
            id=row.id,
            list_id=row.list_id,
            list_title=row.title,
            row_number=row.row_number,
            name=row.name,
            name_key=_name_key(row),
            gender=row.gender,
            age=written("age"),
            birth_year=row.birth_year,
            date=written("date"),
            place=written("place"),
            place_key=row.place_key,
        )
    return cards


def run_details(db: Database, run_id: int) -> dict[str, Any] | None:
    """A linkage run's row (when, model, engine, threshold, lists), or None."""
    with db.begin() as conn:
        row = conn.execute(select(linkage_runs).where(linkage_runs.c.id == run_id)).first()
    return dict(row._mapping) if row else None


def runs(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """The latest linkage runs, newest first, without their model parameters."""
    columns = [c for c in linkage_runs.c if c.name != "parameters"]
    with db.begin() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(select(*columns).order_by(linkage_runs.c.id.desc()).limit(limit))
        ]


def review_pairs(db: Database, run_id: int, limit: int | None = None) -> list[ReviewPair]:
    """:func:`review_queue` as record cards, most probable pair first."""
    queue = review_queue(db, run_id, limit=limit)
    cards = record_cards(db, [r[side]["id"] for r in queue for side in ("left", "right")])
    return [
        ReviewPair(cards[r["left"]["id"]], cards[r["right"]["id"]], r["probability"]) for r in queue
    ]


def decided_pairs(db: Database, limit: int = 100) -> list[DecidedPair]:
    """Reviewers' decisions in force, newest first (pairs whose list was deleted are left out)."""
    with db.begin() as conn:
        rows = conn.execute(
            select(review_decisions)
            .where(review_decisions.c.deleted_at.is_(None))
            .order_by(review_decisions.c.id.desc())
            .limit(limit)
        ).all()
    cards = record_cards(db, [i for r in rows for i in (r.record_l, r.record_r)])
    return [
        DecidedPair(
            cards[r.record_l], cards[r.record_r], r.decision, r.note, r.decided_by, r.decided_at
        )
        for r in rows
        if r.record_l in cards and r.record_r in cards
    ]
