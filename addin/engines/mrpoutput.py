"""Turn a finished MRP run into the result tables of the schema (planned orders, MRP
record, pegging, exceptions). Phantoms' pass-through orders are internal: they appear in
no table, and pegging runs through them to the end demands.

Planned order ids are "PL" and a zero-padded running number, in the order of item code,
tracking number and need date (then the order sizing made them in), so the same input
gives the same ids.
Frames are built without consolidating columns (`copy=False`): at a million rows the
copy pandas would make costs a second and hundreds of megabytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from addin.engines.netting import runs
from addin.engines.timeaxis import to_dates
from addin.issues import Issue
from addin.schema import TABLES

if TYPE_CHECKING:
    from addin.engines.mrprun import Run

ORDER_TYPE = {"purchased": "purchase", "manufactured": "production",
              "subcontracted": "subcontract"}
_FIELD = re.compile(r"\{(\w+)\}")
_SHOWN_REFS = 3  # pegged_demands lists this many demands, then "+n"
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def _frame(name: str, columns: dict[str, object]) -> pd.DataFrame:
    """A result frame in the schema's column order; text columns object dtype."""
    out = {}
    for column in TABLES[name].columns:
        values = columns[column.name]
        if column.type in ("text", "choice"):
            values = pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)
        out[column.name] = values
    return pd.DataFrame(out, copy=False)


def _take(parts: list[dict[str, np.ndarray]], name: str, dtype: object = None) -> np.ndarray:
    """One column of per-level parts, concatenated; the parts' arrays are released."""
    if not parts:
        return np.zeros(0, dtype=dtype or np.int64)
    return np.concatenate([p.pop(name) for p in parts])


def number_text(values: np.ndarray) -> np.ndarray:
    """Numbers as a person writes them: 80 not 80.0, at most 6 decimals."""
    values = np.round(np.asarray(values, dtype=float), 6)
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 1e15)
    text = np.where(whole, np.where(whole, values, 0).astype(np.int64).astype(str),
                    values.astype(str))
    return text.astype(object)


