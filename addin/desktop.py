"""Desktop Excel (Windows, macOS) through xlwings — its BSD part only.

* `run(command, book=None, options=None)` reads the sheets the command needs from the
  open workbook (`xw.Book.caller()` when started from Excel), runs the command and
  writes the result sheets and the Summary sheet in place, with the look of the other
  front ends: the same answer as the ribbon's (`addin.officejs.handle`), replayed
  through xlwings calls instead of Office.js.
* `main()` is what the xlwings add-in's "Run main" button calls: it runs the command
  chosen on the Control/控制台 sheet with the options listed there.
* `XLERP_AVAILABLE(item, date)` and `XLERP_CANBUILD(item, date)` are worksheet
  functions (xlwings UDFs, Windows).

Never `xlwings.pro`, `xw.Book(json=…)` or xlwings-server: they are not free for
commercial use. Everything here that is not an xlwings call is pure and tested on Linux.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from addin import actions, commands, officejs
from addin.engines.kitting import buildable
from addin.engines.mrpdata import Coder, opening_stock, scheduled_receipts
from addin.engines.timeaxis import day_numbers
from addin.errors import UsageError
from addin.frontend import command_list
from addin.schema import TABLES, Choice, Lang, Table, fold
from addin.schema.model import col
from addin.workbook.layout import sheet_layout
from addin.workbook.read import _requested, _table_from_grid, detect_language, find_sheet

log = logging.getLogger(__name__)

# The Control sheet (kept here until it moves to addin/schema): one row per option.
OPTIONS = (
    Choice("command", "命令", "Command"),
    Choice("date", "计划日期", "Planning date"),
    Choice("bucket", "时段", "Bucket"),
    Choice("lang", "语言", "Language"),
    Choice("as_of", "BOM有效日期", "BOM as of"),
    Choice("orders", "订单号", "Orders"),
)
CONTROL = Table("control", "控制台", "Control", (
    col("option", "choice", "选项", "Option", required=True, choices=OPTIONS, width=18),
    col("value", "text", "值", "Value", width=24),
), key=("option",))
_CHOOSE = {"zh": "可选命令：", "en": "Commands:"}
_FIRST_RUN = {
    "zh": "已添加「控制台」工作表：请在其中选择要运行的命令和选项，然后再次点击 Run main。",
    "en": 'A "Control" sheet was added: choose the command to run and its options there, '
          "then click Run main again.",
}
UDF_TABLES = ("items", "bom", "stock", "warehouses", "allocations", "purchase_orders",
              "production_tasks", "subcontract_orders", "unit_conversions")
UDF_CACHE_SECONDS = 10.0  # a sheet of UDFs reads the book once, not once per cell


# -- running a command -----------------------------------------------------------------------

def run(command: str, book: Any = None, options: Mapping[str, Any] | None = None) -> dict:
    """Run `command` on `book` (default: the calling workbook) and write its results."""
    book = book if book is not None else xw.Book.caller()
    needed = commands.get(command)
    wanted = _requested(needed.inputs, needed.optional)
    names = [sheet.name for sheet in book.sheets]
    reads = {find_sheet(TABLES[table], names) for table in wanted} - {None}
    body = {"client": "xlerp desktop", "book": {"name": book.name},
            "sheets": [{"name": sheet.name, "values": grid(sheet) if sheet.name in reads else [],
                        "tables": [table.name for table in sheet.tables]}
                       for sheet in book.sheets],
            "args": [dict(options or {})]}
    answer = officejs.handle(command, body)
    apply_actions(book, answer["actions"])
    return answer


def grid(sheet: Any) -> list[list]:
    """The sheet's cells from A1 to the end of its used range, as the wire format has
    them: "" for empty, dates as ISO text."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, empty="").value
    return [[_wire(cell) for cell in row] for row in values]


def _wire(cell: object) -> object:
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell


def main() -> None:
    """The xlwings add-in's "Run main": run what the Control/控制台 sheet says.

    The first time, the book has no Control sheet: it gets one listing every option,
    and a message box says to choose the command there and press Run main again.
    """
    book = xw.Book.caller()
    names = [sheet.name for sheet in book.sheets]
    if find_sheet(CONTROL, names) is None:
        add_control_sheet(book, detect_language(names))
        return
    try:
        command, options = control_options(book)
    except UsageError as error:
        book.app.alert(str(error), "xlerp", buttons="ok", mode="critical")
        return
    run(command, book, options)


