"""The admins' users page: every account, adding one, changing a role, disabling and
enabling, and revoking API tokens. Routes only call :class:`UserAdmin`; every form
carries the CSRF token; anyone but an admin gets 403 (anonymous visitors: the login)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicspace.access.accounts import AccountError
from civicspace.access.admin import UserAdmin
from civicspace.access.policy import ROLES, AccessDenied
from civicspace.web.auth import CSRF_FIELD, check_csrf, current_viewer, services
from civicspace.web.pages import render

ASSIGNABLE = ROLES[1:]
NOT_ADMIN = "Only admins manage users."


def _admin(request: Request) -> UserAdmin:
    svc = services(request)
    return UserAdmin(svc.accounts, svc.tokens)


def _page(
    request: Request,
    status: int = 200,
    error: str | None = None,
    name: str = "",
    role: str = "researcher",
) -> Response:
    viewer = current_viewer(request)
    if viewer.role == "anonymous":
        return RedirectResponse("/login", status_code=303)
    if viewer.role != "admin":
        return render(request, "error.html", status=403, message=NOT_ADMIN)
    admin = _admin(request)
    return render(
        request,
        "users.html",
        status=status,
        users=admin.users(viewer),
        tokens=admin.api_tokens(viewer),
        roles=ASSIGNABLE,
        error=error,
        name=name,
        role=role,
    )


def build_admin() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request) -> Response:
        return _page(request)

    @router.post("/admin/users", response_class=HTMLResponse)
    async def add_user(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        name, role = str(form.get("name", "")).strip(), str(form.get("role", ""))
        try:
            _admin(request).add(current_viewer(request), name, role, str(form.get("password", "")))
        except AccessDenied:
            return render(request, "error.html", status=403, message=NOT_ADMIN)
        except AccountError as exc:
            return _page(request, 422, str(exc), name, role)
        return RedirectResponse("/admin/users", status_code=303)

    @router.post("/admin/users/{action}", response_class=HTMLResponse)
    async def change_user(request: Request, action: str) -> Response:
        """``role``, ``disable`` or ``enable`` the user named in the form (names may hold
        any character but spaces, so they travel in the body, not the path)."""
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        name = str(form.get("name", ""))
        if action not in ("role", "disable", "enable"):
            return render(request, "error.html", status=404, message="No such page.")
        viewer = current_viewer(request)
        admin = _admin(request)
        try:
            if action == "role":
                admin.set_role(viewer, name, str(form.get("role", "")))
            else:
                admin.set_disabled(viewer, name, action == "disable")
        except AccessDenied:
            return render(request, "error.html", status=403, message=NOT_ADMIN)
        except AccountError as exc:
            return _page(request, 422, str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    @router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
    async def revoke(request: Request, token_id: int) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        try:
            _admin(request).revoke(current_viewer(request), token_id)
        except AccessDenied:
            return render(request, "error.html", status=403, message=NOT_ADMIN)
        return RedirectResponse("/admin/users", status_code=303)

    return router


__all__ = ["build_admin"]
