"""Incidents: the filtered list, an incident's page, and its own form to add and edit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.editing import create_record, update_record
from civicspace.model.records import Incident
from civicspace.store import VersionConflict
from civicspace.web.api import record_query
from civicspace.web.auth import CSRF_FIELD, check_csrf, current_viewer, services
from civicspace.web.errors import InputError
from civicspace.web.incident_form import (
    edited_incident,
    incident_form_values,
    incident_from_form,
    incident_values,
)
from civicspace.web.pages.common import (
    STALE_FORM,
    by_id,
    error_page,
    record_of,
    redirect,
    render,
    sources_offered,
    version_of,
)

REFUSED = (ValidationError, ValueError, AccessDenied)
WRITERS_ONLY = "Log in as a researcher or editor to add incidents."


def incidents(request: Request) -> Response:
    svc = services(request)
    p = request.query_params
    page_no = max(int(p.get("page", "1")) if p.get("page", "1").isdigit() else 1, 1)
    size = svc.settings.page_size
    try:
        query = record_query(
            "incidents",
            p.get("country"),
            p.get("date_from"),
            p.get("date_to"),
            p.get("freedom"),
            p.get("violation"),
            p.get("role"),
            p.get("verification"),
            p.get("visibility"),
            p.get("q"),
            p.get("sort", "date") or "date",
            p.get("order", "desc"),
            size,
            (page_no - 1) * size,
        )
    except InputError as exc:
        return render(
            request,
            "incidents.html",
            status=422,
            error=str(exc),
            field=exc.field,
            page=None,
            page_no=1,
            pages=1,
        )
    page = svc.store.summaries("incidents", current_viewer(request), query)
    pages = max((page.total + size - 1) // size, 1)
    template = "incident_rows.html" if request.headers.get("hx-request") else "incidents.html"
    return render(
        request, template, page=page, page_no=page_no, pages=pages, error=None, field=None
    )


def cited(request: Request, incident: Incident, viewer: Viewer) -> dict[str, Any]:
    """The people, organisations and sources an incident cites, by id."""
    store = services(request).store
    person_ids = [p.person_id for p in incident.participants if p.person_id]
    org_ids = [p.organisation_id for p in incident.participants if p.organisation_id]
    return {
        "people": by_id(store.get_many("persons", person_ids, viewer)),
        "orgs": by_id(store.get_many("organisations", org_ids, viewer)),
        "cited": by_id(store.get_many("sources", [c.source_id for c in incident.sources], viewer)),
    }


def incident_page(request: Request, record_id: str) -> Response:
    viewer = current_viewer(request)
    incident = record_of(request, "incidents", record_id, viewer, "No such incident.")
    assert isinstance(incident, Incident)
    found = cited(request, incident, viewer)
    return render(
        request,
        "incident.html",
        record=incident,
        people=found["people"],
        orgs=found["orgs"],
        sources=found["cited"],
    )


def _form(
    request: Request,
    viewer: Viewer,
    form: dict[str, Any],
    record: Incident | None = None,
    status: int = 200,
    error: str | None = None,
) -> Response:
    """The incident form, empty, showing a stored incident, or again as typed."""
    extra = {"record": record, **cited(request, record, viewer)} if record else {}
    return render(
        request,
        "incident_form.html",
        status=status,
        form=form,
        error=error,
        sources=sources_offered(request, viewer),
        **extra,
    )


def incident_form(request: Request) -> Response:
    viewer = current_viewer(request)
    if not viewer.can_write:
        return redirect("/login")
    return _form(request, viewer, {})


async def incident_create(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    if not viewer.can_write:
        return error_page(request, 403, WRITERS_ONLY)
    values = incident_values(form)
    try:
        people, incident = incident_from_form(values)
        saved = create_record(services(request).store, viewer, incident, new_records=people)
    except (*REFUSED, VersionConflict) as exc:
        return _form(request, viewer, values, status=422, error=_message(exc))
    return redirect(f"/incidents/{saved.id}")


def incident_edit_form(request: Request, record_id: str) -> Response:
    viewer = current_viewer(request)
    if not viewer.can_write:
        return redirect("/login")
    incident = record_of(request, "incidents", record_id, viewer, "No such incident.")
    assert isinstance(incident, Incident)
    return _form(request, viewer, incident_form_values(incident), incident)


async def incident_edit(request: Request, record_id: str) -> Response:
    """Change the incident's own fields and add participants or a source; the people
    and sources already cited stay (including those the editor cannot see)."""
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    if not viewer.can_write:
        return error_page(request, 403, WRITERS_ONLY)
    current = record_of(request, "incidents", record_id, viewer, "No such incident.")
    assert isinstance(current, Incident)
    values = {**incident_values(form), "id": record_id}
    version = version_of(str(form.get("version", "")))
    try:
        people, edited = edited_incident(current, values, form, viewer)
        update_record(services(request).store, viewer, edited, version, new_records=people)
    except VersionConflict:
        return _form(request, viewer, values, current, 409, STALE_FORM)
    except REFUSED as exc:
        return _form(request, viewer, values, current, 422, _message(exc))
    return redirect(f"/incidents/{record_id}")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)


def add_routes(router: APIRouter) -> None:
    """The incidents' pages; ``/incidents/new`` before ``/incidents/{record_id}``."""
    for path, page, method in (
        ("/incidents", incidents, "GET"),
        ("/incidents/new", incident_form, "GET"),
        ("/incidents/new", incident_create, "POST"),
        ("/incidents/{record_id}/edit", incident_edit_form, "GET"),
        ("/incidents/{record_id}/edit", incident_edit, "POST"),
        ("/incidents/{record_id}", incident_page, "GET"),
    ):
        router.add_api_route(path, page, methods=[method], response_class=HTMLResponse)
