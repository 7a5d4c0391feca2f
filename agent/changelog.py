"""The append-only change log: one record per inserted, updated or deleted row.

`key` is the row's business key and `_platform` (whose copy changed) as a JSON object;
an insert carries the whole new row in `new`, a delete the whole old row in `old`, an
update just the columns that changed (old -> new). Consumers pull "changes since seq N"
(see `Store.changes_since`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from agent.migrations import quote

CHUNK_ROWS = 100_000
INSERT_SQL = ('INSERT INTO "_changes" ("table_name", "key", "op", "old", "new", "batch") '
              "VALUES (?, ?, ?, ?, ?, ?)")


def json_records(frame: pd.DataFrame) -> list[str]:
    """One JSON object per row of a flat frame, encoded by pandas in C.

    pandas' own `lines=True` splits the records in Python (seconds per million rows);
    splitting on `},{"` is safe here because records are flat and a `"` inside a JSON
    string is always escaped, so that sequence only occurs between two records.
    Floats keep 15 significant digits (pandas' limit), plenty for quantities and money.
    """
    if frame.empty:
        return []
    text = frame.to_json(orient="records", force_ascii=False, double_precision=15)
    return ['{"' + part + "}" for part in text[3:-2].split('},{"')]


def dumps(values: dict[str, object]) -> str:
    return json.dumps(values, ensure_ascii=False, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _whole_rows(table: str, key: list[str], rows: pd.DataFrame, batch: int,
                op: str) -> Iterator[tuple]:
    """Records carrying whole rows (new on insert, old on delete), encoded a chunk at a
    time so that a million-row load never holds a million JSON texts at once."""
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows.iloc[start:start + CHUNK_ROWS]
        for k, v in zip(json_records(part[key]), json_records(part), strict=True):
            yield (table, k, op, None, v, batch) if op == "insert" else \
                (table, k, op, v, None, batch)


def log_inserted(conn: sqlite3.Connection, table: str, key: list[str], columns: list[str],
                 after_rowid: int, batch: int) -> None:
    """Log the rows inserted into `table` after rowid `after_rowid` (in rowid order, the
    order they were inserted in), the key and the whole new row built as JSON by SQLite
    itself: no per-row Python, which is most of a big load's change-log time. Names are
    schema identifiers, quoted; values never leave SQL."""
    def pairs(names: list[str]) -> str:
        return ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}', {quote(name)}"
                         for name in names)

    conn.execute(f'INSERT INTO "_changes" ("table_name", "key", "op", "old", "new", "batch") '
                 f"SELECT ?, json_object({pairs(key)}), 'insert', NULL, "
                 f"json_object({pairs(columns)}), ? FROM {quote(table)} "
                 f"WHERE rowid > ? ORDER BY rowid", (table, batch, after_rowid))


def delete_records(table: str, key: list[str], rows: pd.DataFrame,
                   batch: int) -> Iterator[tuple]:
    return _whole_rows(table, key, rows, batch, "delete")


def update_records(table: str, key: list[str], columns: list[str], before: pd.DataFrame,
                   after: pd.DataFrame, differs: np.ndarray, batch: int) -> list[tuple]:
    """old -> new of just the changed columns; `differs` is rows × `columns`."""
    keys = json_records(after[key])
    old_values = before[columns].to_numpy(dtype=object)
    new_values = after[columns].to_numpy(dtype=object)
    records = []
    for i, k in enumerate(keys):
        changed = np.flatnonzero(differs[i])
        old = {columns[j]: old_values[i, j] for j in changed}
        new = {columns[j]: new_values[i, j] for j in changed}
        records.append((table, k, "update", dumps(old), dumps(new), batch))
    return records


def append(conn: sqlite3.Connection, records: Iterable[tuple]) -> None:
    conn.executemany(INSERT_SQL, records)


def last_seq(conn: sqlite3.Connection) -> int:
    return conn.execute('SELECT COALESCE(MAX("seq"), 0) FROM "_changes"').fetchone()[0]
