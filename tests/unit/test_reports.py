"""Stock reports (DOMAIN §9): in-out summary, stock status, ageing, slow movers, quality.

One small factory, worked by hand. Opening stock (Stock sheet, at standard cost): A 100
at 1.00 and B 50 at 2.00 in W1; A 5 in QC (inspection), A 7 in VX (customer material),
B 4 in SUP (at a supplier). Documents:

    2025-10-01 R0  receive A 100 at 2.00   → A/W1 200 at 1.50 = 300.00
    2025-12-01 I2  issue B 20 (task T1)    → B/W1  30 at 2.00 =  60.00
    2026-01-12 R1  receive A 50 at 3.00    → A/W1 250 at 1.80 = 450.00
    2026-01-15 I1  issue A 100 (T1)        → A/W1 150 at 1.80 = 270.00  (out 180.00)
    2026-01-20 M1  return A 10 (T1)        → A/W1 160 at 1.80 = 288.00  (back 18.00)
    2026-02-02 R2  receive A 10 at 5.00    (after the period)

In-out summary 2026-01-10 … 2026-01-31, A/W1: opening 200 / 300.00 (R0 rolls in), in
50 / 150.00, out 100 − 10 = 90 / 180.00 − 18.00 = 162.00, closing 160 / 288.00 —
the ledger's balance value after M1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import addin.commands.report  # noqa: F401  (registers the command)
from addin.commands import run
from addin.engines import ageing
from addin.engines.stockledger import inbound, opening_stock, stock_ledger_summary
from addin.errors import UsageError

D = pd.Timestamp
PERIOD = {"name": "stock-ledger", "from": "2026-01-10", "to": "2026-01-31"}


def doc(doc_no: str, date: str, item: str, qty: float, **more: object) -> dict[str, object]:
    return {"doc_no": doc_no, "line_no": 1, "doc_date": D(date), "item_code": item,
            "warehouse_code": "W1", "location_code": "", "lot": "", "qty": qty,
            "supplier_code": "", **more}


def book() -> dict[str, pd.DataFrame]:
    return {
        "items": pd.DataFrame({"item_code": ["A", "B", "P"], "item_name": ["Bolt", "Nut", "Kit"],
                               "standard_cost": [1.0, 2.0, 50.0],
                               "inspection": ["exempt"] * 3, "default_supplier": ""}),
        "warehouses": pd.DataFrame({
            "warehouse_code": ["W1", "QC", "VX", "SUP"],
            "warehouse_type": ["normal", "inspection", "customer_virtual", "at_supplier"],
            "nettable": [True, False, False, False], "available": [True, False, False, False],
            "supplier_code": ["", "", "", "S9"]}),
        "stock": pd.DataFrame({"item_code": ["A", "B", "A", "A", "B"],
                               "warehouse_code": ["W1", "W1", "QC", "VX", "SUP"],
                               "location_code": "", "lot": "",
                               "qty": [100.0, 50.0, 5.0, 7.0, 4.0]}),
        "production_tasks": pd.DataFrame({
            "task_no": ["T1"], "item_code": ["P"], "qty": [100.0], "stocked_qty": [0.0],
            "status": ["released"], "start_date": [D("2025-11-01")],
            "due_date": [D("2026-03-01")]}),
        "task_materials": pd.DataFrame({
            "task_no": ["T1", "T1"], "component_code": ["A", "B"], "qty_per": [2.0, 0.5],
            "variable_loss_rate": 0.0, "fixed_loss": 0.0, "required_qty": [200.0, 50.0],
            "issued_qty": 0.0, "scrapped_qty": 0.0, "issue_method": "direct",
            "supply_warehouse": "W1"}),
        "purchase_receipts": pd.DataFrame([
            doc("R0", "2025-10-01", "A", 100.0, unit_cost=2.0),
            doc("R1", "2026-01-12", "A", 50.0, unit_cost=3.0),
            doc("R2", "2026-02-02", "A", 10.0, unit_cost=5.0)]),
        "material_issues": pd.DataFrame([doc("I2", "2025-12-01", "B", 20.0, task_no="T1"),
                                         doc("I1", "2026-01-15", "A", 100.0, task_no="T1")]),
        "material_returns": pd.DataFrame([doc("M1", "2026-01-20", "A", 10.0, task_no="T1")]),
        "allocations": pd.DataFrame({"item_code": ["A"], "qty": [20.0], "source_no": ["SO1"]}),
        "purchase_orders": pd.DataFrame({
            "po_no": ["PO1", "PO2", "PO3"], "line_no": 1, "item_code": ["A", "A", "B"],
            "qty": [100.0, 40.0, 10.0], "received_qty": [30.0, 0.0, 0.0],
            "status": ["open", "closed", "open"], "due_date": D("2026-02-10")}),
    }


def by_key(frame: pd.DataFrame, *key: str) -> pd.DataFrame:
    return frame.set_index(list(key) or ["item_code", "warehouse_code"])


def test_in_out_summary_matches_the_hand_worked_numbers() -> None:
    result = run("report", book(), PERIOD)
    assert result.ok, [i.message() for i in result.issues]
    summary = by_key(result.tables["stock_ledger_summary"])
    columns = ["opening_qty", "opening_value", "in_qty", "in_value", "out_qty", "out_value",
               "closing_qty", "closing_value", "unit_cost"]
    assert summary.loc[("A", "W1"), columns].tolist() == pytest.approx(
        [200, 300, 50, 150, 90, 162, 160, 288, 1.8])
    # B: I2 before the period rolls into the opening; nothing moves in January
    assert summary.loc[("B", "W1"), columns].tolist() == pytest.approx(
        [30, 60, 0, 0, 0, 0, 30, 60, 2.0])
    assert summary.loc[("A", "VX"), "closing_value"] == pytest.approx(7.0)
    assert summary.loc[("A", "W1"), "item_name"] == "Bolt"
    # totals: 300 + 60 + 5 + 7 + 8 = 380 opening; 380 + 150 − 162 = 368 closing
    assert summary["opening_value"].sum() == pytest.approx(380.0)
    assert summary["closing_value"].sum() == pytest.approx(368.0)
    assert (summary["opening_qty"] + summary["in_qty"] - summary["out_qty"]).tolist() == (
        pytest.approx(summary["closing_qty"].tolist()))
    assert result.summary.figures[3][1] == pytest.approx(368.0)
    assert result.messages[0] == "Period 2026-01-10 to 2026-01-31"


def test_closing_value_equals_the_ledgers_balance_value() -> None:
    from addin.commands.post import post_tables

    tables = book()
    posting, _, _ = post_tables(tables, {})
    opening = opening_stock(tables["stock"], tables["items"])
    summary, issues = stock_ledger_summary(posting.moves, opening, D("2026-01-10"),
                                           D("2026-01-31"), ledger=posting.ledger)
    assert issues == []
    ledger = posting.ledger[posting.ledger["doc_date"] <= D("2026-01-31")]
    last = ledger.drop_duplicates(["item_code", "warehouse_code"], keep="last")
    for row in last.itertuples():
        closing = by_key(summary).loc[(row.item_code, row.warehouse_code), "closing_value"]
        assert closing == pytest.approx(row.balance_value)
    # a ledger that disagrees is reported, not hidden
    bent = posting.ledger.assign(balance_value=posting.ledger["balance_value"] + 1.0)
    _, issues = stock_ledger_summary(posting.moves, opening, D("2026-01-10"),
                                     D("2026-01-31"), ledger=bent)
    assert {i.code for i in issues} == {"report_unreconciled"}
    assert ("A / W1: closing value 288.0 differs from the stock ledger's balance value "
            "289.0") in [i.message() for i in issues]


def test_red_documents_stay_on_their_side() -> None:
    moves = pd.DataFrame({"doc_type": ["purchase_receipt", "purchase_return", "material_issue",
                                       "material_return", "reversal", "reversal",
                                       "subcontract_receipt", "subcontract_issue"],
                          "qty": [5.0, -1.0, -3.0, 1.0, -5.0, 3.0, 2.0, -2.0]})
    assert inbound(moves).tolist() == [True, True, False, False, True, False, True, False]


def test_stock_status_per_item() -> None:
    result = run("report", book(), {**PERIOD, "name": "stock-status"})
    status = by_key(result.tables["stock_status"], "item_code")
    columns = ["on_hand_qty", "available_qty", "allocated_qty", "free_qty", "in_transit_qty",
               "inspection_qty", "at_supplier_qty", "customer_qty", "stock_value"]
    # A: own 160 + 5 (VX is the customer's); allocated 20 + (200 − 100 + 10) = 130;
    # in transit PO1 100 − 30 (PO2 is closed); value 288 + 5
    assert status.loc["A", columns].tolist() == pytest.approx(
        [165, 160, 130, 30, 70, 5, 0, 7, 293])
    # B: 30 + 4 at the supplier; T1 still needs 50 − 20 = 30; PO3 10
    assert status.loc["B", columns].tolist() == pytest.approx(
        [34, 30, 30, 0, 10, 0, 4, 0, 68])
    totals = result.summary.blocks[0].frame.set_index("measure")["qty"]
    assert totals["Allocated"] == pytest.approx(160.0)


def test_ageing_bands_by_fifo_layers_and_slow_movers() -> None:
    options = {**PERIOD, "name": "ageing", "opening_date": "2024-12-31", "slow_days": 30}
    result = run("report", book(), options)
    aged = result.tables["stock_ageing"]
    a = aged[(aged["item_code"] == "A") & (aged["warehouse_code"] == "W1")]
    # newest first: M1 10 (11 days) + R1 50 (19 days) = 60 in 0–30; R0 100 (122 days)
    assert dict(zip(a["age_band"], a["qty"], strict=True)) == {"0–30": 60.0, "91–180": 100.0}
    assert dict(zip(a["age_band"], a["value"], strict=True)) == pytest.approx({"0–30": 108.0,
                                                                  "91–180": 180.0})
    b = aged[(aged["item_code"] == "B") & (aged["warehouse_code"] == "W1")]
    assert b[["age_band", "qty", "value"]].values.tolist() == [[">365", 30.0, 60.0]]
    assert b["oldest_date"].iloc[0] == D("2024-12-31")
    slow = result.tables["slow_movers"].set_index(["item_code", "warehouse_code"])
    # B/W1 last issued 2025-12-01: 61 days idle; A/W1 issued 16 days ago is not slow
    assert slow.loc[("B", "W1"), "days_idle"] == 61
    assert ("A", "W1") not in slow.index
    bands = result.summary.blocks[0].frame.set_index("age_band")
    assert list(bands.index) == ["0–30", "31–90", "91–180", "181–365", ">365"]
    assert bands["value"].sum() == pytest.approx(368.0)  # every warehouse's closing value


def test_bands_are_configurable() -> None:
    options = {**PERIOD, "name": "ageing", "opening_date": "2024-12-31", "bands": "15,200"}
    aged = run("report", book(), options).tables["stock_ageing"]
    a = aged[(aged["item_code"] == "A") & (aged["warehouse_code"] == "W1")]
    assert dict(zip(a["age_band"], a["qty"], strict=True)) == {"0–15": 10.0, "16–200": 150.0}
    with pytest.raises(UsageError, match="increasing whole days"):
        run("report", book(), {**options, "bands": "90,30"})


def test_quality_report_per_supplier() -> None:
    tables = book()
    tables["items"].loc[tables["items"]["item_code"] == "B", "inspection"] = "full"
    tables["receipt_notices"] = pd.DataFrame([doc("N1", "2026-01-11", "B", 1000.0,
                                                  supplier_code="S1", unit_cost=2.0)])
    tables["inspections"] = pd.DataFrame({
        "doc_no": ["Q1"], "line_no": [1], "doc_date": [D("2026-01-12")], "notice_no": ["N1"],
        "notice_line": [1], "passed_qty": [950.0], "concession_qty": [30.0],
        "rejected_qty": [20.0], "scrapped_qty": [0.0], "stock_warehouse": ["W1"]})
    result = run("report", tables, {**PERIOD, "name": "quality"})
    rates = result.tables["quality_rates"].set_index("supplier_code")
    # DOMAIN §6: 1,000 received, 950 passed, 30 concession, 20 rejected → 95 % / 98 %
    assert rates.loc["S1", ["pass_rate", "acceptance_rate"]].tolist() == pytest.approx(
        [0.95, 0.98])
    ledger = by_key(run("report", tables, PERIOD).tables["stock_ledger_summary"])
    assert ledger.loc[("B", "QC"), ["in_qty", "out_qty", "closing_qty"]].tolist() == (
        pytest.approx([980.0, 980.0, 0.0]))  # 1000 in less the 20 returned; 980 moved on
    assert ledger.loc[("B", "W1"), "in_qty"] == pytest.approx(980.0)


def test_a_refused_document_blocks_the_report() -> None:
    tables = book()
    tables["material_issues"] = pd.concat([tables["material_issues"], pd.DataFrame(
        [doc("I9", "2026-01-16", "A", 1.0, task_no="T7")])], ignore_index=True)
    result = run("report", tables, PERIOD)
    assert not result.ok and result.tables == {}
    assert "post_unknown_task" in {i.code for i in result.issues}


@pytest.mark.parametrize(("options", "error"), [
    ({"name": "profit"}, "report 'profit' is not one of stock-ledger, stock-status, ageing"),
    ({**PERIOD, "from": "2026-02-01"}, "from 2026-02-01 is after to 2026-01-31"),
])
def test_bad_options_are_usage_errors(options: dict, error: str) -> None:
    with pytest.raises(UsageError, match=error):
        run("report", book(), options)


def test_default_period_is_the_month_of_the_last_move_and_default_is_every_report() -> None:
    result = run("report", book(), {})
    assert result.messages[0] == "Period 2026-02-01 to 2026-02-02"
    assert list(result.tables) == ["stock_ledger_summary", "stock_status", "stock_ageing",
                                   "slow_movers", "quality_rates"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random receipts and issues of two items that never take stock below zero."""
    rows, balance = [], {"A": 0.0, "B": 0.0}
    opening = {k: float(draw(st.integers(0, 50))) for k in balance}
    balance = dict(opening)
    for day in range(draw(st.integers(0, 25))):
        item = draw(st.sampled_from(["A", "B"]))
        qty = float(draw(st.integers(-30, 40)))
        qty = max(qty, -balance[item])
        balance[item] += qty
        kind = "purchase_receipt" if qty >= 0 else "material_issue"
        rows.append({"doc_type": kind, "doc_date": D("2025-01-01") + pd.Timedelta(
            days=day * draw(st.integers(1, 60))), "item_code": item, "warehouse_code": "W",
            "qty": qty, "value": qty * 2.0})
    moves = pd.DataFrame(rows, columns=["doc_type", "doc_date", "item_code",
                                        "warehouse_code", "qty", "value"])
    moves = moves.sort_values("doc_date", kind="stable", ignore_index=True)
    start = pd.DataFrame({"item_code": list(opening), "warehouse_code": "W",
                          "qty": list(opening.values()),
                          "value": [2.0 * q for q in opening.values()]})
    return moves.astype({"qty": float, "value": float}), start


@settings(max_examples=60, deadline=None)
@given(histories(), st.lists(st.integers(1, 400), min_size=1, max_size=5, unique=True))
def test_bands_sum_to_on_hand(history: tuple[pd.DataFrame, pd.DataFrame],
                              limits: list[int]) -> None:
    moves, opening = history
    end = D("2027-06-30")
    summary, _ = stock_ledger_summary(moves, opening, D("2024-01-01"), end)
    aged = ageing.stock_ageing(moves, opening, summary, end, limits=tuple(sorted(limits)))
    on_hand = summary.set_index(["item_code", "warehouse_code"])["closing_qty"]
    banded = aged.groupby(["item_code", "warehouse_code"])["qty"].sum()
    held = on_hand[on_hand > 0]
    assert banded.reindex(held.index).fillna(0.0).to_numpy() == pytest.approx(held.to_numpy())
    assert (aged["qty"] > 0).all()
    assert np.isclose(aged["value"].sum(), summary.loc[summary["closing_qty"] > 0,
                                                       "closing_value"].sum())