def add_control_sheet(book: Any, lang: Lang) -> None:
    """A Control sheet at the end of the book: every option, Run MRP chosen, a note of
    the commands there are, in the look of the result sheets."""
    default = commands.get("plan").label(lang)
    frame = pd.DataFrame({"option": [o.value for o in OPTIONS],
                          "value": [default] + [""] * (len(OPTIONS) - 1)})
    layout = sheet_layout(CONTROL, frame, lang)
    position = len(book.sheets)
    labels = ", ".join(f"{c.label(lang)} ({c.name})" for c in command_list())
    note = f"{_CHOOSE[lang]} {labels}"
    steps = [actions.action("addSheet", args=[position, CONTROL.sheet_name(lang)]),
             *actions.sheet_actions(layout, position, "xlerp_control"),
             # beside the table, so that reading the options never takes it for one
             actions.action("setValues", values=[[note]], sheet=position, row=1, column=3,
                            rows=1, columns=1),
             actions.action("activateSheet", args=[position]),
             actions.alert(_FIRST_RUN[lang], "xlerp")]
    apply_actions(book, steps)


def control_options(book: Any) -> tuple[str, dict[str, str]]:
    """The command and options listed on the Control sheet (labels in either language)."""
    names = [sheet.name for sheet in book.sheets]
    title = find_sheet(CONTROL, names)
    lang: Lang = detect_language(names)
    if title is None:
        raise UsageError(f'add a sheet "{CONTROL.sheet_name(lang)}" with the command to run '
                         "— Run main adds it")
    frame, issues = _table_from_grid(CONTROL, grid(book.sheets[title]), 1, title, lang, True)
    errors = [issue for issue in issues if issue.severity == "error"]
    if errors:
        raise UsageError("; ".join(issue.located(lang) for issue in errors[:5]))
    options = dict(zip(frame["option"], frame["value"], strict=True))
    return resolve_command(options.pop("command", "")), options


def resolve_command(text: str) -> str:
    """A command by its name or its label in either language ("plan", "运行MRP")."""
    key = fold(text)
    for command in command_list():
        if key in (fold(command.name), fold(command.zh), fold(command.en)):
            return command.name
    known = ", ".join(f"{c.name} ({c.en} / {c.zh})" for c in command_list())
    raise UsageError(f"choose the command to run on the Control sheet: {known}")


# -- writing: the ribbon's actions through xlwings -------------------------------------------

def _range(book: Any, action: dict) -> Any:
    sheet = book.sheets[action["sheet_position"]]
    top = (action["start_row"] + 1, action["start_column"] + 1)
    bottom = (top[0] + action["row_count"] - 1, top[1] + action["column_count"] - 1)
    return sheet.range(top, bottom)


def _add_sheet(book: Any, action: dict) -> None:
    position, name = action["args"]
    sheets = book.sheets
    if position >= len(sheets):
        sheets.add(name, after=sheets[len(sheets) - 1])
    else:
        sheets.add(name, before=sheets[position])


def _clear(book: Any, action: dict) -> None:
    sheet = book.sheets[action["sheet_position"]]
    for chart in list(sheet.charts):
        chart.delete()
    sheet.clear()  # contents and formats, conditional ones included


def _add_table(book: Any, action: dict) -> None:
    address, _, style, name = action["args"]
    sheet = book.sheets[action["sheet_position"]]
    existing = next((t for t in sheet.tables if t.name == name), None)
    if existing is not None:  # last run's table survives a clear: resize it instead
        existing.resize(sheet.range(address))
        existing.table_style = style
        return
    sheet.tables.add(source=sheet.range(address), name=name, table_style_name=style)


def _conditional(book: Any, action: dict) -> None:
    if sys.platform != "win32":  # the rule is Excel's COM API; Mac shows plain cells
        return
    formula, color = action["args"]
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    rule = _range(book, action).api.FormatConditions.Add(2, None, "=" + formula)  # expression
    rule.Interior.Color = red + green * 256 + blue * 65536  # Excel colours are BGR


def _chart(book: Any, action: dict) -> None:
    kind, title, categories, values, anchor = action["args"]
    sheet = book.sheets[action["sheet_position"]]
    cell = sheet.range(anchor)
    chart = sheet.charts.add(left=cell.left, top=cell.top, width=450, height=240)
    chart.chart_type = "column_clustered" if kind == "column" else "bar_clustered"
    chart.set_source_data(sheet.range(values))
    chart.set_x_axis_values(sheet.range(categories))
    chart.title = title
    chart.legend.visible = False
    if kind == "bar":  # bars top-down in the block's order: the largest first
        chart.category_axis.reverse_order = True


def _set(attribute: str, convert: Callable[[Any], Any] = lambda v: v
         ) -> Callable[[Any, dict], None]:
    def apply(book: Any, action: dict) -> None:
        setattr(_range(book, action), attribute, convert(action["args"][0]))
    return apply


def _font(book: Any, action: dict) -> None:
    name, value = action["args"]
    setattr(_range(book, action).font, name, value)


def _values(book: Any, action: dict) -> None:
    sheet = book.sheets[action["sheet_position"]]
    sheet.range((action["start_row"] + 1, action["start_column"] + 1)).value = action["values"]


