"""Linkage across scripts and initials on synthetic lists with known truth (real Splink)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civicspace.victims.linkage import cluster_records, link_records, pair_key, spark_engine
from civicspace.victims.linkage.accuracy import pairwise_accuracy
from civicspace.victims.linkage.clusters import ScoredPair
from civicspace.victims.linkage.run import duckdb_engine
from civicspace.victims.normalise import normalise
from civicspace.victims.synth import make_lists


def frame_of(lists: dict[str, list[dict[str, object]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "unique_id": r["record_id"],
                "list_name": name,
                **{k: r[k] for k in ("name", "gender", "date", "place")},
                **normalise(r),
            }
            for name, records in lists.items()
            for r in records
        ]
    )


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, dict[str, int]]:
    lists = make_lists(600, seed=11)
    return frame_of(lists.lists), lists.truth()


def test_default_model_links_cyrillic_latin_and_initials_only_lists(
    synthetic: tuple[pd.DataFrame, dict[str, int]],
) -> None:
    records, truth = synthetic
    result = link_records(records, engine="duckdb")
    accuracy = pairwise_accuracy(result.clusters, truth)
    assert (result.model_version, result.threshold) == ("v3", 0.3)
    assert accuracy.precision >= 0.97
    assert accuracy.recall >= 0.95
    # the baseline (stock comparisons on names as written) cannot cross scripts
    base = link_records(records, model="baseline", engine="duckdb")
    assert pairwise_accuracy(base.clusters, truth).f1 < accuracy.f1 - 0.3
    surname = next(
        c for c in result.parameters["comparisons"] if c["output_column_name"] == "surname"
    )
    tf_columns = {level.get("tf_adjustment_column") for level in surname["comparison_levels"]}
    assert {"surname_key", "surname_skeleton"} <= tf_columns
    # every cluster holds at most one record per list
    lists_in_cluster = records.assign(cluster=records["unique_id"].map(result.clusters))
    assert not lists_in_cluster.duplicated(["cluster", "list_name"]).any()
    # uncertain pairs (review queue) lie between the review floor and the threshold
    assert all(0.2 <= p.probability < 0.3 for p in result.uncertain_pairs())


def test_v2_stays_available_to_reproduce_older_runs(
    synthetic: tuple[pd.DataFrame, dict[str, int]],
) -> None:
    records, truth = synthetic
    result = link_records(records, model="v2")
    accuracy = pairwise_accuracy(result.clusters, truth)
    assert (result.model_version, result.threshold) == ("v2", 0.5)
    assert accuracy.precision >= 0.97 and accuracy.recall >= 0.95
    assert result.apart == []  # v2 does not check its clusters
    surname = next(
        c for c in result.parameters["comparisons"] if c["output_column_name"] == "surname"
    )
    assert any(
        level.get("tf_adjustment_column") == "surname_key" for level in surname["comparison_levels"]
    )
    assert all(0.2 <= p.probability < 0.5 for p in result.uncertain_pairs())


def test_v1_stays_available_to_reproduce_older_runs(
    synthetic: tuple[pd.DataFrame, dict[str, int]],
) -> None:
    records, truth = synthetic
    result = link_records(records, model="v1")
    assert (result.model_version, result.threshold) == ("v1", 0.9)
    assert pairwise_accuracy(result.clusters, truth).f1 >= 0.9
    surname = next(
        c for c in result.parameters["comparisons"] if c["output_column_name"] == "surname"
    )
    assert not any(level.get("tf_adjustment_column") for level in surname["comparison_levels"])


def test_duckdb_memory_is_capped_and_spills_to_disk(tmp_path: Path) -> None:
    api = duckdb_engine(memory_limit="512MB", temp_directory=str(tmp_path))
    limit, spill = api._con.execute(
        "select current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert limit.startswith(("488", "512")) and spill == str(tmp_path)


def test_reviewer_decisions_override_the_model(
    synthetic: tuple[pd.DataFrame, dict[str, int]],
) -> None:
    records, truth = synthetic
    result = link_records(records)
    record_list = dict(zip(records["unique_id"], records["list_name"], strict=True))
    linked = next(p for p in result.pairs if p.probability >= result.threshold)
    unlinked = next(
        (a, b)
        for a in records["unique_id"]
        for b in records["unique_id"]
        if record_list[a] != record_list[b] and result.clusters[a] != result.clusters[b]
    )
    decisions = {pair_key(linked.left, linked.right): "different", pair_key(*unlinked): "same"}
    again = cluster_records(
        record_list, result.pairs, result.threshold, decisions, apart=result.apart
    )
    assert again[linked.left] != again[linked.right]
    assert again[unlinked[0]] == again[unlinked[1]]


def test_clusters_never_join_two_records_of_one_list() -> None:
    record_list = {"a1": "A", "a2": "A", "b1": "B"}
    pairs = [ScoredPair("a1", "b1", 0.99), ScoredPair("a2", "b1", 0.98)]
    clusters = cluster_records(record_list, pairs, 0.9)
    assert clusters["a1"] == clusters["b1"] != clusters["a2"]


def test_spark_engine_gives_the_same_kind_of_links(spark_session: object) -> None:
    """Splink really runs on Spark (local mode), on lists small enough to take seconds.

    Model v3, whose steps after scoring (the check of each cluster's records against each
    other) also run on the engine; its u estimation takes one Spark job per comparison
    rather than eleven, which took a third off this test (65 s to 45 s on two cores)."""
    lists = make_lists(50, seed=11)
    records, truth = frame_of(lists.lists), lists.truth()
    result = link_records(records, model="v3", engine=spark_engine(spark_session), em_iterations=2)
    assert result.engine == "spark"
    assert pairwise_accuracy(result.clusters, truth).f1 >= 0.9
    # the same model on DuckDB links (nearly) the same pairs
    local = link_records(records, model="v3", engine="duckdb", em_iterations=2)
    linked = {pair_key(p.left, p.right) for p in result.pairs if p.probability >= 0.9}
    linked_local = {pair_key(p.left, p.right) for p in local.pairs if p.probability >= 0.9}
    assert len(linked ^ linked_local) <= 0.1 * len(linked_local)
