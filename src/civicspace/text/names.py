"""Parsing personal names as monitors meet them on victim lists.

One person appears as "Мамай Жанболат Серікұлы", "Zhanbolat Mamai", "Мамай Ж." or
"Mamaeva Zh." (his wife, a different person sharing the surname stem). :func:`parse_name`
splits a written name into surname, given name, patronymic and initials, whatever the
order and the script; :meth:`PersonName.keys` gives the comparison keys linkage uses::

    >>> a, b = parse_name("Мамай Ж."), parse_name("Zhanbolat Mamai")
    >>> a.keys().surname == b.keys().surname
    True
    >>> initials_compatible(a.keys().given_initial, b.keys().given)
    True

Order is decided, in turn, by a patronymic (Russian order "Surname Given Patronymic" or
"Given Patronymic Surname"), by surname suffixes (-ов, -ева, -ский, -uly), by a lexicon of
given names, and otherwise by script: Cyrillic lists in Kazakhstan put the surname first,
Latin-script media put it last. ``order_certain`` says whether anything but the script
decided.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final

import yaml

from civicspace.text.translit import _REPEATS, detect_script, fold

__all__ = [
    "NameKeys",
    "name_fold",
    "PersonName",
    "initial_key",
    "initials_compatible",
    "parse_name",
    "surname_key",
]

# Kazakh patronymics: "Серікұлы" (son of Серік), "Серікқызы" (daughter), or written apart.
_KZ_SON: Final = ("ұлы", "улы", "uly", "ūly", "ulı", "uli", "ули")
_KZ_DAUGHTER: Final = ("қызы", "кызы", "kyzy", "qyzy", "qızı", "kizi", "kyzi")
_RU_PATRONYMIC_M: Final = ("ович", "евич", "ьич", "ич", "ovich", "evich", "yevich", "ich")
_RU_PATRONYMIC_F: Final = ("овна", "евна", "ична", "инична", "ovna", "evna", "yevna", "ichna")
# Surname endings: masculine and feminine forms (Cyrillic and common Latin spellings).
_SURNAME_M: Final = (
    "ов",
    "ев",
    "ёв",
    "ин",
    "ын",
    "ский",
    "цкий",
    "ской",
    "ov",
    "ev",
    "yev",
    "in",
    "yn",
    "sky",
    "skiy",
    "skii",
    "skij",
)
_SURNAME_F: Final = (
    "ова",
    "ева",
    "ёва",
    "ина",
    "ына",
    "ская",
    "цкая",
    "ova",
    "eva",
    "yeva",
    "ina",
    "yna",
    "skaya",
    "skaia",
    "skaja",
)
_SURNAME_NEUTRAL: Final = ("енко", "ук", "юк", "enko", "uk", "yuk", "iuk")
# Latin spellings whose first sound is one Cyrillic letter, longest first.
_LATIN_ONSETS: Final = (
    "shch",
    "dzh",
    "zh",
    "kh",
    "sh",
    "ch",
    "ts",
    "ya",
    "yu",
    "ye",
    "yo",
    "ia",
    "iu",
    "gh",
    "dj",
)
# GOST's and ISO 9's prime (U+02B9) writes the soft sign too; in names it is an apostrophe.
_APOSTROPHES: Final = re.compile(r"(?<=\w)['`\u2019\u201d\u02bc\u02b9](?=\w)")
_INITIAL: Final = re.compile(r"^([^\W\d_]{1,4})\.$|^([^\W\d_])$")
_GLUED_INITIALS: Final = re.compile(r"([^\W\d_]{1,4}\.)(?=[^\W\d_])")


def name_fold(text: str) -> str:
    """:func:`~civicspace.text.translit.fold` made blind to one more name spelling.

    "ё" is spelled "yo"/"io" or "e" ("Пётр", "Pyotr", "Petr"); that is folded here, for
    names only, so search keys stay as they are. (BGN/PCGN's apostrophes inside a word,
    "Il\u2019in", ``fold`` itself keeps within the word.)
    """
    key = fold(_APOSTROPHES.sub("\u2019", text))
    return _REPEATS.sub(r"\1", key.replace("io", "e"))


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """Folded given names (male, female) from the bundled lexicon."""
    text = resources.files("civicspace.text").joinpath("data/names.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    male = frozenset(name_fold(n) for n in data["given_male"])
    female = frozenset(name_fold(n) for n in data["given_female"])
    return male, female


def _ends(word: str, endings: tuple[str, ...]) -> bool:
    low = word.lower()
    return any(low.endswith(e) and len(low) > len(e) + 1 for e in endings)


def surname_key(surname: str) -> str:
    """Folded surname with the feminine ending made masculine: Мамаева and Mamayev agree.

    Both forms of a family name meet in one key so blocking keeps spouses and siblings
    together; the gender comparison then tells them apart.
    """
    key = name_fold(surname).replace(" ", "")
    for fem, masc in (
        ("skaia", "ski"),
        ("ckaia", "cki"),
        ("ova", "ov"),
        ("eva", "ev"),
        ("ina", "in"),
    ):
        if key.endswith(fem) and len(key) > len(fem) + 1:
            return key[: -len(fem)] + masc
    return key


def initial_key(word: str) -> str | None:
    """The folded first sound of a word, so "Ж.", "Zh.", "J." and "Zhanbolat" all give "j"."""
    w = unicodedata.normalize("NFC", word).strip(". ").lower()
    if not w:
        return None
    if detect_script(w[0]) == "Cyrl":
        return name_fold(w[0]) or None
    for onset in _LATIN_ONSETS:
        if w.startswith(onset):
            return name_fold(onset) or None
    return name_fold(w[0]) or None


def initials_compatible(initial: str | None, given: str | None) -> bool:
    """True when a folded initial could abbreviate a folded given name (or either is unknown)."""
    if not initial or not given:
        return True
    return given.startswith(initial) or initial_key(given) == initial


@dataclass(frozen=True)
class NameKeys:
    """Spelling- and script-blind keys of a name, the columns linkage compares."""

    surname: str | None
    given: str | None
    given_initial: str | None
    patronymic: str | None
    patronymic_initial: str | None


@dataclass(frozen=True)
class PersonName:
    """A written name split into its parts; parts stay as written (no transliteration)."""

    written: str
    surname: str | None = None
    given: str | None = None
    patronymic: str | None = None
    given_initial: str | None = None
    patronymic_initial: str | None = None
    gender: str | None = None  # "m" / "f" when the grammar of the name tells
    order_certain: bool = False

    @property
    def initials_only(self) -> bool:
        """True for "Мамай Ж."-style entries where the given name is only an initial."""
        return self.given is None and self.given_initial is not None

    def keys(self) -> NameKeys:
        """Comparison keys; the given-name initial is derived from the full name if known."""
        given = name_fold(self.given) if self.given else None
        patronymic = name_fold(self.patronymic).replace(" ", "") if self.patronymic else None
        g_init = initial_key(self.given or self.given_initial or "")
        p_init = initial_key(self.patronymic or self.patronymic_initial or "")
        return NameKeys(
            surname=surname_key(self.surname) if self.surname else None,
            given=given or None,
            given_initial=g_init,
            patronymic=patronymic or None,
            patronymic_initial=p_init,
        )


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace(",", " ")
    text = _GLUED_INITIALS.sub(r"\1 ", text)  # "Ж.Б." -> "Ж. Б."
    return [t for t in text.split() if t.strip(".-")]


def _is_initial(token: str) -> bool:
    m = _INITIAL.match(token)
    if not m:
        return False
    letters = (m.group(1) or m.group(2)).lower()
    if len(letters) == 1:
        return True
    return any(letters == o for o in _LATIN_ONSETS)


def _patronymic_gender(token: str) -> str | None:
    low = token.lower()
    if any(low.endswith(s) and len(low) > len(s) + 1 for s in _KZ_SON) or _ends(
        low, _RU_PATRONYMIC_M
    ):
        return "m"
    if any(low.endswith(s) and len(low) > len(s) + 1 for s in _KZ_DAUGHTER) or _ends(
        low, _RU_PATRONYMIC_F
    ):
        return "f"
    return None


def _surname_gender(token: str) -> str | None:
    if _ends(token, _SURNAME_F):
        return "f"
    if _ends(token, _SURNAME_M):
        return "m"
    return None


def _given_gender(token: str) -> str | None:
    male, female = _lexicon()
    key = name_fold(token)
    if key in male:
        return "m"
    if key in female:
        return "f"
    return None


def _merge_kazakh_patronymic(tokens: list[str]) -> list[str]:
    """Join a detached "ұлы"/"қызы" to the father's name before it: "Серік ұлы"."""
    out: list[str] = []
    for tok in tokens:
        if out and tok.lower() in _KZ_SON + _KZ_DAUGHTER:
            out[-1] = f"{out[-1]} {tok}"
        else:
            out.append(tok)
    return out


