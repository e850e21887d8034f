"""Without a master key the server refuses confidential data clearly and stores nothing."""

from pathlib import Path

from civicspace.application import open_database
from tests.web.conftest import build_web


def test_confidential_write_without_master_key_is_a_clear_503(
    database_url: str, tmp_path: Path
) -> None:
    db = open_database(database_url, keyring=None)
    web = build_web(db, tmp_path, sample=False)
    with web.http:
        body = {"id": "p-hidden", "name": {"text": "Hidden Person"}, "visibility": "confidential"}
        response = web.http.post("/api/v1/persons", json=body, headers=web.as_("editor"))
        assert response.status_code == 503
        assert "civicspace keys init" in response.json()["detail"]
        assert (
            web.http.get("/api/v1/persons/p-hidden", headers=web.as_("editor")).status_code == 404
        )
    db.dispose()
