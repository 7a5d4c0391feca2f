"""Load one batch of typed rows into one canonical table: diff, upsert, change log.

Runs inside the store's write transaction (see `Store.load_batch`). A batch comes from
one platform and touches only that platform's copy of each record (the stored key is
business key + platform, `migrations.stored_key`). It is compared with the stored rows of
the same keys in pandas, so only new and changed rows are written and only they reach
the change log; an unchanged row writes nothing but a newer "as of".

Values cross into SQL as parameters; every identifier comes from the schema and is quoted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.schema import ROW, Table
from agent import changelog
from agent.migrations import ROW_PROVENANCE, column_ddl, quote, stored_key

STAGE = "_stage_keys"  # temp table of the batch's keys, joined to find the stored rows
CHUNK_ROWS = 100_000    # rows turned into SQL parameters (or JSON) at a time


@dataclass(frozen=True)
class Provenance:
    """Where a batch comes from. `as_of` is the export time of the file (ISO UTC text,
    see `iso_utc`); `snapshot` means the file lists every row the platform has, so the
    platform's older rows missing from it are deleted."""

    platform: str
    file: str
    sha256: str
    as_of: str
    profile: str = ""
    snapshot: bool = False


@dataclass(frozen=True)
class BatchResult:
    """What one load did. `duplicate`: the file was loaded before (batch is that load)."""

    table: str
    batch: int
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    deleted: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    duplicate: bool = False

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


