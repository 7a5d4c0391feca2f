"""The store's HTTP server: `create_app(store_path, settings)` builds the FastAPI app.

Every route lives in a `routes_<resource>.py` module under /api/v1; this module wires
them, limits request bodies, and maps the error families onto HTTP:
usage errors -> 400 (404 for a missing resource, 422 for a reused idempotency key),
a store that stayed busy -> 503 with Retry-After, anything else -> 500 with the
traceback in the log (never in the answer).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from addin.errors import XlerpError
from agent.server import (
    auth,
    routes_batches,
    routes_changes,
    routes_health,
    routes_rows,
    routes_tokens,
    routes_xlwings,
    storeapi,
)
from agent.server.deps import StorePool
from agent.server.settings import ServerSettings
from agent.store import Store

log = logging.getLogger(__name__)

API = "/api/v1"
VERSION = "1"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def create_app(store_path: str | Path, settings: ServerSettings | None = None) -> FastAPI:
    """The app over the store at `store_path` (created and migrated if needed)."""
    settings = settings or ServerSettings()
    path = Path(store_path)
    with Store.open(path, busy_timeout_ms=settings.busy_timeout_ms) as store:
        auth.ensure_tables(store)
        storeapi.ensure_tables(store)
    pool = StorePool(path, settings.busy_timeout_ms)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close_all()

    app = FastAPI(
        title="xlerp store", version=VERSION, lifespan=lifespan,
        description="The central xlerp store: agents push canonical rows, clients read "
                    "tables, the change feed and the import history. See docs/server.md.",
        openapi_url=f"{API}/openapi.json", docs_url=f"{API}/docs", redoc_url=None)
    app.state.pool = pool
    app.state.settings = settings
    for module in (routes_health, routes_rows, routes_changes, routes_batches, routes_tokens):
        app.include_router(module.router, prefix=API)
    _add_error_handlers(app, settings)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    routes_xlwings.install(app)  # the ribbon's backend: /xlwings/{command} and /addin/*
    return app


def _add_error_handlers(app: FastAPI, settings: ServerSettings) -> None:
    @app.exception_handler(XlerpError)
    async def usage_error(request: Request, error: XlerpError) -> JSONResponse:
        code = (404 if isinstance(error, storeapi.NotFound)
                else 422 if isinstance(error, storeapi.IdempotencyConflict) else 400)
        return JSONResponse({"detail": str(error)}, status_code=code)

    @app.exception_handler(sqlite3.OperationalError)
    async def busy(request: Request, error: sqlite3.OperationalError) -> JSONResponse:
        text = str(error).lower()
        if "locked" not in text and "busy" not in text:
            raise error  # a real fault: let the server log it and answer 500
        log.warning("store stayed busy for %d ms: %s", settings.busy_timeout_ms, error)
        return JSONResponse({"detail": "the store is busy — retry shortly"}, status_code=503,
                            headers={"Retry-After": str(settings.retry_after_s)})


class _TooLarge(Exception):
    """The request body passed the size limit while it was being read."""


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, before they are held in memory.

    A declared Content-Length is checked up front; a chunked body is counted as it
    arrives, so neither kind can make the server buffer more than the limit.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started |= message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"the request body is larger than {self.max_bytes} "
                                     "bytes — send smaller batches"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


__all__ = ["API", "BodyLimit", "create_app"]
