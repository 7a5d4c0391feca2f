"""A faithful fake of the small xlwings API subset addin/desktop.py uses.

It behaves like Excel where that matters to the adapter: cells hold floats, text,
booleans or datetimes (an int written reads back as a float); empty cells read as None
unless `options(empty=…)`; text written into a General cell that looks like a number
becomes a number, and one that starts with "=" a formula, while a leading apostrophe or
a "@" (text) format keeps it text; `Sheet.clear()` keeps Excel Tables and charts (as
Excel's Cells.Clear keeps ListObjects and shapes); adding a sheet whose name exists
fails; a list of lists written to one cell fills the range below and right of it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
POINTS_PER_ROW = 15.0
POINTS_PER_CHARACTER = 5.25


def _cell(address: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", address.upper())
    assert match, address
    return int(match.group(2)), column_index_from_string(match.group(1))


class App:
    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons,
                            "mode": mode})
        return "ok"


class Book:
    """A workbook: `Book(name, {sheet: rows})`; rows are written from A1."""

    def __init__(self, name: str, sheets: dict[str, list[list]] | None = None) -> None:
        self.name = name
        self.fullname = f"C:\\books\\{name}"
        self.app = App()
        self.sheets = Sheets(self)
        for title, rows in (sheets or {}).items():
            sheet = self.sheets.add(title, after=self.sheets[-1] if len(self.sheets) else None)
            if rows:
                sheet.range("A1").value = rows

    @classmethod
    def caller(cls) -> Book:
        raise RuntimeError("Book.caller() needs Excel; the test sets it")


class Sheets:
    def __init__(self, book: Book) -> None:
        self.book = book
        self._items: list[Sheet] = []
        self.active: Sheet | None = None

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, key: int | str) -> Sheet:
        if isinstance(key, str):
            for sheet in self._items:
                if sheet.name.lower() == key.lower():
                    return sheet
            raise KeyError(key)
        return self._items[key]

    def add(self, name: str | None = None, before: Sheet | None = None,
            after: Sheet | None = None) -> Sheet:
        name = name or f"Sheet{len(self._items) + 1}"
        if name.lower() in (s.name.lower() for s in self._items):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = Sheet(self.book, name)
        if before is not None:
            self._items.insert(self._items.index(before), sheet)
        elif after is not None:
            self._items.insert(self._items.index(after) + 1, sheet)
        else:
            self._items.insert(0, sheet)
        self.active = sheet  # like Excel, the new sheet becomes the active one
        return sheet

    @property
    def names(self) -> list[str]:
        return [sheet.name for sheet in self._items]


class Sheet:
    def __init__(self, book: Book, name: str) -> None:
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: set[tuple[int, int]] = set()
        self.formats: dict[tuple[int, int], str] = {}
        self.fills: dict[tuple[int, int], str] = {}
        self.fonts: dict[tuple[int, int], dict[str, Any]] = {}
        self.alignment: dict[tuple[int, int], dict[str, Any]] = {}
        self.widths: dict[int, float] = {}
        self.tables = Tables(self)
        self.charts = Charts(self)
        self.freeze_panes = FreezePanes()
        self.conditions: list[Rule] = []

    def range(self, first: str | tuple[int, int], last: str | tuple[int, int] | None = None
              ) -> Range:
        if isinstance(first, str):
            if ":" in first:
                first, last = first.split(":")
            top = _cell(first)
            bottom = _cell(last) if isinstance(last, str) else (last or top)
        else:
            top, bottom = first, last or first
        return Range(self, top, bottom)

    def __getitem__(self, address: str) -> Range:
        return self.range(address)

    @property
    def used_range(self) -> Range:
        if not self.cells:
            return self.range((1, 1))
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return self.range((min(rows), min(cols)), (max(rows), max(cols)))

    def clear(self) -> None:
        for store in (self.cells, self.formats, self.fills, self.fonts, self.alignment):
            store.clear()
        self.formulas.clear()
        self.conditions.clear()

    def activate(self) -> None:
        self.book.sheets.active = self

    def grid(self) -> list[list]:
        """Every cell from A1 to the used range's end (None where empty)."""
        last = self.used_range.last_cell
        return [[self.cells.get((r, c)) for c in range(1, last.column + 1)]
                for r in range(1, last.row + 1)]


class Font:
    def __init__(self, rng: Range) -> None:
        object.__setattr__(self, "_range", rng)

    def __setattr__(self, name: str, value: Any) -> None:
        for key in self._range.addresses():
            self._range.sheet.fonts.setdefault(key, {})[name] = value


