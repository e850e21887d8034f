"""The victim-list linkage review queue: the pairs a linkage run was unsure of, both records
side by side, and the decisions reviewers made. ``civicspace lists review`` in a browser.

Pages under ``/lists/review`` and their JSON twins under ``/api/v1/lists``. Every decision
goes through :func:`civicspace.victims.service.decide`, exactly as the command line stores it,
so it overrides the model on the run's clusters at once and on every later run. Who may read
and who may decide is the service's rule (researchers read; editors and admins decide).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from civicspace.access.policy import Viewer
from civicspace.store.repository import NotFound
from civicspace.victims import service
from civicspace.web.api import ERRORS, MAX_LIMIT, ViewerDep
from civicspace.web.auth import CSRF_FIELD, check_csrf, current_viewer, services
from civicspace.web.errors import InputError
from civicspace.web.pages import render

PAGE_PAIRS = 50
DECISIONS_SHOWN = 100
NOT_READER = "Only researchers, editors and admins see victim lists."
NOT_DECIDER = "Only editors and admins decide whether two records are one person."
NO_RUN = "No such linkage run."
# What a reviewer needs to know of a run; its model parameters (Splink's whole model) are not.
RUN_FIELDS = ("id", "started_at", "engine", "model_version", "threshold", "lists", "created_by")


class DecisionIn(BaseModel):
    """A reviewer's word on a pair of list records (ids as ``list:row``)."""

    left: str = Field(min_length=1, max_length=200)
    right: str = Field(min_length=1, max_length=200)
    decision: Literal["same", "different"]
    note: str | None = Field(None, max_length=2000)


def _run_id(request: Request, run: int | None) -> int | None:
    """The run asked for (404 when unknown), else the latest; None before any run."""
    db = services(request).db
    if run is None:
        return service.latest_run(db)
    if service.run_details(db, run) is None:
        raise NotFound(f"no linkage run {run}")
    return run


def _decide(
    request: Request, viewer: Viewer, left: str, right: str, decision: str, note: str | None
) -> None:
    service.require_pair_decider(viewer)
    if decision not in service.DECISIONS:
        raise InputError(f"decision must be one of: {', '.join(service.DECISIONS)}", "decision")
    try:
        service.decide(
            services(request).db,
            left,
            right,
            decision,
            viewer.name or viewer.role,
            (note or "").strip() or None,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc  # a record of the pair does not exist


def _run_summary(request: Request, run_id: int | None) -> dict[str, Any] | None:
    details = service.run_details(services(request).db, run_id) if run_id else None
    return {k: details[k] for k in RUN_FIELDS} if details else None


def _pair_json(pair: service.ReviewPair | service.DecidedPair) -> dict[str, Any]:
    return dataclasses.asdict(pair)


def _page(request: Request, viewer: Viewer, run: int | None) -> Response:
    db = services(request).db
    try:
        run_id = _run_id(request, run)
    except NotFound:
        return render(request, "error.html", status=404, message=NO_RUN)
    pairs = service.review_pairs(db, run_id, limit=PAGE_PAIRS + 1) if run_id else []
    return render(
        request,
        "lists_review.html",
        run=_run_summary(request, run_id),
        runs=service.runs(db),
        lists=service.lists(db),
        pairs=pairs[:PAGE_PAIRS],
        more=len(pairs) > PAGE_PAIRS,
        decided=service.decided_pairs(db, DECISIONS_SHOWN),
        can_decide=service.can_decide_pairs(viewer),
    )


def build_lists() -> APIRouter:
    """The review page and its form, and their JSON twins."""
    router = APIRouter()
    _add_pages(router)
    _add_api(router)
    return router


def _add_pages(router: APIRouter) -> None:
    @router.get("/lists/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page(request: Request) -> Response:
        viewer = current_viewer(request)
        if viewer.role == "anonymous":
            return RedirectResponse("/login", status_code=303)
        if not service.can_read_lists(viewer):
            return render(request, "error.html", status=403, message=NOT_READER)
        run = request.query_params.get("run", "")
        if run and not run.isdigit():
            return render(request, "error.html", status=404, message=NO_RUN)
        return _page(request, viewer, int(run) if run else None)

    @router.post("/lists/review/decisions", include_in_schema=False)
    async def decide_from_page(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        viewer = current_viewer(request)
        if not service.can_decide_pairs(viewer):
            return render(request, "error.html", status=403, message=NOT_DECIDER)
        try:
            _decide(
                request,
                viewer,
                str(form.get("left", "")),
                str(form.get("right", "")),
                str(form.get("decision", "")),
                str(form.get("note", "")),
            )
        except InputError as exc:
            return render(request, "error.html", status=422, message=str(exc))
        run = str(form.get("run", ""))
        return RedirectResponse(
            f"/lists/review?run={run}" if run.isdigit() else "/lists/review", status_code=303
        )


def _add_api(router: APIRouter) -> None:
    @router.get(
        "/api/v1/lists/review",
        tags=["victim lists"],
        operation_id="list_review_queue",
        responses=ERRORS,
    )
    def review_queue(
        request: Request,
        viewer: ViewerDep,
        run: int | None = Query(
            None, ge=1, le=2**31 - 1, description="linkage run (default: the latest)"
        ),
        limit: int = Query(PAGE_PAIRS, ge=1, le=MAX_LIMIT),
    ) -> dict[str, Any]:
        """Pairs of a linkage run below its threshold with no decision yet, most probable
        first; ``run`` is null before any run."""
        service.require_list_reader(viewer)
        db = services(request).db
        run_id = _run_id(request, run)
        pairs = service.review_pairs(db, run_id, limit=limit) if run_id else []
        return {
            "run": _run_summary(request, run_id),
            "items": [_pair_json(p) for p in pairs],
            "limit": limit,
        }

    @router.get(
        "/api/v1/lists/decisions",
        tags=["victim lists"],
        operation_id="list_decisions",
        responses=ERRORS,
    )
    def decisions(
        request: Request, viewer: ViewerDep, limit: int = Query(DECISIONS_SHOWN, ge=1, le=MAX_LIMIT)
    ) -> dict[str, Any]:
        """Reviewers' decisions in force, newest first."""
        service.require_list_reader(viewer)
        decided = service.decided_pairs(services(request).db, limit)
        return {"items": [_pair_json(p) for p in decided], "limit": limit}

    @router.post(
        "/api/v1/lists/decisions",
        tags=["victim lists"],
        operation_id="decide_pair",
        status_code=201,
        responses=ERRORS,
    )
    def decide(request: Request, viewer: ViewerDep, body: DecisionIn) -> dict[str, Any]:
        """Decide that two list records are the same person or different people (editors).
        An earlier decision on the pair is kept, marked as replaced."""
        _decide(request, viewer, body.left, body.right, body.decision, body.note)
        return {
            "left": body.left,
            "right": body.right,
            "decision": body.decision,
            "decided_by": viewer.name,
        }


__all__ = ["build_lists"]
