"""Writing canonical tables into real workbooks with openpyxl, and reading them back."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from addin.errors import UsageError, WorkbookError
from addin.schema import ROW, TABLES, coerce
from addin.workbook import styles
from addin.workbook.read import read_sheet_values, read_tables
from addin.workbook.write import content_width, new_workbook, write_tables

CHECK = pd.DataFrame({
    "severity": ["error", "warning", "info"],
    "sheet": ["BOM", "BOM", "Items"],
    "row": pd.array([3, 4, None], dtype="Int64"),
    "column": ["Qty", "", ""],
    "value": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)"],
    "code": ["a", "b", "c"],
    "message": ["m1", "m2", "m3"],
    "fix": ["", "", ""],
})


def user_book(path: Path) -> Path:
    """A user's book: values, a formula, a defined name and a data validation."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    for r, value in enumerate([1, 2, 3], start=1):
        ws.cell(row=r, column=1, value=value)
    ws["A4"] = "=SUM(A1:A3)"
    ws["B1"] = "备注"
    validation = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    validation.add("C1:C10")
    ws.add_data_validation(validation)
    book.defined_names["total"] = DefinedName("total", attr_text="Data!$A$4")
    book.create_sheet("Notes")["A1"] = "keep me"
    book.save(path)
    return path


def sheet_cells(path: Path, title: str) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[title]
    return {cell.coordinate: (cell.value, cell.data_type) for row in ws.iter_rows()
            for cell in row}


# --- the rest of the book is left alone ------------------------------------------------

def test_other_sheets_names_and_validations_survive(tmp_path):
    path = user_book(tmp_path / "plan.xlsx")
    before = {title: sheet_cells(path, title) for title in ("Data", "Notes")}
    write_tables(path, {"bom_check": CHECK}, "en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Data", "Notes", "BOM Check"]
    assert {title: sheet_cells(path, title) for title in ("Data", "Notes")} == before
    assert before["Data"]["A4"] == ("=SUM(A1:A3)", "f")
    assert book.defined_names["total"].attr_text == "Data!$A$4"
    validations = book["Data"].data_validations.dataValidation
    assert [(v.formula1, str(v.sqref)) for v in validations] == [('"yes,no"', "C1:C10")]


def test_writing_twice_replaces_the_sheet_in_place(tmp_path):
    path = user_book(tmp_path / "plan.xlsx")
    write_tables(path, {"bom_check": CHECK}, "en")
    book = openpyxl.load_workbook(path)
    book.move_sheet("BOM Check", offset=-2)  # the user moved the result sheet first
    book.save(path)
    write_tables(path, {"bom_check": CHECK.iloc[:1]}, "en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["BOM Check", "Data", "Notes"]
    ws = book["BOM Check"]
    assert list(ws.tables) == ["xlerp_bom_check"]
    assert ws.tables["xlerp_bom_check"].ref == "A1:H2"
    assert ws.max_row == 2


def test_a_sheet_named_in_the_other_language_is_replaced(tmp_path):
    path = tmp_path / "plan.xlsx"
    new_workbook(path, {"bom_check": CHECK}, "zh")
    write_tables(path, {"bom_check": CHECK}, "en")
    assert openpyxl.load_workbook(path).sheetnames == ["BOM检查"]  # found by its table name


def test_xlsm_keeps_its_vba_project_byte_for_byte(tmp_path):
    path = macro_book(tmp_path / "plan.xlsm", vba=b"\x01fake vba project\x00" * 64)
    write_tables(path, {"bom_check": CHECK}, "en")
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == b"\x01fake vba project\x00" * 64
        assert b"macroEnabled" in archive.read("[Content_Types].xml")
    assert openpyxl.load_workbook(path).sheetnames == ["Data", "BOM Check"]


def macro_book(path: Path, vba: bytes) -> Path:
    """An .xlsm as Excel lays it out: a vbaProject.bin part and a macro-enabled type."""
    plain = path.with_suffix(".xlsx")
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"<Default ", b'<Default Extension="bin" ContentType='
                                    b'"application/vnd.ms-office.vbaProject"/><Default ', 1)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type='
                                    b'"http://schemas.microsoft.com/office/2006/relationships/'
                                    b'vbaProject" Target="vbaProject.bin"/></Relationships>')
            target.writestr(item, data)
        target.writestr("xl/vbaProject.bin", vba)
    plain.unlink()
    return path


