"""Where reconciliation reads from — the store file itself or the store server — and a
run of every rule over it.

Incremental from the change feed: a run remembers the change-log position it saw;
the next run marks each finding whose rows changed since then (`changed`), so a user
reviews only what is new, and the summary counts it per rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from addin.errors import UsageError
from addin.schema import TABLES, Table
from agent import wire
from agent.migrations import stored_key
from agent.push import PushClient, fetch_rows
from agent.reconcile.engine import reconcile
from agent.reconcile.findings import CHANGED, RuleResult
from agent.reconcile.rules import Rule
from agent.store import Change, Store

PAGE = 10_000


class Source(Protocol):
    name: str

    def rows(self, table: str) -> pd.DataFrame: ...

    def last_seq(self) -> int: ...

    def changes(self, since: int) -> Iterator[Change]: ...


class StoreSource:
    """Read straight from a store file."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.name = str(store.path)

    def rows(self, table: str) -> pd.DataFrame:
        return self.store.rows(table)

    def last_seq(self) -> int:
        return self.store.status(recent=0).last_seq

    def changes(self, since: int) -> Iterator[Change]:
        while batch := self.store.changes_since(since, PAGE):
            yield from batch
            since = batch[-1].seq


class HttpSource:
    """Read from a store server with a read token."""

    def __init__(self, client: PushClient) -> None:
        self.client = client
        self.name = client.settings.url

    def rows(self, table: str) -> pd.DataFrame:
        return wire.typed_rows(TABLES[table], fetch_rows(self.client, table, page=PAGE))

    def last_seq(self) -> int:
        return int(self.client.get("/status")["last_seq"])

    def changes(self, since: int) -> Iterator[Change]:
        while True:
            page = self.client.get("/changes", {"since": since, "limit": PAGE})
            for c in page["changes"]:
                yield Change(c["seq"], c["table"], c["key"], c["op"], c["old"], c["new"],
                             c["batch"])
            since = page["next_since"]
            if not page["more"]:
                return


def changed_mask(rows: pd.DataFrame, spec: Table, changes: list[Change]) -> np.ndarray:
    """Rows whose key appears among `changes` (of any table; filtered here)."""
    mine = [c for c in changes if c.table == spec.name]
    if not mine or rows.empty:
        return np.zeros(len(rows), dtype=bool)
    key = stored_key(spec)
    wanted = {"\x1f".join(_key_part(c.key.get(k)) for k in key) for c in mine}
    text = None
    for k in key:
        part = _key_column(rows[k], spec.column(k).type if k in spec.key else None)
        text = part if text is None else text + "\x1f" + part
    return text.isin(wanted).to_numpy()


def _key_part(value: object) -> str:
    return "" if value is None else str(value)


def _key_column(values: pd.Series, kind: str | None) -> pd.Series:
    """A key column written as the change log writes it (JSON values as text)."""
    if kind == "date":
        return pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("")
    if kind == "integer":
        return values.astype("Int64").astype(str).replace("<NA>", "")
    return values.astype(object).where(values.notna(), "").astype(str)


@dataclass(frozen=True)
class Reconciliation:
    source: str
    results: list[RuleResult]
    last_seq: int
    since: int | None


def run(source: Source, rules: list[Rule], since: int | None = None) -> Reconciliation:
    """Every rule over the source; findings from rows changed after `since` are marked."""
    last = source.last_seq()
    changes = list(source.changes(since)) if since is not None and since < last else []
    mappings = source.rows("code_mappings")
    tables: dict[str, pd.DataFrame] = {}
    results = []
    for rule in rules:
        if rule.table not in tables:
            rows = source.rows(rule.table)
            rows[CHANGED] = changed_mask(rows, rule.spec, changes)
            tables[rule.table] = rows
        results.append(reconcile(rule, tables[rule.table], mappings))
    return Reconciliation(source.name, results, last, since)


def read_state(path: Path, source: str) -> int | None:
    """The change-log position the previous run over `source` saw, if it left one."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        seen = int(state["last_seq"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path} is not a reconciliation state file — delete it to "
                         "start afresh") from error
    return seen if state.get("source") == source else None


def write_state(path: Path, result: Reconciliation) -> None:
    path.write_text(json.dumps({"source": result.source, "last_seq": result.last_seq}),
                    encoding="utf-8")


__all__ = ["HttpSource", "Reconciliation", "Source", "StoreSource", "changed_mask",
           "read_state", "run", "write_state"]
