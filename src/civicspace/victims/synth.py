"""Synthetic victim lists with known truth, to measure linkage and estimators honestly.

A population of people with Kazakh and Russian names (Cyrillic) is drawn; each list
records each person with its own probability, made unequal by a hidden "visibility" per
person, by age (children are less often recorded on official lists) and by place. Lists
render names the way real compilers do: an official list with surname and initials only,
an NGO list with full Cyrillic names typed with Russian letters for Kazakh ones, a media
list in Latin script under mixed transliteration conventions with the surname last.
Spelling mistakes and missing fields are added at chosen rates. Every record keeps the
id of the person it describes, so pairwise precision/recall and estimator coverage can be
measured.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from civicspace.text.translit import transliterate
from civicspace.victims.synth_names import (
    NAME_POOLS,
    feminine,
    given_pools,
    lexicon,
    surname_pool,
)

__all__ = [
    "DEFAULT_LISTS",
    "EVENT_YEAR",
    "NAME_POOLS",
    "RECORD_FIELDS",
    "ListSpec",
    "Person",
    "SyntheticLists",
    "iter_people_on_lists",
    "make_lists",
    "make_population",
]

RECORD_FIELDS = ("record_id", "name", "gender", "age", "birth_year", "date", "place")
EVENT_YEAR = 2022
_KZ_TO_RU = str.maketrans("қғұүөәіңһҚҒҰҮӨӘІҢҺ", "кгууоаинхКГУУОАИНХ")
_SIMILAR = {
    "е": "и",
    "и": "е",
    "о": "а",
    "а": "о",
    "с": "з",
    "з": "с",
    "т": "д",
    "д": "т",
    "ы": "и",
    "н": "м",
    "л": "р",
    "б": "п",
    "ж": "ш",
    "к": "г",
}


@dataclass(frozen=True)
class ListSpec:
    """How one compiler records: capture chance, name style, script and noise."""

    name: str
    kind: str = "ngo"  # official / ngo / media / other
    capture: float = 0.5
    style: str = "full"  # "initials": surname and initials only; "full": full name
    script: str = "Cyrl"  # "Cyrl" or "Latn" (mixed conventions)
    child_factor: float = 1.0  # multiplies the capture chance of under-18s
    typo_rate: float = 0.05
    missing_rate: float = 0.1
    swap_rate: float = 0.1  # names written in the other order


DEFAULT_LISTS = (
    ListSpec(
        "official",
        "official",
        0.75,
        "initials",
        "Cyrl",
        child_factor=0.6,
        typo_rate=0.01,
        missing_rate=0.05,
        swap_rate=0.0,
    ),
    ListSpec("qantar", "ngo", 0.55, "full", "Cyrl", typo_rate=0.05, swap_rate=0.05),
    ListSpec("azattyk", "media", 0.45, "full", "Latn", child_factor=1.4, typo_rate=0.04),
)


@dataclass(frozen=True)
class Person:
    person_id: int
    gender: str
    surname: str
    given: str
    patronymic: str
    age: int
    date: dt.date
    place: str


@dataclass
class SyntheticLists:
    """The generated lists (record dicts per list) and the truth behind them."""

    people: list[Person]
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    specs: dict[str, ListSpec] = field(default_factory=dict)

    def truth(self) -> dict[str, int]:
        """record_id -> person_id."""
        return {r["record_id"]: r["person_id"] for recs in self.lists.values() for r in recs}

    def write(self, folder: str | Path) -> list[Path]:
        """One CSV per list plus ``truth.csv`` (record_id, person_id)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, records in self.lists.items():
            path = folder / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, RECORD_FIELDS, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(records)
            written.append(path)
        truth = folder / "truth.csv"
        with truth.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["list", "record_id", "person_id"])
            for name, records in self.lists.items():
                out.writerows((name, r["record_id"], r["person_id"]) for r in records)
        return [*written, truth]


def _zipf_choice(rng: np.random.Generator, items: Sequence[str], size: int, a: float) -> list[str]:
    weights = 1.0 / np.arange(1, len(items) + 1) ** a
    order = rng.permutation(len(items))
    idx = rng.choice(len(items), size=size, p=weights / weights.sum())
    return [items[order[i]] for i in idx]


