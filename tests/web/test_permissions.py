"""Every API endpoint under every role: the status each role gets, asserted as one matrix."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicspace.model.records import KINDS
from civicspace.victims import service
from tests.web.conftest import ROLES, Web

A, V, R, E, AD = ROLES
EVERYONE = dict.fromkeys(ROLES, 200)
WRITERS = {A: 401, V: 403, R: 200, E: 200, AD: 200}
EDITORS = {A: 401, V: 403, R: 403, E: 200, AD: 200}
ADMINS = {A: 401, V: 403, R: 403, E: 403, AD: 200}
RESTRICTED = {A: 404, V: 200, R: 200, E: 200, AD: 200}
CONFIDENTIAL = {A: 404, V: 404, R: 404, E: 200, AD: 200}


@dataclass
class Call:
    method: str
    path: Callable[[str], str]  # role -> path (so each role acts on its own record)
    expected: dict[str, int]
    body: Callable[[Web, str], Any] | None = None
    headers: Callable[[Web, str], dict[str, str]] | None = None


def incident(role: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"inc-{role}-{extra.pop('suffix', 'x')}",
        "title": f"Protest dispersed ({role})",
        "date": "2022-07-04",
        "country": "KZ",
        "freedoms": ["assembly"],
        "visibility": "public",
        **extra,
    }


def current(web: Web, kind: str, record_id: str) -> dict[str, Any]:
    found: dict[str, Any] = web.http.get(f"/api/v1/{kind}/{record_id}", headers=web.as_(E)).json()
    return found


def law_update(web: Web, role: str) -> dict[str, Any]:
    law = current(web, "laws", "law-elections")
    law.pop("kind")
    law.update(verification="unverified", assessment=f"reviewed by {role}")
    return law


def version_of(web: Web, kind: str, record_id: str) -> dict[str, str]:
    response = web.http.get(f"/api/v1/{kind}/{record_id}", headers=web.as_(E))
    return {"If-Match": response.headers.get("etag", '"1"')}


def seed_own_incident(web: Web, role: str) -> dict[str, str]:
    """An incident of this role's own, for it to delete."""
    web.http.post("/api/v1/incidents", json=incident(role, suffix="del"), headers=web.as_(E))
    return version_of(web, "incidents", f"inc-{role}-del")


def seed_unverified(web: Web, role: str) -> dict[str, str]:
    web.http.post("/api/v1/incidents", json=incident(role, suffix="rev"), headers=web.as_(E))
    return version_of(web, "incidents", f"inc-{role}-rev")


MINIMAL: dict[str, dict[str, Any]] = {
    "incidents": {"title": "Rally", "date": "2022-07", "country": "KZ", "freedoms": ["assembly"]},
    "persons": {"name": {"text": "Test Person"}},
    "organisations": {"name": {"text": "Test NGO"}, "org_kind": "ngo"},
    "cases": {"title": "Case", "country": "KZ", "defendants": ["person-mamai"]},
    "laws": {"title": "Draft law", "country": "KZ"},
    "statistics": {
        "country": "KZ",
        "value": 5,
        "unit": "people",
        "counts": "detained",
        "as_of": "2022-07",
    },
    "ratings": {"country": "KZ", "date": "2022-07", "band": "repressed"},
    "sources": {"title": "A report"},
    "summaries": {
        "country": "KZ",
        "period_start": "2022-06",
        "period_end": "2022-08",
        "section": "introduction",
        "summary": "Editors' text.",
    },
}


def minimal(kind: str, record_id: str) -> dict[str, Any]:
    return {"id": record_id, "visibility": "public", **MINIMAL[kind]}


def seeded(kind: str, name: str) -> Callable[[Web, str], dict[str, str]]:
    """Headers step: an editor creates this role's own record first; If-Match its version."""

    def seed(web: Web, role: str) -> dict[str, str]:
        record_id = f"{kind}-{role}-{name}"
        web.http.post(f"/api/v1/{kind}", json=minimal(kind, record_id), headers=web.as_(E))
        return version_of(web, kind, record_id)

    return seed


