"""Baseline for benchmarks: Splink's stock name comparison on the names as written.

What a monitor gets from Splink without this module: no parsing, no transliteration,
no initials. Only its blocking is ours, on the raw strings too: the first word of the
written name (the surname on Cyrillic lists) with the date or with the place, and the
first three letters of the name with both. The first baseline blocked on the first three
letters alone and on date and place alone, which at a million records made billions of
candidate pairs (DuckDB spilled about 75 GB to disk and ran out of space). At 250,000
records these rules make 3.3 million candidate pairs instead of 233 million, holding 25%
of the true pairs instead of 35%; across scripts the baseline links next to none of them
either way.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from civicspace.victims.linkage.model_v1 import em_pass

MODEL_VERSION = "baseline"


_FIRST_WORD = "split_part(name, ' ', 1)"


def blocking_rules() -> list[Any]:
    return [
        block_on(_FIRST_WORD, "date"),
        block_on(_FIRST_WORD, "place"),
        block_on("substr(name, 1, 3)", "date", "place"),
    ]


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
    em_pass(linker, block_on(_FIRST_WORD, "date"), max_pairs=max_pairs)
    em_pass(linker, block_on("substr(name, 1, 3)", "place"), max_pairs=max_pairs)