def _kazakh_patronymic(token: str) -> bool:
    low = token.lower().replace(" ", "")
    return any(low.endswith(x) and len(low) > len(x) + 1 for x in _KZ_SON + _KZ_DAUGHTER)


def _looks_like_surname(token: str) -> bool:
    return _surname_gender(token) is not None or _ends(token, _SURNAME_NEUTRAL)


def parse_name(written: str) -> PersonName:
    """Split a written name into parts; never raises, unknown parts stay ``None``.

    >>> parse_name("Мамай Жанболат Серікұлы").patronymic
    'Серікұлы'
    >>> parse_name("Zh. Mamai").surname
    'Mamai'
    """
    tokens = _merge_kazakh_patronymic(_tokens(written))
    initials = [t.strip(".") for t in tokens if _is_initial(t)]
    words = [t for t in tokens if not _is_initial(t)]

    patronymics = [i for i, w in enumerate(words) if _patronymic_gender(w.replace(" ", ""))]
    # A lone word can be a surname that happens to end in -ич (Бабич), and of two words one
    # ending in -ұлы is the modern Kazakh surname (Мамай -> Жанболатұлы): a patronymic
    # needs a surname and a given name beside it.
    surname: str | None
    given: str | None
    patronymic: str | None
    gender: str | None
    if len(words) >= 3 and patronymics:
        surname, given, patronymic = _order_by_patronymic(words, patronymics)
        gender = _patronymic_gender(patronymic.replace(" ", ""))
        certain = True
    elif len(words) == 1:
        surname, given, patronymic, gender = words[0], None, None, None
        certain = bool(initials)
    elif len(words) >= 2:
        surname, given, certain = _order_two_names(words[0], words[-1], detect_script(written))
        patronymic = " ".join(words[1:-1]) if len(words) > 2 else None
        gender = None
    else:
        surname = given = patronymic = gender = None
        certain = False

    given_initial = initials[0] if initials and given is None else None
    patronymic_initial = None
    if initials and patronymic is None:
        patronymic_initial = (
            initials[1]
            if given is None and len(initials) > 1
            else (initials[0] if given is not None else None)
        )
    gender = (
        gender
        or (_surname_gender(surname) if surname else None)
        or (_given_gender(given) if given else None)
    )
    return PersonName(
        written=written,
        surname=surname,
        given=given,
        patronymic=patronymic,
        given_initial=given_initial,
        patronymic_initial=patronymic_initial,
        gender=gender,
        order_certain=certain,
    )


