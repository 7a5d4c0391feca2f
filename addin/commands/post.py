"""`post`: post the shop-floor and stock documents of a workbook (DOMAIN §6).

The Stock sheet is the opening balance (stock at the last period close, with an optional
unit cost; else the item's standard cost). Every run posts every document sheet on top
of it and rewrites Stock moves, Stock ledger, Supplier and Product quality, so a run is
repeatable and the ledger always reconciles with opening + documents. Receipt notices go
through the inspection warehouse and inspections move the judged goods on; a notice
may stand for a purchase, a production task's receipt or a subcontract receipt.

Subcontract issues, returns, receipts and fee invoices, and consigned (customer material)
receipts post with the rest; Supplier balances and Fee adjustments are written too.

Options: ``closed_through`` (documents dated on or before it are refused),
``receipt_tolerance`` (over-receipt of a task as a fraction, default 0),
``subcontract_tolerance`` (over-receipt of a subcontract order, default 0),
``inspection_warehouse`` (default: the first warehouse of type inspection), ``lang``.
Each of them, left blank, is taken from the Settings sheet when it is there
(`POST_SETTINGS`). A reversal (``reverses_doc_no``) may name any document of the same
workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import dated_options, option_date, option_number
from addin.engines import quality
from addin.engines.checks import setting_rows
from addin.engines.posting import (
    POSTING_TABLES,
    Posting,
    PostingContext,
    post_documents,
    stack_documents,
)
from addin.errors import UsageError
from addin.issues import Issue, Message, has_errors, register, sort_issues

OUTPUTS = ("stock_moves", "stock_ledger", "quality_rates", "product_quality",
           "supplier_balances", "fee_adjustments")
# name -> (aliases, help zh, help en), read from the settings sheet like PLAN_SETTINGS
POST_SETTINGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "closed_through": (("结账日期", "closed through", "period closed through"),
                       "已结账至该日（含），此前日期的单据不能过账",
                       "Period closed through this date: earlier documents are refused"),
    "receipt_tolerance": (("完工超收比例", "receipt tolerance"),
                          "生产任务允许超收的比例，如 0.05", "Over-receipt of a task, e.g. 0.05"),
    "subcontract_tolerance": (("委外超收比例", "subcontract tolerance"),
                              "委外订单允许超收的比例，如 0.05",
                              "Over-receipt of a subcontract order, e.g. 0.05"),
    "inspection_warehouse": (("待检仓", "inspection warehouse"), "收料待检的仓库",
                             "Warehouse that holds goods until inspected"),
}
_FIGURES = {"posted": ("过账单据", "Documents posted"), "refused": ("拒绝单据", "Refused"),
            "moves": ("库存流水", "Stock moves"),
            "at_suppliers": ("供应商处结存金额", "Value at suppliers"),
            "adjusted": ("加工费补差", "Fee adjustments")}

register({
    "post_bad_setting": Message(
        "设置「{setting}」的值 {value} 无效", 'Setting "{setting}": {value} is not valid',
        "日期写成 2026-01-31，比例写成 0.05", "Write dates as 2026-01-31 and rates as 0.05"),
})


def settings_options(settings: pd.DataFrame | None, options: Mapping[str, Any]
                     ) -> tuple[dict[str, Any], list[Issue]]:
    """`options` completed from the Settings sheet where they are blank; a bad value on
    the sheet is an error, and the option is left as it was."""
    merged, found = dict(options), []
    for name, (text, row) in setting_rows(settings, POST_SETTINGS).items():
        given = options.get(name)
        if not text or not (given is None or (isinstance(given, str) and not given.strip())):
            continue
        try:
            if name == "closed_through":
                option_date(text, name)
            elif name != "inspection_warehouse":
                option_number(text, name)
        except UsageError:
            found.append(Issue("post_bad_setting", "error", "settings", row, "value", text,
                               {"setting": name}))
            continue
        merged[name] = text
    return merged, found


def _inspection_warehouse(tables: Tables, options: Mapping[str, Any]) -> str:
    chosen = options.get("inspection_warehouse")
    if chosen:
        return str(chosen)
    warehouses = tables.get("warehouses")
    if warehouses is None:
        return ""
    found = warehouses.loc[warehouses["warehouse_type"].eq("inspection"), "warehouse_code"]
    return str(found.sort_values().iloc[0]) if len(found) else ""


def _rows(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """None for a sheet without rows: its rules are skipped rather than refusing all."""
    return frame if frame is not None and len(frame) else None


def post_tables(tables: Tables, options: Mapping[str, Any]
                ) -> tuple[Posting, list[Issue], pd.DataFrame]:
    """Post every document of `tables`; returns the posting, the quality issues and the
    supplier quality rates."""
    options, found = settings_options(tables.get("settings"), options)
    tolerance = option_number(options.get("receipt_tolerance"), "receipt_tolerance") or 0.0
    if tolerance < 0:
        raise UsageError("receipt_tolerance must be 0 or more, e.g. 0.05 for 5 %")
    sub_tolerance = option_number(options.get("subcontract_tolerance"),
                                  "subcontract_tolerance") or 0.0
    ctx = PostingContext(
        opening=tables.get("stock"), items=tables.get("items"),
        warehouses=tables.get("warehouses"), tasks=tables.get("production_tasks"),
        materials=tables.get("task_materials"),
        closed_through=option_date(options.get("closed_through"), "closed_through"),
        receipt_tolerance=tolerance, suppliers=_rows(tables.get("suppliers")),
        subcontract_orders=tables.get("subcontract_orders"),
        subcontract_materials=tables.get("subcontract_materials"),
        subcontract_prices=tables.get("subcontract_prices"),
        subcontract_tolerance=sub_tolerance)
    lines = stack_documents(tables)
    notices, checks = tables.get("receipt_notices"), tables.get("inspections")
    rates = pd.DataFrame()
    if notices is not None:
        notices = quality.prepare_notices(notices, ctx.tasks, ctx.subcontract_orders)
        where = _inspection_warehouse(tables, options)
        lines = pd.concat([lines, quality.notice_lines(notices, ctx.items, where)],
                          ignore_index=True)
        if checks is not None:
            judged = quality.inspection_lines(checks, notices, ctx.items, where)
            lines = pd.concat([lines, judged.lines], ignore_index=True)
            found, rates = [*found, *judged.issues], quality.quality_rates(checks, notices)
    # Reversals look up the moves of the documents they reverse: post those first, then
    # everything together with the reversal lines at the costs found.
    reversing = lines["reverses_doc_no"].fillna("").ne("")
    first = post_documents(lines[~reversing], ctx) if reversing.any() else None
    final = ctx if first is None else PostingContext(**{**ctx.__dict__,
                                                        "prior_moves": first.moves})
    return post_documents(lines, final), found, rates


def post_for_report(tables: Tables, options: Mapping[str, Any]
                    ) -> tuple[dict[str, Any], Posting | None, pd.DataFrame, list[Issue]]:
    """For a command that reports on what happened (report, suggest): the options with
    the settings sheet's planning date, the posting, the supplier quality rates and every
    finding, sorted. The posting is None when a setting or a document is wrong: a report
    on a half-posted book would be wrong in ways nobody sees."""
    dated, found = dated_options(tables.get("settings"), options)
    if has_errors(found):
        return dated, None, pd.DataFrame(), sort_issues(found)
    posting, judged, rates = post_tables(tables, options)
    issues = sort_issues([*found, *judged, *posting.issues])
    return dated, None if has_errors(issues) else posting, rates, issues


def _product_rates(tables: Tables) -> pd.DataFrame:
    """Pass and acceptance rates per product of the production receipt notices."""
    notices, checks = tables.get("receipt_notices"), tables.get("inspections")
    if notices is None or checks is None:
        return pd.DataFrame()
    return quality.product_rates(checks, quality.prepare_notices(
        notices, tables.get("production_tasks"), tables.get("subcontract_orders")))


def summary(posting: Posting, lang: str) -> str:
    ok, refused = len(posting.posted), len(posting.refused)
    if lang == "zh":
        return f"过账单据 {ok} 张，拒绝 {refused} 张，生成库存流水 {len(posting.moves)} 行"
    return f"{ok} documents posted, {refused} refused, {len(posting.moves)} stock moves"


def summary_sheet(posting: Posting, lang: str, products: pd.DataFrame | None = None
                  ) -> Summary:
    """Key figures; when goods sit at suppliers, their balances as a bar chart; when
    production goods were inspected, the acceptance rate per product."""
    balances = posting.supplier_balances
    values = {"posted": len(posting.posted), "refused": len(posting.refused),
              "moves": len(posting.moves),
              "at_suppliers": round(float(balances["balance_value"].sum()), 2),
              "adjusted": round(float(posting.fee_adjustments["adjustment"].sum()), 2)}
    figures = [(_FIGURES[k][0 if lang == "zh" else 1], float(v)) for k, v in values.items()]
    blocks = []
    if len(balances):
        chart = balances.assign(component_code=balances["supplier_code"] + " / "
                                + balances["component_code"])
        blocks.append(SummaryBlock("supplier_balances", chart, chart="bar",
                                   category="component_code", values="balance_qty"))
    if products is not None and len(products):
        blocks.append(SummaryBlock("product_quality", products, chart="bar",
                                   category="item_code", values="acceptance_rate"))
    return Summary(figures=figures, blocks=blocks)


@command("post", "过账", "Post documents", inputs=("items", "warehouses"),
         optional=POSTING_TABLES,
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="过账领料、补料、退料、产品入库、采购入库/退货、收料通知与检验、"
                        "委外发料/退料/入库/加工费发票、受托来料，生成库存流水、移动平均"
                        "明细账、供应商处结存与加工费补差",
         description_en="Post issues, supplements, returns, product and purchase receipts, "
                        "receipt notices and inspections, subcontract issues, returns, "
                        "receipts and fee invoices and consigned receipts into stock moves, "
                        "a moving-average stock ledger, supplier balances and fee "
                        "adjustments")
def run_post(tables: Tables, options: Mapping[str, Any]) -> Result:
    posting, found, rates = post_tables(tables, options)
    issues = sort_issues([*found, *posting.issues])
    lang = options.get("lang", "en")
    products = _product_rates(tables)
    return Result(tables={"stock_moves": posting.moves, "stock_ledger": posting.ledger,
                          "quality_rates": rates, "product_quality": products,
                          "supplier_balances": posting.supplier_balances,
                          "fee_adjustments": posting.fee_adjustments},
                  issues=issues, messages=[summary(posting, lang)],
                  summary=summary_sheet(posting, lang, products))
