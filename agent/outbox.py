"""The agent's outbox: requests to the central store, kept in a local SQLite file until
the store has acknowledged them.

An entry is written in one transaction before anything is sent, keyed by its
idempotency key (the batch's content hash), so a file loaded twice is queued once and
an entry survives any crash or restart. `agent.push.Pusher` sends entries strictly in
the order they were queued; the store's idempotency makes a resend after a lost reply
harmless. Together: nothing is lost, nothing is applied twice.

States: pending (not yet acknowledged) -> sent (2xx) or refused (the store answered
that this request can never succeed, e.g. 422 bad values: kept for the user to see,
and the queue moves on). A sent entry keeps its key but not its body, so the file stays
small.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from addin.errors import UsageError
from agent.store import iso_utc

DDL = """CREATE TABLE IF NOT EXISTS "outbox" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL UNIQUE,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "body" BLOB NOT NULL,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "queued_at" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT NOT NULL DEFAULT '',
    "state" TEXT NOT NULL DEFAULT 'pending',
    "status" INTEGER,
    "response" TEXT NOT NULL DEFAULT '',
    "done_at" TEXT)"""
INDEX = 'CREATE INDEX IF NOT EXISTS "outbox_pending" ON "outbox" ("state", "id")'
CACHE = """CREATE TABLE IF NOT EXISTS "lookups" (
    "key" TEXT PRIMARY KEY, "value" TEXT NOT NULL, "fetched_at" TEXT NOT NULL)"""


@dataclass(frozen=True)
class Entry:
    id: int
    key: str
    kind: str
    path: str
    body: bytes
    rows: int
    attempts: int


class Outbox:
    """One outbox file. Thread-safe: the watcher queues while the pusher sends."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path, busy_timeout_ms: int = 10_000) -> Outbox:
        path = Path(path)
        if not path.parent.is_dir():
            raise UsageError(f"{path.parent} does not exist — create it or choose another "
                             "--outbox path")
        conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a queued batch must survive power loss
        conn.execute(DDL)
        conn.execute(INDEX)
        conn.execute(CACHE)
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple[object, ...]) -> sqlite3.Cursor:
        # Each write is one statement, hence one transaction (autocommit mode); the lock
        # keeps the watcher's and the pusher's threads off the connection at once.
        with self._lock:
            return self.conn.execute(sql, params)

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def enqueue(self, key: str, kind: str, path: str, body: bytes, rows: int = 0) -> bool:
        """Queue a request; False if this key is queued (or was sent) already."""
        cursor = self._write(
            'INSERT INTO "outbox" ("key", "kind", "path", "body", "rows", "queued_at") '
            'VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ("key") DO NOTHING',
            (key, kind, path, zlib.compress(body, 6), rows, _now()))
        return cursor.rowcount == 1

    def has(self, key: str) -> int | None:
        """The entry id queued under `key`, if any (whatever its state)."""
        rows = self._read('SELECT "id" FROM "outbox" WHERE "key" = ?', (key,))
        return rows[0][0] if rows else None

    def entry(self, key: str) -> Entry | None:
        """The entry queued under `key`, whatever its state."""
        rows = self._read('SELECT "id", "key", "kind", "path", "body", "rows", "attempts" '
                          'FROM "outbox" WHERE "key" = ?', (key,))
        return _entry(rows[0]) if rows else None

    def next_pending(self) -> Entry | None:
        """The oldest entry not yet acknowledged."""
        rows = self._read(
            'SELECT "id", "key", "kind", "path", "body", "rows", "attempts" FROM "outbox" '
            "WHERE \"state\" = 'pending' ORDER BY \"id\" LIMIT 1")
        return _entry(rows[0]) if rows else None

    def mark_sent(self, entry: Entry, status: int, response: str) -> None:
        """Acknowledged: the body is dropped (the key stays, so the same file loaded
        again is still recognised as queued before)."""
        self._write('UPDATE "outbox" SET "state" = \'sent\', "status" = ?, "response" = ?, '
                    '"done_at" = ?, "attempts" = "attempts" + 1, "body" = ? WHERE "id" = ?',
                    (status, response[:10_000], _now(), b"", entry.id))

    def mark_refused(self, entry: Entry, status: int, response: str) -> None:
        """The store will never take this request; kept, body and answer, for the user."""
        self._write('UPDATE "outbox" SET "state" = \'refused\', "status" = ?, '
                    '"response" = ?, "done_at" = ?, "attempts" = "attempts" + 1 '
                    'WHERE "id" = ?', (status, response[:10_000], _now(), entry.id))

    def mark_failed(self, entry: Entry, error: str) -> None:
        """A try that did not reach an answer; the entry stays pending."""
        self._write('UPDATE "outbox" SET "attempts" = "attempts" + 1, "last_error" = ? '
                    'WHERE "id" = ?', (error[:2000], entry.id))

    def counts(self) -> dict[str, int]:
        """Entries per state (pending, sent, refused)."""
        found = dict(self._read('SELECT "state", COUNT(*) FROM "outbox" GROUP BY "state"'))
        return {state: int(found.get(state, 0)) for state in ("pending", "sent", "refused")}

    def refused(self) -> list[dict[str, object]]:
        """The entries the store refused, with its answer, oldest first."""
        names = ("id", "key", "kind", "path", "status", "response", "done_at")
        rows = self._read(f"SELECT {', '.join(names)} FROM \"outbox\" "
                          "WHERE \"state\" = 'refused' ORDER BY \"id\"")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def cache(self, key: str, value: object) -> None:
        """Remember the store's answer to a lookup (code maps, known codes)."""
        self._write('INSERT INTO "lookups" VALUES (?, ?, ?) ON CONFLICT ("key") DO UPDATE '
                    'SET "value" = excluded."value", "fetched_at" = excluded."fetched_at"',
                    (key, json.dumps(value, ensure_ascii=False), _now()))

    def cached(self, key: str) -> object | None:
        rows = self._read('SELECT "value" FROM "lookups" WHERE "key" = ?', (key,))
        return json.loads(rows[0][0]) if rows else None


def _entry(row: tuple) -> Entry:
    body = zlib.decompress(row[4]) if row[4] else b""  # sent entries keep no body
    return Entry(row[0], row[1], row[2], row[3], body, row[5], row[6])


def _now() -> str:
    return iso_utc(datetime.now(UTC))


__all__ = ["Entry", "Outbox"]
