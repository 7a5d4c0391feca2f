"""A small Python replayer of the ribbon's actions onto an openpyxl workbook.

It does what templates/addin/commands.js does in Excel, one func per action, so a test
can replay the server's answer onto the workbook that was sent and read the result
sheets back like any other workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

Action = dict[str, Any]


def cells(ws: Worksheet, action: Action) -> list[list]:
    row, col = action["start_row"] + 1, action["start_column"] + 1
    return [[ws.cell(row=row + r, column=col + c) for c in range(action["column_count"])]
            for r in range(action["row_count"])]


def each_cell(ws: Worksheet, action: Action, apply: Callable[[Any], None]) -> None:
    for line in cells(ws, action):
        for cell in line:
            apply(cell)


class Replayer:
    """Replays actions onto `book`; alerts are collected in `alerts`."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.alerts: list[list] = []
        self.active: int | None = None

    def sheet(self, action: Action) -> Worksheet:
        return self.book.worksheets[action["sheet_position"]]

    def replay(self, actions: list[Action]) -> None:
        for action in actions:
            getattr(self, action["func"])(action)

    def alert(self, action: Action) -> None:
        self.alerts.append(action["args"])

    # Method names are the action funcs (xlwings spells them in camelCase).
    def addSheet(self, action: Action) -> None:
        position, name = action["args"]
        self.book.create_sheet(name, position)

    def sheetClear(self, action: Action) -> None:
        # Like commands.js: cells, formats, Excel Tables, charts, rules and panes go.
        old = self.sheet(action)
        position, title = action["sheet_position"], old.title
        self.book.remove(old)
        self.book.create_sheet(title, position)

    def setValues(self, action: Action) -> None:
        for line, values in zip(cells(self.sheet(action), action), action["values"],
                                strict=True):
            for cell, value in zip(line, values, strict=True):
                if isinstance(value, str) and value.startswith("'"):
                    cell.value, cell.data_type, cell.quotePrefix = value[1:], "s", True
                else:
                    cell.value = None if value == "" else value

    def setNumberFormat(self, action: Action) -> None:
        fmt = action["args"][0]
        each_cell(self.sheet(action), action, lambda c: setattr(c, "number_format", fmt))

    def setRangeColor(self, action: Action) -> None:
        color = action["args"][0].lstrip("#")
        fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
        each_cell(self.sheet(action), action, lambda c: setattr(c, "fill", fill))

    def setFontProperty(self, action: Action) -> None:
        name, value = action["args"]
        value = value.lstrip("#") if name == "color" else value

        def apply(cell: Any) -> None:
            font = copy(cell.font)
            setattr(font, name, value)
            cell.font = font
        each_cell(self.sheet(action), action, apply)

    def _align(self, action: Action, **kwargs: Any) -> None:
        def apply(cell: Any) -> None:
            alignment = copy(cell.alignment)
            for key, value in kwargs.items():
                setattr(alignment, key, value)
            cell.alignment = alignment
        each_cell(self.sheet(action), action, apply)

    def setHorizontalAlignment(self, action: Action) -> None:
        self._align(action, horizontal=action["args"][0].lower())

    def setVerticalAlignment(self, action: Action) -> None:
        self._align(action, vertical=action["args"][0].lower())

    def setWrapText(self, action: Action) -> None:
        self._align(action, wrap_text=action["args"][0])

    def setColumnWidth(self, action: Action) -> None:
        ws = self.sheet(action)
        for offset in range(action["column_count"]):
            letter = get_column_letter(action["start_column"] + 1 + offset)
            ws.column_dimensions[letter].width = action["args"][0]

    def freezePaneAtRange(self, action: Action) -> None:
        rows = action["args"][0].split(":")
        self.sheet(action).freeze_panes = f"A{int(rows[-1]) + 1}"

    def addTable(self, action: Action) -> None:
        address, _, style, name = action["args"]
        table = Table(displayName=name, ref=address)
        table.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
        self.sheet(action).add_table(table)

    def addConditionalFormat(self, action: Action) -> None:
        formula, color = action["args"]
        first = f"{get_column_letter(action['start_column'] + 1)}{action['start_row'] + 1}"
        last = (f"{get_column_letter(action['start_column'] + action['column_count'])}"
                f"{action['start_row'] + action['row_count']}")
        fill = PatternFill(fill_type="solid", start_color=color.lstrip("#"),
                           end_color=color.lstrip("#"))
        self.sheet(action).conditional_formatting.add(
            f"{first}:{last}", FormulaRule(formula=[formula], fill=fill))

    def addChart(self, action: Action) -> None:
        kind, title, categories, values, anchor = action["args"]
        ws = self.sheet(action)
        chart = BarChart()
        chart.type = "col" if kind == "column" else "bar"
        chart.title = title
        chart.legend = None
        if kind == "bar":  # as commands.js: bars top-down in the block's order
            chart.x_axis.scaling.orientation = "maxMin"
        col, first, _, last = range_boundaries(values)
        chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last))
        col, first, _, last = range_boundaries(categories)
        chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=last))
        ws.add_chart(chart, anchor)

    def activateSheet(self, action: Action) -> None:
        self.active = action["args"][0]


def header_look(ws: Worksheet, ncols: int) -> list[tuple]:
    """What a reader sees of a header row: fill, bold, font colour, alignment."""
    out = []
    for column in range(1, ncols + 1):
        cell = ws.cell(row=1, column=column)
        out.append((cell.value, cell.fill.fgColor.rgb[-6:], bool(cell.font.bold),
                    str(cell.font.color.rgb)[-6:] if cell.font.color else None,
                    cell.alignment.horizontal, bool(cell.alignment.wrap_text)))
    return out


__all__ = ["Replayer", "header_look"]
