"""REST API behaviour: CRUD, optimistic concurrency, filters, pagination, JSON errors, auth."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from civicspace.access.accounts import Accounts
from civicspace.access.tokens import Tokens
from civicspace.db.engine import Database
from tests.web.conftest import Web, build_web

EDITOR = "editor"


def incident(record_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": record_id,
        "title": "Journalist detained",
        "date": "2022-07-04",
        "country": "KZ",
        "freedoms": ["expression"],
        **extra,
    }


def test_create_read_update_delete_with_versions(web: Web) -> None:
    h = web.as_("researcher")
    created = web.http.post("/api/v1/incidents", json=incident("inc-1"), headers=h)
    assert created.status_code == 201
    assert created.headers["etag"] == '"1"' and created.headers["location"].endswith("/inc-1")
    body = created.json()
    assert body["created_by"] == "researcher" and body["verification"] == "unverified"
    body.pop("kind")
    body["title"] = "Journalist detained in Almaty"
    updated = web.http.put("/api/v1/incidents/inc-1", json=body, headers={**h, "If-Match": '"1"'})
    assert updated.status_code == 200 and updated.headers["etag"] == '"2"'
    stale = web.http.put(
        "/api/v1/incidents/inc-1", json={**body, "title": "Lost"}, headers={**h, "If-Match": '"1"'}
    )
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    now = web.http.get("/api/v1/incidents/inc-1", headers=h).json()
    assert now["title"] == "Journalist detained in Almaty" and now["version"] == 2
    missing_version = web.http.put(
        "/api/v1/incidents/inc-1", json={**body, "version": 0}, headers=h
    )
    assert missing_version.status_code == 428
    again = web.http.post("/api/v1/incidents", json=incident("inc-1"), headers=h)
    assert again.status_code == 409
    assert web.http.delete("/api/v1/incidents/inc-1?version=1", headers=h).status_code == 409
    assert (
        web.http.delete("/api/v1/incidents/inc-1", headers={**h, "If-Match": 'W/"2"'}).status_code
        == 204
    )
    assert web.http.get("/api/v1/incidents/inc-1", headers=h).status_code == 404


def test_errors_name_the_field(web: Web) -> None:
    h = web.as_("researcher")
    bad_date = web.http.post("/api/v1/incidents", json=incident("inc-2", date="someday"), headers=h)
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "date"
    bad_term = web.http.post(
        "/api/v1/incidents", json=incident("inc-2", freedoms=["speech"]), headers=h
    )
    assert bad_term.status_code == 422 and bad_term.json()["field"].startswith("freedoms")
    assert "expression" in bad_term.json()["detail"]
    for query, field in [
        ("freedom=speech", "freedom"),
        ("date_from=soon", "date_from"),
        ("sort=password", "sort"),
        ("limit=0", "limit"),
        ("country=KAZ", "country"),
    ]:
        response = web.http.get(f"/api/v1/incidents?{query}")
        assert response.status_code == 422, query
        assert response.json()["field"] == field, query
    wrong_id = web.http.put(
        "/api/v1/incidents/other", json={**incident("inc-3"), "version": 1}, headers=h
    )
    assert wrong_id.json()["field"] == "id"


def test_filters_sorting_and_stable_pagination(web: Web) -> None:
    h = web.as_(EDITOR)
    for day in range(1, 8):
        freedoms = ["assembly"] if day % 2 else ["expression"]
        web.http.post(
            "/api/v1/incidents",
            headers=h,
            json=incident(
                f"inc-p{day}",
                date=f"2022-06-0{day}",
                freedoms=freedoms,
                visibility="public",
                verification="verified",
            ),
        )
    listed = web.http.get(
        "/api/v1/incidents?date_from=2022-06&date_to=2022-06&sort=date&order=desc&limit=3"
    ).json()
    assert listed["total"] == 7
    assert [i["id"] for i in listed["items"]] == ["inc-p7", "inc-p6", "inc-p5"]
    pages = [
        web.http.get(
            f"/api/v1/incidents?date_from=2022-06&date_to=2022-06&sort=date&limit=3&offset={o}"
        ).json()["items"]
        for o in (0, 3, 6)
    ]
    ids = [i["id"] for page in pages for i in page]
    assert ids == [f"inc-p{d}" for d in range(1, 8)]
    assembly = web.http.get("/api/v1/incidents?freedom=assembly&date_from=2022-06-01").json()
    assert {i["id"] for i in assembly["items"]} == {"inc-p1", "inc-p3", "inc-p5", "inc-p7"}
    by_role = web.http.get("/api/v1/incidents?role=witness", headers=h).json()
    assert [i["id"] for i in by_role["items"]] == ["inc-extension"]


def test_search_finds_either_script(web: Web) -> None:
    for q in ("Мамай", "Mamai", "mamay"):
        hits = web.http.get(f"/api/v1/search?q={q}").json()["items"]
        assert "person-mamai" in {h["id"] for h in hits}, q
    listed = web.http.get("/api/v1/incidents?q=Мамай").json()
    assert [i["id"] for i in listed["items"]] == ["inc-extension"]


def test_anonymous_records_carry_no_monitor_names(web: Web) -> None:
    public = web.http.get("/api/v1/incidents/inc-extension").json()
    assert "created_by" not in public and "updated_by" not in public
    staff = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("viewer")).json()
    assert staff["created_by"] == "editor-1"


def test_bad_and_revoked_tokens_are_refused(web: Web) -> None:
    assert web.http.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert web.http.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    me = web.http.get("/api/v1/me", headers=web.as_("viewer")).json()
    assert me == {"name": "viewer", "role": "viewer"}
    Tokens(web.accounts).revoke(token=web.tokens["viewer"])
    assert web.http.get("/api/v1/me", headers=web.as_("viewer")).status_code == 401


def test_with_no_recheck_time_a_revocation_elsewhere_applies_at_once(
    database: Database, tmp_path: Path
) -> None:
    web = build_web(database, tmp_path, sample=False, auth_recheck_seconds=0)
    with web.http:
        assert web.http.get("/api/v1/me", headers=web.as_("editor")).status_code == 200
        # The command line of another process: its own accounts, its own tokens.
        Tokens(Accounts(database)).revoke(token=web.tokens["editor"])
        assert web.http.get("/api/v1/me", headers=web.as_("editor")).status_code == 401


def test_editor_publishes_and_anonymous_then_sees(web: Web) -> None:
    assert web.http.get("/api/v1/incidents/inc-draft").status_code == 404
    queue = web.http.get("/api/v1/review", headers=web.as_(EDITOR)).json()
    assert "inc-draft" in {r["id"] for r in queue["incidents"]}
    published = web.http.post(
        "/api/v1/incidents/inc-draft/publish", headers={**web.as_(EDITOR), "If-Match": '"1"'}
    )
    assert published.status_code == 200
    assert published.json()["visibility"] == "public"
    assert web.http.get("/api/v1/incidents/inc-draft").status_code == 200


def test_security_headers(web: Web) -> None:
    response = web.http.get("/api/v1/incidents")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert web.http.get("/api/v1/openapi.json").json()["info"]["title"] == "civicspace API"


def test_an_edit_keeps_what_the_researcher_could_not_see(web: Web) -> None:
    h = web.as_("researcher")
    response = web.http.get("/api/v1/incidents/inc-extension", headers=h)
    seen = response.json()
    assert "person-witness" not in response.text
    seen.pop("kind")
    seen.update(verification="unverified", summary="Court prolonged detention again.")
    saved = web.http.put(
        "/api/v1/incidents/inc-extension",
        json=seen,
        headers={**h, "If-Match": response.headers["etag"]},
    )
    assert saved.status_code == 200 and "person-witness" not in saved.text
    full = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("editor")).json()
    assert full["summary"] == "Court prolonged detention again."
    assert {"person_id": "person-witness", "role": "witness"} in full["participants"]


def test_every_api_route_answers_json_never_a_page(web: Web) -> None:
    """The pages' catch-all routes (``/{kind}/{record_id}/edit``...) are tried before the
    API's: none may answer an API path."""
    spec = web.http.get("/api/v1/openapi.json").json()
    for template, operations in spec["paths"].items():
        path = re.sub(r"\{[^}]+\}", "sample", template)
        for method in operations:
            response = web.http.request(method.upper(), path, headers=web.as_("viewer"))
            content_type = response.headers["content-type"]
            assert content_type.startswith("application/json"), (method, path, content_type)
