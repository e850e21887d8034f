"""Run the estimators that suit the data, check their assumptions, and say which to read.

The recommendation follows HRDAG practice: with two lists only Chapman is possible; with
three or more the latent-class model (LCMCR) is preferred because it allows people to
differ in how likely lists are to record them, and the log-linear models are shown beside
it as a check. Every figure says which model produced it; the observed count is never
presented as a total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from civicspace.victims.estimation.chapman import chapman
from civicspace.victims.estimation.histories import CaptureHistories
from civicspace.victims.estimation.lcmcr import LCMCRSettings, lcmcr
from civicspace.victims.estimation.loglinear import loglinear_estimates
from civicspace.victims.estimation.result import Estimate

METHODS = ("chapman", "loglinear", "lcmcr")


@dataclass
class EstimationReport:
    """What the JSON output of ``lists estimate`` holds."""

    observed: int
    lists: tuple[str, ...]
    estimates: list[Estimate] = field(default_factory=list)
    recommended: int | None = None
    warnings: list[str] = field(default_factory=list)
    stratum: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "observed": self.observed,
            "lists": list(self.lists),
            "estimates": [e.as_dict() for e in self.estimates],
            "recommended": self.recommended,
            "warnings": self.warnings,
        }
        if self.stratum is not None:
            data["stratum"] = self.stratum
        return data


def check_assumptions(h: CaptureHistories) -> list[str]:
    """Plain-language warnings about data that break the estimators' assumptions."""
    warnings: list[str] = []
    sizes = h.list_sizes()
    k = len(h.lists)
    for name, size in sizes.items():
        if size == 0:
            warnings.append(f"list {name!r} records nobody: drop it before estimating")
    for a in range(k):
        for b in range(a + 1, k):
            both = h.overlap(a, b)
            na, nb = sizes[h.lists[a]], sizes[h.lists[b]]
            if na == 0 or nb == 0:
                continue
            if both == 0:
                warnings.append(
                    f"lists {h.lists[a]!r} and {h.lists[b]!r} have no one in common: "
                    "their dependence cannot be estimated and estimates may be far too high"
                )
            elif both == na or both == nb:
                small, large = (h.lists[a], h.lists[b]) if both == na else (h.lists[b], h.lists[a])
                warnings.append(
                    f"list {small!r} is nested in {large!r} (everyone on it is also on the "
                    "other): the lists are not independent samples and estimates are too low"
                )
    _, counts = h.full_table()
    zeros = int((counts == 0).sum())
    if zeros:
        warnings.append(
            f"{zeros} of {counts.size} observed capture patterns are empty: models with the "
            "interactions those cells inform are not identifiable"
        )
    sparse = int(((counts > 0) & (counts < 5)).sum())
    if counts.size and sparse > counts.size / 2:
        warnings.append(
            f"{sparse} of {counts.size} capture patterns hold fewer than 5 people: "
            "estimates are unstable"
        )
    if h.observed < 30:
        warnings.append(f"only {h.observed} people observed: intervals will be very wide")
    return warnings


def estimate_population(
    h: CaptureHistories,
    methods: Sequence[str] = METHODS,
    lcmcr_settings: LCMCRSettings | None = None,
) -> EstimationReport:
    """All suitable estimates for one set of capture histories, with warnings."""
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown methods {sorted(unknown)}; known: {list(METHODS)}")
    k = len(h.lists)
    report = EstimationReport(observed=h.observed, lists=h.lists, stratum=h.stratum)
    report.warnings = check_assumptions(h)
    if h.observed == 0:
        report.warnings.append("no one observed: nothing to estimate")
        return report
    if k == 2 and "chapman" in methods:
        report.estimates.append(chapman(h))
        if h.overlap(0, 1) == 0:
            report.warnings.append("Chapman's estimate with no overlap is meaningless")
    if k >= 3 and "loglinear" in methods:
        found, notes = loglinear_estimates(h)
        report.estimates += found
        report.warnings += notes
    if k >= 3 and "lcmcr" in methods:
        report.estimates.append(lcmcr(h, lcmcr_settings or LCMCRSettings()))
    if k < 2:
        report.warnings.append("at least two lists are needed to estimate anything")
    for want in ("lcmcr", "chapman", "loglinear"):
        index = next((i for i, e in enumerate(report.estimates) if e.method == want), None)
        if index is not None:
            report.recommended = index
            break
    for e in report.estimates:
        if e.upper == float("inf") or e.upper > 20 * max(h.observed, 1):
            report.warnings.append(
                f"{e.method} {e.model}: the upper bound is unbounded or huge; the lists "
                "overlap too little to say how many are missing"
            )
    return report


def estimate_strata(
    strata: Sequence[CaptureHistories],
    methods: Sequence[str] = METHODS,
    lcmcr_settings: LCMCRSettings | None = None,
) -> list[EstimationReport]:
    """One report per stratum (e.g. per region); totals are left to the reader on purpose:
    summing interval bounds is not an interval."""
    return [estimate_population(h, methods, lcmcr_settings) for h in strata]
