"""The store behind an HTTP API for several PCs: `create_app(store_path, settings)`.

Imported lazily so that `agent.server.auth` (used by `xlerp token`) does not load the
web stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServerSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from agent.server.app import create_app
        return create_app
    if name == "ServerSettings":
        from agent.server.settings import ServerSettings
        return ServerSettings
    raise AttributeError(name)
