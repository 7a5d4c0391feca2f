"""`alerts`: progress alerts of the production tasks (生产任务跟踪预警, DOMAIN §6).

Posts the workbook's documents (as `post` does, without writing its sheets) on top of
the task and material-list sheets, then writes Production alerts and Task progress and
fills the Summary sheet as the dashboard: counts per alert kind and tasks by
completion, each with a native chart.

Options: ``as_of`` — the date alerts are judged on; default the settings sheet's
planning_date, else today; ``close_after_days`` — days after finishing before an open,
fully stocked-in task is "not closed" (default: the settings sheet's close_after_days,
else 7); ``closed_through`` and ``receipt_tolerance`` as for `post`; ``lang``.
Documents that posting refuses are not counted: each refusal is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import (
    dated_options,
    option_date,
    option_number,
    posted_documents,
)
from addin.engines.alerts import KINDS, AlertOptions, AlertResult, progress_alerts
from addin.engines.checks import setting_rows
from addin.engines.posting import POSTING_TABLES
from addin.issues import Issue, has_errors, sort_issues

OUTPUTS = ("production_alerts", "task_progress")
DEFAULT_CLOSE_AFTER = 7.0
# name -> (aliases, help zh, help en), read from the settings sheet like PLAN_SETTINGS
ALERT_SETTINGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "close_after_days": (("结案天数", "close after days", "完工后结案天数"),
                         "完工后超过这么多天仍未结案即预警（默认 7）",
                         "Alert when a finished task is still open after this many days "
                         "(default 7)"),
}
_FIGURES = {  # key figures of the dashboard (zh, en)
    "tasks": ("生产任务", "Production tasks"),
    "open": ("其中未结案", "of which open"),
    "completion": ("平均完工率 %", "Average completion %"),
    "alerts": ("预警", "Alerts"),
    "error": ("其中错误", "of which errors"),
}


def close_after(settings: pd.DataFrame | None, options: Mapping[str, Any]
                ) -> tuple[float, list[Issue]]:
    """N of "not closed": the option, else the settings sheet, else 7; a bad settings
    value is an error."""
    given = option_number(options.get("close_after_days"), "close_after_days")
    if given is not None:
        return given, []
    found = setting_rows(settings, ALERT_SETTINGS).get("close_after_days")
    if found is None or not found[0]:
        return DEFAULT_CLOSE_AFTER, []
    text, row = found
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if days >= 0:
        return days, []
    return DEFAULT_CLOSE_AFTER, [Issue("setting_bad_days", "error", "settings", row, "value",
                                       text, {"setting": "close_after_days"})]


def dashboard(result: AlertResult, lang: str) -> Summary:
    """The Summary sheet: key figures, alerts per kind and tasks by completion."""
    progress = result.progress
    rated = progress["completion"].dropna()
    open_ = progress["status"].isin(("planned", "released"))
    values = {
        "tasks": len(progress), "open": int(open_.sum()),
        "completion": round(float(rated.mean()) * 100, 1) if len(rated) else 0.0,
        "alerts": len(result.alerts),
        "error": int(result.alerts["severity"].eq("error").sum())}
    figures = [(_FIGURES[k][0 if lang == "zh" else 1], float(v)) for k, v in values.items()]
    return Summary(figures=figures, blocks=[
        SummaryBlock("alert_counts", result.counts, chart="bar", category="alert",
                     values="count"),
        SummaryBlock("completion_overview", result.bands, chart="column", category="band",
                     values="tasks")])


_KIND_WORDS = {"overdue": ("逾期", "overdue"), "not_closed": ("未结案", "not closed"),
               "short_of_material": ("缺料", "short of material"),
               "over_issued": ("超领", "over-issued")}


def message(result: AlertResult, lang: str) -> str:
    """"7 alerts on 5 tasks (2 overdue, 1 not closed, 3 short of material, …)"."""
    counts = dict(zip(result.counts["alert"], result.counts["count"], strict=True))
    zh = lang == "zh"
    parts = [f"{_KIND_WORDS[k][0]} {counts[k]}" if zh else f"{counts[k]} {_KIND_WORDS[k][1]}"
             for k in KINDS]
    if zh:
        return (f"生产任务 {len(result.progress)} 个，预警 {len(result.alerts)} 条（"
                + "，".join(parts) + "）")
    alerts, tasks = len(result.alerts), len(result.progress)
    return (f"{alerts} alert{'s' * (alerts != 1)} on {tasks} task{'s' * (tasks != 1)} "
            f"({', '.join(parts)})")


@command("alerts", "生产任务预警", "Progress alerts", inputs=("production_tasks",),
         optional=("items", "warehouses", *POSTING_TABLES),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="生产任务的完工率、领料率，以及逾期、缺料、超领、完工未结案预警",
         description_en="Completion and issue progress of the production tasks, with alerts "
                        "for overdue, short of material, over-issued and not closed")
def run_alerts(tables: Tables, options: Mapping[str, Any]) -> Result:
    dated, issues = dated_options(tables.get("settings"), {"date": options.get("as_of")})
    days, found = close_after(tables.get("settings"), options)
    issues += found
    if has_errors(issues):
        return Result(issues=sort_issues(issues))
    lang = "zh" if options.get("lang") == "zh" else "en"
    as_of = option_date(dated.get("date"), "as_of") or dt.date.today()
    moves, reversed_, warned = posted_documents(tables, options)
    result = progress_alerts(
        tables["production_tasks"], tables.get("task_materials"), moves, reversed_,
        tables.get("stock"), tables.get("warehouses"), tables.get("items"),
        AlertOptions(as_of=as_of, close_after_days=days, lang=lang))
    return Result(
        tables={"production_alerts": result.alerts, "task_progress": result.progress},
        issues=sort_issues([*issues, *warned, *result.issues]),
        messages=[message(result, lang)],
        row_styles={"production_alerts": result.alerts["severity"].astype(object),
                    "task_progress": result.progress["severity"].astype(object)},
        summary=dashboard(result, lang))
