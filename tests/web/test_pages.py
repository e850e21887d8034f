"""HTML pages: login with CSRF, the incident form with a participant, review, languages."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, Web

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(web: Web, name: str) -> None:
    form = web.http.get("/login")
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
    response = web.http.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def csrf(web: Web, url: str = "/") -> str:
    return CSRF.search(web.http.get(url).text).group(1)  # type: ignore[union-attr]


def test_login_needs_the_csrf_token_and_a_right_password(web: Web) -> None:
    assert web.http.post("/login", data={"name": "editor", "password": PASSWORD}).status_code == 403
    token = csrf(web, "/login")
    wrong = web.http.post(
        "/login", data={"name": "editor", "password": "x" * 12, "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    for _ in range(5):
        web.http.post("/login", data={"name": "viewer", "password": "nope", "csrf_token": token})
    throttled = web.http.post(
        "/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token}
    )
    assert throttled.status_code == 429 and "retry-after" in throttled.headers


def test_researcher_creates_incident_with_participant_then_editor_publishes(web: Web) -> None:
    login(web, "researcher")
    form = web.http.get("/incidents/new")
    assert form.status_code == 200 and "participant_role_0" in form.text
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
    created = web.http.post(
        "/incidents/new",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "title": "Blogger detained after post",
            "date": "early 2022-07",
            "country": "KZ",
            "freedoms": "expression",
            "violations": "journalist_detained",
            "visibility": "public",
            "source_id": "src-update",
            "participant_name_0": "Дарига Жумабаева",
            "participant_role_0": "target",
            "participant_visibility_0": "public",
        },
    )
    assert created.status_code == 303, created.text
    page = web.http.get(created.headers["location"])
    assert "Дарига Жумабаева" in page.text and "Civic space update" in page.text
    for q in ("Жумабаева", "Zhumabaeva"):
        found = web.http.get(f"/incidents?q={q}")
        assert "Blogger detained after post" in found.text, q
    incident_id = created.headers["location"].rsplit("/", 1)[1]
    web.http.cookies.clear()
    assert web.http.get(f"/incidents/{incident_id}").status_code == 404
    login(web, "editor")
    queue = web.http.get("/review")
    assert "Blogger detained after post" in queue.text
    token = CSRF.search(queue.text).group(1)  # type: ignore[union-attr]
    published = web.http.post(
        f"/review/incidents/{incident_id}/publish",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert published.status_code == 303
    web.http.cookies.clear()
    public = web.http.get(f"/incidents/{incident_id}")
    assert public.status_code == 200 and "Blogger detained after post" in public.text
    assert "Дарига" not in public.text  # the new person is not verified yet


def test_incident_form_reports_the_bad_field(web: Web) -> None:
    login(web, "researcher")
    token = csrf(web, "/incidents/new")
    response = web.http.post(
        "/incidents/new",
        data={
            "csrf_token": token,
            "title": "x",
            "date": "one day",
            "country": "KZ",
            "freedoms": "assembly",
        },
    )
    assert response.status_code == 422 and "date" in response.text


def test_viewers_cannot_post_forms(web: Web) -> None:
    login(web, "viewer")
    token = csrf(web)
    response = web.http.post("/review/incidents/inc-draft/publish", data={"csrf_token": token})
    assert response.status_code == 403
    assert web.http.get("/incidents/new", follow_redirects=False).status_code == 303


def test_pages_in_russian_and_dashboard(web: Web) -> None:
    page = web.http.get("/?lang=ru")
    assert "Инциденты" in page.text and 'lang="ru"' in page.text
    assert web.http.get("/", headers={"accept-language": "ru-RU,ru;q=0.9"}).text.count("Войти")
    dashboard = web.http.get("/?lang=en")
    assert "<svg" in dashboard.text and "opposition leader extended" in dashboard.text
    case = web.http.get("/cases/case-mamai")
    assert "12 October 2022" in case.text and "KZ-CC art. 274" in case.text
    prisoners = web.http.get("/prisoners?sort=days")
    assert "Zhanbolat Mamai" in prisoners.text
    for url in (
        "/laws",
        "/statistics",
        "/ratings",
        "/persons/person-mamai",
        "/organisations/org-dp",
        "/laws/law-elections",
        "/search?q=Мамай",
    ):
        assert web.http.get(url).status_code == 200, url


def test_api_calls_on_the_session_cookie_need_the_csrf_header(web: Web) -> None:
    login(web, "researcher")
    token = web.http.cookies.get("cs_csrf") or csrf(web)
    body = {
        "id": "inc-cookie",
        "title": "Rally",
        "date": "2022-07",
        "country": "KZ",
        "freedoms": ["assembly"],
    }
    assert web.http.post("/api/v1/incidents", json=body).status_code == 403
    created = web.http.post("/api/v1/incidents", json=body, headers={"X-CSRF-Token": token})
    assert created.status_code == 201


def test_dashboard_counts_incidents_per_month(web: Web) -> None:
    months = web.http.get("/api/v1/stats/incidents-per-month").json()
    assert months == [
        {
            "month": "2022-08",
            "by_freedom": {"assembly": 0, "expression": 1, "association": 0},
            "total": 1,
        }
    ]
    staff = web.http.get("/api/v1/stats/incidents-per-month", headers=web.as_("viewer")).json()
    assert [m["month"] for m in staff] == ["2022-07", "2022-08"]


def test_editing_an_incident_keeps_hidden_participants_and_checks_the_version(web: Web) -> None:
    login(web, "researcher")
    form = web.http.get("/incidents/inc-extension/edit")
    assert form.status_code == 200 and "Pre-trial detention" in form.text
    assert "Canarybek" not in form.text
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
    fields = {
        "csrf_token": token,
        "title": "Detention of opposition leader extended again",
        "date": "late 2022-08",
        "country": "KZ",
        "freedoms": "expression",
        "violations": "activist_prosecuted",
        "visibility": "public",
        "version": "1",
        "participant_name_0": "Ерлан Тестов",
        "participant_role_0": "witness",
    }
    saved = web.http.post("/incidents/inc-extension/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    stale = web.http.post("/incidents/inc-extension/edit", data=fields)
    assert stale.status_code == 409
    full = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("editor")).json()
    assert full["title"] == "Detention of opposition leader extended again"
    assert full["verification"] == "unverified" and full["version"] == 2
    people = [p["person_id"] for p in full["participants"]]
    assert {"person-mamai", "person-witness"} < set(people) and len(people) == 3
    assert full["sources"] == [{"source_id": "src-update", "locator": "Expression"}]
