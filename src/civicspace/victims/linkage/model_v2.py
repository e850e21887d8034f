"""Linkage model, version 2: v1's comparisons made frequency-aware, and tighter blocking.

Kept beside :mod:`model_v1` (which stays as it was, so runs that recorded ``v1`` can be
reproduced). What changed, and why (measured on synthetic lists with truth, see
``docs/victims.md``):

* **Term-frequency adjustments** on the exact levels of surname, given name and place.
  An agreeing rare surname is strong evidence, an agreeing "Ахметов" much weaker; v1 gave
  both the same weight, which at 100,000 records and more left many namesakes above the
  threshold and pushed true pairs down the review queue.
* **Patronymic**: full patronymic keys equal; else the initials agree; else different
  (v1 compared initials only).
* **Birth year** levels: exact, within 1 year (an age and a birth year of the same person
  differ by one half of the time), within 2, else.
* **Blocking** (all on folded keys, so across scripts): surname key and given-name initial
  together with one of birth year within a year, day of the event, place or patronymic
  initial; given name with birth year within a year, or with day and place (catches
  surname misspellings in full-name lists); the first four or the last four letters of
  the surname with initial, day and place or birth year (misspellings in initials-only
  lists); swapped surname and given name. Pairs that agree only on surname and initial,
  with everything else different, are no longer scored: at a million records that block
  alone made more than half of all comparisons while holding few matches.

Training is unsupervised, as in v1: the prior starts from pairs agreeing on surname, given
name and birth year (assumed to catch 60% of matches), u probabilities come from seeded
random sampling, m probabilities and the prior from two EM sessions (place and day;
surname and initial). Nothing looks at the truth.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from civicspace.victims.linkage.model_v1 import em_pass

MODEL_VERSION = "v2"
DETERMINISTIC_RECALL = 0.6
# A pair is linked when it is more likely the same person than not; the one-record-per-list
# constraint of the clustering then settles rival candidates best-first. Chosen on a
# development seed (7) of the synthetic lists, where it beat 0.9 (F1 0.990 against 0.981 at
# 100,000 records); the benchmark runs on another seed (2022). Pairs from 0.2 to 0.5 go to
# the review queue.
DEFAULT_THRESHOLD = 0.5


def comparisons() -> list[Any]:
    surname = cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname_key"),
            cll.ExactMatchLevel("surname_key", term_frequency_adjustments=True),
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
            cll.ExactMatchLevel("given_key", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("given_key", 0.88),
            cll.And(cll.NullLevel("given_key"), cll.ExactMatchLevel("given_initial")).configure(
                label_for_charts="initial agrees with the name or initial"
            ),
            cll.ElseLevel(),
        ],
    )
    patronymic = cl.CustomComparison(
        output_column_name="patronymic",
        comparison_levels=[
            cll.NullLevel("patronymic_initial"),
            cll.ExactMatchLevel("patronymic_key"),
            cll.ExactMatchLevel("patronymic_initial"),
            cll.ElseLevel(),
        ],
    )
    birth_year = cl.CustomComparison(
        output_column_name="birth_year",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1),
            cll.AbsoluteDifferenceLevel("birth_year", 2),
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
    place = cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.NullLevel("place_key"),
            cll.ExactMatchLevel("place_key", term_frequency_adjustments=True),
            cll.ElseLevel(),
        ],
    )
    return [surname, given, patronymic, cl.ExactMatch("gender"), birth_year, event_day, place]


_NEAR_YEAR = "abs(l.birth_year - r.birth_year) <= 1"


def blocking_rules() -> list[Any]:
    same_name = "l.surname_key = r.surname_key and l.given_initial = r.given_initial"
    stem4 = (
        "substr(l.surname_key, 1, 4) = substr(r.surname_key, 1, 4) "
        "and l.given_initial = r.given_initial"
    )
    end4 = "right(l.surname_key, 4) = right(r.surname_key, 4) and l.given_initial = r.given_initial"
    return [
        f"{same_name} and {_NEAR_YEAR}",
        block_on("surname_key", "given_initial", "event_day"),
        block_on("surname_key", "given_initial", "place_key"),
        block_on("surname_key", "given_initial", "patronymic_initial"),
        f"l.given_key = r.given_key and {_NEAR_YEAR}",
        block_on("given_key", "event_day", "place_key"),
        f"{stem4} and l.event_day = r.event_day and l.place_key = r.place_key",
        f"{stem4} and l.event_day = r.event_day and {_NEAR_YEAR}",
        f"{end4} and l.event_day = r.event_day and l.place_key = r.place_key",
        f"{end4} and l.event_day = r.event_day and {_NEAR_YEAR}",
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
    max_pairs = 5e6 if records > 50_000 else None
    em_pass(linker, block_on("surname_key", "event_day"), max_pairs=max_pairs)
    em_pass(
        linker,
        block_on("given_initial", "birth_year", "place_key"),
        max_pairs=max_pairs,
        populate_probability_two_random_records_match_from_trained_values=True,
    )
