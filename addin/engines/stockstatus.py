"""Stock status per item at the period end (DOMAIN §2, §9).

From the closing stock per item and warehouse and the warehouse flags (as in U8):

* on hand        — own stock: every warehouse but the customer's virtual one 受托虚仓;
* available      — warehouses flagged nettable and available, never an inspection or a
                   customer warehouse (DOMAIN §2: stock in inspection never counts);
* allocated      — the Allocations sheet + what released tasks' material lists still
                   have to issue: max(0, required − issued before − issued since),
                   "issued since" being the posted issues + supplements − returns;
* free           — available − allocated (negative = over-allocated);
* in transit     — open purchase order lines: max(0, qty − received);
* in inspection / at suppliers / customer-owned — stock in warehouses of those types.

A warehouse missing from the Warehouses sheet counts as a normal, nettable one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ISSUE_TYPES = ("material_issue", "supplement", "material_return")
COLUMNS = ["on_hand_qty", "available_qty", "allocated_qty", "free_qty", "in_transit_qty",
           "inspection_qty", "at_supplier_qty", "customer_qty", "stock_value"]


def _flags(closing: pd.DataFrame, warehouses: pd.DataFrame | None) -> pd.DataFrame:
    spec = pd.DataFrame(columns=["warehouse_code", "warehouse_type", "nettable", "available"])
    if warehouses is not None and len(warehouses):
        spec = warehouses.reindex(columns=spec.columns).drop_duplicates("warehouse_code")
    spec = spec.set_index("warehouse_code")
    where = closing["warehouse_code"]
    kind = where.map(spec["warehouse_type"]).fillna("normal")
    nettable = where.map(spec["nettable"]).fillna(True).astype(bool)
    usable = where.map(spec["available"]).fillna(True).astype(bool)
    return pd.DataFrame({"kind": kind.to_numpy(object),
                         "usable": (nettable & usable & kind.isin(("normal", "at_supplier"))
                                    ).to_numpy(bool)})


def open_task_materials(materials: pd.DataFrame | None, tasks: pd.DataFrame | None,
                        moves: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    """Unissued requirement of released tasks per component (item code -> qty)."""
    if materials is None or materials.empty:
        return pd.Series(dtype=float)
    lists = materials
    if tasks is not None and len(tasks):
        released = tasks.loc[tasks["status"].eq("released"), "task_no"]
        lists = materials[materials["task_no"].isin(released)]
    posted = moves[moves["doc_type"].isin(ISSUE_TYPES)
                   & (pd.to_datetime(moves["doc_date"]) <= end)]
    issued = (-posted.groupby(["task_no", "item_code"])["qty"].sum()).rename("posted")
    index = pd.MultiIndex.from_frame(lists[["task_no", "component_code"]])
    since = issued.reindex(index).fillna(0.0).to_numpy(float)
    left = (lists["required_qty"].fillna(0.0).to_numpy(float)
            - lists["issued_qty"].fillna(0.0).to_numpy(float) - since)
    return pd.Series(np.maximum(left, 0.0), index=lists["component_code"].to_numpy(object)
                     ).groupby(level=0).sum()


def in_transit(purchase_orders: pd.DataFrame | None) -> pd.Series:
    """Open purchase order qty not yet received, per item."""
    if purchase_orders is None or purchase_orders.empty:
        return pd.Series(dtype=float)
    lines = purchase_orders[purchase_orders["status"].fillna("open").eq("open")]
    left = (lines["qty"].astype(float) - lines["received_qty"].fillna(0.0).astype(float)
            ).clip(lower=0.0)
    return left.groupby(lines["item_code"]).sum()


def stock_status(closing: pd.DataFrame, moves: pd.DataFrame, end: pd.Timestamp, *,
                 warehouses: pd.DataFrame | None = None,
                 allocations: pd.DataFrame | None = None,
                 materials: pd.DataFrame | None = None, tasks: pd.DataFrame | None = None,
                 purchase_orders: pd.DataFrame | None = None,
                 names: pd.Series | None = None) -> pd.DataFrame:
    """One row per item with stock, allocations or open receipts; columns of
    `STOCK_STATUS`. `closing` is the in-out summary (closing_qty, closing_value)."""
    flags = _flags(closing, warehouses)
    qty = closing["closing_qty"].to_numpy(float)
    kind = flags["kind"].to_numpy(object)
    own = kind != "customer_virtual"
    parts = pd.DataFrame({
        "item_code": closing["item_code"].to_numpy(object),
        "on_hand_qty": np.where(own, qty, 0.0),
        "available_qty": np.where(flags["usable"].to_numpy(bool), qty, 0.0),
        "inspection_qty": np.where(kind == "inspection", qty, 0.0),
        "at_supplier_qty": np.where(kind == "at_supplier", qty, 0.0),
        "customer_qty": np.where(~own, qty, 0.0),
        "stock_value": np.where(own, closing["closing_value"].to_numpy(float), 0.0)})
    stock = parts.groupby("item_code", sort=True).sum()
    allocated = open_task_materials(materials, tasks, moves, end)
    if allocations is not None and len(allocations):
        allocated = pd.concat([allocated, allocations.groupby("item_code")["qty"].sum()]
                              ).groupby(level=0).sum()
    transit = in_transit(purchase_orders)
    index = stock.index.union(allocated.index).union(transit.index).sort_values()
    out = stock.reindex(index, fill_value=0.0)
    out["allocated_qty"] = allocated.reindex(index).fillna(0.0)
    out["in_transit_qty"] = transit.reindex(index).fillna(0.0)
    out["free_qty"] = out["available_qty"] - out["allocated_qty"]
    out = out.rename_axis("item_code").reset_index()
    out = out[(out[COLUMNS].abs() > 1e-9).any(axis=1)].reset_index(drop=True)
    out.insert(1, "item_name", out["item_code"].map(names).fillna("") if names is not None
               else "")
    return out[["item_code", "item_name", *COLUMNS]]


def totals(status: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Total qty per measure (label in the run's language), for the Summary sheet."""
    return pd.DataFrame({"measure": [labels[c] for c in labels],
                         "qty": [round(float(status[c].sum()), 4) for c in labels]})
