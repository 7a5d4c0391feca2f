"""`match`: three-way matching of orders, receipts/shipments and invoices (issue #10).

Options: ``period`` — the month, 'YYYY-MM' (default: the month of the latest document or
invoice); ``qty_tolerance`` — units a line may differ and still count as matched (default
0); ``price_tolerance`` — a fraction (0.01) or '1%' (default 1 %); ``tax_tolerance`` —
money per line and per invoice (default 0.01); ``tax_rate`` — the expected VAT rate
(default 13 %; 'any' skips the check); ``tax_id`` — the company's own taxpayer id, which
tells purchase from sales invoices when the Direction column is blank; ``lang``.
With any input error nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from addin.commands import Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import option_number
from addin.engines.invoicematch import (
    INPUTS,
    OPTIONAL,
    OUTPUTS,
    MatchOptions,
    MatchResult,
    latest_period,
    match_invoices,
    period_bounds,
)
from addin.errors import UsageError
from addin.issues import has_errors, sort_issues

_SKIP = {"any", "none", "off", "不检查", "任意"}


def option_fraction(value: object, name: str, default: float | None) -> float | None:
    """A rate option: 0.01, '1%' or '1 %'; None when blank (the default applies)."""
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        number = option_number(value.strip().rstrip("%％").strip(), name)
        return None if number is None else number / 100
    number = option_number(value, name)
    if number is None:
        return default
    if number > 1:
        raise UsageError(f"{name} {value!r} is more than 100 % — give a fraction such as "
                         "0.01 or write 1%")
    return number


def _default(value: float | None, default: float) -> float:
    return default if value is None else value


def match_options(options: Mapping[str, Any], tables: Tables) -> MatchOptions:
    """MatchOptions from command options; a bad option is a usage error."""
    period = str(options.get("period") or "").strip() or latest_period(tables)
    if not period:
        raise UsageError("period is missing and the workbook has no dated document — "
                         "give one such as 2026-11")
    try:
        start, end = period_bounds(period)
    except ValueError:
        raise UsageError(f"period {period!r} is not a month; use the form 2026-11") from None
    rate = options.get("tax_rate")
    skip_rate = isinstance(rate, str) and rate.strip().casefold() in _SKIP
    return MatchOptions(
        start=start, end=end,
        qty_tolerance=option_number(options.get("qty_tolerance"), "qty_tolerance") or 0.0,
        price_tolerance=option_fraction(options.get("price_tolerance"), "price_tolerance",
                                        0.01) or 0.0,
        tax_tolerance=_default(option_number(options.get("tax_tolerance"), "tax_tolerance"),
                               0.01),
        tax_rate=None if skip_rate else option_fraction(rate, "tax_rate", 0.13),
        tax_id=str(options.get("tax_id") or "").strip(),
        lang=str(options.get("lang") or "en"))


_LABELS = {
    "doc_lines": ("入库/出库行", "Receipt and shipment lines"),
    "invoice_lines": ("发票行（净额）", "Invoice lines (net)"),
    "matched": ("相符", "matched"), "partial": ("部分匹配", "partly matched"),
    "unmatched": ("未匹配", "unmatched"),
    "price_beyond": ("单价超容差", "Prices beyond tolerance"),
    "tax": ("税额差异", "Tax differences"),
    "voided": ("作废发票（已忽略）", "Voided invoices (ignored)"),
    "estimated": ("暂估金额", "Estimated (uninvoiced) amount"),
    "adjustment": ("本期成本调整", "Cost adjustment this period"),
    "purchase": ("采购", "Purchase"), "sales": ("销售", "Sales"),
    "receipt": ("入库", "receipts"), "shipment": ("出库", "shipments"),
    "invoice": ("发票", "invoices"),
}


def _label(name: str, lang: str) -> str:
    return _LABELS[name][0 if lang == "zh" else 1]


def overview(result: MatchResult, lang: str) -> pd.DataFrame:
    """Lines, qty and amount per side, kind and outcome (the summary's chart)."""
    docs = result.docs.assign(kind_=result.docs["kind"])
    invoices = result.invoices.assign(kind_="invoice")
    both = pd.concat([d[["side", "kind_", "outcome", "qty_u", "amount_c"]]
                      for d in (docs, invoices)], ignore_index=True)
    grouped = both.groupby(["side", "kind_", "outcome"], sort=False).agg(
        lines=("qty_u", "size"), qty=("qty_u", "sum"), amount=("amount_c", "sum"))
    rows = []
    for side in ("purchase", "sales"):
        for kind in ("receipt", "shipment", "invoice"):
            for outcome in ("matched", "partial", "unmatched"):
                if (side, kind, outcome) not in grouped.index:
                    continue
                found = grouped.loc[(side, kind, outcome)]
                sep = "" if lang == "zh" else " "
                rows.append({"outcome": sep.join((_label(side, lang), _label(kind, lang),
                                                  _label(outcome, lang))),
                             "lines": int(found["lines"]), "qty": found["qty"] / 1e6,
                             "amount": found["amount"] / 100})
    return pd.DataFrame(rows, columns=["outcome", "lines", "qty", "amount"])


def summary(result: MatchResult, lang: str) -> Summary:
    differences = result.differences
    figures = [
        (_label("doc_lines", lang), len(result.docs)),
        (_label("invoice_lines", lang), len(result.invoices)),
        (_label("price_beyond", lang), int((differences["kind"].eq("price")
                                            & ~differences["within_tolerance"]).sum())),
        (_label("tax", lang), int(differences["kind"].eq("tax").sum())),
        (_label("voided", lang), result.voided),
        (_label("estimated", lang), round(float(result.estimated["estimated_amount"].sum()), 2)),
        (_label("adjustment", lang), round(float(result.adjustments["adjustment"].sum()), 2)),
    ]
    block = SummaryBlock("match_overview", overview(result, lang), "bar",
                         category="outcome", values="amount")
    return Summary(figures=figures, blocks=[block])


def message(result: MatchResult, options: MatchOptions) -> str:
    docs = result.docs["outcome"].value_counts()
    count = [int(docs.get(k, 0)) for k in ("matched", "partial", "unmatched")]
    estimated = float(result.estimated["estimated_amount"].sum())
    if options.lang == "zh":
        return (f"{options.period}：单据行 相符 {count[0]}、部分开票 {count[1]}、未开票 "
                f"{count[2]}；暂估 {estimated:,.2f}")
    return (f"{options.period}: document lines matched {count[0]}, partly invoiced "
            f"{count[1]}, not invoiced {count[2]}; estimated {estimated:,.2f}")


@command("match", "发票匹配", "Match invoices", inputs=INPUTS, optional=OPTIONAL,
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="采购订单—入库—进项发票、销售订单—出库—销项发票三单匹配，"
                        "列出差异、未开票入库暂估及暂估差异调整",
         description_en="Three-way match of orders, receipts/shipments and invoices: "
                        "differences, uninvoiced receipts (estimates) and cost adjustments")
def run_match(tables: Tables, options: Mapping[str, Any]) -> Result:
    settings = match_options(options, tables)
    result = match_invoices(dict(tables), settings)
    issues = sort_issues(result.issues)
    if has_errors(issues):
        return Result(issues=issues)
    beyond = result.matches["status"].eq("price_beyond").to_numpy()
    off = ~result.differences["within_tolerance"].to_numpy(bool)
    return Result(
        tables=result.tables(), issues=issues, messages=[message(result, settings)],
        summary=summary(result, settings.lang),
        row_styles={
            "invoice_matches": pd.Series(np.where(beyond, "error", ""), dtype=object),
            "match_differences": pd.Series(np.where(off, "error", "warning"), dtype=object),
        })
