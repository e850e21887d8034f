"""A ceiling on request bodies: 413 before the app reads more than ``max_bytes``.

Without it a single request could make the server buffer gigabytes (``request.json()``
and ``request.form()`` read the whole body). The declared ``Content-Length`` is checked
first; a body sent in chunks without one is counted as it arrives.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_REQUEST_BYTES = 2 * 1024 * 1024
TOO_LARGE = "the request is larger than {} bytes"


class RequestBodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            message = TOO_LARGE.format(self.max_bytes)
            response = JSONResponse({"detail": message, "field": None}, status_code=413)
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, TOO_LARGE.format(self.max_bytes))
            return message

        await self.app(scope, limited, send)
