"""Link records across lists: Splink scores the pairs, we cluster them into people.

The engine is injected (:func:`duckdb_engine` by default, :func:`spark_engine` for lists
that outgrow one machine) so tests run the real thing on a small scale. A model may ask
for two more steps (v3 does): rival candidates discount each other's probability
(``DISCOUNT_RIVALS``), and clusters are checked for records that contradict each other
(``contradiction_sql``, see :func:`.clusters.consistent_clusters`).
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd

from civicspace import settings
from civicspace.victims.linkage import baseline, model_v1, model_v2, model_v3
from civicspace.victims.linkage.clusters import (
    ScoredPair,
    cluster_records,
    consistent_clusters,
    discount_rivals,
)
from civicspace.victims.normalise import NORMALISED_FIELDS

MODELS: dict[str, ModuleType] = {
    "v1": model_v1,
    "v2": model_v2,
    "v3": model_v3,
    "baseline": baseline,
}
DEFAULT_MODEL = "v3"
DEFAULT_THRESHOLD = 0.9  # for models that do not name their own
REVIEW_FLOOR = 0.2  # pairs between this and the threshold go to the review queue
_STRING_FIELDS = (
    "surname_key",
    "given_key",
    "given_initial",
    "patronymic_key",
    "patronymic_initial",
    "gender",
    "place_key",
    "name",
    "date",
    "place",
)
_INT_FIELDS = ("birth_year", "event_day")

Progress = Callable[[str], None]


@dataclass
class LinkageResult:
    """Scored pairs (at or above the review floor), clusters, and what produced them."""

    model_version: str
    engine: str
    threshold: float
    pairs: list[ScoredPair]
    clusters: dict[str, str]
    parameters: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # pairs the model found contradictory within a cluster (v3): re-clustering with later
    # decisions must keep them apart too, ``cluster_records(..., apart=result.apart)``
    apart: list[tuple[str, str]] = field(default_factory=list)

    def uncertain_pairs(self, floor: float = REVIEW_FLOOR) -> list[ScoredPair]:
        """Pairs a person should look at: probable, but below the threshold."""
        return sorted(
            (p for p in self.pairs if floor <= p.probability < self.threshold),
            key=lambda p: -p.probability,
        )


DUCKDB_MEMORY_LIMIT: str = settings.setting("duckdb_memory_limit").default


def duckdb_engine(memory_limit: str | None = None, temp_directory: str | None = None) -> Any:
    """Splink on an in-process DuckDB whose memory is capped; beyond the cap it spills.

    DuckDB takes 80% of the machine's memory by default, which is what made a million
    records need 15 GB. The cap is ``memory_limit`` or ``$CIVICSPACE_DUCKDB_MEMORY_LIMIT``
    (default 4 GB); spilled data goes to ``temp_directory`` or
    ``$CIVICSPACE_DUCKDB_TEMP_DIRECTORY`` (default: a folder in the system's temp dir).
    """
    import duckdb
    from splink import DuckDBAPI

    limit = memory_limit or settings.read("duckdb_memory_limit")
    spill = (
        temp_directory
        or settings.raw("duckdb_temp_directory")
        or (os.path.join(tempfile.gettempdir(), "civicspace-duckdb"))
    )
    con = duckdb.connect()
    con.execute("SET memory_limit = ?", [limit])
    con.execute("SET temp_directory = ?", [spill])
    con.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection=con)


def spark_engine(spark_session: Any | None = None) -> Any:
    """Splink on Spark; without a session, a local one on all cores (for tests and trials)."""
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    if spark_session is None:
        # Splink's string-similarity functions (Jaro-Winkler) ship as a jar of Spark UDFs.
        spark_session = (
            SparkSession.builder.master("local[*]")
            .config("spark.jars", similarity_jar_location())
            .appName("civicspace-linkage")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "4")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
        spark_session.sparkContext.setCheckpointDir("/tmp/civicspace-spark-checkpoints")
    return SparkAPI(spark_session=spark_session, break_lineage_method="persist")  # type: ignore[no-untyped-call]


ENGINES: dict[str, Callable[[], Any]] = {"duckdb": duckdb_engine, "spark": spark_engine}


def _frame(records: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    frame = records[["unique_id", *columns]].copy()
    for col in columns:
        if col in _INT_FIELDS:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
        elif col in _STRING_FIELDS:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
            frame[col] = frame[col].map(lambda v: None if v in ("", None) else str(v))
    frame["unique_id"] = frame["unique_id"].astype(str)
    return frame


def _model_frame(module: ModuleType, records: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns a model compares, plus those it derives for blocking (``prepare``)."""
    frame = _frame(records, columns)
    prepare = getattr(module, "prepare", None)
    return prepare(frame) if prepare else frame


def link_records(
    records: pd.DataFrame,
    *,
    model: str = DEFAULT_MODEL,
    engine: str | Any = "duckdb",
    threshold: float | None = None,
    decisions: Mapping[tuple[str, str], str] | None = None,
    progress: Progress | None = None,
    seed: int = 42,
    em_iterations: int = 20,
) -> LinkageResult:
    """Link the records of several lists.

    ``records`` has ``unique_id``, ``list_name`` and the normalised fields (or, for the
    baseline model, ``name``, ``gender``, ``date``, ``place``). Each list is treated as
    free of duplicates. ``threshold`` defaults to the model's own (v3: 0.3 of the
    rival-discounted probability, v2: 0.5, v1: 0.9).
    ``em_iterations`` caps each EM session (20, the models' setting;
    tests use fewer).
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    module = MODELS[model]
    if threshold is None:
        threshold = float(getattr(module, "DEFAULT_THRESHOLD", DEFAULT_THRESHOLD))
    db_api = ENGINES[engine]() if isinstance(engine, str) else engine
    engine_name = (
        engine if isinstance(engine, str) else (type(engine).__name__.removesuffix("API").lower())
    )
    columns = [
        c
        for c in (NORMALISED_FIELDS if model != "baseline" else ("name", "gender", "date", "place"))
        if c != "initials_only"
    ]
    list_names = sorted(records["list_name"].unique())
    if len(list_names) < 2:
        raise ValueError("linkage needs records from at least two lists")
    from splink import Linker

    run_token = uuid.uuid4().hex[:8]  # a shared Spark session keeps earlier runs' tables
    linker = Linker(
        _register_lists(db_api, module, records, columns, list_names, run_token),
        module.settings("link_only", max_iterations=em_iterations),
        log_level=logging.WARNING,
    )
    pairs = _scored_pairs(linker, module, len(records), min(REVIEW_FLOOR, threshold), seed, say)
    say(f"clustering {len(pairs)} pairs into people")
    record_list = dict(zip(records["unique_id"].astype(str), records["list_name"], strict=True))
    if getattr(module, "DISCOUNT_RIVALS", False):
        pairs = [
            p
            for p in discount_rivals(pairs, record_list)
            if p.probability >= min(REVIEW_FLOOR, threshold)
        ]
    if hasattr(module, "contradiction_sql"):
        say("keeping contradicting records apart")
        find = _contradictions_on_engine(
            linker, db_api, module, records, columns, list_names, run_token, threshold
        )
        clusters, apart = consistent_clusters(record_list, pairs, threshold, find, decisions, say)
    else:
        clusters, apart = cluster_records(record_list, pairs, threshold, decisions), set()
    return LinkageResult(
        model_version=module.MODEL_VERSION,
        engine=engine_name,
        threshold=threshold,
        pairs=pairs,
        clusters=clusters,
        parameters=linker.misc.save_model_to_json(),
        seconds=time.perf_counter() - started,
        apart=sorted(apart),
    )


def _register_lists(
    db_api: Any,
    module: ModuleType,
    records: pd.DataFrame,
    columns: Sequence[str],
    list_names: Sequence[str],
    run_token: str,
) -> list[Any]:
    """One engine table per list, in the lists' order.

    Splink puts the record of the first-named table on the left of a pair, which v3's
    one-sided birth-year levels rely on: the contradiction checks' tables are named alike.
    """
    return [
        db_api.register(
            _model_frame(module, records[records["list_name"] == name], columns),
            dataset_display_name=f"list_{i:03d}_{run_token}",
        )
        for i, name in enumerate(list_names)
    ]


def _scored_pairs(
    linker: Any, module: ModuleType, size: int, floor: float, seed: int, say: Progress
) -> list[ScoredPair]:
    """Train the model by expectation maximisation, then score every candidate pair whose
    probability reaches ``floor``; Splink's own table of predictions is dropped after."""
    say("training the model (expectation maximisation)")
    module.train(linker, size, seed=seed)
    say("scoring candidate pairs")
    predictions = linker.inference.predict(threshold_match_probability=floor)
    # only the three columns we keep, not Splink's whole comparison table
    frame = linker.misc.query_sql(
        f"select unique_id_l, unique_id_r, match_probability from {predictions.physical_name}",
        output_type="pandas",
    )
    pairs = [
        ScoredPair(str(a), str(b), float(p))
        for a, b, p in zip(
            frame["unique_id_l"], frame["unique_id_r"], frame["match_probability"], strict=True
        )
    ]
    del frame
    predictions.drop_table_from_database_and_remove_from_cache()
    return pairs


def _contradictions_on_engine(
    linker: Any,
    db_api: Any,
    module: ModuleType,
    records: pd.DataFrame,
    columns: Sequence[str],
    list_names: Sequence[str],
    run_token: str,
    threshold: float,
) -> Callable[[Mapping[str, str]], set[tuple[str, str]]]:
    """A finder for :func:`consistent_clusters`: Splink scores every pair of records put
    together as one candidate person, and the pairs that the model would not link on their
    own and that are at one of its contradicting levels come back."""
    checks = itertools.count()

    def contradictions(candidates: Mapping[str, str]) -> set[tuple[str, str]]:
        check = next(checks)
        person = records["unique_id"].astype(str).map(candidates)
        grouped = person.notna().to_numpy()
        joined = records[grouped].assign(candidate_person=person[grouped].to_numpy())
        tables = [
            db_api.register(
                _model_frame(
                    module, joined[joined["list_name"] == name], [*columns, "candidate_person"]
                ),
                dataset_display_name=f"list_{i:03d}_{run_token}_check_{check}",
            )
            for i, name in enumerate(list_names)
            if (joined["list_name"] == name).any()
        ]
        scored = linker.inference.predict_within(
            tables,
            blocking_rules_to_generate_predictions=["l.candidate_person = r.candidate_person"],
            warning_mode="never",
        )
        found = linker.misc.query_sql(
            f"select unique_id_l, unique_id_r from {scored.physical_name} "
            f"where match_probability < {threshold} and {module.contradiction_sql()}",
            output_type="pandas",
        )
        scored.drop_table_from_database_and_remove_from_cache()
        for table in tables:
            table.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        return {
            (str(a), str(b))
            for a, b in zip(found["unique_id_l"], found["unique_id_r"], strict=True)
        }

    return contradictions


def records_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A linkage input frame from record dicts (``unique_id``, ``list_name``, fields)."""
    return pd.DataFrame(list(rows))
