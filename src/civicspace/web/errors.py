"""Every error leaves as JSON ``{"detail": message, "field": name-or-null}`` (HTML pages
render the same message). Messages come from the services and never quote hidden data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from civicspace.access.accounts import AccountError, LoginThrottled
from civicspace.access.policy import AccessDenied
from civicspace.crypto.keyring import KeysNotConfigured
from civicspace.model.vocabulary import VocabularyError
from civicspace.store.repository import NotFound, UnknownReference, VersionConflict


class InputError(ValueError):
    """A request parameter or body field is unusable; ``field`` names it."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


class NotAuthenticated(PermissionError):
    """Credentials are missing or wrong (401), as opposed to a role too weak (403)."""


def error_body(detail: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "field": field, **extra}


def _field(loc: Any) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def validation_response(errors: list[Any]) -> JSONResponse:
    first = errors[0] if errors else {"msg": "invalid request", "loc": ()}
    details = [
        {"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors
    ]
    body = error_body(str(first.get("msg", "invalid")), _field(first.get("loc", ())))
    body["errors"] = details
    return JSONResponse(body, status_code=422)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    return validation_response(list(exc.errors()))


async def _on_pydantic(request: Request, exc: ValidationError) -> Response:
    return validation_response(list(exc.errors()))


async def _on_input(request: Request, exc: InputError) -> Response:
    return JSONResponse(error_body(str(exc), exc.field), status_code=exc.status)


async def _on_reference(request: Request, exc: UnknownReference) -> Response:
    return JSONResponse(error_body(str(exc), exc.field), status_code=422)


async def _on_vocabulary(request: Request, exc: VocabularyError) -> Response:
    return JSONResponse(error_body(str(exc)), status_code=422)


async def _on_not_found(request: Request, exc: NotFound) -> Response:
    return JSONResponse(error_body(str(exc)), status_code=404)


async def _on_conflict(request: Request, exc: VersionConflict) -> Response:
    return JSONResponse(error_body(str(exc), "version"), status_code=409)


async def _on_denied(request: Request, exc: AccessDenied) -> Response:
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None and viewer.role == "anonymous":
        return JSONResponse(
            error_body("log in or send a bearer token"),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return JSONResponse(error_body(str(exc)), status_code=403)


async def _on_unauthenticated(request: Request, exc: NotAuthenticated) -> Response:
    return JSONResponse(
        error_body(str(exc)), status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )


async def _on_throttled(request: Request, exc: LoginThrottled) -> Response:
    return JSONResponse(
        error_body(str(exc)), status_code=429, headers={"Retry-After": str(exc.retry_after)}
    )


async def _on_keys(request: Request, exc: KeysNotConfigured) -> Response:
    # The server cannot store confidential data safely: say so, store nothing.
    return JSONResponse(error_body(str(exc)), status_code=503)


async def _on_account(request: Request, exc: AccountError) -> Response:
    return JSONResponse(error_body(str(exc)), status_code=422)


async def _on_integrity(request: Request, exc: IntegrityError) -> Response:
    # The database's own message may quote other records' ids: never pass it on.
    return JSONResponse(
        error_body(
            "the change conflicts with other records: it is still referenced by them, "
            "or refers to a record that does not exist"
        ),
        status_code=409,
    )


async def _on_data(request: Request, exc: DataError) -> Response:
    return JSONResponse(
        error_body("a value cannot be stored: it is out of range or holds a NUL character"),
        status_code=422,
    )


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    return JSONResponse(
        error_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


# Each service exception and the handler that turns it into its HTTP status.
HANDLERS: tuple[tuple[type[Exception], Callable[..., Awaitable[Response]]], ...] = (
    (RequestValidationError, _on_validation),
    (ValidationError, _on_pydantic),
    (InputError, _on_input),
    (VocabularyError, _on_vocabulary),
    (NotFound, _on_not_found),
    (UnknownReference, _on_reference),
    (KeysNotConfigured, _on_keys),
    (VersionConflict, _on_conflict),
    (AccessDenied, _on_denied),
    (NotAuthenticated, _on_unauthenticated),
    (LoginThrottled, _on_throttled),
    (AccountError, _on_account),
    (IntegrityError, _on_integrity),
    (DataError, _on_data),
    (StarletteHTTPException, _on_http),
)


def install(app: FastAPI) -> None:
    """Translate service exceptions into HTTP statuses."""
    for exc, handler in HANDLERS:
        app.add_exception_handler(exc, handler)
