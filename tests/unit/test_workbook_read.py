"""Reading canonical tables from real .xlsx files (written by openpyxl, read by calamine)."""

from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.table import Table as ListObject

from addin.errors import UsageError, WorkbookError
from addin.schema import ROW, TABLES
from addin.workbook.read import (
    ReadResult,
    detect_language,
    find_header_row,
    read_sheet_values,
    read_tables,
)

EN_ITEMS = [
    ["Item code", "Item name", "Item type", "Lead time (days)"],
    ["A-1", "Bolt", "Purchased", 3],
    ["A-2", "Frame", "Manufactured", 1.5],
]


def codes(result: ReadResult) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.row, i.column) for i in result.issues]


# --- finding sheets and language -------------------------------------------------------

def test_english_book(make_book):
    result = read_tables(make_book({"Items": EN_ITEMS}), ["items"])
    items = result.tables["items"]
    assert result.lang == "en"
    assert result.sheets == {"items": "Items"}
    assert result.issues == []
    assert items["item_code"].tolist() == ["A-1", "A-2"]
    assert items["item_type"].tolist() == ["purchased", "manufactured"]
    assert items["lead_time_days"].tolist() == [3.0, 1.5]
    assert items[ROW].tolist() == [2, 3]  # header in Excel row 1
    assert items["planning_mode"].tolist() == ["MTS", "MTS"]  # schema default
    assert list(items.columns) == [ROW, *TABLES["items"].column_names]


def test_chinese_book(make_book):
    path = make_book({"物料": [["物料编码", "物料名称", "物料属性"], ["A-1", "螺栓", "外购"]],
                      "BOM": [["父项编码", "子项编码"], ["P", "A-1"]]})
    result = read_tables(path, ["items", "bom"])
    assert result.lang == "zh"
    assert result.sheets == {"items": "物料", "bom": "BOM"}
    assert result.tables["items"]["item_name"].tolist() == ["螺栓"]
    assert result.tables["items"]["item_type"].tolist() == ["purchased"]
    assert result.tables["bom"]["component_code"].tolist() == ["A-1"]


def test_sheet_and_header_aliases_mixed_case_and_spaces(make_book):
    path = make_book({" MATERIALS ": [["  SKU ", "item_NAME", "Make / Buy", "LEAD-TIME"],
                                      ["X", "Widget", "buy", 2]]})
    result = read_tables(path, ["items"])
    items = result.tables["items"]
    assert result.sheets == {"items": " MATERIALS "}
    assert items[["item_code", "item_name", "item_type", "lead_time_days"]].values.tolist() == [
        ["X", "Widget", "purchased", 2.0]]
    assert result.issues == []


def test_detect_language():
    assert detect_language(["物料", "BOM", "即时库存"]) == "zh"  # 2 zh names, BOM is shared
    assert detect_language(["Items", "BOM", "Stock"]) == "en"
    assert detect_language(["BOM"]) == "en"  # shared name only: the default
    assert detect_language(["物料主数据", "Sheet1"]) == "zh"  # tie on names, a Chinese alias
    assert detect_language([]) == "en"


def test_hidden_sheet_is_read(make_book):
    path = make_book({"Notes": [["hello"]], "Items": EN_ITEMS}, hidden=["Items"])
    assert len(read_tables(path, ["items"]).tables["items"]) == 2