def running_ids(prefix: str, n: int) -> np.ndarray:
    """prefix00001, prefix00002, …: one string join per id from two small tables of
    digit strings (a million f-strings cost a second)."""
    width = max(5, len(str(n)))
    low = np.array([f"{k:03d}" for k in range(1000)], dtype=object)
    high = np.array([f"{prefix}{k:0{width - 3}d}" for k in range(n // 1000 + 1)], dtype=object)
    k = np.arange(1, n + 1)
    return high[k // 1000] + low[k % 1000]


class Output:
    """Builds the result frames from a run, releasing the run's arrays as it goes."""

    def __init__(self, run: Run, lang: str) -> None:
        self.run, self.lang = run, lang
        self.items = run.data.items
        self.codes = self.items["item_code"].to_numpy(dtype=object)
        self.tracking = run.data.tracking
        parts, run.orders = run.orders, []
        key = {k: _take(parts, k) for k in ("id", "item", "trk", "need_day", "release_day")}
        shown = np.flatnonzero(~run.phantom[key["item"]])
        group = key["item"][shown] * len(self.tracking) + key["trk"][shown]
        # parts come in id order, so a stable sort keeps the pieces of a split order
        # (same group and day) in the order they were sized
        order = shown[np.argsort(group * (1 << 24) + (key["need_day"][shown] - run.axis.start),
                                 kind="stable")]
        # column by column, so only one column is ever held twice
        self.orders = {k: v[order] for k, v in key.items()}
        for k in ("qty", "need", "late"):
            self.orders[k] = _take(parts, k, float)[order]
        self.ids = running_ids("PL", order.size)
        self.pos_of = np.full(run.next_id, -1, np.int64)
        self.pos_of[self.orders["id"]] = np.arange(self.ids.size)
        self.ends = self._ends()

    def order_refs(self, internal: np.ndarray) -> np.ndarray:
        """Planned order ids of internal order numbers."""
        pos = self.pos_of[internal]
        return np.where(pos >= 0, self.ids[np.maximum(pos, 0)] if self.ids.size else "", "")

    def _ends(self) -> dict[str, np.ndarray]:
        ends = pd.concat([self.run.data.ends, *self.run.extra_ends], ignore_index=True)
        refs = ends["demand_ref"].to_numpy(dtype=object).copy()
        excess = ends["order"].to_numpy() >= 0
        refs[excess] = self.order_refs(ends["order"].to_numpy()[excess])
        kinds = ends["demand_type"].to_numpy(dtype=object)
        column = TABLES["pegging"].column("demand_type")
        label = {k: column.choice_label(k, self.lang) for k in ("safety_stock", "lot_excess")}
        shown = refs.copy()
        for kind, text in label.items():
            shown[kinds == kind] = text
        return {"type": kinds, "ref": refs, "item": ends["item"].to_numpy(),
                "day": ends["day"].to_numpy(), "shown": shown}

    def pegging(self) -> pd.DataFrame:
        pegs = self.run.pegs
        self.run.pegs = None
        pos = self.pos_of[pegs.order]
        keep = np.flatnonzero(pos >= 0)
        span = len(self.ends["ref"]) + 1
        end = pegs.end[keep]
        order = np.argsort(pos[keep] * span + end)
        pos, end = pos[keep][order], end[order]
        qty = np.round(pegs.qty[keep][order], 6)
        del pegs, keep, order
        # the order texts first: their temporary strings peak before the frame exists
        self.pegged = self._pegged_text(pos, end)
        if pos.size:  # rounding remainder onto each order's last line: totals reconcile
            last = np.flatnonzero(np.append(pos[1:] != pos[:-1], True))
            total = np.bincount(pos, weights=qty, minlength=self.ids.size)
            qty[last] = np.round(qty[last] + self.orders["qty"][pos[last]] - total[pos[last]], 6)
        e = self.ends
        return _frame("pegging", {
            "order_id": self.ids[pos], "item_code": self.codes[self.orders["item"][pos]],
            "demand_type": e["type"][end], "demand_ref": e["ref"][end],
            "demand_item": self.codes[e["item"][end]], "demand_date": to_dates(e["day"][end]),
            "qty": qty})

    def _pegged_text(self, pos: np.ndarray, end: np.ndarray) -> np.ndarray:
        """First few demands of each order, comma separated, "+n" for the rest."""
        n = self.ids.size
        text = np.full(n, "", dtype=object)
        shown = self.ends["shown"]
        first, last = runs(pos, n)
        count = last - first
        listed = ", " + shown  # one join per extra demand instead of two
        for k in range(_SHOWN_REFS):
            has = np.flatnonzero(count > k)
            rows = end[first[has] + k]
            text[has] = shown[rows] if k == 0 else text[has] + listed[rows]
        more = np.flatnonzero(count > _SHOWN_REFS)
        text[more] = text[more] + " +" + (count[more] - _SHOWN_REFS).astype(str).astype(object)
        return text

    def planned_orders(self) -> pd.DataFrame:
        o, axis = self.orders, self.run.axis
        kind = self.run.kind[o["item"]]
        bought = kind == "purchased"
        supplier = self.items["supplier"].to_numpy(dtype=object)[o["item"]]
        order_type = np.full(kind.size, "", dtype=object)
        for source, target in ORDER_TYPE.items():
            order_type[kind == source] = target
        return _frame("planned_orders", {
            "order_id": self.ids, "item_code": self.codes[o["item"]],
            "item_name": self.items["item_name"].to_numpy(dtype=object)[o["item"]],
            "order_type": order_type, "qty": o["qty"],
            "release_date": to_dates(o["release_day"]), "need_date": to_dates(o["need_day"]),
            "supplier_code": np.where(bought | (kind == "subcontracted"), supplier, ""),
            # a subcontracted item's purchase price is read as the processing fee
            "unit_price": np.where(bought | (kind == "subcontracted"),
                                   self.items["price"].to_numpy()[o["item"]], 0.0),
            "tracking_no": self.tracking[o["trk"]], "past_due": o["late"] > 0,
            "pegged_demands": self.pegged, "need_qty": o["need"],
            "release_bucket": axis.labels(axis.floor(o["release_day"])),
            "need_bucket": axis.labels(o["need_day"]),
            "past_due_days": o["late"].astype(float)})

    def record(self) -> pd.DataFrame:
        parts, self.run.records = self.run.records, []
        item, trk = _take(parts, "item"), _take(parts, "trk")
        bucket = _take(parts, "bucket")
        start = self.run.axis.start
        order = np.argsort((item * len(self.tracking) + trk) * (1 << 24) + (bucket - start))
        item, trk, bucket = item[order], trk[order], bucket[order]
        columns = {name: np.round(_take(parts, src, float)[order], 6) for name, src in (
            ("gross", "gross"), ("allocated", "alloc"), ("scheduled_receipts", "receipts"),
            ("projected_available", "available"), ("net", "net"),
            ("planned_receipts", "planned_receipts"), ("planned_releases", "planned_releases"))}
        return _frame("mrp_record", {
            "item_code": self.codes[item], "tracking_no": self.tracking[trk],
            "bucket": self.run.axis.labels(bucket), "bucket_start": to_dates(bucket),
            **columns, "safety_stock": self.items["ss"].to_numpy()[item] * (trk == 0)})

    def exceptions(self) -> pd.DataFrame:
        parts = self.run.exceptions
        if not parts:
            return _frame("exceptions", {c: np.zeros(0, dtype=object) for c in (
                "severity", "code", "item_code", "reference", "message", "tracking_no")} | {
                "date": to_dates(np.zeros(0, np.int64)), "qty": np.zeros(0),
                "days": np.zeros(0)})
        e = pd.concat(parts, ignore_index=True)
        refs = e["ref"].to_numpy(dtype=object).copy()
        by_order = e["order"].to_numpy() >= 0
        refs[by_order] = self.order_refs(e["order"].to_numpy()[by_order])
        e["ref"] = refs
        e["item_code"] = self.codes[e["item"].to_numpy()]
        rank = e["severity"].map(_SEVERITY_RANK).to_numpy()
        e = e.iloc[np.lexsort((e["ref"].to_numpy(dtype=str), e["day"].to_numpy(),
                               e["item_code"].to_numpy(dtype=str),
                               e["code"].to_numpy(dtype=str), rank))]
        return _frame("exceptions", {
            "severity": e["severity"], "code": e["code"], "item_code": e["item_code"],
            "reference": e["ref"], "date": to_dates(e["day"].to_numpy()),
            "qty": e["qty"].to_numpy(float), "days": e["days"].to_numpy(float),
            "message": render(e, self.lang, self.run.axis),
            "tracking_no": self.tracking[e["trk"].to_numpy()]})


def render(e: pd.DataFrame, lang: str, axis: object) -> np.ndarray:
    """Exception messages from the catalogue, filled in column-wise (one pass per code)."""
    out = np.empty(len(e), dtype=object)
    codes = e["code"].to_numpy(dtype=object)
    for code in sorted(set(codes)):
        mask = codes == code
        sub = e[mask]
        fields = {"item": sub["item_code"].to_numpy(dtype=object),
                  "ref": sub["ref"].to_numpy(dtype=object),
                  "qty": number_text(sub["qty"].to_numpy()),
                  "need": number_text(sub["need"].to_numpy()),
                  "days": number_text(sub["days"].to_numpy()),
                  "date": axis.labels(sub["day"].to_numpy())}
        # unknown fields render as "{name}", so this is the bare template of the code
        pieces = _FIELD.split(Issue(code).message(lang))
        text = np.full(int(mask.sum()), "", dtype=object)
        for k, piece in enumerate(pieces):
            text = text + (fields[piece] if k % 2 else piece)
        out[mask] = text
    return out
