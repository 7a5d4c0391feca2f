"""Issue modes (DOMAIN §6): kit issue, backflush and merged issue."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_posting import balance, context, line, post

from addin.engines.issuemodes import allocate_merged, kit_qty

D = pd.Timestamp


def test_kit_qty_first_issue_adds_fixed_loss_and_later_issues_are_capped() -> None:
    # usage 2, loss 5 %, fixed 3, required 30: first 10 sets → 10 × 2 × 1.05 + 3 = 24;
    # next 10 sets would be 21 but only 30 − 24 = 6 is still to issue
    args = (np.array([2.0, 2.0]), np.array([0.05, 0.05]), np.array([3.0, 3.0]),
            np.array([30.0, 30.0]), np.array([0.0, 24.0]), np.array([10.0, 10.0]))
    assert kit_qty(*args) == pytest.approx([24.0, 6.0])


def test_kit_issue_posts_one_line_per_direct_component() -> None:
    # T1: A 2 per set (direct), B backflush → 5 sets issue 10 A only
    result = post(line("K1", "material_issue", "", 0.0, task_no="T1", issue_mode="kit",
                       sets=5.0, warehouse_code=""))
    assert result.issues == []
    assert result.moves[["item_code", "qty"]].to_dict("records") == [
        {"item_code": "A", "qty": -10.0}]


def test_kit_issue_never_exceeds_what_is_left() -> None:
    # T1 needs 20 A; 15 sets would be 30, capped to 20
    result = post(line("K1", "material_issue", "", 0.0, task_no="T1", issue_mode="kit",
                       sets=15.0, warehouse_code=""))
    assert result.moves["qty"].tolist() == [-20.0]


def test_backflush_on_product_receipt_and_its_reversal() -> None:
    # receiving 4 P of T1 flushes B: 4 × 1 × (1 + 10 %) = 4.4 from W1 at 2.00 = 8.80
    ctx = context()
    materials = ctx.materials.assign(variable_loss_rate=[0.0, 0.1, 0.0])
    first = post(line("P1", "product_receipt", "P", 4.0, task_no="T1", unit_cost=50.0),
                 materials=materials)
    flushed = first.moves[first.moves["item_code"].eq("B")]
    assert flushed["qty"].tolist() == pytest.approx([-4.4])
    assert flushed["value"].tolist() == pytest.approx([-8.8])
    assert flushed["doc_no"].tolist() == ["P1"]
    undo = post(line("V1", "reversal", "", 0.0, day=3, reverses_doc_no="P1"),
                opening=first.stock, prior_moves=first.moves, materials=materials)
    assert balance(undo, "B") == pytest.approx((100.0, 200.0))
    assert balance(undo, "P") == (0.0, 0.0)


def test_backflush_short_of_stock_refuses_the_receipt() -> None:
    # 101 P need 101 B but only 100 on hand (tolerance opened to let the qty through)
    tasks = context().tasks.assign(qty=[200.0, 5.0, 1.0])
    result = post(line("P1", "product_receipt", "P", 101.0, task_no="T1"), tasks=tasks)
    assert result.refused == ["P1"]
    assert [i.code for i in result.issues] == ["post_insufficient_stock"]


def test_merged_issue_allocates_earliest_start_first() -> None:
    # T2 starts 01-02 (needs 10), T1 01-05 (needs 20): 25 → T2 10, T1 15
    issued = pd.DataFrame({"doc_no": ["M", "M"], "component_code": ["A", "A"],
                           "task_no": ["T1", "T2"], "qty": [25.0, 25.0]})
    needs = pd.DataFrame({"task_no": ["T1", "T2"], "component_code": ["A", "A"],
                          "remaining": [20.0, 10.0],
                          "start_date": [D("2026-01-05"), D("2026-01-02")]})
    alloc = allocate_merged(issued, needs)
    assert dict(zip(alloc["task_no"], alloc["qty"], strict=True)) == {"T2": 10.0, "T1": 15.0}


def test_merged_issue_posts_summed_and_is_refused_beyond_the_tasks_needs() -> None:
    ok = post(line("M1", "material_issue", "A", 25.0, task_no="T1,T2", issue_mode="merged"))
    assert ok.posted == ["M1"] and ok.moves["qty"].tolist() == [-25.0]
    # together T1 + T2 need 30: 31 leaves 1 over on the last task → over-issue
    too_much = post(line("M1", "material_issue", "A", 31.0, task_no="T1,T2",
                         issue_mode="merged"))
    assert too_much.refused == ["M1"]
    assert [i.code for i in too_much.issues] == ["post_over_issue"]


@settings(deadline=None, max_examples=50)
@given(st.floats(0, 500), st.lists(st.tuples(st.floats(0, 100), st.integers(1, 9)),
                                   min_size=1, max_size=6))
def test_merged_allocation_sums_to_what_was_issued(total: float, tasks: list) -> None:
    names = [f"T{n}" for n in range(len(tasks))]
    issued = pd.DataFrame({"doc_no": "M", "component_code": "A", "task_no": names,
                           "qty": total})
    needs = pd.DataFrame({"task_no": names, "component_code": "A",
                          "remaining": [need for need, _ in tasks],
                          "start_date": [D(f"2026-01-{day:02d}") for _, day in tasks]})
    alloc = allocate_merged(issued, needs)
    assert alloc["qty"].sum() == pytest.approx(total)
    assert (alloc["qty"] >= 0).all()
    assert (alloc["qty"].to_numpy()[:-1] <= alloc.merge(needs, on="task_no")[
        "remaining"].to_numpy()[:-1] + 1e-9).all()
