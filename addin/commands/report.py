"""`report`: report workbooks (DOMAIN §9) — stock reports, the KPI dashboard, and the
reports other commands compute.

The stock reports and the dashboard post the workbook's documents on top of the Stock
sheet (as `post` does) and report on the posted moves. Option ``name`` picks the report:

* ``stock-ledger`` 收发存汇总 — opening, in, out, closing per item and warehouse;
* ``stock-status`` — on hand, available, allocated, in transit, in inspection, at
  suppliers, customer-owned per item at the period end;
* ``ageing`` 库龄 — on hand by age band (FIFO layers) and slow movers 呆滞料;
* ``quality`` — pass and acceptance rates per supplier;
* ``dashboard`` 经营看板 — KPIs (fill rate, shortage lines, overdue tasks, stock value,
  inventory turns) and weekly stock value and issues (`addin.engines.dashboard`);
* ``all`` — every report above in one workbook (posting once); the default, so the
  ribbon's Reports button refreshes them all, the dashboard included;
* ``shortage`` (kit), ``progress`` (alerts), ``subcontract`` (post's supplier balances
  and fee adjustments + `addin.engines.subcontracttracking`), ``cost`` and ``profit``
  (cost): the owning command is run through `addin.commands.run` and its tables are
  written with a Summary sheet of their own. Not part of ``all``: they read other
  sheets (BOM, sales orders, cost objects) and have their own options.

Other options: ``from`` / ``to`` (the period; default: the month of ``to``, and ``to``
= the settings sheet's planning date, else the last move, else today), ``bands``
(``"30,90,180,365"``), ``slow_days`` (90), ``opening_date`` (the date the Stock sheet's
stock is aged from; default the day before the first move), ``period`` (cost, profit:
the cost period), ``mode`` (shortage: kitting mode), ``lang``. A document
posting refuses is an error and nothing is written: a report on half the documents
would not reconcile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

import addin.commands
import addin.commands.alerts
import addin.commands.cost
import addin.commands.kit
import addin.commands.post
from addin.commands import COMMANDS, Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import option_date, option_number
from addin.commands.post import post_for_report
from addin.commands.reportviews import REUSED, reused_report
from addin.engines import ageing, dashboard, stockstatus
from addin.engines.posting import POSTING_TABLES, Posting
from addin.engines.stockledger import by_warehouse, opening_stock, stock_ledger_summary
from addin.errors import UsageError
from addin.issues import Issue, Message, register, sort_issues
from addin.schema import TABLES

STOCK_REPORTS = ("stock-ledger", "stock-status", "ageing", "quality", "dashboard")
REPORTS = (*STOCK_REPORTS, *REUSED, "all")
OUTPUTS = ("stock_ledger_summary", "stock_status", "stock_ageing", "slow_movers",
           "quality_rates", "dashboard_kpis", "kit_orders", "kit_shortages",
           "production_alerts", "task_progress", "subcontract_tracking", "supplier_balances",
           "fee_adjustments", "cost_composition", "cost_variance", "order_profit")
# what the reused commands read, besides what posting reads (the imports of alerts,
# cost, kit and post above register them before this line looks them up)
_READS = tuple(dict.fromkeys(
    t for name in ("kit", "alerts", "post", "cost")
    for t in (*COMMANDS[name].inputs, *COMMANDS[name].optional)
    if t not in ("items", "warehouses", *POSTING_TABLES)))
OPTIONAL = (*POSTING_TABLES, "allocations", "purchase_orders", "sales_orders", "shipments",
            *(t for t in _READS if t not in ("allocations", "purchase_orders",
                                             "sales_orders", "shipments")))

register({
    "report_kpi_skipped": Message(
        "看板指标「{kpi}」未计算：{command} 的输入有错误", 'Dashboard KPI "{kpi}" was '
        "not computed: the input of {command} has errors",
        "单独运行 {command} 查看并修正错误", "Run {command} on its own to see and fix them"),
})
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
    "dashboard_done": ("经营看板：{rows} 项指标", "Dashboard: {rows} KPIs"),
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


def _kpi_label(kpi: str, lang: str) -> str:
    choice = next(c for c in TABLES["dashboard_kpis"].column("kpi").choices if c.value == kpi)
    return choice.label("zh" if lang == "zh" else "en")


def _customer_warehouses(warehouses: pd.DataFrame | None) -> list[str]:
    if warehouses is None or warehouses.empty:
        return []
    kind = warehouses["warehouse_type"].eq("customer_virtual")
    return sorted(warehouses.loc[kind, "warehouse_code"].astype(str))


def _reused_kpi(name: str, table: str, tables: Tables, options: Mapping[str, Any], kpi: str,
                lang: str) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Result `table` of command `name`, for one KPI; None when the workbook lacks a
    sheet the command needs, or (with a warning) when the command found errors."""
    if any(tables.get(t) is None for t in COMMANDS[name].inputs):
        return None, []
    result = addin.commands.run(name, tables, options)
    if not result.ok:
        return None, [Issue("report_kpi_skipped", "warning", params={
            "kpi": _kpi_label(kpi, lang), "command": name})]
    return result.tables[table], []


