"""Suggest a civic space score from the records, record official ratings, read history.

``suggest_rating`` reads the trailing window's incidents, the laws, and the custody cases
through the store (so the viewer's rights apply), scores them with the method named in
``weights.yaml`` and explains each indicator's share. The band moves off the current
official band only when the score crosses that band's boundary (by more than
``band_margin``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from civicspace.access.policy import Viewer
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import (
    Citation,
    Incident,
    Law,
    LegalCase,
    Rating,
    Record,
    band_for_score,
)
from civicspace.model.vocabulary import vocabulary
from civicspace.rating import method_v1
from civicspace.rating.method_v1 import IndicatorResult
from civicspace.store.repository import RecordQuery, Store


@cache
def weights() -> dict[str, Any]:
    """The method's settings and indicator weights from ``weights.yaml``, checked."""
    text = resources.files("civicspace.rating").joinpath("weights.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    if data.get("method") != "v1":
        raise ValueError(f"weights.yaml: unknown method {data.get('method')!r}")
    total = sum(float(i["weight"]) for i in data["indicators"].values())
    if total > 99:
        raise ValueError(f"weights.yaml: weights sum to {total}, more than 99")
    for key, ind in data["indicators"].items():
        if ind["kind"] not in ("incidents", "laws", "custody", "killings") or ind["scale"] <= 0:
            raise ValueError(f"weights.yaml: indicator {key!r} is malformed")
    return data


@dataclass(frozen=True)
class Suggestion:
    country: str
    at: dt.date
    window_from: dt.date
    score: int
    score_band: str
    current_band: str | None
    suggested_band: str
    changes: bool
    indicators: list[IndicatorResult]
    method: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "at": self.at.isoformat(),
            "window_from": self.window_from.isoformat(),
            "method": self.method,
            "score": self.score,
            "score_band": self.score_band,
            "current_band": self.current_band,
            "suggested_band": self.suggested_band,
            "band_changes": self.changes,
            "indicators": [i.as_dict() for i in self.indicators],
        }


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)


def _all(store: Store, kind: str, viewer: Viewer, query: RecordQuery) -> list[Record]:
    items: list[Record] = []
    while True:
        page = store.list(kind, viewer, query)
        items.extend(page.items)
        query = dataclasses.replace(query, offset=query.offset + query.limit)
        if query.offset >= page.total or not page.items:
            return items


def rating_history(store: Store, viewer: Viewer, country: str) -> list[Rating]:
    """Official ratings of ``country`` that ``viewer`` may read, oldest first."""
    query = RecordQuery(country=country.upper(), limit=1000)
    ratings = [r for r in _all(store, "ratings", viewer, query) if isinstance(r, Rating)]
    return sorted(ratings, key=lambda r: (r.date.earliest, r.id))


def current_rating(ratings: list[Rating], at: dt.date) -> Rating | None:
    before = [r for r in ratings if r.date.earliest <= at]
    return before[-1] if before else None


def banded(score: int, current: str | None, margin: int) -> str:
    """The band to suggest: the current one unless ``score`` is past its boundary."""
    band = band_for_score(score)
    if current is None or band == current:
        return band
    term = vocabulary("rating band")[current]
    low, high = int(term.attr("min")), int(term.attr("max"))
    distance = low - score if score < low else score - high
    return band if distance > margin else current


def suggest_rating(store: Store, viewer: Viewer, country: str, at: dt.date) -> Suggestion:
    """A suggested score and band for ``country`` on ``at``, with each indicator explained."""
    cfg = weights()
    country = country.upper()
    start = _months_before(at, int(cfg["window_months"]))
    verification = "verified" if cfg.get("verified_only") else None
    window = RecordQuery(
        country=country,
        date_from=FuzzyDate.from_date(start),
        date_to=FuzzyDate.from_date(at),
        verification=verification,
        limit=5000,
    )
    everything = RecordQuery(country=country, verification=verification, limit=5000)
    incidents = [
        i
        for i in _all(store, "incidents", viewer, window)
        if isinstance(i, Incident) and i.date.earliest <= at
    ]
    laws = [x for x in _all(store, "laws", viewer, everything) if isinstance(x, Law)]
    cases = [x for x in _all(store, "cases", viewer, everything) if isinstance(x, LegalCase)]
    results = []
    for key, ind in cfg["indicators"].items():
        if ind["kind"] == "incidents":
            value, evidence, why = method_v1.incidents_value(incidents, ind["freedom"])
        elif ind["kind"] == "laws":
            value, evidence, why = method_v1.laws_value(laws, at, start, ind["stage_points"])
        elif ind["kind"] == "custody":
            value, evidence, why = method_v1.custody_value(cases, at)
        else:
            value, evidence, why = method_v1.killings_value(incidents)
        weight, scale = float(ind["weight"]), float(ind["scale"])
        points = method_v1.contribution(value, weight, scale)
        results.append(
            IndicatorResult(
                key,
                ind["label"],
                value,
                weight,
                scale,
                points,
                f"{why}: -{points:.1f} of at most {weight:g} points",
                evidence,
            )
        )
    score = max(1, min(100, round(100 - sum(r.contribution for r in results))))
    current = current_rating(rating_history(store, viewer, country), at)
    current_band = current.band if current else None
    suggested = banded(score, current_band, int(cfg.get("band_margin", 0)))
    return Suggestion(
        country,
        at,
        start,
        score,
        band_for_score(score),
        current_band,
        suggested,
        current_band is not None and suggested != current_band,
        results,
        str(cfg["method"]),
    )


def record_rating(
    store: Store,
    viewer: Viewer,
    country: str,
    date: FuzzyDate,
    band: str | None = None,
    score: int | None = None,
    rationale: str | None = None,
    sources: list[str] | None = None,
    rated_by: str = "CIVICUS Monitor",
    verified: bool = True,
    record_id: str | None = None,
) -> Rating:
    """Save an official rating; ``previous_band`` is taken from the rating before it."""
    country = country.upper()
    if band is None:
        if score is None:
            raise ValueError("give a band, a score, or both")
        band = band_for_score(score)
    history = [r for r in rating_history(store, viewer, country) if r.date.earliest < date.earliest]
    previous = history[-1].band if history else None
    rating = Rating(
        id=record_id or f"rating-{country.lower()}-{date}".replace(" ", "-").replace("~", ""),
        country=country,
        date=date,
        band=band,
        score=score,
        previous_band=previous if previous != band else None,
        rated_by=rated_by,
        rationale=rationale,
        sources=[Citation(source_id=s, locator=None) for s in sources or []],
        visibility="public",
        verification="verified" if verified else "unverified",
    )
    saved = store.save(rating, viewer)
    assert isinstance(saved, Rating)
    return saved
