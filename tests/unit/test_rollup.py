"""Standard cost roll-up: elements carried up the BOM, this level vs lower levels, re-roll."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from costing_frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines.bom import where_used
from addin.engines.rollup import OUTPUT_COLUMNS, ancestors, reroll, roll_up


def _items(**costs: float):
    kinds = {"P": "manufactured", "S": "manufactured"}
    return typed("items", item_code=list(costs), item_name=[f"n{c}" for c in costs],
                 item_type=[kinds.get(c, "purchased") for c in costs],
                 standard_cost=list(costs.values()))


# P = 2 A (10 % loss) + 1 S;  S = 3/2 B.  A costs 5, B costs 2.
# S: material 1.5 × 2 = 3; labour 0.5 h × 20 = 10; overhead 0.5 h × 8 = 4 → 17
#    (this level 14, lower 3).
# P: material 2 × 1.1 × 5 = 11 + S's 3 = 14; labour 1 h × 20 + 10 = 30;
#    overhead 2 machine h × 6 + 4 = 16; subcontract 3 → 63 (this level 20+12+3 = 35,
#    lower 11 + 17 = 28).
ITEMS = _items(P=999.0, S=999.0, A=5.0, B=2.0)
BOM = typed("bom", parent_code=["P", "P", "S"], component_code=["A", "S", "B"],
            qty_numerator=[2, 1, 3], qty_denominator=[1, 1, 2], variable_loss_rate=[0.1, 0, 0])
STANDARDS = typed("cost_standards", item_code=["S", "P"], labour_hours=[0.5, 1],
                  labour_rate=[20, 20], machine_hours=[0, 2], overhead_rate=[8, 6],
                  overhead_basis=["labour_hours", "machine_hours"], subcontract_fee=[0, 3])


def _by_code(frame):
    return frame.set_index("item_code")


def test_two_level_roll_up_by_element_and_level():
    out, issues = roll_up(ITEMS, BOM, STANDARDS)
    assert issues == []
    assert list(out.columns) == OUTPUT_COLUMNS
    assert list(out["item_code"]) == ["P", "A", "S", "B"]  # low-level code (0,1,1,2), code
    row = _by_code(out)
    assert row.loc["S", ["material_cost", "labour_cost", "overhead_cost", "unit_cost"]
                   ].tolist() == pytest.approx([3, 10, 4, 17])
    assert row.loc["S", ["this_level_cost", "lower_level_cost"]].tolist() == pytest.approx(
        [14, 3])
    assert row.loc["P", ["material_cost", "labour_cost", "overhead_cost", "subcontract_cost",
                         "unit_cost"]].tolist() == pytest.approx([14, 30, 16, 3, 63])
    assert row.loc["P", ["this_level_cost", "lower_level_cost"]].tolist() == pytest.approx(
        [35, 28])
    # a bought item's cost is all material, all of it arising at its own level
    assert row.loc["A", ["material_cost", "this_level_cost", "unit_cost"]].tolist() == [5, 5, 5]
    assert row.loc["P", "low_level_code"] == 0 and row.loc["B", "low_level_code"] == 2


def test_blank_labour_hours_fall_back_to_items_standard_hours():
    items = ITEMS.assign(standard_hours=np.where(ITEMS["item_code"] == "S", 2.0, 0.0))
    standards = STANDARDS.assign(labour_hours=[np.nan, 1.0])
    row = _by_code(roll_up(items, BOM, standards)[0])
    # S: 2 h × 20 = 40 labour, 2 h × 8 = 16 overhead, 3 material → 59
    assert row.loc["S", "unit_cost"] == pytest.approx(59)


def test_reroll_reports_the_changed_item_and_every_parent_above_it():
    changes = typed("items", item_code=["B"], item_name=["nB"], item_type=["purchased"],
                    standard_cost=[4.0])[["item_code", "standard_cost"]]
    out = reroll(ITEMS, BOM, STANDARDS, changes)
    # B 2 → 4; S uses 1.5 B: +3 → 20; P uses one S: +3 → 66. A is untouched.
    assert list(out["item_code"]) == ["B", "P", "S"]
    assert out["new_unit_cost"].tolist() == pytest.approx([4, 66, 20])
    assert out["difference"].tolist() == pytest.approx([2, 3, 3])


def test_unknown_component_costs_zero_with_a_warning():
    bom = typed("bom", parent_code=["P"], component_code=["X"], qty_numerator=[1])
    out, issues = roll_up(ITEMS, bom, STANDARDS.iloc[:0])
    assert [(i.code, i.value, i.row) for i in issues] == [("cost_unknown_component", "X", 2)]
    assert _by_code(out).loc["P", "unit_cost"] == 0


def test_loop_is_reported_and_not_priced():
    bom = typed("bom", parent_code=["P", "S"], component_code=["S", "P"], qty_numerator=[1, 1])
    out, issues = roll_up(ITEMS, bom, STANDARDS)
    assert sorted(i.value for i in issues if i.code == "cost_loop") == ["P", "S"]
    assert _by_code(out).loc[["P", "S"], "unit_cost"].isna().all()
    assert _by_code(out).loc["A", "unit_cost"] == 5


def test_zero_rows():
    out, issues = roll_up(ITEMS.iloc[:0], BOM.iloc[:0], STANDARDS.iloc[:0])
    assert out.empty and list(out.columns) == OUTPUT_COLUMNS and issues == []


@settings(deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 4)), min_size=1, max_size=12),
       st.lists(st.floats(0, 100, allow_nan=False), min_size=6, max_size=6))
def test_elements_and_levels_both_add_up_to_the_unit_cost(edges, costs):
    """Random acyclic BOMs (parent index < component index): material + labour + overhead +
    subcontract = this level + lower levels = unit cost for every item."""
    codes = [f"I{k}" for k in range(6)]
    lines = sorted({(codes[p], codes[p + d]) for p, d in edges if p + d <= 5})
    if not lines:
        return
    items = typed("items", item_code=codes, item_name=codes, item_type=["manufactured"] * 6,
                  standard_cost=costs)
    bom = typed("bom", parent_code=[p for p, _ in lines], component_code=[c for _, c in lines],
                qty_numerator=[2] * len(lines))
    standards = typed("cost_standards", item_code=codes, labour_hours=[1] * 6,
                      labour_rate=[3] * 6, overhead_rate=[1] * 6)
    out, _ = roll_up(items, bom, standards)
    parts = out[["material_cost", "labour_cost", "overhead_cost", "subcontract_cost"]].sum(axis=1)
    levels = out["this_level_cost"] + out["lower_level_cost"]
    assert np.allclose(parts, out["unit_cost"]) and np.allclose(levels, out["unit_cost"])


@settings(deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=20),
       st.sets(st.integers(0, 7), min_size=1, max_size=3))
def test_ancestors_match_where_used(edges, changed):
    """The cheap upward walk finds the same parents as the full where-used table (acyclic
    BOMs: parent index < component index)."""
    codes = [f"I{k}" for k in range(8)]
    lines = sorted({(codes[min(p, c)], codes[max(p, c)]) for p, c in edges if p != c})
    if not lines:
        return
    items = typed("items", item_code=codes, item_name=codes, item_type=["manufactured"] * 8)
    bom = typed("bom", parent_code=[p for p, _ in lines], component_code=[c for _, c in lines])
    start = [codes[k] for k in sorted(changed)]
    above = where_used(items, bom)
    want = set(start) | set(above.loc[above["component_code"].isin(start), "parent_code"])
    assert list(ancestors(bom, pd.Index(start))) == sorted(want)


def test_ancestors_stop_on_a_loop():
    bom = typed("bom", parent_code=["A", "B", "C"], component_code=["B", "A", "A"])
    assert list(ancestors(bom, pd.Index(["A"]))) == ["A", "B", "C"]


def test_reroll_reaches_the_by_products_of_a_changed_parent():
    """FG = 1 C yielding BP for 20 % of FG's cost. C 100 → 150: FG 80 → 120, BP 20 → 30;
    BP is no parent of C, but its cost is a share of FG's, so the re-roll lists it."""
    items = typed("items", item_code=["FG", "C", "BP"], item_name=["fg", "c", "bp"],
                  item_type=["manufactured", "purchased", "manufactured"],
                  standard_cost=[0.0, 100.0, 0.0])
    bom = typed("bom", parent_code=["FG", "FG"], component_code=["C", "BP"],
                qty_numerator=[1, 1], line_type=["component", "by_product"],
                cost_weight=[0, 20])
    changes = items[items["item_code"] == "C"][["item_code"]].assign(standard_cost=150.0)
    out = reroll(items, bom, STANDARDS.iloc[:0], changes)
    assert list(out["item_code"]) == ["BP", "C", "FG"]
    assert out["old_unit_cost"].tolist() == pytest.approx([20, 100, 80])
    assert out["new_unit_cost"].tolist() == pytest.approx([30, 150, 120])
