"""The victim-list linkage review queue in the web app, on real lists imported and linked by
the real services (SQLite and PostgreSQL): pairs side by side, decisions stored through the
service and obeyed by later runs, CSRF, and roles that must never see a name."""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from civicspace.db.engine import Database
from civicspace.db.victim_lists import victim_list_records
from civicspace.victims import service
from civicspace.victims.synth import make_lists
from tests.web.conftest import Web, build_web
from tests.web.test_pages import CSRF, csrf, login

KINDS = {"official": "official", "qantar": "ngo", "azattyk": "media"}
# A threshold of 1: the model links nothing on its own and every pair it scored waits for a
# person. At its own threshold (0.3 for model v3) the model is sure of nearly every pair of
# these lists, and its scores vary a little from run to run, so a lower threshold may leave
# no pair to review.
CAUTIOUS = 1.0
PAGE = "/lists/review"
DECIDE = "/lists/review/decisions"


@pytest.fixture(scope="module")
def list_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lists")
    make_lists(200, seed=1).write(folder)
    return folder


def import_and_link(db: Database, folder: Path) -> int:
    for name, kind in KINDS.items():
        service.import_list(
            db,
            folder / f"{name}.csv",
            service.ListMetadata(name, f"{name.title()} list", kind),
            imported_by="analyst",
        )
    run_id, _ = service.run_linkage(db, threshold=CAUTIOUS, created_by="analyst")
    assert service.review_queue(db, run_id), "the lists should leave pairs to review"
    return run_id


def every_name(db: Database) -> list[str]:
    with db.begin() as conn:
        return list(conn.execute(select(victim_list_records.c.name)).scalars())


@dataclass
class Linked:
    web: Web
    run_id: int

    @property
    def db(self) -> Database:
        return self.web.db

    def pairs(self) -> list[service.ReviewPair]:
        return service.review_pairs(self.db, self.run_id, limit=50)


@pytest.fixture
def linked(database: Database, tmp_path: Path, list_folder: Path) -> Iterator[Linked]:
    web = build_web(database, tmp_path, sample=False)
    run_id = import_and_link(database, list_folder)
    with web.http:
        yield Linked(web, run_id)


def decide(linked: Linked, pair: service.ReviewPair, decision: str, **extra: str) -> int:
    token = csrf(linked.web, PAGE)
    response = linked.web.http.post(
        DECIDE,
        follow_redirects=False,
        data={
            "csrf_token": token,
            "left": pair.left.id,
            "right": pair.right.id,
            "decision": decision,
            "run": str(linked.run_id),
            **extra,
        },
    )
    if response.status_code == 303:
        assert response.headers["location"] == f"{PAGE}?run={linked.run_id}"
    return response.status_code


def queued(page: str) -> set[tuple[str, str]]:
    """The pairs a page offers for review (by record id)."""
    tables = page.split('class="records pair"')[1:]
    return {
        (t.split('data-left="')[1].split('"')[0], t.split('data-right="')[1].split('"')[0])
        for t in tables
    }


def test_pairs_are_shown_side_by_side(linked: Linked) -> None:
    web = linked.web
    login(web, "researcher")
    home = web.http.get("/")
    assert f'href="{PAGE}"' in home.text
    page = web.http.get(PAGE)
    assert page.status_code == 200
    pairs = linked.pairs()
    assert queued(page.text) == {(p.left.id, p.right.id) for p in pairs}
    first = pairs[0]
    table = page.text.split(f'data-left="{first.left.id}" data-right="{first.right.id}"')[1]
    table = table.split("</table>")[0]
    for card in (first.left, first.right):
        assert html.escape(card.name) in table
        assert card.name_key and html.escape(card.name_key) in table
        assert html.escape(card.list_title) in table
        for written in (card.age, card.date, card.place, str(card.birth_year or "")):
            assert html.escape(written) in table
    assert f"{math.floor(first.probability * 1000) / 1000:.3f}" in table
    assert f"model {service.run_details(linked.db, linked.run_id)['model_version']}" in page.text
    # Researchers read; only editors and admins are offered the buttons.
    assert f'action="{DECIDE}"' not in page.text
    for role in ("editor", "admin"):
        web.http.cookies.clear()
        login(web, role)
        assert web.http.get(PAGE).text.count(f'action="{DECIDE}"') == len(pairs)


def test_russian_page(linked: Linked) -> None:
    login(linked.web, "editor")
    page = linked.web.http.get(f"{PAGE}?lang=ru").text
    assert "Пары для проверки" in page and "Тот же человек" in page and "Разные люди" in page