def updated(kind: str) -> Callable[[Web, str], dict[str, Any]]:
    def body(web: Web, role: str) -> dict[str, Any]:
        record_id = f"{kind}-{role}-upd"
        web.http.post(f"/api/v1/{kind}", json=minimal(kind, record_id), headers=web.as_(E))
        record = current(web, kind, record_id)
        record.pop("kind")
        record["notes"] = f"changed by {role}"
        return record

    return body


def per_kind_calls(kind: str) -> list[Call]:
    return [
        Call(
            "POST",
            lambda r: f"/api/v1/{kind}",
            {**WRITERS, R: 201, E: 201, AD: 201},
            body=lambda w, r: minimal(kind, f"{kind}-{r}-new"),
        ),
        Call("PUT", lambda r: f"/api/v1/{kind}/{kind}-{r}-upd", WRITERS, body=updated(kind)),
        Call(
            "DELETE",
            lambda r: f"/api/v1/{kind}/{kind}-{r}-del",
            {**WRITERS, R: 204, E: 204, AD: 204},
            headers=seeded(kind, "del"),
        ),
        Call(
            "POST",
            lambda r: f"/api/v1/{kind}/{kind}-{r}-ver/verify",
            EDITORS,
            headers=seeded(kind, "ver"),
        ),
        Call(
            "POST",
            lambda r: f"/api/v1/{kind}/{kind}-{r}-pub/publish",
            EDITORS,
            headers=seeded(kind, "pub"),
        ),
    ]


def list_pair(web: Web, role: str) -> dict[str, Any]:
    """A decision on two victim-list records (two one-record lists, imported once)."""
    if not service.lists(web.db):
        with tempfile.TemporaryDirectory() as folder:
            for kind in ("ngo", "media"):
                path = Path(folder) / f"{kind}.csv"
                path.write_text("name,age\nМамай Жанболат,40\n", encoding="utf-8")
                service.import_list(web.db, path, service.ListMetadata(kind, kind, kind))
    return {"left": "ngo:2", "right": "media:2", "decision": "same"}


