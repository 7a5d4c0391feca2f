"""The central store: canonical tables in one SQLite file, with provenance and a change log.

Opened through sqlite-utils with WAL, a busy timeout, `synchronous=FULL` and foreign keys
on. Every write transaction starts with `BEGIN IMMEDIATE` (a deferred BEGIN that later
writes fails with "database is locked" under concurrent agents, whatever the timeout).
One file is one transaction: its rows, its batch record and its journal entry commit
together or not at all, so a file is never half loaded and never loaded twice.

The SQL is plain (ON CONFLICT upserts, standard joins) so that a PostgreSQL backend can
replace SQLite behind the same methods; the pragmas are the only SQLite-only part.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlite_utils

from addin.errors import UsageError
from addin.schema import INPUT_TABLES, ROW, TABLES, Table, fold
from agent import batch as batches
from agent.batch import BatchResult, Provenance
from agent.migrations import BATCH_PROVENANCE, PROVENANCE, migrate, quote, stored_key

log = logging.getLogger(__name__)

STORE_ENV = "XLERP_STORE"
DEFAULT_STORE = "xlerp.db"
BUSY_TIMEOUT_MS = 10_000
# code_mappings.entity -> the master table and column that hold the canonical codes
ENTITIES = {"item": ("items", "item_code"), "customer": ("customers", "customer_code"),
            "supplier": ("suppliers", "supplier_code"),
            "warehouse": ("warehouses", "warehouse_code")}
CACHE_KIB = 65_536  # a 64 MiB page cache keeps the key index of a large load in memory
PAGE_BYTES = 16_384  # new stores: fewer, fuller B-tree pages per big load than 4 KiB


def default_store_path() -> Path:
    """`$XLERP_STORE` if set, else xlerp.db in the current folder."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def iso_utc(moment: datetime) -> str:
    """Fixed-width ISO text in UTC, so that text order is time order in SQL."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the local wall clock
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Change:
    """One entry of the change log: `old`/`new` hold the changed columns (all on insert
    and delete)."""

    seq: int
    table: str
    key: dict[str, object]
    op: str
    old: dict[str, object] | None
    new: dict[str, object] | None
    batch: int


@dataclass
class StoreStatus:
    path: Path
    version: int
    last_seq: int
    tables: dict[str, int]
    batches: int
    journal: int
    rejected: int
    recent_batches: list[dict[str, object]] = field(default_factory=list)
    recent_rejected: list[dict[str, object]] = field(default_factory=list)


class Store:
    """One store file. Use `Store.open(path)`; close it (or use it as a context manager)."""

    def __init__(self, db: sqlite_utils.Database, path: Path, version: int,
                 clock: Callable[[], datetime]) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.path = path
        self.version = version
        self._clock = clock
        self._savepoints = itertools.count(1)
        self._writes: dict[str, int] = {}  # loads per table, to invalidate `_cached`
        self._cache: dict[str, tuple[tuple[int, int], Any]] = {}

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
             clock: Callable[[], datetime] | None = None) -> Store:
        """Open (creating and migrating if needed) the store at `path`."""
        path = Path(path)
        if str(path).startswith(("\\\\", "//")):
            raise UsageError(f"{path}: keep the store on a local disk — SQLite's WAL does "
                             "not work on a network share (use --store with a local path)")
        if path.parent and not path.parent.is_dir():
            raise UsageError(f"{path.parent} does not exist — create the folder for the "
                             "store or choose another --store path")
        # isolation_level=None: no implicit transactions; each write says BEGIN IMMEDIATE
        conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute(f"PRAGMA page_size={PAGE_BYTES}")  # no effect on an existing file
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("store %s: journal mode is %s, not WAL", path, mode)
            conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            version = migrate(conn)
        except sqlite3.DatabaseError as error:
            conn.close()
            raise UsageError(f"{path} is not an xlerp store or is damaged ({error}) — "
                             "choose another --store path") from error
        return cls(sqlite_utils.Database(conn), path, version,
                   clock or (lambda: datetime.now(UTC)))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception.
        Inside `group()` it is a savepoint instead: it undoes only its own writes."""
        if self.conn.in_transaction:
            name = f"sp{next(self._savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def group(self) -> Iterator[None]:
        """Several loads committed together: a backlog of small files pays for one
        durable COMMIT (an fsync) per group instead of one per file. Each load is still
        all-or-nothing (a savepoint), and files are archived only after the COMMIT."""
        with self.write():
            yield

    def now(self) -> str:
        return iso_utc(self._clock())

    # -- writing -------------------------------------------------------------------------

    def loaded_batch(self, sha256: str) -> int | None:
        """The batch that loaded the file with this content hash, if any."""
        row = self.conn.execute('SELECT "batch" FROM "_journal" WHERE "sha256" = ? '
                                "AND \"status\" = 'loaded'", (sha256,)).fetchone()
        return row[0] if row else None

    def load_batch(self, table: str, frame: pd.DataFrame,
                   provenance: Provenance) -> BatchResult:
        """Upsert a typed table (as the reader gives it, with `_row`) in one transaction
        with its batch record and journal entry. A file already journaled is a no-op."""
        spec = _input_table(table)
        self._writes[table] = self._writes.get(table, 0) + 1
        with self.write() as conn:
            done = self.loaded_batch(provenance.sha256)
            if done is not None:
                return BatchResult(table, done, duplicate=True)
            loaded_at = self.now()
            cursor = conn.execute(
                'INSERT INTO "_batches" ("table_name", "platform", "profile", "file", '
                '"sha256", "as_of", "loaded_at") VALUES (?, ?, ?, ?, ?, ?, ?)',
                (table, provenance.platform, provenance.profile, provenance.file,
                 provenance.sha256, provenance.as_of, loaded_at))
            number = int(cursor.lastrowid)
            result = batches.load(conn, spec, frame, provenance, number)
            conn.execute(
                'UPDATE "_batches" SET "rows" = ?, "inserted" = ?, "updated" = ?, '
                '"unchanged" = ?, "stale" = ?, "deleted" = ?, "first_seq" = ?, '
                '"last_seq" = ? WHERE "batch" = ?',
                (result.rows, result.inserted, result.updated, result.unchanged,
                 result.stale, result.deleted, result.first_seq, result.last_seq, number))
            conn.execute('INSERT INTO "_journal" VALUES (?, ?, ?, ?, ?)',
                         (provenance.sha256, number, "loaded", provenance.file, loaded_at))
        return result

    def record_rejection(self, file: str, sha256: str, profile: str, issues: int,
                         reason: str, report: str) -> None:
        """Note a rejected file (it is not journaled: a corrected re-drop is read again)."""
        with self.write() as conn:
            conn.execute('INSERT INTO "_rejected" ("file", "sha256", "profile", "issues", '
                         '"reason", "report", "rejected_at") VALUES (?, ?, ?, ?, ?, ?, ?)',
                         (file, sha256, profile, issues, reason, report, self.now()))

    # -- reading -------------------------------------------------------------------------

    def rows(self, table: str, where: Mapping[str, object] | None = None) -> pd.DataFrame:
        """A canonical table typed as the workbook reader types it, plus provenance
        columns; `where` filters by equality on canonical or provenance columns."""
        spec = _input_table(table)
        where = dict(where or {})
        check_columns(spec, where)
        sql = select_rows(spec)
        if where:
            sql += " WHERE " + " AND ".join(f"{column_sql(c)} = ?" for c in where)
        sql += f" ORDER BY {', '.join(column_sql(k) for k in stored_key(spec))}"
        records = self.conn.execute(sql, list(where.values())).fetchall()
        return from_db(spec, pd.DataFrame(records, columns=reader_columns(spec), dtype=object))

    def current_rows(self, table: str) -> pd.DataFrame:
        """One row per business key, as a command needs it: of the platforms' copies of a
        record (the store keys rows by business key + `_platform`), the one with the newest
        `_as_of` (export time); on a tie, the platform first by name. Sorted by the key."""
        spec = _input_table(table)
        rows = self.rows(table)
        if rows.empty:
            return rows
        # `_as_of` is fixed-width ISO UTC text, so text order is time order
        ranked = rows.sort_values([*spec.key, "_as_of", "_platform"],
                                  ascending=[*([True] * len(spec.key)), False, True],
                                  kind="stable")
        return ranked.drop_duplicates(list(spec.key), keep="first").reset_index(drop=True)

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        """Change-log entries after `seq`, oldest first, at most `limit`."""
        cursor = self.conn.execute(
            'SELECT "seq", "table_name", "key", "op", "old", "new", "batch" FROM "_changes" '
            'WHERE "seq" > ? ORDER BY "seq" LIMIT ?', (seq, limit))
        return [Change(s, t, json.loads(k), op, _loads(old), _loads(new), b)
                for s, t, k, op, old, new, b in cursor]

    def code_map(self, platform: str, entity: str) -> dict[str, str]:
        """External -> canonical codes of one platform and entity (the code_mappings
        table). The entity is matched like a header, under any of its names: "item",
        "items", "Items", "物料" all name the item codes."""
        names = {fold(entity)}
        if entity in ENTITIES:
            names |= {fold(n) for n in TABLES[ENTITIES[entity][0]].sheet_names()}
        cursor = self.conn.execute(
            'SELECT "entity", "external_code", "canonical_code" FROM "code_mappings" '
            'WHERE "platform" = ? ORDER BY "entity", "external_code"', (platform,))
        return {ext: code for name, ext, code in cursor if fold(name) in names}

    def column_values(self, table: str, column: str) -> set[object]:
        """Every distinct stored value of one canonical column (e.g. known item codes)."""
        spec = _input_table(table)
        spec.column(column)  # KeyError for a non-schema name: never reaches SQL
        sql = f"SELECT DISTINCT {quote(column)} FROM {quote(table)}"
        return self._cached(table, sql, lambda rows: {row[0] for row in rows})

    def column_map(self, table: str, key_column: str, value_column: str) -> dict:
        """{key: value} over two canonical columns (e.g. item code -> stock unit)."""
        spec = _input_table(table)
        spec.column(key_column), spec.column(value_column)  # schema names only
        sql = f"SELECT {quote(key_column)}, {quote(value_column)} FROM {quote(table)}"
        return self._cached(table, sql, dict)

    def _cached(self, table: str, sql: str, build: Callable[[list], object]) -> Any:
        """Master data asked for by every file (known item codes …), read again only
        after a write: ours to that table, or any other connection's commit, which
        SQLite's data_version reports."""
        version = (self.conn.execute("PRAGMA data_version").fetchone()[0],
                   self._writes.get(table, 0))
        hit = self._cache.get(sql)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = build(self.conn.execute(sql).fetchall())
        self._cache[sql] = (version, value)
        return value

    def status(self, recent: int = 10) -> StoreStatus:
        """Counts, the change-log position and the latest batches and rejected files."""
        count = self._scalar
        tables = {name: count(f"SELECT COUNT(*) FROM {quote(name)}") for name in INPUT_TABLES}
        return StoreStatus(
            path=self.path, version=self.version,
            last_seq=count('SELECT COALESCE(MAX("seq"), 0) FROM "_changes"'),
            tables={name: n for name, n in tables.items() if n},
            batches=count('SELECT COUNT(*) FROM "_batches"'),
            journal=count('SELECT COUNT(*) FROM "_journal"'),
            rejected=count('SELECT COUNT(*) FROM "_rejected"'),
            recent_batches=self._recent("_batches", "batch", recent),
            recent_rejected=self._recent("_rejected", "id", recent))

    def _scalar(self, sql: str) -> int:
        return int(self.conn.execute(sql).fetchone()[0])

    def _recent(self, table: str, order: str, limit: int) -> list[dict[str, object]]:
        cursor = self.conn.execute(
            f"SELECT * FROM {quote(table)} ORDER BY {quote(order)} DESC LIMIT ?", (limit,))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


