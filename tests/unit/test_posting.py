"""The posting engine: moves, moving-average ledger, refusals, reversal (DOMAIN §6)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines.posting import PostingContext, post_documents

D = pd.Timestamp


def context(**changes: object) -> PostingContext:
    base = dict(
        opening=pd.DataFrame({"item_code": ["A", "B"], "warehouse_code": ["W1", "W1"],
                              "qty": [100.0, 100.0], "unit_cost": [1.0, 2.0]}),
        items=pd.DataFrame({"item_code": ["A", "B", "P"], "standard_cost": [1.0, 2.0, 50.0],
                            "inspection": ["exempt"] * 3}),
        warehouses=pd.DataFrame({"warehouse_code": ["W1", "QC", "VX"],
                                 "warehouse_type": ["normal", "inspection",
                                                    "customer_virtual"]}),
        tasks=pd.DataFrame({"task_no": ["T1", "T2", "T9"], "item_code": ["P", "P", "P"],
                            "qty": [10.0, 5.0, 1.0], "stocked_qty": [0.0, 0.0, 0.0],
                            "status": ["released", "released", "closed"],
                            "start_date": [D("2026-01-05"), D("2026-01-02"), D("2026-01-01")]}),
        materials=pd.DataFrame({
            "task_no": ["T1", "T1", "T2"], "component_code": ["A", "B", "A"],
            "qty_per": [2.0, 1.0, 2.0], "variable_loss_rate": [0.0, 0.0, 0.0],
            "fixed_loss": [0.0, 0.0, 0.0], "required_qty": [20.0, 10.0, 10.0],
            "issued_qty": [0.0, 0.0, 0.0], "scrapped_qty": [0.0, 2.0, 0.0],
            "issue_method": ["direct", "backflush", "direct"],
            "supply_warehouse": ["W1", "W1", "W1"]}))
    base.update(changes)
    return PostingContext(**base)  # type: ignore[arg-type]


def line(doc_no: str, doc_type: str, item: str, qty: float, day: int = 2, **more: object
         ) -> dict[str, object]:
    sheet = {"purchase_receipt": "purchase_receipts", "material_issue": "material_issues",
             "supplement": "supplements", "material_return": "material_returns",
             "product_receipt": "product_receipts", "purchase_return": "purchase_returns"}
    return {"sheet": sheet.get(doc_type, ""), "_row": 2, "doc_type": doc_type,
            "doc_no": doc_no, "doc_date": D(f"2026-01-{day:02d}"), "item_code": item,
            "warehouse_code": "W1", "qty": qty, **more}


def post(*lines: dict[str, object], **ctx: object):
    return post_documents(pd.DataFrame(list(lines)), context(**ctx))


def balance(result, item: str, warehouse: str = "W1") -> tuple[float, float]:
    stock = result.stock.set_index(["item_code", "warehouse_code"])
    if (item, warehouse) not in stock.index:
        return 0.0, 0.0
    row = stock.loc[(item, warehouse)]
    return float(row["qty"].sum()), float((row["qty"] * row["unit_cost"]).sum())


def test_moving_average_receipt_then_issue() -> None:
    # 100 A at 1.00 on hand; receive 100 at 2.00 → 200 at (100 + 200) / 200 = 1.50;
    # issue 15 at 1.50 = 22.50 → 185 left worth 277.50.
    result = post(line("R1", "purchase_receipt", "A", 100.0, day=1, unit_cost=2.0),
                  line("I1", "material_issue", "A", 15.0, task_no="T1"))
    ledger = result.ledger.set_index("doc_no")
    assert ledger.loc["R1", "average_cost"] == pytest.approx(1.5)
    assert ledger.loc["I1", "value"] == pytest.approx(-22.5)
    assert ledger.loc["I1", "balance_value"] == pytest.approx(277.5)
    assert balance(result, "A") == pytest.approx((185.0, 277.5))
    assert result.posted == ["I1", "R1"] and result.issues == []


@pytest.mark.parametrize(("doc", "code", "column", "extra"), [
    (line("X", "material_issue", "A", -1.0, task_no="T1"), "post_negative_qty", "qty", {}),
    (line("X", "material_issue", "A", 1.0, task_no="T1"), "post_closed_period", "doc_date",
     {"closed_through": dt.date(2026, 1, 31)}),
    (line("X", "material_issue", "A", 1.0, task_no="T7"), "post_unknown_task", "task_no", {}),
    (line("X", "material_issue", "A", 1.0, task_no="T9"), "post_task_closed", "task_no", {}),
    (line("X", "material_issue", "A", 1.0, task_no="T1", warehouse_code="QC"),
     "post_wrong_warehouse_type", "warehouse_code", {}),
    (line("X", "purchase_receipt", "A", 1.0, warehouse_code="VX"),
     "post_wrong_warehouse_type", "warehouse_code", {}),
    (line("X", "purchase_receipt", "A", 1.0, warehouse_code=""), "post_no_warehouse",
     "warehouse_code", {}),
    (line("X", "material_issue", "P", 1.0, task_no="T1"), "post_not_on_list", "item_code", {}),
    (line("X", "product_receipt", "A", 1.0, task_no="T1"), "post_wrong_product",
     "item_code", {}),
    # T1 needs 20 A: issuing 21 without a supplement is refused
    (line("X", "material_issue", "A", 21.0, task_no="T1"), "post_over_issue", "qty", {}),
    # nothing issued to T1 yet: returning 1 A breaks returns ≤ issued − scrapped (0)
    (line("X", "material_return", "A", 1.0, task_no="T1"), "post_over_return", "qty", {}),
    # T2 is for 5; tolerance 0 → receiving 6 is refused
    (line("X", "product_receipt", "P", 6.0, task_no="T2"), "post_over_receipt", "qty", {}),
    # only 100 B on hand
    (line("X", "purchase_return", "B", 101.0), "post_insufficient_stock", "qty", {}),
    (line("X", "purchase_receipt", "A", 1.0, reverses_doc_no="NOPE"),
     "post_unknown_reversal", "reverses_doc_no", {}),
])
def test_refusals(doc: dict, code: str, column: str, extra: dict) -> None:
    result = post(doc, **extra)
    assert [(i.code, i.column, i.sheet, i.row) for i in result.issues] == [
        (code, column, doc["sheet"], 2)]
    assert result.refused == ["X"] and result.moves.empty
    assert balance(result, "A") == (100.0, 100.0) and balance(result, "B") == (100.0, 200.0)


def test_supplement_allows_over_issue_and_returns_follow_issued_minus_scrapped() -> None:
    # issue 20 (all T1 needs) + supplement 5 = 25 issued; return 25 ok, 26 would not be
    result = post(line("I1", "material_issue", "A", 20.0, task_no="T1"),
                  line("S1", "supplement", "A", 5.0, day=3, task_no="T1"),
                  line("M1", "material_return", "A", 25.0, day=4, task_no="T1"),
                  line("M2", "material_return", "A", 1.0, day=5, task_no="T1"))
    assert result.posted == ["I1", "M1", "S1"] and result.refused == ["M2"]
    assert balance(result, "A") == pytest.approx((100.0, 100.0))


def test_receipt_tolerance() -> None:
    # T1 for 10 with 5 % tolerance → up to 10.5; 10.5 posts, then 0.5 more is refused
    result = post(line("P1", "product_receipt", "P", 10.5, task_no="T1", unit_cost=50.0),
                  line("P2", "product_receipt", "P", 0.5, day=3, task_no="T1"),
                  receipt_tolerance=0.05)
    assert result.posted == ["P1"] and [i.code for i in result.issues] == ["post_over_receipt"]
    assert result.issues[0].params["available"] == 0.0


def test_document_posts_whole_or_not_at_all() -> None:
    good = line("X", "purchase_receipt", "A", 5.0, unit_cost=1.0, line_no=1)
    bad = line("X", "purchase_receipt", "ZZ", 5.0, unit_cost=1.0, line_no=2, _row=3)
    result = post(good, bad)
    assert [(i.code, i.row) for i in result.issues] == [("post_unknown_item", 3)]
    assert result.moves.empty and balance(result, "A") == (100.0, 100.0)


def test_refusing_one_document_frees_room_for_the_next() -> None:
    # T1 needs 20: I1 15 ok, I2 10 would exceed (25) → refused, I3 5 then fits (20)
    result = post(line("I1", "material_issue", "A", 15.0, task_no="T1"),
                  line("I2", "material_issue", "A", 10.0, day=3, task_no="T1"),
                  line("I3", "material_issue", "A", 5.0, day=4, task_no="T1"))
    assert result.posted == ["I1", "I3"] and result.refused == ["I2"]


def test_reversal_restores_stock_and_value() -> None:
    first = post(line("R1", "purchase_receipt", "A", 50.0, day=1, unit_cost=4.0),
                 line("I1", "material_issue", "A", 20.0, task_no="T1"))
    # after: 150 at (100 + 200) / 150 = 2.00, issue 20 → 130 worth 260
    assert balance(first, "A") == pytest.approx((130.0, 260.0))
    undo = post(line("V1", "reversal", "", 0.0, day=5, reverses_doc_no="I1"),
                line("V2", "reversal", "", 0.0, day=6, reverses_doc_no="R1"),
                opening=first.stock, prior_moves=first.moves)
    assert undo.refused == [] and balance(undo, "A") == pytest.approx((100.0, 100.0))


def test_a_document_is_reversed_once() -> None:
    first = post(line("R1", "purchase_receipt", "A", 50.0, day=1, unit_cost=4.0))
    again = post(line("V1", "reversal", "", 0.0, day=5, reverses_doc_no="R1"),
                 line("V2", "reversal", "", 0.0, day=6, reverses_doc_no="R1", _row=3),
                 opening=first.stock, prior_moves=first.moves)
    assert again.posted == ["V1"] and again.refused == ["V2"]
    assert [(i.code, i.row) for i in again.issues] == [("post_reversed_twice", 3)]
    assert balance(again, "A") == pytest.approx((100.0, 100.0))


def test_deterministic() -> None:
    docs = [line("R1", "purchase_receipt", "A", 5.0, unit_cost=3.0),
            line("I1", "material_issue", "A", 4.0, task_no="T1")]
    one, two = post(*docs), post(*reversed(docs))
    pd.testing.assert_frame_equal(one.ledger, two.ledger)


_STEPS = st.lists(st.tuples(st.sampled_from(["A", "B"]), st.booleans(),
                            st.floats(0.5, 80.0), st.floats(0.1, 9.0)), max_size=25)


@settings(deadline=None, max_examples=30)
@given(_STEPS)
def test_ledger_reconciles_and_reversal_restores(steps: list) -> None:
    docs = [line(f"D{n:03d}", "purchase_receipt" if inflow else "purchase_return", item,
                 round(qty, 3), day=1 + n % 28, unit_cost=round(cost, 2) if inflow else 0.0)
            for n, (item, inflow, qty, cost) in enumerate(steps)]
    result = post(*docs) if docs else post_documents(pd.DataFrame(), context())
    start = context().opening
    for item in ("A", "B"):
        on_hand = result.stock.loc[result.stock["item_code"].eq(item), "qty"].sum()
        moved = result.moves.loc[result.moves["item_code"].eq(item), "qty"].sum()
        opening = start.loc[start["item_code"].eq(item), "qty"].sum()
        assert on_hand == pytest.approx(opening + moved)  # on-hand = opening + moves
        rows = result.ledger[result.ledger["item_code"].eq(item)]
        if len(rows):
            assert rows["balance_qty"].iloc[-1] == pytest.approx(on_hand)
            open_value = float((start["qty"] * start["unit_cost"])[
                start["item_code"].eq(item)].sum())
            assert rows["balance_value"].iloc[-1] == pytest.approx(
                open_value + rows["value"].sum(), abs=1e-6)
    assert (result.ledger["balance_qty"] >= -1e-9).all()
    # the refusal rounds accept exactly what a one-by-one walk in posting order accepts
    on_hand, accepted = {"A": 100.0, "B": 100.0}, []
    for doc in sorted(docs, key=lambda d: (d["doc_date"], d["doc_no"])):
        change = doc["qty"] if doc["doc_type"] == "purchase_receipt" else -doc["qty"]
        if on_hand[doc["item_code"]] + change >= -1e-6:
            on_hand[doc["item_code"]] += change
            accepted.append(doc["doc_no"])
    assert result.posted == sorted(accepted)
    undo = [line(f"V{n:03d}", "reversal", "", 0.0, day=28, reverses_doc_no=doc)
            for n, doc in enumerate(reversed(result.posted))]
    if undo:
        back = post(*undo, opening=result.stock, prior_moves=result.moves)
        assert back.refused == []
        # reversing every posted document in reverse order gives back the opening stock
        assert balance(back, "A") == pytest.approx((100.0, 100.0), abs=1e-6)
        assert balance(back, "B") == pytest.approx((100.0, 200.0), abs=1e-6)
    assert np.isfinite(result.ledger["average_cost"]).all()


def test_post_command_reverses_a_document_of_the_same_workbook() -> None:
    from addin.commands.post import run_post

    ctx = context()
    receipts = pd.DataFrame([
        {"_row": 2, "doc_no": "R1", "line_no": 1, "doc_date": D("2026-01-02"),
         "item_code": "A", "warehouse_code": "W1", "qty": 50.0, "unit_cost": 4.0,
         "reverses_doc_no": ""},
        {"_row": 3, "doc_no": "R2", "line_no": 1, "doc_date": D("2026-01-03"),
         "item_code": "", "warehouse_code": "", "qty": 0.0, "unit_cost": 0.0,
         "reverses_doc_no": "R1"}])
    tables = {"items": ctx.items, "warehouses": ctx.warehouses, "stock": ctx.opening,
              "purchase_receipts": receipts}
    result = run_post(tables, {})
    moves = result.tables["stock_moves"]
    # R1 +50 at 4.00 then R2 −50 at 4.00: back to 100 A worth 100
    assert moves[["doc_no", "qty", "value"]].to_dict("records") == [
        {"doc_no": "R1", "qty": 50.0, "value": 200.0},
        {"doc_no": "R2", "qty": -50.0, "value": -200.0}]
    last = result.tables["stock_ledger"].iloc[-1]
    assert (last["balance_qty"], last["balance_value"]) == pytest.approx((100.0, 100.0))
    assert result.ok and result.messages == ["2 documents posted, 0 refused, 2 stock moves"]


def _book(path, issues: list[list[object]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheets = {
        "Items": [["Item code", "Item name", "Item type", "Standard cost", "Inspection"],
                  ["A", "Bolt", "purchased", 1.0, "full"], ["P", "Pump", "manufactured", 50,
                                                             "exempt"]],
        "Warehouses": [["Warehouse code", "Warehouse type"], ["W1", "normal"],
                       ["QC", "inspection"]],
        "Stock": [["Item code", "Warehouse code", "Qty on hand"], ["A", "W1", 100]],
        "Production tasks": [["Task no", "Item code", "Qty", "Finish date"],
                             ["T1", "P", 10, "2026-02-01"]],
        "Task materials": [["Task no", "Component code", "Qty per", "Required qty"],
                           ["T1", "A", 2, 20]],
        "Material issues": [["Document no", "Date", "Item code", "Warehouse code", "Qty",
                             "Task no"], *issues],
        "Receipt notices": [["Document no", "Date", "Item code", "Warehouse code", "Qty",
                             "Unit cost", "Supplier code"],
                            ["N1", "2026-01-02", "A", "W1", 1000, 3, "S1"]],
        "Inspections": [["Document no", "Date", "Receipt notice no", "Passed", "Concession",
                         "Rejected"], ["Q1", "2026-01-03", "N1", 950, 30, 20]],
    }
    book.active.title = "Items"
    for name, rows in sheets.items():
        sheet = book[name] if name in book.sheetnames else book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_xlerp_post_writes_the_ledger(tmp_path) -> None:
    import openpyxl
    from click.testing import CliRunner

    from agent.cli import cli

    source, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    _book(source, [["I1", "2026-01-05", "A", "W1", 15, "T1"]])
    result = CliRunner().invoke(cli, ["post", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["Stock ledger"].iter_rows(values_only=True))
    # W1: 100 at 1.00 + 980 at 3.00 = 3,040 for 1,080; issue 15 at 2.8148 → 1,065 left
    assert rows[-1][14] == 1065 and rows[-1][16] == pytest.approx(3040 * 1065 / 1080)
    rates = list(openpyxl.load_workbook(out)["Supplier quality"].iter_rows(values_only=True))
    assert rates[1] == ("S1", 1000, 950, 30, 20, 0, 0.95, 0.98)


def test_xlerp_post_refuses_an_over_issue_and_writes_nothing(tmp_path) -> None:
    from click.testing import CliRunner

    from agent.cli import cli

    source, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    _book(source, [["I1", "2026-01-05", "A", "W1", 15, "T1"],
                   ["I2", "2026-01-06", "A", "W1", 10, "T1"]])
    result = CliRunner().invoke(cli, ["post", str(source), "--out", str(out)])
    assert result.exit_code == 1
    assert ('Sheet "Material issues", row 3, column "Qty": Document I2: only 5.0 of A is '
            "left to issue to task T1, not 10.0") in result.output
    assert not out.exists()


def test_empty_document_sheets_post_nothing() -> None:
    from addin.commands.post import run_post
    from addin.schema import TABLES, empty_frame

    names = ("material_issues", "supplements", "material_returns", "product_receipts",
             "purchase_receipts", "purchase_returns", "receipt_notices", "inspections",
             "task_materials", "production_tasks", "stock", "items", "warehouses")
    result = run_post({name: empty_frame(TABLES[name]) for name in names}, {"lang": "zh"})
    assert result.ok and result.tables["stock_moves"].empty
    assert result.messages == ["过账单据 0 张，拒绝 0 张，生成库存流水 0 行"]


def test_without_material_lists_direct_issues_post_and_kit_issues_are_refused() -> None:
    empty = context().materials.iloc[:0]
    # no list kept: 30 of A to T1 posts (no list to exceed), at the average cost 1.00
    direct = post(line("X", "material_issue", "A", 30.0, task_no="T1"), materials=empty)
    assert (direct.posted, balance(direct, "A")) == (["X"], (70.0, 70.0))
    # a kit issue needs the list to know what a set is
    kit = post(line("K", "material_issue", "", 0.0, task_no="T1", issue_mode="kit", sets=2.0),
               materials=empty)
    assert kit.refused == ["K"] and [i.code for i in kit.issues] == ["post_not_on_list"]
