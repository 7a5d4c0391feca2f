"""`plan`: run MRP on the workbook's tables and write planned orders, the MRP record,
pegging and exceptions.

Options (front ends pass text or typed values):
* ``date`` — planning date: a date, a datetime or ISO text; default the settings sheet's
  ``planning_date``, else today (period 1 when the bucket is "period");
* ``bucket`` — day, week, month or period; default the settings sheet's ``bucket``, else day;
* ``merge_days`` — one merge window for every item; default the settings sheet's
  ``merge_days``, else each item's own;
* ``horizon_days``, ``inflation_warn_pct``, ``forecast_consumption``, ``use_calendar``;
* ``lang`` — language of messages (zh/en).

When document sheets (issues, supplements, returns, receipts, …) have rows, they are
posted first (as `post` does) and MRP plans from the result: stock after posting, open
task receipts = qty − stocked-in so far, and the material still to issue to open tasks
as allocations (`addin.engines.mrpdata.posted_inputs`). Refused documents are warnings.

With any input error the command returns the issues only, so nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from addin.commands import Result, Tables, command
from addin.engines.checks import parse_date, setting_rows
from addin.engines.mrp import INPUTS, OUTPUTS, PlanOptions, PlanResult, plan
from addin.engines.mrpdata import posted_inputs
from addin.engines.posting import POSTING_TABLES, SHEET_TYPES
from addin.engines.taskprogress import reversals
from addin.engines.timeaxis import BUCKETS
from addin.errors import UsageError
from addin.issues import Issue, Message, has_errors, register, sort_issues
from addin.schema import fold

# document sheets whose rows `plan` and `alerts` post before they run
DOCUMENTS = (*SHEET_TYPES, "receipt_notices", "inspections")
_TRUE = {"1", "true", "yes", "y", "是", "on"}
_FALSE = {"0", "false", "no", "n", "否", "off"}


def option_date(value: object, name: str = "date") -> dt.date | None:
    """A date option from a front end: a date, a datetime or ISO text; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a date; use the form 2026-01-31") from None


def option_number(value: object, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name} {value!r} is not a number") from None
    if number < 0:
        raise UsageError(f"{name} must be 0 or more; got {value!r}")
    return number


def option_bool(value: object, name: str, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise UsageError(f"{name} {value!r} is not yes/no")


# name -> (aliases, help zh, help en), read from the settings sheet like CHECK_SETTINGS
PLAN_SETTINGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "planning_date": (("计划日期", "planning date"),
                      "MRP 与生产任务的计划日期（如 2026-12-01）；留空为今天",
                      "Planning date of MRP and tasks (e.g. 2026-12-01); blank = today"),
    "bucket": (("计划时段", "planning bucket"), "计划时段：day / week / month / period",
               "Planning bucket: day, week, month or period"),
    "merge_days": (("合并天数", "merge window"), "所有物料统一的合并投放天数；留空按物料",
                   "One merge window (days) for every item; blank = each item's own"),
}
_BUCKET_WORDS = {fold(word): bucket for bucket, words in {
    "day": ("day", "日", "天"), "week": ("week", "周"), "month": ("month", "月"),
    "period": ("period", "期间")}.items() for word in words}


def plan_settings(settings: pd.DataFrame | None, options: Mapping[str, Any],
                  ) -> tuple[dict[str, object], list[Issue]]:
    """The plan settings of the workbook's settings sheet, as option values, for those the
    options leave blank; a bad value is an error when it would be used, else a warning."""
    values: dict[str, object] = {}
    issues = []
    for name, (text, row) in setting_rows(settings, PLAN_SETTINGS).items():
        if not text:
            continue
        value, code = _setting_value(name, text)
        used = _blank(options.get("date" if name == "planning_date" else name))
        if code:
            issues.append(Issue(code, "error" if used else "warning", "settings", row, "value",
                                text, {"setting": name, "allowed": ", ".join(BUCKETS)}))
        elif used:
            values["date" if name == "planning_date" else name] = value
    return values, issues


def dated_options(settings: pd.DataFrame | None, options: Mapping[str, Any],
                  ) -> tuple[dict[str, Any], list[Issue]]:
    """`options` with the planning date of the settings sheet when the options give none;
    for commands (tasks, kit) to which only the date of the plan settings applies."""
    from_sheet, issues = plan_settings(settings, options)
    issues = [i for i in issues if i.params["setting"] == "planning_date"]
    return {**options, "date": from_sheet.get("date", options.get("date"))}, issues


