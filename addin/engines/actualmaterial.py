"""Actual direct material per production task from the posted stock moves (DOMAIN §7).

Direct material of a task = issues + supplements − returns, at the cost the stock ledger
gave each move (moving average at the time of the issue). Moves come from
`addin.commands.post.post_tables` (columns: doc_type, doc_date, item_code,
warehouse_code, task_no, qty — out negative — and value). A reversal of an issue counts
against the task it names, as the issue did; a reversal of the task's own product receipt
does not (it is output, not input).

Kinds of material, per task and item:
* ``raw``        — anything bought or made outside this period's costing;
* ``rework``     — the task's own product issued to it (返修: its original cost stays);
* ``consigned``  — drawn from a warehouse that is not costed (受托加工 customer material:
                   counted and traced, never costed);
* ``semi_finished`` / ``subcontracted`` are set later by the multi-level transfer, for
  raw lines of items produced or subcontracted in the same period.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from addin.engines.allocation import to_cents
from addin.issues import Issue, Message, register

MATERIAL_TYPES = ("material_issue", "supplement", "material_return")
LINE_COLUMNS = ["cost_object", "item_code", "material_kind", "qty", "ledger_value",
                "unit_cost", "value"]
_MONTH = re.compile(r"^\d{4}-\d{2}$")

register({
    "cost_missing_issue_cost": Message(
        "任务 {task} 领用的 {value} 没有成本（出库金额为 0），无法计算直接材料",
        "{value} issued to task {task} has no cost (issued at 0), so its direct material "
        "cannot be costed",
        "在物料表填写 {value} 的标准成本（期初库存按它计价），或按单价录入其采购入库单",
        "Enter the standard cost of {value} on Items (its opening stock is priced at "
        "it), or enter its purchase receipt with a unit cost"),
    "cost_task_not_costed": Message(
        "任务 {value} 有领料（{amount}），但不在成本计算对象表中，未计入成本",
        "Task {value} has material issued ({amount}) but is not a cost object, so it was "
        "not costed",
        "在成本计算对象表中添加任务 {value}（成本中心、期间）",
        "Add task {value} to Cost objects (cost centre, period)"),
})


def in_period(dates: pd.Series, period: object) -> np.ndarray:
    """Moves of the period when it is written as a month (2026-11); every move otherwise."""
    text = "" if period is None else str(period).strip()
    if not _MONTH.match(text):
        return np.ones(len(dates), dtype=bool)
    return (pd.to_datetime(dates).dt.strftime("%Y-%m") == text).to_numpy()


def uncosted_warehouses(warehouses: pd.DataFrame | None) -> set[str]:
    """Warehouses whose stock is not the company's cost: flagged not costed, or the
    virtual warehouse of customer material."""
    if warehouses is None or warehouses.empty:
        return set()
    costed = warehouses["costed"].fillna(True).astype(bool)
    virtual = warehouses["warehouse_type"].eq("customer_virtual")
    return set(warehouses.loc[~costed | virtual, "warehouse_code"].astype(str))


def material_lines(moves: pd.DataFrame, products: pd.Series, period: object = None,
                   warehouses: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Net material used per task and item (LINE_COLUMNS), sorted by task and item.

    `products`: task (cost object) -> the item it makes, to tell rework and receipt
    reversals apart. Quantities and values are positive when consumed.
    """
    task = moves["task_no"].fillna("").astype(str)
    kind = moves["doc_type"].astype(str)
    product = task.map(products).fillna("").to_numpy(dtype=object)
    item = moves["item_code"].astype(str).to_numpy(dtype=object)
    reversal = (kind == "reversal").to_numpy() & (item != product)
    keep = ((kind.isin(MATERIAL_TYPES).to_numpy() | reversal) & task.ne("").to_numpy()
            & in_period(moves["doc_date"], period))
    picked = moves[keep]
    consigned = picked["warehouse_code"].astype(str).isin(uncosted_warehouses(warehouses))
    frame = pd.DataFrame({
        "cost_object": task[keep].to_numpy(dtype=object), "item_code": item[keep],
        "consigned": consigned.to_numpy(bool),
        "qty": -picked["qty"].to_numpy(float),
        "ledger_value": np.where(consigned, 0.0, -picked["value"].to_numpy(float))})
    lines = frame.groupby(["cost_object", "item_code", "consigned"], as_index=False,
                          sort=True)[["qty", "ledger_value"]].sum()
    lines["ledger_value"] = to_cents(lines["ledger_value"].to_numpy(float)) / 100.0
    own = lines["item_code"].to_numpy(dtype=object) == lines["cost_object"].map(
        products).fillna("").to_numpy(dtype=object)
    lines["material_kind"] = np.select([lines["consigned"].to_numpy(bool), own],
                                       ["consigned", "rework"], default="raw")
    qty = lines["qty"].to_numpy(float)
    value = lines["ledger_value"].to_numpy(float)
    lines["unit_cost"] = np.divide(value, qty, out=np.zeros(len(lines)), where=qty != 0)
    lines["value"] = value
    return lines[LINE_COLUMNS], _missing_costs(lines)


def _missing_costs(lines: pd.DataFrame) -> list[Issue]:
    """Material consumed at no cost: the ledger had nothing to price it with."""
    bad = ((lines["qty"] > 1e-9) & (lines["ledger_value"] <= 0)
           & lines["material_kind"].ne("consigned")).to_numpy()
    return [Issue("cost_missing_issue_cost", sheet="material_issues", column="item_code",
                  value=i, params={"task": t})
            for t, i in zip(lines["cost_object"].to_numpy()[bad],
                            lines["item_code"].to_numpy()[bad], strict=True)]


def uncosted_tasks(lines: pd.DataFrame, objects: pd.Index) -> list[Issue]:
    """Tasks with material but no cost object: their material would silently vanish."""
    stray = lines[~lines["cost_object"].isin(objects)]
    sums = stray.groupby("cost_object", sort=True)["value"].sum()
    return [Issue("cost_task_not_costed", "warning", "cost_objects", column="cost_object",
                  value=t, params={"amount": f"{a:,.2f}"}) for t, a in sums.items()]
