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
from frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

import addin.commands.report  # noqa: F401  (registers the command)
from addin.commands import run
from addin.engines import ageing, dashboard
from addin.engines.stockledger import inbound, opening_stock, stock_ledger_summary
from addin.engines.subcontracttracking import subcontract_tracking
from addin.errors import UsageError
from addin.schema import TABLES, coerce

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


def typed_book() -> dict[str, pd.DataFrame]:
    """`book()` as the workbook reader types it (every column, defaults filled): what the
    commands a report reuses (kit, alerts) expect."""
    return {name: coerce(TABLES[name], frame, name, "en")[0] for name, frame in book().items()}


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
    ({"name": "sales"}, "report 'sales' is not one of stock-ledger, stock-status, ageing"),
    ({**PERIOD, "from": "2026-02-01"}, "from 2026-02-01 is after to 2026-01-31"),
])
def test_bad_options_are_usage_errors(options: dict, error: str) -> None:
    with pytest.raises(UsageError, match=error):
        run("report", book(), options)


def test_default_period_is_the_month_of_the_last_move_and_default_is_every_report() -> None:
    result = run("report", typed_book(), {})
    assert result.messages[0] == "Period 2026-02-01 to 2026-02-02"
    assert list(result.tables) == ["stock_ledger_summary", "stock_status", "stock_ageing",
                                   "slow_movers", "quality_rates", "dashboard_kpis"]


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


# -- the KPI dashboard ------------------------------------------------------------------

def test_dashboard_stock_value_turns_and_weeks_by_hand() -> None:
    """Own stock only (A 7 in the customer's VX is left out): the day before 2026-01-10
    380 − 7 = 373.00, at 2026-01-31 368 − 7 = 361.00. Issued in the period: I1 180.00 −
    M1 18.00 = 162.00. Turns = 162 ÷ ((373 + 361) ÷ 2) × 365 ÷ 22 days = 7.32 a year."""
    result = run("report", typed_book(), {**PERIOD, "name": "dashboard"})
    assert result.ok, [i.message() for i in result.issues]
    kpis = result.tables["dashboard_kpis"].set_index("kpi")
    assert list(kpis.index) == ["fill_rate", "lines_due", "overdue_tasks", "stock_value",
                                "issued_value", "inventory_turns"]  # no BOM: no kitting
    assert kpis.loc["stock_value", "value"] == pytest.approx(361.0)
    assert kpis.loc["issued_value", "value"] == pytest.approx(162.0)
    assert kpis.loc["inventory_turns", "value"] == pytest.approx(
        round(162 / ((373 + 361) / 2) * 365 / 22, 2))
    assert kpis.loc["inventory_turns", "value"] == pytest.approx(7.32)
    assert kpis.loc["inventory_turns", "unit"] == "per_year"
    assert np.isnan(kpis.loc["fill_rate", "value"])  # no order line due: no rate
    stock, issued = (b.frame for b in result.summary.blocks[1:])
    # weeks end on Sundays 01-11, 01-18, 01-25 and on the period end 01-31
    assert stock["week_end"].dt.strftime("%m-%d").tolist() == ["01-11", "01-18", "01-25",
                                                               "01-31"]
    assert stock["stock_value"].tolist() == pytest.approx([373, 343, 361, 361])
    assert issued["issued_value"].tolist() == pytest.approx([0, 180, -18, 0])
    assert issued["moves"].tolist() == [0, 1, 1, 0]
    assert [b.chart for b in result.summary.blocks] == [None, "column", "column"]
    assert ("Stock value", 361.0) in result.summary.figures


