"""`post`: post the shop-floor and stock documents of a workbook (DOMAIN §6).

The Stock sheet is the opening balance (stock at the last period close, with an optional
unit cost; else the item's standard cost). Every run posts every document sheet on top
of it and rewrites Stock moves, Stock ledger and Supplier quality, so a run is
repeatable and the ledger always reconciles with opening + documents. Receipt notices go
through the inspection warehouse and inspections move the judged goods on.

Options: ``closed_through`` (documents dated on or before it are refused),
``receipt_tolerance`` (over-receipt of a task as a fraction, default 0),
``inspection_warehouse`` (default: the first warehouse of type inspection), ``lang``.
A reversal (``reverses_doc_no``) may name any document of the same workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import Result, Tables, command
from addin.commands.plan import option_date, option_number
from addin.engines import quality
from addin.engines.posting import (
    SHEET_TYPES,
    Posting,
    PostingContext,
    post_documents,
    stack_documents,
)
from addin.errors import UsageError
from addin.issues import Issue, sort_issues

OUTPUTS = ("stock_moves", "stock_ledger", "quality_rates")


def _inspection_warehouse(tables: Tables, options: Mapping[str, Any]) -> str:
    chosen = options.get("inspection_warehouse")
    if chosen:
        return str(chosen)
    warehouses = tables.get("warehouses")
    if warehouses is None:
        return ""
    found = warehouses.loc[warehouses["warehouse_type"].eq("inspection"), "warehouse_code"]
    return str(found.sort_values().iloc[0]) if len(found) else ""


def post_tables(tables: Tables, options: Mapping[str, Any]
                ) -> tuple[Posting, list[Issue], pd.DataFrame]:
    """Post every document of `tables`; returns the posting, the quality issues and the
    supplier quality rates."""
    tolerance = option_number(options.get("receipt_tolerance"), "receipt_tolerance") or 0.0
    if tolerance < 0:
        raise UsageError("receipt_tolerance must be 0 or more, e.g. 0.05 for 5 %")
    ctx = PostingContext(
        opening=tables.get("stock"), items=tables.get("items"),
        warehouses=tables.get("warehouses"), tasks=tables.get("production_tasks"),
        materials=tables.get("task_materials"),
        closed_through=option_date(options.get("closed_through"), "closed_through"),
        receipt_tolerance=tolerance)
    lines = stack_documents(tables)
    notices, checks = tables.get("receipt_notices"), tables.get("inspections")
    found: list[Issue] = []
    rates = pd.DataFrame()
    if notices is not None:
        where = _inspection_warehouse(tables, options)
        lines = pd.concat([lines, quality.notice_lines(notices, ctx.items, where)],
                          ignore_index=True)
        if checks is not None:
            judged = quality.inspection_lines(checks, notices, ctx.items, where)
            lines = pd.concat([lines, judged.lines], ignore_index=True)
            found, rates = judged.issues, quality.quality_rates(checks, notices)
    # Reversals look up the moves of the documents they reverse: post those first, then
    # everything together with the reversal lines at the costs found.
    reversing = lines["reverses_doc_no"].fillna("").ne("")
    first = post_documents(lines[~reversing], ctx) if reversing.any() else None
    final = ctx if first is None else PostingContext(**{**ctx.__dict__,
                                                        "prior_moves": first.moves})
    return post_documents(lines, final), found, rates


def summary(posting: Posting, lang: str) -> str:
    ok, refused = len(posting.posted), len(posting.refused)
    if lang == "zh":
        return f"过账单据 {ok} 张，拒绝 {refused} 张，生成库存流水 {len(posting.moves)} 行"
    return f"{ok} documents posted, {refused} refused, {len(posting.moves)} stock moves"


@command("post", "过账", "Post documents", inputs=("items", "warehouses"),
         optional=(*SHEET_TYPES, "receipt_notices", "inspections", "task_materials",
                   "production_tasks", "stock"),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="过账领料、补料、退料、产品入库、采购入库/退货、收料通知与检验，"
                        "生成库存流水与移动平均明细账",
         description_en="Post issues, supplements, returns, product and purchase receipts, "
                        "receipt notices and inspections into stock moves and a "
                        "moving-average stock ledger")
def run_post(tables: Tables, options: Mapping[str, Any]) -> Result:
    posting, found, rates = post_tables(tables, options)
    issues = sort_issues([*found, *posting.issues])
    lang = options.get("lang", "en")
    return Result(tables={"stock_moves": posting.moves, "stock_ledger": posting.ledger,
                          "quality_rates": rates},
                  issues=issues, messages=[summary(posting, lang)])
