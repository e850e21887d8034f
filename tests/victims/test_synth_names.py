"""The synthetic population's name pools and the parses linkage relies on."""

from __future__ import annotations

from collections import Counter

import pytest

from civicspace.text.names import parse_name
from civicspace.victims.synth import make_lists, make_population


def test_wide_pools_make_fewer_namesakes_than_narrow() -> None:
    def namesakes(names: str) -> int:
        people = make_population(20_000, seed=3, names=names)
        key = Counter((p.surname, p.given, p.age) for p in people)
        return sum(n for n in key.values() if n > 1)

    assert namesakes("wide") < namesakes("narrow") / 2


def test_narrow_pools_reproduce_the_older_generator() -> None:
    a = make_lists(50, seed=4, names="narrow")
    b = make_lists(50, seed=4, names="narrow")
    assert a.lists == b.lists
    with pytest.raises(ValueError):
        make_population(5, names="tiny")


@pytest.mark.parametrize(
    "written", ["Ұланан Берікәліұлы Шалбекұлы", "Шалбекұлы Ұланан Берікәліұлы"]
)
def test_kazakh_surname_and_patronymic_both_in_uly(written: str) -> None:
    name = parse_name(written)
    assert (name.surname, name.given, name.patronymic) == ("Шалбекұлы", "Ұланан", "Берікәліұлы")
