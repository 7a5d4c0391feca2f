"""What the server needs from the store beyond `Store`'s own methods, as functions of a Store.

- `upload_batch`: `Store.load_batch` under an idempotency key, remembering the body's
  hash so that a key reused with another body is refused (IETF idempotency-key draft);
  the load itself is journaled by the key, so a retried upload changes nothing.
- `page_rows`: keyset pagination over a canonical table (`WHERE (k1, k2) > (?, ?)`),
  which stays fast at any depth and is valid PostgreSQL too.
- `list_batches`, `batch_record`, `list_rejected`: the import history.

Every identifier comes from the schema or from this file and is quoted; values are
parameters.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from addin.errors import UsageError
from addin.schema import INPUT_TABLES, TABLES, Table
from agent.batch import BatchResult, Provenance
from agent.migrations import stored_key
from agent.store import Store, check_columns, column_sql, from_db, reader_columns, select_rows

DDL = """CREATE TABLE IF NOT EXISTS "_uploads" (
    "key" TEXT PRIMARY KEY, "kind" TEXT NOT NULL, "body_sha256" TEXT NOT NULL,
    "received_at" TEXT NOT NULL)"""

BATCH_COUNTS = ("rows", "inserted", "updated", "unchanged", "stale", "deleted",
                "first_seq", "last_seq")


class NotFound(UsageError):
    """A table, batch or other resource that does not exist (HTTP 404)."""


class IdempotencyConflict(UsageError):
    """An idempotency key seen before with a different body (HTTP 422)."""


def ensure_tables(store: Store) -> None:
    with store.write() as conn:
        conn.execute(DDL)


def input_table(name: str) -> Table:
    if name not in INPUT_TABLES:
        raise NotFound(f"the store has no table {name!r} — tables: "
                       + ", ".join(sorted(INPUT_TABLES)))
    return TABLES[name]


# -- idempotent writes ---------------------------------------------------------------------

def check_key(store: Store, key: str, body_sha256: str) -> None:
    """Refuse a key that came before with a different body."""
    row = store.conn.execute('SELECT "body_sha256" FROM "_uploads" WHERE "key" = ?',
                             (key,)).fetchone()
    if row is not None and row[0] != body_sha256:
        raise IdempotencyConflict(f"Idempotency-Key {key} was used before with a different "
                                  "body — send a new key for new content")


def remember_key(store: Store, key: str, kind: str, body_sha256: str) -> None:
    with store.write() as conn:
        conn.execute('INSERT INTO "_uploads" VALUES (?, ?, ?, ?) ON CONFLICT ("key") '
                     "DO NOTHING", (key, kind, body_sha256, store.now()))


def upload_batch(store: Store, table: str, frame: pd.DataFrame, provenance: Provenance,
                 body_sha256: str) -> BatchResult:
    """Load one uploaded batch keyed by `provenance.sha256`; a repeat answers with the
    figures of the first load and `duplicate=True`.

    The caller serialises writers (one lock per server process). The key is remembered
    after the load's own transaction: if the process dies in between, the retry finds
    the journal entry, is answered as a duplicate and remembers the key then.
    """
    check_key(store, provenance.sha256, body_sha256)
    result = store.load_batch(table, frame, provenance)
    remember_key(store, provenance.sha256, "batch", body_sha256)
    return _first_load(store, result.batch) if result.duplicate else result


def replay(store: Store, key: str, body_sha256: str) -> BatchResult | None:
    """The answer to a repeated upload (same key, same body), else None; a key seen
    with another body raises `IdempotencyConflict`."""
    check_key(store, key, body_sha256)
    seen = store.conn.execute('SELECT 1 FROM "_uploads" WHERE "key" = ?', (key,)).fetchone()
    batch = store.loaded_batch(key) if seen else None
    return None if batch is None else _first_load(store, batch)


def _first_load(store: Store, batch: int) -> BatchResult:
    record = batch_record(store, batch)
    counts = {name: record[name] for name in BATCH_COUNTS}
    return BatchResult(str(record["table_name"]), batch, duplicate=True, **counts)


@dataclass(frozen=True)
class Rejection:
    """A file an agent refused to load (see `Store.record_rejection`)."""

    file: str
    sha256: str
    profile: str
    issues: int
    reason: str
    report: str


def upload_rejection(store: Store, key: str, body_sha256: str, rejection: Rejection) -> bool:
    """Record a file an agent rejected; False when this key was recorded before."""
    check_key(store, key, body_sha256)
    seen = store.conn.execute('SELECT 1 FROM "_uploads" WHERE "key" = ?', (key,)).fetchone()
    if seen:
        return False
    store.record_rejection(rejection.file, rejection.sha256, rejection.profile,
                           rejection.issues, rejection.reason, rejection.report)
    remember_key(store, key, "rejected", body_sha256)
    return True


# -- reading -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    frame: pd.DataFrame
    next_cursor: str | None


def page_rows(store: Store, table: str, where: Mapping[str, str], cursor: str | None,
              limit: int) -> Page:
    """One page of a canonical table in key order, filtered by equality on canonical or
    provenance columns (`where` values are text, typed by the column)."""
    spec = input_table(table)
    check_columns(spec, sorted(where))
    clauses = [f"{column_sql(c)} = ?" for c in where]
    params: list[object] = [_filter_value(spec, c, v) for c, v in where.items()]
    key = [column_sql(k) for k in stored_key(spec)]
    if cursor is not None:
        after = decode_cursor(cursor, len(key))
        clauses.append(f"({', '.join(key)}) > ({', '.join('?' * len(key))})")
        params += after
    sql = select_rows(spec)
    allowed = reader_columns(spec)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {', '.join(key)} LIMIT ?"
    records = store.conn.execute(sql, [*params, limit + 1]).fetchall()
    more = len(records) > limit
    records = records[:limit]
    positions = [allowed.index(k) for k in stored_key(spec)]
    next_cursor = encode_cursor([records[-1][p] for p in positions]) if more else None
    frame = from_db(spec, pd.DataFrame(records, columns=allowed, dtype=object))
    return Page(frame, next_cursor)


def _filter_value(spec: Table, column: str, text: str) -> object:
    """Query-string text as the stored value: numbers for numeric columns, 1/0 for bools."""
    if column in spec.column_names:
        kind = spec.column(column).type
        try:
            if kind == "number":
                return float(text)
            if kind == "integer":
                return int(text)
        except ValueError as error:
            raise UsageError(f"{column} must be a number, not {text!r}") from error
        if kind == "bool":
            return 1 if text.lower() in ("1", "true", "yes") else 0
    elif column in ("_row", "_batch"):
        if not text.lstrip("-").isdigit():
            raise UsageError(f"{column} must be a whole number, not {text!r}")
        return int(text)
    return text


def encode_cursor(values: list[object]) -> str:
    """An opaque cursor: the last key of a page, as URL-safe base64 JSON."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[object]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise UsageError("the cursor is damaged — start again without one") from error
    if not (isinstance(values, list) and len(values) == parts
            and all(isinstance(v, str | int | float) for v in values)):
        raise UsageError("the cursor does not belong to this table — start again "
                         "without one")
    return values


