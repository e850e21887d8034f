"""Reviewers' word on pairs of records: decisions kept as rows, the queue still undecided,
and the pairs as record cards a reviewer compares side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, select, update

from civicspace.db.engine import Database
from civicspace.db.victim_lists import (
    linkage_pairs,
    linkage_runs,
    review_decisions,
    victim_list_records,
    victim_lists,
)
from civicspace.victims.linkage import pair_key
from civicspace.victims.lists import _now

__all__ = [
    "DECISIONS",
    "DecidedPair",
    "RecordCard",
    "ReviewPair",
    "active_decisions",
    "decide",
    "decided_pairs",
    "record_cards",
    "review_pairs",
    "review_queue",
]

DECISIONS = ("same", "different")


def active_decisions(db: Database) -> dict[tuple[str, str], str]:
    """The decisions in force (not soft-deleted), by ordered pair of record ids."""
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
