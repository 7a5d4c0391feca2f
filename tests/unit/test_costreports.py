"""The `cost` command's reports and guards: cost composition, where-used re-roll, bad
input named and nothing written, and the reconciliation properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from costing_frames import typed
from hypothesis import example, given, settings
from hypothesis import strategies as st

import addin.commands.cost  # noqa: F401  (registers the command)
from addin import commands
from addin.engines.costcomposition import cost_composition, finished_by_element

NOV = "2026-11"


def test_composition_by_product_and_element():
    """T1 and T2 both make P: material 1,000 + 500, labour 300 + 200 (T2 has WIP 100 of
    material) → P material finished 1,400, labour 500: 1,900 for 30 units."""
    production = pd.DataFrame({
        "cost_object": ["T1"] * 4 + ["T2"] * 4,
        "element": ["material", "labour", "overhead", "total"] * 2,
        "opening_cost": 0.0, "added_cost": [1000, 300, 0, 1300, 500, 200, 0, 700.0],
        "wip_cost": [0, 0, 0, 0, 100, 0, 0, 100.0],
        "finished_cost": [1000, 300, 0, 1300, 400, 200, 0, 600.0]})
    objects = typed("cost_objects", cost_object=["T1", "T2"], item_code=["P", "P"],
                    cost_centre=["C", "C"], period=[NOV] * 2, completed_qty=[20, 10])
    out = cost_composition(production, objects).set_index("element")
    assert out.loc["material", ["added_cost", "finished_cost", "wip_cost"]].tolist() == [
        1500, 1400, 100]
    assert out.loc["total", ["finished_cost", "completed_qty"]].tolist() == [1900, 30]
    assert out.loc["material", "unit_cost"] == pytest.approx(1400 / 30)
    assert out.loc["labour", "share"] == pytest.approx(500 / 1900)
    chart = finished_by_element(out.reset_index())
    assert chart["element"].tolist() == ["material", "labour", "overhead"]
    assert chart["finished_cost"].tolist() == [1400, 500, 0]


def test_the_summary_sheet_gets_a_column_chart_of_finished_cost_by_element():
    objects = typed("cost_objects", cost_object=["T1"], item_code=["P"], cost_centre=["C"],
                    period=[NOV], completed_qty=[10], material_cost=[100])
    result = commands.run("cost", {"cost_objects": objects})
    block = result.summary.blocks[0]
    assert (block.table, block.chart, block.category, block.values) == (
        "cost_composition", "column", "element", "finished_cost")
    assert dict(result.summary.figures)["Finished"] == 100


# -- where-used re-roll ------------------------------------------------------------------

def _standard_tables(**costs: float) -> dict[str, pd.DataFrame]:
    """P = 2 A (10 % loss) + 1 S; S = 1.5 B (test_rollup's model: P 63.00, S 17.00)."""
    kinds = {"P": "manufactured", "S": "manufactured"}
    return {
        "items": typed("items", item_code=list(costs), item_name=list(costs),
                       item_type=[kinds.get(c, "purchased") for c in costs],
                       standard_cost=list(costs.values())),
        "bom": typed("bom", parent_code=["P", "P", "S"], component_code=["A", "S", "B"],
                     qty_numerator=[2, 1, 3], qty_denominator=[1, 1, 2],
                     variable_loss_rate=[0.1, 0, 0]),
        "cost_standards": typed("cost_standards", item_code=["S", "P"], labour_hours=[0.5, 1],
                                labour_rate=[20, 20], machine_hours=[0, 2],
                                overhead_rate=[8, 6],
                                overhead_basis=["labour_hours", "machine_hours"],
                                subcontract_fee=[0, 3])}


def _rolled() -> pd.DataFrame:
    result = commands.run("cost", _standard_tables(P=0, S=0, A=5, B=2), {"standard": True})
    assert result.ok
    return result.tables["cost_rollup"]


@pytest.mark.parametrize("named", ["B", "changed"])
def test_reroll_only_the_parents_above_the_changed_component(named: str):
    """B 2.00 → 4.00: S (1.5 B) +3 → 20, P (1 S) +3 → 66; A's row is not re-rolled."""
    previous = _rolled()
    tables = {**_standard_tables(P=0, S=0, A=5, B=4), "cost_rollup": previous}
    result = commands.run("cost", tables, {"standard": True, "reroll_item": named})
    assert result.ok, result.issues
    reroll = result.tables["cost_reroll"]
    assert reroll.values.tolist() == [["B", 2, 4, 2], ["P", 63, 66, 3], ["S", 17, 20, 3]]
    rollup = result.tables["cost_rollup"].set_index("item_code")
    assert rollup.loc[["P", "S", "A", "B"], "unit_cost"].tolist() == [66, 20, 5, 4]
    assert list(result.tables["cost_rollup"]["item_code"]) == ["P", "A", "S", "B"]
    assert result.messages == ["Standard cost of 3 items re-rolled"]


def test_reroll_keeps_rows_outside_the_affected_set():
    """Only A is named: A's parents (P) are re-rolled, S keeps its last row even though
    its cost in the sheet was different."""
    previous = _rolled().assign(unit_cost=lambda f: np.where(f["item_code"] == "S", 99.0,
                                                             f["unit_cost"]))
    tables = {**_standard_tables(P=0, S=0, A=6, B=2), "cost_rollup": previous}
    result = commands.run("cost", tables, {"standard": True, "reroll_item": "A"})
    assert result.tables["cost_reroll"]["item_code"].tolist() == ["A", "P"]
    # P: 2 × 1.1 × 6 = 13.2 + 3 (S material) … = 63 + 2.2
    assert result.tables["cost_reroll"]["new_unit_cost"].tolist() == pytest.approx([6, 65.2])
    assert result.tables["cost_rollup"].set_index("item_code").loc["S", "unit_cost"] == 99


def test_reroll_needs_the_last_roll_up_and_known_items():
    tables = _standard_tables(P=0, S=0, A=5, B=4)
    result = commands.run("cost", tables, {"standard": True, "reroll_item": "B"})
    assert [i.code for i in result.issues] == ["cost_reroll_no_previous"]
    tables["cost_rollup"] = _rolled()
    result = commands.run("cost", tables, {"standard": True, "reroll_item": "B, Q"})
    assert [(i.code, i.value) for i in result.issues] == [("cost_reroll_unknown_item", "Q")]
    assert result.tables == {}


# -- bad input: named in the message, nothing written -------------------------------------

def _actual(**changes) -> dict[str, pd.DataFrame]:
    tables = {
        "cost_objects": typed("cost_objects", cost_object=["T1"], cost_centre=["C"],
                              period=[NOV], completed_qty=[80], material_cost=[500]),
        "wip_lines": typed("wip_lines", cost_object=["T1"], wip_qty=[20], completion=[0.5]),
        "cost_pools": typed("cost_pools", cost_centre=["C"], period=[NOV],
                            element=["labour"], amount=[200])}
    return {**tables, **changes}


def test_a_degree_above_100_percent():
    tables = _actual(wip_lines=typed("wip_lines", cost_object=["T1"], wip_qty=[20],
                                     completion=[1.2]))
    result = commands.run("cost", tables)
    assert result.tables == {}
    assert [(i.code, i.row, i.message()) for i in result.issues] == [
        ("wip_bad_degree", 2, "T1: degree of completion 120% is outside 0–100 %")]
    assert result.issues[0].message("zh") == "T1 的完工程度 120% 不在 0–100% 之间"


def test_a_basis_that_sums_to_zero():
    tables = _actual(cost_pools=typed("cost_pools", cost_centre=["C"], period=[NOV],
                                      element=["labour"], amount=[200],
                                      basis=["machine_hours"]))
    result = commands.run("cost", tables)
    assert result.tables == {}
    assert [i.message() for i in result.issues] == [
        "Pool C/2026-11/labour: the allocation basis adds up to 0, so 200.00 was not "
        "allocated"]


def test_a_missing_standard_cost_and_a_cycle_stop_the_roll_up():
    result = commands.run("cost", _standard_tables(P=0, S=0, A=0, B=2), {"standard": True})
    assert result.tables == {}
    assert [(i.code, i.message()) for i in result.issues] == [
        ("cost_missing_standard", "A has no standard cost, so the cost of P cannot be "
                                  "rolled up")]
    tables = _standard_tables(P=0, S=0, A=5, B=2)
    tables["bom"] = pd.concat([tables["bom"], typed("bom", parent_code=["S"],
                                                    component_code=["P"],
                                                    qty_numerator=[1])], ignore_index=True)
    result = commands.run("cost", tables, {"standard": True})
    assert result.tables == {}
    assert sorted(i.value for i in result.issues if i.code == "cost_loop") == ["P", "S"]


# -- properties ----------------------------------------------------------------------------

@settings(deadline=None, max_examples=10)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 500), st.integers(0, 100),
                          st.floats(0, 1), st.floats(0, 5000), st.sampled_from(
                              ["weighted", "fifo", "none", "standard"])),
                min_size=1, max_size=8),
       st.lists(st.floats(0, 10000), min_size=3, max_size=3))
