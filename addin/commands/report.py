"""`report`: stock reports of a workbook's posted documents (DOMAIN §9).

Every run posts the workbook's documents on top of the Stock sheet (as `post` does) and
reports on the posted moves. Option ``name`` picks the report:

* ``stock-ledger`` 收发存汇总 — opening, in, out, closing per item and warehouse;
* ``stock-status`` — on hand, available, allocated, in transit, in inspection, at
  suppliers, customer-owned per item at the period end;
* ``ageing`` 库龄 — on hand by age band (FIFO layers) and slow movers 呆滞料;
* ``quality`` — pass and acceptance rates per supplier;
* ``all`` — every report above in one workbook (posting once); the default, so a
  ribbon button without options writes them all.

Other options: ``from`` / ``to`` (the period; default: the month of ``to``, and ``to``
= the settings sheet's planning date, else the last move, else today), ``bands``
(``"30,90,180,365"``), ``slow_days`` (90), ``opening_date`` (the date the Stock sheet's
stock is aged from; default the day before the first move), ``lang``. A document
posting refuses is an error and nothing is written: a report on half the documents
would not reconcile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from addin.commands import Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import dated_options, option_date, option_number
from addin.commands.post import post_tables
from addin.engines import ageing, stockstatus
from addin.engines.posting import POSTING_TABLES, Posting
from addin.engines.stockledger import by_warehouse, opening_stock, stock_ledger_summary
from addin.errors import UsageError
from addin.issues import Issue, has_errors, sort_issues
from addin.schema import TABLES

REPORTS = ("stock-ledger", "stock-status", "ageing", "quality", "all")
OUTPUTS = ("stock_ledger_summary", "stock_status", "stock_ageing", "slow_movers",
           "quality_rates")
_TEXT = {  # key -> (zh, en)
    "period": ("期间 {start} 至 {end}", "Period {start} to {end}"),
    "opening_value": ("期初金额", "Opening value"),
    "in_value": ("本期收入金额", "In value"),
    "out_value": ("本期发出金额", "Out value"),
    "closing_value": ("期末金额", "Closing value"),
    "rows": ("物料+仓库行数", "Item/warehouse rows"),
    "items": ("物料数", "Items"),
    "stock_value": ("库存金额", "Stock value"),
    "on_hand": ("期末库存数量", "Qty on hand"),
    "aged_value": ("库龄金额合计", "Value by age"),
    "slow": ("呆滞料行数", "Slow movers"),
    "slow_value": ("呆滞料金额", "Slow-moving value"),
    "suppliers": ("供应商数", "Suppliers"),
    "inspected": ("检验数量", "Qty inspected"),
    "ledger_done": ("收发存汇总：{rows} 行，期末金额 {value:,.2f}",
                    "In-out summary: {rows} rows, closing value {value:,.2f}"),
    "status_done": ("库存状态：{rows} 个物料", "Stock status: {rows} items"),
    "ageing_done": ("库龄：{rows} 行，呆滞料 {slow} 行（{days} 天未发出）",
                    "Ageing: {rows} rows, {slow} slow movers (no issue for {days} days)"),
    "quality_done": ("供应商质量：{rows} 个供应商", "Supplier quality: {rows} suppliers"),
}
_STATUS_LABELS = {"on_hand_qty": ("自有库存", "On hand"),
                  "available_qty": ("可用库存", "Available"),
                  "allocated_qty": ("已分配量", "Allocated"),
                  "in_transit_qty": ("在途", "In transit"),
                  "inspection_qty": ("待检", "In inspection"),
                  "at_supplier_qty": ("委外处", "At suppliers"),
                  "customer_qty": ("受托物料", "Customer-owned")}


def text(key: str, lang: str, **params: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**params)


def report_name(options: Mapping[str, Any]) -> str:
    name = str(options.get("name") or "all").strip().lower()
    if name not in REPORTS:
        raise UsageError(f"report {name!r} is not one of {', '.join(REPORTS)}")
    return name


@dataclass(frozen=True)
class ReportOptions:
    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    limits: tuple[int, ...]
    slow_days: int
    opening_date: pd.Timestamp | None


def report_options(options: Mapping[str, Any], moves: pd.DataFrame,
                   today: dt.date | None = None) -> ReportOptions:
    """ReportOptions from command options; a bad option is a usage error."""
    name = report_name(options)
    end = option_date(options.get("to"), "to") or option_date(options.get("date"))
    if end is None:
        end = (moves["doc_date"].max().date() if len(moves)
               else today or dt.date.today())
    start = option_date(options.get("from"), "from") or end.replace(day=1)
    if start > end:
        raise UsageError(f"from {start} is after to {end}")
    bands = options.get("bands") or ageing.DEFAULT_LIMITS
    if isinstance(bands, str):
        bands = [b for b in bands.replace("，", ",").split(",") if b.strip()]
    try:
        limits = ageing.check_limits(tuple(int(float(b)) for b in bands))
    except ValueError as problem:
        raise UsageError(f"bands {options.get('bands')!r}: {problem}") from None
    slow = option_number(options.get("slow_days"), "slow_days")
    opening = option_date(options.get("opening_date"), "opening_date")
    return ReportOptions(name, pd.Timestamp(start), pd.Timestamp(end), limits,
                         int(ageing.DEFAULT_SLOW_DAYS if slow is None else slow),
                         None if opening is None else pd.Timestamp(opening))


def _names(tables: Tables) -> pd.Series:
    """Item code -> item name."""
    items = tables.get("items")
    if items is None or items.empty:
        return pd.Series(dtype=object)
    return items.drop_duplicates("item_code").set_index("item_code")["item_name"]


def ledger_report(tables: Tables, posting: Posting, chosen: ReportOptions
                  ) -> tuple[pd.DataFrame, list[Issue]]:
    """The in-out summary of the period (with the reconciliation warnings)."""
    opening = opening_stock(tables.get("stock"), tables.get("items"))
    return stock_ledger_summary(posting.moves, opening, chosen.start, chosen.end,
                                ledger=posting.ledger, names=_names(tables))


def _ledger(summary: pd.DataFrame, lang: str) -> Result:
    figures = [(text(k, lang), round(float(summary[k].sum()), 2))
               for k in ("opening_value", "in_value", "out_value", "closing_value")]
    figures.append((text("rows", lang), len(summary)))
    blocks = [SummaryBlock("ledger_by_warehouse", by_warehouse(summary), "column",
                           values="closing_value")]
    done = text("ledger_done", lang, rows=len(summary), value=figures[3][1])
    return Result(tables={"stock_ledger_summary": summary}, messages=[done],
                  summary=Summary(figures, blocks))


def _status(tables: Tables, posting: Posting, summary: pd.DataFrame, chosen: ReportOptions,
            lang: str) -> Result:
    status = stockstatus.stock_status(
        summary, posting.moves, chosen.end, warehouses=tables.get("warehouses"),
        allocations=tables.get("allocations"), materials=tables.get("task_materials"),
        tasks=tables.get("production_tasks"), purchase_orders=tables.get("purchase_orders"),
        names=_names(tables))
    labels = {k: (zh if lang == "zh" else en) for k, (zh, en) in _STATUS_LABELS.items()}
    figures = [(text("items", lang), len(status)),
               (text("stock_value", lang), round(float(status["stock_value"].sum()), 2))]
    blocks = [SummaryBlock("status_totals", stockstatus.totals(status, labels), "bar")]
    return Result(tables={"stock_status": status},
                  messages=[text("status_done", lang, rows=len(status))],
                  summary=Summary(figures, blocks))


def _ageing(tables: Tables, posting: Posting, summary: pd.DataFrame, chosen: ReportOptions,
            lang: str) -> Result:
    opening = opening_stock(tables.get("stock"), tables.get("items"))
    moves = posting.moves
    aged = ageing.stock_ageing(moves, opening, summary, chosen.end, chosen.opening_date,
                               chosen.limits, names=_names(tables))
    slow = ageing.slow_movers(moves, summary, aged, chosen.end, chosen.slow_days,
                              names=_names(tables))
    figures = [(text("on_hand", lang), round(float(aged["qty"].sum()), 4)),
               (text("aged_value", lang), round(float(aged["value"].sum()), 2)),
               (text("slow", lang), len(slow)),
               (text("slow_value", lang), round(float(slow["value"].sum()), 2))]
    blocks = [SummaryBlock("ageing_by_band", ageing.by_band(aged, chosen.limits), "column",
                           values="value"),
              SummaryBlock("slow_top", slow[["item_code", "warehouse_code", "value",
                                             "days_idle"]], "bar", values="value")]
    done = text("ageing_done", lang, rows=len(aged), slow=len(slow), days=chosen.slow_days)
    return Result(tables={"stock_ageing": aged, "slow_movers": slow},
                  messages=[done], summary=Summary(figures, blocks))


def _quality(rates: pd.DataFrame, lang: str) -> Result:
    rates = rates if len(rates.columns) else pd.DataFrame(columns=TABLES[
        "quality_rates"].column_names)
    figures = [(text("suppliers", lang), len(rates)),
               (text("inspected", lang), round(float(rates["inspected_qty"].sum()), 4))]
    ranked = rates.sort_values(["acceptance_rate", "supplier_code"], ascending=[True, True],
                               kind="stable")
    top = ranked[["supplier_code", "inspected_qty", "pass_rate", "acceptance_rate"]]
    blocks = [SummaryBlock("quality_top", top, "bar", values="acceptance_rate")]
    return Result(tables={"quality_rates": rates},
                  messages=[text("quality_done", lang, rows=len(rates))],
                  summary=Summary(figures, blocks))


@command("report", "报表", "Reports", inputs=("items", "warehouses"),
         optional=(*POSTING_TABLES, "allocations", "purchase_orders"),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="库存报表：收发存汇总、库存状态、库龄与呆滞料、供应商质量",
         description_en="Stock reports: in-out summary, stock status, ageing and slow "
                        "movers, supplier quality")
def run_report(tables: Tables, options: Mapping[str, Any]) -> Result:
    report_name(options)  # a wrong name fails before any posting
    dated, setting_issues = dated_options(tables.get("settings"), options)
    if has_errors(setting_issues):
        return Result(issues=sort_issues(setting_issues))
    posting, found, rates = post_tables(tables, options)
    issues = sort_issues([*setting_issues, *found, *posting.issues])
    if has_errors(issues):
        return Result(issues=issues)
    chosen = report_options(dated, posting.moves)
    lang = options.get("lang", "en")
    summary, reconciled = ledger_report(tables, posting, chosen)
    make = {"stock-ledger": lambda: _ledger(summary, lang),
            "stock-status": lambda: _status(tables, posting, summary, chosen, lang),
            "ageing": lambda: _ageing(tables, posting, summary, chosen, lang),
            "quality": lambda: _quality(rates, lang)}
    names = list(make) if chosen.name == "all" else [chosen.name]
    parts = [make[name]() for name in names]
    period = text("period", lang, start=chosen.start.date(), end=chosen.end.date())
    return Result(
        tables={k: v for part in parts for k, v in part.tables.items()},
        issues=sort_issues([*issues, *reconciled]),
        messages=[period, *(m for part in parts for m in part.messages)],
        summary=Summary([f for part in parts for f in part.summary.figures],
                        [b for part in parts for b in part.summary.blocks]))