def to_db(spec: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Typed canonical columns as SQL parameter values (object columns, None for NULL)."""
    out = {}
    for column in spec.columns:
        values = frame[column.name]
        in_key = column.name in spec.key
        if column.type == "date":
            values = values.dt.strftime("%Y-%m-%d")
        elif column.type == "bool":
            values = values.astype("int64")
        elif column.type == "integer":
            values = values.astype("Int64")
        values = values.astype(object)
        blank = pd.isna(values).to_numpy(dtype=bool)
        if blank.any():
            values = values.copy()
            # see migrations.column_ddl: key parts are never NULL
            values[blank] = (0 if column.type in ("number", "integer") else "") \
                if in_key else None
        out[column.name] = values.to_numpy(dtype=object)
    return pd.DataFrame(out, index=frame.index)


def load(conn: sqlite3.Connection, spec: Table, frame: pd.DataFrame, prov: Provenance,
         batch: int) -> BatchResult:
    """Apply `frame` (a typed table with `_row`) as batch `batch`; inside a transaction."""
    key = list(spec.key)
    new = to_db(spec, frame).reset_index(drop=True)
    if new.duplicated(key).any():
        raise ValueError(f"batch for {spec.name} repeats a key; validate before loading")
    new[ROW] = frame[ROW].to_numpy(dtype="int64").tolist() if ROW in frame else None
    staged = _stage(conn, spec, new[key])
    stored = (_stored_rows(conn, spec, prov.platform) if staged
              else pd.DataFrame(columns=_stored_columns(spec)))
    diff = _diff(spec, new, stored, prov)
    provenance = {"_platform": prov.platform, "_batch": batch, "_as_of": prov.as_of}
    first = changelog.last_seq(conn) + 1
    # New rows first, logged straight from the table; then updates, confirmations,
    # deletions, each logged in that order.
    before = conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {quote(spec.name)}"
                          ).fetchone()[0]
    _write(conn, spec, new[diff.insert], provenance, upsert=False)
    changelog.log_inserted(conn, spec.name, stored_key(spec),
                           [*spec.column_names, "_platform"], before, batch)
    _write(conn, spec, new[diff.update], provenance, upsert=True)
    _confirm(conn, spec, new.loc[diff.confirm, key], prov)
    deleted = (_delete_missing(conn, spec, prov, staged) if prov.snapshot
               else pd.DataFrame(columns=[*spec.column_names, "_platform"]))
    _log_changes(conn, spec, new.assign(_platform=prov.platform), stored, diff, deleted,
                 batch)
    last = changelog.last_seq(conn)
    return BatchResult(spec.name, batch, rows=len(new), inserted=int(diff.insert.sum()),
                       updated=int(diff.update.sum()), unchanged=int(diff.unchanged.sum()),
                       stale=int(diff.stale.sum()), deleted=len(deleted),
                       first_seq=first if last >= first else None,
                       last_seq=last if last >= first else None)


@dataclass
class _Diff:
    insert: np.ndarray     # key not stored yet
    update: np.ndarray     # stored, values differ, not older than the stored row
    unchanged: np.ndarray  # stored with the same values
    stale: np.ndarray      # the stored row is newer: left alone
    confirm: np.ndarray    # unchanged rows whose stored "as of" moves forward
    differs: np.ndarray    # rows × value columns: which values changed


def _value_columns(spec: Table) -> list[str]:
    return [c for c in spec.column_names if c not in spec.key]


def _diff(spec: Table, new: pd.DataFrame, stored: pd.DataFrame, prov: Provenance) -> _Diff:
    n = len(new)
    values = _value_columns(spec)
    if stored.empty:
        nothing = np.zeros(n, dtype=bool)
        return _Diff(~nothing, nothing, nothing, nothing, nothing,
                     np.zeros((n, len(values)), dtype=bool))
    old = new[list(spec.key)].merge(stored, on=list(spec.key), how="left", indicator=True)
    exists = (old["_merge"] == "both").to_numpy()
    differs = np.zeros((n, len(values)), dtype=bool)
    for j, column in enumerate(values):
        a, b = new[column], old[column]
        same = (a == b).to_numpy(dtype=bool) | (pd.isna(a) & pd.isna(b)).to_numpy(dtype=bool)
        differs[:, j] = ~same
    older = (old["_as_of"].fillna("") > prov.as_of).to_numpy(dtype=bool)
    stale = exists & older
    changed = differs.any(axis=1)
    update = exists & changed & ~stale
    unchanged = exists & ~changed & ~stale
    confirm = unchanged & (old["_as_of"].fillna("") < prov.as_of).to_numpy(dtype=bool)
    return _Diff(~exists, update, unchanged, stale, confirm, differs)


def _stored_columns(spec: Table) -> list[str]:
    return [*spec.column_names, "_as_of"]


def _stage_name(spec: Table) -> str:
    return quote(f"{STAGE}_{spec.name}")


def _stage(conn: sqlite3.Connection, spec: Table, keys: pd.DataFrame) -> bool:
    """Put the batch's keys in this table's temp stage; False when nothing can match
    (an empty batch or table), so the joins below are skipped. The stage table is kept
    per connection and emptied, not dropped: DDL would make SQLite re-prepare every
    cached statement, a cost each small file would pay."""
    if keys.empty or conn.execute(f"SELECT 1 FROM {quote(spec.name)} LIMIT 1"
                                  ).fetchone() is None:
        return False
    stage = _stage_name(spec)
    ddl = ", ".join(column_ddl(spec.column(k), in_key=True) for k in spec.key)
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({ddl})")
    conn.execute(f"DELETE FROM temp.{stage}")
    marks = ", ".join("?" * len(spec.key))
    conn.executemany(f"INSERT INTO temp.{stage} VALUES ({marks})", _tuples(keys))
    return True


def _stored_rows(conn: sqlite3.Connection, spec: Table, platform: str) -> pd.DataFrame:
    """The platform's stored rows (values, _as_of) whose keys are on the stage."""
    columns = _stored_columns(spec)
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in spec.key)
    select = ", ".join(f"t.{quote(c)}" for c in columns)
    cursor = conn.execute(f"SELECT {select} FROM {quote(spec.name)} t "
                          f"JOIN temp.{_stage_name(spec)} s ON {join} "
                          f'AND t."_platform" = ?', (platform,))
    return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)


