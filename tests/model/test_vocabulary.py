import pytest
from pydantic import ValidationError

from civicspace.model.records import Incident, LegalCase, Rating, band_for_score
from civicspace.model.vocabulary import legal_article, vocabulary

REQUIRED_VIOLATIONS = {
    "protest_banned",
    "protest_dispersed",
    "protester_detained",
    "excessive_force",
    "journalist_attacked",
    "journalist_detained",
    "hrd_detained",
    "activist_prosecuted",
    "criminal_charge_for_speech",
    "censorship",
    "surveillance",
    "intimidation",
    "pressure_on_relatives",
    "registration_denied",
    "restrictive_law",
    "killing",
    "torture",
}


def test_violation_types_cover_the_monitoring_needs_and_map_to_acled() -> None:
    terms = vocabulary("violation type").terms
    assert REQUIRED_VIOLATIONS <= set(terms)
    for term in terms.values():
        assert term.attr("acled")["event_type"] in {
            "Protests",
            "Riots",
            "Violence against civilians",
            "Strategic developments",
            "Battles",
            "Explosions/Remote violence",
        }


def test_seed_articles_are_in_the_registry() -> None:
    assert legal_article("KZ-CC", "274").title == "Knowingly spreading false information"
    for code, article in [("KZ-CC", "272"), ("KZ-CC", "378"), ("KZ-CAO", "489")]:
        assert legal_article(code, article).title


def test_unknown_terms_list_the_allowed_ones() -> None:
    with pytest.raises(ValidationError) as info:
        Incident(id="i", title="t", date="2022", country="KZ", freedoms=["speech"])
    assert "allowed: assembly, expression, association" in str(info.value)
    with pytest.raises(ValidationError, match="unknown article '999' of KZ-CC"):
        LegalCase(
            id="c",
            title="t",
            country="KZ",
            defendants=["p"],
            charges=[{"code": "KZ-CC", "article": "999"}],
        )


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, "open"),
        (81, "open"),
        (80, "narrowed"),
        (60, "obstructed"),
        (40, "repressed"),
        (21, "repressed"),
        (20, "closed"),
        (1, "closed"),
    ],
)
def test_score_bands(score: int, band: str) -> None:
    assert band_for_score(score) == band
    Rating(id="r", country="KZ", date="2022", band=band, score=score)


def test_score_outside_its_band_is_refused() -> None:
    with pytest.raises(ValidationError, match="outside band 'repressed'"):
        Rating(id="r", country="KZ", date="2022-06", band="repressed", score=55)


def test_nul_characters_are_refused_in_any_text_field() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        Incident(id="i", title="a\x00b", date="2022", country="KZ", freedoms=["assembly"])
    with pytest.raises(ValidationError, match="NUL"):
        Incident(
            id="i", title="t", date="2022", country="KZ", freedoms=["assembly"], tags=["x\x00"]
        )


def test_nul_characters_are_reported_by_field_beside_every_other_problem() -> None:
    bad = {
        "id": "i",
        "title": "a\x00b",
        "date": "2022",
        "country": "KZ",
        "freedoms": ["assembly"],
        "tags": ["x", "y\x00"],
        "participants": [{"person_id": "p", "role": "target", "note": "n\x00"}],
        "sources": [{"source_id": "s", "locator": "page\x00 3"}, {"source_id": "bad id"}],
    }
    with pytest.raises(ValidationError) as caught:
        Incident.model_validate(bad)
    found = {(e["loc"], "NUL" in e["msg"]) for e in caught.value.errors()}
    assert found == {
        (("title",), True),
        (("tags",), True),
        (("participants", 0, "note"), True),
        (("sources", 0, "locator"), True),
        (("sources", 1, "source_id"), False),
    }
    del bad["sources"]
    with pytest.raises(ValidationError) as caught:
        Incident.model_validate(bad)
    assert {e["loc"] for e in caught.value.errors()} == {
        ("title",),
        ("tags",),
        ("participants", 0, "note"),
    }


def test_article_titles_with_commas_load_whole() -> None:
    article = legal_article("KZ-CC", "174")
    assert article.title.endswith("class or religious discord")
    assert article.title_ru and article.title_ru.endswith("розни")
