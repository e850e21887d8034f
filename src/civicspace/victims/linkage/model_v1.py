"""Linkage model, version 1: Fellegi-Sunter comparisons on name keys, run by Splink.

Kept beside later versions rather than edited, so that a past linkage run can be
reproduced from the ``model_version`` it records.

Comparisons (each level's m and u are learnt; a record missing a field is neutral):

* surname key: equal; the two name parts swapped; Jaro-Winkler >= 0.92; >= 0.80.
* given name: full keys equal; Jaro-Winkler >= 0.88; initial-only on one side and
  the initials agree ("Ж." and "Zhanbolat"); otherwise different.
* patronymic initial, gender, birth year (exact / within 1 / within 3 years), day of
  death or detention (same / within 2 days) and place.

Blocking keeps recall across scripts because every rule is on folded keys: surname and
initial; given name and birth year (catches surname misspellings); surname stem (first
four letters) with initial and place, or with initial and birth year; and swapped
surname/given name.

Priors: the probability that two random records match starts from pairs agreeing on
surname, given name and birth year, assumed to catch 60% of matches, and is then
re-estimated by EM within surname blocks (the deterministic start alone was five times
too low on synthetic lists, where an initials-only list never shares a full name).
u probabilities come from random sampling (seeded), m probabilities by expectation
maximisation on two blocks (place and day; surname), so that each comparison is
estimated at least once.
"""

from __future__ import annotations

import logging
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

logger = logging.getLogger(__name__)
MODEL_VERSION = "v1"
DETERMINISTIC_RECALL = 0.6


def comparisons() -> list[Any]:
    surname = cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname_key"),
            cll.ExactMatchLevel("surname_key"),
            cll.ColumnsReversedLevel("surname_key", "given_key", symmetrical=True),
            cll.JaroWinklerLevel("surname_key", 0.92),
            cll.JaroWinklerLevel("surname_key", 0.80),
            cll.ElseLevel(),
        ],
    )
    given = cl.CustomComparison(
        output_column_name="given_name",
        comparison_levels=[
            cll.NullLevel("given_initial"),
            cll.ExactMatchLevel("given_key"),
            cll.JaroWinklerLevel("given_key", 0.88),
            cll.And(cll.NullLevel("given_key"), cll.ExactMatchLevel("given_initial")).configure(
                label_for_charts="initial agrees with the name or initial"
            ),
            cll.ElseLevel(),
        ],
    )
    birth_year = cl.CustomComparison(
        output_column_name="birth_year",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1),
            cll.AbsoluteDifferenceLevel("birth_year", 3),
            cll.ElseLevel(),
        ],
    )
    event_day = cl.CustomComparison(
        output_column_name="event_day",
        comparison_levels=[
            cll.NullLevel("event_day"),
            cll.ExactMatchLevel("event_day"),
            cll.AbsoluteDifferenceLevel("event_day", 2),
            cll.ElseLevel(),
        ],
    )
    return [
        surname,
        given,
        cl.ExactMatch("patronymic_initial"),
        cl.ExactMatch("gender"),
        birth_year,
        event_day,
        cl.ExactMatch("place_key"),
    ]


def blocking_rules() -> list[Any]:
    return [
        block_on("surname_key", "given_initial"),
        block_on("given_key", "birth_year"),
        block_on("substr(surname_key, 1, 4)", "given_initial", "place_key"),
        block_on("substr(surname_key, 1, 4)", "given_initial", "birth_year"),
        "l.surname_key = r.given_key and l.given_key = r.surname_key",
    ]


def settings(link_type: str = "link_only", max_iterations: int = 20) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        max_iterations=max_iterations,
    )


def train(linker: Linker, records: int, seed: int = 42) -> None:
    """Estimate the model's parameters without any labelled pairs."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("surname_key", "given_key", "birth_year")], recall=DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(max(records * 20, 2e5), 5e6), seed=seed
    )
    max_pairs = 2e6 if records > 50_000 else None
    em_pass(linker, block_on("place_key", "event_day"), max_pairs=max_pairs)
    em_pass(
        linker,
        block_on("surname_key"),
        max_pairs=max_pairs,
        populate_probability_two_random_records_match_from_trained_values=True,
    )


def em_pass(linker: Linker, rule: Any, **options: Any) -> bool:
    """One EM session; on small lists EM can drive an m probability to exactly zero,
    which Splink 5 refuses: the pass is then skipped and the earlier values kept."""
    # A session takes the comparisons its rule blocks on out of the linker's own settings
    # and puts them back only when it succeeds: a failed one would leave the model without
    # them (v3 on three lists of about 100 records scored pairs on four of its seven
    # comparisons, and failed when checking its clusters).
    before = linker._settings_obj.core_model_settings.copy()  # type: ignore[no-untyped-call]
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, **options)
    except ValueError as exc:
        if "below the minimum allowed" not in str(exc):
            raise
        linker._settings_obj.core_model_settings = before
        logger.warning("EM pass on %s skipped: %s", rule, exc)
        return False
    return True
