"""The REST API, ``/api/v1``: CRUD and lists for every kind of record, search, review.

Routes only translate HTTP into service calls (:mod:`civicspace.editing`, the Store,
:mod:`civicspace.cases`, :mod:`civicspace.store.review`); visibility is decided there,
never here.
"""

from fastapi import APIRouter

from civicspace.model.records import RECORD_TYPES
from civicspace.web.api.common import (
    ERRORS,
    MAX_LIMIT,
    ViewerDep,
    parse_version,
    record_json,
    record_query,
    with_etag,
)
from civicspace.web.api.records import add_kind_routes
from civicspace.web.api.routes import add_account_routes, add_lookup_routes


def build_router() -> APIRouter:
    """Every API route under ``/api/v1``: accounts and lookups, then each kind's records."""
    router = APIRouter(prefix="/api/v1")
    add_account_routes(router)
    add_lookup_routes(router)
    for kind, model in RECORD_TYPES.items():
        add_kind_routes(router, kind, model)
    return router


__all__ = [
    "ERRORS",
    "MAX_LIMIT",
    "ViewerDep",
    "build_router",
    "parse_version",
    "record_json",
    "record_query",
    "with_etag",
]
