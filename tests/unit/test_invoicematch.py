"""Three-way matching (issue #10): hand-worked cases and a conservation property.

The factory: supplier S1 (tax id 91110000MA00000001) sells bolts M8 (item A) at 10.00 a
piece on PO1; customer C1 (tax id 91310000MA00000009) buys item A. Invoices name goods
as the e-invoice prints them, "*金属制品*螺栓" with spec "M8".
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.commands import run
from addin.commands.match import match_options
from addin.engines.invoicealloc import allocate, spread
from addin.engines.invoicematch import MatchOptions, match_invoices, period_bounds
from addin.errors import UsageError
from addin.schema import TABLES, coerce, empty_frame

SELLER, BUYER = "91110000MA00000001", "91310000MA00000009"


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    frame, issues = coerce(TABLES[name], pd.DataFrame(rows), name, "en")
    assert not [i for i in issues if i.severity == "error"], issues
    return frame


def invoice(number: str, day: str, qty: float, amount: float, tax: float, **extra) -> dict:
    return {"einvoice_no": number, "issue_date": day, "seller_tax_id": SELLER,
            "seller_name": "甲公司", "goods_name": "*金属制品*螺栓", "spec": "M8", "qty": qty,
            "amount": amount, "tax_rate": "13%", "tax": tax, **extra}


def receipt(number: str, day: str, qty: float, line: int = 1) -> dict:
    return {"doc_no": number, "line_no": line, "doc_date": day, "item_code": "A", "qty": qty,
            "supplier_code": "S1", "warehouse_code": "W1"}


def book(receipts: list[dict], invoices: list[dict], po_qty: float = 1000) -> dict:
    return {
        "suppliers": table("suppliers", [{"supplier_code": "S1", "supplier_name": "甲公司",
                                          "tax_id": SELLER}]),
        "customers": table("customers", [{"customer_code": "C1", "customer_name": "乙公司",
                                          "tax_id": BUYER}]),
        "items": table("items", [{"item_code": "A", "item_name": "螺栓", "spec": "M8",
                                  "item_type": "purchased", "standard_cost": 9}]),
        "purchase_orders": table("purchase_orders", [
            {"po_no": "PO1", "supplier_code": "S1", "item_code": "A", "qty": po_qty,
             "due_date": "2026-10-01", "unit_price": 10}]),
        "purchase_receipts": table("purchase_receipts", receipts) if receipts
        else empty_frame(TABLES["purchase_receipts"]),
        "invoice_lines": table("invoice_lines", invoices),
    }


def match(tables: dict, period: str = "2026-11", **options):
    start, end = period_bounds(period)
    return match_invoices(tables, MatchOptions(start, end, **options))


def test_exact_match() -> None:
    result = match(book([receipt("R1", "2026-11-03", 100)],
                        [invoice("I1", "2026-11-10", 100, 1000, 130)]))
    row = result.matches.iloc[0]
    assert (row["doc_no"], row["invoice_no"], row["qty"], row["order_no"]) == (
        "R1", "I1", 100, "PO1")
    assert (row["doc_amount"], row["invoice_amount"], row["status"]) == (1000, 1000, "matched")
    assert result.partial.empty and result.unmatched.empty
    assert result.differences.empty and result.estimated.empty
    assert result.issues == []


@pytest.mark.parametrize(("amount", "status", "within", "effect"), [
    (1005, "price_within", True, 5.0),     # 10.05 vs 10.00: +0.5 % inside ±1 %
    (1050, "price_beyond", False, 50.0),   # 10.50 vs 10.00: +5 % outside ±1 %
])
def test_price_difference_within_and_beyond_tolerance(amount: float, status: str,
                                                      within: bool, effect: float) -> None:
    tax = round(amount * 0.13, 2)
    result = match(book([receipt("R1", "2026-11-03", 100)],
                        [invoice("I1", "2026-11-10", 100, amount, tax)]))
    assert result.matches["status"].tolist() == [status]
    price = result.differences[result.differences["kind"] == "price"].iloc[0]
    assert (price["expected"], price["actual"]) == (10.0, amount / 100)
    assert (bool(price["within_tolerance"]), price["amount"]) == (within, effect)


def test_partial_invoicing_across_two_months() -> None:
    # 100 received in October at the order price 10.00; 60 invoiced in October at 10.00,
    # the other 40 in November at 10.05 (within tolerance)
    tables = book([receipt("R1", "2026-10-20", 100)],
                  [invoice("I1", "2026-10-28", 60, 600, 78),
                   invoice("I2", "2026-11-05", 40, 402, 52.26)])
    october = match(tables, "2026-10")
    open_line = october.partial.iloc[0]
    assert (open_line["doc_no"], open_line["matched_qty"], open_line["remaining_qty"],
            open_line["remaining_amount"], open_line["counterpart"]) == ("R1", 60, 40, 400, "I1")
    estimate = october.estimated.iloc[0]
    assert (estimate["uninvoiced_qty"], estimate["order_price"],
            estimate["estimated_amount"]) == (40, 10, 400)   # 暂估 40 × 10.00
    assert october.adjustments.empty
    november = match(tables, "2026-11")
    assert november.partial.empty and november.estimated.empty
    assert november.matches[["invoice_no", "qty"]].values.tolist() == [["I2", 40]]
    adjustment = november.adjustments.iloc[0]
    # the 40 estimated at 400.00 are invoiced at 402.00: +2.00 cost in November
    assert (adjustment["period"], adjustment["estimated_amount"],
            adjustment["invoice_amount"], adjustment["adjustment"]) == ("2026-11", 400, 402, 2)


def test_one_invoice_covers_three_receipts() -> None:
    result = match(book([receipt("R1", "2026-11-02", 30), receipt("R2", "2026-11-09", 50),
                         receipt("R3", "2026-11-16", 20)],
                        [invoice("I1", "2026-11-20", 100, 1000, 130)]))
    assert result.matches[["doc_no", "qty", "invoice_amount"]].values.tolist() == [
        ["R1", 30, 300], ["R2", 50, 500], ["R3", 20, 200]]
    line = result.invoices.iloc[0]
    assert (line["outcome"], line["counterpart"]) == ("matched", "R1 (+2)")
    assert result.partial.empty and result.unmatched.empty


def test_several_invoices_for_one_receipt_and_an_uninvoiced_one() -> None:
    result = match(book([receipt("R1", "2026-11-02", 100), receipt("R2", "2026-11-09", 10)],
                        [invoice("I1", "2026-11-20", 70, 700, 91),
                         invoice("I2", "2026-11-21", 30, 300, 39)]))
    assert result.matches[["doc_no", "invoice_no", "qty"]].values.tolist() == [
        ["R1", "I1", 70], ["R1", "I2", 30]]
    assert result.unmatched[["kind", "doc_no", "remaining_qty", "remaining_amount"]
                            ].values.tolist() == [["receipt", "R2", 10, 100]]
    assert result.estimated["estimated_amount"].tolist() == [100]


def test_red_letter_invoice_cancels_half_of_an_earlier_one() -> None:
    blue, red = "26112000000000000001", "26112000000000000002"
    result = match(book([receipt("R1", "2026-11-02", 100)], [
        invoice(blue, "2026-11-10", 100, 1000, 130),
        invoice(red, "2026-11-25", -50, -500, -65, positive="否",
                remarks=f"被红冲蓝字数电发票号码：{blue} 红字发票信息确认单编号：X1")]))
    net = result.invoices.iloc[0]
    assert (net["id"], net["qty_u"] / 1e6, net["amount_c"] / 100, net["tax_c"] / 100) == (
        blue, 50, 500, 65)
    assert result.matches[["invoice_no", "qty", "invoice_amount"]].values.tolist() == [
        [blue, 50, 500]]
    open_line = result.partial.iloc[0]
    assert (open_line["doc_no"], open_line["remaining_qty"], open_line["remaining_amount"]) == (
        "R1", 50, 500)
    assert result.estimated["estimated_amount"].tolist() == [500]
    assert result.issues == []


def test_tax_rounding_per_line_reconciles_per_invoice() -> None:
    # three lines of 10.05 at 13 %: 1.3065 each rounds to 1.31, but the invoice's tax is
    # round(30.15 × 13 %) = 3.92, so the software put 1.30 on the last line
    lines = [invoice("I1", "2026-11-10", 1, 10.05, tax, line_no=n)
             for n, tax in ((1, 1.31), (2, 1.31), (3, 1.30))]
    result = match(book([receipt("R1", "2026-11-02", 3)], lines), tax_rate=0.13)
    taxes = result.differences[result.differences["kind"].str.startswith("tax")]
    assert taxes[["kind", "within_tolerance", "invoice_line", "expected", "actual"]
                 ].values.tolist() == [["tax_rounding", True, 3, 1.31, 1.30]]
    assert taxes["difference"].round(2).tolist() == [-0.01]


def test_tax_beyond_tolerance_on_a_line_and_on_the_invoice() -> None:
    result = match(book([receipt("R1", "2026-11-02", 100)],
                        [invoice("I1", "2026-11-10", 100, 1000, 129.50)]))
    taxes = result.differences[result.differences["kind"] == "tax"]
    assert taxes[["invoice_line", "expected", "actual"]].astype(object).values.tolist() == [
        [1, 130.0, 129.5], [pd.NA, 130.0, 129.5]]
    assert not taxes["within_tolerance"].any()


def test_voided_invoice_is_ignored() -> None:
    result = match(book([receipt("R1", "2026-11-03", 100)],
                        [invoice("I1", "2026-11-10", 100, 1000, 130, status="作废")]))
    assert result.voided == 1 and result.matches.empty and result.invoices.empty
    assert result.unmatched[["kind", "doc_no", "remaining_qty"]].values.tolist() == [
        ["receipt", "R1", 100]]


def test_qty_within_tolerance_counts_as_matched() -> None:
    result = match(book([receipt("R1", "2026-11-03", 100)],
                        [invoice("I1", "2026-11-10", 99, 990, 128.70)]), qty_tolerance=1)
    assert result.partial.empty and result.estimated.empty
    qty = result.differences[result.differences["kind"] == "qty"].iloc[0]
    assert (qty["doc_no"], qty["expected"], qty["actual"], qty["amount"]) == (
        "R1", 100, 99, -10)


def test_unknown_partner_and_goods_are_warnings_and_stay_unmatched() -> None:
    stranger = invoice("I9", "2026-11-10", 5, 50, 6.5, seller_tax_id="X", seller_name="丙",
                       goods_name="*其他*神秘物", spec="", direction="进项")
    result = match(book([], [stranger]))
    assert sorted(i.code for i in result.issues) == ["invoice_item_unknown",
                                                     "invoice_party_unknown"]
    assert result.unmatched[["kind", "doc_no", "item_code"]].values.tolist() == [
        ["invoice", "I9", "神秘物"]]


def test_sales_side_shipment_and_customer_invoice() -> None:
    tables = book([], [{"einvoice_no": "O1", "issue_date": "2026-11-12", "seller_tax_id": "OWN",
                        "buyer_tax_id": BUYER, "goods_name": "*金属制品*螺栓", "spec": "M8",
                        "qty": 20, "amount": 300, "tax_rate": 0.13, "tax": 39}])
    tables["sales_orders"] = table("sales_orders", [
        {"order_no": "SO1", "customer_code": "C1", "item_code": "A", "qty": 20,
         "due_date": "2026-11-10", "unit_price": 15}])
    tables["shipments"] = table("shipments", [
        {"doc_no": "D1", "doc_date": "2026-11-11", "item_code": "A", "qty": 20,
         "customer_code": "C1", "order_no": "SO1", "warehouse_code": "W1"}])
    result = match(tables, tax_id="OWN")
    row = result.matches.iloc[0]
    assert (row["side"], row["doc_no"], row["order_no"], row["invoice_no"], row["status"]) == (
        "sales", "D1", "SO1", "O1", "matched")
    assert result.estimated.empty  # 暂估 is for purchases only


def test_allocation_splits_and_spreads_exactly() -> None:
    segments = allocate([0, 0, 1], [100, 50, 30], [0, 1, 1, 2], [120, 10, 10, 5])
    assert segments.left.tolist() == [0, 1, 1, 2, 2, 2, -1]
    assert segments.right.tolist() == [0, 0, -1, 1, 2, -1, 3]
    assert segments.qty.tolist() == [100, 20, 30, 10, 10, 10, 5]
    amounts = spread(np.array([1000, 333, 100]), np.array([100, 50, 30]), segments.left,
                     segments.qty)
    assert amounts.tolist() == [1000, 133, 200, 33, 34, 33, 0]  # 100 in thirds, cumulatively


def test_command_writes_summary_and_refuses_a_bad_period() -> None:
    tables = book([receipt("R1", "2026-10-20", 100)],
                  [invoice("I1", "2026-10-28", 60, 600, 78)])
    result = run("match", tables, {"period": "2026-10", "lang": "zh"})
    figures = dict(result.summary.figures)
    assert figures["暂估金额"] == 400 and figures["作废发票（已忽略）"] == 0
    chart = result.summary.blocks[0].frame
    assert chart.values.tolist() == [["采购入库部分匹配", 1, 100.0, 1000.0],
                                     ["采购发票相符", 1, 60.0, 600.0]]
    assert "部分开票 1" in result.messages[0]
    with pytest.raises(UsageError, match="period '2026-13' is not a month"):
        run("match", tables, {"period": "2026-13"})
    with pytest.raises(UsageError, match="more than 100 %"):
        run("match", tables, {"price_tolerance": 5})


# -- property: nothing is lost or made up ------------------------------------------------

_MASTER = {
    "suppliers": table("suppliers", [{"supplier_code": f"S{n}", "supplier_name": f"S{n}",
                                      "tax_id": f"TS{n}"} for n in range(3)]),
    "items": table("items", [{"item_code": i, "item_name": i, "item_type": "purchased",
                              "standard_cost": 3} for i in ("A", "B")]),
}
_line = st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(1, 28),
                  st.integers(1, 400), st.integers(100, 2000))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(receipts=st.lists(_line, max_size=12), invoices=st.lists(_line, max_size=12))
def test_matched_plus_open_adds_up_to_the_inputs(receipts, invoices) -> None:
    """For random receipts and invoices (3 suppliers × 2 items, quantities to 0.01 and
    prices in cents), matched + partly/unmatched quantities and amounts equal the inputs
    on both sides, to the cent."""
    suppliers = [f"S{n}" for n in range(3)]
    tables = {
        "suppliers": _MASTER["suppliers"], "items": _MASTER["items"],
        "purchase_receipts": table("purchase_receipts", [
            {"doc_no": f"R{n}", "doc_date": f"2026-11-{day:02d}", "item_code": "AB"[item],
             "qty": qty / 100, "supplier_code": suppliers[s], "unit_cost": price / 100,
             "warehouse_code": "W"} for n, (s, item, day, qty, price) in enumerate(receipts)]
            or [{"doc_no": "X", "doc_date": "2026-11-01", "item_code": "A", "qty": 0}]),
        "invoice_lines": table("invoice_lines", [
            {"einvoice_no": f"I{n}", "issue_date": f"2026-11-{day:02d}", "direction": "in",
             "seller_tax_id": f"T{suppliers[s]}", "goods_name": "AB"[item], "qty": qty / 100,
             "amount": round(qty * price / 10000, 2), "tax_rate": 0.13}
            for n, (s, item, day, qty, price) in enumerate(invoices)]
            or [{"einvoice_no": "Y", "issue_date": "2026-11-01", "amount": 0}]),
    }
    result = match(tables, "2026-11", tax_rate=None)
    opened = pd.concat([result.partial, result.unmatched], ignore_index=True)
    for kind, side_amount, inputs in (
            ("receipt", "doc_amount", tables["purchase_receipts"]),
            ("invoice", "invoice_amount", tables["invoice_lines"])):
        rest = opened[opened["kind"] == kind]
        qty = result.matches["qty"].sum() + rest["remaining_qty"].sum()
        assert round(qty, 6) == round(inputs["qty"].sum(), 6)
        amount = result.matches[side_amount].sum() + rest["remaining_amount"].sum()
        if kind == "receipt":
            expected = sum(round(q * p + 1e-9, 2)
                           for q, p in zip(inputs["qty"], inputs["unit_cost"], strict=True))
        else:
            expected = inputs["amount"].sum()
        assert round(amount, 2) == round(expected, 2)
    assert result.matches["difference"].round(2).sum() == pytest.approx(
        (result.matches["invoice_amount"] - result.matches["doc_amount"]).sum())


def test_period_bounds() -> None:
    assert period_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert period_bounds("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))


def test_options_from_a_front_end() -> None:
    given = match_options({"period": "2026-11", "price_tolerance": "0.5%", "tax_tolerance": 0,
                           "tax_rate": "any", "qty_tolerance": "2", "tax_id": " 913 "}, {})
    assert (given.start, given.end, given.price_tolerance, given.tax_tolerance,
            given.tax_rate, given.qty_tolerance, given.tax_id) == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 30), 0.005, 0.0, None, 2.0, "913")
    defaults = match_options({}, book([receipt("R1", "2026-10-20", 1)],
                                      [invoice("I1", "2026-12-02", 1, 10, 1.3)]))
    assert (defaults.period, defaults.price_tolerance, defaults.tax_tolerance,
            defaults.tax_rate) == ("2026-12", 0.01, 0.01, 0.13)
    with pytest.raises(UsageError, match="period is missing"):
        match_options({}, {})


def test_unknown_goods_learn_a_mapping_from_the_open_receipt() -> None:
    # the supplier prints "六角螺栓" for bolts; its open receipt R2 has the same 40
    renamed = invoice("I2", "2026-11-12", 40, 400, 52, goods_name="*金属制品*六角螺栓")
    result = match(book([receipt("R1", "2026-11-02", 100), receipt("R2", "2026-11-05", 40)],
                        [invoice("I1", "2026-11-10", 100, 1000, 130), renamed]))
    assert result.suggestions.values.tolist() == [
        ["einvoice", "item", "六角螺栓 M8", "A", "match", "same qty as an open document",
         "I2 40 ↔ R2"]]


def test_inspected_goods_and_returns_are_what_an_invoice_covers() -> None:
    # notice N1 of 100: 90 passed + 5 by concession go to stock (Q1, 95), 5 rejected; the
    # return of 20 on 11-05 comes off the latest receipt, Q1 → 75. R1 50 + Q1 75 = 125 =
    # invoices 95 + 30, so everything is matched exactly.
    tables = book([receipt("R1", "2026-11-01", 50)],
                  [invoice("I1", "2026-11-10", 95, 950, 123.5),
                   invoice("I2", "2026-11-11", 30, 300, 39)])
    tables["receipt_notices"] = table("receipt_notices", [
        {"doc_no": "N1", "doc_date": "2026-11-03", "item_code": "A", "qty": 100,
         "supplier_code": "S1", "unit_cost": 10, "warehouse_code": "QC"}])
    tables["inspections"] = table("inspections", [
        {"doc_no": "Q1", "doc_date": "2026-11-04", "notice_no": "N1", "passed_qty": 90,
         "concession_qty": 5, "rejected_qty": 5}])
    tables["purchase_returns"] = table("purchase_returns", [
        {"doc_no": "B1", "doc_date": "2026-11-05", "item_code": "A", "qty": 20,
         "supplier_code": "S1", "warehouse_code": "W1"}])
    result = match(tables)
    assert result.docs[["doc_no", "qty_u", "outcome"]].values.tolist() == [
        ["R1", 50_000_000, "matched"], ["Q1", 75_000_000, "matched"]]
    assert result.matches[["doc_no", "invoice_no", "qty"]].values.tolist() == [
        ["R1", "I1", 50], ["Q1", "I1", 45], ["Q1", "I2", 30]]
    assert result.partial.empty and result.unmatched.empty
