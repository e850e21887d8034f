"""``HEAD`` answers like ``GET`` without a body (RFC 9110 §9.3.2), for pages and API reads.

FastAPI routes declared for GET would answer HEAD with 405. This middleware runs the
request as a GET and drops the body it produces, keeping the status and every header
(``Content-Length`` included, as GET would send it).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # swallow the body; the last (empty) chunk ends the response
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


__all__ = ["HeadAsGet"]
