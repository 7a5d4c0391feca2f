"""Subcontract receipt cost 委外加工成本 (DOMAIN §6, §7), as costing reads it from the
posted stock moves.

Posting (`addin.engines.subcontract`) books a subcontract receipt at consumed material
(standard usage at the supplier, at the cost it was issued to them) + processing fee,
the consumption as ``subcontract_consume`` moves and a later fee invoice at another
price as a value-only ``fee_adjustment`` 委外加工费补差 in the invoice's period. This
module only sorts those moves per order, product and period:

    material = − consumed value; fee = receipt value − material;
    fee adjustment = the period's fee_adjustment value;
    unit cost to date = cost of every period up to the row's / qty received to date.

Example: 100 kg issued at 5.00; 45 parts received at 2 kg each → 90 kg × 5.00 = 450 +
fee 45 × 3.00 = 135 → 585 (13.00 each); invoice at 3.20 next month → adjustment 9 →
13.20 each to date.

Moves are grouped by their ``order_no`` column (task_no when the moves have none).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OUTPUT_COLUMNS = ["order_no", "item_code", "period", "received_qty", "material_cost",
                  "fee", "fee_adjustment", "total_cost", "unit_cost"]
SUBCONTRACT_TYPES = ("subcontract_receipt", "subcontract_consume", "fee_adjustment")


def _order(moves: pd.DataFrame) -> pd.Series:
    order = moves["order_no"] if "order_no" in moves else pd.Series("", index=moves.index)
    order = order.astype(object).fillna("").astype(str)
    return order.where(order.ne(""), moves["task_no"].astype(object).fillna("").astype(str))


def subcontract_costs(moves: pd.DataFrame) -> pd.DataFrame:
    """Cost of subcontract receipts per order, product and period (OUTPUT_COLUMNS)."""
    rows = moves[moves["doc_type"].isin(SUBCONTRACT_TYPES)]
    kind = rows["doc_type"].to_numpy(dtype=object)
    order = _order(rows).to_numpy(dtype=object)
    value = rows["value"].to_numpy(float)
    frame = pd.DataFrame({
        "order_no": order, "item_code": rows["item_code"].astype(str).to_numpy(dtype=object),
        "period": pd.to_datetime(rows["doc_date"]).dt.strftime("%Y-%m").to_numpy(dtype=object),
        "received_qty": np.where(kind == "subcontract_receipt", rows["qty"], 0.0),
        "receipt": np.where(kind == "subcontract_receipt", value, 0.0),
        "material_cost": np.where(kind == "subcontract_consume", -value, 0.0),
        "fee_adjustment": np.where(kind == "fee_adjustment", value, 0.0)})
    # consumption moves name the component; the order's product names the row
    product = frame.loc[kind != "subcontract_consume"].drop_duplicates("order_no").set_index(
        "order_no")["item_code"]
    frame["item_code"] = np.where(kind == "subcontract_consume",
                                  frame["order_no"].map(product), frame["item_code"])
    frame = frame.dropna(subset=["item_code"])
    out = frame.groupby(["order_no", "item_code", "period"], as_index=False, sort=True)[
        ["received_qty", "receipt", "material_cost", "fee_adjustment"]].sum()
    out = out[(out[["received_qty", "receipt", "fee_adjustment"]].abs().sum(axis=1) > 0)]
    out["fee"] = (out["receipt"] - out["material_cost"]).round(2)
    out["total_cost"] = (out["receipt"] + out["fee_adjustment"]).round(2)
    to_date = out.groupby("order_no", sort=False)[["total_cost", "received_qty"]].cumsum()
    qty = to_date["received_qty"].to_numpy(float)
    out["unit_cost"] = np.divide(to_date["total_cost"].to_numpy(float), qty,
                                 out=np.full(len(out), np.nan), where=qty > 0)
    return out.reset_index(drop=True)[OUTPUT_COLUMNS]


def subcontract_unit_costs(costs: pd.DataFrame, period: object) -> pd.DataFrame:
    """What the period's subcontract receipts cost per item and element (material,
    subcontract fee incl. true-ups), to re-price their issues to parent tasks:
    item_code, qty, material, subcontract."""
    text = "" if period is None else str(period).strip()
    rows = costs[costs["period"].eq(text)] if text in set(costs["period"]) else costs
    rows = rows[rows["received_qty"] > 0]
    sums = rows.assign(subcontract=rows["fee"] + rows["fee_adjustment"]).groupby(
        "item_code", sort=True)[["received_qty", "material_cost", "subcontract"]].sum()
    return sums.rename(columns={"received_qty": "qty", "material_cost": "material"}
                       ).reset_index()
