"""Settings of the store server, declared once as (name, default, help).

`docs/server.md` documents each one; a test fails when one is missing there.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """Limits and timeouts of one server process (defaults suit a small factory LAN)."""

    max_body_bytes: int = 64 * MIB
    page_limit: int = 1000
    max_page_limit: int = 10_000
    busy_timeout_ms: int = 10_000
    retry_after_s: int = 1
    max_issues: int = 100

    def __post_init__(self) -> None:
        for item in fields(self):
            if getattr(self, item.name) <= 0:
                raise ValueError(f"server setting {item.name} must be positive")
        if self.page_limit > self.max_page_limit:
            raise ValueError("server setting page_limit must not exceed max_page_limit")


SETTINGS_HELP: dict[str, str] = {
    "max_body_bytes": "Largest request body accepted; a larger upload is answered 413.",
    "page_limit": "Rows (or changes) per page when the client gives no limit.",
    "max_page_limit": "Largest page a client may ask for.",
    "busy_timeout_ms": "How long a write waits for another writer of the store file "
                       "(e.g. a local watcher) before the server answers 503.",
    "retry_after_s": "Retry-After seconds sent with a 503 when the store stayed busy.",
    "max_issues": "Data problems listed in a 422 answer (the count is always complete).",
}

__all__ = ["MIB", "SETTINGS_HELP", "ServerSettings"]