def test_decisions_are_stored_reported_and_obeyed_by_later_runs(linked: Linked) -> None:
    web, db = linked.web, linked.db
    login(web, "editor")
    everything = service.review_pairs(db, linked.run_id)
    # The least probable pair is accepted, the most probable rejected: the model alone would
    # decide each the other way.
    rejected, accepted = everything[0], everything[-1]
    assert decide(linked, accepted, "same") == 303
    assert decide(linked, rejected, "different", note="different fathers") == 303
    assert service.active_decisions(db) == {
        (accepted.left.id, accepted.right.id): "same",
        (rejected.left.id, rejected.right.id): "different",
    }
    reported = {(d.left.id, d.right.id): d for d in service.decided_pairs(db)}
    assert reported[(rejected.left.id, rejected.right.id)].note == "different fathers"
    assert {d.decided_by for d in reported.values()} == {"editor"}
    # Decided pairs leave the queue and are listed with who decided and why.
    page = web.http.get(PAGE).text
    assert {
        (accepted.left.id, accepted.right.id),
        (rejected.left.id, rejected.right.id),
    }.isdisjoint(queued(page))
    decisions = page.split('class="records decisions"')[1]
    assert "different fathers" in decisions and "editor" in decisions
    assert html.escape(accepted.left.name) in decisions
    # The run's clusters obey at once: the accepted pair is one person, below the threshold.
    now = service.clusters(db, linked.run_id)
    assert now[accepted.left.id] == now[accepted.right.id]
    # A new run obeys too. At the cautious threshold the model alone would not link the
    # accepted pair; at its own threshold it would link the rejected one, yet keeps it apart.
    _, cautious = service.run_linkage(db, threshold=CAUTIOUS)
    scores = {(p.left, p.right): p.probability for p in cautious.pairs}
    assert scores.get((accepted.left.id, accepted.right.id), 0) < CAUTIOUS
    assert cautious.clusters[accepted.left.id] == cautious.clusters[accepted.right.id]
    _, default = service.run_linkage(db)
    scores = {(p.left, p.right): p.probability for p in default.pairs}
    assert scores[(rejected.left.id, rejected.right.id)] >= default.threshold
    assert default.clusters[rejected.left.id] != default.clusters[rejected.right.id]
    # Changing one's mind from the decisions list replaces the decision.
    assert page.count("Change to same person") == 1
    assert page.count("Change to different people") == 1
    assert decide(linked, rejected, "same") == 303
    assert service.active_decisions(db)[(rejected.left.id, rejected.right.id)] == "same"


def test_decisions_need_the_csrf_token(linked: Linked) -> None:
    web = linked.web
    login(web, "editor")
    pair = linked.pairs()[0]
    fields = {"left": pair.left.id, "right": pair.right.id, "decision": "same"}
    assert web.http.post(DECIDE, data=fields).status_code == 403
    assert web.http.post(DECIDE, data={**fields, "csrf_token": "forged"}).status_code == 403
    # The API on the session cookie needs the token in X-CSRF-Token.
    assert web.http.post("/api/v1/lists/decisions", json=fields).status_code == 403
    assert service.active_decisions(linked.db) == {}
    token = web.http.cookies.get("cs_csrf") or csrf(web, PAGE)
    sent = web.http.post("/api/v1/lists/decisions", json=fields, headers={"X-CSRF-Token": token})
    assert sent.status_code == 201
    assert service.active_decisions(linked.db) == {(pair.left.id, pair.right.id): "same"}


