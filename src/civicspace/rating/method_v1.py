"""Rating method v1: indicator values from records, contributions from the YAML weights.

Pure functions over records already read from the store, so the same records always give
the same score. A later method goes beside this one (``method_v2.py``), never over it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from civicspace.cases.custody import custody_state
from civicspace.model.records import Incident, Law, LegalCase
from civicspace.model.vocabulary import vocabulary


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    label: str
    value: float
    weight: float
    scale: float
    contribution: float
    explanation: str
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": round(self.value, 2),
            "weight": self.weight,
            "scale": self.scale,
            "contribution": round(self.contribution, 2),
            "explanation": self.explanation,
            "evidence": self.evidence,
        }


def contribution(value: float, weight: float, scale: float) -> float:
    """Points taken from 100: ``weight * (1 - exp(-value / scale))``."""
    return weight * (1 - math.exp(-value / scale)) if value > 0 else 0.0


def severity(incident: Incident) -> int:
    terms = vocabulary("violation type")
    return max((int(terms[v].attr("severity", 1)) for v in incident.violations), default=1)


def incidents_value(incidents: list[Incident], freedom: str) -> tuple[float, list[str], str]:
    chosen = [i for i in incidents if freedom in i.freedoms]
    value = float(sum(severity(i) for i in chosen))
    return value, [i.id for i in chosen], f"{len(chosen)} incidents, severity sum {value:g}"


def laws_value(
    laws: list[Law], at: dt.date, window_start: dt.date, stage_points: dict[str, float]
) -> tuple[float, list[str], str]:
    value, evidence = 0.0, []
    for law in laws:
        if not law.restrictive:
            continue
        stages = sorted(
            (s for s in law.stages if s.date.earliest <= at), key=lambda s: s.date.earliest
        )
        if not stages:
            continue
        latest = stages[-1]
        points = float(stage_points.get(latest.stage, 0.0))
        if points < 1.0 and latest.date.latest < window_start:
            continue  # an old draft that never went further no longer counts
        if points > 0:
            value += points
            evidence.append(law.id)
    return value, evidence, f"{len(evidence)} restrictive laws or drafts, weighted {value:g}"


def custody_value(cases: list[LegalCase], at: dt.date) -> tuple[float, list[str], str]:
    held: set[str] = set()
    for case in cases:
        recognised = {
            r.person_id
            for r in case.recognitions
            if r.date.earliest <= at and not (r.withdrawn and r.withdrawn.earliest <= at)
        }
        for pid in case.defendants:
            if (case.politically_motivated or pid in recognised) and custody_state(
                case, pid, at
            ).in_custody:
                held.add(pid)
    return float(len(held)), sorted(held), f"{len(held)} people in custody"


def killings_value(incidents: list[Incident]) -> tuple[float, list[str], str]:
    value, evidence = 0, []
    for i in incidents:
        killed = i.counts.killed
        if killed is None and "killing" in i.violations:
            killed = 1
        if killed:
            value += killed
            evidence.append(i.id)
    return float(value), evidence, f"{value} people killed"
