"""`suggest`: feedback suggestions a planner reviews (DOMAIN §9, 优化建议).

Posts the workbook's documents (as `post` does) and learns from what really happened:
safety stock from demand variability and lead time, BOM usage and loss rate from actual
consumption, a supplier scorecard and the preferred supplier per item. The suggestions
are result sheets only: the command never returns updates, so no master-data cell
changes; a planner copies the accepted rows back.

Options: ``periods`` (6) of ``period_days`` (30) ending at ``to`` (default the settings
sheet's planning date, else the last move, else today); ``service_level`` (0.95);
``tolerance_days`` (0, late deliveries); ``min_tasks`` (2), ``min_variance`` (0.02) and
``min_confidence`` (0.9) for a usage suggestion; ``lang``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import option_date, option_number
from addin.commands.post import post_for_report
from addin.engines import scorecard, suggestions
from addin.engines.posting import POSTING_TABLES
from addin.errors import UsageError
from addin.issues import sort_issues

OUTPUTS = ("safety_stock_suggestions", "usage_suggestions", "supplier_scorecard",
           "preferred_suppliers")
_TEXT = {
    "window": ("依据 {start} 至 {end} 共 {periods} 期（每期 {days} 天）的实际数据，"
               "服务水平 {level:.0%}",
               "From {periods} periods of {days} days, {start} to {end}; service level "
               "{level:.0%}"),
    "done": ("安全库存建议 {ss} 项，BOM用量建议 {usage} 项（需调整 {moves} 项），"
             "评分供应商 {suppliers} 家；未修改任何主数据",
             "{ss} safety stock rows, {usage} BOM usage rows ({moves} to change), "
             "{suppliers} suppliers scored; no master data was changed"),
    "ss_up": ("建议调高安全库存的物料", "Items whose safety stock should rise"),
    "repeated": ("反复缺料的物料", "Items short repeatedly"),
    "usage_moves": ("建议调整用量/损耗的子项", "BOM lines to adjust"),
    "switch": ("建议更换默认供应商的物料", "Items with a better supplier"),
}


def text(key: str, lang: str, **params: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**params)


def _number(options: Mapping[str, Any], name: str, default: float) -> float:
    value = option_number(options.get(name), name)
    return default if value is None else value


def history(options: Mapping[str, Any], moves: pd.DataFrame,
            today: dt.date | None = None) -> suggestions.History:
    """The window from the options; a bad option is a usage error."""
    end = option_date(options.get("to"), "to") or option_date(options.get("date"))
    if end is None:
        end = moves["doc_date"].max().date() if len(moves) else today or dt.date.today()
    periods = _number(options, "periods", 6)
    days = _number(options, "period_days", 30)
    if periods < 2 or not float(periods).is_integer():
        raise UsageError(f"periods must be a whole number of at least 2; got {periods:g}")
    if days < 1 or not float(days).is_integer():
        raise UsageError(f"period_days must be a whole number of at least 1; got {days:g}")
    return suggestions.History(pd.Timestamp(end), int(periods), int(days))


def service_level(options: Mapping[str, Any]) -> float:
    level = _number(options, "service_level", 0.95)
    if not 0.5 <= level < 1:
        raise UsageError(f"service_level must be at least 0.5 and below 1, e.g. 0.95; "
                         f"got {level:g}")
    return level


def _names(frame: pd.DataFrame | None, key: str, name: str) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype=object)
    return frame.drop_duplicates(key).set_index(key)[name]


def _summary(tables: Tables, lang: str) -> Summary:
    ss, usage = tables["safety_stock_suggestions"], tables["usage_suggestions"]
    ranked, best = tables["supplier_scorecard"], tables["preferred_suppliers"]
    rising = ss[ss["change"] > 0].sort_values(["change", "item_code"],
                                              ascending=[False, True], kind="stable")
    figures = [(text("ss_up", lang), len(rising)),
               (text("repeated", lang), int(ss["repeated_shortage"].sum())),
               (text("usage_moves", lang), int(usage["action"].isin(("raise", "lower")).sum())),
               (text("switch", lang), int(best["switch"].sum()))]
    top = rising[["item_code", "current_safety_stock", "suggested_safety_stock",
                  "repeated_shortage"]]
    scores = ranked[["supplier_code", "on_time_rate", "acceptance_rate", "score"]]
    blocks = [SummaryBlock("safety_top", top, "bar", values="suggested_safety_stock"),
              SummaryBlock("score_top", scores, "bar", values="score")]
    return Summary(figures, blocks)


@command("suggest", "优化建议", "Suggestions", inputs=("items",),
         optional=(*POSTING_TABLES, "warehouses", "sales_orders", "purchase_orders",
                   "kit_shortages"),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="根据实际数据建议安全库存、BOM用量与损耗率、首选供应商（不修改主数据）",
         description_en="Suggest safety stock, BOM usage and loss rates and preferred "
                        "suppliers from what really happened (master data is not changed)")
def run_suggest(tables: Tables, options: Mapping[str, Any]) -> Result:
    dated, posting, rates, issues = post_for_report(tables, options)
    if posting is None:
        return Result(issues=issues)
    window, level = history(dated, posting.moves), service_level(options)
    tolerance = int(_number(options, "tolerance_days", 0))
    items, moves = tables["items"], posting.moves
    item_names = _names(items, "item_code", "item_name")
    supplier_names = _names(tables.get("suppliers"), "supplier_code", "supplier_name")

    matched = scorecard.match_orders(scorecard.receipts(dict(tables), set(moves["doc_no"])),
                                     tables.get("purchase_orders"))
    recent = matched[window.period(matched["doc_date"]) >= 0]
    matrix, source = suggestions.demand_matrix(moves, tables.get("sales_orders"), window)
    shortages = pd.concat([suggestions.stockout_periods(posting.ledger, window),
                           suggestions.kit_short_lines(tables.get("kit_shortages"))]
                          ).groupby(level=0).sum()
    ss, ss_issues = suggestions.safety_stock_suggestions(
        matrix, source, items, window, level, scorecard.lead_time_sigma(matched), shortages)
    materials = tables.get("task_materials")
    usage = suggestions.usage_suggestions(
        suggestions.task_usage(moves, materials, tables.get("production_tasks"), window)
        if materials is not None else pd.DataFrame(), item_names,
        min_tasks=int(_number(options, "min_tasks", 2)),
        min_variance=_number(options, "min_variance", 0.02),
        min_confidence=_number(options, "min_confidence", 0.9))
    result_tables = {
        "safety_stock_suggestions": ss, "usage_suggestions": usage,
        "supplier_scorecard": scorecard.supplier_scorecard(recent, rates, supplier_names,
                                                           tolerance),
        "preferred_suppliers": scorecard.preferred_suppliers(recent, rates, items,
                                                             supplier_names, tolerance)}
    lang = options.get("lang", "en")
    messages = [text("window", lang, start=window.start.date(), end=window.end.date(),
                     periods=window.periods, days=window.period_days, level=level),
                text("done", lang, ss=len(ss), usage=len(usage),
                     moves=int(usage["action"].isin(("raise", "lower")).sum()),
                     suppliers=len(result_tables["supplier_scorecard"]))]
    return Result(tables=result_tables, issues=sort_issues([*issues, *ss_issues]),
                  messages=messages, summary=_summary(result_tables, lang))