def _write(conn: sqlite3.Connection, spec: Table, rows: pd.DataFrame,
           provenance: dict[str, object], *, upsert: bool) -> None:
    """Insert new rows (a plain INSERT: the diff found no stored row, under the write
    lock, so a conflict would be a bug and fails loudly) or update changed ones."""
    if rows.empty:
        return
    names = [*spec.column_names, *ROW_PROVENANCE]
    target = quote(spec.name)
    sql = (f"INSERT INTO {target} ({', '.join(quote(c) for c in names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    if upsert:
        keys = ", ".join(quote(k) for k in stored_key(spec))
        sets = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in names
                         if c not in stored_key(spec))
        # The WHERE repeats the as-of guard in SQL, so that it holds whatever the diff
        # decided.
        sql += (f" ON CONFLICT ({keys}) DO UPDATE SET {sets} "
                f"WHERE {target}.\"_as_of\" <= excluded.\"_as_of\"")
    data = rows[spec.column_names].assign(_platform=provenance["_platform"], _row=rows[ROW],
                                          _batch=provenance["_batch"],
                                          _as_of=provenance["_as_of"])
    conn.executemany(sql, _tuples(data))


def _tuples(frame: pd.DataFrame) -> Iterator[tuple]:
    """Rows as plain Python tuples, a chunk of columns-as-lists at a time (`itertuples`
    boxes every cell through pandas; whole-frame lists would double a big file's
    memory)."""
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start:start + CHUNK_ROWS]
        yield from zip(*(part[c].tolist() for c in part.columns), strict=True)


def _confirm(conn: sqlite3.Connection, spec: Table, keys: pd.DataFrame,
             prov: Provenance) -> None:
    """Move the "as of" of unchanged rows forward, so a later-arriving export that is
    older than this one (but newer than the stored value) cannot overwrite it."""
    if keys.empty:
        return
    where = " AND ".join(f"{quote(k)} = ?" for k in stored_key(spec))
    conn.executemany(f'UPDATE {quote(spec.name)} SET "_as_of" = ? WHERE {where}',
                     ((prov.as_of, *k, prov.platform) for k in _tuples(keys)))


def _delete_missing(conn: sqlite3.Connection, spec: Table, prov: Provenance,
                    staged: bool) -> pd.DataFrame:
    """Snapshot files: the platform's older rows whose keys the file no longer lists
    (all of them when the file lists none)."""
    table = quote(spec.name)
    match = " AND ".join(f"s.{quote(k)} = t.{quote(k)}" for k in spec.key)
    missing = (f"NOT EXISTS (SELECT 1 FROM temp.{_stage_name(spec)} s WHERE {match})"
               if staged else "1 = 1")
    condition = f't."_platform" = ? AND t."_as_of" < ? AND {missing}'
    select = ", ".join(f"t.{quote(c)}" for c in [*spec.column_names, "_platform"])
    rows = conn.execute(f"SELECT {select} FROM {table} t WHERE {condition}",
                        (prov.platform, prov.as_of)).fetchall()
    if rows:
        # The alias makes one condition serve the SELECT above and the DELETE.
        conn.execute(f"DELETE FROM {table} WHERE rowid IN "
                     f"(SELECT t.rowid FROM {table} t WHERE {condition})",
                     (prov.platform, prov.as_of))
    return pd.DataFrame(rows, columns=[*spec.column_names, "_platform"], dtype=object)


def _log_changes(conn: sqlite3.Connection, spec: Table, new: pd.DataFrame,
                 stored: pd.DataFrame, diff: _Diff, deleted: pd.DataFrame, batch: int) -> None:
    """Update and delete records keyed by business key and platform (`new` and `deleted`
    carry `_platform`), so a consumer knows whose copy changed."""
    key, values = list(spec.key), _value_columns(spec)
    logged = stored_key(spec)
    if diff.update.any():
        positions = np.flatnonzero(diff.update)
        after = new.iloc[positions].reset_index(drop=True)
        before = after[key].merge(stored, on=key, how="left")
        changelog.append(conn, changelog.update_records(
            spec.name, logged, values, before, after, diff.differs[positions], batch))
    changelog.append(conn, changelog.delete_records(spec.name, logged, deleted, batch))
