"""The page of a law, a statistic, a rating, a source or a summary shows the fields its
kind declares, section by section and labelled as on its form."""

import re

from civicspace.model.kinds import spec_of
from civicspace.web.form_specs import LABELS
from tests.web.conftest import Web


def _terms(html: str) -> list[str]:
    return re.findall(r"<dt>(.*?)</dt>", html)


def test_a_law_page_follows_the_declared_sections_with_form_labels(web: Web) -> None:
    page = web.http.get("/laws/law-elections", headers=web.as_("editor"))
    assert page.status_code == 200
    terms = _terms(page.text)
    declared = [n for s in spec_of("laws").sections.values() for n in s if n != "title"]
    labels = [LABELS[n] for n in declared]
    assert terms and all(term in labels for term in terms)
    assert terms == sorted(terms, key=labels.index)  # the declared order
    for raw in ("is_draft", "created_at", "created_by", "version", "stages"):
        assert f"<dt>{raw}</dt>" not in page.text


def test_a_statistic_page_as_the_public_sees_it_names_no_account(web: Web) -> None:
    page = web.http.get("/statistics/stat-toll")
    assert page.status_code == 200
    assert "created_by" not in page.text and "updated_by" not in page.text
    assert LABELS["value"] in _terms(page.text)
