"""Multiple systems estimation recovers known population sizes from simulated lists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from civicspace.victims.estimation import (
    CaptureHistories,
    HistoriesError,
    LCMCRSettings,
    chapman,
    estimate_population,
    estimate_strata,
    lcmcr,
    read_histories_csv,
)
from civicspace.victims.estimation.loglinear import design, fit_model, poisson_fit


def simulate(
    seed: int, size: int, probs: list[list[float]], shares: list[float]
) -> CaptureHistories:
    """People in latent groups, each list capturing a group member with its own chance."""
    rng = np.random.default_rng(seed)
    group = rng.choice(len(shares), size=size, p=shares)
    p = np.asarray(probs)[group]
    caught = (rng.random(p.shape) < p).astype(int)
    seen = caught[caught.sum(axis=1) > 0]
    names = tuple(f"list{j}" for j in range(p.shape[1]))
    return CaptureHistories.from_counts(names, Counter(map(tuple, seen.tolist())))


def test_chapman_is_nearly_unbiased_and_covers_the_truth() -> None:
    truth, hits, estimates = 1000, 0, []
    for seed in range(100):
        e = chapman(simulate(seed, truth, [[0.3, 0.4]], [1.0]))
        estimates.append(e.estimate)
        hits += e.lower <= truth <= e.upper
    assert abs(np.mean(estimates) - truth) < 0.02 * truth
    assert hits >= 90


def test_independence_log_linear_model_on_two_lists_is_lincoln_petersen() -> None:
    h = CaptureHistories.from_counts(("a", "b"), {(1, 0): 60, (0, 1): 45, (1, 1): 30})
    model = fit_model(h, ())
    assert model.unseen == pytest.approx(60 * 45 / 30, rel=1e-6)


def test_poisson_fit_agrees_with_statsmodels() -> None:
    h = simulate(3, 800, [[0.3, 0.5, 0.4, 0.2]], [1.0])
    patterns, counts = h.full_table()
    X = design(patterns, ((0, 1), (2, 3)))
    ours = poisson_fit(X, counts.astype(float))
    theirs = sm.GLM(counts, X, family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(ours.coef, theirs.params, rtol=1e-6, atol=1e-8)
    assert ours.loglik == pytest.approx(theirs.llf, rel=1e-8)


def test_log_linear_covers_the_truth_when_lists_are_independent() -> None:
    truth, hits = 1500, 0
    for seed in range(20):
        report = estimate_population(
            simulate(seed, truth, [[0.3, 0.25, 0.35]], [1.0]), methods=["loglinear"]
        )
        best = report.estimates[0]
        assert best.details["selected_by"] == "AIC"
        assert best.lower <= best.estimate <= best.upper
        assert best.lower >= report.observed
        hits += best.lower <= truth <= best.upper
    assert hits >= 16


def test_lcmcr_recovers_the_size_of_a_heterogeneous_population() -> None:
    truth = 2000
    probs = [[0.2, 0.3, 0.25, 0.2, 0.3], [0.7, 0.6, 0.8, 0.6, 0.7]]
    for seed in (1, 2):
        h = simulate(seed, truth, probs, [0.5, 0.5])
        e = lcmcr(h, LCMCRSettings(burn_in=1000, samples=2000, seed=seed))
        assert e.lower <= truth <= e.upper
        assert abs(e.estimate - truth) < 0.06 * truth
        # the naive count is far below: heterogeneity hides people from every list
        assert h.observed < 0.95 * truth


def test_lcmcr_is_reproducible_with_a_seed() -> None:
    h = simulate(5, 500, [[0.4, 0.3, 0.5]], [1.0])
    settings = LCMCRSettings(burn_in=200, samples=300, seed=7)
    assert lcmcr(h, settings) == lcmcr(h, settings)


def test_report_recommends_lcmcr_for_three_lists_and_chapman_for_two() -> None:
    h = simulate(11, 1000, [[0.4, 0.3, 0.5]], [1.0])
    fast = LCMCRSettings(burn_in=200, samples=300)
    three = estimate_population(h, lcmcr_settings=fast)
    assert three.estimates[three.recommended or 0].method == "lcmcr"
    two = estimate_population(h.collapse(["list0", "list1"]))
    assert [e.method for e in two.estimates] == ["chapman"]
    assert two.recommended == 0
    data = three.as_dict()
    assert set(data) >= {"observed", "estimates", "recommended", "warnings"}
    assert {"method", "model", "estimate", "lower", "upper"} <= set(data["estimates"][0])


def test_warnings_for_nested_lists_no_overlap_and_empty_cells() -> None:
    nested = CaptureHistories.from_counts(("official", "ngo"), {(1, 1): 20, (0, 1): 50})
    assert any("nested" in w for w in estimate_population(nested).warnings)
    apart = CaptureHistories.from_counts(
        ("a", "b", "c"), {(1, 0, 0): 30, (0, 1, 0): 20, (0, 0, 1): 25, (1, 0, 1): 5}
    )
    warnings = estimate_population(apart, lcmcr_settings=LCMCRSettings(200, 200)).warnings
    assert any("no one in common" in w for w in warnings)
    assert any("empty" in w for w in warnings)
    clean = simulate(2, 3000, [[0.5, 0.5, 0.5]], [1.0])
    assert estimate_population(clean, methods=["loglinear"]).warnings == []


def test_histories_csv_is_read_and_bad_rows_are_all_reported(tmp_path: Path) -> None:
    good = tmp_path / "h.csv"
    good.write_text("a,b,c,count\n1,0,0,10\n0,1,0,12\n1,1,0,4\n0,0,1,9\n1,0,1,3\n1,1,1,2\n")
    [h] = read_histories_csv(good)
    assert h.lists == ("a", "b", "c")
    assert h.observed == 40
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,count\n1,2,5\n1,1,x\n0,0,3\n")
    with pytest.raises(HistoriesError) as err:
        read_histories_csv(bad)
    assert err.value.problems == [
        f"{bad}:2:b: expected 0 or 1, got '2'",
        f"{bad}:3:count: expected a whole number >= 0, got 'x'",
        f"{bad}:4:count: a row on no list cannot be observed; leave the unobserved cell out",
    ]


def test_strata_are_estimated_separately(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "region,a,b,count\nAlmaty,1,0,50\nAlmaty,0,1,40\nAlmaty,1,1,20\n"
        "Taraz,1,0,5\nTaraz,0,1,8\nTaraz,1,1,10\n"
    )
    reports = estimate_strata(read_histories_csv(path, stratum_column="region"))
    assert [r.stratum for r in reports] == ["Almaty", "Taraz"]
    assert reports[0].estimates[0].estimate > reports[1].estimates[0].estimate
