"""The incident form through the web app: a refused form (an unknown source or person id,
a stale version) writes nothing, whatever new people it names and however often it is
sent again; an accepted one writes the incident and its new people together."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from civicspace.db import schema as t
from tests.web.conftest import Web
from tests.web.test_pages import csrf, login

RETRIES = 3
NEW_PEOPLE = {
    "participant_name_0": "Асель Нурланова",
    "participant_role_0": "target",
    "participant_visibility_0": "public",
    "participant_name_1": "Erlan Testov",
    "participant_role_1": "witness",
}


def count(web: Web, table: Any) -> int:
    with web.db.begin() as conn:
        return conn.scalar(select(func.count()).select_from(table)) or 0


def stored(web: Web) -> tuple[int, int, int]:
    return count(web, t.persons), count(web, t.incidents), count(web, t.participants)


def incident_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "title": "Picket dispersed in Almaty",
        "date": "2022-06-05",
        "country": "KZ",
        "freedoms": "assembly",
        "visibility": "restricted",
        "source_id": "src-update",
        **NEW_PEOPLE,
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"source_id": "src-nowhere"}, "src-nowhere"),
        ({"participant_person_2": "person-nowhere", "participant_role_2": "target"}, "nowhere"),
    ],
    ids=["unknown source", "unknown person"],
)
def test_a_refused_new_incident_leaves_no_new_person(
    web: Web, changes: dict[str, str], said: str
) -> None:
    login(web, "researcher")
    token = csrf(web, "/incidents/new")
    before = stored(web)
    for _ in range(RETRIES):
        refused = web.http.post("/incidents/new", data=incident_form(token, **changes))
        assert refused.status_code == 422 and said in refused.text
        assert 'value="Асель Нурланова"' in refused.text  # shown again as typed
    assert stored(web) == before
    found = web.http.get("/api/v1/persons?q=Нурланова", headers=web.as_("editor")).json()
    assert found["total"] == 0


def test_a_stale_incident_edit_leaves_no_new_person(web: Web) -> None:
    login(web, "researcher")
    token = csrf(web, "/incidents/inc-extension/edit")
    fields = {
        **incident_form(token),
        "title": "Detention of opposition leader extended again",
        "freedoms": "expression",
        "version": "1",
    }
    saved = web.http.post(
        "/incidents/inc-extension/edit",
        data={key: value for key, value in fields.items() if not key.startswith("participant")},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    before = stored(web)
    for _ in range(RETRIES):
        stale = web.http.post("/incidents/inc-extension/edit", data=fields)  # still version 1
        assert stale.status_code == 409 and "nothing was saved" in stale.text
    assert stored(web) == before
    incident = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("editor")).json()
    assert incident["version"] == 2 and len(incident["participants"]) == 2


def test_an_accepted_incident_form_writes_the_incident_and_its_new_people(web: Web) -> None:
    login(web, "researcher")
    token = csrf(web, "/incidents/new")
    persons, incidents, participants = stored(web)
    created = web.http.post("/incidents/new", data=incident_form(token), follow_redirects=False)
    assert created.status_code == 303, created.text
    assert stored(web) == (persons + 2, incidents + 1, participants + 2)
    incident_id = created.headers["location"].rsplit("/", 1)[1]
    assert incident_id.startswith("inc-picket-dispersed-in-alma")
    full = web.http.get(f"/api/v1/incidents/{incident_id}", headers=web.as_("editor")).json()
    people = [
        web.http.get(f"/api/v1/persons/{p['person_id']}", headers=web.as_("editor")).json()
        for p in full["participants"]
    ]
    assert [p["name"] for p in people] == [
        {"text": "Асель Нурланова", "script": "Cyrl"},
        {"text": "Erlan Testov", "script": "Latn"},
    ]
    assert [p["visibility"] for p in people] == ["public", "restricted"]
    assert {p["country"] for p in people} == {"KZ"}
