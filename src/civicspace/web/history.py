"""``GET /api/v1/{kind}/{id}/history``: a record's revisions with their diffs, as the reader may see them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from civicspace.model.records import KINDS
from civicspace.store.repository import NotFound
from civicspace.trust.history import history
from civicspace.web.api import ViewerDep
from civicspace.web.auth import services


def build_history_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["history"])

    @router.get(
        "/{kind}/{record_id}/history", summary="A record's revisions (who, when, why, what changed)"
    )
    def record_history(
        request: Request, kind: str, record_id: str, viewer: ViewerDep
    ) -> dict[str, Any]:
        if kind not in KINDS:
            raise NotFound(f"no kind {kind!r}")
        revisions = history(services(request).store, kind, record_id, viewer)
        return {"items": [r.as_json() for r in revisions]}

    return router
