"""The admins' users page (who may open it, CSRF, add, role, disable, revoke) and HEAD."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, Web
from tests.web.test_pages import csrf, login


def test_only_admins_manage_users(web: Web) -> None:
    assert web.http.get("/admin/users", follow_redirects=False).headers["location"] == "/login"
    for role in ("viewer", "researcher", "editor"):
        web.http.cookies.clear()
        login(web, role)
        assert web.http.get("/admin/users").status_code == 403
        assert "/admin/users" not in web.http.get("/").text
        token = csrf(web)
        for url, data in (
            ("/admin/users", {"name": "mallory", "role": "admin", "password": "x" * 12}),
            ("/admin/users/role", {"name": role, "role": "admin"}),
            ("/admin/users/disable", {"name": "admin"}),
            ("/admin/tokens/1/revoke", {}),
        ):
            response = web.http.post(url, data={**data, "csrf_token": token})
            assert response.status_code == 403, (role, url)
        assert web.accounts.get(role).role == role  # type: ignore[union-attr]
    assert web.accounts.get("mallory") is None


def test_admin_adds_changes_disables_and_revokes(web: Web) -> None:
    login(web, "admin")
    page = web.http.get("/admin/users")
    assert page.status_code == 200 and "researcher" in page.text and "tests" in page.text
    token = csrf(web, "/admin/users")
    # Without the CSRF token nothing happens.
    assert (
        web.http.post(
            "/admin/users", data={"name": "aliya", "role": "researcher", "password": PASSWORD}
        ).status_code
        == 403
    )
    short = web.http.post(
        "/admin/users",
        data={"name": "aliya", "role": "researcher", "password": "short", "csrf_token": token},
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    added = web.http.post(
        "/admin/users",
        follow_redirects=False,
        data={"name": "aliya", "role": "researcher", "password": PASSWORD, "csrf_token": token},
    )
    assert added.status_code == 303 and web.accounts.get("aliya").role == "researcher"  # type: ignore[union-attr]
    web.http.post(
        "/admin/users/role", data={"name": "aliya", "role": "editor", "csrf_token": token}
    )
    assert web.accounts.get("aliya").role == "editor"  # type: ignore[union-attr]
    # Disabling ends the viewer's token and logins; enabling brings them back.
    assert web.http.get("/api/v1/me", headers=web.as_("viewer")).json()["role"] == "viewer"
    web.http.post("/admin/users/disable", data={"name": "viewer", "csrf_token": token})
    assert web.http.get("/api/v1/me", headers=web.as_("viewer")).status_code == 401
    assert "disabled" in web.http.get("/admin/users").text
    web.http.post("/admin/users/enable", data={"name": "viewer", "csrf_token": token})
    assert web.http.get("/api/v1/me", headers=web.as_("viewer")).status_code == 200
    # Revoke the editor's token (listed on the page).
    tokens = web.http.get("/admin/users").text.split('class="records tokens"')[1]
    editor_token = [t for t in tokens.split("<tr>") if "<td>editor</td>" in t][0]
    token_id = editor_token.split("/admin/tokens/")[1].split("/")[0]
    web.http.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert web.http.get("/api/v1/me", headers=web.as_("editor")).status_code == 401
    # The last admin can be neither demoted nor disabled.
    refused = web.http.post("/admin/users/disable", data={"name": "admin", "csrf_token": token})
    assert refused.status_code == 422 and "last enabled admin" in refused.text
    refused = web.http.post(
        "/admin/users/role", data={"name": "admin", "role": "viewer", "csrf_token": token}
    )
    assert refused.status_code == 422 and web.accounts.get("admin").role == "admin"  # type: ignore[union-attr]


def test_head_answers_like_get_without_a_body(web: Web) -> None:
    for url, headers in (
        ("/", {}),
        ("/incidents", {}),
        ("/persons/person-mamai", {}),
        ("/api/v1/incidents", {}),
        ("/api/v1/persons/person-mamai", {}),
        ("/api/v1/openapi.json", {}),
        ("/static/style.css", {}),
        ("/api/v1/review", web.as_("researcher")),
    ):
        get = web.http.get(url, headers=headers)
        head = web.http.head(url, headers=headers)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"", url
        assert head.headers["content-type"] == get.headers["content-type"], url
        assert head.headers.get("content-length") == get.headers.get("content-length"), url
    assert web.http.head("/api/v1/incidents/inc-draft").status_code == 404
    assert web.http.head("/api/v1/review").status_code == 401
    etag = web.http.head("/api/v1/persons/person-mamai").headers["etag"]
    assert etag == web.http.get("/api/v1/persons/person-mamai").headers["etag"]