CALLS: list[Call] = [
    *[call for kind in KINDS for call in per_kind_calls(kind)],
    *[Call("GET", lambda r, k=k: f"/api/v1/{k}", EVERYONE) for k in KINDS],
    Call("GET", lambda r: "/api/v1/incidents/inc-extension", EVERYONE),
    Call("GET", lambda r: "/api/v1/persons/person-mamai", EVERYONE),
    Call("GET", lambda r: "/api/v1/cases/case-mamai", EVERYONE),
    Call("GET", lambda r: "/api/v1/laws/law-elections", EVERYONE),
    Call("GET", lambda r: "/api/v1/statistics/stat-toll", EVERYONE),
    Call("GET", lambda r: "/api/v1/ratings/rating-2022", EVERYONE),
    Call("GET", lambda r: "/api/v1/sources/src-update", EVERYONE),
    Call("GET", lambda r: "/api/v1/summaries/summary-2022", EVERYONE),
    # history: staff only; a viewer reads the history of what they may read
    Call("GET", lambda r: "/api/v1/persons/person-mamai/history", {**EVERYONE, A: 401}),
    Call("GET", lambda r: "/api/v1/organisations/org-dp", EVERYONE),
    Call("GET", lambda r: "/api/v1/incidents/inc-draft", RESTRICTED),
    Call("GET", lambda r: "/api/v1/persons/person-witness", CONFIDENTIAL),
    Call("GET", lambda r: "/api/v1/sources/src-secret", CONFIDENTIAL),
    Call("GET", lambda r: "/api/v1/search?q=mamai", EVERYONE),
    Call("GET", lambda r: "/api/v1/me", EVERYONE),
    Call("GET", lambda r: "/api/v1/counts", EVERYONE),
    Call("GET", lambda r: "/api/v1/vocabularies", EVERYONE),
    Call("GET", lambda r: "/api/v1/deadlines?on=2022-09-01", EVERYONE),
    Call("GET", lambda r: "/api/v1/political-prisoners?on=2022-09-01", EVERYONE),
    Call("GET", lambda r: "/api/v1/stats/incidents-per-month", EVERYONE),
    Call("GET", lambda r: "/api/v1/review", {**WRITERS}),
    Call("GET", lambda r: "/api/v1/users", ADMINS),
    # victim lists: researchers read, editors and admins decide; viewers never read them
    Call("GET", lambda r: "/api/v1/lists/review", WRITERS),
    Call("GET", lambda r: "/api/v1/lists/decisions", WRITERS),
    Call("POST", lambda r: "/api/v1/lists/decisions", {**EDITORS, E: 201, AD: 201}, body=list_pair),
    Call(
        "POST",
        lambda r: "/api/v1/users",
        {**ADMINS, AD: 201},
        body=lambda w, r: {"name": f"new-{r}", "role": "viewer", "password": "a long passphrase"},
    ),
    Call(
        "POST",
        lambda r: "/api/v1/incidents",
        {**WRITERS, R: 201, E: 201, AD: 201},
        body=lambda w, r: incident(r),
    ),
    Call(
        "POST",
        lambda r: "/api/v1/incidents",
        {**EDITORS, E: 201, AD: 201},
        body=lambda w, r: incident(r, suffix="conf", visibility="confidential"),
    ),
    Call(
        "POST",
        lambda r: "/api/v1/incidents",
        {**EDITORS, E: 201, AD: 201},
        body=lambda w, r: incident(r, suffix="ver", verification="verified"),
    ),
    Call("PUT", lambda r: "/api/v1/laws/law-elections", WRITERS, body=law_update),
    Call(
        "DELETE",
        lambda r: f"/api/v1/incidents/inc-{r}-del",
        {**WRITERS, R: 204, E: 204, AD: 204},
        headers=seed_own_incident,
    ),
    Call(
        "DELETE",
        lambda r: "/api/v1/persons/person-witness?version=1",
        {A: 401, V: 403, R: 404, E: 409, AD: 409},
    ),
    Call(
        "POST", lambda r: f"/api/v1/incidents/inc-{r}-rev/verify", EDITORS, headers=seed_unverified
    ),
    Call("POST", lambda r: "/api/v1/incidents/inc-draft/publish", {**EDITORS}),
    Call("POST", lambda r: "/api/v1/persons/person-witness/verify", {**EDITORS, R: 403}),
]


def test_every_endpoint_under_every_role(web: Web) -> None:
    wrong = []
    for call in CALLS:
        for role in ROLES:
            headers = dict(web.as_(role))
            if call.headers:
                headers.update(call.headers(web, role))
            body = call.body(web, role) if call.body else None
            path = call.path(role)
            response = web.http.request(call.method, path, json=body, headers=headers)
            if response.status_code != call.expected[role]:
                wrong.append(
                    f"{call.method} {path} as {role}: {response.status_code} "
                    f"(expected {call.expected[role]}) {response.text[:120]}"
                )
    assert not wrong, "\n".join(wrong)


def test_every_api_route_is_in_the_matrix(web: Web) -> None:
    """A new endpoint must be added to CALLS with its expected statuses."""
    spec = web.http.get("/api/v1/openapi.json").json()
    covered = set()
    for call in CALLS:
        path = call.path("researcher").split("?")[0]
        covered.add((call.method, path))
    for path, methods in spec["paths"].items():
        for method in methods:
            concrete = path.replace("{record_id}", "x")
            assert any(m == method.upper() and _matches(path, p) for m, p in covered), (
                f"{method.upper()} {concrete} has no row in the permission matrix"
            )


def _matches(template: str, path: str) -> bool:
    a, b = template.strip("/").split("/"), path.strip("/").split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))
