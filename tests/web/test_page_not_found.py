"""Every page of one record answers a record that does not exist, or that the reader may not
see, with the same HTML 404 page naming what was not found."""

from __future__ import annotations

import pytest

from tests.web.conftest import Web
from tests.web.test_pages import csrf, login

# (method, path, message); "missing" is an id no record has.
PAGES = [
    ("GET", "/incidents/missing", "No such incident."),
    ("GET", "/incidents/missing/edit", "No such incident."),
    ("POST", "/incidents/missing/edit", "No such incident."),
    ("GET", "/persons/missing", "No such person."),
    ("GET", "/organisations/missing", "No such organisation."),
    ("GET", "/cases/missing", "No such case."),
    ("GET", "/laws/missing", "No such record."),
    ("GET", "/sources/missing", "No such record."),
    ("GET", "/persons/missing/edit", "No such record."),
    ("POST", "/cases/missing/edit", "No such record."),
]


@pytest.mark.parametrize(("method", "path", "message"), PAGES)
def test_a_missing_record_is_the_html_404_page(
    web: Web, method: str, path: str, message: str
) -> None:
    login(web, "editor")
    data = {"csrf_token": csrf(web), "title": "x"} if method == "POST" else None
    response = web.http.request(method, path, data=data, headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f'<p class="error">{message}</p>' in response.text
    russian = web.http.request(method, f"{path}?lang=ru", data=data)
    assert russian.status_code == 404 and '<p class="error">Так' in russian.text


def test_a_hidden_record_looks_exactly_like_a_missing_one(web: Web) -> None:
    for hidden, missing in (
        ("/incidents/inc-draft", "/incidents/missing"),
        ("/persons/person-witness", "/persons/missing"),
        ("/sources/src-secret", "/sources/missing"),
    ):
        one, other = web.http.get(hidden), web.http.get(missing)
        assert one.status_code == other.status_code == 404
        assert one.text == other.text
