"""The costing runs end to end on typed tables: pools → allocation → finished vs WIP."""

from __future__ import annotations

import pytest
from costing_frames import typed

from addin.engines.costing import actual_costing, standard_costing


def test_domain_example_through_allocation_and_wip():
    """Workshop W1 in 2026-11: DL 20,000 and OH 7,200 pools spread by completed qty ×
    coefficient over T1 (800 finished, coef 1) and T2 (200 finished, coef 1.5 → 300):
    T1 gets 20,000 × 800/1,100 = 14,545.45 DL and 7,200 × 800/1,100 = 5,236.36 OH.
    T3 has its own centre W2 (DM 50,000 given, DL 20,000, OH 7,200 pools) and 200 WIP at
    50 % — the DOMAIN example: finished 64,177.78, WIP 13,022.22."""
    objects = typed("cost_objects", cost_object=["T1", "T2", "T3"],
                    cost_centre=["W1", "W1", "W2"], period=["2026-11"] * 3,
                    method=["none", "none", "weighted"], completed_qty=[800, 200, 800],
                    coefficient=[1, 1.5, 1], material_cost=[1000, 500, 50000])
    wip = typed("wip_lines", cost_object=["T3"], wip_qty=[200], completion=[0.5])
    pools = typed("cost_pools", cost_centre=["W1", "W1", "W2", "W2"], period=["2026-11"] * 4,
                  element=["labour", "overhead", "labour", "overhead"],
                  amount=[20000, 7200, 20000, 7200], basis=["quantity"] * 4)
    result = actual_costing(objects, wip, pools)
    assert result.issues == []
    alloc = result.tables["cost_allocation"].set_index(["cost_object", "element"])["allocated"]
    assert alloc[("T1", "labour")] == 14545.45 and alloc[("T2", "labour")] == 5454.55
    assert alloc[("T1", "overhead")] == 5236.36 and alloc[("T2", "overhead")] == 1963.64
    prod = result.tables["cost_of_production"].set_index(["cost_object", "element"])
    assert prod.loc[("T3", "total"), ["wip_cost", "finished_cost"]].tolist() == [
        13022.22, 64177.78]
    # T1: no WIP cost — 1,000 + 14,545.45 + 5,236.36 = 20,781.81 over 800 units
    assert prod.loc[("T1", "total"), "finished_cost"] == pytest.approx(20781.81)
    assert prod.loc[("T1", "total"), "finished_unit_cost"] == pytest.approx(20781.81 / 800)


def test_joint_split_runs_when_batches_are_given():
    objects = typed("cost_objects", cost_object=["T1"], cost_centre=["W"], period=["P"],
                    completed_qty=[1])
    batches = typed("joint_costs", batch=["J"], joint_cost=[100], method=["physical"])
    products = typed("joint_products", batch=["J", "J"], product_code=["A", "B"], qty=[1, 2])
    result = actual_costing(objects, typed("wip_lines"), typed("cost_pools"), batches,
                            products)
    # 100 × 1/3 = 33.33, the rest 66.67 on the last product
    assert result.tables["joint_cost_split"]["allocated"].tolist() == [33.33, 66.67]


def test_standard_costing_wraps_the_roll_up():
    items = typed("items", item_code=["P", "A"], item_name=["p", "a"],
                  item_type=["manufactured", "purchased"], standard_cost=[0, 4])
    bom = typed("bom", parent_code=["P"], component_code=["A"], qty_numerator=[3])
    result = standard_costing(items, bom, typed("cost_standards"))
    assert result.tables["cost_rollup"].set_index("item_code").loc["P", "unit_cost"] == 12
