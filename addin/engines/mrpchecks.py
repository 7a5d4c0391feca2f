"""Input checks of a planning run: the row-level problems that make a plan wrong.

Errors (the plan is not computed): BOM loops and BOM line errors, duplicate item codes,
items referenced by demand or supply that are not in the items sheet, negative
quantities, required dates that are blank or not dates. Warnings (the plan runs):
purchased/subcontracted items whose lead time is blank or 0 (planned as 0 days), lot
policies that contradict themselves (planned lot-for-lot), stock in unknown warehouses
(counted as normal nettable stock).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

import addin.engines.checks  # noqa: F401  (registers the "bom_cycle" message)
from addin.engines.bom import check_bom_lines
from addin.engines.bomgraph import find_cycles
from addin.engines.lotgroups import POLICY_COLUMNS, distinct_policies
from addin.engines.lotsizing import LotPolicy
from addin.issues import Issue, Message, plain_value, register
from addin.schema import ROW

_ITEM_TABLES = ("sales_orders", "forecasts", "purchase_orders", "production_tasks",
                "subcontract_orders", "stock", "allocations")
_QTY_COLUMNS = ("qty", "shipped_qty", "received_qty", "stocked_qty", "locked_qty",
                "pushed_qty")
_DATES = {"sales_orders": "due_date", "forecasts": "forecast_date",
          "purchase_orders": "due_date", "production_tasks": "due_date",
          "subcontract_orders": "due_date"}
_POLICY_SOURCE = {"rule": "lot_rule", "fixed_qty": "lot_size", "foq_single_lot": "lot_single",
                  "poq_periods": "poq_days", "setup_cost": "setup_cost",
                  "holding_cost": "holding_cost", "minimum": "min_order_qty",
                  "maximum": "max_order_qty", "multiple": "order_multiple",
                  "increment_over_min": "increment_over_min"}


def _rows(frame: pd.DataFrame) -> np.ndarray:
    """Excel row of every record (`_row`); frames built in code count from row 2."""
    if ROW in frame:
        return frame[ROW].to_numpy(dtype=np.int64)
    return np.arange(len(frame), dtype=np.int64) + 2


def _row_issues(frame: pd.DataFrame, mask: np.ndarray, code: str, sheet: str, column: str,
                severity: str = "error", **params: object) -> list[Issue]:
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    rows = _rows(frame)[positions]
    values = frame[column].iloc[positions].tolist() if column in frame else [None] * len(rows)
    return [Issue(code, severity, sheet, int(r), column, plain_value(v), dict(params))
            for r, v in zip(rows, values, strict=True)]


def check_plan_input(tables: Mapping[str, pd.DataFrame]) -> list[Issue]:
    """Every input problem of a planning run (see module docstring)."""
    items, bom = tables["items"], tables["bom"]
    issues = check_bom_lines(bom, items, tables.get("unit_conversions")) if len(bom) else []
    codes = items["item_code"].astype(object).astype(str).str.strip()
    issues += _row_issues(items, codes.duplicated(keep="first").to_numpy() & (codes != ""),
                          "mrp_duplicate_item", "items", "item_code")
    known = set(codes)
    for name in _ITEM_TABLES:
        frame = tables.get(name)
        if frame is None or not len(frame):
            continue
        code = frame["item_code"].astype(object).astype(str).str.strip()
        issues += _row_issues(frame, ~code.isin(known).to_numpy(), "mrp_unknown_item", name,
                              "item_code")
        for column in _QTY_COLUMNS:
            if column in frame:
                bad = (pd.to_numeric(frame[column], errors="coerce") < 0).fillna(False)
                issues += _row_issues(frame, bad.to_numpy(), "mrp_negative_qty", name, column)
        if name in _DATES:
            column = _DATES[name]
            bad = pd.to_datetime(frame[column], errors="coerce").isna().to_numpy()
            issues += _row_issues(frame, bad, "mrp_missing_date", name, column)
    return issues + _item_warnings(items) + _warehouse_warnings(tables)


def cycle_issues(bom: pd.DataFrame) -> list[Issue]:
    """One error per BOM loop, on the line that closes it (run only when levels show one:
    finding the loops costs more than levelling the BOM)."""
    return [Issue("bom_cycle", "error", "bom", c.row, "component_code", c.path(),
                  {"path": c.path(), "parent": c.parent, "component": c.component,
                   "length": len(c.codes)}) for c in find_cycles(bom)]


def _item_warnings(items: pd.DataFrame) -> list[Issue]:
    lead = pd.to_numeric(items["lead_time_days"], errors="coerce")
    bought = items["item_type"].isin(["purchased", "subcontracted"])
    issues = _row_issues(items, (lead.isna() | (bought & (lead == 0))).to_numpy(),
                         "mrp_no_lead_time", "items", "lead_time_days", "warning")
    policy = pd.DataFrame({k: items[v] for k, v in _POLICY_SOURCE.items()})
    policy = policy.fillna({k: 0.0 for k in POLICY_COLUMNS if k not in (
        "rule", "foq_single_lot", "increment_over_min")}).fillna({"rule": "LFL"})
    codes, policies = distinct_policies(policy)
    for k, values in enumerate(policies):
        try:
            LotPolicy(**values)
        except (ValueError, TypeError) as error:
            issues += _row_issues(items, codes == k, "mrp_lot_policy_invalid", "items",
                                  "lot_rule", "warning", reason=str(error))
    return issues


def _warehouse_warnings(tables: Mapping[str, pd.DataFrame]) -> list[Issue]:
    stock, warehouses = tables.get("stock"), tables.get("warehouses")
    if stock is None or not len(stock) or warehouses is None or not len(warehouses):
        return []
    known = set(warehouses["warehouse_code"].astype(str).str.strip())
    code = stock["warehouse_code"].astype(str).str.strip()
    return _row_issues(stock, (~code.isin(known)).to_numpy(), "mrp_unknown_warehouse", "stock",
                       "warehouse_code", "warning")


register({
    "mrp_unknown_item": Message(
        "物料 {value} 不在物料表中", "Item {value} is not in the items sheet",
        "在物料表中新增 {value}，或更正编码", "Add {value} to the items, or correct the code"),
    "mrp_negative_qty": Message(
        "数量 {value} 为负数", "Quantity {value} is negative",
        "填写 0 或正数", "Enter 0 or a positive quantity"),
    "mrp_missing_date": Message(
        "缺少日期或「{value}」不是日期", 'The date is missing or "{value}" is not a date',
        "用 Excel 日期或 2026-12-31 格式", "Use an Excel date or the form 2026-12-31"),
    "mrp_duplicate_item": Message(
        "物料编码 {value} 重复", "Item code {value} appears more than once",
        "删除或合并重复的物料行", "Delete or merge the repeated item rows"),
    "mrp_no_lead_time": Message(
        "提前期为空或为 0，按 0 天计划", "Lead time is blank or 0: planned as 0 days",
        "填写采购或委外提前期（天）", "Enter the purchase or subcontract lead time in days"),
    "mrp_lot_policy_invalid": Message(
        "批量规则参数有误（{reason}），按批对批计划",
        "The lot-sizing settings contradict each other ({reason}): planned lot-for-lot",
        "检查批量规则、固定批量、最小/最大订货量和批量增量",
        "Check the lot rule, lot size, minimum, maximum and multiple"),
    "mrp_unknown_warehouse": Message(
        "仓库 {value} 不在仓库表中，按普通可用仓计算",
        "Warehouse {value} is not in the warehouses sheet: counted as normal stock",
        "在仓库表中新增 {value} 并设置类型与是否参与 MRP",
        "Add {value} to the warehouses with its type and nettable flag"),
})
