"""Linkage runs: link every imported list, store the run, and read its clusters back with
the reviewers' decisions made since applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select

from civicspace.db.engine import Database
from civicspace.db.victim_lists import (
    linkage_apart,
    linkage_clusters,
    linkage_pairs,
    linkage_runs,
    victim_list_records,
)
from civicspace.victims.linkage import (
    DEFAULT_MODEL,
    LinkageResult,
    ScoredPair,
    cluster_records,
    link_records,
    pair_key,
)
from civicspace.victims.lists import _now, records_frame
from civicspace.victims.review import active_decisions

__all__ = ["clusters", "latest_run", "run_details", "run_linkage", "runs"]


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
    """The newest linkage run's id, or None before the first."""
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
