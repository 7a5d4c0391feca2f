"""Versioned schema migrations of the store, applied in order when a store is opened.

Version 1 creates the bookkeeping tables (batches, journal, change log, rejected files);
version 2 creates one table per canonical input table of `addin.schema`; version 3 keys
those rows by platform too (see `stored_key`). After the
versioned steps, `add_new_columns` adds any column the schema gained since (additive
only: a changed key or type needs a new numbered migration here).

Every identifier comes from the schema or from this file and is quoted; no header text
from a user's file ever reaches DDL.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from addin.schema import INPUT_TABLES, TABLES, Column, Table

log = logging.getLogger(__name__)

# Provenance of every canonical row: where its current values came from. Kept in the row:
ROW_PROVENANCE = {
    "_platform": "TEXT NOT NULL DEFAULT ''",
    "_row": "INTEGER",
    "_batch": "INTEGER",                   # the load that wrote the row's values
    "_as_of": "TEXT NOT NULL DEFAULT ''",  # export time of that file (ISO, UTC)
}
# … and kept once per load in "_batches" (provenance name -> its column there), joined in
# by readers: a million-row file does not store its name and hash a million times.
BATCH_PROVENANCE = {"_file": "file", "_hash": "sha256", "_loaded_at": "loaded_at"}
# Every provenance column a reader sees, in this order.
PROVENANCE = ("_platform", "_file", "_row", "_batch", "_hash", "_loaded_at", "_as_of")
SQL_TYPES = {"text": "TEXT", "choice": "TEXT", "date": "TEXT", "number": "REAL",
             "integer": "INTEGER", "bool": "INTEGER"}


def quote(identifier: str) -> str:
    """A quoted SQL identifier; only schema and bookkeeping names are ever passed."""
    return '"' + identifier.replace('"', '""') + '"'


def stored_key(spec: Table) -> list[str]:
    """The primary key of a canonical table in the store: the business key and the
    platform. Each platform keeps its own copy of a record (the shop's order and the
    ERP's order with the same number are two rows), which is what reconciliation
    compares; a platform's newer export replaces only that platform's copy."""
    return [*spec.key, "_platform"]


def column_ddl(column: Column, in_key: bool) -> str:
    # Key parts are NOT NULL with '' for blank: SQL treats NULLs as distinct, so a NULL
    # key part would defeat ON CONFLICT and duplicate the row on every load.
    sql_type = SQL_TYPES[column.type]
    if in_key:
        default = "0" if sql_type in ("INTEGER", "REAL") else "''"
        return f"{quote(column.name)} {sql_type} NOT NULL DEFAULT {default}"
    return f"{quote(column.name)} {sql_type}"


def create_table_sql(spec: Table) -> str:
    parts = [column_ddl(c, c.name in spec.key) for c in spec.columns]
    parts += [f"{quote(name)} {ddl}" for name, ddl in ROW_PROVENANCE.items()]
    parts.append(f"PRIMARY KEY ({', '.join(quote(k) for k in stored_key(spec))})")
    return f"CREATE TABLE IF NOT EXISTS {quote(spec.name)} (\n  " + ",\n  ".join(parts) + "\n)"


def _bookkeeping(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS "_batches" (
        "batch" INTEGER PRIMARY KEY AUTOINCREMENT,
        "table_name" TEXT NOT NULL, "platform" TEXT NOT NULL, "profile" TEXT NOT NULL,
        "file" TEXT NOT NULL, "sha256" TEXT NOT NULL, "as_of" TEXT NOT NULL,
        "loaded_at" TEXT NOT NULL, "rows" INTEGER NOT NULL DEFAULT 0,
        "inserted" INTEGER NOT NULL DEFAULT 0, "updated" INTEGER NOT NULL DEFAULT 0,
        "unchanged" INTEGER NOT NULL DEFAULT 0, "stale" INTEGER NOT NULL DEFAULT 0,
        "deleted" INTEGER NOT NULL DEFAULT 0, "first_seq" INTEGER, "last_seq" INTEGER)""")
    conn.execute("""CREATE TABLE IF NOT EXISTS "_journal" (
        "sha256" TEXT PRIMARY KEY, "batch" INTEGER NOT NULL, "status" TEXT NOT NULL,
        "file" TEXT NOT NULL, "recorded_at" TEXT NOT NULL)""")
    conn.execute("""CREATE TABLE IF NOT EXISTS "_changes" (
        "seq" INTEGER PRIMARY KEY AUTOINCREMENT, "table_name" TEXT NOT NULL,
        "key" TEXT NOT NULL, "op" TEXT NOT NULL, "old" TEXT, "new" TEXT,
        "batch" INTEGER NOT NULL)""")
    conn.execute("""CREATE TABLE IF NOT EXISTS "_rejected" (
        "id" INTEGER PRIMARY KEY AUTOINCREMENT, "file" TEXT NOT NULL,
        "sha256" TEXT NOT NULL, "profile" TEXT NOT NULL, "issues" INTEGER NOT NULL,
        "reason" TEXT NOT NULL, "report" TEXT NOT NULL, "rejected_at" TEXT NOT NULL)""")
    # No index on _changes.batch: a batch's entries are the range first_seq..last_seq
    # recorded in _batches, and an index would slow every load for nothing.


