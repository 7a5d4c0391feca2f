"""Cost pool allocation by basis; cents reconcile to the pool; predetermined rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from costing_frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines.allocation import (
    allocate_pools,
    applied_overhead,
    predetermined_rates,
    split_cents,
)

OBJECTS = typed("cost_objects", cost_object=["T1", "T2", "T3", "T9"],
                cost_centre=["W1", "W1", "W1", "W2"], period=["2026-11"] * 4,
                completed_qty=[100, 200, 300, 50], coefficient=[1, 1, 2, 1],
                actual_hours=[10, 20, 0, 5], machine_hours=[1, 1, 1, 0],
                material_cost=[1000, 3000, 0, 10])


def _pools(**bases: float):
    names = list(bases)
    return typed("cost_pools", cost_centre=["W1"] * len(names), period=["2026-11"] * len(names),
                 element=["labour", "overhead", "material"][: len(names)],
                 amount=list(bases.values()), basis=names)


def test_quantity_times_coefficient():
    # basis 100, 200, 600 (300 × 2) of 900: 1,000 → 111.11, 222.22, 666.67 (remainder last)
    out, issues = allocate_pools(_pools(quantity=1000), OBJECTS)
    assert issues == []
    assert out["cost_object"].tolist() == ["T1", "T2", "T3"]  # T9 is in another centre
    assert out["basis_value"].tolist() == [100, 200, 600]
    assert out["allocated"].tolist() == [111.11, 222.22, 666.67]
    assert out["allocated"].sum() == pytest.approx(1000)


def test_hours_and_material_bases():
    out, _ = allocate_pools(_pools(actual_hours=300, machine_hours=100), OBJECTS)
    # actual hours 10/20/0 of 30: 100, 200, 0. machine hours 1/1/1: 33.33, 33.33, 33.34
    labour = out[out["element"] == "labour"]
    overhead = out[out["element"] == "overhead"]
    assert labour["allocated"].tolist() == [100, 200, 0]
    assert overhead["allocated"].tolist() == [33.33, 33.33, 33.34]
    material, _ = allocate_pools(_pools(material_cost=80), OBJECTS)
    assert material["allocated"].tolist() == [20, 60, 0]  # 1,000 and 3,000 of 4,000


def test_pool_with_no_basis_is_reported_not_spread():
    pools = typed("cost_pools", cost_centre=["W2"], period=["2026-11"], element=["overhead"],
                  amount=[500], basis=["machine_hours"])
    out, issues = allocate_pools(pools, OBJECTS)
    assert out.empty
    assert [(i.code, i.row, i.params["amount"]) for i in issues] == [
        ("cost_pool_no_basis", 2, "500.00")]


def test_zero_rows():
    out, issues = allocate_pools(_pools(quantity=1).iloc[:0], OBJECTS.iloc[:0])
    assert out.empty and issues == []


def test_split_cents_puts_the_remainder_on_the_last_line():
    group = np.array(["a", "a", "a", "b"])
    # 100 / 3 = 33.333…: 33.33 + 33.33 + 33.34; b is exact
    out = split_cents(group, np.array([100 / 3] * 3 + [5.0]), np.array([100.0] * 3 + [5.0]))
    assert out.tolist() == [33.33, 33.33, 33.34, 5.0]


@settings(deadline=None, max_examples=60)
@given(st.floats(0, 1e7, allow_nan=False),
       st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=1, max_size=15))
def test_shares_add_up_to_the_pool_to_the_cent(amount, hours):
    n = len(hours)
    objects = typed("cost_objects", cost_object=[f"T{k:02d}" for k in range(n)],
                    cost_centre=["W"] * n, period=["P"] * n, actual_hours=hours)
    pools = typed("cost_pools", cost_centre=["W"], period=["P"], element=["labour"],
                  amount=[amount], basis=["actual_hours"])
    out, _ = allocate_pools(pools, objects)
    cents = np.round(out["allocated"].to_numpy() * 100)
    assert cents.sum() == np.round(amount * 100)
    assert (np.abs(out["allocated"] - amount * out["share"]) <= 0.01 * n).all()


def test_predetermined_rates_and_applied_overhead():
    # Molding: 213,200 / 82,000 MH + 2.60 = 5.20; Painting: 517,980 / 58,200 DLH + 4.60 = 13.50
    centres = pd.DataFrame({"cost_centre": ["Molding", "Painting"],
                            "basis": ["machine_hours", "actual_hours"],
                            "estimated_basis": [82000.0, 58200.0],
                            "fixed_overhead": [213200.0, 517980.0],
                            "variable_rate": [2.6, 4.6]})
    assert predetermined_rates(centres).tolist() == pytest.approx([5.2, 13.5])
    usage = pd.DataFrame({"cost_object": ["J", "J"], "cost_centre": ["Painting", "Molding"],
                          "actual_hours": [129.0, 79.0], "machine_hours": [67.0, 300.0]})
    out = applied_overhead(centres, usage)
    # 300 MH × 5.20 = 1,560.00; 129 DLH × 13.50 = 1,741.50
    assert out["cost_centre"].tolist() == ["Molding", "Painting"]
    assert out["applied"].tolist() == [1560.0, 1741.5]