def reader_columns(spec: Table) -> list[str]:
    """What a reader of a canonical table gets: its columns, then the provenance."""
    return [*spec.column_names, *PROVENANCE]


def column_sql(name: str) -> str:
    """A reader column in `select_rows`' query: the row's own, or its batch's."""
    if name in BATCH_PROVENANCE:
        return f'b.{quote(BATCH_PROVENANCE[name])}'
    return f"t.{quote(name)}"


def select_rows(spec: Table) -> str:
    """SELECT of `reader_columns` (a schema table `t` joined to its load `b`), to which
    callers add WHERE/ORDER BY over `column_sql` names."""
    select = ", ".join(column_sql(c) for c in reader_columns(spec))
    return (f'SELECT {select} FROM {quote(spec.name)} t '
            f'LEFT JOIN "_batches" b ON b."batch" = t."_batch"')


def check_columns(spec: Table, names: Iterable[str]) -> None:
    """Refuse a filter on a column readers do not have (names never reach SQL otherwise)."""
    allowed = reader_columns(spec)
    unknown = [c for c in names if c not in allowed]
    if unknown:
        raise UsageError(f"{spec.name} has no column {', '.join(unknown)} — columns: "
                         + ", ".join(allowed))


def _input_table(name: str) -> Table:
    if name not in INPUT_TABLES:
        raise UsageError(f"the store has no table {name!r} — tables: "
                         + ", ".join(sorted(INPUT_TABLES)))
    return TABLES[name]


def _loads(text: str | None) -> dict[str, object] | None:
    return None if text is None else json.loads(text)


def from_db(spec: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Stored values back to the reader's types (the inverse of `batch.to_db`)."""
    out = frame.copy()
    for column in spec.columns:
        values = frame[column.name]
        if column.type == "date":
            text = values.where(values.astype(bool) & values.notna(), None)
            out[column.name] = pd.to_datetime(text, format="%Y-%m-%d").astype("datetime64[ns]")
        elif column.type == "number":
            out[column.name] = pd.to_numeric(values).astype("float64")
        elif column.type == "integer":
            out[column.name] = pd.array(values, dtype="Int64")
        elif column.type == "bool":
            out[column.name] = values.fillna(0).astype("int64").astype(bool)
        else:
            out[column.name] = values.fillna("").astype(object)
    out["_row"] = pd.array(frame["_row"], dtype="Int64")
    out["_batch"] = pd.array(frame["_batch"], dtype="Int64")
    return out


__all__ = ["ENTITIES", "ROW", "BatchResult", "Change", "Provenance", "Store", "StoreStatus",
           "check_columns", "column_sql", "default_store_path", "iso_utc", "reader_columns",
           "select_rows"]
