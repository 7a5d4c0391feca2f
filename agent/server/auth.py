"""Per-agent API tokens: created once, shown once, stored only as a SHA-256 hash.

A token is `xlerp_` + 32 random bytes (URL-safe base64). The store keeps the hash, the
name and the scope; a lost token cannot be recovered, only revoked and replaced.
Scopes are levels — read < push < admin — because an agent that pushes also reads the
store's code mappings to map codes while it loads files.

This module knows nothing of HTTP (the CLI uses it too); `agent.server.deps` turns it
into FastAPI dependencies.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass

from addin.errors import UsageError
from agent.store import Store

SCOPES = ("read", "push", "admin")
_LEVEL = {scope: level for level, scope in enumerate(SCOPES)}
PREFIX = "xlerp_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

DDL = (
    """CREATE TABLE IF NOT EXISTS "_tokens" (
        "id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL,
        "scope" TEXT NOT NULL, "hash" TEXT NOT NULL UNIQUE,
        "created_at" TEXT NOT NULL, "revoked_at" TEXT)""",
    # One live token per name; a revoked name may be issued again.
    """CREATE UNIQUE INDEX IF NOT EXISTS "_tokens_live_name" ON "_tokens" ("name")
        WHERE "revoked_at" IS NULL""",
)


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    scope: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def ensure_tables(store: Store) -> None:
    """Create the token table if this store has none yet (idempotent)."""
    with store.write() as conn:
        for statement in DDL:
            conn.execute(statement)


def allows(scope: str, required: str) -> bool:
    """Whether a token of `scope` may do what needs `required`."""
    return _LEVEL[scope] >= _LEVEL[required]


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, scope: str) -> tuple[Token, str]:
    """A new token for `name`: its record and the secret (shown to the user once)."""
    if not _NAME.match(name):
        raise UsageError(f"{name!r} is not a usable token name — use letters, digits, "
                         "dots, dashes and underscores, e.g. warehouse-pc")
    if scope not in _LEVEL:
        raise UsageError(f"unknown scope {scope!r} — choose one of {', '.join(SCOPES)}")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = store.now()
    try:
        with store.write() as conn:
            cursor = conn.execute(
                'INSERT INTO "_tokens" ("name", "scope", "hash", "created_at") '
                "VALUES (?, ?, ?, ?)", (name, scope, token_hash(secret), now))
    except sqlite3.IntegrityError as error:
        raise UsageError(f"a token named {name!r} exists already — revoke it first "
                         "or choose another name") from error
    return Token(int(cursor.lastrowid), name, scope, now), secret


def revoke_token(store: Store, name: str) -> Token:
    """Revoke the live token called `name`; it stops working at once."""
    now = store.now()
    with store.write() as conn:
        row = conn.execute('SELECT "id", "name", "scope", "created_at" FROM "_tokens" '
                           'WHERE "name" = ? AND "revoked_at" IS NULL', (name,)).fetchone()
        if row is None:
            raise UsageError(f"there is no live token named {name!r} — "
                             "`xlerp token list` shows the tokens")
        conn.execute('UPDATE "_tokens" SET "revoked_at" = ? WHERE "id" = ?', (now, row[0]))
    return Token(*row, revoked_at=now)


def list_tokens(store: Store) -> list[Token]:
    """Every token ever issued (secrets are not stored), oldest first."""
    cursor = store.conn.execute('SELECT "id", "name", "scope", "created_at", "revoked_at" '
                                'FROM "_tokens" ORDER BY "id"')
    return [Token(*row) for row in cursor]


def verify_token(store: Store, secret: str) -> Token | None:
    """The live token whose secret this is, else None."""
    if not secret.startswith(PREFIX):
        return None
    wanted = token_hash(secret)
    row = store.conn.execute('SELECT "id", "name", "scope", "created_at", "hash" '
                             'FROM "_tokens" WHERE "hash" = ? AND "revoked_at" IS NULL',
                             (wanted,)).fetchone()
    # The index lookup already matched; compare_digest keeps the final check constant-time.
    if row is None or not hmac.compare_digest(row[4], wanted):
        return None
    return Token(*row[:4])


__all__ = ["PREFIX", "SCOPES", "Token", "allows", "create_token", "ensure_tables",
           "list_tokens", "revoke_token", "token_hash", "verify_token"]
