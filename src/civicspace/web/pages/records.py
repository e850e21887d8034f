"""Pages of single records (people, organisations, legal cases, and every field of the
other kinds) and the lists of the kinds without a page of their own."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from civicspace.cases.custody import custody_state
from civicspace.model.kinds import spec_of
from civicspace.model.records import LegalCase, Person, to_jsonable
from civicspace.store import RecordQuery
from civicspace.store.relations import cases_of, incidents_of, members_of
from civicspace.web.auth import current_viewer, services
from civicspace.web.form_specs import FORM_KINDS, LABELS
from civicspace.web.pages.common import by_id, error_page, record_label, record_of, render

# The kinds listed at ``/{kind}``, titled by their declared label ("Legal cases").
LIST_KINDS = {kind: spec_of(kind).label for kind in FORM_KINDS}
# Kinds shown by the page of every field (the others have pages of their own).
FIELD_PAGE_KINDS = ("laws", "statistics", "ratings", "sources", "summaries")


def person_page(request: Request, record_id: str) -> Response:
    svc = services(request)
    viewer = current_viewer(request)
    person = record_of(request, "persons", record_id, viewer, "No such person.")
    assert isinstance(person, Person)
    mine = incidents_of(svc.store, viewer, person_id=person.id)
    cases = cases_of(svc.store, viewer, person.id)
    org_ids = [a.organisation_id for a in person.affiliations]
    orgs = by_id(svc.store.get_many("organisations", org_ids, viewer))
    return render(request, "person.html", record=person, incidents=mine, cases=cases, orgs=orgs)


def organisation_page(request: Request, record_id: str) -> Response:
    svc = services(request)
    viewer = current_viewer(request)
    org = record_of(request, "organisations", record_id, viewer, "No such organisation.")
    members = members_of(svc.store, viewer, org.id)
    incidents = incidents_of(svc.store, viewer, organisation_id=org.id)
    return render(request, "organisation.html", record=org, members=members, incidents=incidents)


def case_page(request: Request, record_id: str) -> Response:
    svc = services(request)
    viewer = current_viewer(request)
    case = record_of(request, "cases", record_id, viewer, "No such case.")
    assert isinstance(case, LegalCase)
    today = svc.settings.today()
    people = by_id(svc.store.get_many("persons", case.defendants, viewer))
    custody = {pid: custody_state(case, pid, today) for pid in case.defendants}
    deadlines = {pid: st.deadline_after(today) for pid, st in custody.items()}
    timeline = sorted(case.events, key=lambda e: (e.date.earliest, e.date.latest))
    return render(
        request,
        "case.html",
        record=case,
        people=people,
        custody=custody,
        deadlines=deadlines,
        timeline=timeline,
        today=today,
    )


def record_list(request: Request, kind: str) -> Response:
    if kind not in LIST_KINDS:
        return error_page(request, 404, "No such page.")
    svc = services(request)
    viewer = current_viewer(request)
    q = request.query_params.get("q", "").strip()[:200] or None
    sort = "date" if kind in ("ratings",) else "id"
    page = svc.store.list(
        kind, viewer, RecordQuery(text=q, sort=sort, descending=kind == "ratings", limit=500)
    )
    return render(
        request,
        "list.html",
        kind=kind,
        title=LIST_KINDS[kind],
        items=page.items,
        total=page.total,
        q=q or "",
    )


def record_page(request: Request, kind: str, record_id: str) -> Response:
    """Laws, statistics, ratings and sources: the fields the kind declares, section by
    section and labelled as on its form; its title is the heading."""
    if kind not in FIELD_PAGE_KINDS:
        return error_page(request, 404, "No such page.")
    record = record_of(request, kind, record_id, current_viewer(request))
    data = to_jsonable(record)
    fields = [
        (LABELS.get(name, name), data[name])
        for section in spec_of(kind).sections.values()
        for name in section
        if name != "title" and data.get(name) not in (None, "", [], {})
    ]
    return render(
        request, "record.html", record=record, fields=fields, heading=record_label(record)
    )


def add_routes(router: APIRouter) -> None:
    """The pages of people, organisations and cases."""
    for path, page in (
        ("/persons/{record_id}", person_page),
        ("/organisations/{record_id}", organisation_page),
        ("/cases/{record_id}", case_page),
    ):
        router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse)


def add_catch_all_routes(router: APIRouter) -> None:
    """``/{kind}`` and ``/{kind}/{record_id}``: registered last, as they match any path."""
    router.add_api_route("/{kind}", record_list, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/{kind}/{record_id}", record_page, methods=["GET"], response_class=HTMLResponse
    )
