"""Actions in xlwings' shape that write result sheets into a running Excel.

One result sheet becomes: its number formats (first, so that Excel keeps codes as text),
its values in chunks, the header look, column widths, row fills, conditional highlights,
the frozen header and the Excel Table — everything `addin.workbook.layout` describes,
the same look the openpyxl writer gives a file. The Office.js ribbon replays these
actions (templates/addin/commands.js), desktop Excel through xlwings
(`addin.desktop.apply_actions`). Positions are 0-based; see `addin.officejs` for the
list of funcs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from addin.frontend import Outcome
from addin.schema import TABLES, Table
from addin.workbook import styles
from addin.workbook.layout import SheetLayout, existing_sheet, sheet_layout, unique_title
from addin.workbook.summary import SummaryLayout, summary_layout

Action = dict[str, Any]
CELLS_PER_ACTION = 50_000  # one setValues stays well under Office.js' 5 MB request limit
_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (the 1900 leap-year bug included)


def alert(prompt: str, title: str, critical: bool = False) -> Action:
    """xlwings' message box: args [prompt, title, buttons, mode, callback]."""
    return action("alert", args=[prompt, title, "ok", "critical" if critical else "info", ""])


def action(func: str, args: object = None, values: list | None = None,
           sheet: int | None = None, row: int | None = None, column: int | None = None,
           rows: int | None = None, columns: int | None = None) -> Action:
    """One action in xlwings' shape (args is always a list)."""
    return {"func": func, "args": args if isinstance(args, list) else [] if args is None
            else [args], "values": values, "sheet_position": sheet, "start_row": row,
            "start_column": column, "row_count": rows, "column_count": columns}


def result_actions(outcome: Outcome, sheets: Sequence[tuple[str, Sequence[str]]]
                   ) -> list[Action]:
    """Write every result table (and the Summary sheet) into the book, in place.

    `sheets` lists the book's sheets in order: (name, names of its Excel Tables)."""
    book = [(name, tuple(tables)) for name, tables in sheets]
    out: list[Action] = []
    first: int | None = None
    for table, frame in outcome.tables.items():
        layout = sheet_layout(TABLES[table], frame, outcome.lang,
                              outcome.row_styles.get(table))
        position = _target_sheet(TABLES[table], layout.title, book, out)
        first = position if first is None else first
        name = _table_name(layout.list_object, book, position)
        out += sheet_actions(layout, position, name)
        book[position] = (book[position][0], (name,))
    summary = summary_layout(outcome)
    if summary is not None:
        position = _target_sheet(summary.table, summary.title, book, out)
        out += summary_actions(summary, position)
        first = position
    if first is not None:
        out.append(action("activateSheet", args=[first]))
    return out


def _target_sheet(spec: Table, title: str, book: list[tuple[str, tuple[str, ...]]],
                  out: list[Action]) -> int:
    """The sheet that receives `spec`: last run's, cleared, or a new one at the end."""
    position = existing_sheet(spec, book)
    if position is not None:
        out.append(action("sheetClear", sheet=position))
        return position
    title = unique_title([name for name, _ in book], title)
    book.append((title, ()))
    out.append(action("addSheet", args=[len(book) - 1, title]))
    return len(book) - 1


def _table_name(base: str, book: list[tuple[str, tuple[str, ...]]], position: int) -> str:
    """xlerp_<table>, numbered when another sheet's Excel Table has the name already."""
    taken = {n.casefold() for p, (_, names) in enumerate(book) if p != position for n in names}
    candidate, number = base, 2
    while candidate.casefold() in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def sheet_actions(layout: SheetLayout, sheet: int, table_name: str) -> list[Action]:
    """One result sheet: formats first (so Excel keeps text as text), values, header
    look, widths, row fills, highlights, frozen header, and the Excel Table."""
    ncols, nrows = len(layout.columns), layout.rows
    out = _format_actions(layout, sheet, 1, nrows)
    out += value_actions([layout.headers], sheet, 0)
    out += value_actions(_data_grid(layout), sheet, 1)
    out += header_actions(sheet, 0, ncols)
    out += _width_actions([c.width for c in layout.columns], sheet)
    out += [action("setRangeColor", args=["#" + band.color], sheet=sheet, row=1 + band.start,
                   column=0, rows=band.stop - band.start, columns=ncols)
            for band in layout.bands]
    if nrows:
        out += [action("addConditionalFormat", args=[rule.formula(2), "#" + rule.color],
                       sheet=sheet, row=1, column=rule.column, rows=nrows, columns=1)
                for rule in layout.highlights]
    out.append(action("freezePaneAtRange", args=["1:1"], sheet=sheet))
    out.append(action("addTable", args=[layout.ref(), True, layout.table_style, table_name],
                      sheet=sheet))
    return out