def test_fill_rate_counts_lines_due_shipped_in_full_by_their_due_date() -> None:
    """January: SO1/1 X 10 due 01-10, SO1/2 X 5 due 01-20, SO2/1 Y 8 due 01-15 are due;
    SO3 is cancelled and SO4 due in February. D1 ships SO1's 10 X on 01-08 (SO1/1 in
    full); D2's 5 X come on 01-22, after SO1/2's due date (10 < 10 + 5 by 01-20); SO2's Y
    come as 5 + 3 by 01-15 (D5's 8, reversed by D6, do not count) → 2 of 3 = 66.67 %."""
    orders = pd.DataFrame({
        "order_no": ["SO1", "SO1", "SO2", "SO3", "SO4"], "line_no": [1, 2, 1, 1, 1],
        "item_code": ["X", "X", "Y", "Z", "Z"], "qty": [10.0, 5.0, 8.0, 4.0, 6.0],
        "shipped_qty": [10.0, 5.0, 0.0, 0.0, 0.0],
        "due_date": pd.to_datetime(["2026-01-10", "2026-01-20", "2026-01-15", "2026-01-25",
                                    "2026-02-05"]),
        "status": ["open", "open", "open", "cancelled", "open"]})
    shipments = pd.DataFrame({
        "doc_no": ["D1", "D2", "D3", "D4", "D5", "D6"],
        "doc_date": pd.to_datetime(["2026-01-08", "2026-01-22", "2026-01-14", "2026-01-15",
                                    "2026-01-12", "2026-01-13"]),
        "order_no": ["SO1", "SO1", "SO2", "SO2", "SO2", "SO2"],
        "item_code": ["X", "X", "Y", "Y", "Y", "Y"], "qty": [10.0, 5.0, 5.0, 3.0, 8.0, 8.0],
        "reverses_doc_no": ["", "", "", "", "", "D5"]})
    january = (D("2026-01-01"), D("2026-01-31"))
    assert dashboard.fill_rate(orders, shipments, *january) == (2, 3)
    # without shipments the order's shipped qty decides (its date is unknown): SO1's two
    # lines are shipped, SO2's is not
    assert dashboard.fill_rate(orders, None, *january) == (2, 3)
    assert dashboard.fill_rate(orders.assign(shipped_qty=0.0), None, *january) == (0, 3)
    assert dashboard.fill_rate(orders, shipments, D("2026-03-01"), D("2026-03-31")) == (0, 0)


def test_inventory_turns_formula() -> None:
    # 1,200 issued in 30 days over an average stock of (1,000 + 1,400) / 2 = 1,200
    # → 1 turn a month, 365 / 30 = 12.17 a year
    assert dashboard.inventory_turns(1200.0, 1000.0, 1400.0, 30) == pytest.approx(
        365 / 30)
    assert np.isnan(dashboard.inventory_turns(50.0, 0.0, 0.0, 30))


def _kit_book() -> dict[str, pd.DataFrame]:
    """P = 2 A + 1 B + 4 C, stock A 50, B 30, C 90 (at 1.00, 2.00, 0.50) in W1. SO1 15 P
    due 01-20, SO2 10 P due 01-25; task T9 for P was due on 01-05 and is still released."""
    return {
        "items": typed("items", [{"item_code": c, "item_name": c, "item_type": t,
                                  "standard_cost": cost} for c, t, cost in (
            ("P", "manufactured", 0.0), ("A", "purchased", 1.0), ("B", "purchased", 2.0),
            ("C", "purchased", 0.5))]),
        "warehouses": typed("warehouses", [{"warehouse_code": "W1", "warehouse_name": "w"}]),
        "bom": typed("bom", [{"parent_code": "P", "component_code": c, "qty_numerator": q}
                             for c, q in (("A", 2), ("B", 1), ("C", 4))]),
        "stock": typed("stock", [{"item_code": c, "warehouse_code": "W1", "qty": q}
                                 for c, q in (("A", 50), ("B", 30), ("C", 90))]),
        "sales_orders": typed("sales_orders", [
            {"order_no": "SO1", "item_code": "P", "qty": 15, "due_date": "2026-01-20"},
            {"order_no": "SO2", "item_code": "P", "qty": 10, "due_date": "2026-01-25"}]),
        "production_tasks": typed("production_tasks", [
            {"task_no": "T9", "item_code": "P", "qty": 5, "start_date": "2026-01-01",
             "due_date": "2026-01-05", "status": "released"}]),
    }


