"""Estimator benchmark: bias and 95% interval coverage over synthetic replications.

Each replication draws a population of known size, records it on three lists with the
capture chances of the default synthetic lists, and a hidden visibility per person
(log-normal, spread ``--heterogeneity``; 0 means everyone is equally likely to be
recorded). Every estimator runs on the same capture histories.

    python bench/estimate.py --replications 100 --population 1000
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from civicspace.victims.estimation import (
    CaptureHistories,
    LCMCRSettings,
    chapman,
    estimate_population,
)
from civicspace.victims.synth import DEFAULT_LISTS


def replicate(seed: int, population: int, heterogeneity: float) -> CaptureHistories:
    rng = np.random.default_rng(seed)
    visibility = (
        rng.lognormal(0, heterogeneity, population) if heterogeneity else np.ones(population)
    )
    visibility /= visibility.mean()
    capture = np.array([s.capture for s in DEFAULT_LISTS])
    p = np.minimum(np.outer(visibility, capture), 0.98)
    caught = (rng.random(p.shape) < p).astype(int)
    seen = caught[caught.sum(axis=1) > 0]
    return CaptureHistories.from_counts(
        tuple(s.name for s in DEFAULT_LISTS), Counter(map(tuple, seen.tolist()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--population", type=int, default=1000)
    parser.add_argument("--heterogeneity", type=float, nargs="+", default=[0.0, 0.8])
    parser.add_argument("--samples", type=int, default=2000, help="LCMCR draws kept")
    args = parser.parse_args()
    settings = LCMCRSettings(burn_in=1000, samples=args.samples)
    print(f"population {args.population}, {args.replications} replications, 3 lists")
    print(
        f"{'spread':>6} {'method':>22} {'mean est':>9} {'bias %':>7} {'coverage':>8} "
        f"{'mean width':>10} {'seconds':>8}"
    )
    for spread in args.heterogeneity:
        results: dict[str, list[tuple[float, float, float]]] = {}
        seconds: Counter[str] = Counter()
        for rep in range(args.replications):
            h = replicate(rep, args.population, spread)
            started = time.perf_counter()
            report = estimate_population(
                h,
                lcmcr_settings=LCMCRSettings(
                    burn_in=settings.burn_in, samples=settings.samples, seed=rep
                ),
            )
            elapsed = time.perf_counter() - started
            for e in report.estimates:
                key = (
                    f"{e.method} ({e.details.get('selected_by', '')})"
                    if e.method == "loglinear"
                    else e.method
                )
                results.setdefault(key, []).append((e.estimate, e.lower, e.upper))
                seconds[key] += elapsed / len(report.estimates)
            two = chapman(h.collapse(["official", "qantar"]))
            results.setdefault("chapman (2 lists)", []).append((two.estimate, two.lower, two.upper))
        for method, rows in results.items():
            est = np.array(rows)
            bias = 100 * (est[:, 0].mean() - args.population) / args.population
            cover = np.mean((est[:, 1] <= args.population) & (args.population <= est[:, 2]))
            width = np.mean(est[:, 2] - est[:, 1])
            print(
                f"{spread:>6} {method:>22} {est[:, 0].mean():>9.1f} {bias:>7.1f} "
                f"{cover:>8.2f} {width:>10.1f} {seconds[method]:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
