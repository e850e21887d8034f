"""The incident list filtered by words: sorted as asked, or newest first when too broad."""

from __future__ import annotations

import pytest

from civicspace.model import Incident
from tests.helpers import EDITOR
from tests.web.conftest import Web

PUBLIC = {"visibility": "public", "verification": "verified", "country": "KZ"}


def _kettlings(web: Web) -> None:
    for i in range(5):
        web.store.save(
            Incident(
                id=f"inc-kettle-{i}",
                title=f"Kettling at the square {i}",
                date=f"2022-07-{10 + i:02d}",
                freedoms=["assembly"],
                **PUBLIC,
            ),
            EDITOR,
        )


def test_a_broad_word_lists_the_newest_matches_and_says_so(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kettlings(web)
    narrow = web.http.get("/incidents?q=kettling&sort=date&order=asc")
    assert narrow.status_code == 200
    assert "5 incidents" in narrow.text and "newest matches come first" not in narrow.text
    rows = narrow.text.index("square 0"), narrow.text.index("square 4")
    assert rows[0] < rows[1]  # the asked order: oldest date first

    monkeypatch.setattr("civicspace.store.repository.RANKED_UP_TO", 2)
    monkeypatch.setattr("civicspace.store.search.RANKED_UP_TO", 2)
    broad = web.http.get("/incidents?q=kettling&sort=date&order=asc")
    assert "More than 2 incidents" in broad.text
    assert "newest matches come first" in broad.text
    assert broad.text.index("square 4") < broad.text.index("square 3")
    russian = web.http.get("/incidents?q=kettling", headers={"Accept-Language": "ru"})
    assert "Более 2 инцидентов" in russian.text

    api = web.http.get("/api/v1/incidents?q=kettling&limit=2", headers=web.as_("viewer")).json()
    assert (api["total"], api["total_exact"], api["newest_first"]) == (2, False, True)
    assert [i["id"] for i in api["items"]] == ["inc-kettle-4", "inc-kettle-3"]


def test_incident_rows_and_filters_name_terms_in_the_reader_language(web: Web) -> None:
    english = web.http.get("/incidents?freedom=expression").text
    row = english.split('href="/incidents/inc-extension"')[1].split("</tr>")[0]
    assert "<td>Expression</td>" in row and "<td>Activist prosecuted</td>" in row
    assert '<option value="expression" selected>Expression</option>' in english
    russian = web.http.get("/incidents?freedom=expression&lang=ru").text
    row = russian.split('href="/incidents/inc-extension"')[1].split("</tr>")[0]
    # A term without a Russian label keeps its English one.
    assert "<td>Свобода выражения</td>" in row and "<td>Activist prosecuted</td>" in row
    assert '<option value="expression" selected>Свобода выражения</option>' in russian
    assert '<option value="assembly" >' in russian  # not the one chosen
