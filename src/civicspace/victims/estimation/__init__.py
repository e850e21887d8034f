"""Multiple systems estimation: how many victims no list recorded."""

from civicspace.victims.estimation.chapman import chapman
from civicspace.victims.estimation.histories import (
    CaptureHistories,
    HistoriesError,
    read_histories_csv,
)
from civicspace.victims.estimation.lcmcr import LCMCRSettings, lcmcr, sample_population
from civicspace.victims.estimation.loglinear import loglinear_estimates
from civicspace.victims.estimation.report import (
    EstimationReport,
    check_assumptions,
    estimate_population,
    estimate_strata,
)
from civicspace.victims.estimation.result import Estimate

__all__ = [
    "CaptureHistories",
    "Estimate",
    "EstimationReport",
    "HistoriesError",
    "LCMCRSettings",
    "chapman",
    "check_assumptions",
    "estimate_population",
    "estimate_strata",
    "lcmcr",
    "loglinear_estimates",
    "read_histories_csv",
    "sample_population",
]
