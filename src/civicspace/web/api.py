"""The REST API, ``/api/v1``: CRUD and lists for every kind of record, search, review.

Routes only translate HTTP into service calls (:class:`Store`, :mod:`civicspace.cases`,
:mod:`civicspace.store.review`); visibility is decided there, never here.
"""

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from civicspace import editing
from civicspace.access.policy import ROLES, AccessDenied, Viewer
from civicspace.cases import political_prisoners, upcoming_deadlines
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import KINDS, RECORD_TYPES, Record, to_jsonable
from civicspace.model.vocabulary import vocabularies, vocabulary
from civicspace.store.aggregates import incidents_per_month, sort_fields
from civicspace.store.repository import RecordQuery
from civicspace.store.review import publish, review_queue, verify
from civicspace.store.search import SearchHit
from civicspace.web.auth import api_viewer, services
from civicspace.web.errors import InputError

ViewerDep = Annotated[Viewer, Depends(api_viewer)]
MAX_LIMIT = 500


class ErrorOut(BaseModel):
    detail: str
    field: str | None = None


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    total: int = Field(description="matching records; a lower bound when total_exact is false")
    total_exact: bool = Field(
        True, description="false when a text filter matched too many records to count them all"
    )
    newest_first: bool = Field(
        False, description="the page holds the newest matches, not the requested order"
    )
    limit: int
    offset: int


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "researcher", "editor", "admin"]
    password: str = Field(min_length=1, max_length=1000)


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422, 428)
}


def record_json(record: Record) -> dict[str, Any]:
    """A record as the API sends it (the store has already redacted it for the viewer)."""
    return {"kind": record.kind, **to_jsonable(record)}


def with_etag(
    record: Record, viewer: Viewer, status: int = 200, location: str | None = None
) -> JSONResponse:
    headers = {"ETag": f'"{record.version}"'}
    if location:
        headers["Location"] = location
    return JSONResponse(record_json(record), status_code=status, headers=headers)


def parse_version(if_match: str | None, body_version: int | None = None) -> int | None:
    """The version a client last read: ``If-Match: "3"`` (or W/"3"), else the body's."""
    if if_match:
        value = if_match.strip().removeprefix("W/").strip('"')
        if not value.isdigit():
            raise InputError('If-Match must be a version number such as "3"', "If-Match")
        return int(value)
    return body_version or None


def fuzzy(value: str | None, field: str) -> FuzzyDate | None:
    if value is None or not value.strip():
        return None
    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        raise InputError(str(exc), field) from exc


