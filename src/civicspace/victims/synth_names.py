"""Name pools for synthetic people: Kazakh and Russian given names and surnames (Cyrillic).

The bundled lexicon's names, widened with compound Kazakh names (prefix + root) so that,
as in real populations, a few names are very common and most are rare.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["NAME_POOLS", "feminine", "given_pools", "lexicon", "surname_pool"]

NAME_POOLS = ("wide", "narrow")

_PREFIXES = (
    "Бек",
    "Нұр",
    "Ер",
    "Жан",
    "Сер",
    "Бай",
    "Таж",
    "Тұр",
    "Ай",
    "Қуан",
    "Ақ",
    "Қара",
    "Сұлтан",
    "Әли",
    "Мұхамед",
    "Төле",
    "Ораз",
    "Жақсы",
    "Ұлан",
    "Есен",
    "Қожа",
    "Сары",
    "Тілеу",
    "Бекмұхамбет",
    "Дос",
    "Құл",
    "Шал",
    "Әбу",
    "Ыбырай",
    "Темір",
)
_ROOTS = (
    "бол",
    "бай",
    "бек",
    "жан",
    "ғали",
    "хан",
    "мұрат",
    "тай",
    "сейіт",
    "қали",
    "ахмет",
    "ғазы",
    "әлі",
    "бала",
    "құл",
    "жігіт",
    "мырза",
    "бай",
    "берді",
    "болат",
    "ділда",
)
# Wider pools ("wide", the default): Kazakh given names are compounds of these parts
# (Жанболат, Нұрбек, Айгүл, Гүлнұр) far more often than the lexicon's 185 common names, and
# Kazakh surnames are formed from ancestors' given names, so both pools grow with them.
_FEMALE_PREFIXES = (
    "Ай",
    "Гүл",
    "Жан",
    "Нұр",
    "Ақ",
    "Бал",
    "Ұл",
    "Жұл",
    "Қарлы",
    "Мөл",
    "Ша",
    "Сая",
    "Ар",
    "Мей",
    "Дин",
    "Әсем",
    "Жаз",
    "Күн",
    "Ақ",
    "Сұлу",
)
_FEMALE_ROOTS = (
    "гүл",
    "жан",
    "сұлу",
    "нұр",
    "ерке",
    "бота",
    "дана",
    "ым",
    "ай",
    "шаш",
    "сая",
    "бике",
    "тай",
    "ару",
    "зада",
    "қыз",
    "бану",
)
_MORE_PREFIXES = (
    "Мұрат",
    "Асқар",
    "Ермек",
    "Қайрат",
    "Берік",
    "Әділ",
    "Серік",
    "Азат",
    "Ілияс",
    "Қасым",
    "Ардақ",
    "Бақыт",
    "Мағжан",
    "Сәкен",
    "Жұма",
    "Айт",
    "Омар",
    "Талап",
)
_MORE_ROOTS = (
    "жар",
    "бақ",
    "сейіт",
    "тас",
    "ғазы",
    "нияз",
    "қасым",
    "ан",
    "берген",
    "ахмет",
    "зат",
    "жол",
)
_FEM = {"ов": "ова", "ев": "ева", "ин": "ина", "ский": "ская"}


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[str]]:
    """The bundled lexicon: given names, surname stems and places."""
    text = resources.files("civicspace.text").joinpath("data/names.yaml").read_text("utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return data


def _compounds(prefixes: Sequence[str], roots: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(p + r for p, r in itertools.product(prefixes, roots)))


@lru_cache(maxsize=2)
def given_pools(wide: bool) -> tuple[list[str], list[str]]:
    """(male, female) given names; "wide" adds compound Kazakh names after the lexicon's."""
    lex = lexicon()
    male, female = list(lex["given_male"]), list(lex["given_female"])
    if wide:
        male += [
            n for n in _compounds(_PREFIXES + _MORE_PREFIXES, _ROOTS + _MORE_ROOTS) if n not in male
        ]
        female += [n for n in _compounds(_FEMALE_PREFIXES, _FEMALE_ROOTS) if n not in female]
    return male, female


@lru_cache(maxsize=2)
def surname_pool(wide: bool = False) -> list[str]:
    """Masculine surnames: lexicon stems, given names and compound Kazakh stems + suffix."""
    lex = lexicon()
    stems = list(lex["surname_stems"]) + list(lex["given_male"][:60])
    stems += [p + r for p, r in itertools.product(_PREFIXES, _ROOTS)]
    if wide:
        stems += given_pools(True)[0]
    pool = []
    for stem in dict.fromkeys(stems):
        if stem.endswith(("ов", "ев", "ёв", "ин")):
            pool.append(stem)
        elif stem.endswith("й"):
            pool.append(stem[:-1] + "ев")
        elif stem[-1] in "аеиоуыэюяәөұүі":
            pool.append(stem + "ев")
        else:
            pool.append(stem + "ов")
        pool.append(stem + "ұлы" if stem[-1] not in "аеиоуыэюяәөұүій" else stem + "ев")
    return sorted(set(pool))


def feminine(surname: str) -> str:
    """The feminine form of a masculine surname: Мамаев -> Мамаева, Серікұлы -> Серікқызы."""
    for masc, fem in _FEM.items():
        if surname.endswith(masc):
            return surname[: -len(masc)] + fem
    return surname.removesuffix("ұлы") + "қызы" if surname.endswith("ұлы") else surname
