"""In Debian's headless Chromium: a researcher logs in and records an incident with a
participant, finds it by a Cyrillic search, adds a person named in Cyrillic and opens
their page; an editor verifies and publishes the incident, and an anonymous visitor then
sees it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from civicspace.db.engine import Database
from tests.web.conftest import PASSWORD, build_web

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(database: Database, tmp_path: Path) -> Iterator[str]:
    web = build_web(database, tmp_path)
    port = free_port()
    config = uvicorn.Config(web.http.app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if uv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


def test_incident_from_entry_to_publication(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{server}/login")
            page.fill("input[name=name]", "researcher")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.stacked button[type=submit]")
            expect(page.locator(".who")).to_contain_text("researcher")

            page.goto(f"{server}/incidents/new")
            page.fill("input[name=title]", "Activist fined for a picket")
            page.fill("input[name=date]", "mid 2022-07")
            page.check("input[name=freedoms][value=assembly]")
            page.select_option("select[name=violations]", ["protester_detained"])
            page.select_option("select[name=visibility]", "public")
            page.fill("input[name=participant_name_0]", "Асель Нурланова")
            page.select_option("select[name=participant_role_0]", "target")
            page.select_option("select[name=participant_visibility_0]", "public")
            page.click("form.stacked button[type=submit]")
            expect(page.locator("h1")).to_contain_text("Activist fined for a picket")
            incident_url = page.url

            page.goto(f"{server}/incidents")
            page.fill("form.filters input[name=q]", "Нурланова")
            page.press("form.filters input[name=q]", "Enter")
            expect(page.locator("table.records")).to_contain_text("Activist fined for a picket")

            # A person named in Cyrillic, through the generic record form.
            page.goto(f"{server}/persons/new")
            page.fill("input[name='name-0-text']", "Жасарал Қуанышәлин")
            page.fill("input[name='names-0-text']", "Zhasaral Kuanyshalin")
            page.check("input[name=roles][value=activist]")
            page.click("form.record-form button[type=submit]")
            expect(page.locator("h1")).to_contain_text("Жасарал Қуанышәлин")
            expect(page.locator("p.names")).to_contain_text("Zhasaral Kuanyshalin")
            assert "/persons/person-" in page.url

            anonymous = browser.new_context().new_page()
            assert anonymous.goto(incident_url).status == 404

            editor = browser.new_context().new_page()
            editor.goto(f"{server}/login")
            editor.fill("input[name=name]", "editor")
            editor.fill("input[name=password]", PASSWORD)
            editor.click("form.stacked button[type=submit]")
            editor.goto(f"{server}/review")
            row = editor.locator("tr", has_text="Activist fined for a picket")
            row.get_by_role("button", name="Verify and publish").click()
            expect(editor.locator("body")).not_to_contain_text("Activist fined for a picket")

            response = anonymous.goto(incident_url)
            assert response is not None and response.status == 200
            expect(anonymous.locator("h1")).to_contain_text("Activist fined for a picket")
            anonymous.goto(f"{server}/incidents?q=picket")
            expect(anonymous.locator("table.records")).to_contain_text("Activist fined")
        finally:
            browser.close()