@example(tasks=[(0, 0, 8, 0.0, 0.0, "fifo")], amounts=[1.0, 0.0, 0.0])  # FIFO, opening WIP 4
def test_pools_allocate_exactly_and_every_report_reconciles(tasks, amounts):
    """Random tasks in three centres with WIP and opening WIP: each pool is allocated to
    the cent, and every composition row keeps opening + input = finished + closing WIP."""
    n = len(tasks)
    centre = [f"C{c}" for c, *_ in tasks]
    objects = typed("cost_objects", cost_object=[f"T{k}" for k in range(n)],
                    item_code=[f"P{k % 3}" for k in range(n)], cost_centre=centre,
                    period=[NOV] * n, method=[t[5] for t in tasks],
                    # finished units include the opening WIP completed this period
                    completed_qty=[t[1] + 1 + t[2] // 2 for t in tasks],
                    material_cost=[round(t[4], 2) for t in tasks],
                    opening_wip_qty=[t[2] // 2 for t in tasks],
                    opening_completion=[0.3] * n, opening_labour_cost=[10.0] * n,
                    standard_material=[1.5] * n)
    wip = typed("wip_lines", cost_object=[f"T{k}" for k in range(n)],
                wip_qty=[t[2] for t in tasks], completion=[t[3] for t in tasks])
    used = sorted(set(centre))
    pools = typed("cost_pools", cost_centre=used, period=[NOV] * len(used),
                  element=["labour"] * len(used),
                  amount=[round(amounts[int(c[1])], 2) for c in used])
    result = commands.run("cost", {"cost_objects": objects, "wip_lines": wip,
                                   "cost_pools": pools})
    assert result.ok, result.issues
    allocated = result.tables["cost_allocation"].groupby("cost_centre")["allocated"].sum()
    assert np.allclose(allocated.reindex(used).to_numpy(), pools["amount"].to_numpy(),
                       atol=1e-6)
    composition = result.tables["cost_composition"]
    gap = (composition["opening_cost"] + composition["added_cost"]
           - composition["finished_cost"] - composition["wip_cost"]).abs()
    assert gap.max() < 0.005
    total = composition[composition["element"].eq("total")]
    production = result.tables["cost_of_production"]
    assert total["finished_cost"].sum() == pytest.approx(
        production.loc[production["element"].eq("total"), "finished_cost"].sum())
