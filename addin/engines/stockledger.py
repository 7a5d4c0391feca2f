"""The in-out summary 收发存汇总 (DOMAIN §9) from posted stock moves.

Per item and warehouse over a period [start, end]:

    opening = Stock sheet (at its unit cost, else standard cost, as posting values it)
              + every move dated before `start`
    in      = receipts of the period; out = issues of the period
    closing = opening + in − out                 (quantity and value)

Red documents stay on their own side, as accountants book them: a purchase return is a
negative receipt, a material return a negative issue; a reversal is a negative receipt
when it takes stock out, a negative issue when it brings stock back. A move type this
module does not know counts by its sign. So every move lands on exactly one side and the
identity holds by construction; the closing value is then checked against the moving-
average ledger's balance value at the period end (a difference is a warning).

Everything runs on integer key codes and `np.bincount`, no Python loop over moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from addin.issues import Issue, Message, register

IN_TYPES = frozenset({"purchase_receipt", "purchase_return", "product_receipt", "transfer_in"})
OUT_TYPES = frozenset({"material_issue", "supplement", "material_return", "transfer_out",
                       "scrap"})
KEY = ["item_code", "warehouse_code"]
TOLERANCE = 0.005  # money: half a cent

register({
    "report_unreconciled": Message(
        "{item} / {warehouse}：期末金额 {closing} 与明细账结存金额 {ledger} 不一致",
        "{item} / {warehouse}: closing value {closing} differs from the stock ledger's "
        "balance value {ledger}",
        "检查该物料的期初单价与过账单据", "Check the item's opening cost and its documents"),
})


@dataclass(frozen=True)
class Keyed:
    """Integer codes of (item, warehouse) shared by several frames."""

    items: np.ndarray      # item code per key
    warehouses: np.ndarray  # warehouse code per key
    codes: list[np.ndarray]  # one code array per frame, in the order given


def key_codes(*frames: pd.DataFrame) -> Keyed:
    """One compact code per (item, warehouse) over all `frames`, sorted by item then
    warehouse, so outputs come out in key order."""
    item = pd.concat([f["item_code"] for f in frames], ignore_index=True).astype(str)
    place = pd.concat([f["warehouse_code"] for f in frames], ignore_index=True).astype(str)
    item_id, item_uniques = pd.factorize(item, sort=True)
    place_id, place_uniques = pd.factorize(place, sort=True)
    joint = item_id.astype(np.int64) * max(len(place_uniques), 1) + place_id
    uniques, inverse = np.unique(joint, return_inverse=True)
    size = max(len(place_uniques), 1)
    items = np.asarray(item_uniques, dtype=object)[uniques // size]
    warehouses = np.asarray(place_uniques, dtype=object)[uniques % size]
    cuts = np.cumsum([0, *(len(f) for f in frames)])
    return Keyed(items, warehouses, [inverse[a:b] for a, b in pairwise(cuts)])


def opening_stock(stock: pd.DataFrame | None, items: pd.DataFrame | None) -> pd.DataFrame:
    """The Stock sheet per item and warehouse with its value: the sheet's unit cost when it
    has one, else the item's standard cost (the rule posting uses)."""
    if stock is None or stock.empty:
        return pd.DataFrame({"item_code": pd.Series(dtype=object),
                             "warehouse_code": pd.Series(dtype=object),
                             "qty": pd.Series(dtype=float), "value": pd.Series(dtype=float)})
    cost = stock["unit_cost"] if "unit_cost" in stock else pd.Series(np.nan, index=stock.index)
    if items is not None and len(items):
        standard = items.drop_duplicates("item_code").set_index("item_code")["standard_cost"]
        cost = cost.fillna(stock["item_code"].map(standard))
    qty = stock["qty"].astype(float)
    frame = pd.DataFrame({"item_code": stock["item_code"],
                          "warehouse_code": stock["warehouse_code"], "qty": qty,
                          "value": qty * cost.fillna(0.0).astype(float)})
    return frame.groupby(KEY, as_index=False, sort=True)[["qty", "value"]].sum()


def inbound(moves: pd.DataFrame) -> np.ndarray:
    """True where a move is on the receipts side of the summary."""
    kind = moves["doc_type"].astype(str)
    positive = moves["qty"].to_numpy(float) > 0
    known_in = kind.isin(IN_TYPES).to_numpy()
    known_out = kind.isin(OUT_TYPES).to_numpy()
    reversal = kind.eq("reversal").to_numpy()
    by_sign = np.where(reversal, ~positive, positive)
    return known_in | (~known_out & by_sign)