def _dashboard(tables: Tables, posting: Posting, summary: pd.DataFrame,
               chosen: ReportOptions, options: Mapping[str, Any], lang: str) -> Result:
    start, end = chosen.start, chosen.end
    # own stock only: the customer's material 受托虚仓 is never ours to turn
    customer = _customer_warehouses(tables.get("warehouses"))
    moves = posting.moves[~posting.moves["warehouse_code"].isin(customer)]
    summary = summary[~summary["warehouse_code"].isin(customer)]
    opening, closing = float(summary["opening_value"].sum()), float(
        summary["closing_value"].sum())
    issued = dashboard.issued_value(moves, start, end)
    filled, due = dashboard.fill_rate(tables.get("sales_orders"), tables.get("shipments"),
                                      start, end)
    values = {"fill_rate": round(100.0 * filled / due, 2) if due else float("nan"),
              "lines_due": float(due)}
    shared = {"lang": lang, "date": end.date(), "as_of": end.date()}
    short, found = _reused_kpi("kit", "kit_shortages", tables,
                               {**shared, "mode": options.get("mode")}, "shortage_lines", lang)
    if short is not None:
        values["shortage_lines"] = float(len(short))
    alerts, more = _reused_kpi("alerts", "production_alerts", tables, shared,
                               "overdue_tasks", lang)
    if alerts is not None:
        late = alerts.loc[alerts["alert"].eq("overdue"), "task_no"]
        values["overdue_tasks"] = float(late.nunique())
    days = int((end - start).days) + 1
    turns = dashboard.inventory_turns(issued, opening, closing, days)
    values.update(stock_value=round(closing, 2), issued_value=round(issued, 2),
                  inventory_turns=round(turns, 2))
    kpis = dashboard.kpi_table(values)
    first = opening_stock(tables.get("stock"), tables.get("items"))
    stock_start = float(first.loc[~first["warehouse_code"].isin(customer), "value"].sum())
    weeks, issues = dashboard.weekly(stock_start, moves, start, end)
    figures = [(_kpi_label(k, lang), v) for k, v in zip(kpis["kpi"], kpis["value"],
                                                       strict=True) if v == v]  # not NaN
    blocks = [SummaryBlock("dashboard_kpis", kpis, None),
              SummaryBlock("stock_by_week", weeks, "column", category="week_end",
                           values="stock_value"),
              SummaryBlock("issues_by_week", issues, "column", category="week_end",
                           values="issued_value")]
    return Result(tables={"dashboard_kpis": kpis}, issues=[*found, *more],
                  messages=[text("dashboard_done", lang, rows=len(kpis))],
                  summary=Summary(figures, blocks))


@command("report", "报表", "Reports", inputs=("items", "warehouses"),
         optional=OPTIONAL, outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="报表：收发存汇总、库存状态、库龄与呆滞料、供应商质量、经营看板，"
                        "以及缺料、生产进度、委外跟踪、成本构成与差异、订单利润",
         description_en="Reports: in-out summary, stock status, ageing and slow movers, "
                        "supplier quality, KPI dashboard; shortages, production progress, "
                        "subcontract tracking, cost composition and variance, order profit")
def run_report(tables: Tables, options: Mapping[str, Any]) -> Result:
    name = report_name(options)  # a wrong name fails before any posting
    if name in REUSED:
        return reused_report(name, tables, options)
    dated, posting, rates, issues = post_for_report(tables, options)
    if posting is None:
        return Result(issues=issues)
    chosen = report_options(dated, posting.moves)
    lang = options.get("lang", "en")
    summary, reconciled = ledger_report(tables, posting, chosen)
    make = {"stock-ledger": lambda: _ledger(summary, lang),
            "stock-status": lambda: _status(tables, posting, summary, chosen, lang),
            "ageing": lambda: _ageing(tables, posting, summary, chosen, lang),
            "quality": lambda: _quality(rates, lang),
            "dashboard": lambda: _dashboard(tables, posting, summary, chosen, options, lang)}
    names = list(make) if chosen.name == "all" else [chosen.name]
    parts = [make[name]() for name in names]
    period = text("period", lang, start=chosen.start.date(), end=chosen.end.date())
    return Result(
        tables={k: v for part in parts for k, v in part.tables.items()},
        issues=sort_issues([*issues, *reconciled, *(i for p in parts for i in p.issues)]),
        messages=[period, *(m for part in parts for m in part.messages)],
        summary=Summary([f for part in parts for f in part.summary.figures],
                        [b for part in parts for b in part.summary.blocks]))
