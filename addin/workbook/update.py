"""Change cells of an input sheet in place (e.g. the Sales orders sheet's Pushed qty).

A command's `Result.updates` names an input table and gives one row per record: the
table's key columns and the columns to set. The record is found by its key, read from the
sheet exactly as the reader types it (so an order number typed as a number, 1001, is the
key "1001"); only the named cells change, every other cell, format and row stays as it is.
A key that is not in the sheet is an Issue, never a silent skip. A column the sheet lacks
is appended after its last column, with the schema's header.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from addin.issues import Issue, Message, register
from addin.schema import ROW, TABLES, Lang, Table, coerce, map_headers
from addin.workbook.read import find_header_row, find_list_object, find_sheet


def update_cells(book: Workbook, updates: Mapping[str, pd.DataFrame], lang: Lang
                 ) -> list[Issue]:
    """Apply `updates` (canonical table -> key columns + columns to set) to the open book.

    Returns the problems: a table with no sheet, a key not found. Cells of records that
    were found are set even then; the caller decides whether to save.
    """
    issues: list[Issue] = []
    for name, frame in updates.items():
        if frame.empty:
            continue
        spec = TABLES[name]
        ws = _worksheet(book, spec)
        if ws is None:
            label = spec.sheet_name(lang)
            issues.append(Issue("update_no_sheet", "error", name, None, "", label,
                                {"table": label}))
            continue
        issues += _update_sheet(ws, spec, frame, lang)
    return issues


def _worksheet(book: Workbook, spec: Table) -> Worksheet | None:
    """The sheet the reader takes the table from: by sheet name, else by Excel Table name."""
    title = find_sheet(spec, [ws.title for ws in book.worksheets])
    if title is not None:
        return book[title]
    holder = {name: ws for ws in book.worksheets for name in ws.tables}
    found = find_list_object(spec, holder)
    return holder[found] if found is not None else None


def _update_sheet(ws: Worksheet, spec: Table, frame: pd.DataFrame, lang: Lang) -> list[Issue]:
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    header_at = find_header_row(spec, rows)
    if header_at is None:
        label = spec.sheet_name(lang)
        return [Issue("update_no_sheet", "error", spec.name, None, "", label, {"table": label})]
    mapping, _ = map_headers(spec, rows[header_at])
    key = list(spec.key)
    typed = _typed_keys(spec, rows[header_at + 1:], mapping, header_at + 2, ws.title, lang)
    wanted = frame[key].astype(typed[key].dtypes.to_dict())
    found = wanted.merge(typed.drop_duplicates(key), how="left", on=key)[ROW]
    missing = found.isna().to_numpy()
    issues = [Issue("update_key_not_found", "error", spec.name, None, key[0], text,
                    {"key": text, "table": spec.sheet_name(lang)})
              for text in _key_text(wanted[missing], key)]
    excel_rows = found[~missing].astype("int64").to_numpy()
    position = {name: p + 1 for p, name in mapping.items()}  # Excel column numbers
    for name in (c for c in frame.columns if c not in key and c != ROW):
        appended = name not in position
        column = _append_column(ws, spec, name, header_at + 1, lang) if appended \
            else position[name]
        number_format = spec.column(name).number_format
        for row, value in zip(excel_rows, frame[name].to_numpy(dtype=object)[~missing],
                              strict=True):
            cell = ws.cell(row=int(row), column=column, value=_cell_value(value))
            if appended and number_format:  # an existing column keeps the user's format
                cell.number_format = number_format
    return issues


def _typed_keys(spec: Table, data: list[list], mapping: dict[int, str], first_row: int,
                sheet: str, lang: Lang) -> pd.DataFrame:
    """The key columns of every data row, typed as the reader types them, with `_row`."""
    cells = {name: [row[p] if p < len(row) else None for row in data]
             for p, name in mapping.items() if name in spec.key}
    raw = pd.DataFrame({ROW: np.arange(first_row, first_row + len(data), dtype="int64"),
                        **{n: pd.Series(v, dtype=object) for n, v in cells.items()}})
    typed, _ = coerce(spec, raw, sheet, lang)  # the reader has reported these cells already
    return typed[[*spec.key, ROW]]


def _key_text(keys: pd.DataFrame, columns: list[str]) -> list[str]:
    return [" / ".join(str(v) for v in row) for row in keys[columns].itertuples(index=False)]


def _append_column(ws: Worksheet, spec: Table, name: str, header_row: int, lang: Lang) -> int:
    """A new column after the sheet's last one, headed like its neighbour; widens an Excel
    Table that ends at the old last column so the new column belongs to it."""
    column = ws.max_column + 1
    header = ws.cell(row=header_row, column=column, value=spec.column(name).header(lang))
    neighbour = ws.cell(row=header_row, column=column - 1)
    if neighbour.has_style:
        header._style = copy(neighbour._style)
    for table in ws.tables.values():
        low_col, low_row, high_col, high_row = range_boundaries(table.ref)
        if high_col == column - 1 and low_row == header_row:
            ids = [c.id for c in table.tableColumns]
            table.tableColumns.append(TableColumn(id=max(ids, default=0) + 1, name=header.value))
            table.ref = (f"{get_column_letter(low_col)}{low_row}:"
                         f"{get_column_letter(column)}{high_row}")
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
    return column


def _cell_value(value: object) -> object:
    """A plain cell value: 3 rather than 3.0, an empty cell for NaN."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return None
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


register({
    "update_no_sheet": Message(
        "找不到工作表「{table}」，无法回写", 'The sheet "{table}" was not found to write back to',
        "恢复该工作表（或其表头行）后重新运行",
        "Restore the sheet (or its header row) and run again"),
    "update_key_not_found": Message(
        "「{table}」中找不到 {key}，无法回写", 'Cannot write back: {key} is not in "{table}"',
        "读取后该行被删除或改了编号；恢复该行后重新运行",
        "The row was deleted or renumbered after reading; restore it and run again"),
})

__all__ = ["update_cells"]