def _setting_value(name: str, text: str) -> tuple[object, str]:
    """(value, "") or (None, issue code)."""
    if name == "planning_date":
        date = parse_date(text)
        return (date, "") if date else (None, "setting_bad_date")
    if name == "bucket":
        bucket = _BUCKET_WORDS.get(fold(text))
        return (bucket, "") if bucket else (None, "setting_bad_bucket")
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    return (number, "") if 0 <= number < np.inf else (None, "setting_bad_days")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def plan_options(options: Mapping[str, Any], today: dt.date | None = None) -> PlanOptions:
    """PlanOptions from command options; a bad option is a usage error."""
    bucket = str(options.get("bucket") or "day").strip().lower()
    if bucket not in BUCKETS:
        raise UsageError(f"bucket {bucket!r} is not one of {', '.join(BUCKETS)}")
    date = option_date(options.get("date"))
    if date is None and bucket != "period":
        date = today or dt.date.today()
    horizon = option_number(options.get("horizon_days"), "horizon_days")
    warn = option_number(options.get("inflation_warn_pct"), "inflation_warn_pct")
    return PlanOptions(
        planning_date=date, bucket=bucket,
        horizon_days=None if horizon is None else int(horizon),
        merge_days=option_number(options.get("merge_days"), "merge_days"),
        inflation_warn_pct=100.0 if warn is None else warn,
        forecast_consumption=option_bool(options.get("forecast_consumption"),
                                         "forecast_consumption", True),
        use_calendar=option_bool(options.get("use_calendar"), "use_calendar", True),
        lang="zh" if options.get("lang") == "zh" else "en")


def posted_documents(tables: Tables, options: Mapping[str, Any]
                     ) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[Issue]]:
    """(stock moves, reversals, warnings) of the workbook's documents, posted as `post`
    does; (None, None, []) when no document sheet has a row. A document posting refuses
    is not counted, and its refusal is a warning here (`post` shows it as an error)."""
    if not any(tables.get(name) is not None and len(tables[name]) for name in DOCUMENTS):
        return None, None, []
    from addin.commands.post import post_tables  # post imports this module's helpers

    # an absent (empty) master sheet skips its posting rules instead of refusing all
    present = {k: v for k, v in tables.items() if v is not None and len(v)}
    posting, found, _ = post_tables(present, options)
    warned = [Issue(i.code, "warning", i.sheet, i.row, i.column, i.value, i.params)
              for i in [*found, *posting.issues]]
    heads = [present[name][["doc_no", "reverses_doc_no"]] for name in SHEET_TYPES
             if name in present]
    undone = reversals(pd.concat(heads, ignore_index=True)) if heads else None
    return posting.moves, undone, warned


def summary(result: PlanResult, lang: str) -> str:
    """"312 planned orders (120 purchase, 180 production, 12 subcontract), 14 exceptions"."""
    kinds = result.planned_orders["order_type"].value_counts()
    count = {k: int(kinds.get(k, 0)) for k in ("purchase", "production", "subcontract")}
    total, exceptions = len(result.planned_orders), len(result.exceptions)
    if lang == "zh":
        return (f"计划订单 {total:,} 张（采购 {count['purchase']:,}，生产 {count['production']:,}，"
                f"委外 {count['subcontract']:,}），例外 {exceptions:,} 条")
    return (f"{total:,} planned orders ({count['purchase']:,} purchase, "
            f"{count['production']:,} production, {count['subcontract']:,} subcontract), "
            f"{exceptions:,} exceptions")


@command("plan", "运行MRP", "Run MRP", inputs=("items", "bom"),
         optional=tuple(dict.fromkeys((*(n for n in INPUTS if n not in ("items", "bom")),
                                       "units", *POSTING_TABLES))),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="由销售订单、预测、库存和在途计算采购、生产和委外计划",
         description_en="Plan purchases, production and subcontracting from orders, "
                        "forecasts, stock and open supply")
def run_plan(tables: Tables, options: Mapping[str, Any]) -> Result:
    from_sheet, setting_issues = plan_settings(tables.get("settings"), options)
    if has_errors(setting_issues):
        return Result(issues=sort_issues(setting_issues))
    settings = plan_options({**options, **from_sheet})
    moves, reversed_, posted_issues = posted_documents(tables, options)
    if moves is not None:
        tables, found = posted_inputs(dict(tables), moves, reversed_)
        posted_issues += found
    result = plan(dict(tables), settings)
    issues = sort_issues([*setting_issues, *posted_issues, *result.issues])
    if has_errors(issues):
        return Result(issues=issues)
    planned = result.planned_orders
    return Result(
        tables=result.tables(), issues=issues, messages=[summary(result, settings.lang)],
        row_styles={
            "exceptions": result.exceptions["severity"].astype(object),
            "planned_orders": pd.Series(
                np.where(planned["past_due"].to_numpy(bool), "error", ""), dtype=object),
        })


register({
    "setting_bad_bucket": Message(
        "设置 {setting} 的值 {value} 不是计划时段", "Setting {setting}: {value} is not a bucket",
        "填写 {allowed} 之一", "Enter one of: {allowed}"),
    "setting_bad_days": Message(
        "设置 {setting} 的值 {value} 不是天数",
        "Setting {setting}: {value} is not a number of days",
        "填写 0 或正数，或留空", "Enter 0 or a positive number, or leave it blank"),
})
