import datetime as dt

from civicspace.cases import custody_state
from civicspace.model import LegalCase


def case(*events: dict) -> LegalCase:
    return LegalCase(id="c", title="t", country="KZ", defendants=["p"], events=list(events))


def test_extension_sets_the_next_deadline() -> None:
    c = case(
        {"kind": "detained", "date": "2022-01-06"},
        {"kind": "pretrial_detention_ordered", "date": "2022-01-08", "until": "2022-03-08"},
        {"kind": "pretrial_detention_extended", "date": "late 2022-08", "until": "2022-10-12"},
    )
    state = custody_state(c, "p", dt.date(2022, 9, 1))
    assert state.status == "pretrial_detention" and state.in_custody
    assert str(state.deadline_after(dt.date(2022, 9, 1))) == "2022-10-12"
    assert (
        state.days_in_custody(dt.date(2022, 9, 1))
        == (dt.date(2022, 9, 1) - dt.date(2022, 1, 6)).days
    )
    before = custody_state(c, "p", dt.date(2022, 2, 1))
    assert str(before.until) == "2022-03-08"


def test_verdict_with_restricted_freedom_releases_and_ends_after_its_term() -> None:
    c = case(
        {"kind": "house_arrest", "date": "mid 2022-01"},
        {"kind": "pretrial_detention_ordered", "date": "2022-08-05"},
        {
            "kind": "verdict",
            "date": "2022-08-20",
            "sentence": {"type": "restricted_freedom", "months": 36},
        },
    )
    assert custody_state(c, "p", dt.date(2022, 8, 10)).status == "pretrial_detention"
    after = custody_state(c, "p", dt.date(2022, 9, 1))
    assert after.status == "restricted" and not after.in_custody
    assert str(after.until) == "2025-08-20"
    assert custody_state(c, "p", dt.date(2025, 9, 1)).status == "free"


def test_imprisonment_counts_from_first_custody_and_release_ends_it() -> None:
    c = case(
        {"kind": "detained", "date": "2022-01-10"},
        {
            "kind": "verdict",
            "date": "2022-05-01",
            "sentence": {"type": "imprisonment", "months": 60},
        },
        {"kind": "amnesty", "date": "2022-12-01"},
    )
    state = custody_state(c, "p", dt.date(2022, 6, 1))
    assert state.status == "imprisoned" and str(state.custody_since) == "2022-01-10"
    assert custody_state(c, "p", dt.date(2022, 12, 2)).status == "free"
    assert custody_state(c, "p", dt.date(2021, 1, 1)).status == "unknown"


def test_a_vague_date_sorts_after_a_precise_one_early_in_the_same_month() -> None:
    c = case(
        {"kind": "house_arrest", "date": "mid 2022-01"},
        {"kind": "pretrial_detention_ordered", "date": "2022-08-05"},
        {
            "kind": "verdict",
            "date": "~2022-08",
            "sentence": {"type": "restricted_freedom", "months": 36},
        },
    )
    assert custody_state(c, "p", dt.date(2022, 8, 31)).status == "restricted"
