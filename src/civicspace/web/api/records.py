"""Create, read, replace, delete, verify and publish every kind of record: the same seven
routes for each kind, its model as the request and response body.

Writes go through :mod:`civicspace.editing` (one transaction each); reads through the
Store, which decides what the viewer may see.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from civicspace import editing
from civicspace.model.records import Record
from civicspace.store.aggregates import sort_fields
from civicspace.store.review import publish, verify
from civicspace.web.api.common import (
    ERRORS,
    MAX_LIMIT,
    PageOut,
    ViewerDep,
    parse_version,
    record_json,
    record_query,
    with_etag,
)
from civicspace.web.auth import services
from civicspace.web.errors import InputError


def add_kind_routes(router: APIRouter, kind: str, model: type[Record]) -> None:
    """The seven routes of ``kind``, in the order the OpenAPI document lists them."""
    _collection_routes(router, kind, model)
    _record_routes(router, kind, model)
    _review_routes(router, kind, model)


def _collection_routes(router: APIRouter, kind: str, model: type[Record]) -> None:
    """``GET /{kind}`` (a filtered page) and ``POST /{kind}`` (create)."""
    name = model.__name__
    common: dict[str, Any] = {"tags": [kind], "responses": ERRORS}

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

    def create_record(
        request: Request,
        viewer: ViewerDep,
        record: Annotated[model, Body()],  # type: ignore[valid-type]
    ) -> JSONResponse:
        viewer.require_write()
        saved = editing.create_record(services(request).store, viewer, cast(Record, record))
        return with_etag(saved, 201, f"/api/v1/{kind}/{quote(saved.id, safe='')}")

    router.add_api_route(
        f"/{kind}",
        list_records,
        methods=["GET"],
        response_model=PageOut,
        summary=f"List {kind}",
        operation_id=f"list_{kind}",
        **common,
    )
    _record_route(
        router, kind, model, f"/{kind}", create_record, "POST", "create", f"Create a {name}", 201
    )


def _record_routes(router: APIRouter, kind: str, model: type[Record]) -> None:
    """``GET``, ``PUT`` and ``DELETE /{kind}/{record_id}``."""
    name = model.__name__
    one = f"/{kind}/{{record_id}}"
    common: dict[str, Any] = {"tags": [kind], "responses": ERRORS}

    def get_record(request: Request, record_id: str, viewer: ViewerDep) -> JSONResponse:
        return with_etag(services(request).store.get(kind, record_id, viewer))

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
        return with_etag(saved)

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

    _record_route(router, kind, model, one, get_record, "GET", "get", f"Read a {name}")
    replace = f"Replace a {name} (optimistic concurrency)"
    _record_route(router, kind, model, one, update_record, "PUT", "update", replace)
    router.add_api_route(
        one,
        delete_record,
        methods=["DELETE"],
        status_code=204,
        summary=f"Delete a {name}",
        operation_id=f"delete_{kind}",
        **common,
    )


def _review_routes(router: APIRouter, kind: str, model: type[Record]) -> None:
    """``POST /{kind}/{record_id}/verify`` and ``.../publish`` (editors)."""
    name = model.__name__
    one = f"/{kind}/{{record_id}}"

    def review(act: Callable[..., Record]) -> Callable[..., JSONResponse]:
        """The endpoint that applies ``act`` (:func:`verify` or :func:`publish`) to a record."""

        def review_record(
            request: Request,
            record_id: str,
            viewer: ViewerDep,
            if_match: Annotated[str | None, Header()] = None,
        ) -> JSONResponse:
            viewer.require_publish()
            store = services(request).store
            return with_etag(act(store, kind, record_id, viewer, parse_version(if_match)))

        return review_record

    for verb, act, summary in (
        ("verify", verify, f"Verify a {name} (editors)"),
        ("publish", publish, f"Verify and make public a {name} (editors)"),
    ):
        _record_route(router, kind, model, f"{one}/{verb}", review(act), "POST", verb, summary)


def _record_route(
    router: APIRouter,
    kind: str,
    model: type[Record],
    path: str,
    endpoint: Callable[..., Any],
    method: str,
    verb: str,
    summary: str,
    status: int = 200,
) -> None:
    """A route of ``kind`` that answers with one record: ``model`` is its documented body."""
    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        status_code=status,
        summary=summary,
        operation_id=f"{verb}_{kind}",
        responses={**ERRORS, status: {"model": model}},
        tags=[kind],
    )
