"""Linkage model v3: typo-tolerant blocking keys, rival candidates, contradicting clusters."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from civicspace.text.names import surname_key
from civicspace.text.translit import SCHEMES, transliterate
from civicspace.victims.linkage import (
    cluster_records,
    consistent_clusters,
    discount_rivals,
    link_records,
    pair_key,
)
from civicspace.victims.linkage.accuracy import pairwise_accuracy
from civicspace.victims.linkage.clusters import ScoredPair
from civicspace.victims.linkage.model_v3 import surname_skeleton
from civicspace.victims.normalise import normalise
from civicspace.victims.synth import make_lists

with open("src/civicspace/text/data/names.yaml", encoding="utf-8") as fh:
    LEXICON = yaml.safe_load(fh)

# the misspellings the skeleton is meant to forgive: a vowel for a like vowel, a voiced
# consonant for its voiceless twin, a doubled letter (but not "к"/"г" before "х": the
# folding reads "кх" as the Latin "kh", that is "х", and "гх" as "gh", that is "ғ")
LIKE_LETTERS = {
    "а": "о",
    "о": "а",
    "е": "и",
    "и": "е",
    "ы": "и",
    "д": "т",
    "т": "д",
    "з": "с",
    "с": "з",
    "б": "п",
    "п": "б",
    "г": "к",
    "к": "г",
    "ж": "ш",
    "ш": "ж",
    "в": "ф",
}


def forgivable(surname: str, at: int) -> bool:
    letter, after = surname[at].lower(), surname[at + 1 : at + 2]
    return letter in LIKE_LETTERS and not (letter in "кг" and after == "х")


@st.composite
def surnames(draw: st.DrawFn) -> str:
    stem = draw(st.sampled_from(LEXICON["surname_stems"]))
    return stem + draw(st.sampled_from(["ов", "ев", "ин", "ұлы", ""]))


@st.composite
def misspelt(draw: st.DrawFn) -> tuple[str, str]:
    """(surname, the same surname with one forgivable misspelling)."""
    surname = draw(surnames())
    at = draw(st.integers(0, len(surname) - 1))
    letter = surname[at]
    if draw(st.booleans()) and forgivable(surname, at):
        swapped = LIKE_LETTERS[letter.lower()]
        return surname, surname[:at] + (swapped.upper() if letter.isupper() else swapped) + (
            surname[at + 1 :]
        )
    return surname, surname[: at + 1] + letter.lower() + surname[at + 1 :]


@given(misspelt())
def test_forgivable_misspellings_keep_the_surname_skeleton(pair: tuple[str, str]) -> None:
    surname, typo = pair
    assert surname_skeleton(surname_key(typo)) == surname_skeleton(surname_key(surname))


@given(surnames(), st.sampled_from(sorted(SCHEMES)))
def test_the_skeleton_is_the_same_in_any_script(surname: str, scheme: str) -> None:
    latin = transliterate(surname, scheme)
    assert surname_skeleton(surname_key(latin)) == surname_skeleton(surname_key(surname))


def test_a_skeleton_tells_different_surnames_apart() -> None:
    assert surname_skeleton("ahmetov") != surname_skeleton("omarov")
    assert surname_skeleton("ai") == "ai"  # no consonant: the key itself
    assert surname_skeleton(None) is None


# -- rival candidates ---------------------------------------------------------------------

RECORD_LIST = {f"{lst}{i}": lst for lst in "ABC" for i in range(4)}


@st.composite
def scored_pairs(draw: st.DrawFn) -> list[ScoredPair]:
    cross = [
        (a, b)
        for a, b in itertools.combinations(sorted(RECORD_LIST), 2)
        if RECORD_LIST[a] != RECORD_LIST[b]
    ]
    chosen = draw(st.lists(st.sampled_from(cross), unique=True, max_size=20))
    return [ScoredPair(a, b, draw(st.floats(0.01, 1.0))) for a, b in chosen]


@given(scored_pairs(), st.randoms())
def test_rivals_only_ever_lower_a_probability(pairs: list[ScoredPair], rnd: object) -> None:
    discounted = {
        pair_key(p.left, p.right): p.probability for p in discount_rivals(pairs, RECORD_LIST)
    }
    shuffled = [ScoredPair(p.right, p.left, p.probability) for p in pairs]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert discounted == pytest.approx(
        {pair_key(p.left, p.right): p.probability for p in discount_rivals(shuffled, RECORD_LIST)}
    )
    for p in pairs:
        key = pair_key(p.left, p.right)
        assert 0 < discounted[key] <= p.probability + 1e-12
        rivals = [
            q
            for q in pairs
            if q is not p
            and (
                (
                    key[0] in (q.left, q.right)
                    and RECORD_LIST[key[1]] in {RECORD_LIST[q.left], RECORD_LIST[q.right]}
                )
                or (
                    key[1] in (q.left, q.right)
                    and RECORD_LIST[key[0]] in {RECORD_LIST[q.left], RECORD_LIST[q.right]}
                )
            )
        ]
        if not rivals:
            assert discounted[key] == pytest.approx(min(p.probability, 1 - 1e-12))


def test_two_equal_candidates_for_one_record_share_it() -> None:
    pairs = [ScoredPair("A0", "B0", 0.9), ScoredPair("A0", "B1", 0.9), ScoredPair("A1", "C0", 0.9)]
    out = {(p.left, p.right): p.probability for p in discount_rivals(pairs, RECORD_LIST)}
    assert out[("A0", "B0")] == out[("A0", "B1")] == pytest.approx(9 / 19)
    assert out[("A1", "C0")] == pytest.approx(0.9)  # a rival from another list is no rival


def test_pairs_kept_apart_stay_apart_unless_a_reviewer_joins_them() -> None:
    record_list = {"a": "A", "b": "B", "c": "C"}
    pairs = [ScoredPair("a", "b", 0.99), ScoredPair("b", "c", 0.98)]
    apart = [("a", "c")]
    clusters = cluster_records(record_list, pairs, 0.5, apart=apart)
    assert clusters["a"] == clusters["b"] != clusters["c"]
    joined = cluster_records(record_list, pairs, 0.5, {("a", "c"): "same"}, apart=apart)
    assert joined["a"] == joined["b"] == joined["c"]


def test_records_joined_through_others_are_checked_against_each_other() -> None:
    """a-b and b-c are linked; a and c were never compared. The finder (the model, in a
    run) is asked about clusters of three or more only, and c stays apart from a."""
    record_list = {"a": "A", "b": "B", "c": "C", "d": "A", "e": "B"}
    pairs = [ScoredPair("a", "b", 0.99), ScoredPair("b", "c", 0.98), ScoredPair("d", "e", 0.9)]
    asked: list[dict[str, str]] = []

    def contradictions(candidates: Mapping[str, str]) -> list[tuple[str, str]]:
        asked.append(dict(candidates))
        return [("c", "a")] if {"a", "c"} <= candidates.keys() else []

    clusters, apart = consistent_clusters(record_list, pairs, 0.5, contradictions)
    assert apart == {("a", "c")}
    assert clusters["a"] == clusters["b"] != clusters["c"]
    assert clusters["d"] == clusters["e"]
    assert asked == [{"a": "a", "b": "a", "c": "a"}]  # then no cluster of three is left


# -- the model on synthetic lists ---------------------------------------------------------


def frame_of(lists: dict[str, list[dict[str, object]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"unique_id": r["record_id"], "list_name": name, **normalise(r)}
            for name, records in lists.items()
            for r in records
        ]
    )


def test_v3_links_the_lists_and_never_clusters_contradicting_records() -> None:
    """A Cyrillic record without date, place or age looks like both an official record
    and a Latin-script record, which were born twenty years apart in different towns:
    v3 may link it to one of them, never both into one person."""
    lists = make_lists(600, seed=11)
    truth = lists.truth()
    trio = {
        "official": {
            "record_id": "official-x",
            "name": "Зейнуллабеков Е.Т.",
            "age": "30",
            "date": "2022-01-05",
            "place": "Тараз",
        },
        "qantar": {"record_id": "qantar-x", "name": "Зейнуллабеков Ерлан Талгатұлы", "gender": "m"},
        "azattyk": {
            "record_id": "azattyk-x",
            "name": "Erlan Zeinullabekov",
            "birth_year": "1972",
            "date": "2022-01-09",
            "place": "Aktobe",
            "gender": "m",
        },
    }
    for name, record in trio.items():
        lists.lists[name].append(record)
    records = frame_of(lists.lists)
    result = link_records(records, model="v3")
    assert (result.model_version, result.threshold) == ("v3", 0.3)
    clusters = result.clusters
    assert clusters["official-x"] != clusters["azattyk-x"]
    assert ("azattyk-x", "official-x") in result.apart
    # re-clustering from the stored pairs (as the service does after each decision) keeps
    # them apart only when given the pairs the run kept apart
    record_list = dict(zip(records["unique_id"], records["list_name"], strict=True))
    again = cluster_records(record_list, result.pairs, result.threshold, apart=result.apart)
    assert again["official-x"] != again["azattyk-x"]
    accuracy = pairwise_accuracy({r: clusters[r] for r in truth}, truth)
    assert accuracy.precision >= 0.97 and accuracy.recall >= 0.95
    lists_in_cluster = records.assign(cluster=records["unique_id"].map(clusters))
    assert not lists_in_cluster.duplicated(["cluster", "list_name"]).any()


def test_a_skipped_em_pass_leaves_every_comparison_in_the_model(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On three lists of about a hundred records EM drives an m probability of the pass on
    initial, birth year and place to zero; the pass is skipped, and the model must keep the
    comparisons that pass had set aside (it used to lose them, and fail in the cluster
    checks, which read every comparison's match weight)."""
    lists = make_lists(200, seed=1)
    with caplog.at_level("WARNING", logger="civicspace.victims.linkage.model_v1"):
        result = link_records(frame_of(lists.lists), model="v3")
    assert any("skipped" in r.message for r in caplog.records)
    assert [c["output_column_name"] for c in result.parameters["comparisons"]] == [
        "surname",
        "given_name",
        "patronymic",
        "gender",
        "birth_year",
        "event_day",
        "place",
    ]
    accuracy = pairwise_accuracy(result.clusters, lists.truth())
    assert accuracy.precision >= 0.95 and accuracy.recall >= 0.9
