"""Quality (DOMAIN §6): receipt notices, inspections, supplier rates."""

from __future__ import annotations

import functools

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_posting import balance, context

from addin.commands.post import run_post
from addin.engines.posting import post_documents
from addin.engines.quality import inspection_lines, notice_lines, quality_rates

D = pd.Timestamp
ITEMS = pd.DataFrame({"item_code": ["A", "E"], "standard_cost": [1.0, 1.0],
                      "inspection": ["full", "exempt"]})


def notices(qty: float = 1000.0, item: str = "A") -> pd.DataFrame:
    return pd.DataFrame({"_row": [2], "doc_no": ["N1"], "line_no": [1],
                         "doc_date": [D("2026-01-02")], "item_code": [item],
                         "warehouse_code": ["W1"], "location_code": [""], "lot": [""],
                         "qty": [qty], "unit_cost": [3.0], "supplier_code": ["S1"]})


def inspection(doc: str = "Q1", passed: float = 950.0, concession: float = 30.0,
               rejected: float = 20.0, scrapped: float = 0.0, row: int = 2) -> dict:
    return {"_row": row, "doc_no": doc, "line_no": 1, "doc_date": D("2026-01-03"),
            "notice_no": "N1", "notice_line": 1, "passed_qty": passed,
            "concession_qty": concession, "rejected_qty": rejected, "scrapped_qty": scrapped,
            "stock_warehouse": ""}


def run(note: pd.DataFrame, checks: list[dict]):
    ctx = context(items=ITEMS, opening=None, tasks=None, materials=None)
    frame = pd.DataFrame(checks) if checks else pd.DataFrame(columns=list(inspection()))
    judged = inspection_lines(frame, note, ITEMS, "QC")
    lines = pd.concat([notice_lines(note, ITEMS, "QC"), judged.lines], ignore_index=True)
    return post_documents(lines, ctx), judged, frame


def test_goods_wait_in_the_inspection_warehouse_until_judged() -> None:
    posting, _, _ = run(notices(), [])
    assert balance(posting, "A", "QC") == (1000.0, 3000.0)
    assert balance(posting, "A", "W1") == (0.0, 0.0)


def test_exempt_items_go_straight_to_stock() -> None:
    posting, _, _ = run(notices(item="E"), [])
    assert balance(posting, "E", "W1") == (1000.0, 3000.0)


def test_domain_example_980_to_stock_20_returned_95_and_98_percent() -> None:
    # 1,000 received; 950 passed + 30 concession = 980 to stock, 20 rejected → returned
    posting, judged, frame = run(notices(), [inspection()])
    assert judged.issues == [] and posting.issues == []
    assert balance(posting, "A", "W1") == pytest.approx((980.0, 2940.0))
    assert balance(posting, "A", "QC") == (0.0, 0.0)
    moves = posting.moves
    returned = moves[moves["doc_type"].eq("purchase_return")]
    assert returned["qty"].tolist() == [-20.0]
    flagged = moves[moves["concession"] & moves["warehouse_code"].eq("W1")]
    assert flagged["qty"].tolist() == [30.0]
    rates = quality_rates(frame, notices()).iloc[0]
    assert (rates["pass_rate"], rates["acceptance_rate"]) == pytest.approx((0.95, 0.98))


def test_scrapped_is_written_off() -> None:
    posting, _, _ = run(notices(), [inspection(passed=990.0, concession=0.0, rejected=0.0,
                                               scrapped=10.0)])
    scrap = posting.moves[posting.moves["doc_type"].eq("scrap")]
    assert scrap[["qty", "value"]].to_dict("records") == [{"qty": -10.0, "value": -30.0}]


def test_cannot_judge_more_than_was_received() -> None:
    # Q1 judges 600, Q2 another 500: only 400 left → Q2 refused whole
    checks = [inspection("Q1", 600.0, 0.0, 0.0), inspection("Q2", 500.0, 0.0, 0.0, row=3)]
    posting, judged, _ = run(notices(), checks)
    assert judged.refused == ["Q2"]
    assert [(i.code, i.row, i.params["available"]) for i in judged.issues] == [
        ("qc_over_judged", 3, 400.0)]
    assert balance(posting, "A", "W1")[0] == 600.0
    assert balance(posting, "A", "QC")[0] == 400.0


