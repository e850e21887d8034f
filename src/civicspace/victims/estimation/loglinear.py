"""Three or more lists: hierarchical log-linear models fitted to the observed cells.

Each model adds some two-way interactions (list dependence) to the main effects; the
unobserved cell is ``exp(intercept)`` under the assumption that the highest-order
interaction is absent (Fienberg 1972; Bishop, Fienberg and Holland 1975). Models are all
subsets of two-way interactions for up to four lists, and a forward search for more.
Models are compared by AIC and BIC; intervals come from the profile likelihood of N
(Cormack 1992), computed by refitting with the unseen count fixed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize
from scipy.special import gammaln

from civicspace.victims.estimation.histories import CaptureHistories
from civicspace.victims.estimation.result import Estimate

Pair = tuple[int, int]
CHI2_95 = 3.841459


@dataclass(frozen=True)
class PoissonFit:
    coef: npt.NDArray[np.float64]
    fitted: npt.NDArray[np.float64]
    loglik: float
    converged: bool


def poisson_fit(
    X: npt.NDArray[np.float64], y: npt.NDArray[np.float64], max_iter: int = 100
) -> PoissonFit:
    """Poisson regression with log link by iteratively reweighted least squares."""
    mu = y + 0.5
    eta = np.log(mu)
    coef: npt.NDArray[np.float64] = np.zeros(X.shape[1])
    converged = False
    dev_old = math.inf
    for _ in range(max_iter):
        z = eta + (y - mu) / mu
        w = mu
        xtw = X.T * w
        coef = np.linalg.lstsq(xtw @ X, xtw @ z, rcond=None)[0].astype(np.float64)
        eta = np.clip(X @ coef, -700, 700)
        mu = np.exp(eta)
        pos = y > 0
        dev = 2 * float(np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y - mu))
        if abs(dev - dev_old) < 1e-10 * (abs(dev) + 1):
            converged = True
            break
        dev_old = dev
    loglik = float(np.sum(y * np.log(np.maximum(mu, 1e-300)) - mu - gammaln(y + 1)))
    return PoissonFit(coef, mu, loglik, converged)


def design(patterns: npt.NDArray[np.int_], pairs: tuple[Pair, ...]) -> npt.NDArray[np.float64]:
    """Intercept, one main effect per list, one column per interacting pair."""
    cols = [np.ones(len(patterns)), *(patterns[:, j] for j in range(patterns.shape[1]))]
    cols += [patterns[:, a] * patterns[:, b] for a, b in pairs]
    return np.column_stack(cols).astype(float)


def model_name(lists: tuple[str, ...], pairs: tuple[Pair, ...]) -> str:
    """Rcapture-like label: "independence" or "[official*ngo, ngo*media]"."""
    if not pairs:
        return "independence"
    return "[" + ", ".join(f"{lists[a]}*{lists[b]}" for a, b in pairs) + "]"


@dataclass(frozen=True)
class LoglinearModel:
    pairs: tuple[Pair, ...]
    unseen: float
    loglik: float
    parameters: int
    aic: float
    bic: float
    identifiable: bool


def fit_model(histories: CaptureHistories, pairs: tuple[Pair, ...]) -> LoglinearModel:
    patterns, counts = histories.full_table()
    X = design(patterns, pairs)
    y = counts.astype(float)
    fit = poisson_fit(X, y)
    p = X.shape[1]
    rank = int(np.linalg.matrix_rank(X))
    unseen = float(math.exp(min(fit.coef[0], 700)))
    # A model with as many parameters as cells, or whose estimate runs off to infinity,
    # says nothing about the unseen: usually a zero cell that an interaction must explain.
    identifiable = (
        rank == p and p <= len(y) and fit.converged and unseen < 1e4 * max(histories.observed, 1)
    )
    n = max(histories.observed, 1)
    return LoglinearModel(
        pairs,
        unseen,
        fit.loglik,
        p,
        2 * p - 2 * fit.loglik,
        p * math.log(n) - 2 * fit.loglik,
        identifiable,
    )


def candidate_models(histories: CaptureHistories) -> list[LoglinearModel]:
    """Every subset of two-way interactions (k <= 4), else a forward search by AIC."""
    k = len(histories.lists)
    all_pairs = list(itertools.combinations(range(k), 2))
    if k <= 4:
        return [
            fit_model(histories, tuple(sub))
            for r in range(len(all_pairs) + 1)
            for sub in itertools.combinations(all_pairs, r)
            # never more parameters than observed cells (k = 3 allows all three pairs)
            if 1 + k + r <= 2**k - 1
        ]
    chosen: tuple[Pair, ...] = ()
    models = [fit_model(histories, chosen)]
    while True:
        trials = [fit_model(histories, (*chosen, pr)) for pr in all_pairs if pr not in chosen]
        trials = [m for m in trials if m.identifiable]
        models += trials
        best = min(trials, key=lambda m: m.aic, default=None)
        if best is None or best.aic >= min(m.aic for m in models if m.pairs == chosen):
            return models
        chosen = best.pairs


def profile_interval(histories: CaptureHistories, pairs: tuple[Pair, ...]) -> tuple[float, float]:
    """95% profile-likelihood interval for N under one model."""
    patterns, counts = histories.full_table()
    k = patterns.shape[1]
    full_patterns = np.vstack([np.zeros((1, k), dtype=int), patterns])
    X = design(full_patterns, pairs)
    n = histories.observed

    def loglik(total: float) -> float:
        y = np.concatenate([[total - n], counts]).astype(float)
        fit = poisson_fit(X, y)
        # multinomial likelihood of N from the Poisson one (their difference depends on N)
        return fit.loglik + float(gammaln(total + 1)) - total * math.log(total) + total

    upper_search = n + max(10.0, 50 * n)
    best = optimize.minimize_scalar(
        lambda t: -loglik(t),
        bounds=(n + 1e-6, upper_search),
        method="bounded",
        options={"xatol": 1e-3},
    )
    top = -float(best.fun)
    t_hat = float(best.x)

    def gap(total: float) -> float:
        return 2 * (top - loglik(total)) - CHI2_95

    lower = float(n) if gap(n + 1e-6) <= 0 else optimize.brentq(gap, n + 1e-6, t_hat)
    hi = t_hat * 1.5 + 10
    while gap(hi) < 0:
        if hi > upper_search:
            return lower, math.inf
        hi *= 2
    upper = optimize.brentq(gap, t_hat, hi)
    return lower, upper


def loglinear_estimates(histories: CaptureHistories) -> tuple[list[Estimate], list[str]]:
    """The AIC-best and BIC-best models (one entry if they agree), with warnings."""
    models = [m for m in candidate_models(histories) if m.identifiable]
    warnings: list[str] = []
    if not models:
        return [], ["no log-linear model could be fitted: the lists overlap too little"]
    by_aic = min(models, key=lambda m: m.aic)
    by_bic = min(models, key=lambda m: m.bic)
    picks = [("AIC", by_aic)] + ([("BIC", by_bic)] if by_bic.pairs != by_aic.pairs else [])
    out: list[Estimate] = []
    for criterion, m in picks:
        lower, upper = profile_interval(histories, m.pairs)
        out.append(
            Estimate(
                method="loglinear",
                model=model_name(histories.lists, m.pairs),
                estimate=histories.observed + m.unseen,
                lower=lower,
                upper=upper,
                interval="profile likelihood",
                details={
                    "selected_by": criterion,
                    "aic": round(m.aic, 3),
                    "bic": round(m.bic, 3),
                    "models_compared": len(models),
                },
            )
        )
    # Models within 2 AIC units are about as plausible: say how far apart they are.
    close = [histories.observed + m.unseen for m in models if m.aic - by_aic.aic < 2]
    if len(close) > 1 and max(close) > 1.5 * min(close):
        warnings.append(
            f"log-linear models within 2 AIC of the best disagree: {min(close):.0f} to "
            f"{max(close):.0f}; the choice of model matters more than the interval shows"
        )
    return out, warnings