def term(value: str | None, vocab: str, field: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in vocabulary(vocab):
        raise InputError(
            f"unknown {vocab} {value!r}; allowed: {', '.join(vocabulary(vocab).keys())}", field
        )
    return value


def record_query(
    kind: str,
    country: str | None,
    date_from: str | None,
    date_to: str | None,
    freedom: str | None,
    violation: str | None,
    role: str | None,
    verification: str | None,
    visibility: str | None,
    q: str | None,
    sort: str,
    order: str,
    limit: int,
    offset: int,
) -> RecordQuery:
    """Check list parameters and name the one at fault (shared by the API and the pages)."""
    if sort not in sort_fields(kind):
        allowed = ", ".join(sort_fields(kind))
        raise InputError(f"cannot sort {kind} by {sort!r}; one of: {allowed}", "sort")
    if country and (len(country) != 2 or not country.isalpha()):
        raise InputError("country is a two-letter ISO code such as KZ", "country")
    role_vocab = "person role" if kind == "persons" else "participant role"
    return RecordQuery(
        country=country or None,
        date_from=fuzzy(date_from, "date_from"),
        date_to=fuzzy(date_to, "date_to"),
        freedom=term(freedom, "freedom", "freedom"),
        violation=term(violation, "violation type", "violation"),
        role=term(role, role_vocab, "role"),
        verification=term(verification, "verification status", "verification"),
        visibility=term(visibility, "visibility", "visibility"),
        text=(q or "").strip() or None,
        sort=sort,
        descending=order == "desc",
        limit=limit,
        offset=offset,
    )


def _kind_routes(router: APIRouter, kind: str, model: type[Record]) -> None:
    tag = kind
    name = model.__name__

    def list_records(
        request: Request,
        viewer: ViewerDep,
        country: str | None = Query(None, description="ISO 3166-1 alpha-2, e.g. KZ"),
        date_from: str | None = Query(None, description="fuzzy date: 2022, 2022-06, early 2022-09"),
        date_to: str | None = Query(None, description="fuzzy date"),
        freedom: str | None = Query(None, description="assembly, expression, association"),
        violation: str | None = Query(None, description="a violation type term"),
        role: str | None = Query(None, description="a person or participant role term"),
        verification: str | None = Query(None),
        visibility: str | None = Query(None),
        q: str | None = Query(None, max_length=200, description="full-text query, any script"),
        sort: str = Query("id", description=f"one of: {', '.join(sort_fields(kind))}"),
        order: Literal["asc", "desc"] = "asc",
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0, le=1_000_000),
    ) -> dict[str, Any]:
        query = record_query(
            kind,
            country,
            date_from,
            date_to,
            freedom,
            violation,
            role,
            verification,
            visibility,
            q,
            sort,
            order,
            limit,
            offset,
        )
        page = services(request).store.list(kind, viewer, query)
        return {
            "items": [record_json(r) for r in page.items],
            "total": page.total,
            "total_exact": page.exact,
            "newest_first": page.newest_first,
            "limit": page.limit,
            "offset": page.offset,
        }

    def get_record(request: Request, record_id: str, viewer: ViewerDep) -> JSONResponse:
        return with_etag(services(request).store.get(kind, record_id, viewer), viewer)

    def create_record(
        request: Request,
        viewer: ViewerDep,
        record: Annotated[model, Body()],  # type: ignore[valid-type]
    ) -> JSONResponse:
        viewer.require_write()
        saved = editing.create_record(services(request).store, viewer, cast(Record, record))
        return with_etag(saved, viewer, 201, f"/api/v1/{kind}/{quote(saved.id, safe='')}")

    def update_record(
        request: Request,
        record_id: str,
        viewer: ViewerDep,
        record: Annotated[model, Body()],  # type: ignore[valid-type]
        if_match: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        viewer.require_write()
        record = cast(Record, record)
        if record.id != record_id:
            raise InputError(f"the body's id {record.id!r} is not {record_id!r}", "id")
        expected = parse_version(if_match, record.version)
        if expected is None:
            raise InputError(
                "send the version you last read (If-Match header or 'version')", "version", 428
            )
        saved = editing.update_record(services(request).store, viewer, record, expected)
        return with_etag(saved, viewer)

    def delete_record(
        request: Request,
        record_id: str,
        viewer: ViewerDep,
        if_match: Annotated[str | None, Header()] = None,
        version: int | None = Query(None, ge=1),
    ) -> Response:
        viewer.require_write()
        expected = parse_version(if_match, version)
        if expected is None:
            raise InputError(
                "send the version you last read (If-Match header or ?version=)", "version", 428
            )
        services(request).store.delete(kind, record_id, viewer, expected)
        return Response(status_code=204)

    def verify_record(
        request: Request,
        record_id: str,
        viewer: ViewerDep,
        if_match: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        viewer.require_publish()
        store = services(request).store
        return with_etag(verify(store, kind, record_id, viewer, parse_version(if_match)), viewer)

    def publish_record(
        request: Request,
        record_id: str,
        viewer: ViewerDep,
        if_match: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        viewer.require_publish()
        store = services(request).store
        return with_etag(publish(store, kind, record_id, viewer, parse_version(if_match)), viewer)

    one = f"/{kind}/{{record_id}}"
    common: dict[str, Any] = {"tags": [tag], "responses": ERRORS}
    router.add_api_route(
        f"/{kind}",
        list_records,
        methods=["GET"],
        response_model=PageOut,
        summary=f"List {kind}",
        operation_id=f"list_{kind}",
        **common,
    )
    router.add_api_route(
        f"/{kind}",
        create_record,
        methods=["POST"],
        status_code=201,
        summary=f"Create a {name}",
        operation_id=f"create_{kind}",
        responses={**ERRORS, 201: {"model": model}},
        tags=[tag],
    )
    router.add_api_route(
        one,
        get_record,
        methods=["GET"],
        summary=f"Read a {name}",
        operation_id=f"get_{kind}",
        responses={**ERRORS, 200: {"model": model}},
        tags=[tag],
    )
    router.add_api_route(
        one,
        update_record,
        methods=["PUT"],
        summary=f"Replace a {name} (optimistic concurrency)",
        operation_id=f"update_{kind}",
        responses={**ERRORS, 200: {"model": model}},
        tags=[tag],
    )
    router.add_api_route(
        one,
        delete_record,
        methods=["DELETE"],
        status_code=204,
        summary=f"Delete a {name}",
        operation_id=f"delete_{kind}",
        **common,
    )
    router.add_api_route(
        f"{one}/verify",
        verify_record,
        methods=["POST"],
        summary=f"Verify a {name} (editors)",
        operation_id=f"verify_{kind}",
        responses={**ERRORS, 200: {"model": model}},
        tags=[tag],
    )
    router.add_api_route(
        f"{one}/publish",
        publish_record,
        methods=["POST"],
        summary=f"Verify and make public a {name} (editors)",
        operation_id=f"publish_{kind}",
        responses={**ERRORS, 200: {"model": model}},
        tags=[tag],
    )


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.get("/me", tags=["accounts"], operation_id="me")
    def me(viewer: ViewerDep) -> dict[str, Any]:
        return {"name": viewer.name, "role": viewer.role}

    @router.get("/users", tags=["accounts"], operation_id="list_users", responses=ERRORS)
    def list_users(request: Request, viewer: ViewerDep) -> list[dict[str, Any]]:
        _require_admin(viewer)
        return [{"name": u.name, "role": u.role} for u in services(request).accounts.users()]

    @router.post(
        "/users", tags=["accounts"], status_code=201, operation_id="add_user", responses=ERRORS
    )
    def add_user(request: Request, viewer: ViewerDep, user: UserIn) -> dict[str, Any]:
        _require_admin(viewer)
        created = services(request).accounts.add_user(user.name, user.role, user.password)
        return {"name": created.name, "role": created.role}

    @router.get("/search", tags=["search"], operation_id="search", responses=ERRORS)
    def search(
        request: Request,
        viewer: ViewerDep,
        q: str = Query(min_length=1, max_length=200, description="words in any script"),
        kind: list[Literal[KINDS]] | None = Query(None),  # type: ignore[valid-type]
        limit: int = Query(20, ge=1, le=100),
        offset: int = Query(0, ge=0, le=10_000),
    ) -> dict[str, Any]:
        hits: list[SearchHit] = services(request).store.search(q, viewer, kind, limit, offset)
        return {"items": [dataclasses.asdict(h) for h in hits], "limit": limit, "offset": offset}

    @router.get("/review", tags=["review"], operation_id="review_queue", responses=ERRORS)
    def review(
        request: Request, viewer: ViewerDep, limit: int = Query(50, ge=1, le=MAX_LIMIT)
    ) -> dict[str, list[dict[str, Any]]]:
        viewer.require_write()
        queue = review_queue(services(request).store, viewer, limit)
        return {kind: [record_json(r) for r in items] for kind, items in queue.items()}

    @router.get("/deadlines", tags=["cases"], operation_id="custody_deadlines")
    def deadlines(
        request: Request,
        viewer: ViewerDep,
        on: dt.date | None = Query(None, description="count from this day (default today)"),
        within_days: int = Query(30, ge=0, le=3650),
    ) -> list[dict[str, Any]]:
        svc = services(request)
        today = on or svc.settings.today()
        rows = upcoming_deadlines(svc.store, viewer, today, within_days)
        return [dataclasses.asdict(r) for r in rows]

    @router.get("/political-prisoners", tags=["cases"], operation_id="political_prisoners")
    def prisoners(
        request: Request, viewer: ViewerDep, on: dt.date | None = Query(None)
    ) -> list[dict[str, Any]]:
        svc = services(request)
        rows = political_prisoners(svc.store, viewer, on or svc.settings.today())
        return [dataclasses.asdict(r) for r in rows]

    @router.get("/stats/incidents-per-month", tags=["stats"], operation_id="incidents_per_month")
    def per_month(
        request: Request,
        viewer: ViewerDep,
        date_from: str | None = None,
        date_to: str | None = None,
        country: str | None = Query(None, min_length=2, max_length=2),
    ) -> list[dict[str, Any]]:
        rows = incidents_per_month(
            services(request).store,
            viewer,
            fuzzy(date_from, "date_from"),
            fuzzy(date_to, "date_to"),
            country,
        )
        return [{"month": r.month, "by_freedom": r.by_freedom, "total": r.total} for r in rows]

    @router.get("/counts", tags=["stats"], operation_id="counts")
    def counts(request: Request, viewer: ViewerDep) -> dict[str, int]:
        return services(request).store.counts(viewer)

    @router.get("/vocabularies", tags=["vocabularies"], operation_id="vocabularies")
    def vocabs() -> dict[str, list[dict[str, Any]]]:
        return {
            name: [t.model_dump() for t in v.terms.values()] for name, v in vocabularies().items()
        }

    for kind, model in RECORD_TYPES.items():
        _kind_routes(router, kind, model)
    return router


def _require_admin(viewer: Viewer) -> None:
    if viewer.role != "admin":
        if viewer.role == "anonymous":
            raise AccessDenied("log in first")
        raise AccessDenied(f"role {viewer.role!r} cannot manage users; one of {ROLES[-1]!r}")
