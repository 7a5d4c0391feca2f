"""`tasks`: generate production tasks (and subcontract orders) from open sales order lines,
with their material lists, and the pushed quantities to write back (DOMAIN §4).

Options: ``orders`` (comma-separated order numbers; blank = every open line), ``date``
(planning date, default the settings sheet's planning_date, else today),
``net_against_stock`` (yes/no, default no),
``receiving_buffer_days``, ``merge_window_days``, ``lang``. With any input error nothing
is generated. The new pushed quantities go back into the Sales orders sheet as
`Result.updates`, so a second run pushes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from addin.commands import Result, Tables, command
from addin.commands.plan import dated_options, option_bool, option_date, option_number
from addin.engines.tasks import OUTPUTS, TaskOptions, TaskResult, generate_tasks
from addin.issues import has_errors, sort_issues


def task_options(options: Mapping[str, Any], today: dt.date | None = None) -> TaskOptions:
    """TaskOptions from command options; a bad option is a usage error."""
    wanted = options.get("orders")
    if isinstance(wanted, str):
        wanted = tuple(o.strip() for o in wanted.replace("，", ",").split(",") if o.strip())
    elif wanted is not None:
        wanted = tuple(str(o).strip() for o in wanted)
    buffer = option_number(options.get("receiving_buffer_days"), "receiving_buffer_days")
    window = option_number(options.get("merge_window_days"), "merge_window_days")
    return TaskOptions(
        planning_date=option_date(options.get("date")) or today or dt.date.today(),
        orders=wanted or None,
        net_against_stock=option_bool(options.get("net_against_stock"), "net_against_stock",
                                      False),
        receiving_buffer_days=buffer or 0.0, merge_window_days=window or 0.0)


def summary(result: TaskResult, lang: str) -> str:
    """"12 tasks (10 production, 2 subcontract) for 31 order lines"."""
    kinds = result.tasks["order_type"].value_counts()
    made, sub = int(kinds.get("production", 0)), int(kinds.get("subcontract", 0))
    lines = int((result.pushed["pushed_now"] > 0).sum())
    if lang == "zh":
        return f"生成任务 {made + sub} 张（生产 {made}，委外 {sub}），涉及订单行 {lines} 行"
    return (f"{made + sub} tasks ({made} production, {sub} subcontract) "
            f"for {lines} order lines")


@command("tasks", "生成生产任务", "Generate tasks", inputs=("items", "bom", "sales_orders"),
         optional=("stock", "warehouses", "unit_conversions", "units", "settings"),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="由销售订单批量生成生产任务、委外订单和投料单，并回写已下推数量",
         description_en="Turn open sales order lines into production tasks, subcontract "
                        "orders and material lists; write back the pushed quantities")
def run_tasks(tables: Tables, options: Mapping[str, Any]) -> Result:
    # only the planning date applies to tasks; bucket and merge window are the plan's
    dated, setting_issues = dated_options(tables.get("settings"), options)
    if has_errors(setting_issues):
        return Result(issues=sort_issues(setting_issues))
    result = generate_tasks(dict(tables), task_options(dated))
    issues = sort_issues([*setting_issues, *result.issues])
    if has_errors(issues):
        return Result(issues=issues)
    if result.tasks.empty:
        # Nothing left to push: keep the task sheets of the last run rather than blank them.
        nothing = "没有待下推的订单行" if options.get("lang") == "zh" else \
            "No open order lines left to push; the task sheets of the last run are kept"
        return Result(issues=issues, messages=[nothing])
    late = result.tasks["past_due"].to_numpy(bool)
    pushed = result.pushed
    return Result(tables=result.tables(), issues=issues,
                  messages=[summary(result, options.get("lang", "en"))],
                  row_styles={"generated_tasks": pd.Series(np.where(late, "error", ""),
                                                           dtype=object)},
                  updates={"sales_orders": pushed.loc[pushed["pushed_now"] > 0,
                                                      ["order_no", "line_no", "pushed_qty"]]})
