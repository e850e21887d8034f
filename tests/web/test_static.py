"""Static files are served to every visitor, not shadowed by record routes."""

from fastapi.testclient import TestClient

from civicspace.db.engine import Database
from civicspace.web.app import create_app


def test_stylesheet_and_htmx_are_served(database: Database) -> None:
    client = TestClient(create_app(database))
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "body" in css.text
    assert client.get("/static/htmx.min.js").status_code == 200
