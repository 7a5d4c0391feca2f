"""Subcontract receipt cost as costing reads it from posted moves (DOMAIN §6 example)."""

from __future__ import annotations

import pandas as pd
import pytest

from addin.engines.subcontractcost import subcontract_costs, subcontract_unit_costs


def _moves() -> pd.DataFrame:
    """Issue 100 kg M at 5.00 to the supplier; receive 45 X consuming 2 kg each = 90 kg
    (450) + fee 45 × 3.00 = 135 → receipt 585; December invoice at 3.20 → +9."""
    return pd.DataFrame({
        "doc_type": ["subcontract_issue", "subcontract_issue", "subcontract_consume",
                     "subcontract_receipt", "fee_adjustment"],
        "doc_date": pd.to_datetime(["2026-11-01", "2026-11-01", "2026-11-20", "2026-11-20",
                                    "2026-12-05"]),
        "item_code": ["M", "M", "M", "X", "X"],
        "warehouse_code": ["W", "SUP", "SUP", "W", "W"],
        "task_no": "", "order_no": ["SC1"] * 5,
        "qty": [-100.0, 100.0, -90.0, 45.0, 0.0],
        "value": [-500.0, 500.0, -450.0, 585.0, 9.0]})


def test_domain_example_585_then_true_up_to_13_20():
    out = subcontract_costs(_moves())
    assert out.drop(columns="unit_cost").values.tolist() == [
        ["SC1", "X", "2026-11", 45.0, 450.0, 135.0, 0.0, 585.0],
        ["SC1", "X", "2026-12", 0.0, 0.0, 0.0, 9.0, 9.0]]
    assert out["unit_cost"].tolist() == pytest.approx([13.00, 13.20])


def test_period_unit_costs_by_element():
    out = subcontract_costs(_moves())
    november = subcontract_unit_costs(out, "2026-11")
    assert november.values.tolist() == [["X", 45.0, 450.0, 135.0]]
    # a period without receipts re-prices nothing
    assert subcontract_unit_costs(out, "2026-12").empty


def test_moves_without_order_column_group_by_task():
    moves = _moves().drop(columns="order_no").assign(task_no="SC1")
    assert subcontract_costs(moves)["order_no"].unique().tolist() == ["SC1"]
