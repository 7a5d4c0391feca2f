"""FastAPI dependencies: a store connection per worker thread, and token checks.

SQLite connections must not be shared by threads in the middle of a transaction, so
each worker thread of the server opens its own `Store` on first use. Readers run side
by side (WAL); writers take `StorePool.writer` first, so two uploads in this process
never race for the write lock and "database is locked" cannot arise between them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.server import auth
from agent.server.auth import Token
from agent.store import Store

_bearer = HTTPBearer(auto_error=False, description="An xlerp API token: "
                     "`Authorization: Bearer xlerp_…` (see `xlerp token create`).")


class StorePool:
    """One `Store` per thread on one file, closed together at shutdown."""

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.writer = threading.Lock()
        self._local = threading.local()
        self._opened: list[Store] = []
        self._guard = threading.Lock()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.path, busy_timeout_ms=self.busy_timeout_ms)
            self._local.store = store
            with self._guard:
                self._opened.append(store)
        return store

    def close_all(self) -> None:
        with self._guard:
            for store in self._opened:
                store.close()
            self._opened.clear()
        self._local = threading.local()


def pool(request: Request) -> StorePool:
    return request.app.state.pool


def store(request: Request) -> Store:
    return pool(request).get()


StoreDep = Annotated[Store, Depends(store)]
PoolDep = Annotated[StorePool, Depends(pool)]


def require(scope: str) -> Callable[..., Token]:
    """A dependency that admits a live token of at least `scope` (401 / 403 otherwise)."""

    def check(request: Request,
              credentials: Annotated[HTTPAuthorizationCredentials | None,
                                     Depends(_bearer)]) -> Token:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise _unauthorised("send an API token: Authorization: Bearer xlerp_…")
        token = auth.verify_token(pool(request).get(), credentials.credentials)
        if token is None:
            raise _unauthorised("the token is not valid or has been revoked")
        if not auth.allows(token.scope, scope):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"token {token.name!r} has scope {token.scope!r}; "
                                f"this needs {scope!r}")
        return token

    check.__name__ = f"require_{scope}"
    return check


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail,
                         headers={"WWW-Authenticate": "Bearer"})


ReadToken = Annotated[Token, Depends(require("read"))]
PushToken = Annotated[Token, Depends(require("push"))]
AdminToken = Annotated[Token, Depends(require("admin"))]

# Responses every protected route can give, for the OpenAPI document.
AUTH_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"description": "No token, or an invalid or revoked one"},
    403: {"description": "The token's scope does not allow this"},
}

__all__ = ["AUTH_RESPONSES", "AdminToken", "PoolDep", "PushToken", "ReadToken", "StoreDep",
           "StorePool", "require"]
