"""Subcontracting, consigned processing, rework and returns at issue cost (DOMAIN §6),
end to end through `addin.commands.run("post", …)`."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import addin.commands.post  # noqa: F401  (registers the command)
from addin.commands import run
from addin.engines import pricepolicy
from addin.engines.posting import PostingContext, post_documents, stack_documents

D = pd.Timestamp


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    """Document rows with Excel rows 2, 3, … unless given."""
    return pd.DataFrame([{"_row": n + 2, "line_no": 1, **row} for n, row in enumerate(rows)])


def tables(**more: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """M: a material in kg (100 at 5.00 in RM); P: the part supplier S1 makes from 2 kg of M
    on order WW1 (50 parts at 3.00); A, B, C, Q, R for consigned processing and rework."""
    base = {
        "items": pd.DataFrame({
            "item_code": ["M", "P", "A", "B", "C", "Q"],
            "standard_cost": [5.0, 0.0, 2.0, 2.0, 0.0, 0.0], "inspection": "exempt",
            "default_warehouse": ["RM", "FG", "RM", "RM", "VX", "FG"]}),
        "warehouses": pd.DataFrame({
            "warehouse_code": ["RM", "FG", "SUB", "VX"],
            "warehouse_type": ["normal", "normal", "at_supplier", "customer_virtual"],
            "supplier_code": ["", "", "S1", ""]}),
        "suppliers": pd.DataFrame({"supplier_code": ["S1", "S2"]}),
        "stock": pd.DataFrame({"item_code": ["M", "A", "B", "C"],
                               "warehouse_code": ["RM", "RM", "RM", "RM"],
                               "qty": [100.0, 100.0, 100.0, 100.0],
                               "unit_cost": [5.0, 2.0, 2.0, 4.0]}),
        "subcontract_orders": pd.DataFrame({
            "order_no": ["WW1", "WW2", "WW9"], "line_no": [1, 1, 1],
            "supplier_code": ["S1", "S1", "S9"], "item_code": ["P", "P", "P"],
            "qty": [50.0, 10.0, 5.0], "received_qty": [0.0, 0.0, 0.0],
            "due_date": [D("2026-01-31")] * 3, "status": ["open", "closed", "open"],
            "unit_price": [3.0, 3.0, 3.0]}),
        "subcontract_materials": pd.DataFrame({
            "order_no": ["WW1", "WW9"], "order_line": [1, 1], "component_code": ["M", "M"],
            "qty_per": [2.0, 2.0], "variable_loss_rate": [0.0, 0.0]}),
    }
    base.update(more)
    return base


def issue(doc: str = "SI1", qty: float = 100.0, day: str = "2026-01-05", **more: object
          ) -> dict[str, object]:
    return {"doc_no": doc, "doc_date": D(day), "item_code": "M", "warehouse_code": "RM",
            "qty": qty, "order_no": "WW1", "order_line": 1, **more}


def receipt(doc: str = "SR1", qty: float = 45.0, day: str = "2026-01-20", **more: object
            ) -> dict[str, object]:
    return {"doc_no": doc, "doc_date": D(day), "item_code": "P", "warehouse_code": "FG",
            "qty": qty, "order_no": "WW1", "order_line": 1, **more}


def invoice(doc: str = "FI1", price: float = 3.2, day: str = "2026-02-10", **more: object
            ) -> dict[str, object]:
    return {"doc_no": doc, "doc_date": D(day), "item_code": "P", "qty": 45.0,
            "order_no": "WW1", "order_line": 1, "fee_price": price, **more}


def last(result, item: str, warehouse: str) -> tuple[float, float, float]:
    """(balance qty, average cost, balance value) of item/warehouse after posting."""
    rows = result.tables["stock_ledger"]
    row = rows[rows["item_code"].eq(item) & rows["warehouse_code"].eq(warehouse)].iloc[-1]
    return float(row["balance_qty"]), float(row["average_cost"]), float(row["balance_value"])


def balances(result) -> dict[str, float]:
    row = result.tables["supplier_balances"].set_index(["supplier_code", "component_code"])
    return row.loc[("S1", "M")].to_dict()


def test_domain_example_issue_receive_and_true_up_the_fee() -> None:
    # issue 100 kg at 5.00; receive 45 parts at 2 kg each → 90 kg = 450 + fee 45 × 3.00
    # = 135 → 585 (13.00 each), 10 kg left at the supplier; invoice at 3.20 next month
    # → adjustment 45 × 0.20 = 9 → 594 (13.20 each)
    result = run("post", tables(subcontract_issues=frame(issue()),
                                subcontract_receipts=frame(receipt()),
                                subcontract_fee_invoices=frame(invoice())), {"lang": "en"})
    assert result.ok and result.issues == []
    moves = result.tables["stock_moves"]
    assert moves[["doc_type", "item_code", "warehouse_code", "qty", "unit_cost",
                  "value"]].to_dict("records") == [
        {"doc_type": "subcontract_issue", "item_code": "M", "warehouse_code": "RM",
         "qty": -100.0, "unit_cost": 5.0, "value": -500.0},
        {"doc_type": "subcontract_issue", "item_code": "M", "warehouse_code": "SUB",
         "qty": 100.0, "unit_cost": 5.0, "value": 500.0},
        {"doc_type": "subcontract_receipt", "item_code": "P", "warehouse_code": "FG",
         "qty": 45.0, "unit_cost": 13.0, "value": 585.0},
        {"doc_type": "subcontract_consume", "item_code": "M", "warehouse_code": "SUB",
         "qty": -90.0, "unit_cost": 5.0, "value": -450.0},
        {"doc_type": "fee_adjustment", "item_code": "P", "warehouse_code": "FG",
         "qty": 0.0, "unit_cost": 0.0, "value": 9.0}]
    assert set(moves["order_no"]) == {"WW1"}
    assert last(result, "P", "FG") == pytest.approx((45.0, 13.20, 594.0))
    assert last(result, "M", "SUB") == pytest.approx((10.0, 5.0, 50.0))
    assert balances(result) == pytest.approx({
        "opening_qty": 0.0, "issued_qty": 100.0, "returned_qty": 0.0, "consumed_qty": 90.0,
        "scrapped_qty": 0.0, "balance_qty": 10.0, "over_consumed_qty": 0.0,
        "balance_value": 50.0})
    fee = result.tables["fee_adjustments"].iloc[0]
    assert (fee["doc_no"], fee["warehouse_code"], fee["qty"], fee["receipt_price"],
            fee["invoice_price"], fee["adjustment"]) == ("FI1", "FG", 45.0, 3.0, 3.2, 9.0)
    figures = dict(result.summary.figures)
    assert figures["Value at suppliers"] == 50.0 and figures["Fee adjustments"] == 9.0
    assert result.summary.blocks[0].table == "supplier_balances"


def test_returns_and_scrap_at_the_supplier() -> None:
    # 100 out, 45 parts consume 90, 5 come back (at 5.00), 2 scrapped there → 3 left
    back = {"doc_no": "SB1", "doc_date": D("2026-01-25"), "item_code": "M",
            "warehouse_code": "RM", "qty": 5.0, "scrapped_qty": 2.0, "order_no": "WW1"}
    result = run("post", tables(subcontract_issues=frame(issue()),
                                subcontract_receipts=frame(receipt()),
                                subcontract_returns=frame(back)))
    assert result.ok
    assert balances(result) == pytest.approx({
        "opening_qty": 0.0, "issued_qty": 100.0, "returned_qty": 5.0, "consumed_qty": 90.0,
        "scrapped_qty": 2.0, "balance_qty": 3.0, "over_consumed_qty": 0.0,
        "balance_value": 15.0})
    assert last(result, "M", "RM") == pytest.approx((5.0, 5.0, 25.0))


def test_over_consumption_is_shown_not_posted_below_zero() -> None:
    # only 80 kg went out; 45 parts need 90 → 80 consumed, 10 over-consumed (a warning);
    # the parts cost 80 × 5.00 + 135 = 535
    result = run("post", tables(subcontract_issues=frame(issue(qty=80.0)),
                                subcontract_receipts=frame(receipt())))
    assert result.ok
    assert [(i.code, i.severity, i.sheet) for i in result.issues] == [
        ("sub_over_consumed", "warning", "subcontract_receipts")]
    assert "standard usage consumes 90.0 of M, supplier S1 held only 80.0" in \
        result.issues[0].message("en")
    assert balances(result)["balance_qty"] == 0.0
    assert balances(result)["over_consumed_qty"] == 10.0
    assert last(result, "P", "FG") == pytest.approx((45.0, 535.0 / 45, 535.0))


def test_price_policy_picks_the_fee_by_quantity_break_and_date() -> None:
    policy = pd.DataFrame({
        "supplier_code": ["S1", "S1", "S1"], "item_code": ["P", "P", "P"],
        "min_qty": [0.0, 40.0, 100.0], "unit_price": [3.5, 2.8, 2.0],
        "valid_from": [D("2026-01-01"), D("2026-01-01"), D("2026-01-01")],
        "valid_to": [pd.NaT, D("2026-01-31"), pd.NaT], "ceiling_price": [4.0, 0.0, 0.0]})
    asked = pd.DataFrame({"supplier_code": "S1", "item_code": "P",
                          "doc_date": [D("2026-01-20"), D("2026-02-20"), D("2026-01-20")],
                          "order_qty": [50.0, 50.0, 10.0], "fee_price": [0.0, 0.0, 0.0],
                          "order_price": 3.0})
    # order of 50 in January reaches the 40 break (2.80); in February that break has
    # expired → 3.50; an order of 10 → 3.50; the ceiling is 4.00 throughout
    picked = pricepolicy.fees(asked, policy)
    assert picked["fee"].tolist() == [2.8, 3.5, 3.5]
    assert picked["ceiling"].tolist() == [4.0, 4.0, 4.0]
    # through post: 90 kg × 5.00 + 45 × 2.80 = 576 → 12.80 each
    orders = tables()["subcontract_orders"].assign(unit_price=0.0)
    result = run("post", tables(subcontract_issues=frame(issue()),
                                subcontract_receipts=frame(receipt()),
                                subcontract_orders=orders, subcontract_prices=policy))
    assert last(result, "P", "FG") == pytest.approx((45.0, 12.8, 576.0))


_CEILING = pd.DataFrame({"supplier_code": ["S1"], "item_code": ["P"], "min_qty": [0.0],
                         "unit_price": [3.0], "ceiling_price": [3.1]})


@pytest.mark.parametrize(("sheet", "row", "code", "column", "more"), [
    # order WW1 is for 50 with 10 % tolerance → 55 at most
    ("subcontract_receipts", receipt(qty=56.0), "sub_over_receipt", "qty", {}),
    ("subcontract_issues", issue(order_no=""), "sub_no_order", "order_no", {}),
    ("subcontract_issues", issue(order_no="WW7"), "sub_unknown_order", "order_no", {}),
    ("subcontract_issues", issue(order_no="WW2"), "sub_order_closed", "order_no", {}),
    ("subcontract_issues", issue(order_no="WW9"), "sub_unknown_supplier",
     "supplier_code", {}),
    ("subcontract_issues", issue(qty=-1.0), "post_negative_qty", "qty", {}),
    ("subcontract_issues", issue(supplier_warehouse="RM"), "sub_not_supplier_warehouse",
     "supplier_warehouse", {}),
    ("subcontract_issues", issue(supplier_code="S2"), "sub_no_supplier_warehouse",
     "supplier_warehouse", {}),
    ("subcontract_receipts", receipt(fee_price=3.5), "sub_fee_above_ceiling", "fee_price",
     {"subcontract_prices": _CEILING}),
    ("subcontract_fee_invoices", invoice(price=3.2), "sub_fee_above_ceiling", "fee_price",
     {"subcontract_prices": _CEILING}),
    ("subcontract_receipts", receipt(item_code="M"), "sub_wrong_product", "item_code", {}),
    ("subcontract_issues", issue(warehouse_code="SUB"), "post_wrong_warehouse_type",
     "warehouse_code", {}),
    ("consigned_receipts", {"doc_no": "X", "doc_date": D("2026-01-05"), "item_code": "C",
                            "warehouse_code": "RM", "qty": 1.0},
     "post_wrong_warehouse_type", "warehouse_code", {}),
])
def test_bad_documents_are_refused_whole(sheet: str, row: dict, code: str, column: str,
                                         more: dict) -> None:
    bad = {**row, "doc_no": "X"}
    given: dict[str, list] = {"subcontract_issues": [issue()]}
    given.setdefault(sheet, []).append(bad)
    docs = {name: frame(*rows) for name, rows in given.items()}
    result = run("post", tables(**docs, **more), {"subcontract_tolerance": 0.1})
    errors = [(i.code, i.sheet, i.row, i.column) for i in result.issues
              if i.severity == "error"]
    row_no = 3 if sheet == "subcontract_issues" else 2
    assert errors == [(code, sheet, row_no, column)]
    moves = result.tables["stock_moves"]
    assert "X" not in set(moves["doc_no"]) and "SI1" in set(moves["doc_no"])


def test_receipt_within_tolerance_posts() -> None:
    result = run("post", tables(subcontract_issues=frame(issue(qty=100.0)),
                                subcontract_receipts=frame(receipt(qty=50.0),
                                                           receipt("SR2", qty=5.0))),
                 {"subcontract_tolerance": "0.1"})
    # 50 + 5 = 55 = 50 × 1.1: both post, consuming all 100 kg and 10 more (over-consumed)
    assert result.ok and balances(result)["over_consumed_qty"] == 10.0


def test_consigned_processing_costs_own_material_labour_and_overhead_only() -> None:
    # 50 C arrive from the customer into VX at zero value; own C in RM stays at 4.00.
    # Consigned task K makes 10 Q from 5 C (customer's) + 1 A (own, 2.00) each, with
    # 3.00 labour + overhead per unit → Q costs (10 × 2.00 + 0) / 10 + 3.00 = 5.00
    tasks = pd.DataFrame({"task_no": ["K"], "item_code": ["Q"], "qty": [10.0],
                          "stocked_qty": [0.0], "status": ["released"],
                          "task_kind": ["consigned"], "start_date": [D("2026-01-02")]})
    materials = pd.DataFrame({"task_no": ["K", "K"], "component_code": ["C", "A"],
                              "qty_per": [5.0, 1.0], "required_qty": [50.0, 10.0],
                              "issued_qty": [0.0, 0.0], "scrapped_qty": [0.0, 0.0],
                              "issue_method": ["direct", "direct"]})
    came = frame({"doc_no": "CR1", "doc_date": D("2026-01-02"), "item_code": "C",
                  "warehouse_code": "VX", "qty": 50.0, "unit_cost": 9.0,
                  "customer_code": "K1"})
    issued = frame({"doc_no": "I1", "doc_date": D("2026-01-03"), "item_code": "C",
                    "warehouse_code": "VX", "qty": 50.0, "task_no": "K"},
                   {"doc_no": "I1", "line_no": 2, "doc_date": D("2026-01-03"),
                    "item_code": "A", "warehouse_code": "RM", "qty": 10.0, "task_no": "K"})
    done = frame({"doc_no": "PR1", "doc_date": D("2026-01-04"), "item_code": "Q",
                  "warehouse_code": "FG", "qty": 10.0, "task_no": "K",
                  "conversion_cost": 3.0})
    result = run("post", tables(production_tasks=tasks, task_materials=materials,
                                consigned_receipts=came, material_issues=issued,
                                product_receipts=done))
    assert result.ok, [i.message() for i in result.issues]
    moves = result.tables["stock_moves"]
    virtual = moves[moves["warehouse_code"].eq("VX")]
    assert virtual["qty"].tolist() == [50.0, -50.0] and (virtual["value"] == 0).all()
    assert last(result, "Q", "FG") == pytest.approx((10.0, 5.0, 50.0))
    # own C (100 at 4.00 in RM) is a separate balance the customer's C never enters
    assert not (moves["item_code"].eq("C") & moves["warehouse_code"].eq("RM")).any()
    assert (result.tables["stock_ledger"].query("warehouse_code == 'VX'")[
        ["unit_cost", "average_cost", "balance_value"]] == 0).all().all()


def _rework(*docs: tuple[str, pd.DataFrame], kind: str = "rework") -> object:
    # 10 P in FG at 13.00; rework task RW re-makes them adding 1 B (2.00) each + 1.00
    stock = tables()["stock"]
    stock = pd.concat([stock, pd.DataFrame({"item_code": ["P"], "warehouse_code": ["FG"],
                                            "qty": [10.0], "unit_cost": [13.0]})])
    tasks = pd.DataFrame({"task_no": ["RW"], "item_code": ["P"], "qty": [10.0],
                          "stocked_qty": [0.0], "status": ["released"], "task_kind": [kind],
                          "start_date": [D("2026-01-02")]})
    materials = pd.DataFrame({"task_no": ["RW"], "component_code": ["B"], "qty_per": [1.0],
                              "required_qty": [10.0], "issued_qty": [0.0],
                              "scrapped_qty": [0.0], "issue_method": ["direct"]})
    return run("post", tables(stock=stock, production_tasks=tasks, task_materials=materials,
                              **dict(docs)))


_REWORK_ISSUE = frame({"doc_no": "I1", "doc_date": D("2026-01-03"), "item_code": "P",
                       "warehouse_code": "FG", "qty": 10.0, "task_no": "RW"},
                      {"doc_no": "I1", "line_no": 2, "doc_date": D("2026-01-03"),
                       "item_code": "B", "warehouse_code": "RM", "qty": 10.0, "task_no": "RW"})
_REWORK_RECEIPT = frame({"doc_no": "PR1", "doc_date": D("2026-01-04"), "item_code": "P",
                         "warehouse_code": "FG", "qty": 10.0, "task_no": "RW",
                         "conversion_cost": 1.0})


def test_rework_costs_the_original_cost_plus_added_material() -> None:
    # (10 × 13.00 + 10 × 2.00) / 10 + 1.00 = 16.00
    result = _rework(("material_issues", _REWORK_ISSUE), ("product_receipts", _REWORK_RECEIPT))
    assert result.ok, [i.message() for i in result.issues]
    assert last(result, "P", "FG") == pytest.approx((10.0, 16.0, 160.0))


def test_only_a_rework_task_may_issue_its_own_product() -> None:
    result = _rework(("material_issues", _REWORK_ISSUE), kind="normal")
    assert [(i.code, i.row) for i in result.issues] == [("post_not_on_list", 2)]


def _returns(returns_doc: str) -> object:
    # A: 100 at 2.00; I1 issues 20 at 2.00; R1 receives 100 at 4.00 → 180 at 3.1111;
    # I2 issues 10 at 3.1111; then 5 come back
    tasks = pd.DataFrame({"task_no": ["T1"], "item_code": ["Q"], "qty": [10.0],
                          "stocked_qty": [0.0], "status": ["released"],
                          "start_date": [D("2026-01-02")]})
    materials = pd.DataFrame({"task_no": ["T1"], "component_code": ["A"],
                              "required_qty": [30.0], "issued_qty": [0.0],
                              "scrapped_qty": [0.0]})
    out = frame(*({"doc_no": doc, "doc_date": D(day), "item_code": "A", "warehouse_code": "RM",
                   "qty": qty, "task_no": "T1"}
                  for doc, day, qty in (("I1", "2026-01-02", 20.0), ("I2", "2026-01-04", 10.0))))
    bought = frame({"doc_no": "R1", "doc_date": D("2026-01-03"), "item_code": "A",
                    "warehouse_code": "RM", "qty": 100.0, "unit_cost": 4.0})
    back = frame({"doc_no": "M1", "doc_date": D("2026-01-05"), "item_code": "A",
                  "warehouse_code": "RM", "qty": 5.0, "task_no": "T1",
                  "returns_doc_no": returns_doc})
    result = run("post", tables(production_tasks=tasks, task_materials=materials,
                                material_issues=out, purchase_receipts=bought,
                                material_returns=back))
    assert result.ok, [i.message() for i in result.issues]
    moves = result.tables["stock_moves"]
    return moves.set_index("doc_no").loc["M1", "unit_cost"]


def test_returns_come_back_at_their_issue_cost() -> None:
    assert _returns("I1") == pytest.approx(2.0)  # not today's 3.1111
    assert _returns("I2") == pytest.approx(560.0 / 180.0)
    # the task's issues: (20 × 2.00 + 10 × 3.1111) / 30
    assert _returns("") == pytest.approx((40.0 + 10 * 560.0 / 180.0) / 30.0)


def test_closed_through_comes_from_the_settings_sheet() -> None:
    settings_sheet = pd.DataFrame({"setting": ["closed_through"], "value": ["2026-01-10"],
                                   "_row": [2]})
    result = run("post", tables(subcontract_issues=frame(issue()), settings=settings_sheet))
    assert [(i.code, i.sheet) for i in result.issues] == [
        ("post_closed_period", "subcontract_issues")]
    bad = run("post", tables(settings=settings_sheet.assign(value="soon")))
    assert [(i.code, i.row) for i in bad.issues] == [("post_bad_setting", 2)]


# ------------------------------------------------------------------ properties
_DOCS = st.tuples(st.integers(1, 120), st.integers(0, 50), st.integers(0, 20),
                  st.integers(0, 5), st.booleans(), st.integers(0, 3))


def _context(**changes: object) -> PostingContext:
    book = tables()
    base = {"opening": book["stock"], "items": book["items"],
            "warehouses": book["warehouses"], "suppliers": book["suppliers"],
            "subcontract_orders": book["subcontract_orders"],
            "subcontract_materials": book["subcontract_materials"],
            "subcontract_tolerance": 1.0, **changes}
    return PostingContext(**base)  # type: ignore[arg-type]


def _held(stock: pd.DataFrame) -> pd.DataFrame:
    return stock.assign(value=stock["qty"] * stock["unit_cost"]).groupby(
        ["item_code", "warehouse_code"])[["qty", "value"]].sum()


@settings(deadline=None, max_examples=15)
@given(_DOCS)
def test_reversing_any_subcontract_document_restores_stock_and_value(case: tuple) -> None:
    issued, received, returned, scrapped, invoiced, undo = case
    docs = {"subcontract_issues": [issue(qty=float(issued))],
            "subcontract_receipts": [receipt(qty=float(received))] if received else [],
            "subcontract_returns": [{"doc_no": "SB1", "doc_date": D("2026-01-25"),
                                     "item_code": "M", "warehouse_code": "RM",
                                     "qty": float(returned), "scrapped_qty": float(scrapped),
                                     "order_no": "WW1"}] if returned or scrapped else [],
            "subcontract_fee_invoices": [invoice()] if invoiced and received else []}
    present = {name: frame(*rows) for name, rows in docs.items() if rows}
    first = post_documents(stack_documents(present), _context())
    assume(first.posted)
    target = first.posted[undo % len(first.posted)]
    assume(not (target == "SR1" and "FI1" in first.posted))  # a fee on goods gone
    sheet = next(name for name, rows in present.items() if target in set(rows["doc_no"]))
    reversal = frame({"doc_no": "V1", "doc_date": D("2026-03-01"), "reverses_doc_no": target})
    second = post_documents(stack_documents({sheet: reversal}),
                            _context(opening=first.stock, prior_moves=first.moves))
    before = _held(first.stock)
    if second.refused:
        # the reversal would take the supplier below zero: refused, nothing changes
        assert [i.code for i in second.issues] == ["post_insufficient_stock"]
        return
    gone = first.moves[first.moves["doc_no"].eq(target)].groupby(
        ["item_code", "warehouse_code"])[["qty", "value"]].sum()
    want = before.sub(gone, fill_value=0.0)
    got = _held(second.stock).reindex(want.index).fillna(0.0)
    pd.testing.assert_frame_equal(got, want, atol=1e-6, check_exact=False)
    for result in (first, second):
        table = result.supplier_balances
        assert (table["balance_qty"] == table["opening_qty"] + table["issued_qty"]
                - table["returned_qty"] - table["consumed_qty"]
                - table["scrapped_qty"]).all()
        assert (table["balance_qty"] >= -1e-9).all()


def test_costs_that_depend_on_each_other_settle() -> None:
    # RM: 100 M at 5.00. SI1 sends 50 (at 5.00). R1 buys 100 at 8.00 → RM 150 at 7.00.
    # SB1 brings 20 back from the supplier at 5.00 → RM 170 worth 1,150 (6.7647).
    # SI2 sends 70 at 6.7647 → the supplier holds 30 at 5.00 + 70 at 6.7647 = 623.53.
    # SR1: 45 parts consume 90 at 6.2353 = 561.18 + fee 135 → 696.18 (15.4706 each).
    rm = 1150.0 / 170.0
    held = (30 * 5.0 + 70 * rm) / 100.0
    bought = frame({"doc_no": "R1", "doc_date": D("2026-01-06"), "item_code": "M",
                    "warehouse_code": "RM", "qty": 100.0, "unit_cost": 8.0})
    back = frame({"doc_no": "SB1", "doc_date": D("2026-01-07"), "item_code": "M",
                  "warehouse_code": "RM", "qty": 20.0, "order_no": "WW1"})
    result = run("post", tables(
        subcontract_issues=frame(issue(qty=50.0), issue("SI2", qty=70.0, day="2026-01-08")),
        purchase_receipts=bought, subcontract_returns=back,
        subcontract_receipts=frame(receipt())))
    assert result.ok
    moves = result.tables["stock_moves"].set_index(["doc_no", "warehouse_code"])
    assert moves.loc[("SI2", "SUB"), "unit_cost"] == pytest.approx(rm)
    assert last(result, "P", "FG") == pytest.approx((45.0, (90 * held + 135) / 45,
                                                      90 * held + 135))
    assert balances(result)["balance_value"] == pytest.approx(10 * held)


def test_fee_adjustment_without_stock_on_hand_is_shown_not_absorbed() -> None:
    # the 45 parts left FG (a transfer out) before the invoice: nothing to re-price
    gone = frame({"doc_no": "PX1", "doc_date": D("2026-01-25"), "item_code": "P",
                  "warehouse_code": "FG", "qty": 45.0})
    result = run("post", tables(subcontract_issues=frame(issue()),
                                subcontract_receipts=frame(receipt()),
                                purchase_returns=gone,
                                subcontract_fee_invoices=frame(invoice())))
    assert [(i.code, i.severity) for i in result.issues] == [
        ("sub_fee_not_absorbed", "warning")]
    fee = result.tables["fee_adjustments"].iloc[0]
    assert (fee["adjustment"], fee["absorbed"]) == (9.0, 0.0)
    assert last(result, "P", "FG") == pytest.approx((0.0, 0.0, 0.0))


def _workbook(path, issues: list[list[object]]) -> None:
    import openpyxl

    from addin.schema import TABLES

    def sheet(name: str, columns: list[str], *rows: list[object]) -> list[list[object]]:
        spec = TABLES[name]
        return [spec.en, [spec.column(c).en for c in columns], *rows]

    sheets = [
        sheet("items", ["item_code", "item_name", "item_type", "standard_cost"],
              ["M", "Steel", "purchased", 5], ["P", "Part", "subcontracted", 0]),
        sheet("warehouses", ["warehouse_code", "warehouse_type", "supplier_code"],
              ["RM", "normal", None], ["FG", "normal", None], ["SUB", "at_supplier", "S1"]),
        sheet("suppliers", ["supplier_code", "supplier_name"], ["S1", "Plater"]),
        sheet("stock", ["item_code", "warehouse_code", "qty"], ["M", "RM", 100]),
        sheet("subcontract_orders", ["order_no", "supplier_code", "item_code", "qty",
                                     "due_date", "unit_price"],
              ["WW1", "S1", "P", 50, "2026-01-31", 3]),
        sheet("subcontract_materials", ["order_no", "component_code", "qty_per"],
              ["WW1", "M", 2]),
        sheet("subcontract_issues", ["doc_no", "doc_date", "item_code", "warehouse_code",
                                     "qty", "order_no"], *issues),
        sheet("subcontract_receipts", ["doc_no", "doc_date", "item_code", "warehouse_code",
                                       "qty", "order_no"],
              ["SR1", "2026-01-20", "P", "FG", 45, "WW1"]),
        sheet("subcontract_fee_invoices", ["doc_no", "doc_date", "qty", "order_no",
                                           "fee_price"],
              ["FI1", "2026-02-10", 45, "WW1", 3.2]),
    ]
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, *rows in sheets:
        page = book.create_sheet(title)
        for row in rows:
            page.append(row)
    book.save(path)


def test_xlerp_post_writes_supplier_balances_and_fee_adjustments(tmp_path) -> None:
    import openpyxl
    from click.testing import CliRunner

    from agent.cli.post import post

    source, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    _workbook(source, [["SI1", "2026-01-05", "M", "RM", 100, "WW1"]])
    result = CliRunner().invoke(post, [str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    held = list(book["Supplier balances"].iter_rows(values_only=True))
    assert held[1] == ("S1", "M", 0, 100, 0, 90, 0, 10, 0, 50)
    fees = list(book["Fee adjustments"].iter_rows(values_only=True))
    assert fees[1][-5:] == (45, 3, 3.2, 9, 9)


def test_xlerp_post_refuses_an_issue_without_an_order(tmp_path) -> None:
    from click.testing import CliRunner

    from agent.cli.post import post

    source, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    _workbook(source, [["SI1", "2026-01-05", "M", "RM", 100, "WW1"],
                       ["SI2", "2026-01-06", "M", "RM", 5, None]])
    result = CliRunner().invoke(post, [str(source), "--out", str(out)])
    assert result.exit_code == 1
    assert ('Sheet "Subcontract issues", row 3, column "Subcontract order": Document SI2: '
            "no subcontract order is given") in result.output
    assert not out.exists()
