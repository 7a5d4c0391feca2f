"""The wire format (payload -> typed tables, results -> actions), the sheet layout every
front end shares, and the Summary sheet's figures — on small cases worked by hand."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin import commands
from addin.actions import (
    CELLS_PER_ACTION,
    excel_serial,
    result_actions,
    sheet_actions,
    value_actions,
)
from addin.errors import UsageError
from addin.frontend import Outcome, report_lines, should_alert
from addin.issues import Issue
from addin.officejs import (
    BookSheet,
    describe_commands,
    handle,
    parse_payload,
    read_payload,
    response,
    update_actions,
)
from addin.schema import ROW, TABLES, coerce
from addin.workbook.layout import bands, existing_sheet, sheet_layout, unique_title
from addin.workbook.summary import (
    findings_by_code,
    purchases_by_week,
    shortages_by_component,
    summary_layout,
)

ITEMS_ZH = [["物料清单（示例）"], [],
            ["物料编码", "物料名称", "物料属性", "固定提前期", "Colour"],
            ["0012", "螺丝", "采购", 3, "red"],
            ["", "", "", "", ""],
            ["A-1", "风扇", "自制", "x", ""]]


def typed(table: str, columns: dict) -> pd.DataFrame:
    raw = pd.DataFrame(columns)
    raw[ROW] = np.arange(2, len(raw) + 2)
    frame, issues = coerce(TABLES[table], raw, table, "en")
    assert not issues
    return frame.drop(columns=ROW)


def funcs(actions: list[dict]) -> list[str]:
    return [a["func"] for a in actions]


# -- request ---------------------------------------------------------------------------------

def test_a_payload_is_checked_and_ragged_rows_are_padded() -> None:
    payload = parse_payload({"sheets": [{"name": "物料", "values": [["a", "b"], ["c"]],
                                         "tables": [{"name": "xlerp_items"}]}],
                             "args": [{"date": "2026-01-05"}]}, {"bucket": "week"})
    assert payload.sheets[0] == BookSheet("物料", [["a", "b"], ["c", ""]], ("xlerp_items",))
    assert payload.options == {"date": "2026-01-05", "bucket": "week"}


@pytest.mark.parametrize(("body", "message"), [
    ([], "not an xlwings payload"),
    ({"sheets": {}}, "not an xlwings payload"),
    ({"sheets": [{"values": []}]}, "sheet 1 of the request has no name"),
    ({"sheets": [{"name": "BOM", "values": "A1"}]}, 'values of sheet "BOM" are not a list'),
    ({"sheets": [{"name": "BOM", "values": [[[1]]]}]}, "neither text, number"),
])
def test_a_malformed_payload_is_a_usage_error(body: object, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_payload(body)


def test_sheets_are_typed_like_the_file_reader_types_them() -> None:
    payload = parse_payload({"sheets": [{"name": "物料", "values": ITEMS_ZH},
                                        {"name": "BOM", "values": []}]})
    read = read_payload(payload, "check")
    items = read.tables["items"]
    assert read.lang == "zh" and read.sheets["items"] == "物料"
    # header in Excel row 3 under a title and a blank row; the blank row 5 is dropped
    assert items["item_code"].tolist() == ["0012", "A-1"]  # a text code stays text
    assert items[ROW].tolist() == [4, 6]
    assert items["item_type"].tolist() == ["purchased", "manufactured"]
    codes = {(i.code, i.row, i.column) for i in read.issues}
    assert ("not_a_number", 6, "固定提前期") in codes  # "x" in row 6
    assert ("unknown_column", 3, "") in codes          # "Colour" is not a column
    assert ("no_header", None, "") in codes            # the BOM sheet is empty


def test_a_missing_required_sheet_is_an_issue_and_an_optional_one_an_empty_table() -> None:
    read = read_payload(parse_payload({"sheets": [{"name": "Items", "values": []}]}), "plan")
    missing = [i for i in read.issues if i.code == "missing_sheet"]
    assert [i.sheet for i in missing] == ["BOM"]
    assert read.tables["stock"].empty and ROW in read.tables["stock"]


def test_handle_turns_every_fixable_problem_into_one_alert() -> None:
    answer = handle("plan", {"sheets": [{"name": "Items", "values": []}]})
    assert funcs(answer["actions"]) == ["alert"] and not answer["ok"]
    prompt, title, buttons, mode, callback = answer["actions"][0]["args"]
    assert (title, buttons, mode, callback) == ("Run MRP", "ok", "critical", "")
    assert 'Sheet "BOM": The sheet "BOM" is missing' in prompt
    assert prompt.endswith("Nothing was written: fix the errors above and run again.")
    answer = handle("plan", {"sheets": [{"name": "物料", "values": []}]})
    assert answer["actions"][0]["args"][1] == "运行MRP"  # a Chinese book gets Chinese
    answer = handle("plan", {"sheets": [], "args": [{"lang": "fr"}]})
    assert answer["messages"] == ["lang 'fr' is not one of zh, en"]


# -- layout ------------------------------------------------------------------------------------

def test_bands_cover_runs_of_rows_with_the_same_style() -> None:
    keys = pd.Series(["error", "error", "", "warning", "warning", "ok", None, "info"])
    got = [(b.start, b.stop, b.color) for b in bands(keys)]
    assert got == [(0, 2, "FFC7CE"), (3, 5, "FFEB9C"), (5, 6, "C6EFCE"), (7, 8, "DDEBF7")]


@settings(deadline=None, max_examples=60)
@given(st.lists(st.sampled_from(["error", "warning", "", "info", "x"]), max_size=40))
def test_bands_colour_exactly_the_styled_rows(keys: list[str]) -> None:
    colored = np.zeros(len(keys), dtype=bool)
    for band in bands(pd.Series(keys, dtype=object)):
        assert not colored[band.start:band.stop].any()  # runs never overlap
        colored[band.start:band.stop] = True
    assert colored.tolist() == [k in ("error", "warning", "info") for k in keys]


def test_an_existing_result_sheet_is_found_by_its_table_then_by_its_name() -> None:
    spec = TABLES["planned_orders"]
    assert existing_sheet(spec, [("Items", ()), ("Planned Orders", ())]) == 1
    assert existing_sheet(spec, [("计划订单", ()), ("Mine", ("xlerp_planned_orders",))]) == 1
    assert existing_sheet(spec, [("Plan orders", ())]) is None  # an alias is no claim
    assert unique_title(["Summary", "summary (2)"], "Summary") == "Summary (3)"
    assert unique_title([], "x" * 40) == "x" * 31


def test_a_result_sheet_becomes_actions_in_the_writer_s_look() -> None:
    frame = typed("exceptions", {
        "severity": ["error", "warning"], "code": ["=cmd|' /c calc'!A0", "mrp_expedite"],
        "item_code": ["0012", "A-1"], "date": [dt.date(2026, 12, 1), None], "qty": [20, 2.5]})
    layout = sheet_layout(TABLES["exceptions"], frame, "en", frame["severity"])
    actions = sheet_actions(layout, 3, "xlerp_exceptions")
    assert {a["sheet_position"] for a in actions} == {3}
    formats = [(a["start_column"], a["column_count"], a["args"][0]) for a in actions
               if a["func"] == "setNumberFormat"]
    # severity..item_code text "@", date, qty, days (no format), message/tracking text
    assert formats == [(0, 4, "@"), (4, 1, "yyyy-mm-dd"), (5, 1, "#,##0.####"), (7, 2, "@")]
    header, data = [a for a in actions if a["func"] == "setValues"]
    assert header["values"] == [TABLES["exceptions"].headers("en")]
    assert (header["start_row"], data["start_row"], data["row_count"]) == (0, 1, 2)
    # 2026-12-01 is Excel day 46357: 2026-01-01 is 46023, plus 334 days of Jan-Nov
    assert data["values"][0][:6] == ["Error", "'=cmd|' /c calc'!A0", "0012", "", 46357, 20]
    assert data["values"][1][3:6] == ["", "", 2.5]
    fills = [(a["start_row"], a["row_count"], a["args"][0]) for a in actions
             if a["func"] == "setRangeColor"]
    assert fills == [(0, 1, "#1F4E78"), (1, 1, "#FFC7CE"), (2, 1, "#FFEB9C")]
    table = next(a for a in actions if a["func"] == "addTable")
    assert table["args"] == ["A1:I3", True, "TableStyleMedium2", "xlerp_exceptions"]
    assert next(a for a in actions if a["func"] == "freezePaneAtRange")["args"] == ["1:1"]


def test_an_empty_result_keeps_a_blank_table_row_and_writes_no_data() -> None:
    layout = sheet_layout(TABLES["pegging"], typed("pegging", {"order_id": []}), "zh")
    actions = sheet_actions(layout, 0, "xlerp_pegging")
    assert funcs(actions).count("setValues") == 1  # the header only
    assert next(a for a in actions if a["func"] == "addTable")["args"][0] == "A1:G2"
    assert "setNumberFormat" not in funcs(actions)


def test_shortage_highlights_compare_neighbouring_columns_of_each_row() -> None:
    frame = typed("mrp_record", {"item_code": ["A"], "projected_available": [-5.0],
                                 "safety_stock": [10.0], "net": [15.0]})
    rules = sheet_layout(TABLES["mrp_record"], frame, "en").highlights
    # projected_available is column H, safety_stock column L, net column I
    assert [r.formula(2) for r in rules] == [
        "AND(ISNUMBER(H2),ISNUMBER(L2),H2<L2)", "AND(ISNUMBER(I2),I2>0)"]


def test_large_grids_are_sent_in_chunks() -> None:
    grid = [[r] * 10 for r in range(12_000)]
    chunks = value_actions(grid, 2, 1)
    # 50,000 cells / 10 columns = 5,000 rows per action: 5,000 + 5,000 + 2,000
    assert CELLS_PER_ACTION == 50_000
    assert [(a["start_row"], a["row_count"]) for a in chunks] == [(1, 5000), (5001, 5000),
                                                                  (10001, 2000)]
    assert chunks[2]["values"][0][0] == 10_000
    frame = typed("pegging", {"order_id": [f"P{i}" for i in range(30_000)]})
    layout = sheet_layout(TABLES["pegging"], frame, "en")
    formats = [(a["start_row"], a["row_count"], a["start_column"], a["column_count"])
               for a in sheet_actions(layout, 0, "x") if a["func"] == "setNumberFormat"]
    # pegging: 5 text columns then a date and a qty; the 5-wide text run takes 10,000
    # rows per action (50,000 cells), the single columns 30,000 rows in one
    assert formats == [(1, 10_000, 0, 5), (10_001, 10_000, 0, 5), (20_001, 10_000, 0, 5),
                       (1, 30_000, 5, 1), (1, 30_000, 6, 1)]


def test_result_sheets_are_added_after_the_book_s_sheets_or_reuse_last_run_s() -> None:
    result = commands.Result(tables={"exceptions": typed("exceptions", {"code": ["x"]})})
    outcome = Outcome("check", "en", result, tables={"exceptions": result.tables["exceptions"]})
    book = [("Items", ()), ("Exceptions (old)", ("xlerp_exceptions",))]
    actions = result_actions(outcome, book)
    assert [(a["func"], a["sheet_position"], a["args"]) for a in actions
            if a["func"] in ("sheetClear", "addSheet", "activateSheet")] == [
        ("sheetClear", 1, []), ("addSheet", None, [2, "Summary"]),
        ("activateSheet", None, [2])]
    taken = [("Exceptions", ()), ("Copy", ("XLERP_exceptions",))]
    names = [a["args"][3] for a in result_actions(outcome, taken) if a["func"] == "addTable"]
    assert names == ["xlerp_exceptions"]  # the copy's table is the one written last time


def test_describe_commands_gives_folded_sheet_names_and_the_fold_rule() -> None:
    described = describe_commands()
    fold = re.compile(described["fold"])
    plan = next(c for c in described["commands"] if c["name"] == "plan")
    items = next(t for t in plan["tables"] if t["name"] == "items")
    assert items["required"] and {"items", "物料", "物料主数据"} <= set(items["sheets"])
    assert fold.sub("", "Sales  Orders").casefold() in next(
        t["sheets"] for t in plan["tables"] if t["name"] == "sales_orders")
    assert {c["name"] for c in described["commands"]} == {
        c.name for c in commands.all_commands()}


# -- what a person is told ---------------------------------------------------------------------

def test_alerts_come_when_nothing_was_written_or_findings_would_go_unseen() -> None:
    result = commands.Result(messages=["8 planned orders"])
    warning = Issue("unknown_column", "warning", "Items", 1, "", "Colour")
    written = {"planned_orders": pd.DataFrame()}
    assert should_alert(Outcome("plan", "en", result))  # nothing written
    assert should_alert(Outcome("plan", "en", result, [warning], written))
    assert not should_alert(Outcome("plan", "en", result, [], written))
    listed = {"bom_check": pd.DataFrame()}
    assert not should_alert(Outcome("check", "en", result, [warning], listed))
    lines = report_lines(Outcome("check", "zh", result, [warning], listed))
    assert lines == ["8 planned orders", "详见工作表「BOM检查」。"]
    many = [Issue("required_empty", "error", "BOM", r, "Qty") for r in range(2, 30)]
    lines = report_lines(Outcome("plan", "en", result, many), limit=3)
    assert lines[1] == 'Sheet "BOM", row 2, column "Qty": A value is required here — Enter ' \
                       'the "{column}"'.replace("{column}", "Qty")
    assert lines[-2:] == ["… 25 more", "Nothing was written: fix the errors above and run again."]


# -- the Summary sheet -------------------------------------------------------------------------

def test_purchases_are_summed_per_week_of_release() -> None:
    orders = typed("planned_orders", {
        "order_id": ["P1", "P2", "P3", "M1"], "item_code": ["A", "B", "A", "X"],
        "order_type": ["purchase", "purchase", "purchase", "production"],
        "qty": [10, 4, 5, 99], "unit_price": [2.5, 1.0, 2.5, 100],
        "release_date": ["2026-12-02", "2026-12-06", "2026-12-07", "2026-12-02"]})
    weeks = purchases_by_week(orders)
    # Wed 12-02 and Sun 12-06 fall in the week of Monday 11-30; Mon 12-07 starts the next.
    # Week 1: 2 orders, qty 14, amount 10×2.5 + 4×1 = 29; week 2: 1 order, 5×2.5 = 12.5.
    assert weeks["week_start"].dt.date.tolist() == [dt.date(2026, 11, 30), dt.date(2026, 12, 7)]
    assert weeks["orders"].tolist() == [2, 1] and weeks["qty"].tolist() == [14, 5]
    assert weeks["amount"].tolist() == [29.0, 12.5]


def test_shortages_count_components_only_largest_first() -> None:
    record = typed("mrp_record", {
        "item_code": ["FG", "A", "A", "B", "C"], "net": [50, 20, 30, 70, 0],
        "bucket_start": ["2026-12-01", "2026-12-08", "2026-12-01", "2026-12-15",
                         "2026-12-01"]})
    pegging = typed("pegging", {"item_code": ["FG", "A", "B", "C"],
                                "demand_item": ["FG", "FG", "FG", "FG"]})
    orders = typed("planned_orders", {"order_id": ["P1", "P2"], "item_code": ["A", "B"],
                                      "item_name": ["Axle", "Bolt"]})
    short = shortages_by_component(record, pegging, orders)
    # FG is the end item (its net is the demand); C has no net requirement; A: 20 + 30
    assert short["item_code"].tolist() == ["B", "A"]
    assert short["shortage_qty"].tolist() == [70, 50]
    assert short["item_name"].tolist() == ["Bolt", "Axle"]
    assert short["first_short"].dt.date.tolist() == [dt.date(2026, 12, 15),
                                                     dt.date(2026, 12, 1)]


def test_findings_are_counted_by_code_most_frequent_first() -> None:
    findings = typed("bom_check", {"severity": ["error", "warning", "error", "error"],
                                   "code": ["b", "a", "b", "c"]})
    counted = findings_by_code(findings)
    assert counted.values.tolist() == [["b", "error", 2], ["a", "warning", 1],
                                       ["c", "error", 1]]


def test_the_summary_of_a_run_that_wrote_nothing_is_none() -> None:
    assert summary_layout(Outcome("plan", "en", commands.Result())) is None


def test_excel_serials() -> None:
    assert excel_serial(dt.date(1900, 3, 1)) == 61  # after Excel's phantom 1900-02-29
    assert excel_serial(dt.date(2026, 12, 1)) == 46357


# -- writing back into input sheets --------------------------------------------------------------

ORDERS = [["Sales orders"], ["Order no", "Line", "Item code", "Qty", "Pushed qty"],
          ["SO-1", 1, "FAN", 10, 0], ["SO-2", 1, "FAN", 5, ""], [1001, 2, "FAN", 3, 1]]


def test_write_back_finds_each_record_by_its_typed_key() -> None:
    updates = {"sales_orders": pd.DataFrame({"order_no": ["1001", "SO-2"], "line_no": [2, 1],
                                             "pushed_qty": [3.0, 5.0]})}
    actions, issues = update_actions(updates, [BookSheet("Notes"), BookSheet("Sales orders",
                                                                              ORDERS)], "en")
    assert not issues
    # the header is grid row 1 (Excel row 2); order 1001, typed as a number, is grid row 4
    assert [(a["sheet_position"], a["start_row"], a["start_column"], a["values"])
            for a in actions] == [(1, 4, 4, [[3]]), (1, 3, 4, [[5]])]


def test_a_write_back_that_cannot_be_done_stops_every_write() -> None:
    updates = {"sales_orders": pd.DataFrame({"order_no": ["SO-9"], "line_no": [1],
                                             "pushed_qty": [1.0]})}
    sheets = [BookSheet("Sales orders", ORDERS)]
    _, issues = update_actions(updates, sheets, "en")
    assert [(i.code, i.value) for i in issues] == [("update_key_not_found", "SO-9 / 1")]
    frame = typed("exceptions", {"code": ["x"]})
    outcome = Outcome("tasks", "en", commands.Result(messages=["1 task"]),
                      tables={"exceptions": frame}, updates=updates)
    answer = response(outcome, sheets)
    assert [a["func"] for a in answer["actions"]] == ["alert"] and not answer["ok"]
    assert answer["messages"] == [
        "1 task", 'Sheet "Sales orders", column "Order no": Cannot write back: SO-9 / 1 is '
        'not in "Sales orders" — The row was deleted or renumbered after reading; restore it '
        "and run again", "Nothing was written: fix the errors above and run again."]


def test_a_command_s_own_summary_gives_its_figures_blocks_and_charts() -> None:
    findings = pd.DataFrame({"code": ["a", "b"], "severity": ["error", "warning"],
                             "count": [3, 1]})
    own = commands.Summary(figures=[("Tasks late", 2.0)], blocks=[
        commands.SummaryBlock("findings_by_code", findings, "column", values="count"),
        commands.SummaryBlock("findings_by_code", findings, chart=None)])
    result = commands.Result(summary=own)
    layout = summary_layout(Outcome("kit", "en", result, tables={"kit_orders": findings}))
    assert [b.caption for b in layout.blocks] == ["Summary", "Findings by code",
                                                  "Findings by code"]
    assert layout.blocks[0].layout.rows == 1
    (chart,) = layout.charts  # the block with chart=None has none
    assert (chart.kind, chart.block, chart.category, chart.values) == ("column", 1, 0, 2)
    # the chart's values are the block's "count" column, rows 2..3 below its header
    top = layout.blocks[1].top
    assert layout.chart_range(chart, chart.values) == (3, top + 1, top + 2)
