"""Security headers: once each on every answer; pages and API answers are never cached,
static files may be; HSTS only behind TLS."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from civicspace.db.engine import Database
from civicspace.web.app import create_app
from civicspace.web.headers import SECURITY_HEADERS


def test_each_header_once_and_private_answers_uncached(database: Database) -> None:
    app = create_app(database)

    @app.get("/own-headers")
    def own_headers() -> PlainTextResponse:  # a route that sets headers of its own
        return PlainTextResponse(
            "x", headers={"Cache-Control": "max-age=600", "X-Frame-Options": "SAMEORIGIN"}
        )

    app.router.routes.insert(0, app.router.routes.pop())  # before the pages' catch-all
    client = TestClient(app)
    for url in ("/", "/login", "/api/v1/incidents", "/api/v1/nothing-here", "/own-headers"):
        response = client.get(url)
        names = [k.lower() for k, _ in response.headers.items()]
        for name in (*SECURITY_HEADERS, "Cache-Control", "Vary"):
            assert names.count(name.lower()) == 1, (url, name)
        assert response.headers["cache-control"] == "no-store", url
        assert response.headers["vary"] == "Cookie, Authorization, Accept-Language"
        assert "strict-transport-security" not in response.headers
    # A route's own security header stands; its caching does not.
    assert client.get("/own-headers").headers["x-frame-options"] == "SAMEORIGIN"
    static = client.get("/static/style.css")
    assert static.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in static.headers.get("cache-control", "")


def test_hsts_once_behind_tls(database: Database) -> None:
    from civicspace.web import Settings

    client = TestClient(create_app(database, Settings(cookie_secure=True)))
    for url in ("/", "/static/style.css", "/api/v1/me"):
        names = [k.lower() for k, _ in client.get(url).headers.items()]
        assert names.count("strict-transport-security") == 1, url
    head = client.head("/incidents")
    assert head.status_code == 200 and head.headers["cache-control"] == "no-store"
