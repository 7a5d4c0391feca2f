"""The reports `report` takes from other commands: ``shortage`` (kit), ``progress``
(alerts), ``subcontract`` (post + subcontract tracking), ``cost`` and ``profit`` (cost).

Each runs the owning command through `addin.commands.run` — never its engine again — and
adds the Summary sheet of a report: key figures and a chart block. When the owning
command finds errors nothing is written, as when it runs on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

import addin.commands
from addin.commands import COMMANDS, Result, Summary, SummaryBlock, Tables
from addin.commands.plan import dated_options, option_date
from addin.engines.subcontracttracking import subcontract_tracking
from addin.issues import Issue, Message, register, sort_issues
from addin.schema import TABLES

REUSED = ("shortage", "progress", "subcontract", "cost", "profit")
TOP = 15  # rows of a chart block: a chart of hundreds of bars is unreadable

register({
    "report_needs_table": Message(
        "报表 {report} 需要「{table}」表", 'Report {report} needs the "{table}" sheet',
        "在工作簿中加入「{table}」表后再运行", 'Add the "{table}" sheet and run it again'),
})

_FIGURES = {  # key -> (zh, en)
    "order_lines": ("订单行", "Order lines"), "kitted": ("其中齐套", "of which kitted"),
    "short_lines": ("缺料行", "Shortage lines"), "short_qty": ("缺料数量", "Qty short"),
    "sub_lines": ("委外订单行", "Subcontract order lines"), "open": ("未入库数量", "Qty open"),
    "overdue": ("逾期订单行", "Overdue lines"),
    "at_suppliers": ("供应商处结存金额", "Value at suppliers"),
    "adjusted": ("加工费补差", "Fee adjustments"),
    "variance": ("成本差异合计", "Total variance"),
    "revenue": ("销售收入", "Revenue"), "cost": ("销售成本", "Cost of sales"),
    "profit": ("毛利", "Profit"), "margin": ("毛利率 %", "Margin %"),
}


def _figure(key: str, value: float, lang: str) -> tuple[str, float]:
    return _FIGURES[key][0 if lang == "zh" else 1], float(value)


def _end(tables: Tables, options: Mapping[str, Any]) -> dt.date | None:
    """The report date: ``to``, else the settings sheet's planning date."""
    dated, _ = dated_options(tables.get("settings"), {"date": options.get("to")})
    return option_date(dated.get("date"), "to")


