"""The review queue: editors verify and publish what researchers entered."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from civicspace.store import NotFound, VersionConflict
from civicspace.store.review import publish, review_queue, verify
from civicspace.web.auth import CSRF_FIELD, check_csrf, current_viewer, services
from civicspace.web.pages.common import error_page, redirect, render
from civicspace.web.pages.records import LIST_KINDS


def review(request: Request) -> Response:
    viewer = current_viewer(request)
    if not viewer.can_write:
        return redirect("/login")
    return render(request, "review.html", queue=review_queue(services(request).store, viewer))


async def review_action(request: Request, kind: str, record_id: str, action: str) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    if kind not in LIST_KINDS and kind != "incidents" or action not in ("verify", "publish"):
        return error_page(request, 404, "No such action.")
    if not viewer.can_publish:
        return error_page(request, 403, "Only editors verify and publish.")
    version = str(form.get("version", ""))
    expected = int(version) if version.isdigit() else None
    step = verify if action == "verify" else publish
    try:
        step(services(request).store, kind, record_id, viewer, expected)
    except NotFound:
        return error_page(request, 404, "No such record.")
    except VersionConflict:
        return error_page(request, 409, "Someone changed this record; reload the queue.")
    return redirect("/review")


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/review", review, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/review/{kind}/{record_id}/{action}", review_action, methods=["POST"])