HANDLERS: dict[str, Callable[[Any, dict], None]] = {
    "setValues": _values,
    "addSheet": _add_sheet,
    "sheetClear": _clear,
    "setNumberFormat": _set("number_format"),
    "setRangeColor": _set("color"),
    "setFontProperty": _font,
    "setHorizontalAlignment": _set("horizontal_alignment", str.lower),
    "setVerticalAlignment": _set("vertical_alignment", str.lower),
    "setWrapText": _set("wrap_text"),
    "setColumnWidth": _set("column_width"),
    "freezePaneAtRange": lambda book, a: book.sheets[a["sheet_position"]].freeze_panes.freeze_at(
        a["args"][0]),
    "addTable": _add_table,
    "addConditionalFormat": _conditional,
    "addChart": _chart,
    "activateSheet": lambda book, a: book.sheets[a["args"][0]].activate(),
    "alert": lambda book, a: book.app.alert(a["args"][0], a["args"][1], buttons="ok",
                                            mode=a["args"][3]),
}


def apply_actions(book: Any, actions: list[dict]) -> None:
    """Replay the ribbon's actions on an open workbook; message boxes come last."""
    alerts = [action for action in actions if action["func"] == "alert"]
    for action in [a for a in actions if a["func"] != "alert"] + alerts:
        HANDLERS[action["func"]](book, action)


# -- worksheet functions ----------------------------------------------------------------------

def available(tables: Mapping[str, pd.DataFrame], codes: list[str], day: dt.date) -> pd.Series:
    """Available quantity of each item on `day`: on hand less locked (nettable stores),
    less allocations, plus open receipts due by `day` — MRP's own rules for stock and
    open supply (DOMAIN §5, "stock + in transit")."""
    index = pd.Index(sorted(set(codes)), dtype=object)
    coder = Coder(pd.DataFrame({"item_code": index, "mto": False}))  # one pool per item
    stock = opening_stock(tables["stock"], tables.get("warehouses"), coder)
    receipts = scheduled_receipts(dict(tables), coder)
    receipts = receipts[receipts["day"] <= day_numbers(np.array([day], "datetime64[D]"))[0]]
    allocations = tables["allocations"]
    allocated = pd.DataFrame({"item": coder.items(allocations["item_code"]),
                              "qty": allocations["qty"].fillna(0.0).to_numpy(float)})
    total = np.zeros(len(index))
    for frame, sign in ((stock, 1.0), (receipts, 1.0), (allocated[allocated["item"] >= 0], -1.0)):
        sums = frame.groupby("item")["qty"].sum()
        total[sums.index.to_numpy(int)] += sign * sums.to_numpy(float)
    return pd.Series(total, index=index)


def buildable_sets(tables: Mapping[str, pd.DataFrame], item: str, day: dt.date) -> float:
    """Complete sets of `item` its multi-level BOM allows on `day`: the kitting engine's
    rule (DOMAIN §5) on on hand − allocations + receipts due by `day`."""
    return buildable(dict(tables), item, day, mode="receipts")[0]


_CACHE: dict[str, tuple[float, dict[str, pd.DataFrame]]] = {}


def udf_tables(book: Any) -> dict[str, pd.DataFrame]:
    """The tables the worksheet functions read, cached a few seconds per workbook."""
    now = time.monotonic()
    cached = _CACHE.get(book.fullname)
    if cached is not None and now - cached[0] < UDF_CACHE_SECONDS:
        return cached[1]
    names = [sheet.name for sheet in book.sheets]
    reads = {find_sheet(TABLES[table], names) for table in UDF_TABLES} - {None}
    payload = officejs.Payload(book.name, tuple(
        officejs.BookSheet(name, grid(book.sheets[name]) if name in reads else [])
        for name in names), {})
    read = officejs.read_grids(payload, (), UDF_TABLES)
    _CACHE[book.fullname] = (now, read.tables)
    return read.tables


def _as_date(value: object) -> dt.date:
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and math.isfinite(value):  # an Excel serial number
        return (pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(value))).date()
    return dt.date.fromisoformat(str(value).strip())


# `caller` is xlwings' reserved argument: the calling cell, hidden from Excel.
@xw.func
def XLERP_AVAILABLE(item: str, date: object = None, caller: Any = None) -> float:
    """Available quantity of ITEM on DATE (default today): on hand − allocated + due in."""
    tables = udf_tables(caller.sheet.book)
    return float(available(tables, [str(item).strip()], _as_date(date)).iloc[0])


@xw.func
def XLERP_CANBUILD(item: str, date: object = None, caller: Any = None) -> float:
    """Complete sets of ITEM its multi-level BOM allows on DATE (default today)."""
    return buildable_sets(udf_tables(caller.sheet.book), str(item).strip(), _as_date(date))


__all__ = ["CONTROL", "HANDLERS", "OPTIONS", "XLERP_AVAILABLE", "XLERP_CANBUILD",
           "add_control_sheet", "apply_actions", "available", "buildable_sets",
           "control_options", "grid", "main", "resolve_command", "run", "udf_tables"]
