"""Baseline for benchmarks: Splink's stock name comparison on the names as written.

What a monitor gets from Splink without this module: no parsing, no transliteration,
no initials. Blocking on the first three letters of the written name and on the date.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from civicspace.victims.linkage.model_v1 import em_pass

MODEL_VERSION = "baseline"


def blocking_rules() -> list[Any]:
    return [block_on("substr(name, 1, 3)"), block_on("date", "place")]


def settings(link_type: str = "link_only", max_iterations: int = 20) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        comparisons=[
            cl.NameComparison("name"),
            cl.ExactMatch("gender"),
            cl.ExactMatch("date"),
            cl.ExactMatch("place"),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_matching_columns=False,
        max_iterations=max_iterations,
    )


def train(linker: Linker, records: int, seed: int = 42) -> None:
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(max(records * 20, 2e5), 5e6), seed=seed
    )
    max_pairs = 2e6 if records > 50_000 else None
    em_pass(linker, block_on("date", "place"), max_pairs=max_pairs)
    em_pass(linker, block_on("substr(name, 1, 3)"), max_pairs=max_pairs)