def _canonical_tables(conn: sqlite3.Connection) -> None:
    for name in INPUT_TABLES:
        conn.execute(create_table_sql(TABLES[name]))


def _platform_in_keys(conn: sqlite3.Connection) -> None:
    """Rebuild the canonical tables of a version-2 store with the platform in the key
    (SQLite cannot change a primary key in place) and without the per-batch provenance
    columns (now read from "_batches"): copy into a new table, swap names."""
    for name in INPUT_TABLES:
        info = conn.execute(f"PRAGMA table_info({quote(name)})").fetchall()
        key = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
        if not info or "_platform" in key:
            continue
        spec = TABLES[name]
        old = quote(f"_v2_{name}")
        conn.execute(f"ALTER TABLE {quote(name)} RENAME TO {old}")
        conn.execute(create_table_sql(spec))
        wanted = [*spec.column_names, *ROW_PROVENANCE]
        shared = ", ".join(quote(c) for c in wanted if c in {row[1] for row in info})
        conn.execute(f"INSERT INTO {quote(name)} ({shared}) SELECT {shared} FROM {old}")
        conn.execute(f"DROP TABLE {old}")


Migration = tuple[int, str, Callable[[sqlite3.Connection], None]]
MIGRATIONS: tuple[Migration, ...] = (
    (1, "bookkeeping tables: batches, journal, change log, rejected files", _bookkeeping),
    (2, "canonical input tables from addin.schema", _canonical_tables),
    (3, "canonical rows keyed by platform too; file, hash and load time per batch",
     _platform_in_keys),
)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration not yet applied, each in its own write transaction; the
    resulting schema version."""
    conn.execute("""CREATE TABLE IF NOT EXISTS "_migrations" (
        "version" INTEGER PRIMARY KEY, "description" TEXT NOT NULL,
        "applied_at" TEXT NOT NULL)""")
    for version, description, step in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the lock: another process may have migrated meanwhile.
            done = conn.execute('SELECT 1 FROM "_migrations" WHERE "version" = ?',
                                (version,)).fetchone()
            if not done:
                step(conn)
                conn.execute('INSERT INTO "_migrations" VALUES (?, ?, ?)',
                             (version, description, datetime.now(UTC).isoformat()))
                log.info("store migrated to version %d: %s", version, description)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    add_new_columns(conn)
    return MIGRATIONS[-1][0]


def add_new_columns(conn: sqlite3.Connection) -> list[str]:
    """Add tables and columns the schema gained since the store was created
    ("table.column")."""
    added = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in INPUT_TABLES:
            spec = TABLES[name]
            conn.execute(create_table_sql(spec))  # a table the schema gained later
            present = {row[1] for row in conn.execute(f"PRAGMA table_info({quote(name)})")}
            for column in spec.columns:
                if column.name not in present:
                    conn.execute(f"ALTER TABLE {quote(name)} ADD COLUMN "
                                 f"{column_ddl(column, in_key=False)}")
                    added.append(f"{name}.{column.name}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    if added:
        log.info("store: added columns %s", ", ".join(added))
    return added
