"""The forms of every other kind (persons, organisations, cases, laws, statistics, ratings,
sources, summaries): one mechanism driven by each model (see :mod:`civicspace.web.forms`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.editing import ClaimRefused, create_record, update_record
from civicspace.model.records import Record
from civicspace.store import RecordQuery, VersionConflict
from civicspace.web.auth import CSRF_FIELD, check_csrf, current_viewer, services
from civicspace.web.forms import (
    FORM_TITLES,
    LABELS,
    SPECS,
    FormError,
    FormSpec,
    Values,
    build,
    ref_kinds,
    row_count,
    values_of,
    widgets,
)
from civicspace.web.pages.common import (
    Labels,
    default_country,
    error_page,
    first_value,
    form_values,
    record_label,
    record_of,
    redirect,
    render,
    version_of,
)

REF_LIMIT = 500
WRITERS_ONLY = "Log in as a researcher or editor to add records."


def record_form(
    request: Request,
    spec: FormSpec,
    values: Values,
    record: Record | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    stale: bool = False,
) -> HTMLResponse:
    """The form of ``spec``'s kind, new or showing ``record``, with ``errors`` by field."""
    viewer = current_viewer(request)
    store = services(request).store
    refs = {
        kind: [
            (r.id, record_label(r))
            for r in store.list(kind, viewer, RecordQuery(limit=REF_LIMIT)).items
        ]
        for kind in ref_kinds(spec)
    }
    drawn = widgets(spec, viewer, Labels(request), refs)
    keys = {w.key for w in drawn if not isinstance(w, tuple)}
    groups = tuple(f"{w[0].name}-" for w in drawn if isinstance(w, tuple))
    # Errors about fields this reader is not shown (editors' fields) are listed on top.
    elsewhere = {
        k: v
        for k, v in (errors or {}).items()
        if k and k not in keys and not f"{k}-".startswith(groups)
    }
    new, edit = FORM_TITLES[spec.kind]
    action = f"/{spec.kind}/{record.id}/edit" if record else f"/{spec.kind}/new"
    return render(
        request,
        "record_form.html",
        status=status,
        kind=spec.kind,
        heading=edit if record else new,
        record=record,
        record_label=record_label(record) if record else "",
        action=action,
        values=values,
        errors=errors or {},
        stale=stale,
        refs=refs,
        widgets=drawn,
        elsewhere=elsewhere,
        field_labels=LABELS,
        row_count=row_count,
    )


REFUSED = (FormError, AccessDenied, IntegrityError, VersionConflict, ValueError)


def _refusal(exc: Exception) -> tuple[dict[str, str], int]:
    """A refused save as the form shows it: the errors by field, and the status."""
    if isinstance(exc, FormError):
        return exc.errors, 422
    if isinstance(exc, ClaimRefused):
        return {exc.field: str(exc)}, 422
    if isinstance(exc, AccessDenied):
        return {"": str(exc)}, 403
    if isinstance(exc, IntegrityError):
        return {"": "a record this one refers to does not exist (check the ids)"}, 422
    if isinstance(exc, VersionConflict):  # a new record whose id is taken
        return {"": "a record with this id exists already"}, 422
    return {"": str(exc)}, 422


def record_new_form(request: Request, kind: str) -> Response:
    spec = SPECS.get(kind)
    if spec is None:
        return error_page(request, 404, "No such page.")
    if not current_viewer(request).can_write:
        return redirect("/login")
    country = default_country(request)
    return record_form(request, spec, {"visibility": ["restricted"], "country": [country]})


async def _posted(request: Request, kind: str) -> tuple[FormSpec, Viewer, Values] | Response:
    """The form of ``kind``, its writer and the values posted; or the page that refuses them."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    spec = SPECS.get(kind)
    if spec is None:
        return error_page(request, 404, "No such page.")
    viewer = current_viewer(request)
    if not viewer.can_write:
        return error_page(request, 403, WRITERS_ONLY)
    return spec, viewer, form_values(form)


async def record_create(request: Request, kind: str) -> Response:
    posted = await _posted(request, kind)
    if isinstance(posted, Response):
        return posted
    spec, viewer, values = posted
    try:
        saved = create_record(services(request).store, viewer, build(spec, values, viewer, None))
    except REFUSED as exc:
        return record_form(request, spec, values, None, *_refusal(exc))
    return redirect(f"/{kind}/{saved.id}")


def record_edit_form(request: Request, kind: str, record_id: str) -> Response:
    spec = SPECS.get(kind)
    if spec is None:
        return error_page(request, 404, "No such page.")
    viewer = current_viewer(request)
    if not viewer.can_write:
        return redirect("/login")
    record = record_of(request, kind, record_id, viewer)
    return record_form(request, spec, values_of(spec, record), record)


async def record_edit(request: Request, kind: str, record_id: str) -> Response:
    posted = await _posted(request, kind)
    if isinstance(posted, Response):
        return posted
    spec, viewer, values = posted
    current = record_of(request, kind, record_id, viewer)
    version = version_of(first_value(values, "version"))
    try:
        edited = build(spec, values, viewer, current)
        update_record(services(request).store, viewer, edited, version)
    except VersionConflict:
        return record_form(request, spec, values, current, {}, 409, stale=True)
    except REFUSED as exc:
        return record_form(request, spec, values, current, *_refusal(exc))
    return redirect(f"/{kind}/{record_id}")


def add_routes(router: APIRouter) -> None:
    """``/{kind}/new`` and ``/{kind}/{id}/edit``, before the pages of single records."""
    router.add_api_route(
        "/{kind}/new", record_new_form, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/{kind}/new", record_create, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/{kind}/{record_id}/edit", record_edit_form, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/{kind}/{record_id}/edit", record_edit, methods=["POST"], response_class=HTMLResponse
    )
