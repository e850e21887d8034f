"""Security headers on every answer, and ``Cache-Control: no-store`` on all but static files.

A plain ASGI middleware: Starlette's ``@app.middleware("http")`` runs the rest of the app
in a task of its own and streams the response through a queue, which cost more CPU per
request than anything else between the server and a route.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=63072000; includeSubDomains"  # two years, sent only behind TLS

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Pages and API answers depend on who asks: never keep them in shared caches.
PRIVATE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization, Accept-Language"}

_DEFAULTS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_PRIVATE = [(k.lower().encode(), v.encode()) for k, v in PRIVATE.items()]
_HSTS = (b"strict-transport-security", HSTS.encode())


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` where a response has not set its own, HSTS when
    ``tls`` (cookies are secure), and :data:`PRIVATE` (replacing any) outside ``/static/``."""

    def __init__(self, app: ASGIApp, tls: bool = False) -> None:
        self.app = app
        self.tls = tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = not scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                replaced = {name for name, _ in _PRIVATE} if private else set()
                if self.tls:
                    replaced.add(_HSTS[0])
                headers = [(k, v) for k, v in headers if k.lower() not in replaced]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _DEFAULTS if k not in present]
                if self.tls:
                    headers.append(_HSTS)
                if private:
                    headers += _PRIVATE
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["HSTS", "PRIVATE", "SECURITY_HEADERS", "SecurityHeaders"]
