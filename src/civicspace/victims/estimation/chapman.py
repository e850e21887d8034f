"""Two lists: the Lincoln-Petersen estimator in Chapman's nearly unbiased form.

Chapman (1951) ``N = (n1+1)(n2+1)/(m+1) - 1`` with Seber's variance; the interval is Chao's
(1987) log-normal one on the unseen count, which never falls below the people observed.
It assumes the two lists capture people independently and everyone equally: positively
dependent lists (both compiled from the same morgue records) make it too low.
"""

from __future__ import annotations

import math

from civicspace.victims.estimation.histories import CaptureHistories
from civicspace.victims.estimation.result import Estimate

Z95 = 1.959964


def chapman(histories: CaptureHistories) -> Estimate:
    """Chapman's estimate for exactly two lists."""
    if len(histories.lists) != 2:
        raise ValueError("Chapman's estimator needs exactly two lists")
    sizes = histories.list_sizes()
    n1, n2 = (sizes[name] for name in histories.lists)
    m = histories.overlap(0, 1)
    observed = n1 + n2 - m
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    unseen = estimate - observed
    if unseen <= 0 or variance <= 0:
        lower = upper = float(observed)
    else:
        c = math.exp(Z95 * math.sqrt(math.log(1 + variance / unseen**2)))
        lower, upper = observed + unseen / c, observed + unseen * c
    return Estimate(
        method="chapman",
        model=f"{histories.lists[0]} x {histories.lists[1]}",
        estimate=estimate,
        lower=lower,
        upper=upper,
        interval="log-normal (Chao 1987)",
        details={"n1": n1, "n2": n2, "both": m, "se": math.sqrt(variance)},
    )
