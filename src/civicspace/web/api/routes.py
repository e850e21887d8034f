"""The API's routes beside the records': accounts, search, the review queue, custody
deadlines, the political-prisoner list, statistics and vocabularies."""

import dataclasses
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from civicspace.access.policy import ROLES, AccessDenied, Viewer
from civicspace.cases import political_prisoners, upcoming_deadlines
from civicspace.model.records import KINDS
from civicspace.model.vocabulary import vocabularies
from civicspace.store.aggregates import incidents_per_month
from civicspace.store.review import review_queue
from civicspace.store.search import SearchHit
from civicspace.web.api.common import ERRORS, MAX_LIMIT, ViewerDep, fuzzy, record_json
from civicspace.web.auth import services


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "researcher", "editor", "admin"]
    password: str = Field(min_length=1, max_length=1000)


def add_account_routes(router: APIRouter) -> None:
    """Who the caller is; the accounts (admins)."""

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


def add_lookup_routes(router: APIRouter) -> None:
    """Search, the review queue, deadlines, prisoners, statistics and vocabularies."""

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


def _require_admin(viewer: Viewer) -> None:
    if viewer.role != "admin":
        if viewer.role == "anonymous":
            raise AccessDenied("log in first")
        raise AccessDenied(f"role {viewer.role!r} cannot manage users; one of {ROLES[-1]!r}")