def column_values(store: Store, table: str, column: str) -> list[object]:
    """The distinct stored values of one canonical column, sorted."""
    spec = input_table(table)
    if column not in spec.column_names:
        raise NotFound(f"{table} has no column {column!r}")
    values = store.column_values(table, column)
    return sorted((v for v in values if v is not None), key=lambda v: (str(type(v)), v))


def list_batches(store: Store, after: int, limit: int) -> list[dict[str, object]]:
    """Import batches with a number above `after`, oldest first."""
    return _records(store, '"_batches" WHERE "batch" > ? ORDER BY "batch"', (after, limit))


def batch_record(store: Store, batch: int) -> dict[str, object]:
    records = _records(store, '"_batches" WHERE "batch" = ?', (batch, 1))
    if not records:
        raise NotFound(f"there is no batch {batch}")
    return records[0]


def list_rejected(store: Store, after: int, limit: int) -> list[dict[str, object]]:
    """Rejected files with an id above `after`, oldest first."""
    return _records(store, '"_rejected" WHERE "id" > ? ORDER BY "id"', (after, limit))


def _records(store: Store, source: str, params: tuple[object, ...]) -> list[dict[str, object]]:
    cursor = store.conn.execute(f"SELECT * FROM {source} LIMIT ?", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


__all__ = ["BATCH_COUNTS", "IdempotencyConflict", "NotFound", "Page", "Rejection", "batch_record",
           "column_values", "decode_cursor", "encode_cursor", "ensure_tables", "input_table",
           "list_batches", "list_rejected", "page_rows", "replay", "upload_batch",
           "upload_rejection"]
