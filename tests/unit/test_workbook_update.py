"""Updating cells of an input sheet in place (`update_cells` through `write_results`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.worksheet.table import Table as ListObject

from addin.schema import TABLES
from addin.workbook.write import write_results

SPEC = TABLES["sales_orders"]


def header(column: str) -> str:
    return SPEC.column(column).en


def book_with_orders(path: Path, with_pushed: bool = True) -> None:
    """A title row above the header, order numbers typed as numbers (1001), an Excel Table."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SPEC.en
    ws.append(["Orders from the shop"])
    columns = ["order_no", "line_no", "item_code", "qty", "due_date"] + (
        ["pushed_qty"] if with_pushed else [])
    ws.append([header(c) for c in columns])
    for order, line, qty in ((1001, 1, 5), (1001, 2, 7), (1002, None, 3)):
        ws.append([order, line, "FG", qty, dt.datetime(2026, 3, 20)] + (
            [0] if with_pushed else []))
    last = "F" if with_pushed else "E"
    ws.add_table(ListObject(displayName="orders", ref=f"A2:{last}5"))
    book.save(path)


def updates(*rows: tuple[str, int, float]) -> dict[str, pd.DataFrame]:
    return {"sales_orders": pd.DataFrame({
        "order_no": pd.Series([r[0] for r in rows], dtype=object),
        "line_no": pd.array([r[1] for r in rows], dtype="Int64"),
        "pushed_qty": [r[2] for r in rows]})}


def values(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)[SPEC.en]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_cells_are_found_by_key_as_the_reader_types_it(tmp_path: Path) -> None:
    # "1001" matches the number 1001; a blank line number is line 1 (the default)
    path = tmp_path / "book.xlsx"
    book_with_orders(path)
    before = values(path)
    written = write_results(path, {}, "en", updates=updates(("1001", 2, 7.0), ("1002", 1, 2.5)))
    assert written.path == path and written.issues == []
    after = values(path)
    assert [row[5] for row in after[2:]] == [0, 7, 2.5]
    assert [row[:5] for row in after] == [row[:5] for row in before]


def test_a_key_not_in_the_sheet_is_an_issue_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book_with_orders(path)
    before = path.read_bytes()
    written = write_results(path, {}, "en", updates=updates(("1001", 1, 5.0), ("9999", 1, 1.0)))
    assert written.path is None
    assert [(i.code, i.severity, i.value) for i in written.issues] == [
        ("update_key_not_found", "error", "9999 / 1")]
    assert path.read_bytes() == before


def test_a_missing_column_is_appended_with_the_schema_header(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book_with_orders(path, with_pushed=False)
    write_results(path, {}, "en", updates=updates(("1001", 1, 5.0)))
    after = values(path)
    assert after[1][5] == header("pushed_qty")
    assert [row[5] for row in after[2:]] == [5, None, None]
    table = openpyxl.load_workbook(path)[SPEC.en].tables["orders"]
    assert table.ref == "A2:F5"
    assert [c.name for c in table.tableColumns][-1] == header("pushed_qty")


def test_an_update_of_a_missing_sheet_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(path)
    written = write_results(path, {}, "en", updates=updates(("1001", 1, 5.0)))
    assert written.path is None
    assert [i.code for i in written.issues] == ["update_no_sheet"]