def test_excel_table_name_lookup(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws["A1"] = "my planning data"  # the Table sits below a title, at B3
    for r, row in enumerate(EN_ITEMS):
        for c, value in enumerate(row):
            ws.cell(row=3 + r, column=2 + c, value=value)
    ws.add_table(ListObject(displayName="xlerp_items", ref="B3:E5"))
    path = tmp_path / "table.xlsx"
    book.save(path)
    result = read_tables(path, ["items"])
    assert result.sheets == {"items": "Sheet1"}
    assert result.tables["items"]["item_code"].tolist() == ["A-1", "A-2"]
    assert result.tables["items"][ROW].tolist() == [4, 5]  # header row 3


# --- header row and row numbers --------------------------------------------------------

def test_title_rows_above_header(make_book):
    rows = [["Item master — exported 2026-01-05"], ["Note: codes are unique"], [],
            *EN_ITEMS]
    result = read_tables(make_book({"Items": rows}), ["items"])
    # title row 1, note row 2, blank row 3, header row 4, data rows 5 and 6
    assert result.tables["items"][ROW].tolist() == [5, 6]
    assert result.issues == []


def test_header_is_the_row_naming_most_columns():
    spec = TABLES["items"]
    rows = [["Item code is the key"], ["Item code", "ignored"], ["Item code", "Item name"],
            ["A", "B"]]
    # row 0 names nothing ("Item code is the key" folds to no header), row 1 one column,
    # row 2 two columns: row 2 wins
    assert find_header_row(spec, rows) == 2
    assert find_header_row(spec, [["x"], [""], ["y"]]) is None


def test_header_search_stops_after_twenty_non_blank_rows():
    spec = TABLES["items"]
    rows = [[f"note {i}"] for i in range(20)] + [["Item code"]]
    assert find_header_row(spec, rows) is None
    assert find_header_row(spec, rows[1:]) == 19


def test_offset_sheet_blank_and_space_rows_dropped(make_book):
    rows = [EN_ITEMS[0], EN_ITEMS[1], [None, None], ["  ", None, "   "],
            EN_ITEMS[2]]
    path = make_book({"Items": rows}, origin="C3")
    result = read_tables(path, ["items"])
    # header at C3 (row 3); data rows 4 and 7; row 5 empty, row 6 only spaces
    assert result.tables["items"][ROW].tolist() == [4, 7]
    assert result.tables["items"]["item_code"].tolist() == ["A-1", "A-2"]
    assert result.issues == []


# --- data problems become issues -------------------------------------------------------

def test_text_in_number_column_is_an_issue(make_book):
    rows = [*EN_ITEMS, ["A-3", "Nut", "Purchased", "three"]]
    result = read_tables(make_book({"Items": rows}), ["items"])
    assert codes(result) == [("not_a_number", 4, "Lead time (days)")]
    assert result.issues[0].value == "three"
    # the schema fills a bad cell with the column default (lead time 0); the issue flags it
    assert result.tables["items"]["lead_time_days"].tolist() == [3.0, 1.5, 0.0]


def test_missing_required_sheet_named_in_book_language(make_book):
    path = make_book({"物料": [["物料编码", "物料名称", "物料属性"], ["A", "螺栓", "外购"]]})
    result = read_tables(path, ["items", "stock"], optional=["forecasts"])
    assert result.lang == "zh"
    assert [(i.code, i.sheet, dict(i.params)) for i in result.issues] == [
        ("missing_sheet", "即时库存", {"table": "即时库存"})]
    assert result.tables["stock"].empty
    assert list(result.tables["stock"].columns) == [ROW, *TABLES["stock"].column_names]
    assert result.tables["forecasts"].empty  # optional: no issue
    assert set(result.sheets) == {"items"}


def test_required_column_missing_and_unknown_header(make_book):
    rows = [["Item code", "Colour", "Item type"], ["A", "red", "Purchased"]]
    result = read_tables(make_book({"Items": rows}), ["items"])
    found = {(i.code, i.severity, i.row, i.column, i.value) for i in result.issues}
    assert ("unknown_column", "warning", 1, "", "Colour") in found
    assert ("missing_column", "error", 1, "Item name", None) in found
    assert len(result.tables["items"]) == 1


def test_sheet_without_header_row(make_book):
    result = read_tables(make_book({"Items": [["foo", "bar"], [1, 2]]}), ["items"])
    assert codes(result) == [("no_header", None, "")]
    assert result.tables["items"].empty


def test_empty_workbook_reports_missing_sheets(make_book):
    result = read_tables(make_book({}), ["items", "bom"], optional=["stock"])
    assert [i.code for i in result.issues] == ["missing_sheet", "missing_sheet"]
    assert all(frame.empty for frame in result.tables.values())
    assert set(result.tables) == {"items", "bom", "stock"}


def test_empty_optional_sheet_is_no_data(make_book):
    path = make_book({"Items": EN_ITEMS, "Stock": []})
    result = read_tables(path, ["items"], optional=["stock"])
    assert result.issues == []
    assert result.tables["stock"].empty


def test_header_only_sheet(make_book):
    result = read_tables(make_book({"Items": EN_ITEMS[:1]}), ["items"])
    assert result.issues == []
    assert result.tables["items"].empty
    assert result.tables["items"]["lead_time_days"].dtype == "float64"


def test_dates_from_excel_cells(make_book):
    rows = [["Order no", "Item code", "Qty", "Due date"], ["SO1", "A", 5, dt.date(2026, 3, 1)],
            ["SO2", "A", 5, "2026/03/02"]]
    result = read_tables(make_book({"Sales orders": rows}), ["sales_orders"])
    due = result.tables["sales_orders"]["due_date"]
    assert due.tolist() == [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-02")]


def test_unknown_table_name_is_a_usage_error(make_book):
    with pytest.raises(UsageError, match="unknown table 'itemz'"):
        read_tables(make_book({"Items": EN_ITEMS}), ["itemz"])


# --- files that cannot be read ---------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(WorkbookError, match="does not exist"):
        read_tables(tmp_path / "nope.xlsx", ["items"])


@pytest.mark.parametrize("content", [
    np.random.default_rng(7).bytes(4096),  # random bytes
    b"order_no,qty\nSO1,5\n",               # a CSV renamed .xlsx
])
def test_not_a_workbook(tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=r"is not an Excel workbook \(.xlsx/.xlsm\) or is "
                                            "damaged"):
        read_tables(path, ["items"])


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(WorkbookError, match="is not an Excel workbook"):
        read_tables(path, ["items"])


def test_password_protected_workbook_is_left_untouched(tmp_path):
    path = tmp_path / "secret.xlsx"
    # Excel stores an encrypted .xlsx as an OLE2 (CFB) container: same signature
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4088)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(WorkbookError) as error:
        read_tables(path, ["items"])
    assert str(error.value) == (f"{path} is password-protected — remove the password in Excel "
                                "(File → Info → Protect Workbook) and try again")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_read_sheet_values(make_book):
    path = make_book({"Items": [["a", 1], [None, dt.date(2026, 1, 2)]]}, origin="B2")
    grid = read_sheet_values(path, "Items")
    assert grid == [["", "", ""], ["", "a", 1.0], ["", "", dt.date(2026, 1, 2)]]
    with pytest.raises(UsageError, match='has no sheet "Nope"'):
        read_sheet_values(path, "Nope")
