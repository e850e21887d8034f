"""Transliteration of Kazakh and Russian Cyrillic, and a spelling-blind folding key.

Monitors meet the same person as "Жанболат Мамай", "Zhanbolat Mamai", "Janbolat Mamay"
and "Mamai Zh.". :func:`transliterate` renders Cyrillic under a named convention;
:func:`fold` maps any of these spellings to one key so that they compare equal::

    >>> fold("Жанболат Мамай") == fold("Zhanbolat Mamai") == fold("Janbolat Mamay")
    True

The folding key is deliberately lossy (``y`` and ``i`` merge, doubled letters collapse,
``zh``/``j``/``dzh`` merge): it is for matching and search, never for display.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

_BASE: Final[dict[str, str]] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ё": "e",
    # Kazakh letters
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
}

# Each scheme overrides the base table; see docs/names.md for the sources of each.
SCHEMES: Final[dict[str, dict[str, str]]] = {
    # Kazakh Latin alphabet as approved in 2021 (decree amending the 2017 alphabet).
    "kz2021": {
        "ә": "ä",
        "ғ": "ğ",
        "ж": "j",
        "и": "i",
        "й": "i",
        "қ": "q",
        "ң": "ñ",
        "ө": "ö",
        "ұ": "ū",
        "ү": "ü",
        "һ": "h",
        "і": "ı",
        "ш": "ş",
        "щ": "şş",
        "ч": "ch",
        "ы": "y",
        "ю": "iu",
        "я": "ia",
        "ё": "io",
        "х": "h",
        "ц": "ts",
    },
    # ICAO Doc 9303 (machine readable passports); Kazakh letters as in Kazakh passports.
    "icao": {
        "й": "i",
        "х": "kh",
        "ц": "ts",
        "щ": "shch",
        "ъ": "ie",
        "ы": "y",
        "ю": "iu",
        "я": "ia",
        "ё": "e",
        "ә": "a",
        "ғ": "g",
        "қ": "k",
        "ң": "n",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
    },
    # BGN/PCGN romanisation (Russian 1947, Kazakh 1979); "ye" handled by position.
    "bgn": {
        "ё": "ë",
        "й": "y",
        "ъ": "\u201d",
        "ь": "\u2019",
        "ы": "y",
        "ю": "yu",
        "я": "ya",
        "ә": "ä",
        "ғ": "gh",
        "қ": "q",
        "ң": "ng",
        "ө": "ö",
        "ұ": "ū",
        "ү": "ü",
        "і": "i",
    },
    # The spellings people actually type (media, social networks, NGO lists).
    "informal": {"й": "y", "х": "kh", "щ": "sch", "ю": "yu", "я": "ya", "ж": "zh"},
}

_VOWELS: Final = set("аәеёиоөуұүыіэюя")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def detect_script(text: str) -> str:
    """Return ``"Cyrl"``, ``"Latn"``, ``"mixed"`` or ``"none"`` for the letters in ``text``."""
    cyr, lat = bool(_CYRILLIC.search(text)), bool(_LATIN.search(text))
    if cyr and lat:
        return "mixed"
    return "Cyrl" if cyr else "Latn" if lat else "none"


def transliterate(text: str, scheme: str = "icao") -> str:
    """Render Cyrillic letters of ``text`` in Latin under ``scheme``; other characters pass.

    Capitalisation follows the source letter (``Ж`` -> ``Zh``, ``ЖАН`` -> ``ZHAN``).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown transliteration scheme {scheme!r}; known: {sorted(SCHEMES)}")
    table = {**_BASE, **SCHEMES[scheme]}
    out: list[str] = []
    prev = ""
    for i, ch in enumerate(text):
        low = ch.lower()
        if low not in table:
            out.append(ch)
            prev = low
            continue
        latin = table[low]
        if scheme == "bgn" and low == "е" and (not prev.isalpha() or prev in _VOWELS | {"ъ", "ь"}):
            latin = "ye"
        if ch.isupper() and latin:
            nxt = text[i + 1] if i + 1 < len(text) else ""
            shouting = nxt.isupper() or (not nxt.isalpha() and i > 0 and text[i - 1].isupper())
            latin = latin.upper() if shouting else latin.capitalize()
        out.append(latin)
        prev = low
    return "".join(out)


