"""Order profit 订单利润 (DOMAIN §7, §9): revenue of a sales order line − the cost of the
goods made for it.

A production task belongs to an order line through its tracking number 计划跟踪号 (MTO:
the order's tracking no, blank = "order-line") or, failing that, its source order and
line (line 0 = any line of the order for the task's item). The line's unit cost is the
finished cost of its tasks over their finished qty; the qty that earns is the shipped qty,
or while nothing is shipped the finished qty (at most the ordered qty). revenue = qty ×
price, cost = qty × unit cost, both to the cent; profit = revenue − cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.allocation import to_cents

OUTPUT_COLUMNS = ["order_no", "line_no", "customer_code", "item_code", "tasks", "qty",
                  "unit_price", "revenue", "unit_cost", "cost", "profit", "margin"]
_LINE = ["order_no", "line_no"]


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).fillna("").astype(str)


def order_links(orders: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """order_no, line_no, task_no for every task made for an order line."""
    lines = orders[~orders["status"].isin(("cancelled",))].assign(
        line_no=orders["line_no"].astype("int64"))
    ref = lines["order_no"].astype(str) + "-" + lines["line_no"].astype(str)
    tracking = _text(lines["tracking_no"]).where(_text(lines["tracking_no"]).ne(""), ref)
    lines = lines.assign(tracking=tracking)
    tasks = tasks.assign(tracking=_text(tasks["tracking_no"]),
                         source=_text(tasks["source_order_no"]),
                         source_line=tasks["source_line_no"].fillna(0).astype("int64"))
    by_tracking = tasks[tasks["tracking"].ne("")].merge(
        lines[[*_LINE, "item_code", "tracking"]], on=["tracking", "item_code"])
    rest = tasks[tasks["tracking"].eq("") & tasks["source"].ne("")]
    by_source = rest.merge(lines[[*_LINE, "item_code"]], left_on=["source", "item_code"],
                           right_on=["order_no", "item_code"])
    by_source = by_source[by_source["source_line"].eq(0)
                          | by_source["source_line"].eq(by_source["line_no"])]
    both = pd.concat([by_tracking[[*_LINE, "task_no"]], by_source[[*_LINE, "task_no"]]],
                     ignore_index=True)
    return both.drop_duplicates().sort_values([*_LINE, "task_no"], ignore_index=True)


def order_profit(orders: pd.DataFrame, tasks: pd.DataFrame, task_costs: pd.DataFrame
                 ) -> pd.DataFrame:
    """One row per order line with costed tasks (OUTPUT_COLUMNS), sorted by order, line.

    `task_costs`: task_no, finished_cost, completed_qty of the period's tasks."""
    links = order_links(orders, tasks).merge(task_costs, on="task_no")
    if links.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})
    sums = links.groupby(_LINE, sort=True).agg(
        tasks=("task_no", ", ".join), finished=("finished_cost", "sum"),
        done=("completed_qty", "sum")).reset_index()
    head = orders.assign(line_no=orders["line_no"].astype("int64")).drop_duplicates(_LINE)
    rows = sums.merge(head[[*_LINE, "customer_code", "item_code", "qty", "shipped_qty",
                            "unit_price"]], on=_LINE, how="left")
    done = rows["done"].to_numpy(float)
    unit = np.divide(rows["finished"].to_numpy(float), done, out=np.zeros(len(rows)),
                     where=done > 0)
    shipped = rows["shipped_qty"].fillna(0.0).to_numpy(float)
    qty = np.where(shipped > 0, shipped, np.minimum(done, rows["qty"].to_numpy(float)))
    revenue = to_cents(qty * rows["unit_price"].fillna(0.0).to_numpy(float)) / 100.0
    cost = to_cents(qty * unit) / 100.0
    profit = np.round(revenue - cost, 2)
    return rows.assign(
        customer_code=_text(rows["customer_code"]), qty=qty, revenue=revenue,
        unit_cost=unit, cost=cost, profit=profit,
        margin=np.divide(profit, revenue, out=np.zeros(len(rows)), where=revenue != 0),
    )[OUTPUT_COLUMNS]