def test_dashboard_shortage_lines_and_overdue_tasks_come_from_kit_and_alerts() -> None:
    """Kitting gives SO1 its 15 sets and SO2 7: SO2 is short 10 C → 1 shortage line.
    T9 is overdue on 01-31 → 1 task. Nothing shipped: fill rate 0 of 2. Stock 50 + 60 +
    45 = 155.00, nothing issued → 0 turns."""
    options = {"name": "dashboard", "from": "2026-01-01", "to": "2026-01-31"}
    result = run("report", _kit_book(), options)
    assert result.ok, [i.message() for i in result.issues]
    kpis = result.tables["dashboard_kpis"].set_index("kpi")["value"]
    assert kpis.to_dict() == pytest.approx({
        "fill_rate": 0.0, "lines_due": 2.0, "shortage_lines": 1.0, "overdue_tasks": 1.0,
        "stock_value": 155.0, "issued_value": 0.0, "inventory_turns": 0.0})
    zh = run("report", _kit_book(), {**options, "lang": "zh"})
    assert ("缺料行", 1.0) in zh.summary.figures


def test_shortage_report_reuses_kitting() -> None:
    result = run("report", _kit_book(), {"name": "shortage", "to": "2026-01-31"})
    assert result.ok
    assert list(result.tables) == ["kit_orders", "kit_shortages"]
    orders = result.tables["kit_orders"].set_index("order_no")
    assert orders["buildable_sets"].to_dict() == {"SO1": 15.0, "SO2": 7.0}
    [block] = result.summary.blocks
    assert block.frame[["component_code", "short_qty", "order_lines"]].values.tolist() == [
        ["C", 10.0, 1]]
    assert result.summary.figures == [("Order lines", 2.0), ("of which kitted", 1.0),
                                      ("Shortage lines", 1.0), ("Qty short", 10.0)]
    missing = run("report", {k: v for k, v in _kit_book().items() if k != "bom"},
                  {"name": "shortage"})
    assert [i.message() for i in missing.issues] == ['Report shortage needs the "BOM" sheet']
    assert missing.tables == {}


def test_progress_report_reuses_the_alerts() -> None:
    result = run("report", _kit_book(), {"name": "progress", "to": "2026-01-31"})
    assert list(result.tables) == ["production_alerts", "task_progress"]
    assert result.tables["production_alerts"]["alert"].tolist() == ["overdue"]
    assert [b.table for b in result.summary.blocks] == ["alert_counts", "completion_overview"]


def test_subcontract_tracking_per_order_line() -> None:
    """DOMAIN §6: WW1 orders 50 P of 2 kg M each; 100 kg M issued at 5.00 (material for
    50 sets, 500.00), 45 P received → 5 open, 90 % done, overdue on 02-05 (due 01-31).
    WW2 is closed: nothing open. WW9 (5 P) got nothing: 0 sets, 5 open. The supplier
    holds 100 − 90 = 10 kg = 50.00."""
    from test_subcontract import frame, issue, receipt
    from test_subcontract import tables as sub_tables

    tables = sub_tables(subcontract_issues=frame(issue()),
                        subcontract_receipts=frame(receipt()))
    result = run("report", tables, {"name": "subcontract", "to": "2026-02-05"})
    assert result.ok, [i.message() for i in result.issues]
    track = result.tables["subcontract_tracking"].set_index("order_no")
    columns = ["ordered_qty", "issued_sets", "issued_value", "received_qty", "open_qty",
               "completion", "overdue"]
    assert track.loc["WW1", columns].tolist() == pytest.approx(
        [50, 50, 500, 45, 5, 0.9, True])
    assert track.loc["WW2", ["open_qty", "overdue"]].tolist() == [0.0, False]
    assert np.isnan(track.loc["WW2", "issued_sets"])  # no materials list
    assert track.loc["WW9", ["issued_sets", "open_qty", "overdue"]].tolist() == [0, 5, True]
    assert list(result.tables) == ["subcontract_tracking", "supplier_balances",
                                   "fee_adjustments"]
    figures = dict(result.summary.figures)
    assert (figures["Qty open"], figures["Overdue lines"], figures["Value at suppliers"]) == (
        10.0, 2.0, 50.0)
    assert result.summary.blocks[0].frame["order_no"].tolist() == ["WW1 / 1", "WW9 / 1"]


