"""The shape every estimator returns: an estimate with its interval and the model used."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Estimate:
    """A population-size estimate; ``lower``/``upper`` bound a 95% interval."""

    method: str  # "chapman", "loglinear", "lcmcr"
    model: str  # e.g. "[12,13]" for a log-linear model, "K=10" for LCMCR
    estimate: float
    lower: float
    upper: float
    interval: str  # how the interval was made: "log-normal", "profile likelihood", ...
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("estimate", "lower", "upper"):
            value = data[key]
            data[key] = round(value, 1) if value == value and abs(value) != float("inf") else None
        return data
