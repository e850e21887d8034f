"""The dashboard, logging in and out, search and the political-prisoner list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from civicspace.access.accounts import LoginThrottled
from civicspace.cases import political_prisoners, upcoming_deadlines
from civicspace.model.vocabulary import vocabulary
from civicspace.store import RecordQuery
from civicspace.store.aggregates import current_rating, incidents_per_month
from civicspace.trust.audit import record_login
from civicspace.web.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    current_viewer,
    services,
    set_session_cookie,
)
from civicspace.web.charts import month_chart
from civicspace.web.pages.common import redirect, render


def dashboard(request: Request) -> Response:
    svc = services(request)
    viewer = current_viewer(request)
    months = incidents_per_month(svc.store, viewer)
    latest = svc.store.list(
        "incidents", viewer, RecordQuery(sort="date", descending=True, limit=10)
    )
    today = svc.settings.today()
    return render(
        request,
        "dashboard.html",
        chart=month_chart(months, vocabulary("freedom").keys()),
        latest=latest.items,
        deadlines=upcoming_deadlines(svc.store, viewer, today, 30),
        rating=current_rating(svc.store, viewer),
        counts=svc.store.counts(viewer),
        today=today,
    )


def login_form(request: Request) -> Response:
    return render(request, "login.html", error=None, name="")


async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    name = str(form.get("name", "")).strip()
    password = str(form.get("password", ""))
    svc = services(request)
    try:
        user = svc.accounts.authenticate(name, password, client_address(request))
    except LoginThrottled as exc:
        response = render(request, "login.html", status=429, error=str(exc), name=name)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    record_login(svc.db, name, user is not None, client_address(request))
    if user is None:
        return render(request, "login.html", status=401, error="Wrong name or password.", name=name)
    signed_in = redirect("/")
    set_session_cookie(request, signed_in, svc.tokens.start_session(user))
    return signed_in


async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    if token := request.cookies.get(SESSION_COOKIE):
        services(request).tokens.end_session(token)
    signed_out = redirect("/")
    signed_out.delete_cookie(SESSION_COOKIE, path="/")
    return signed_out


def prisoners(request: Request) -> Response:
    svc = services(request)
    rows = political_prisoners(svc.store, current_viewer(request), svc.settings.today())
    sort = request.query_params.get("sort", "name")
    if sort == "days":
        rows.sort(key=lambda r: -(r.days_in_custody or -1))
    elif sort == "status":
        rows.sort(key=lambda r: (r.status, r.name.casefold()))
    return render(request, "prisoners.html", rows=rows, sort=sort)


def search(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()[:200]
    hits = services(request).store.search(q, current_viewer(request), limit=50) if q else []
    return render(request, "search.html", q=q, hits=hits)


def add_routes(router: APIRouter) -> None:
    """The dashboard and the session's pages."""
    router.add_api_route("/", dashboard, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/login", login_form, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/login", login, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/logout", logout, methods=["POST"])


def add_lookup_routes(router: APIRouter) -> None:
    """Search and the prisoner list (single-segment paths, before the lists' ``/{kind}``)."""
    router.add_api_route("/prisoners", prisoners, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/search", search, methods=["GET"], response_class=HTMLResponse)