def _order_by_patronymic(words: list[str], patronymics: list[int]) -> tuple[str, str | None, str]:
    """(surname, given, patronymic) of three or more words, some ending like a patronymic."""
    # "Михаил Ильясович Тажжанұлы": a Kazakh -ұлы word beside a Russian patronymic is
    # the surname; "Яков Ержанұлы Нұрбердіұлы": a known given name first means the
    # patronymic follows it.
    russian = [i for i in patronymics if not _kazakh_patronymic(words[i])]
    if russian:
        p = russian[-1]
    elif 1 in patronymics and (
        _given_gender(words[0])
        or (len(words) == 3 and patronymics == [1, 2] and not _kazakh_patronymic(words[0]))
    ):
        # "Ұланан Берікәліұлы Шалбекұлы": two -ұлы words after one that is not can only
        # be Given Patronymic Surname (Surname Given Patronymic would start with -ұлы).
        p = 1
    else:
        p = patronymics[-1]
    rest = words[:p] + words[p + 1 :]
    if p == len(words) - 1 and len(rest) >= 2:  # Surname Given Patronymic
        return rest[0], rest[1], words[p]
    if p > 0 and p < len(words) - 1:  # Given Patronymic Surname
        return words[p + 1], words[p - 1], words[p]
    if len(rest) == 1:
        return rest[0], None, words[p]
    return rest[0], rest[1] if len(rest) > 1 else None, words[p]


def _order_two_names(first: str, last: str, script: str | None) -> tuple[str, str, bool]:
    """(surname, given, order_certain) of a name's first and last words, no patronymic."""
    first_kz, last_kz = _kazakh_patronymic(first), _kazakh_patronymic(last)
    # Evidence in order of strength: a -ұлы/-қызы word is a modern Kazakh surname;
    # a known given name ("Valentina" despite its -ina); a surname suffix.
    if first_kz != last_kz:
        return (first, last, True) if first_kz else (last, first, True)
    first_given, last_given = _given_gender(first), _given_gender(last)
    if bool(first_given) != bool(last_given):
        return (last, first, True) if first_given else (first, last, True)
    first_surnamey, last_surnamey = _looks_like_surname(first), _looks_like_surname(last)
    if first_surnamey != last_surnamey:
        return (first, last, True) if first_surnamey else (last, first, True)
    if script == "Latn":
        return last, first, False
    return first, last, False
