"""Joint and by-products: by-product value deducted, rest split by the batch's method."""

from __future__ import annotations

import numpy as np
import pytest
from costing_frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines.jointcost import COLUMNS, split_joint_cost


def _batch(method: str, joint: float = 100000.0):
    return typed("joint_costs", batch=["J1"], joint_cost=[joint], method=[method])


# X 1,000 units coef 1.0 price 60, Y 800 units coef 1.5 price 100; by-product Z 500 kg × 10.
PRODUCTS = typed("joint_products", batch=["J1"] * 3, product_code=["Y", "X", "Z"],
                 product_kind=["co_product", "main", "by_product"], qty=[800, 1000, 500],
                 coefficient=[1.5, 1.0, 1.0], sales_price=[100, 60, 0], unit_value=[0, 0, 10])


def _allocated(out):
    return dict(zip(out["product_code"], out["allocated"], strict=True))


def test_coefficient_method_after_the_by_product():
    """100,000 − 500 × 10 = 95,000; basis X 1,000, Y 1,200: X 95,000 × 1,000 / 2,200 =
    43,181.82, Y the rest 51,818.18."""
    out, issues = split_joint_cost(_batch("coefficient"), PRODUCTS)
    assert issues == [] and list(out.columns) == COLUMNS
    assert out["product_code"].tolist() == ["X", "Y", "Z"]  # main, co, by
    assert _allocated(out) == {"X": 43181.82, "Y": 51818.18, "Z": 5000.0}
    assert out["allocated"].sum() == pytest.approx(100000)


def test_sales_value_method():
    """Sales value X 60,000, Y 80,000: X 95,000 × 60 / 140 = 40,714.29, Y 54,285.71."""
    out, _ = split_joint_cost(_batch("sales_value"), PRODUCTS)
    assert _allocated(out) == {"X": 40714.29, "Y": 54285.71, "Z": 5000.0}


def test_physical_and_nrv_methods():
    # physical 1,000 : 800 of 95,000 → 52,777.78 and 42,222.22
    out, _ = split_joint_cost(_batch("physical"), PRODUCTS)
    assert _allocated(out)["X"] == 52777.78 and _allocated(out)["Y"] == 42222.22
    # NRV: X 60,000 − 10,000 = 50,000, Y 80,000 − 30,000 = 50,000 → 47,500 each
    # by-product without a unit value at NRV: 500 × 12 − 1,000 = 5,000
    products = PRODUCTS.assign(separable_cost=[30000, 10000, 1000], unit_value=0.0,
                               sales_price=[100, 60, 12])
    out, _ = split_joint_cost(_batch("nrv"), products)
    assert _allocated(out) == {"X": 47500.0, "Y": 47500.0, "Z": 5000.0}


def test_batch_without_basis_or_products_is_reported():
    batches = typed("joint_costs", batch=["J1", "J2"], joint_cost=[10, 10],
                    method=["sales_value", "coefficient"])
    out, issues = split_joint_cost(batches, PRODUCTS.assign(sales_price=0.0))
    assert out.empty
    assert [(i.code, i.value) for i in issues] == [("joint_no_basis", "J1"),
                                                   ("joint_no_products", "J2")]


@settings(deadline=None, max_examples=60)
@given(st.floats(0, 1e8), st.lists(st.floats(1, 1e5), min_size=2, max_size=8))
def test_products_add_up_to_the_joint_cost(joint, qty):
    n = len(qty)
    products = typed("joint_products", batch=["J"] * n,
                     product_code=[f"P{k}" for k in range(n)], qty=qty,
                     coefficient=[1 + k / 3 for k in range(n)])
    out, _ = split_joint_cost(typed("joint_costs", batch=["J"], joint_cost=[joint]), products)
    assert np.round(out["allocated"].sum() * 100) == np.round(joint * 100)


def test_fixed_share_gives_by_products_their_share_not_their_value():
    """Share 60 / 30 / 10 of 100,000: X 60,000, Y 30,000, Z (by-product) 10,000 — Z's unit
    value 10 is not deducted first; basis_value shows the percentage."""
    out, issues = split_joint_cost(_batch("share"), PRODUCTS.assign(cost_share=[30, 60, 10]))
    assert issues == []
    assert _allocated(out) == {"X": 60000.0, "Y": 30000.0, "Z": 10000.0}
    assert out["basis_value"].tolist() == [60, 30, 10]
    assert out["share"].tolist() == pytest.approx([0.6, 0.3, 0.1])
    assert out["unit_cost"].tolist() == pytest.approx([60, 37.5, 20])


def test_fixed_shares_of_zero_are_named_as_not_adding_up():
    out, issues = split_joint_cost(_batch("share"), PRODUCTS)
    assert out.empty
    assert [(i.code, i.params["total"]) for i in issues] == [("joint_share_not_100", 0)]