def test_a_return_lowers_the_sets_issued() -> None:
    moves = pd.DataFrame({
        "doc_type": ["subcontract_issue", "subcontract_issue", "subcontract_return",
                     "subcontract_return", "subcontract_receipt"],
        "doc_date": pd.to_datetime(["2026-01-05"] * 4 + ["2026-03-01"]),
        "order_no": "O1", "item_code": ["M", "M", "M", "M", "P"],
        "qty": [-100.0, 100.0, -10.0, 10.0, 40.0], "value": [-500.0, 500.0, -50.0, 50.0,
                                                             400.0]})
    orders = pd.DataFrame({"order_no": ["O1"], "line_no": [1], "supplier_code": ["S"],
                           "item_code": ["P"], "qty": [60.0], "received_qty": [5.0],
                           "due_date": pd.to_datetime(["2026-02-01"]), "status": ["open"]})
    listed = pd.DataFrame({"order_no": ["O1"], "order_line": [1], "component_code": ["M"],
                           "qty_per": [2.0], "variable_loss_rate": [0.0]})
    # (100 − 10) / 2 = 45 sets, 450.00; the receipt of 03-01 is after the report date
    out = subcontract_tracking(orders, listed, moves, D("2026-01-31")).iloc[0]
    assert [out["issued_sets"], out["issued_value"], out["received_qty"], out["open_qty"],
            out["overdue"]] == [45.0, 450.0, 5.0, 55.0, False]


def _cost_book() -> dict[str, pd.DataFrame]:
    from costing_frames import typed as cost_typed
    from test_costvariance import _tables
    tables = _tables()
    tables["production_tasks"] = tables["production_tasks"].assign(tracking_no="SO1-1")
    tables["sales_orders"] = cost_typed("sales_orders", order_no=["SO1"], item_code=["P"],
                                        qty=[100], due_date=["2026-11-30"], unit_price=[40])
    return tables


def test_cost_report_composition_and_variance_by_element() -> None:
    """The variances of test_costvariance: material 71, labour 155, overhead 95 → 321 =
    actual 2,721 − standard 2,400."""
    result = run("report", _cost_book(), {"name": "cost"})
    assert result.ok, [i.message() for i in result.issues]
    assert list(result.tables) == ["cost_composition", "cost_variance"]
    block = result.summary.blocks[-1]
    assert block.table == "variance_by_element"
    assert block.frame.set_index("element")["total_variance"].to_dict() == pytest.approx(
        {"labour": 155.0, "material": 71.0, "overhead": 95.0})
    assert dict(result.summary.figures)["Total variance"] == pytest.approx(321.0)


def test_profit_report() -> None:
    """SO1 sells T's 100 P at 40.00: revenue 4,000.00, cost 2,721.00 → profit 1,279.00,
    margin 31.98 %."""
    result = run("report", _cost_book(), {"name": "profit"})
    assert result.ok, [i.message() for i in result.issues]
    figures = dict(result.summary.figures)
    assert [figures[k] for k in ("Revenue", "Cost of sales", "Profit", "Margin %")] == (
        pytest.approx([4000.0, 2721.0, 1279.0, 31.98]))
    assert result.summary.blocks[0].frame["order_no"].tolist() == ["SO1 / 1"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(
    ["material_issue", "material_return", "purchase_receipt", "supplement"]),
    st.integers(1, 50)), max_size=30), st.integers(0, 40), st.integers(0, 30))
def test_weeks_reconcile_with_the_period(rows: list[tuple[int, str, int]], first: int,
                                         length: int) -> None:
    """The weekly values add up to the period's value issued, and the last week end's
    stock value is the opening + every move up to the period end."""
    sign = {"material_issue": -1.0, "supplement": -1.0}
    moves = pd.DataFrame({
        "doc_date": [D("2026-01-01") + pd.Timedelta(days=d) for d, _, _ in rows],
        "doc_type": [k for _, k, _ in rows],
        "value": [sign.get(k, 1.0) * v for _, k, v in rows]},
        columns=["doc_date", "doc_type", "value"]).astype({"value": float})
    moves["doc_date"] = pd.to_datetime(moves["doc_date"])
    start = D("2026-01-01") + pd.Timedelta(days=first)
    end = start + pd.Timedelta(days=length)
    stock, issued = dashboard.weekly(100.0, moves, start, end)
    assert issued["issued_value"].sum() == pytest.approx(
        dashboard.issued_value(moves, start, end))
    assert stock["stock_value"].iloc[-1] == pytest.approx(
        100.0 + moves.loc[moves["doc_date"] <= end, "value"].sum())
    assert stock["week_end"].iloc[-1] == end
