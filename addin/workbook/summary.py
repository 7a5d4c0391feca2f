"""The Summary/概览 sheet of a run: key figures, small tables and native Excel charts.

`summary_layout(outcome)` computes what the sheet shows from the command's result tables
(planned purchases per week and shortages by component for a plan; findings by code for
a BOM check); `write_summary(book, layout)` renders it with openpyxl charts for the
headless path, and the ribbon and desktop adapters render the same layout live. The
sheet holds no timestamp, so the same run gives the same sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin import commands
from addin.commands import SummaryBlock
from addin.frontend import Outcome
from addin.schema import TABLES, Lang, Table
from addin.schema import choices as ch
from addin.schema.master import DATE, QTY
from addin.schema.model import col
from addin.workbook import styles
from addin.workbook.layout import (
    SheetLayout,
    existing_sheet,
    sheet_layout,
    to_worksheet,
    unique_title,
)

# -- the Summary sheet's tables ---------------------------------------------------------
# Kept here until they move to addin/schema/results.py (the schema owns header text).
SUMMARY = Table("summary", "概览", "Summary", (
    col("figure", "text", "指标", "Figure", width=30),
    col("value", "number", "数值", "Value", number_format="#,##0.##", width=14),
), role="output")

PURCHASES_BY_WEEK = Table("purchases_by_week", "每周计划采购", "Planned purchases per week", (
    col("week_start", "date", "周起始日", "Week of", number_format=DATE),
    col("orders", "integer", "订单数", "Orders"),
    col("qty", "number", "数量", "Qty", number_format=QTY),
    col("amount", "number", "金额", "Amount", number_format="#,##0.00"),
), role="output")

SHORTAGES_BY_COMPONENT = Table("shortages_by_component", "缺料（按子项）",
                               "Shortages by component", (
    col("item_code", "text", "物料编码", "Item code"),
    col("item_name", "text", "物料名称", "Item name", width=24),
    col("shortage_qty", "number", "缺料数量", "Shortage qty", number_format=QTY),
    col("first_short", "date", "最早缺料日", "First short on", number_format=DATE),
), role="output")

FINDINGS_BY_CODE = Table("findings_by_code", "问题分类", "Findings by code", (
    col("code", "text", "问题代码", "Code", width=26),
    col("severity", "choice", "级别", "Severity", choices=ch.SEVERITY),
    col("count", "integer", "数量", "Count"),
), role="output")

SUMMARY_TABLES = (SUMMARY, PURCHASES_BY_WEEK, SHORTAGES_BY_COMPONENT, FINDINGS_BY_CODE)
_OWN = {t.name: t for t in SUMMARY_TABLES}

# The key figures' labels (zh, en).
_FIGURES = {
    "planned_orders": ("计划订单", "Planned orders"),
    "purchase": ("其中采购", "of which purchase"),
    "production": ("其中生产", "of which production"),
    "subcontract": ("其中委外", "of which subcontract"),
    "purchase_amount": ("计划采购金额", "Planned purchase amount"),
    "error": ("错误", "Errors"),
    "warning": ("警告", "Warnings"),
    "info": ("提示", "Notes"),
    "short_items": ("缺料子项数", "Components short"),
    "items": ("物料数", "Items"),
    "levels": ("BOM层数", "BOM levels"),
    "rows": ("「{sheet}」行数", 'Rows in "{sheet}"'),
}
PLAN_TABLES = ("planned_orders", "mrp_record", "pegging", "exceptions")
CHECK_TABLES = ("bom_check", "low_level_codes")
TOP = 20           # rows of a ranking block (and bars of its chart)
CHART_COLUMN = 6   # charts start in column F, right of the blocks
CHART_ROWS = 18    # rows one chart covers


@dataclass(frozen=True)
class Block:
    """A small table of the sheet: a caption in row `top` - 1, its header in row `top`."""

    top: int
    caption: str
    layout: SheetLayout


@dataclass(frozen=True)
class Chart:
    """A native chart of one block: categories and values are column positions."""

    kind: Literal["column", "bar"]
    block: int
    category: int
    values: int
    top: int  # first sheet row the chart covers

    def anchor(self) -> str:
        return f"{get_column_letter(CHART_COLUMN)}{self.top}"


@dataclass(frozen=True)
class SummaryLayout:
    table: Table
    title: str  # the sheet name in the book's language
    heading: str
    lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    charts: tuple[Chart, ...]

    @property
    def widths(self) -> list[float]:
        """Column widths: the widest any block asks for at each position."""
        count = max((len(b.layout.columns) for b in self.blocks), default=0)
        return [max(b.layout.columns[i].width for b in self.blocks
                    if i < len(b.layout.columns)) for i in range(count)]

    def chart_range(self, chart: Chart, position: int) -> tuple[int, int, int]:
        """(column, first row, last row), 1-based, of one column of a chart's data."""
        block = self.blocks[chart.block]
        return position + 1, block.top + 1, block.top + block.layout.rows


