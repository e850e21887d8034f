"""The filters the page templates use in their loops: badges, term labels, dates."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import DictLoader

from civicspace.model.dates import FuzzyDate
from civicspace.web.app import HERE
from civicspace.web.i18n import translations
from civicspace.web.templating import template_environment


def _render(source: str, lang: str = "en", **context: object) -> str:
    environment = template_environment(HERE / "templates")
    environment.loader = DictLoader({"t.html": source})
    translate = translations(lang).gettext
    return environment.get_template("t.html").render(lang=lang, _=translate, **context)


@pytest.mark.parametrize(
    ("visibility", "verification", "expected"),
    [
        ("public", "verified", ""),
        ("public", "unverified", '<span class="badge unverified">unverified</span>'),
        ("restricted", "verified", '<span class="badge restricted">restricted</span>'),
        (
            "confidential",
            "unverified",
            '<span class="badge confidential">confidential</span>'
            '<span class="badge unverified">unverified</span>',
        ),
    ],
)
def test_badges_mark_what_is_not_public_or_not_verified(
    visibility: str, verification: str, expected: str
) -> None:
    record = SimpleNamespace(visibility=visibility, verification=verification)
    assert _render("{{ r|badges }}", r=record) == expected


def test_badges_speak_the_page_language_and_escape() -> None:
    record = SimpleNamespace(visibility="restricted", verification="<b>")
    html = _render("{{ r|badges }}", "ru", r=record)
    assert html.startswith('<span class="badge restricted">')
    assert "restricted</span>" not in html  # the Russian word, not the key
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_terms_are_labelled_in_the_page_language() -> None:
    keys = ["expression", "no-such-term"]
    assert _render('{{ k|terms("freedom") }}', k=keys) == "Expression, no-such-term"
    assert _render('{{ k|terms("freedom") }}', "ru", k=keys) == ("Свобода выражения, no-such-term")


def test_date_text_is_the_display_wording() -> None:
    assert _render("{{ d|date_text }}", d=FuzzyDate.parse("early 2022-09")) == (
        "early September 2022"
    )