def stock_ledger_summary(moves: pd.DataFrame, opening: pd.DataFrame, start: pd.Timestamp,
                         end: pd.Timestamp, ledger: pd.DataFrame | None = None,
                         names: pd.Series | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Opening, in, out and closing per item and warehouse over [start, end] (dates
    inclusive). `opening` is `opening_stock(...)`; `ledger` (posting's) is what the
    closing value is checked against; `names` maps item code -> name."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    keyed = key_codes(opening, moves)
    size = len(keyed.items)
    open_code, move_code = keyed.codes
    dates = moves["doc_date"].to_numpy("datetime64[ns]")
    qty = moves["qty"].to_numpy(float)
    value = moves["value"].to_numpy(float)
    before = dates < np.datetime64(start)
    during = ~before & (dates <= np.datetime64(end))
    side_in = inbound(moves)

    def total(weights: np.ndarray, mask: np.ndarray | None = None,
              codes: np.ndarray = move_code) -> np.ndarray:
        if mask is not None:
            codes, weights = codes[mask], weights[mask]
        return np.bincount(codes, weights=weights, minlength=size)

    out = pd.DataFrame({"item_code": keyed.items, "warehouse_code": keyed.warehouses})
    out["opening_qty"] = total(opening["qty"].to_numpy(float), codes=open_code) + total(
        qty, before)
    out["opening_value"] = total(opening["value"].to_numpy(float), codes=open_code) + total(
        value, before)
    out["in_qty"] = total(qty, during & side_in)
    out["in_value"] = total(value, during & side_in)
    out["out_qty"] = -total(qty, during & ~side_in)
    out["out_value"] = -total(value, during & ~side_in)
    out["closing_qty"] = out["opening_qty"] + out["in_qty"] - out["out_qty"]
    out["closing_value"] = out["opening_value"] + out["in_value"] - out["out_value"]
    touched = (total(np.ones(len(moves)), before | during) > 0) | (
        total(np.ones(len(opening)), codes=open_code) > 0)
    out = out[touched].reset_index(drop=True)
    for name in ("opening_qty", "in_qty", "out_qty", "closing_qty"):
        out[name] = _clean(out[name].to_numpy(float), 1e-9)
    for name in ("opening_value", "in_value", "out_value", "closing_value"):
        out[name] = _clean(out[name].to_numpy(float), 1e-6)
    positive = out["closing_qty"] > 1e-9
    out["unit_cost"] = np.where(positive, out["closing_value"]
                                / out["closing_qty"].where(positive, 1.0), 0.0)
    out.insert(1, "item_name", out["item_code"].map(names).fillna("") if names is not None
               else "")
    issues = [] if ledger is None else _reconcile(out, ledger, end)
    return out, issues


def _clean(values: np.ndarray, eps: float) -> np.ndarray:
    """Round away float dust (1e-13) so a zero prints as 0, not -0.00."""
    return np.where(np.abs(values) < eps, 0.0, values)


def _reconcile(summary: pd.DataFrame, ledger: pd.DataFrame, end: pd.Timestamp) -> list[Issue]:
    """Closing values that differ from the ledger's last balance value up to `end`."""
    rows = ledger[pd.to_datetime(ledger["doc_date"]) <= end]
    last = rows.sort_values("seq", kind="stable").drop_duplicates(KEY, keep="last")
    merged = summary.merge(last[[*KEY, "balance_value"]], on=KEY, how="inner")
    off = (merged["closing_value"] - merged["balance_value"]).abs() > TOLERANCE + 1e-9 * (
        merged["balance_value"].abs())
    return [Issue("report_unreconciled", "warning", params={
        "item": r.item_code, "warehouse": r.warehouse_code,
        "closing": round(r.closing_value, 2), "ledger": round(r.balance_value, 2)})
        for r in merged[off].itertuples()]


def by_warehouse(summary: pd.DataFrame) -> pd.DataFrame:
    """Values per warehouse, for the Summary sheet."""
    columns = ["opening_value", "in_value", "out_value", "closing_value"]
    grouped = summary.groupby("warehouse_code", as_index=False, sort=True)[columns].sum()
    return grouped.round(2)
