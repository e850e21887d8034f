"""Who is asking: a bearer API token, a session cookie, or nobody (anonymous).

Forms are protected by a double-submit CSRF token: a signed random value in an HttpOnly,
SameSite=Strict cookie that every form repeats in a hidden field. API calls that rely
on the session cookie (rather than a bearer token) must repeat it in ``X-CSRF-Token``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment

from civicspace.access.accounts import Accounts, User
from civicspace.access.policy import Viewer
from civicspace.access.tokens import Tokens
from civicspace.db.engine import Database
from civicspace.store.repository import Store
from civicspace.web.errors import InputError, NotAuthenticated
from civicspace.web.settings import Settings

SESSION_COOKIE = "cs_session"
CSRF_COOKIE = "cs_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Services:
    """Everything a request handler needs, built once by :func:`create_app`."""

    db: Database
    store: Store
    accounts: Accounts
    tokens: Tokens
    settings: Settings
    templates: Environment
    signer: URLSafeSerializer


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def current_user(request: Request) -> User | None:
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    svc = services(request)
    user: User | None = None
    request.state.auth = None
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
        user = svc.tokens.user_for(token.strip())
        if user is None:
            raise NotAuthenticated("unknown or revoked API token")
        request.state.auth = "token"
    elif cookie := request.cookies.get(SESSION_COOKIE):
        user = svc.tokens.session_user(cookie)
        if user is not None:
            request.state.auth = "cookie"
    request.state.user = user
    request.state.viewer = user.viewer if user else Viewer.anonymous()
    return user


def current_viewer(request: Request) -> Viewer:
    current_user(request)
    viewer: Viewer = request.state.viewer
    return viewer


def api_viewer(request: Request) -> Viewer:
    """The viewer of an API call; unsafe calls on a session cookie need the CSRF header."""
    viewer = current_viewer(request)
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.state.auth == "cookie":
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return viewer


def csrf_token(request: Request) -> str:
    """The CSRF token for forms on this page (set as a cookie by :func:`set_csrf_cookie`)."""
    svc = services(request)
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and _valid_csrf(svc, existing):
        return existing
    token = getattr(request.state, "new_csrf", None)
    if token is None:
        token = svc.signer.dumps(secrets.token_urlsafe(16))
        request.state.new_csrf = token
    return str(token)


def _valid_csrf(svc: Services, token: str) -> bool:
    try:
        svc.signer.loads(token)
    except BadSignature:
        return False
    return True


def set_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=services(request).settings.cookie_secure,
            path="/",
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if (
        not cookie
        or not submitted
        or not hmac.compare_digest(cookie, submitted)
        or not _valid_csrf(services(request), cookie)
    ):
        raise InputError(
            "the form expired or came from another site; reload the page and try again",
            CSRF_FIELD,
            status=403,
        )


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = services(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(dt.timedelta(hours=settings.session_hours).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
