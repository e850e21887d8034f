"""Many lists with unequal chances of capture: the LCMCR latent-class model.

Manrique-Vallier (2016), "Bayesian population size estimation using Dirichlet process
mixtures", Biometrics 72(4): people fall into latent classes (a truncated stick-breaking
Dirichlet process with K classes); within a class, lists capture independently with
their own probabilities. Heterogeneity (children less often recorded, one city covered
by only one compiler) is absorbed by the classes. Priors as in the paper and the LCMCR
R package: capture probabilities Beta(1, 1), concentration Gamma(0.25, 0.25),
p(N) proportional to 1/N.

The Gibbs sampler works on capture-pattern counts, not individuals, so one sweep costs
O(patterns x classes) whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from civicspace.victims.estimation.histories import CaptureHistories
from civicspace.victims.estimation.result import Estimate


@dataclass(frozen=True)
class LCMCRSettings:
    classes: int = 10
    burn_in: int = 2000
    samples: int = 4000
    thin: int = 2
    alpha_prior: tuple[float, float] = (0.25, 0.25)
    seed: int | None = 20220105


def sample_population(
    histories: CaptureHistories, settings: LCMCRSettings = LCMCRSettings()
) -> npt.NDArray[np.int_]:
    """Posterior draws of the total population N (observed + unobserved)."""
    rng = np.random.default_rng(settings.seed)
    x = histories.patterns.astype(float)  # (P, J)
    counts = histories.counts.astype(np.int64)
    n = int(counts.sum())
    P, J = x.shape
    K = settings.classes
    a_alpha, b_alpha = settings.alpha_prior

    lam = rng.uniform(0.2, 0.8, size=(J, K))
    alpha = 1.0
    pi = np.full(K, 1.0 / K)
    n0 = 0
    draws: list[int] = []
    total_iter = settings.burn_in + settings.samples * settings.thin

    for it in range(total_iter):
        log_lam, log_1m = np.log(lam), np.log1p(-lam)
        # 1. latent classes of the observed people, pattern by pattern
        logp = np.log(pi)[None, :] + x @ log_lam + (1 - x) @ log_1m  # (P, K)
        logp -= logp.max(axis=1, keepdims=True)
        prob = np.exp(logp)
        prob /= prob.sum(axis=1, keepdims=True)
        per_class = rng.multinomial(counts, prob)  # (P, K)
        # 2. latent classes of the unobserved (all-zero pattern)
        unseen_by_class = pi * np.exp(log_1m.sum(axis=0))
        p0 = float(unseen_by_class.sum())
        zeros_by_class = rng.multinomial(n0, unseen_by_class / p0) if n0 > 0 else np.zeros(K, int)
        class_sizes = per_class.sum(axis=0) + zeros_by_class
        # 3. capture probabilities per list and class
        captured = x.T @ per_class  # (J, K)
        lam = rng.beta(1 + captured, 1 + class_sizes[None, :] - captured)
        lam = np.clip(lam, 1e-10, 1 - 1e-10)
        # 4. stick-breaking weights and the concentration
        tail = np.concatenate([np.cumsum(class_sizes[::-1])[::-1][1:], [0]])
        v = rng.beta(1 + class_sizes[:-1], alpha + tail[:-1])
        v = np.clip(v, 1e-12, 1 - 1e-12)
        pi = np.empty(K)
        remaining = 1.0
        for k in range(K - 1):
            pi[k] = v[k] * remaining
            remaining *= 1 - v[k]
        pi[K - 1] = remaining
        pi = np.maximum(pi, 1e-300)
        alpha = rng.gamma(a_alpha + K - 1, 1 / (b_alpha - np.log1p(-v).sum()))
        # 5. the unobserved count: N - n ~ NegBin(n, 1 - p0) under p(N) ~ 1/N
        p0 = float(np.sum(pi * np.exp(np.log1p(-lam).sum(axis=0))))
        n0 = int(rng.negative_binomial(n, max(1 - p0, 1e-12)))
        if it >= settings.burn_in and (it - settings.burn_in) % settings.thin == 0:
            draws.append(n + n0)
    return np.asarray(draws, dtype=np.int64)


def lcmcr(histories: CaptureHistories, settings: LCMCRSettings = LCMCRSettings()) -> Estimate:
    """Posterior median of N and the 95% equal-tailed credible interval."""
    if len(histories.lists) < 3:
        raise ValueError("the latent-class model needs at least three lists")
    draws = sample_population(histories, settings)
    lower, median, upper = np.quantile(draws, [0.025, 0.5, 0.975])
    return Estimate(
        method="lcmcr",
        model=f"latent classes K={settings.classes}",
        estimate=float(median),
        lower=float(lower),
        upper=float(upper),
        interval="95% credible interval",
        details={
            "posterior_mean": round(float(draws.mean()), 1),
            "draws": int(draws.size),
            "burn_in": settings.burn_in,
            "seed": settings.seed,
        },
    )