def _labelled(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """`column` as "order / line", so the chart tells the lines of one order apart."""
    return frame.assign(**{column: frame["order_no"].astype(str) + " / "
                           + frame["line_no"].astype(str)})


def shortage_by_component(shortages: pd.DataFrame) -> pd.DataFrame:
    """Short qty and order lines per component, largest shortage first."""
    grouped = shortages.groupby("component_code", as_index=False, sort=True).agg(
        component_name=("component_name", "first"), short_qty=("short_qty", "sum"),
        order_lines=("order_no", "size"))
    return grouped.sort_values(["short_qty", "component_code"], ascending=[False, True],
                               kind="stable", ignore_index=True)


def variance_by_element(variance: pd.DataFrame) -> pd.DataFrame:
    columns = ["standard_cost", "actual_cost", "total_variance"]
    return variance.groupby("element", as_index=False, sort=True)[columns].sum().round(2)


def _shortage(result: Result, tables: Tables, options: Mapping[str, Any], lang: str
              ) -> Result:
    orders, short = result.tables["kit_orders"], result.tables["kit_shortages"]
    figures = [_figure("order_lines", len(orders), lang),
               _figure("kitted", int(orders["kitted"].sum()), lang),
               _figure("short_lines", len(short), lang),
               _figure("short_qty", round(float(short["short_qty"].sum()), 4), lang)]
    block = SummaryBlock("shortage_by_component", shortage_by_component(short).head(TOP),
                         "bar", category="component_code", values="short_qty")
    return Result(tables={"kit_orders": orders, "kit_shortages": short},
                  row_styles=result.row_styles, summary=Summary(figures, [block]))


def _progress(result: Result, tables: Tables, options: Mapping[str, Any], lang: str
              ) -> Result:
    return Result(tables=dict(result.tables), row_styles=result.row_styles,
                  summary=result.summary)


def _subcontract(result: Result, tables: Tables, options: Mapping[str, Any], lang: str
                 ) -> Result:
    moves = result.tables["stock_moves"]
    end = _end(tables, options) or (moves["doc_date"].max().date() if len(moves)
                                    else dt.date.today())
    tracking = subcontract_tracking(tables.get("subcontract_orders"),
                                    tables.get("subcontract_materials"), moves,
                                    pd.Timestamp(end))
    balances, fees = result.tables["supplier_balances"], result.tables["fee_adjustments"]
    figures = [_figure("sub_lines", len(tracking), lang),
               _figure("open", round(float(tracking["open_qty"].sum()), 4), lang),
               _figure("overdue", int(tracking["overdue"].sum()), lang),
               _figure("at_suppliers", round(float(balances["balance_value"].sum()), 2), lang),
               _figure("adjusted", round(float(fees["adjustment"].sum()), 2), lang)]
    open_lines = tracking[tracking["open_qty"] > 1e-9].sort_values(
        ["open_qty", "order_no", "line_no"], ascending=[False, True, True], kind="stable")
    blocks = [SummaryBlock("subcontract_tracking", _labelled(open_lines, "order_no").head(TOP),
                           "bar", category="order_no", values="open_qty")]
    if len(balances):
        chart = balances.assign(component_code=balances["supplier_code"] + " / "
                                + balances["component_code"])
        blocks.append(SummaryBlock("supplier_balances", chart.head(TOP), "bar",
                                   category="component_code", values="balance_qty"))
    return Result(tables={"subcontract_tracking": tracking, "supplier_balances": balances,
                          "fee_adjustments": fees}, summary=Summary(figures, blocks))


def _cost(result: Result, tables: Tables, options: Mapping[str, Any], lang: str) -> Result:
    composition = result.tables.get("cost_composition", pd.DataFrame(
        columns=TABLES["cost_composition"].column_names))
    variance = result.tables.get("cost_variance", pd.DataFrame(
        columns=TABLES["cost_variance"].column_names))
    own = result.summary or Summary()
    figures = [*own.figures, _figure("variance", round(float(
        variance["total_variance"].sum()), 2), lang)]
    blocks = [*own.blocks, SummaryBlock("variance_by_element", variance_by_element(variance),
                                        "column", category="element",
                                        values="total_variance")]
    return Result(tables={"cost_composition": composition, "cost_variance": variance},
                  summary=Summary(figures, blocks))


def _profit(result: Result, tables: Tables, options: Mapping[str, Any], lang: str) -> Result:
    profit = result.tables.get("order_profit", pd.DataFrame(
        columns=TABLES["order_profit"].column_names))
    revenue, cost = float(profit["revenue"].sum()), float(profit["cost"].sum())
    figures = [_figure("order_lines", len(profit), lang),
               _figure("revenue", round(revenue, 2), lang),
               _figure("cost", round(cost, 2), lang),
               _figure("profit", round(revenue - cost, 2), lang),
               _figure("margin", round(100.0 * (revenue - cost) / revenue, 2)
                       if revenue else 0.0, lang)]
    top = profit.sort_values(["profit", "order_no", "line_no"], ascending=[False, True, True],
                             kind="stable")
    block = SummaryBlock("order_profit", _labelled(top, "order_no").head(TOP), "bar",
                         category="order_no", values="profit")
    return Result(tables={"order_profit": profit}, summary=Summary(figures, [block]))


# report -> (owning command, the options it gets, the report built from its result)
_Build = Callable[[Result, Tables, Mapping[str, Any], str], Result]
_SOURCES: dict[str, tuple[str, tuple[str, ...], _Build]] = {
    "shortage": ("kit", ("mode", "orders"), _shortage),
    "progress": ("alerts", ("close_after_days", "closed_through", "receipt_tolerance"),
                 _progress),
    "subcontract": ("post", ("closed_through", "receipt_tolerance", "subcontract_tolerance",
                             "inspection_warehouse"), _subcontract),
    "cost": ("cost", ("period", "closed_through", "receipt_tolerance"), _cost),
    "profit": ("cost", ("period", "closed_through", "receipt_tolerance"), _profit),
}


def reused_report(name: str, tables: Tables, options: Mapping[str, Any]) -> Result:
    """Report `name` from its owning command's result (see the module docstring)."""
    source, passed, build = _SOURCES[name]
    lang = "zh" if options.get("lang") == "zh" else "en"
    command = COMMANDS[source]
    missing = [t for t in command.inputs if tables.get(t) is None]
    if missing:
        return Result(issues=[Issue("report_needs_table", sheet=t, params={
            "report": name, "table": TABLES[t].sheet_name(lang)}) for t in missing])
    given = {k: options[k] for k in passed if options.get(k) not in (None, "")}
    to = options.get("to")
    if to:  # the report date: the kitting date, the alerts' and the BOM's as-of date
        given.update(date=to, as_of=to)
    result = addin.commands.run(source, tables, {**given, "lang": lang})
    issues = sort_issues(result.issues)
    if not result.ok:
        return Result(issues=issues)
    report = build(result, tables, options, lang)
    report.issues, report.messages = issues, list(result.messages)
    return report