class Range:
    def __init__(self, sheet: Sheet, top: tuple[int, int], bottom: tuple[int, int],
                 options: dict[str, Any] | None = None) -> None:
        self.sheet = sheet
        self.first, self.last = top, bottom
        self._options = options or {}

    def addresses(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.first[0], self.last[0] + 1)
                for c in range(self.first[1], self.last[1] + 1)]

    @property
    def row(self) -> int:
        return self.first[0]

    @property
    def column(self) -> int:
        return self.first[1]

    @property
    def last_cell(self) -> Range:
        return Range(self.sheet, self.last, self.last)

    @property
    def address(self) -> str:
        def a1(cell: tuple[int, int]) -> str:
            return f"${get_column_letter(cell[1])}${cell[0]}"
        return a1(self.first) if self.first == self.last else f"{a1(self.first)}:{a1(self.last)}"

    @property
    def left(self) -> float:
        return sum(self.sheet.widths.get(c, 8.43) * POINTS_PER_CHARACTER
                   for c in range(1, self.column))

    @property
    def top(self) -> float:
        return (self.row - 1) * POINTS_PER_ROW

    def options(self, convert: Any = None, **options: Any) -> Range:
        assert convert is None, "the adapter reads raw grids, not DataFrames"
        return Range(self.sheet, self.first, self.last, options)

    @property
    def value(self) -> Any:
        empty = self._options.get("empty")
        rows = [[self.sheet.cells.get((r, c), empty)
                 for c in range(self.first[1], self.last[1] + 1)]
                for r in range(self.first[0], self.last[0] + 1)]
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows[0] if len(rows) == 1 else rows

    @value.setter
    def value(self, data: Any) -> None:
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [
            data if isinstance(data, list) else [data]]
        for r, row in enumerate(rows):
            for c, item in enumerate(row):
                self._store((self.first[0] + r, self.first[1] + c), item)

    def _store(self, key: tuple[int, int], item: Any) -> None:
        cells, text_format = self.sheet.cells, self.sheet.formats.get(key) == "@"
        self.sheet.formulas.discard(key)
        if item is None or item == "":
            cells.pop(key, None)
        elif isinstance(item, bool | dt.datetime):
            cells[key] = item
        elif isinstance(item, int | float):
            cells[key] = float(item)
        elif isinstance(item, dt.date):
            cells[key] = dt.datetime.combine(item, dt.time())
        elif item.startswith("'"):
            cells[key] = item[1:]
        elif text_format:
            cells[key] = item
        elif item.startswith("="):
            cells[key] = item
            self.sheet.formulas.add(key)
        elif _NUMBER.match(item):
            cells[key] = float(item)  # Excel parses typing, and text set through COM
        else:
            cells[key] = item

    def _set_each(self, store: dict, value: Any) -> None:
        for key in self.addresses():
            store[key] = value

    number_format = property(lambda self: self.sheet.formats.get(self.first, "General"),
                             lambda self, v: self._set_each(self.sheet.formats, v))
    color = property(lambda self: self.sheet.fills.get(self.first),
                     lambda self, v: self._set_each(self.sheet.fills, v))

    @property
    def font(self) -> Font:
        return Font(self)

    def _align(self, name: str, value: Any) -> None:
        for key in self.addresses():
            self.sheet.alignment.setdefault(key, {})[name] = value

    horizontal_alignment = property(
        lambda self: self.sheet.alignment.get(self.first, {}).get("horizontal"),
        lambda self, v: self._align("horizontal", v))
    vertical_alignment = property(
        lambda self: self.sheet.alignment.get(self.first, {}).get("vertical"),
        lambda self, v: self._align("vertical", v))
    wrap_text = property(lambda self: self.sheet.alignment.get(self.first, {}).get("wrap"),
                         lambda self, v: self._align("wrap", v))

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.column, 8.43)

    @column_width.setter
    def column_width(self, value: float) -> None:
        for column in range(self.first[1], self.last[1] + 1):
            self.sheet.widths[column] = value

    @property
    def api(self) -> Api:
        return Api(self)


class Rule:
    """One conditional format: its formula, and the fill colour set on `Interior`."""

    def __init__(self, address: str, formula: str, kind: int) -> None:
        self.address, self.formula, self.kind = address, formula, kind
        self.Interior = type("Interior", (), {"Color": None})()


class FormatConditions:
    def __init__(self, rng: Range) -> None:
        self._range = rng

    def Add(self, kind: int, operator: Any = None, formula: str = "") -> Rule:
        rule = Rule(self._range.address, formula, kind)
        self._range.sheet.conditions.append(rule)
        return rule


class Api:
    """The COM object behind a range: only FormatConditions.Add (COM's spelling)."""

    def __init__(self, rng: Range) -> None:
        self.FormatConditions = FormatConditions(rng)


class Table:
    def __init__(self, sheet: Sheet, name: str, rng: Range, style: str) -> None:
        self.parent, self.name, self.range, self.table_style = sheet, name, rng, style

    def resize(self, rng: Range) -> None:
        self.range = rng


class Tables:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self._items: list[Table] = []

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def add(self, source: Range, name: str | None = None, source_type: Any = None,
            link_source: Any = None, has_headers: bool = True, destination: Any = None,
            table_style_name: str = "TableStyleMedium2") -> Table:
        for table in self._items:  # Excel refuses overlapping tables
            overlap = not (source.last[0] < table.range.first[0]
                           or source.first[0] > table.range.last[0]
                           or source.last[1] < table.range.first[1]
                           or source.first[1] > table.range.last[1])
            assert not overlap, "A table cannot overlap another table"
        table = Table(self.sheet, name or f"Table{len(self._items) + 1}", source,
                      table_style_name)
        self._items.append(table)
        return table


class Chart:
    def __init__(self, charts: Charts, left: float, top: float) -> None:
        self._charts = charts
        self.left, self.top = left, top
        self.chart_type = "column_clustered"
        self.source: Range | None = None
        self.categories: Range | None = None
        self.title: str | None = None
        self.legend = type("ChartLegend", (), {"visible": True})()
        self.category_axis = type("ChartAxis", (), {"reverse_order": False})()

    def set_source_data(self, source: Range, plot_by: Any = None) -> None:
        self.source = source

    def set_x_axis_values(self, source: Range) -> None:
        self.categories = source

    def delete(self) -> None:
        self._charts._items.remove(self)


class Charts:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self._items: list[Chart] = []

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def add(self, left: float = 0, top: float = 0, width: float = 355,
            height: float = 211, **kwargs: Any) -> Chart:
        chart = Chart(self, left, top)
        self._items.append(chart)
        return chart


class FreezePanes:
    def __init__(self) -> None:
        self.frozen: str | None = None

    def freeze_at(self, frozen_range: str) -> None:
        self.frozen = frozen_range


class Caller:
    """What xlwings passes as a UDF's `caller`: the calling cell, with its sheet."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
