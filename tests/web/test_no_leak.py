"""An anonymous visitor never sees a restricted or confidential record by any route:
crawl every page reachable from the dashboard, every API list and search."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from civicspace.access.policy import Viewer
from civicspace.db.engine import Database
from civicspace.model.records import KINDS
from tests.web.conftest import CANARIES, CONFIDENTIAL, Web, build_web

HREF = re.compile(r'href="(/[^"#]*)"')
SEARCHES = ("Canarybek", "Канарбек", "Aigerim", "Айгерим", "Interview", "Informant", "dispersal")


def crawl(web: Web, headers: dict[str, str]) -> dict[str, str]:
    """Every page reachable from ``/`` and the API answers, by URL."""
    seen: dict[str, str] = {}
    queue = deque(
        [
            "/",
            "/incidents?verification=unverified",
            "/login",
            "/admin/users",
            "/summaries",
            "/persons/new",
            "/cases/case-mamai/edit",
            "/incidents/inc-extension/edit",
            "/lists/review",
        ]
    )
    queue.extend(f"/search?q={q}" for q in SEARCHES)
    queue.extend(f"/incidents?q={q}" for q in SEARCHES)
    while queue:
        url = queue.popleft().replace("&amp;", "&")
        if url in seen or url.startswith("/static/") or len(seen) > 400:
            continue
        response = web.http.get(url, headers={**headers, "accept": "text/html"})
        seen[url] = response.text
        queue.extend(HREF.findall(response.text))
    api = [f"/api/v1/{kind}?limit=500" for kind in KINDS]
    api += [f"/api/v1/{kind}?limit=500&q={q}" for kind in KINDS for q in SEARCHES]
    api += [f"/api/v1/search?q={q}" for q in SEARCHES]
    api += [
        "/api/v1/counts",
        "/api/v1/review",
        "/api/v1/deadlines?on=2022-09-01",
        "/api/v1/political-prisoners?on=2022-09-01",
        "/api/v1/stats/incidents-per-month",
        "/api/v1/persons/person-witness",
        "/api/v1/sources/src-secret",
        "/api/v1/incidents/inc-draft",
        "/api/v1/incidents/inc-extension",
        "/api/v1/openapi.json",
        "/api/v1/lists/review",
        "/api/v1/lists/decisions",
    ]
    for url in api:
        seen[url] = web.http.get(url, headers=headers).text
    return seen


def echoes(url: str) -> list[str]:
    """What a response may repeat back from its own request (a search box, a 404 message)."""
    parts = urlsplit(url)
    words = [unquote(p) for p in parts.path.split("/") if p]
    words += [value for _, value in parse_qsl(parts.query)]
    return sorted(words, key=len, reverse=True)


def leaks(pages: dict[str, str], secrets: tuple[str, ...]) -> list[str]:
    found = []
    for url, text in pages.items():
        for echo in echoes(url):
            text = text.replace(echo, "")
        found += [f"{secret!r} in {url}" for secret in secrets if secret in text]
    return found


def test_anonymous_sees_no_hidden_record_anywhere(web: Web) -> None:
    pages = crawl(web, web.as_("anonymous"))
    assert len(pages) > 40
    assert "/incidents/inc-extension" in pages and "/cases/case-mamai" in pages
    assert "Zhanbolat Mamai" in pages["/incidents/inc-extension"]
    assert leaks(pages, CANARIES) == []
    assert "/summaries/summary-2022" in pages
    for q in SEARCHES:
        assert '"items":[]' in pages[f"/api/v1/search?q={q}"]
        assert '"total":0' in pages[f"/api/v1/incidents?limit=500&q={q}"]


def test_counts_do_not_reveal_hidden_records(web: Web) -> None:
    counts = web.http.get("/api/v1/counts").json()
    assert counts["incidents"] == 1 and counts["persons"] == 1 and counts["sources"] == 1
    listed = web.http.get("/api/v1/incidents?q=dispersal").json()
    assert listed["total"] == 0


def test_staff_below_editor_never_see_confidential(web: Web) -> None:
    for role in ("viewer", "researcher"):
        pages = crawl(web, web.as_(role))
        assert "Unverified report of a dispersal" in pages["/api/v1/incidents?limit=500"]
        if role == "researcher":  # the forms, their pickers and lists of cited people
            assert "/persons/person-mamai/edit" in pages and "/sources/new" in pages
            assert "Zhanbolat Mamai" in pages["/incidents/inc-extension/edit"]
        assert leaks(pages, CONFIDENTIAL) == [], role


def test_editors_do_see_the_witness(web: Web) -> None:
    body = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("editor")).text
    assert "person-witness" in body
    hits = web.http.get("/api/v1/search?q=Канарбек", headers=web.as_("editor")).json()
    assert [h["id"] for h in hits["items"]] == ["person-witness"]


def test_demo_canaries_stay_hidden_from_anonymous(database: Database, tmp_path: Path) -> None:
    """The demo data's fictional restricted and confidential records (named "Canary")."""
    from civicspace.demo import demo_dataset_path
    from civicspace.ingest.bundle import import_file

    web = build_web(database, tmp_path, sample=False)
    import_file(web.store, demo_dataset_path(), Viewer.local_operator())
    with web.http:
        pages = crawl(web, {})
        assert "Zhanbolat Mamai" in pages["/persons"]
        assert leaks(pages, ("Canary", "Canarybek", "Канарбек")) == []


def test_victim_lists_reach_neither_anonymous_nor_viewers(
    database: Database, tmp_path: Path
) -> None:
    """Victim lists, their review queue and the decisions made stay with researchers, editors
    and admins: no name on any list is on any page or API answer the others can reach."""
    from civicspace.victims import service
    from civicspace.victims.synth import make_lists
    from tests.web.test_lists_review import every_name, import_and_link

    web = build_web(database, tmp_path)
    make_lists(200, seed=1).write(tmp_path / "lists")
    run_id = import_and_link(database, tmp_path / "lists")
    [pair] = service.review_pairs(database, run_id, limit=1)
    service.decide(database, pair.left.id, pair.right.id, "same", "editor", "same father")
    names = tuple(every_name(database))
    with web.http:
        staff = web.http.get("/lists/review", headers=web.as_("researcher")).text
        assert pair.right.name in staff and "same father" in staff
        for role in ("anonymous", "viewer"):
            pages = crawl(web, web.as_(role))
            assert "/lists/review" in pages
            assert leaks(pages, (*names, "same father")) == [], role
