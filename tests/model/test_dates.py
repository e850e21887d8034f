import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicspace.model.dates import FuzzyDate


@st.composite
def fuzzy_dates(draw: st.DrawFn) -> FuzzyDate:
    year = draw(st.integers(1900, 2100))
    precision = draw(st.sampled_from(["day", "month", "year"]))
    approximate = draw(st.booleans())
    if precision == "day":
        day = draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        return FuzzyDate(year, day.month, day.day, approximate=approximate)
    part = draw(st.sampled_from([None, "early", "mid", "late"]))
    month = draw(st.integers(1, 12)) if precision == "month" else None
    return FuzzyDate(year, month, None, part, approximate)


@given(fuzzy_dates())
def test_canonical_text_round_trips(date: FuzzyDate) -> None:
    assert FuzzyDate.parse(str(date)) == date


@given(fuzzy_dates())
def test_written_form_reads_back_as_the_same_date(date: FuzzyDate) -> None:
    assert FuzzyDate.parse(date.display()) == date


@given(fuzzy_dates())
def test_range_is_ordered_and_within_the_known_period(date: FuzzyDate) -> None:
    assert date.earliest <= date.latest
    assert date.earliest.year == date.latest.year == date.year
    if date.month:
        assert date.earliest.month == date.latest.month == date.month
    if date.precision == "day":
        assert date.earliest == date.latest


def test_vague_dates_never_invent_a_day() -> None:
    date = FuzzyDate.parse("early September 2022")
    assert date.precision == "month" and date.day is None
    assert date.display() == "early September 2022"
    assert (date.earliest, date.latest) == (dt.date(2022, 9, 1), dt.date(2022, 9, 10))
    assert FuzzyDate.parse("mid-August 2022").display() == "mid-August 2022"
    assert FuzzyDate.parse("late 2022-02").latest == dt.date(2022, 2, 28)


@pytest.mark.parametrize(
    "text", ["2022-02-30", "2022-13", "September", "", "early 2022-09-05", "32 May 2022"]
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        FuzzyDate.parse(text)


@given(st.text(max_size=30))
def test_parser_never_crashes_on_garbage(text: str) -> None:
    try:
        FuzzyDate.parse(text)
    except ValueError:
        pass
