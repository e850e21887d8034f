"""Abuse of the web app: SQL injection, XSS, CSRF, oversized requests, password guessing,
session fixation, security headers. Each test attacks the real app over a real database."""

from __future__ import annotations

import html
import re

from sqlalchemy import inspect

from tests.web.conftest import PASSWORD, Web, build_web
from tests.web.test_pages import CSRF, csrf, login

KINDS = (
    "incidents",
    "persons",
    "organisations",
    "cases",
    "laws",
    "statistics",
    "ratings",
    "sources",
)
FILTERS = (
    "country",
    "date_from",
    "date_to",
    "freedom",
    "violation",
    "role",
    "verification",
    "visibility",
    "q",
    "sort",
    "order",
    "limit",
    "offset",
)
INJECTIONS = (
    "' OR '1'='1",
    "' OR 1=1 --",
    '"; DROP TABLE persons; --',
    "1) OR (1=1",
    "%' OR '%'='",
    "confidential' UNION SELECT id, visibility FROM persons --",
    "*",
    '" OR "',
    "NEAR(a b)",
    "a:* | b",
    "\\x00",
    "名前'--",
)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_sql_injection_through_every_filter_changes_nothing(web: Web) -> None:
    baseline = {kind: web.http.get(f"/api/v1/{kind}").json()["total"] for kind in KINDS}
    tables = set(inspect(web.db.engine).get_table_names())
    for kind in KINDS:
        for name in FILTERS:
            for payload in INJECTIONS:
                response = web.http.get(f"/api/v1/{kind}", params={name: payload})
                assert response.status_code in (200, 422), (kind, name, payload, response.text)
                if response.status_code == 200:  # never more than an anonymous reader may see
                    body = response.json()
                    assert body["total"] <= baseline[kind], (kind, name, payload)
                    assert all(i.get("visibility") == "public" for i in body["items"])
    for payload in INJECTIONS:
        for url in ("/api/v1/search", "/search", "/incidents"):
            response = web.http.get(url, params={"q": payload})
            assert response.status_code in (200, 422), (url, payload)
            assert "Canarybek" not in response.text and "person-witness" not in response.text
        response = web.http.get(f"/api/v1/persons/{payload.replace('/', '')}")
        assert response.status_code in (404, 422)
    assert set(inspect(web.db.engine).get_table_names()) == tables
    assert web.http.get("/api/v1/persons").json()["total"] == baseline["persons"]


def test_stored_strings_are_rendered_escaped(web: Web) -> None:
    editor = web.as_("editor")
    person = {
        "id": "person-xss",
        "name": {"text": XSS},
        "visibility": "public",
        "verification": "verified",
        "description": XSS,
    }
    assert web.http.post("/api/v1/persons", json=person, headers=editor).status_code == 201
    incident = {
        "id": "inc-xss",
        "title": XSS,
        "date": "2022-07",
        "country": "KZ",
        "freedoms": ["assembly"],
        "summary": XSS,
        "tags": [XSS],
        "participants": [{"person_id": "person-xss", "role": "target", "note": XSS}],
        "visibility": "public",
        "verification": "verified",
    }
    assert web.http.post("/api/v1/incidents", json=incident, headers=editor).status_code == 201
    login(web, "editor")
    pages = [
        "/",
        "/incidents",
        "/incidents/inc-xss",
        "/persons/person-xss",
        "/persons",
        "/search?q=script",
        "/review",
        "/incidents/inc-xss/edit",
        "/persons/person-xss/edit",
        "/persons/new",
    ]
    for url in pages:
        page = web.http.get(url)
        assert page.status_code == 200, url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, url
    shown = web.http.get("/incidents/inc-xss").text
    assert html.escape("<script>", quote=False) in shown or "&lt;script&gt;" in shown


def test_reflected_strings_are_rendered_escaped(web: Web) -> None:
    for url in ("/incidents", "/search", "/persons", "/incidents/new", "/login"):
        for param in ("q", "country", "date_from", "sort", "page", "lang", "freedom"):
            page = web.http.get(url, params={param: XSS})
            assert "<script>alert" not in page.text and "<img src=x" not in page.text, (url, param)
    assert "<script>alert" not in web.http.get("/incidents/" + XSS).text
    token = csrf(web, "/login")
    failed = web.http.post("/login", data={"name": XSS, "password": "x", "csrf_token": token})
    assert failed.status_code == 401 and "<script>alert" not in failed.text