def make_population(size: int, seed: int = 0, names: str = "wide") -> list[Person]:
    """People killed or detained in the January events of a fictional country-wide crisis.

    ``names="narrow"`` draws from the lexicon's 108 male and 77 female given names and
    1,295 surnames only (the generator before the wider pools; kept to reproduce older
    figures): so few that one person in five shares surname, initial and age with
    another in a population of 70,000. ``"wide"`` adds compound Kazakh given names
    and the surnames formed from them, drawn with a slightly steeper Zipf law (a few
    names are very common, most are rare).
    """
    if names not in NAME_POOLS:
        raise ValueError(f"names must be one of {NAME_POOLS}")
    wide = names == "wide"
    rng = np.random.default_rng(seed)
    genders = rng.choice(["m", "f"], size=size, p=[0.8, 0.2])
    male_pool, female_pool = given_pools(wide)
    a_given = 0.75 if wide else 0.6
    surnames = _zipf_choice(rng, surname_pool(wide), size, 0.7)
    males = _zipf_choice(rng, male_pool, size, a_given)
    females = _zipf_choice(rng, female_pool, size, a_given)
    fathers = _zipf_choice(rng, [n for n in male_pool if n[-1] not in "йь"], size, a_given)
    places = _zipf_choice(rng, lexicon()["places"], size, 1.0)
    ages = np.where(rng.random(size) < 0.08, rng.integers(2, 18, size), rng.integers(18, 75, size))
    days = rng.integers(0, 8, size)
    people = []
    for i in range(size):
        g = str(genders[i])
        kazakh = rng.random() < 0.7
        father = fathers[i]
        if kazakh:
            patronymic = father + ("ұлы" if g == "m" else "қызы")
        else:
            patronymic = father + ("ович" if g == "m" else "овна")
        surname = surnames[i] if g == "m" else feminine(surnames[i])
        people.append(
            Person(
                person_id=i + 1,
                gender=g,
                surname=surname,
                given=males[i] if g == "m" else females[i],
                patronymic=patronymic,
                age=int(ages[i]),
                date=dt.date(EVENT_YEAR, 1, 4) + dt.timedelta(days=int(days[i])),
                place=places[i],
            )
        )
    return people


def _typo(rng: np.random.Generator, word: str) -> str:
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]
    if kind < 0.8:
        return word[:i] + _SIMILAR.get(word[i], word[i]) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _render(rng: np.random.Generator, p: Person, spec: ListSpec) -> str:
    surname, given, patronymic = p.surname, p.given, p.patronymic
    if rng.random() < spec.typo_rate:
        surname = _typo(rng, surname)
    if rng.random() < spec.typo_rate:
        given = _typo(rng, given)
    if spec.style == "initials":
        return f"{surname} {given[0]}.{patronymic[0]}."
    if spec.script == "Cyrl":
        if rng.random() < 0.5:  # Kazakh letters typed on a Russian keyboard
            surname, given, patronymic = (
                s.translate(_KZ_TO_RU) for s in (surname, given, patronymic)
            )
        with_patronymic = rng.random() < 0.6
        parts = [surname, given] + ([patronymic] if with_patronymic else [])
        if rng.random() < spec.swap_rate:
            parts = [given] + ([patronymic] if with_patronymic else []) + [surname]
        return " ".join(parts)
    scheme = str(rng.choice(["icao", "bgn", "informal", "kz2021"], p=[0.35, 0.2, 0.35, 0.1]))
    parts = [given, surname] if rng.random() >= spec.swap_rate else [surname, given]
    return " ".join(transliterate(s, scheme) for s in parts)


def _record(rng: np.random.Generator, p: Person, spec: ListSpec, n: int) -> dict[str, Any]:
    def maybe(value: Any) -> Any:
        return "" if rng.random() < spec.missing_rate else value

    age = p.age
    birth_year = EVENT_YEAR - age - int(rng.integers(0, 2))
    place = p.place if spec.script == "Cyrl" else transliterate(p.place, "informal")
    return {
        "record_id": f"{spec.name}-{n:07d}",
        "person_id": p.person_id,
        "name": _render(rng, p, spec),
        "gender": maybe(p.gender) if spec.style != "initials" else "",
        "age": maybe(age) if spec.script == "Cyrl" else "",
        "birth_year": maybe(birth_year) if spec.script == "Latn" else "",
        "date": maybe(p.date.isoformat()),
        "place": maybe(place),
    }


def make_lists(
    population: int = 300,
    specs: Sequence[ListSpec] = DEFAULT_LISTS,
    seed: int = 0,
    heterogeneity: float = 0.8,
    names: str = "wide",
) -> SyntheticLists:
    """Draw a population and the lists that record it.

    ``heterogeneity`` is the spread (log-scale SD) of each person's hidden visibility: 0
    gives equal capture chances; 0.8 makes some people several times harder to record.
    """
    rng = np.random.default_rng(seed + 1)
    people = make_population(population, seed, names)
    visibility = (
        rng.lognormal(0.0, heterogeneity, size=population)
        if heterogeneity
        else (np.ones(population))
    )
    visibility /= np.mean(visibility)
    out = SyntheticLists(people=people, specs={s.name: s for s in specs})
    for spec in specs:
        records: list[dict[str, Any]] = []
        for p, v in zip(people, visibility, strict=True):
            prob = spec.capture * v * (spec.child_factor if p.age < 18 else 1.0)
            if rng.random() < min(prob, 0.98):
                records.append(_record(rng, p, spec, len(records) + 1))
        order = rng.permutation(len(records))
        out.lists[spec.name] = [records[i] for i in order]
    return out


def iter_people_on_lists(lists: SyntheticLists) -> Iterator[set[str]]:
    """For each person recorded anywhere, the names of the lists that recorded them."""
    on: dict[int, set[str]] = {}
    for name, records in lists.lists.items():
        for r in records:
            on.setdefault(r["person_id"], set()).add(name)
    return iter(on.values())