def test_xlsm_target_needs_a_macro_source(tmp_path):
    with pytest.raises(UsageError, match=r"only a macro workbook \(.xlsm\)"):
        new_workbook(tmp_path / "fresh.xlsm", {"bom_check": CHECK}, "en")


# --- what the written sheet holds ------------------------------------------------------

def test_formula_looking_text_is_stored_as_text(tmp_path):
    path = new_workbook(tmp_path / "out.xlsx", {"bom_check": CHECK}, "en")
    ws = openpyxl.load_workbook(path)["BOM Check"]
    cells = [ws.cell(row=r, column=5) for r in (2, 3, 4)]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        ('=HYPERLINK("http://x")', "s", True), ("+1", "s", True), ("@SUM(A1)", "s", True)]
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert read_sheet_values(path, "BOM Check")[1][4] == '=HYPERLINK("http://x")'


def test_cell_values_headers_and_formats(tmp_path):
    items = pd.DataFrame({
        "item_code": ["A", "B"], "item_name": ["螺栓 M8", None], "item_type": ["purchased", "x"],
        "lead_time_days": [2.0, np.nan], "lot_single": [True, False], "unlisted": [1, 2]})
    orders = pd.DataFrame({"order_no": ["SO1"], "due_date": [pd.Timestamp("2026-02-03")],
                           "line_no": pd.array([pd.NA], dtype="Int64"), "qty": [1.25]})
    path = new_workbook(tmp_path / "out.xlsx", {"items": items, "sales_orders": orders}, "zh")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["物料", "销售订单"]  # no default "Sheet"
    ws = book["物料"]
    spec = TABLES["items"]
    assert [c.value for c in ws[1]] == spec.headers("zh")  # extra column "unlisted" ignored
    row2 = {h: c.value for h, c in zip(spec.column_names, ws[2], strict=True)}
    row3 = {h: c.value for h, c in zip(spec.column_names, ws[3], strict=True)}
    assert (row2["item_name"], row2["item_type"], row2["lead_time_days"], row2["lot_single"]) \
        == ("螺栓 M8", "外购", 2, "是")
    assert (row3["item_name"], row3["item_type"], row3["lead_time_days"], row3["lot_single"]) \
        == (None, "x", None, "否")  # unknown choice value kept as is
    assert row2["spec"] is None  # schema column absent from the frame: blank
    assert ws.freeze_panes == "A2"
    assert ws["A1"].fill.start_color.rgb.endswith(styles.HEADER_FILL_COLOR)
    assert ws["A1"].font.bold
    assert ws.column_dimensions["B"].width == 24  # the schema's width for item_name
    so = book["销售订单"]
    headers = [c.value for c in so[1]]
    due = so.cell(row=2, column=headers.index("交货日期") + 1)
    assert (due.value, due.number_format, due.is_date) == (
        dt.datetime(2026, 2, 3), "yyyy-mm-dd", True)
    assert so.cell(row=2, column=headers.index("行号") + 1).value is None  # Int64 NA


def test_row_styles_fill_whole_rows(tmp_path):
    keys = pd.Series(["error", "", "ok"], index=CHECK.index)
    path = tmp_path / "out.xlsx"
    write_tables(path, {"bom_check": CHECK}, "en", row_styles={"bom_check": keys})
    ws = openpyxl.load_workbook(path)["BOM Check"]
    colours = [{ws.cell(row=r, column=c).fill.start_color.rgb[-6:] for c in range(1, 9)}
               for r in (2, 3, 4)]
    assert colours == [{styles.SEVERITY_COLORS["error"]}, {"000000"},
                       {styles.SEVERITY_COLORS["ok"]}]


def test_empty_frame_writes_a_header_only_table(tmp_path):
    path = new_workbook(tmp_path / "out.xlsx", {"bom_check": CHECK.iloc[:0]}, "en")
    ws = openpyxl.load_workbook(path)["BOM Check"]
    # an Excel Table keeps one blank data row, as Excel does when all rows are deleted
    assert ws.tables["xlerp_bom_check"].ref == "A1:H2"
    assert all(c.value is None for c in ws[2])
    assert read_tables(path, ["bom_check"]).tables["bom_check"].empty