def test_forms_and_cookie_authenticated_api_writes_need_the_csrf_token(web: Web) -> None:
    login(web, "editor")
    forged = {"title": "Forged", "date": "2022-07", "country": "KZ", "freedoms": "assembly"}
    assert web.http.post("/incidents/new", data=forged).status_code == 403
    assert web.http.post("/incidents/new", data={**forged, "csrf_token": "x"}).status_code == 403
    other_site = build_csrf_token_of_another_app(web)
    assert (
        web.http.post("/incidents/new", data={**forged, "csrf_token": other_site}).status_code
        == 403
    )
    assert web.http.post("/review/incidents/inc-draft/publish").status_code == 403
    assert web.http.post("/logout").status_code == 403
    body = {
        "id": "inc-forged",
        "title": "Forged",
        "date": "2022-07",
        "country": "KZ",
        "freedoms": ["assembly"],
    }
    assert web.http.post("/api/v1/incidents", json=body).status_code == 403
    assert (
        web.http.get("/api/v1/incidents/inc-forged", headers=web.as_("editor")).status_code == 404
    )


def build_csrf_token_of_another_app(web: Web) -> str:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer("another secret key of forty chars......", salt="csrf").dumps("t")


def test_oversized_requests_are_refused_with_413(web: Web) -> None:
    big = {
        "id": "inc-big",
        "title": "x",
        "date": "2022-07",
        "country": "KZ",
        "freedoms": ["assembly"],
        "summary": "x" * (3 * 1024 * 1024),
    }
    response = web.http.post("/api/v1/incidents", json=big, headers=web.as_("editor"))
    assert response.status_code == 413
    chunks = (b"a" * 65536 for _ in range(64))  # 4 MiB without a Content-Length
    streamed = web.http.post(
        "/login", content=chunks, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    assert web.http.get("/api/v1/incidents/inc-big", headers=web.as_("editor")).status_code == 404


def test_password_guessing_locks_the_name_out(web: Web) -> None:
    token = csrf(web, "/login")
    for _ in range(5):
        wrong = web.http.post(
            "/login", data={"name": "editor", "password": "guess-guess", "csrf_token": token}
        )
        assert wrong.status_code == 401
    right = web.http.post(
        "/login",
        data={"name": "editor", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
    assert "cs_session" not in right.headers.get("set-cookie", "")


def _log_in(web: Web, name: str) -> str:
    """Log in with whatever cookies the client holds; the session id the server sets."""
    token = csrf(web, "/login")
    response = web.http.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session = response.cookies.get("cs_session")
    assert session
    return session


def test_login_issues_a_new_session_id(web: Web) -> None:
    planted = "attacker-chosen-session-id"
    web.http.cookies.set("cs_session", planted)
    first = _log_in(web, "viewer")
    assert first != planted
    web.http.cookies.clear()
    web.http.cookies.set("cs_session", first)  # logged in already: logging in again
    second = _log_in(web, "editor")
    assert second != first
    web.http.cookies.clear()
    web.http.cookies.set("cs_session", planted)
    assert web.http.get("/api/v1/me").json().get("role") in (None, "anonymous")


def test_security_headers_on_pages_api_and_errors(web: Web) -> None:
    for url in ("/", "/api/v1/incidents", "/api/v1/nothing-here", "/static/app.css", "/login"):
        headers = web.http.get(url).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS


def test_hsts_is_sent_when_cookies_are_https_only(database, tmp_path) -> None:
    web = build_web(database, tmp_path, sample=False, cookie_secure=True)
    with web.http:
        hsts = web.http.get("/").headers["strict-transport-security"]
    assert re.fullmatch(r"max-age=\d{8,}; includeSubDomains", hsts)
    login_form = CSRF.search(web.http.get("/login").text)
    assert login_form is not None
