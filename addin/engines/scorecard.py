"""Supplier scorecard and preferred supplier per item (DOMAIN §9).

Receipts (posted purchase receipts and receipt notices, which carry the supplier) are
matched to purchase order lines of the same supplier and item first in, first out: the
order lines in due-date order form a cumulative quantity line, and each receipt belongs
to the order line its first unit falls on (receipts carry no PO number). Then

* on-time rate   = qty received on or before the matched due date (+ tolerance days)
                   / qty received against an order;
* price variance = Σ qty × receipt price / Σ qty × PO price − 1;
* pass / acceptance rate from the inspections (per supplier, as `post` computes them);
* score (0–100) = 40 × acceptance + 40 × on-time + 20 × price score, the weights of a
  missing figure shared out over the others. The price score of a supplier is
  1 − max(price variance, 0); for an item it is the item's lowest average receipt price
  over this supplier's average price, so the cheapest supplier scores 1.

Suppliers of an item rank by score (then code); rank 1 is the suggestion, flagged as a
switch when it is not the item's current default supplier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = {"acceptance_rate": 40.0, "on_time_rate": 40.0, "price_score": 20.0}
_RECEIPT = ["doc_no", "line_no", "doc_date", "supplier_code", "item_code", "qty", "unit_cost"]


def receipts(tables: dict[str, pd.DataFrame], posted: set[str]) -> pd.DataFrame:
    """Posted receipts that name a supplier, oldest first."""
    parts = []
    for name in ("purchase_receipts", "receipt_notices"):
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        reverse = frame["reverses_doc_no"] if "reverses_doc_no" in frame else pd.Series(
            "", index=frame.index)
        keep = (frame["doc_no"].isin(posted) & reverse.fillna("").eq("")
                & frame["supplier_code"].fillna("").ne("") & (frame["qty"] > 0))
        parts.append(frame.loc[keep].reindex(columns=_RECEIPT))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_RECEIPT)
    out["doc_date"] = pd.to_datetime(out["doc_date"])
    out["qty"] = out["qty"].astype(float)
    out["unit_cost"] = out["unit_cost"].fillna(0.0).astype(float)
    return out.sort_values(["supplier_code", "item_code", "doc_date", "doc_no", "line_no"],
                           kind="stable", ignore_index=True)


def match_orders(received: pd.DataFrame, purchase_orders: pd.DataFrame | None
                 ) -> pd.DataFrame:
    """`received` with due_date and po_price of the order line each receipt falls on
    (NaT / NaN when the supplier never had an order for the item)."""
    by = ["supplier_code", "item_code"]
    received = received.assign(
        cum=received.groupby(by)["qty"].cumsum() - received["qty"]).reset_index(drop=True)
    if purchase_orders is None or purchase_orders.empty or received.empty:
        return received.assign(due_date=pd.NaT, po_price=np.nan)
    orders = purchase_orders[~purchase_orders["status"].fillna("open").eq("cancelled")]
    orders = orders.sort_values([*by, "due_date", "po_no", "line_no"], kind="stable",
                                ignore_index=True)
    orders = orders.assign(cum=orders.groupby(by)["qty"].cumsum() - orders["qty"],
                           po_price=orders["unit_price"].fillna(0.0).astype(float),
                           due_date=pd.to_datetime(orders["due_date"]))
    matched = pd.merge_asof(received.assign(order=np.arange(len(received))).sort_values("cum"),
                            orders[[*by, "cum", "due_date", "po_price"]].sort_values("cum"),
                            on="cum", by=by, direction="backward")
    return matched.sort_values("order").drop(columns="order").reset_index(drop=True)


def lateness(matched: pd.DataFrame) -> pd.DataFrame:
    """Days each matched receipt came after (+) or before (−) its due date."""
    rows = matched[matched["due_date"].notna()]
    return rows.assign(late_days=(rows["doc_date"] - rows["due_date"]).dt.days.astype(float))


def lead_time_sigma(matched: pd.DataFrame) -> pd.Series:
    """Per item: sample standard deviation of the lateness in days (≥ 2 receipts)."""
    late = lateness(matched)
    return late.groupby("item_code")["late_days"].std(ddof=1).dropna()


def _score(frame: pd.DataFrame) -> pd.Series:
    figures = frame[list(WEIGHTS)].to_numpy(float)
    weights = np.array(list(WEIGHTS.values()))
    present = ~np.isnan(figures)
    total = (np.where(present, figures, 0.0) * weights).sum(axis=1)
    share = (present * weights).sum(axis=1)
    return pd.Series(np.where(share > 0, total / np.where(share > 0, share, 1.0) * 100.0,
                              np.nan), index=frame.index).round(2)


def _rates(matched: pd.DataFrame, key: list[str], tolerance_days: int) -> pd.DataFrame:
    late = matched["doc_date"] > matched["due_date"] + pd.Timedelta(days=tolerance_days)
    priced = matched["po_price"].fillna(0.0) > 0
    work = matched.assign(
        ordered=np.where(matched["due_date"].notna(), matched["qty"], 0.0),
        on_time=np.where(matched["due_date"].notna() & ~late, matched["qty"], 0.0),
        paid=matched["qty"] * matched["unit_cost"],
        paid_priced=np.where(priced, matched["qty"] * matched["unit_cost"], 0.0),
        at_po=np.where(priced, matched["qty"] * matched["po_price"], 0.0))
    out = work.groupby(key, sort=True).agg(
        receipts=("doc_no", "size"), received_qty=("qty", "sum"), ordered=("ordered", "sum"),
        on_time=("on_time", "sum"), paid=("paid", "sum"), paid_priced=("paid_priced", "sum"),
        at_po=("at_po", "sum")).reset_index()
    out["on_time_rate"] = out["on_time"] / out["ordered"].where(out["ordered"] > 0)
    out["price_variance"] = out["paid_priced"] / out["at_po"].where(out["at_po"] > 0) - 1.0
    out["average_price"] = out["paid"] / out["received_qty"]
    return out


def supplier_scorecard(matched: pd.DataFrame, quality: pd.DataFrame | None,
                       names: pd.Series | None = None, tolerance_days: int = 0
                       ) -> pd.DataFrame:
    """One row per supplier with receipts or inspections, best score first."""
    out = _rates(matched, ["supplier_code"], tolerance_days)
    if quality is not None and len(quality.columns):
        rated = quality.set_index("supplier_code")[["pass_rate", "acceptance_rate"]]
        out = out.merge(rated, left_on="supplier_code", right_index=True, how="outer")
    else:
        out = out.assign(pass_rate=np.nan, acceptance_rate=np.nan)
    out = out[out["supplier_code"].fillna("").ne("")]
    out["receipts"] = out["receipts"].fillna(0).astype(int)
    out["received_qty"] = out["received_qty"].fillna(0.0)
    out["price_score"] = 1.0 - out["price_variance"].clip(lower=0.0)
    out["score"] = _score(out)
    out = out.sort_values(["score", "supplier_code"], ascending=[False, True],
                          na_position="last", kind="stable", ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["supplier_name"] = out["supplier_code"].map(names).fillna("") if names is not None \
        else ""
    for name in ("pass_rate", "acceptance_rate", "on_time_rate", "price_variance"):
        out[name] = out[name].astype(float).round(6)
    return out[["supplier_code", "supplier_name", "receipts", "received_qty", "pass_rate",
                "acceptance_rate", "on_time_rate", "price_variance", "score", "rank"]]


def preferred_suppliers(matched: pd.DataFrame, quality: pd.DataFrame | None,
                        items: pd.DataFrame, suppliers: pd.Series | None = None,
                        tolerance_days: int = 0) -> pd.DataFrame:
    """Per item, its suppliers ranked by score; rank 1 is the suggestion."""
    out = _rates(matched, ["item_code", "supplier_code"], tolerance_days)
    accepted = (quality.set_index("supplier_code")["acceptance_rate"]
                if quality is not None and len(quality.columns) and len(quality)
                else pd.Series(dtype=float))
    out["acceptance_rate"] = out["supplier_code"].map(accepted).astype(float)
    cheapest = out.groupby("item_code")["average_price"].transform("min")
    out["price_score"] = np.where(out["average_price"] > 0,
                                  cheapest / out["average_price"].where(
                                      out["average_price"] > 0), np.nan)
    out["score"] = _score(out)
    out = out.sort_values(["item_code", "score", "supplier_code"],
                          ascending=[True, False, True], na_position="last", kind="stable",
                          ignore_index=True)
    out["rank"] = out.groupby("item_code").cumcount() + 1
    master = items.drop_duplicates("item_code").set_index("item_code")
    current = master["default_supplier"] if "default_supplier" in master else pd.Series(
        dtype=object)
    out["current_supplier"] = out["item_code"].map(current).fillna("")
    out["switch"] = (out["rank"] == 1) & out["current_supplier"].ne(out["supplier_code"])
    out["item_name"] = out["item_code"].map(master["item_name"]).fillna("")
    out["supplier_name"] = out["supplier_code"].map(suppliers).fillna("") \
        if suppliers is not None else ""
    out["average_price"] = out["average_price"].round(4)
    return out[["item_code", "item_name", "rank", "supplier_code", "supplier_name", "score",
                "received_qty", "average_price", "on_time_rate", "acceptance_rate",
                "current_supplier", "switch"]]