def label(key: str, lang: Lang, **params: object) -> str:
    zh, en = _FIGURES[key]
    return (zh if lang == "zh" else en).format(**params)


# -- what the sheet shows ---------------------------------------------------------------

def summary_layout(outcome: Outcome) -> SummaryLayout | None:
    """The Summary sheet of a run; None when the run wrote nothing."""
    if not outcome.tables:
        return None
    lang = outcome.lang
    figures, blocks = _content(outcome)
    parts = [SummaryBlock(SUMMARY.name, figures, chart=None), *blocks]
    lines = tuple(outcome.result.messages)
    # row 1 heading, then the messages, a blank row, the first caption, its header
    laid, charts, top = [], [], len(lines) + 4
    first = top - 1
    for part in parts:
        spec = _spec(part.table)
        style = part.frame.get("severity")
        laid.append(Block(top, spec.sheet_name(lang),
                          sheet_layout(spec, part.frame, lang, style)))
        top += len(part.frame) + 3  # header, rows, a blank row, the next caption
    for index, part in enumerate(parts):
        if part.chart and len(part.frame):
            category, values = _chart_columns(_spec(part.table), part)
            charts.append(Chart(part.chart, index, category, values,
                                first + CHART_ROWS * len(charts)))
    command = commands.get(outcome.command)
    return SummaryLayout(SUMMARY, SUMMARY.sheet_name(lang), f"xlerp · {command.label(lang)}",
                         lines, tuple(laid), tuple(charts))


def _spec(name: str) -> Table:
    return _OWN.get(name) or TABLES[name]


def _chart_columns(spec: Table, block: SummaryBlock) -> tuple[int, int]:
    """Positions of a block's chart labels and values: as named, else the first column
    and the first numeric one."""
    names = spec.column_names
    numeric = [c.name for c in spec.columns if c.type in ("number", "integer")]
    category = block.category or names[0]
    values = block.values or next(n for n in numeric if n != category)
    return names.index(category), names.index(values)


def _content(outcome: Outcome) -> tuple[pd.DataFrame, list[SummaryBlock]]:
    lang, tables = outcome.lang, outcome.tables
    own = outcome.result.summary
    if own is not None:  # the command said what its summary shows
        rows, blocks = list(own.figures), [
            replace(b, frame=b.frame.head(TOP)) for b in own.blocks]
    elif outcome.command == "plan" and set(PLAN_TABLES) <= tables.keys():
        purchases = purchases_by_week(tables["planned_orders"])
        shortages = shortages_by_component(tables["mrp_record"], tables["pegging"],
                                           tables["planned_orders"])
        rows = _plan_figures(tables, purchases, shortages, lang)
        money = "amount" if purchases["amount"].gt(0).any() else "orders"
        blocks = [SummaryBlock(PURCHASES_BY_WEEK.name, purchases, "column", values=money),
                  SummaryBlock(SHORTAGES_BY_COMPONENT.name, shortages.head(TOP),
                               values="shortage_qty")]
    elif outcome.command == "check" and set(CHECK_TABLES) <= tables.keys():
        findings = tables["bom_check"]
        rows = [*_severity_figures(findings, lang), *_check_figures(tables, lang)]
        blocks = [SummaryBlock(FINDINGS_BY_CODE.name, findings_by_code(findings).head(TOP),
                               values="count")]
    else:  # a command without its own summary: how many rows each sheet got
        rows = [(label("rows", lang, sheet=TABLES[name].sheet_name(lang)), len(frame))
                for name, frame in tables.items()]
        blocks = []
    figures = pd.DataFrame(rows, columns=["figure", "value"])
    return figures, blocks


def _plan_figures(tables: commands.Tables, purchases: pd.DataFrame, shortages: pd.DataFrame,
                  lang: Lang) -> list[tuple[str, float]]:
    orders = tables["planned_orders"]
    kinds = orders["order_type"].value_counts()
    rows = [(label("planned_orders", lang), len(orders))]
    rows += [(label(kind, lang), int(kinds.get(kind, 0)))
             for kind in ("purchase", "production", "subcontract")]
    rows.append((label("purchase_amount", lang), round(float(purchases["amount"].sum()), 2)))
    rows.append((label("short_items", lang), len(shortages)))
    return rows + _severity_figures(tables["exceptions"], lang)


def _severity_figures(findings: pd.DataFrame, lang: Lang) -> list[tuple[str, float]]:
    counts = findings["severity"].value_counts()
    return [(label(kind, lang), int(counts.get(kind, 0))) for kind in ("error", "warning", "info")]


def _check_figures(tables: commands.Tables, lang: Lang) -> list[tuple[str, float]]:
    levels = tables["low_level_codes"]["low_level_code"]
    depth = int(levels.max()) + 1 if levels.notna().any() else 0
    return [(label("items", lang), len(levels)), (label("levels", lang), depth)]