_LATIN_SPECIAL: Final = str.maketrans(
    {
        "ä": "a",
        "ö": "o",
        "ü": "u",
        "ū": "u",
        "ş": "sh",
        "ç": "ch",
        "ğ": "g",
        "ñ": "n",
        "ı": "i",
        "ë": "e",
        "\u2019": "",
        "\u201d": "",
        "'": "",
        "`": "",
        "ʼ": "",
    }
)
_DIGRAPHS: Final = (
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),  # single letters first, so "qkh" -> "kkh" -> "kh"
    ("shch", "sh"),
    ("shsh", "sh"),
    ("sch", "sh"),
    ("kh", "h"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("jh", "j"),
    ("gh", "g"),
    ("ng", "n"),
    ("ts", "c"),
)
# An apostrophe inside a word (BGN's soft and hard signs, "Il’in") keeps the word whole;
# the letters on its two sides meet as if it were not there, unless the one before it
# is complete (see _join_at_apostrophes): BGN's "BANG’HA" (БАҢЬҺА) is "ng" + "h", never
# "n" + "gh". A private-use character stands for it while a word is folded.
_SEPARATOR: Final = "\ue000"
_APOSTROPHES: Final = str.maketrans({c: _SEPARATOR for c in "'\u2019\u02bc\u201d`"})
_REPEATS = re.compile(r"(.)\1+")
_TOKEN = re.compile(r"[^\W_]+(?:\ue000+[^\W_]+)*")


# Cyrillic letters go straight to their folded Latin form (ж -> j, not zh), so that a
# neighbouring letter cannot merge with half of a digraph ("зж" is "zj" in kz2021 too).
_FOLD_CYRILLIC: Final = {**_BASE, "ж": "j", "х": "h", "щ": "sh"}


@lru_cache(maxsize=262_144)  # names and vocabulary repeat endlessly in a corpus
def _fold_word(word: str) -> str:
    if _SEPARATOR in word:
        return _fold_word(_join_at_apostrophes(word.split(_SEPARATOR)))
    if word.isascii() and word.isdigit():  # numbers are most of the words seen only once
        return _REPEATS.sub(r"\1", word)
    word = _REPEATS.sub(r"\1", _latin_letters(word))
    previous = None
    while word != previous:  # to a fixed point: BGN "ңг" -> "ngg" -> "ng" -> "n"
        previous = word
        for src, dst in _DIGRAPHS:
            replaced = word.replace(src, dst)
            if replaced != word:  # collapse what a replacement doubles: "ghkh" -> "ghh" -> "gh"
                word = _REPEATS.sub(r"\1", replaced)
    word = _REPEATS.sub(r"\1", word.replace("y", "i"))
    return _REPEATS.sub(r"\1", word.replace("ie", "e"))


def _latin_letters(word: str) -> str:
    """``word`` in lower-case Latin letters without marks, before any digraph is read."""
    word = "".join(_FOLD_CYRILLIC.get(c, c) for c in word.lower())
    word = word.translate(_LATIN_SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


# BGN's spellings of Cyrillic letters that fold to one letter (ң n, ғ g, х h, ж j). Before
# an apostrophe such a spelling is a whole letter: "BANG’KHA" (БАҢЬХА) is ң + х, not "n" +
# "gkh". Any other letters meet across the apostrophe as if it were not there, as the
# Cyrillic key's letters do ("BATS’SA", БАЦЬСА, folds like "BATSSA").
_WHOLE_LETTERS: Final = ("ng", "gh", "kh", "zh")


def _join_at_apostrophes(parts: list[str]) -> str:
    """The pieces of a word split at its apostrophes, joined as the letters would meet;
    a piece ending in one of :data:`_WHOLE_LETTERS` is folded before the next one joins it."""
    word = ""
    for part in filter(None, parts):
        if _latin_letters(word).endswith(_WHOLE_LETTERS):
            word = _fold_word(word) + part
        else:
            word += part
    return word


@lru_cache(maxsize=262_144)
def _fold_chunk(chunk: str) -> tuple[str, ...]:
    """The keys of one whitespace-free piece of text ("Мамай,", "#12", "Il’in")."""
    return tuple(k for k in map(_fold_word, _TOKEN.findall(chunk.translate(_APOSTROPHES))) if k)


def fold_tokens(text: str) -> list[str]:
    """The folding keys of each word of ``text`` (see :func:`fold`).

    Apostrophes inside a word keep it one word: BGN's "Il’in" is "ilin".
    Whitespace never joins or splits a word, so the text is folded a piece between
    spaces at a time, and pieces repeat enough to be remembered (6 times faster).
    """
    return [key for chunk in text.split() for key in _fold_chunk(chunk)]


def fold(text: str) -> str:
    """A spelling- and script-blind key: Cyrillic and Latin spellings of a name agree.

    >>> fold("Мамай Ж.") == fold("Mamai Zh.")
    True
    """
    return " ".join(fold_tokens(text))