def test_column_width_counts_cjk_double():
    assert styles.text_width("螺栓M8") == 6  # 2 + 2 + 1 + 1
    assert content_width(pd.Series(["ab", "螺栓螺栓", None])) == 8
    assert styles.column_width("Qty", 60) == styles.MAX_WIDTH
    assert styles.column_width("Qty") == styles.MIN_WIDTH


def test_same_input_gives_the_same_sheet_bytes(tmp_path):
    first = new_workbook(tmp_path / "a.xlsx", {"bom_check": CHECK}, "en")
    second = new_workbook(tmp_path / "b.xlsx", {"bom_check": CHECK}, "en")
    parts = ("xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/tables/table1.xml",
             "xl/workbook.xml")
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert [a.read(p) for p in parts] == [b.read(p) for p in parts]


# --- saving safely ---------------------------------------------------------------------

def test_failed_save_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    path = user_book(tmp_path / "plan.xlsx")
    before = path.read_bytes()

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half a workbook")
        raise RuntimeError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(RuntimeError, match="disk full"):
        write_tables(path, {"bom_check": CHECK}, "en")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_locked_target_is_a_workbook_error(tmp_path, monkeypatch):
    path = user_book(tmp_path / "plan.xlsx")
    before = path.read_bytes()

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(WorkbookError, match="close the workbook in Excel and try again"):
        write_tables(path, {"bom_check": CHECK}, "en")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_out_leaves_the_source_untouched(tmp_path):
    path = user_book(tmp_path / "plan.xlsx")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    out = write_tables(path, {"bom_check": CHECK}, "en", out=tmp_path / "result.xlsx")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert openpyxl.load_workbook(out).sheetnames == ["Data", "Notes", "BOM Check"]


def test_password_protected_book_is_not_written(tmp_path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4088)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(WorkbookError, match="is password-protected"):
        write_tables(path, {"bom_check": CHECK}, "en")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_unknown_table_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown table 'checks'"):
        write_tables(tmp_path / "x.xlsx", {"checks": CHECK}, "en")


# --- round trip ------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list("aZ09 _-=+@.,'\"/螺栓物料")), max_size=12).map(
    str.strip)


def _column_strategy(column) -> st.SearchStrategy:
    blank = st.none()
    if column.type == "text":
        return _TEXT
    if column.type == "number":
        return blank | st.floats(-1e9, 1e9, allow_nan=False) | st.integers(-10**6, 10**6)
    if column.type == "integer":
        return blank | st.integers(0, 10**6)
    if column.type == "date":
        return blank | st.dates(dt.date(1900, 3, 1), dt.date(2200, 12, 31))
    if column.type == "bool":
        return st.booleans()
    return blank | st.sampled_from([c.value for c in column.choices])


@st.composite
def typed_frames(draw, table: str) -> pd.DataFrame:
    """Random raw rows for a table, typed the way the reader types them."""
    spec = TABLES[table]
    size = draw(st.integers(0, 6))
    raw = pd.DataFrame({c.name: pd.Series([draw(_column_strategy(c)) for _ in range(size)],
                                          dtype=object) for c in spec.columns})
    raw[ROW] = np.arange(size) + 2
    return coerce(spec, raw, spec.en, "en")[0]


@pytest.mark.parametrize("table", ["bom", "sales_orders"])
def test_write_read_round_trip(tmp_path_factory, table):
    folder = tmp_path_factory.mktemp("round")

    @settings(deadline=None, max_examples=25,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(frame=typed_frames(table), lang=st.sampled_from(["zh", "en"]))
    def check(frame, lang):
        path = new_workbook(folder / "round.xlsx", {table: frame}, lang)
        back = read_tables(path, [table])
        assert back.lang == lang or table == "bom"  # "BOM" is both languages' name
        assert back.sheets == {table: TABLES[table].sheet_name(lang)}
        pd.testing.assert_frame_equal(back.tables[table], frame)

    check()


def test_damaged_book_is_not_written(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"order_no,qty\nSO1,5\n")
    with pytest.raises(WorkbookError, match="is not an Excel workbook"):
        write_tables(path, {"bom_check": CHECK}, "en")
    assert path.read_bytes() == b"order_no,qty\nSO1,5\n"
