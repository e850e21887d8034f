"""Transliteration: every convention's spelling of a Cyrillic name folds to the same key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicspace.text.names import name_fold
from civicspace.text.translit import (
    SCHEMES,
    _fold_word,
    detect_script,
    fold,
    fold_tokens,
    transliterate,
)

CONSONANTS = "бвгджзйклмнпрстфхцчшщғқңһ"
VOWELS = "аеёиоуыэюяәөұүі"
# Clusters that fold cannot reconcile across conventions; none occurs in Kazakh or Russian
# names (e.g. "зж" would read as "zzh" in one convention and "zj" in another).
RARE_CLUSTERS = {"жһ", "зж", "зх", "шщ", "щч", "щш", "щщ", "қх", "қһ", "ғх", "ңх", "ңһ"}
# A soft or hard sign between two letters leaves such a cluster as ambiguous as before,
# except after a letter BGN spells as a whole digraph (ң ғ х ж): its apostrophe ends it.
WHOLE_BEFORE_SIGN = re.compile("([ңғхж])[ьъ]")


def rare(word: str) -> bool:
    bare = WHOLE_BEFORE_SIGN.sub(r"\1|", word).replace("ь", "").replace("ъ", "")
    return any(c in word or c in bare for c in RARE_CLUSTERS)


# Hard and soft signs appear where Russian spelling puts them: after a consonant, and
# "ъ" before "е" (ICAO's "ъя" -> "iia" is left out: no name in the lexicon has it).
coda = st.one_of(
    st.just(""),
    st.tuples(st.sampled_from(CONSONANTS), st.sampled_from(["", "ь", "ъе"])).map("".join),
)
syllable = st.tuples(st.sampled_from(CONSONANTS), st.sampled_from(VOWELS), coda).map("".join)


@st.composite
def cyrillic_word(draw: st.DrawFn) -> str:
    parts = draw(st.lists(syllable, min_size=1, max_size=4))
    word = "".join(parts)
    if rare(word):
        word = parts[0][:2]
    return word.capitalize() if draw(st.booleans()) else word.upper()


@given(cyrillic_word(), st.sampled_from(sorted(SCHEMES)))
def test_every_convention_folds_to_the_cyrillic_key(word: str, scheme: str) -> None:
    latin = transliterate(word, scheme)
    assert detect_script(latin) in {"Latn", "none"}
    assert name_fold(latin) == name_fold(word)


@given(cyrillic_word(), st.sampled_from(sorted(SCHEMES)))
def test_transliteration_keeps_capitalisation_of_the_first_letter(word: str, scheme: str) -> None:
    latin = transliterate(word, scheme)
    assert latin[:1].isupper()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz -.,0123456789", max_size=30))
def test_latin_text_passes_through_unchanged(text: str) -> None:
    for scheme in SCHEMES:
        assert transliterate(text, scheme) == text


@given(st.lists(cyrillic_word(), min_size=1, max_size=3))
def test_fold_is_idempotent_and_word_wise(words: list[str]) -> None:
    text = " ".join(words)
    assert fold(fold(text)) == fold(text)
    assert fold(text).split() == [fold(w) for w in words]


@pytest.mark.parametrize(
    ("cyrillic", "spellings"),
    [
        ("Жанболат Мамай", ["Zhanbolat Mamai", "Janbolat Mamay", "Zhanbolat Mamay"]),
        ("Пётр Ильин", ["Pyotr Ilyin", "Petr Il\u2019in", "Piotr Ilin"]),
        ("Соловьёв", ["Solovyov", "Solov\u2019ëv", "Soloviov"]),
        ("Ерлан Қасымов", ["Yerlan Kasymov", "Erlan Qasymov"]),
    ],
)
def test_common_spellings_share_the_name_key(cyrillic: str, spellings: list[str]) -> None:
    assert {name_fold(s) for s in spellings} == {name_fold(cyrillic)}


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown transliteration scheme"):
        transliterate("Мамай", "klingon")


@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("Мамай Il’in ʼ”`'_-·,.#\t\n\u00a0\u2003Ққ12"), st.characters()
        ),
        max_size=40,
    )
)
def test_folding_piece_by_piece_gives_the_keys_of_the_whole_text(text: str) -> None:
    """Tokens are the runs of letters and digits joined by apostrophes, wherever the text's
    spaces fall."""
    whole = text.translate(str.maketrans({c: "\ue000" for c in "'\u2019\u02bc\u201d`"}))
    words = re.findall(r"[^\W_]+(?:\ue000+[^\W_]+)*", whole)
    expected = [k for k in map(_fold_word, words) if k]
    assert fold_tokens(text) == expected


@pytest.mark.parametrize("word", ["БАҢЬҺА", "АҢЬҺА", "ЕНЬГЕ", "ИЛЬИН"])
def test_a_sign_between_letters_never_makes_a_digraph(word: str) -> None:
    # BGN writes the soft sign as an apostrophe: "BANG’HA" is "ng" + "h", not "n" + "gh".
    keys = {name_fold(transliterate(word, scheme)) for scheme in SCHEMES}
    assert keys == {name_fold(word)}
