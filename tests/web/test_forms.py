"""The record forms (persons, organisations, cases, laws, statistics, ratings, sources,
summaries): create and edit as researcher and editor, field errors, stale versions,
what researchers may not set, and removing incident participants and sources."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from babel.messages.pofile import read_po

from civicspace.editing import EDITORS_FIELDS
from civicspace.model.kinds import spec_of
from civicspace.web.form_specs import SPECS, Field, Group
from civicspace.web.i18n import LOCALE_DIR
from tests.web.conftest import Web
from tests.web.test_pages import CSRF, login

VERSION = re.compile(r'name="version" value="(\d+)"')

# A new record of each kind, as a browser would post it.
NEW: dict[str, dict[str, Any]] = {
    "persons": {
        "name-0-text": "Айдос Садыков",
        "names-0-text": "Aidos Sadykov",
        "names-0-lang": "en",
        "roles": ["journalist", "activist"],
        "affiliations-0-organisation_id": "org-dp",
        "affiliations-0-role": "member",
        "country": "kz",
        "birth_year": "1972",
    },
    "organisations": {
        "name-0-text": "Ар.Рух.Хак",
        "org_kind": "media_outlet",
        "names-0-text": "Ar.Rukh.Khak",
        "country": "KZ",
    },
    "cases": {
        "title": "Case of the picket",
        "country": "KZ",
        "defendants-0-id": "person-mamai",
        "charges-0-article": "KZ-CC:274",
        "charges-0-part": "2",
        "events-0-kind": "detained",
        "events-0-date": "2022-06-01",
        "events-1-kind": "pretrial_detention_ordered",
        "events-1-date": "2022-06-03",
        "events-1-until": "2022-08-03",
        "recognitions-0-person_id": "person-mamai",
        "recognitions-0-by": "Expert group",
        "recognitions-0-date": "2022-07",
        "recognitions-0-status": "political_prisoner",
    },
    "laws": {
        "title": "Draft law on foreign agents",
        "country": "KZ",
        "is_draft": "yes",
        "freedoms": ["association"],
        "stages-0-stage": "submitted_to_parliament",
        "stages-0-date": "2022-05",
        "restrictive": "yes",
    },
    "statistics": {
        "country": "KZ",
        "value": "5000",
        "qualifier": "over",
        "unit": "people",
        "counts": "detained in January",
        "as_of": "2022-01",
    },
    "ratings": {"country": "KZ", "date": "2022-12", "band": "repressed", "score": "30"},
    "sources": {
        "title": "Monitoring mission report",
        "publisher": "KIBHR",
        "url": "https://example.org/report",
        "published": "2022-07",
    },
    "summaries": {
        "country": "KZ",
        "section": "assembly",
        "period_start": "2022-06",
        "period_end": "2022-08",
        "summary": "Peaceful assemblies were dispersed.",
    },
}
SHOWN = {
    "persons": "Айдос Садыков",
    "organisations": "Ар.Рух.Хак",
    "cases": "Case of the picket",
    "laws": "Draft law on foreign agents",
    "statistics": "over 5,000 people",
    "ratings": "repressed",
    "sources": "Monitoring mission report",
    "summaries": "Peaceful assemblies were dispersed.",
}
# An edit of a sample record of each kind: (id, field changes, what the page then shows)
EDITS: dict[str, tuple[str, dict[str, Any], str]] = {
    "persons": (
        "person-mamai",
        {"description": "Leader of the unregistered party."},
        "Leader of the unregistered party.",
    ),
    "organisations": (
        "org-dp",
        {"description": "Opposition party, refused registration."},
        "refused registration",
    ),
    "cases": ("case-mamai", {"title": "Case of Zhanbolat Mamai (renamed)"}, "(renamed)"),
    "laws": ("law-elections", {"assessment": "Tightens rules on observers."}, "observers"),
    "statistics": ("stat-toll", {"reported_by": "Prosecutor General"}, "Prosecutor General"),
    "ratings": ("rating-2022", {"rationale": "Mass detentions in January."}, "Mass detentions"),
    "sources": ("src-update", {"publisher": "Civic monitor (edited)"}, "(edited)"),
    "summaries": ("summary-2022", {"summary": "An edited introduction."}, "edited introduction"),
}


def alerts(html: str) -> list[str]:
    return re.findall(r'role="alert"[^>]*>([^<]*)', html)


def form_of(web: Web, url: str) -> tuple[str, str]:
    page = web.http.get(url)
    assert page.status_code == 200, (url, page.text[:500])
    return page.text, CSRF.search(page.text).group(1)  # type: ignore[union-attr]


def current_values(html: str) -> dict[str, Any]:
    """The fields a browser would post back from a form as drawn (inputs and selections)."""
    values: dict[str, Any] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        values[name] = value
    for name, value in re.findall(r'<input name="([^"]+)" value="([^"]*)"', html):
        if value:
            values[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected', body)
        if chosen:
            values[name] = chosen[0]
    for name in re.findall(r'<textarea name="([^"]+)"', html):
        text = re.search(rf'<textarea name="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
        if text and text.group(1):
            values[name] = text.group(1)
    checked = r'<input type="checkbox" name="([^"]+)" value="([^"]*)" checked'
    for name, value in re.findall(checked, html):
        if name in ("roles", "freedoms"):
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
    values.pop("csrf_token", None)
    return {
        k: [unescape(x) for x in v] if isinstance(v, list) else unescape(v)
        for k, v in values.items()
    }


@pytest.mark.parametrize("role", ["researcher", "editor"])
def test_create_then_edit_every_kind(web: Web, role: str) -> None:
    login(web, role)
    for kind, fields in NEW.items():
        html, token = form_of(web, f"/{kind}/new")
        assert ('value="confidential"' in html) == (role == "editor"), kind
        created = web.http.post(
            f"/{kind}/new", data={"csrf_token": token, **fields}, follow_redirects=False
        )
        assert created.status_code == 303, (kind, alerts(created.text))
        page = web.http.get(created.headers["location"])
        assert page.status_code == 200 and SHOWN[kind] in page.text, kind
        record_id = created.headers["location"].rsplit("/", 1)[1]
        saved = web.http.get(f"/api/v1/{kind}/{record_id}", headers=web.as_("editor")).json()
        assert saved["verification"] == "unverified" and saved["visibility"] == "restricted"
        assert saved["created_by"] == role
    for kind, (record_id, change, shown) in EDITS.items():
        html, token = form_of(web, f"/{kind}/{record_id}/edit")
        before = web.http.get(f"/api/v1/{kind}/{record_id}", headers=web.as_("editor")).json()
        fields = {**current_values(html), **change, "csrf_token": token}
        saved = web.http.post(f"/{kind}/{record_id}/edit", data=fields, follow_redirects=False)
        assert saved.status_code == 303, (kind, alerts(saved.text))
        assert shown in web.http.get(f"/{kind}/{record_id}").text, kind
        after = web.http.get(f"/api/v1/{kind}/{record_id}", headers=web.as_("editor")).json()
        assert after["version"] == before["version"] + 1
        # Only the changed field (and provenance, and a researcher's unverifying) moved.
        moved = {k for k in after if after.get(k) != before.get(k)}
        expected = {*change, "version", "updated_at", "updated_by"}
        if role == "researcher" and before["verification"] == "verified":
            expected.add("verification")
        assert moved <= expected, (kind, moved - expected)


def test_person_names_scripts_and_languages(web: Web) -> None:
    login(web, "researcher")
    _, token = form_of(web, "/persons/new")
    created = web.http.post(
        "/persons/new",
        follow_redirects=False,
        data={
            "csrf_token": token,
            **NEW["persons"],
            "names-1-text": "Aydos Sadykov",
            "names-1-script": "Latn",
            "names-1-lang": "kk",
        },
    )
    record_id = created.headers["location"].rsplit("/", 1)[1]
    person = web.http.get(f"/api/v1/persons/{record_id}", headers=web.as_("editor")).json()
    assert person["name"] == {"text": "Айдос Садыков", "script": "Cyrl"}
    assert person["names"][1] == {"text": "Aydos Sadykov", "script": "Latn", "lang": "kk"}
    assert person["country"] == "KZ" and person["affiliations"][0]["organisation_id"] == "org-dp"
    assert record_id.startswith("person-aidos-sad")
    for q in ("Садыков", "Sadykov"):
        assert "Айдос Садыков" in web.http.get(f"/search?q={q}").text, q
    # Remove the second spelling in the edit form.
    html, token = form_of(web, f"/persons/{record_id}/edit")
    fields = {**current_values(html), "names-1-remove": "yes", "csrf_token": token}
    assert (
        web.http.post(f"/persons/{record_id}/edit", data=fields, follow_redirects=False).status_code
        == 303
    )
    person = web.http.get(f"/api/v1/persons/{record_id}", headers=web.as_("editor")).json()
    assert [n["text"] for n in person["names"]] == ["Aidos Sadykov"]


def test_edits_keep_what_the_form_does_not_show_and_remove_rows(web: Web) -> None:
    login(web, "editor")
    before = web.http.get("/api/v1/cases/case-mamai", headers=web.as_("editor")).json()
    html, token = form_of(web, "/cases/case-mamai/edit")
    assert "KZ-CC art. 274" in html  # the charge picker lists the registry
    fields = {
        **current_values(html),
        "csrf_token": token,
        "events-9-kind": "appeal_filed",
        "events-9-date": "2022-09-10",
    }
    saved = web.http.post("/cases/case-mamai/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, alerts(saved.text)
    after = web.http.get("/api/v1/cases/case-mamai", headers=web.as_("editor")).json()
    assert after["events"][:-1] == before["events"]  # sentences, courts... all kept
    assert after["events"][-1] == {"kind": "appeal_filed", "date": "2022-09-10"}
    assert after["charges"] == before["charges"]
    # The incident edit form removes cited participants and sources.
    html, token = form_of(web, "/incidents/inc-extension/edit")
    assert "remove_participant" in html and "remove_source" in html
    before = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("editor")).json()
    witness = [p["person_id"] for p in before["participants"]].index("person-witness")
    fields = {
        "csrf_token": token,
        "title": "Detention of opposition leader extended",
        "date": "late 2022-08",
        "country": "KZ",
        "freedoms": "expression",
        "visibility": "public",
        "version": "1",
        "remove_source": "0",
        "remove_participant": str(witness),
    }
    saved = web.http.post("/incidents/inc-extension/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, alerts(saved.text)
    full = web.http.get("/api/v1/incidents/inc-extension", headers=web.as_("editor")).json()
    assert [p["person_id"] for p in full["participants"]] == ["person-mamai"]
    assert full["sources"] == []


def test_field_errors_and_stale_versions(web: Web) -> None:
    login(web, "researcher")
    _, token = form_of(web, "/cases/new")
    bad = web.http.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "title": "Bad case",
            "country": "KZ",
            "events-0-kind": "detained",
            "events-0-date": "someday",
        },
    )
    assert bad.status_code == 422
    assert 'data-field="defendants"' in bad.text
    assert 'data-field="events-0-date"' in bad.text
    assert 'value="someday"' in bad.text  # what was typed stays
    _, token = form_of(web, "/ratings/new")
    bad = web.http.post(
        "/ratings/new",
        data={"csrf_token": token, "country": "KZ", "date": "2022", "band": "open", "score": "12"},
    )
    assert bad.status_code == 422 and "outside band" in bad.text
    assert web.http.get("/api/v1/ratings", headers=web.as_("editor")).json()["total"] == 1
    # A stale form changes nothing and says so.
    html, token = form_of(web, "/laws/law-elections/edit")
    fields = {**current_values(html), "csrf_token": token}
    first = web.http.post(
        "/laws/law-elections/edit", data={**fields, "assessment": "first"}, follow_redirects=False
    )
    assert first.status_code == 303
    stale = web.http.post("/laws/law-elections/edit", data={**fields, "assessment": "second"})
    assert stale.status_code == 409 and "nothing was saved" in stale.text
    law = web.http.get("/api/v1/laws/law-elections", headers=web.as_("editor")).json()
    assert law["assessment"] == "first"


def test_researchers_cannot_make_records_confidential_or_verified(web: Web) -> None:
    login(web, "researcher")
    html, token = form_of(web, "/sources/new")
    assert 'name="confidential"' not in html and 'name="verification"' not in html
    for extra, field in (
        ({"confidential": "yes", "visibility": "confidential"}, "confidential"),
        ({"visibility": "confidential"}, "visibility"),
        ({"verification": "verified"}, "verification"),
    ):
        refused = web.http.post(
            "/sources/new", data={"csrf_token": token, **NEW["sources"], **extra}
        )
        assert refused.status_code == 422 and f'data-field="{field}"' in refused.text, extra
    assert web.http.get("/api/v1/sources?q=mission", headers=web.as_("editor")).json()["total"] == 0
    # An editor may: a confidential source with what others see instead.
    web.http.cookies.clear()
    login(web, "editor")
    _, token = form_of(web, "/sources/new")
    made = web.http.post(
        "/sources/new",
        follow_redirects=False,
        data={
            "csrf_token": token,
            **NEW["sources"],
            "confidential": "yes",
            "visibility": "confidential",
            "public_label": "A monitor",
            "verification": "verified",
        },
    )
    assert made.status_code == 303, alerts(made.text)
    source = web.http.get(
        made.headers["location"].replace("/sources/", "/api/v1/sources/"), headers=web.as_("editor")
    ).json()
    assert source["confidential"] and source["verification"] == "verified"


def test_forms_only_for_writers_and_in_russian(web: Web) -> None:
    for kind in NEW:
        assert web.http.get(f"/{kind}/new", follow_redirects=False).status_code == 303
    login(web, "viewer")
    html, token = form_of(web, "/persons")
    assert "/persons/new" not in html
    assert web.http.get("/persons/person-mamai/edit", follow_redirects=False).status_code == 303
    refused = web.http.post("/persons/new", data={"csrf_token": token, **NEW["persons"]})
    assert refused.status_code == 403
    assert web.http.post("/persons/new", data=NEW["persons"]).status_code == 403  # no CSRF
    # In Russian, every word of the catalogue translated.
    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    assert [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)] == []
    web.http.cookies.clear()
    login(web, "researcher")
    html, _ = form_of(web, "/cases/new?lang=ru")
    for word in ("Новое дело", "Обвиняемые", "Хронология", "Сохранить", "Распространение"):
        assert word in html, word


def test_each_form_shows_the_fields_its_kind_declares() -> None:
    """Forms follow the declared sections; vocabularies and pickers come from the markers."""
    for kind, spec in SPECS.items():
        declared = [n for names in spec_of(kind).sections.values() for n in names]
        shown = [item.name for item in spec.items]
        assert shown == [n for n in declared if (kind, n) != ("sources", "sources")], kind
        editors = {i.name for i in spec.items if isinstance(i, Field) and i.editors_only}
        assert editors == set(EDITORS_FIELDS) & set(shown), kind
    charges = next(i for i in SPECS["cases"].items if i.name == "charges")
    assert isinstance(charges, Group)
    assert [(f.name, f.widget, f.ref) for f in charges.fields][:3] == [
        ("article", "legal", None),
        ("part", "", None),
        ("person_id", "ref", "persons"),
    ]
    roles = next(i for i in SPECS["persons"].items if i.name == "roles")
    assert isinstance(roles, Field) and (roles.widget, roles.vocab) == ("multi", "person role")