def purchases_by_week(planned_orders: pd.DataFrame) -> pd.DataFrame:
    """Planned purchases grouped by the Monday of their release date: count, qty, amount."""
    buy = planned_orders[planned_orders["order_type"] == "purchase"]
    release = pd.to_datetime(buy["release_date"]).dt.normalize()
    week = release - pd.to_timedelta(release.dt.day_of_week, unit="D")
    amount = buy["qty"].astype("float64") * buy["unit_price"].astype("float64").fillna(0.0)
    grouped = pd.DataFrame({"week_start": week, "qty": buy["qty"].astype("float64"),
                            "amount": amount}).groupby("week_start", sort=True)
    out = grouped.agg(orders=("qty", "size"), qty=("qty", "sum"), amount=("amount", "sum"))
    out = out.reset_index()
    out["orders"] = out["orders"].astype("Int64")
    out["amount"] = out["amount"].round(2)
    return out[PURCHASES_BY_WEEK.column_names]


def shortages_by_component(mrp_record: pd.DataFrame, pegging: pd.DataFrame,
                           planned_orders: pd.DataFrame) -> pd.DataFrame:
    """Net requirements of components (items pegged to another end item), largest first.

    A net requirement is what stock and open supply leave uncovered — the shortage the
    planned orders are there to fill. End items are left out: their "shortage" is the
    demand itself.
    """
    components = pegging.loc[pegging["item_code"] != pegging["demand_item"], "item_code"]
    short = mrp_record[(mrp_record["net"] > 0) & mrp_record["item_code"].isin(components)]
    grouped = short.groupby("item_code", sort=True).agg(
        shortage_qty=("net", "sum"), first_short=("bucket_start", "min")).reset_index()
    names = planned_orders.drop_duplicates("item_code").set_index("item_code")["item_name"]
    grouped["item_name"] = grouped["item_code"].map(names).fillna("")
    grouped = grouped.sort_values(["shortage_qty", "item_code"], ascending=[False, True],
                                  kind="stable").reset_index(drop=True)
    return grouped[SHORTAGES_BY_COMPONENT.column_names]


def findings_by_code(findings: pd.DataFrame) -> pd.DataFrame:
    """How often each finding occurs, most frequent first."""
    counts = (findings.groupby(["code", "severity"], sort=True).size()
              .rename("count").reset_index())
    counts["count"] = counts["count"].astype("Int64")
    counts = counts.sort_values(["count", "code"], ascending=[False, True], kind="stable")
    return counts.reset_index(drop=True)[FINDINGS_BY_CODE.column_names]


# -- the headless path: openpyxl ----------------------------------------------------------

def write_summary(book: Workbook, layout: SummaryLayout) -> Worksheet:
    """Put the Summary sheet into `book` (replacing last run's), charts included."""
    sheets = [(ws.title, list(ws.tables)) for ws in book.worksheets]
    position = existing_sheet(layout.table, sheets)
    if position is None:
        ws = book.create_sheet(unique_title(book.sheetnames, layout.title))
    else:
        old = book.worksheets[position]
        title = old.title
        book.remove(old)
        ws = book.create_sheet(title, position)
    ws["A1"] = layout.heading
    ws["A1"].font = Font(name=styles.FONT_NAME, size=14, bold=True)
    for offset, line in enumerate(layout.lines, start=2):
        ws.cell(row=offset, column=1, value=line)
    for block in layout.blocks:
        caption = ws.cell(row=block.top - 1, column=1, value=block.caption)
        caption.font = Font(name=styles.FONT_NAME, size=styles.FONT_SIZE, bold=True)
        to_worksheet(ws, block.layout, top=block.top)
    for position, width in enumerate(layout.widths, start=1):
        ws.column_dimensions[get_column_letter(position)].width = width
    for chart in layout.charts:
        ws.add_chart(_bar_chart(ws, layout, chart), chart.anchor())
    return ws


def _bar_chart(ws: Worksheet, layout: SummaryLayout, chart: Chart) -> BarChart:
    block = layout.blocks[chart.block]
    column, first, last = layout.chart_range(chart, chart.values)
    category, _, _ = layout.chart_range(chart, chart.category)
    bar = BarChart()
    bar.type = "col" if chart.kind == "column" else "bar"
    bar.title = block.caption
    bar.legend = None
    bar.height, bar.width = 8.5, 16.0  # cm: about CHART_ROWS rows by 9 columns
    bar.add_data(Reference(ws, min_col=column, min_row=first - 1, max_row=last),
                 titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=category, min_row=first, max_row=last))
    if chart.kind == "bar":
        bar.y_axis.scaling.orientation = "minMax"
        bar.x_axis.scaling.orientation = "maxMin"  # largest shortage at the top
    return bar


__all__ = ["FINDINGS_BY_CODE", "PURCHASES_BY_WEEK", "SHORTAGES_BY_COMPONENT", "SUMMARY",
           "SUMMARY_TABLES", "Block", "Chart", "SummaryLayout", "findings_by_code", "label",
           "purchases_by_week", "shortages_by_component", "summary_layout", "write_summary"]
