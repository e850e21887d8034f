"""The country a new record's form starts with is the ``default_country`` setting."""

from __future__ import annotations

import re
from pathlib import Path

from civicspace.db.engine import Database
from tests.web.conftest import build_web
from tests.web.test_pages import login

COUNTRY = re.compile(r'name="country" value="([^"]*)"')


def test_new_forms_start_with_the_default_country(database: Database, tmp_path: Path) -> None:
    web = build_web(database, tmp_path, default_country="KG")
    with web.http:
        login(web, "researcher")
        for url in ("/incidents/new", "/persons/new", "/cases/new", "/ratings/new"):
            page = web.http.get(url)
            assert page.status_code == 200, url
            assert COUNTRY.findall(page.text) == ["KG"], url
        assert 'placeholder="KG"' in web.http.get("/incidents").text
