"""Standard vs actual variances: price, usage and efficiency (textbook formulas)."""

from __future__ import annotations

import numpy as np
import pytest
from costing_frames import typed

import addin.commands.cost  # noqa: F401  (registers the command)
from addin import commands
from addin.engines.costvariance import period_output

COLUMNS = ["output_qty", "standard_qty", "actual_qty", "standard_price", "actual_price",
           "standard_cost", "actual_cost", "price_variance", "usage_variance",
           "efficiency_variance", "total_variance"]


def _tables(**changes):
    """P = 2 A at standard 5.00; 0.5 labour hour at 20.00; overhead 8.00 per labour hour.
    Task T makes 100 P: 210 A issued at 5.10 (1,071), 55 hours, labour 1,155, overhead
    495."""
    tables = {
        "items": typed("items", item_code=["P", "A"], item_name=["p", "a"],
                       item_type=["manufactured", "purchased"], standard_cost=[0, 5]),
        "bom": typed("bom", parent_code=["P"], component_code=["A"], qty_numerator=[2]),
        "cost_standards": typed("cost_standards", item_code=["P"], labour_hours=[0.5],
                                labour_rate=[20], overhead_rate=[8]),
        "warehouses": typed("warehouses", warehouse_code=["W"], warehouse_name=["w"]),
        "purchase_receipts": typed("purchase_receipts", doc_no=["PR1"],
                                   doc_date=["2026-11-01"], item_code=["A"],
                                   warehouse_code=["W"], qty=[210], unit_cost=[5.1]),
        "production_tasks": typed("production_tasks", task_no=["T"], item_code=["P"],
                                  qty=[100], due_date=["2026-11-30"]),
        "material_issues": typed("material_issues", doc_no=["I1"], doc_date=["2026-11-02"],
                                 item_code=["A"], warehouse_code=["W"], qty=[210],
                                 task_no=["T"]),
        "product_receipts": typed("product_receipts", doc_no=["R1"], doc_date=["2026-11-20"],
                                  item_code=["P"], warehouse_code=["W"], qty=[100],
                                  task_no=["T"], unit_cost=[30]),
        "cost_objects": typed("cost_objects", cost_object=["T"], cost_centre=["C"],
                              period=["2026-11"], method=["none"], actual_hours=[55]),
        "cost_pools": typed("cost_pools", cost_centre=["C", "C"], period=["2026-11"] * 2,
                            element=["labour", "overhead"], amount=[1155, 495]),
    }
    return {**tables, **changes}


def test_price_usage_and_efficiency_variances():
    """Material: price (5.10 − 5.00) × 210 = 21, usage (210 − 200) × 5 = 50 → 71.
    Labour: rate (21 − 20) × 55 = 55, efficiency (55 − 50) × 20 = 100 → 155.
    Overhead: spending 495 − 55 × 8 = 55, efficiency (55 − 50) × 8 = 40 → 95."""
    result = commands.run("cost", _tables())
    assert result.ok, result.issues
    out = result.tables["cost_variance"].set_index("element")
    assert out.loc["material", "component_code"] == "A"
    nan = np.nan
    assert out.loc["material", COLUMNS].tolist() == pytest.approx(
        [100, 200, 210, 5, 5.1, 1000, 1071, 21, 50, nan, 71], nan_ok=True)
    assert out.loc["labour", COLUMNS].tolist() == pytest.approx(
        [100, 50, 55, 20, 21, 1000, 1155, 55, nan, 100, 155], nan_ok=True)
    assert out.loc["overhead", COLUMNS].tolist() == pytest.approx(
        [100, 50, 55, 8, 9, 400, 495, 55, nan, 40, 95], nan_ok=True)


def test_variances_add_up_to_actual_minus_standard():
    out = commands.run("cost", _tables()).tables["cost_variance"]
    split = out[["price_variance", "usage_variance", "efficiency_variance"]].sum(axis=1)
    assert (split - out["total_variance"]).abs().max() < 0.005
    assert out["total_variance"].sum() == pytest.approx(2721 - 2400)


def test_without_documents_material_shows_the_total_only():
    """Direct material typed in (1,071): standard 100 × 2 × 5.00 = 1,000 → 71, no split."""
    tables = {k: v for k, v in _tables().items()
              if k in ("items", "bom", "cost_standards", "cost_pools")}
    tables["cost_objects"] = _tables()["cost_objects"].assign(
        item_code="P", material_cost=1071.0, completed_qty=100.0)
    out = commands.run("cost", tables).tables["cost_variance"].set_index("element")
    assert out.loc["material", ["standard_cost", "actual_cost", "total_variance"]
                   ].tolist() == [1000, 1071, 71]
    assert np.isnan(out.loc["material", "price_variance"])


def test_output_is_work_done_this_period():
    """100 finished, 20 opening WIP (material 100 %, conversion 50 %), 10 closing at
    40 % → material 100 + 10 − 20 = 90 EU; conversion 100 + 4 − 10 = 94 EU."""
    objects = typed("cost_objects", cost_object=["T"], cost_centre=["C"], period=["P"],
                    completed_qty=[100], opening_wip_qty=[20], opening_completion=[0.5])
    wip = typed("wip_lines", cost_object=["T"], wip_qty=[10], completion=[0.4])
    out = period_output(objects, wip)
    assert out.loc["T"].tolist() == pytest.approx([90, 94])
