"""Order profit: revenue of an order line − cost of the tasks made for it."""

from __future__ import annotations

import pandas as pd
import pytest
from costing_frames import typed

from addin.engines.orderprofit import OUTPUT_COLUMNS, order_links, order_profit

ORDERS = typed("sales_orders", order_no=["SO1", "SO2", "SO3"], line_no=[1, 1, 1],
               customer_code=["C1", "C2", "C3"], item_code=["P", "P", "P"], qty=[50, 30, 5],
               shipped_qty=[40, 0, 0], due_date=["2026-11-30"] * 3, unit_price=[60, 50, 70],
               status=["open", "open", "cancelled"])
# T1 by tracking no (blank on the order = "SO1-1"), T2 by source order and line,
# T3 points at a cancelled order, T4 at nothing.
TASKS = typed("production_tasks", task_no=["T1", "T2", "T3", "T4"], item_code=["P"] * 4,
              qty=[50, 20, 5, 1], due_date=["2026-11-30"] * 4,
              tracking_no=["SO1-1", "", "SO3-1", ""], source_order_no=["", "SO2", "", ""],
              source_line_no=[0, 1, 0, 0])
COSTS = pd.DataFrame({"task_no": ["T1", "T2", "T3", "T4"],
                      "finished_cost": [2000.0, 900.0, 100.0, 10.0],
                      "completed_qty": [50.0, 20.0, 5.0, 1.0]})


def test_links_by_tracking_no_then_source_order():
    assert order_links(ORDERS, TASKS).values.tolist() == [["SO1", 1, "T1"], ["SO2", 1, "T2"]]


def test_revenue_cost_profit():
    """SO1: 40 shipped × 60 = 2,400 − 40 × 40.00 = 1,600 → 800 (33.33 %).
    SO2: nothing shipped yet → the 20 finished: 20 × 50 = 1,000 − 20 × 45.00 = 900 → 100."""
    out = order_profit(ORDERS, TASKS, COSTS)
    assert list(out.columns) == OUTPUT_COLUMNS
    rows = out.set_index("order_no")
    assert rows.loc["SO1", ["tasks", "qty", "revenue", "unit_cost", "cost", "profit"]
                    ].tolist() == ["T1", 40, 2400, 40, 1600, 800]
    assert rows.loc["SO1", "margin"] == pytest.approx(1 / 3)
    assert rows.loc["SO2", ["qty", "revenue", "cost", "profit", "margin"]].tolist() == [
        20, 1000, 900, 100, 0.1]


def test_no_linked_task_no_rows():
    assert order_profit(ORDERS, TASKS.iloc[3:], COSTS).empty