def summary_actions(layout: SummaryLayout, sheet: int) -> list[Action]:
    """The Summary sheet: heading, messages, blocks with the result look, and charts."""
    out = value_actions([[layout.heading], *[[line] for line in layout.lines]], sheet, 0)
    out += [action("setFontProperty", args=["bold", True], sheet=sheet, row=0, column=0,
                   rows=1, columns=1),
            action("setFontProperty", args=["size", 14], sheet=sheet, row=0, column=0,
                   rows=1, columns=1)]
    for block in layout.blocks:
        top, ncols = block.top - 1, len(block.layout.columns)  # 0-based header row
        out += value_actions([[block.caption]], sheet, top - 1)
        out.append(action("setFontProperty", args=["bold", True], sheet=sheet, row=top - 1,
                          column=0, rows=1, columns=1))
        out += _format_actions(block.layout, sheet, top + 1, block.layout.rows)
        out += value_actions([block.layout.headers, *_data_grid(block.layout)], sheet, top)
        out += header_actions(sheet, top, ncols)
        out += [action("setRangeColor", args=["#" + band.color], sheet=sheet,
                       row=top + 1 + band.start, column=0, rows=band.stop - band.start,
                       columns=ncols) for band in block.layout.bands]
    out += _width_actions(layout.widths, sheet)
    for chart in layout.charts:
        values = _address(*layout.chart_range(chart, chart.values))
        categories = _address(*layout.chart_range(chart, chart.category))
        title = layout.blocks[chart.block].caption
        out.append(action("addChart", args=[chart.kind, title, categories, values,
                                            chart.anchor()], sheet=sheet))
    return out


def _address(column: int, first: int, last: int) -> str:
    letter = get_column_letter(column)
    return f"{letter}{first}:{letter}{last}"


def header_actions(sheet: int, row: int, ncols: int) -> list[Action]:
    """The header look of styles.py: dark blue fill, white bold text, centred, wrapped."""
    where = {"sheet": sheet, "row": row, "column": 0, "rows": 1, "columns": ncols}
    return [action("setRangeColor", args=["#" + styles.HEADER_FILL_COLOR], **where),
            action("setFontProperty", args=["bold", True], **where),
            action("setFontProperty", args=["color", "#" + styles.HEADER_FONT_COLOR], **where),
            action("setHorizontalAlignment", args=["Center"], **where),
            action("setVerticalAlignment", args=["Center"], **where),
            action("setWrapText", args=[True], **where)]


def value_actions(grid: list[list], sheet: int, row: int) -> list[Action]:
    """setValues in chunks of at most CELLS_PER_ACTION cells."""
    if not grid or not grid[0]:
        return []
    ncols = len(grid[0])
    step = max(1, CELLS_PER_ACTION // ncols)
    return [action("setValues", values=grid[start:start + step], sheet=sheet, row=row + start,
                   column=0, rows=len(grid[start:start + step]), columns=ncols)
            for start in range(0, len(grid), step)]


def _format_actions(layout: SheetLayout, sheet: int, row: int, nrows: int) -> list[Action]:
    """setNumberFormat per run of neighbouring columns that share a format, in chunks of
    at most CELLS_PER_ACTION cells (Office.js sends a format for every cell)."""
    if not nrows:
        return []
    formats = [column.live_format for column in layout.columns]
    out, start = [], 0
    for position in range(1, len(formats) + 1):
        if position == len(formats) or formats[position] != formats[start]:
            width = position - start
            step = max(1, CELLS_PER_ACTION // width)
            if formats[start] is not None:
                out += [action("setNumberFormat", args=[formats[start]], sheet=sheet,
                               row=row + first, column=start,
                               rows=min(step, nrows - first), columns=width)
                        for first in range(0, nrows, step)]
            start = position
    return out


def _width_actions(widths: list[float], sheet: int) -> list[Action]:
    out, start = [], 0
    for position in range(1, len(widths) + 1):
        if position == len(widths) or widths[position] != widths[start]:
            out.append(action("setColumnWidth", args=[widths[start]], sheet=sheet, row=0,
                              column=start, rows=1, columns=position - start))
            start = position
    return out


def _data_grid(layout: SheetLayout) -> list[list]:
    """The data rows as JSON cells: "" for empty, dates as Excel serial numbers."""
    if not layout.rows:
        return []
    columns = [json_cells(layout.live_cells(i), layout.columns[i].type)
               for i in range(len(layout.columns))]
    return np.column_stack(columns).tolist()


def json_cells(cells: pd.Series, kind: str) -> np.ndarray:
    if kind != "date":
        return cells.where(cells.notna(), "").to_numpy(object)
    codes, uniques = pd.factorize(cells)  # few distinct dates: convert each once
    days = (pd.to_datetime(pd.Series(uniques, dtype=object)) - _EPOCH).dt.days
    serials = np.array([*days.astype("int64").tolist(), ""], dtype=object)
    return serials[codes]  # code -1 (an empty cell) picks the ""



def excel_serial(day: dt.date) -> int:
    """Excel's serial number of a date (what Office.js reads from a date cell)."""
    return (pd.Timestamp(day) - _EPOCH).days


__all__ = ["CELLS_PER_ACTION", "Action", "action", "alert", "excel_serial", "header_actions",
           "json_cells", "result_actions", "sheet_actions", "summary_actions", "value_actions"]