def test_unknown_notice_is_refused() -> None:
    check = {**inspection(), "notice_no": "N9"}
    _, judged, _ = run(notices(), [check])
    assert [i.code for i in judged.issues] == ["qc_unknown_notice"]
    assert judged.lines.empty


# ------------------------------------------- production and subcontract receipt notices
def book(**more: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """P: a product of task T1 (100, standard cost 10.00, inspected) that backflushes
    2 C (1.00 in RM) each; X: a part supplier S1 plates from 2 kg of M (100 kg at 5.00
    issued to it) on order WW1 (50 at a fee of 3.00, inspected); WW2 is closed."""
    base = {
        "items": pd.DataFrame({"item_code": ["P", "C", "M", "X"],
                               "standard_cost": [10.0, 1.0, 5.0, 0.0],
                               "inspection": ["full", "exempt", "exempt", "full"]}),
        "warehouses": pd.DataFrame({"warehouse_code": ["RM", "FG", "QC", "SUB"],
                                    "warehouse_type": ["normal", "normal", "inspection",
                                                       "at_supplier"],
                                    "supplier_code": ["", "", "", "S1"]}),
        "suppliers": pd.DataFrame({"supplier_code": ["S1"]}),
        "stock": pd.DataFrame({"item_code": ["C", "M"], "warehouse_code": ["RM", "RM"],
                               "qty": [300.0, 100.0], "unit_cost": [1.0, 5.0]}),
        "production_tasks": pd.DataFrame({
            "task_no": ["T1", "T9"], "item_code": ["P", "P"], "qty": [100.0, 10.0],
            "stocked_qty": [0.0, 0.0], "status": ["released", "closed"],
            "start_date": [D("2026-01-02")] * 2, "due_date": [D("2026-01-31")] * 2}),
        "task_materials": pd.DataFrame({
            "task_no": ["T1"], "component_code": ["C"], "qty_per": [2.0],
            "required_qty": [200.0], "issued_qty": [0.0], "scrapped_qty": [0.0],
            "issue_method": ["backflush"], "supply_warehouse": ["RM"]}),
        "subcontract_orders": pd.DataFrame({
            "order_no": ["WW1", "WW2"], "line_no": [1, 1], "supplier_code": ["S1", "S1"],
            "item_code": ["X", "X"], "qty": [50.0, 10.0], "received_qty": [0.0, 0.0],
            "status": ["open", "closed"], "unit_price": [3.0, 3.0]}),
        "subcontract_materials": pd.DataFrame({
            "order_no": ["WW1", "WW2"], "order_line": [1, 1], "component_code": ["M", "M"],
            "qty_per": [2.0, 2.0], "variable_loss_rate": [0.0, 0.0]}),
        "subcontract_issues": pd.DataFrame([{
            "_row": 2, "doc_no": "SI1", "line_no": 1, "doc_date": D("2026-01-05"),
            "item_code": "M", "warehouse_code": "RM", "qty": 100.0, "order_no": "WW1",
            "order_line": 1}]),
    }
    base.update(more)
    return base


def notice(doc: str, qty: float, row: int = 2, day: str = "2026-01-10", **more: object
           ) -> dict:
    """A notice that names only its task or order: the item comes from it."""
    return {"_row": row, "doc_no": doc, "line_no": 1, "doc_date": D(day), "item_code": "",
            "warehouse_code": "FG", "location_code": "", "lot": "", "qty": qty,
            "unit_cost": 0.0, "supplier_code": "", "source": "", "task_no": "",
            "order_no": "", "order_line": 1, "reverses_doc_no": "", **more}


def judge(doc: str, note: str, passed: float, concession: float = 0.0,
          rejected: float = 0.0, scrapped: float = 0.0, day: str = "2026-01-11",
          row: int = 2) -> dict:
    return {**inspection(doc, passed, concession, rejected, scrapped, row),
            "notice_no": note, "doc_date": D(day)}


def post(notes: list[dict], checks: list[dict], **more: pd.DataFrame):
    from addin.commands.post import post_tables

    sheets = book(receipt_notices=pd.DataFrame(notes),
                  inspections=pd.DataFrame(checks or [inspection()]).iloc[:len(checks)],
                  **more)
    return post_tables(sheets, {})


def held(posting, item: str, warehouse: str, location: str | None = None
         ) -> tuple[float, float]:
    stock = posting.stock[posting.stock["item_code"].eq(item)
                          & posting.stock["warehouse_code"].eq(warehouse)]
    if location is not None:
        stock = stock[stock["location_code"].eq(location)]
    return (round(float(stock["qty"].sum()), 6),
            round(float((stock["qty"] * stock["unit_cost"]).sum()), 6))


def test_production_notice_100_judged_95_3_2_puts_98_in_stock_and_completes_98() -> None:
    # N1: 100 P of task T1 into QC at the task's cost (standard 10.00) = 1,000; the
    # receipt backflushes 100 × 2 = 200 C (at 1.00) from RM. Q1: 95 passed + 3
    # concession = 98 to FG at 10.00 = 980; 2 rejected wait at QC/REWORK (20.00), not
    # available; the task has received 98 of 100 → completion 98 %.
    from addin.engines.taskprogress import posted_by_task

    posting, found, rates = post([notice("N1", 100.0, task_no="T1")],
                                 [judge("Q1", "N1", 95.0, 3.0, 2.0)])
    assert found == [] and posting.issues == [] and posting.refused == []
    assert held(posting, "P", "FG") == (98.0, 980.0)
    assert held(posting, "P", "QC", "REWORK") == (2.0, 20.0)
    assert held(posting, "P", "QC", "") == (0.0, 0.0)
    assert held(posting, "C", "RM") == (100.0, 100.0)
    moves = posting.moves
    came = moves[moves["doc_no"].eq("N1") & moves["item_code"].eq("P")].iloc[0]
    assert (came["doc_type"], came["warehouse_code"], came["qty"], came["unit_cost"],
            came["task_no"], came["notice_no"]) == ("product_receipt", "QC", 100.0, 10.0,
                                                    "T1", "N1")
    flagged = moves[moves["concession"] & moves["warehouse_code"].eq("FG")]
    assert flagged["qty"].tolist() == [3.0]
    tasks, _ = posted_by_task(book()["production_tasks"], book()["task_materials"], moves)
    done = tasks.set_index("task_no").loc["T1"]
    assert (done["received_qty"], done["stocked_total"] / done["qty"]) == (98.0, 0.98)
    assert rates.empty  # Supplier quality: no supplier was inspected
    sheets = book(receipt_notices=pd.DataFrame([notice("N1", 100.0, task_no="T1")]),
                  inspections=pd.DataFrame([judge("Q1", "N1", 95.0, 3.0, 2.0)]))
    result = run_post(sheets, {})
    assert [(b.table, b.chart, b.values) for b in result.summary.blocks] == [
        ("supplier_balances", "bar", "balance_qty"),  # the 100 kg M issued to S1
        ("product_quality", "bar", "acceptance_rate")]
    per_product = result.tables["product_quality"]
    assert per_product.to_dict("records") == [
        {"item_code": "P", "inspected_qty": 100.0, "passed_qty": 95.0,
         "concession_qty": 3.0, "rejected_qty": 2.0, "scrapped_qty": 0.0,
         "pass_rate": pytest.approx(0.95), "acceptance_rate": pytest.approx(0.98)}]


def test_goods_waiting_for_inspection_are_not_yet_received() -> None:
    from addin.engines.taskprogress import posted_by_task

    posting, _, _ = post([notice("N1", 100.0, task_no="T1")], [])
    tasks, _ = posted_by_task(book()["production_tasks"], None, posting.moves)
    assert tasks.set_index("task_no").loc["T1", "received_qty"] == 0.0
    assert held(posting, "P", "QC") == (100.0, 1000.0)


def test_rejected_and_scrapped_production_goods_free_the_task_for_a_new_receipt() -> None:
    # T1 is for 100 (no tolerance): N1 100, Q1 rejects 2 and scraps 1 → 97 accepted, so
    # N2 of 3 fits and N3 of 1 more does not (100 + 1 > 100)
    posting, _, _ = post([notice("N1", 100.0, task_no="T1"),
                          notice("N2", 3.0, row=3, day="2026-01-12", task_no="T1"),
                          notice("N3", 1.0, row=4, day="2026-01-13", task_no="T1")],
                         [judge("Q1", "N1", 97.0, 0.0, 2.0, 1.0)])
    assert posting.refused == ["N3"]
    assert [(i.code, i.sheet, i.row, i.params["available"]) for i in posting.issues] == [
        ("post_over_receipt", "receipt_notices", 4, 0.0)]
    scrap = posting.moves[posting.moves["doc_type"].eq("scrap")]
    assert scrap[["warehouse_code", "qty", "value"]].to_dict("records") == [
        {"warehouse_code": "QC", "qty": -1.0, "value": -10.0}]


def test_subcontract_notice_45_parts_44_passed_1_rejected() -> None:
    # DOMAIN §6: 100 kg M at 5.00 at S1; N1 brings 45 X → consumes 90 kg (450) + fee
    # 45 × 3.00 (135) = 585 into QC, 13.00 each; 10 kg (50.00) stay at S1.
    # Q1: 44 passed → FG 44 × 13.00 = 572; 1 rejected → back to S1, out at 13.00.
    # The order has received 44 of 50: 6 more fit, 7 do not.
    posting, found, rates = post(
        [notice("N1", 45.0, order_no="WW1"),
         notice("N2", 7.0, row=3, day="2026-01-12", order_no="WW1")],
        [judge("Q1", "N1", 44.0, 0.0, 1.0)])
    assert found == []
    assert posting.refused == ["N2"]
    assert [(i.code, i.row, i.params["available"]) for i in posting.issues] == [
        ("sub_over_receipt", 3, 6.0)]
    assert held(posting, "X", "FG") == (44.0, 572.0)
    assert held(posting, "X", "QC") == (0.0, 0.0)
    assert held(posting, "M", "SUB") == (10.0, 50.0)
    moves = posting.moves.set_index("doc_type")
    assert moves.loc["subcontract_receipt", ["warehouse_code", "qty", "value"]].tolist() == [
        "QC", 45.0, 585.0]
    assert moves.loc["subcontract_consume", ["qty", "value"]].tolist() == [-90.0, -450.0]
    back = moves.loc["subcontract_reject"]
    assert (back["qty"], back["unit_cost"], back["value"], back["order_no"]) == (
        -1.0, 13.0, -13.0, "WW1")
    balance = posting.supplier_balances.set_index("supplier_code").loc["S1"]
    assert (balance["consumed_qty"], balance["balance_qty"], balance["balance_value"]) == (
        90.0, 10.0, 50.0)
    # the subcontractor is rated as a supplier: 44 / 45 = 97.78 %
    assert rates[["supplier_code", "pass_rate", "acceptance_rate"]].to_dict("records") == [
        {"supplier_code": "S1", "pass_rate": pytest.approx(44 / 45),
         "acceptance_rate": pytest.approx(44 / 45)}]
    fits = post([notice("N1", 45.0, order_no="WW1"),
                 notice("N2", 6.0, row=3, day="2026-01-12", order_no="WW1")],
                [judge("Q1", "N1", 44.0, 0.0, 1.0)])[0]
    assert fits.refused == []


@pytest.mark.parametrize(("given", "code", "column"), [
    ({"task_no": "T7", "item_code": "P"}, "post_unknown_task", "task_no"),
    ({"task_no": "T9"}, "post_task_closed", "task_no"),
    ({"order_no": "WW2"}, "sub_order_closed", "order_no"),
    ({"order_no": "WW1", "qty": 51.0}, "sub_over_receipt", "qty"),
    ({"task_no": "T1", "qty": 101.0}, "post_over_receipt", "qty"),
])
def test_bad_notices_are_refused_and_so_are_their_inspections(given: dict, code: str,
                                                              column: str) -> None:
    qty = float(given.pop("qty", 10.0))
    posting, _, _ = post([notice("N1", qty, **given)], [judge("Q1", "N1", 5.0)])
    assert posting.refused == ["N1", "Q1"]
    assert [(i.code, i.sheet, i.column) for i in posting.issues] == [
        (code, "receipt_notices", column),
        ("qc_notice_not_posted", "inspections", "qty")]
    assert set(posting.moves["doc_no"]) == {"SI1"}


_SOURCES = {"purchase": {"item_code": "P", "unit_cost": 4.0, "supplier_code": "S1"},
            "production": {"task_no": "T1"}, "subcontract": {"order_no": "WW1"}}


@functools.cache
def _without_notices() -> pd.DataFrame:
    """Stock per item and warehouse when only the subcontract issue posts."""
    from addin.commands.post import post_tables

    return _total(post_tables(book(), {})[0].stock)


def _total(stock: pd.DataFrame) -> pd.DataFrame:
    rows = stock.assign(value=stock["qty"] * stock["unit_cost"])
    out = rows.groupby(["item_code", "warehouse_code"])[["qty", "value"]].sum()
    return out[(out.abs() > 1e-9).any(axis=1)]


@settings(deadline=None, max_examples=10)
@given(st.sampled_from(sorted(_SOURCES)), st.integers(1, 50),
       st.lists(st.integers(0, 20), min_size=4, max_size=4))
def test_reversing_a_notice_and_its_inspection_restores_stock_and_value(
        source: str, qty: int, split: list[int]) -> None:
    from addin.commands.post import post_tables

    judged = [min(part, max(qty - sum(split[:n]), 0)) for n, part in enumerate(split)]
    assume(sum(judged) > 0)  # an inspection that judges nothing moves nothing to reverse
    undo = pd.DataFrame([
        {"_row": 2, "doc_no": "V1", "line_no": 1, "doc_date": D("2026-03-01"),
         "reverses_doc_no": "Q1"},
        {"_row": 3, "doc_no": "V2", "line_no": 1, "doc_date": D("2026-03-02"),
         "reverses_doc_no": "N1"}])
    sheets = book(receipt_notices=pd.DataFrame([notice("N1", float(qty),
                                                       **_SOURCES[source])]),
                  inspections=pd.DataFrame([judge("Q1", "N1", *map(float, judged))]))
    after = post_tables({**sheets, "purchase_receipts": undo}, {})[0]
    # N1 and Q1 posted (their moves are what V1 and V2 negate) and cancel out exactly:
    # only the subcontract issue is left
    assert after.refused == [] and set(after.posted) == {"SI1", "N1", "Q1", "V1", "V2"}
    assert set(after.moves.loc[after.moves["doc_type"].ne("reversal"), "doc_no"]) == {
        "SI1", "N1", "Q1"}
    pd.testing.assert_frame_equal(_total(after.stock), _without_notices(), atol=1e-9,
                                  check_exact=False)


def test_rejected_production_goods_are_reworked_from_the_rework_location() -> None:
    # after N1/Q1 above, 2 P wait at QC/REWORK at 10.00; rework task RW issues them from
    # there and receives them back with 1.00 labour + overhead each → 2 × 11.00 = 22.00;
    # FG: 98 at 10.00 + 2 at 11.00 = 1,002 for 100
    from addin.commands.post import post_tables

    tasks = pd.concat([book()["production_tasks"], pd.DataFrame({
        "task_no": ["RW"], "item_code": ["P"], "qty": [2.0], "stocked_qty": [0.0],
        "status": ["released"], "task_kind": ["rework"], "start_date": [D("2026-01-12")],
        "due_date": [D("2026-01-31")]})], ignore_index=True)
    line = {"_row": 2, "line_no": 1, "item_code": "P", "lot": "", "qty": 2.0,
            "task_no": "RW", "reverses_doc_no": ""}
    sheets = book(receipt_notices=pd.DataFrame([notice("N1", 100.0, task_no="T1")]),
                  inspections=pd.DataFrame([judge("Q1", "N1", 95.0, 3.0, 2.0)]),
                  production_tasks=tasks,
                  material_issues=pd.DataFrame([{**line, "doc_no": "I1",
                                                 "doc_date": D("2026-01-12"),
                                                 "warehouse_code": "QC",
                                                 "location_code": "REWORK"}]),
                  product_receipts=pd.DataFrame([{**line, "doc_no": "PR1",
                                                  "doc_date": D("2026-01-13"),
                                                  "warehouse_code": "FG", "location_code": "",
                                                  "conversion_cost": 1.0}]))
    posting, found, _ = post_tables(sheets, {})
    assert found == [] and posting.issues == [] and posting.refused == []
    assert held(posting, "P", "QC") == (0.0, 0.0)
    assert held(posting, "P", "FG") == (100.0, 1002.0)


def test_xlerp_post_reads_a_production_notice_and_writes_product_quality(tmp_path) -> None:
    import openpyxl
    from click.testing import CliRunner

    from addin.schema import TABLES
    from agent.cli.post import post as post_command

    def sheet(name: str, columns: list[str], *rows: list[object]) -> list[list[object]]:
        spec = TABLES[name]
        return [spec.en, [spec.column(c).en for c in columns], *rows]

    sheets = [
        sheet("items", ["item_code", "item_name", "item_type", "standard_cost", "inspection"],
              ["P", "Pump", "manufactured", 10, "full"]),
        sheet("warehouses", ["warehouse_code", "warehouse_type"], ["FG", "normal"],
              ["QC", "inspection"]),
        sheet("production_tasks", ["task_no", "item_code", "qty", "due_date", "status"],
              ["T1", "P", 100, "2026-01-31", "released"]),
        sheet("receipt_notices", ["doc_no", "doc_date", "warehouse_code", "qty", "task_no"],
              ["N1", "2026-01-10", "FG", 100, "T1"]),
        sheet("inspections", ["doc_no", "doc_date", "notice_no", "passed_qty",
                              "concession_qty", "rejected_qty"],
              ["Q1", "2026-01-11", "N1", 95, 3, 2]),
    ]
    book_ = openpyxl.Workbook()
    book_.remove(book_.active)
    for title, *rows in sheets:
        page = book_.create_sheet(title)
        for row in rows:
            page.append(row)
    source, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    book_.save(source)
    result = CliRunner().invoke(post_command, [str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = openpyxl.load_workbook(out)
    rates = list(written["Product quality"].iter_rows(values_only=True))
    assert rates[1] == ("P", 100, 95, 3, 2, 0, 0.95, 0.98)
    moves = list(written["Stock moves"].iter_rows(values_only=True))
    header = moves[0]
    named = [dict(zip(header, row, strict=True)) for row in moves[1:]]
    rework = [m for m in named if m["Location code"] == "REWORK"]
    assert [(m["Qty"], m["Value"], m["Receipt notice"]) for m in rework] == [(2, 20, "N1")]


def test_an_exempt_product_goes_straight_to_stock_and_counts_at_once() -> None:
    # P exempt: N1's 100 P go to FG at 10.00 like a product receipt; T1 has received 100
    from addin.engines.taskprogress import posted_by_task

    items = book()["items"].assign(inspection="exempt")
    posting, found, _ = post([notice("N1", 100.0, task_no="T1")], [], items=items)
    assert found == [] and posting.refused == []
    assert held(posting, "P", "FG") == (100.0, 1000.0)
    assert held(posting, "P", "QC") == (0.0, 0.0)
    tasks, _ = posted_by_task(book()["production_tasks"], None, posting.moves)
    assert tasks.set_index("task_no").loc["T1", "received_qty"] == 100.0


def test_subcontract_tracking_counts_only_accepted_parts() -> None:
    from addin.engines.subcontracttracking import subcontract_tracking

    # N1 brings 45 X of WW1 into QC; Q1 passes 44 and rejects 1 → 44 received
    tables = book()
    posting, _, _ = post([notice("N1", 45.0, order_no="WW1")],
                         [judge("Q1", "N1", 44.0, 0.0, 1.0)])
    waiting, _, _ = post([notice("N1", 45.0, order_no="WW1")], [])
    for moves, received in ((posting.moves, 44.0), (waiting.moves, 0.0)):
        orders = tables["subcontract_orders"].assign(due_date=pd.Timestamp("2026-03-01"))
        line = subcontract_tracking(orders,
                                    tables.get("subcontract_materials"), moves,
                                    pd.Timestamp("2026-02-01")).set_index("order_no")
        assert line.loc["WW1", "received_qty"] == received