def test_anonymous_and_viewers_are_refused_and_never_see_a_name(linked: Linked) -> None:
    web, db = linked.web, linked.db
    pair = linked.pairs()[0]
    service.decide(db, pair.left.id, pair.right.id, "different", "editor", "seen in court")
    names = every_name(db)
    seen: list[tuple[str, str]] = []

    def refused(what: str, response_text: str) -> None:
        seen.append((what, response_text))

    fields = {"left": pair.left.id, "right": pair.right.id, "decision": "same"}
    # Anonymous: sent to the login; the API asks for credentials.
    away = web.http.get(PAGE, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/login"
    refused("anonymous page", web.http.get(PAGE).text)
    refused("anonymous home", web.http.get("/").text)
    assert f'href="{PAGE}"' not in web.http.get("/").text
    token = CSRF.search(web.http.get("/login").text).group(1)  # type: ignore[union-attr]
    post = web.http.post(DECIDE, data={**fields, "csrf_token": token})
    assert post.status_code == 403
    refused("anonymous post", post.text)
    for url in ("/api/v1/lists/review", "/api/v1/lists/decisions"):
        response = web.http.get(url)
        assert response.status_code == 401, url
        refused(f"anonymous {url}", response.text)
    refused("anonymous run", web.http.get(f"{PAGE}?run={linked.run_id}").text)
    api_post = web.http.post("/api/v1/lists/decisions", json=fields)
    assert api_post.status_code == 401
    # Viewers read restricted records, but not victim lists.
    login(web, "viewer")
    page = web.http.get(PAGE)
    assert page.status_code == 403
    refused("viewer page", page.text)
    assert f'href="{PAGE}"' not in web.http.get("/").text
    token = csrf(web)
    post = web.http.post(DECIDE, data={**fields, "csrf_token": token})
    assert post.status_code == 403
    refused("viewer post", post.text)
    for url in ("/api/v1/lists/review", "/api/v1/lists/decisions"):
        response = web.http.get(url, headers=web.as_("viewer"))
        assert response.status_code == 403, url
        refused(f"viewer {url}", response.text)
    assert (
        web.http.post("/api/v1/lists/decisions", json=fields, headers=web.as_("viewer")).status_code
        == 403
    )
    # Researchers read but do not decide.
    web.http.cookies.clear()
    login(web, "researcher")
    post = web.http.post(DECIDE, data={**fields, "csrf_token": csrf(web)})
    assert post.status_code == 403
    assert (
        web.http.post(
            "/api/v1/lists/decisions", json=fields, headers=web.as_("researcher")
        ).status_code
        == 403
    )
    assert service.active_decisions(db) == {(pair.left.id, pair.right.id): "different"}
    leaked = [
        f"{name!r} in {what}"
        for what, text in seen
        for name in names
        if name in text or html.escape(name) in text
    ]
    assert leaked == []
    assert "seen in court" not in "".join(text for _, text in seen)


def test_the_api_lists_pairs_and_decisions_and_decides(linked: Linked) -> None:
    web = linked.web
    queue = web.http.get("/api/v1/lists/review?limit=5", headers=web.as_("researcher")).json()
    assert queue["run"]["id"] == linked.run_id and queue["run"]["threshold"] == CAUTIOUS
    assert "parameters" not in queue["run"]
    first = queue["items"][0]
    pair = linked.pairs()[0]
    assert (first["left"]["id"], first["right"]["id"]) == (pair.left.id, pair.right.id)
    assert first["left"]["name"] == pair.left.name and first["probability"] == pair.probability
    assert len(queue["items"]) == min(5, len(linked.pairs()))
    body = {
        "left": pair.right.id,
        "right": pair.left.id,
        "decision": "different",
        "note": "two brothers",
    }
    made = web.http.post("/api/v1/lists/decisions", json=body, headers=web.as_("admin"))
    assert made.status_code == 201 and made.json()["decided_by"] == "admin"
    decided = web.http.get("/api/v1/lists/decisions", headers=web.as_("researcher")).json()
    [only] = decided["items"]
    assert (only["left"]["id"], only["right"]["id"], only["decision"], only["note"]) == (
        pair.left.id,
        pair.right.id,
        "different",
        "two brothers",
    )
    after = web.http.get("/api/v1/lists/review", headers=web.as_("editor")).json()
    assert (pair.left.id, pair.right.id) not in {
        (i["left"]["id"], i["right"]["id"]) for i in after["items"]
    }
    unknown = web.http.post(
        "/api/v1/lists/decisions", headers=web.as_("editor"), json={**body, "left": "nowhere:2"}
    )
    assert unknown.status_code == 422 and "unknown record" in unknown.json()["detail"]
    odd = web.http.post(
        "/api/v1/lists/decisions", headers=web.as_("editor"), json={**body, "decision": "maybe"}
    )
    assert odd.status_code == 422
    missing = web.http.get("/api/v1/lists/review?run=999", headers=web.as_("editor"))
    assert missing.status_code == 404
    assert len(service.decided_pairs(linked.db)) == 1


def test_an_unknown_record_in_the_form_is_refused(linked: Linked) -> None:
    login(linked.web, "editor")
    token = csrf(linked.web, PAGE)
    response = linked.web.http.post(
        DECIDE,
        data={
            "csrf_token": token,
            "left": "nowhere:2",
            "right": linked.pairs()[0].left.id,
            "decision": "same",
        },
    )
    assert response.status_code == 422 and "unknown record" in response.text
    response = linked.web.http.post(
        DECIDE,
        data={
            "csrf_token": token,
            "left": linked.pairs()[0].left.id,
            "right": linked.pairs()[0].right.id,
            "decision": "maybe",
        },
    )
    assert response.status_code == 422
    assert service.active_decisions(linked.db) == {}


def test_before_any_run_and_for_an_unknown_run(database: Database, tmp_path: Path) -> None:
    web = build_web(database, tmp_path, sample=False)
    with web.http:
        login(web, "researcher")
        page = web.http.get(PAGE)
        assert page.status_code == 200 and "No linkage run yet" in page.text
        assert web.http.get(f"{PAGE}?run=7").status_code == 404
        assert web.http.get(f"{PAGE}?run=seven").status_code == 404
        queue = web.http.get("/api/v1/lists/review", headers=web.as_("researcher")).json()
        assert queue == {"run": None, "items": [], "limit": 50}
