"""`cost`: costing (DOMAIN §7) — the standard cost roll-up, or one period's actual cost.

Options: ``standard`` (yes/no, default no): yes rolls up standard costs from Items, BOM
and Cost standards into the Cost roll-up sheet; no costs the Cost objects: pools
allocated by their basis, finished vs WIP per element, and joint costs split over joint
and by-products when Joint costs are given. ``as_of`` picks the BOM lines in effect on a
date for the roll-up (default: the settings sheet's planning_date, else every line).
``period`` picks the period to cost when Cost objects and Cost pools hold several.
Actual direct material is read from Cost objects (material_cost); pricing posted issues
from the stock ledger will fill that column later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import Result, Tables, command
from addin.commands.plan import dated_options, option_bool, option_date
from addin.engines.costing import CostingResult, actual_costing, standard_costing
from addin.issues import Issue, Message, has_errors, register, sort_issues
from addin.schema import TABLES, empty_frame

STANDARD_INPUTS = ("items", "bom", "cost_standards", "unit_conversions", "units")
ACTUAL_INPUTS = ("cost_objects", "wip_lines", "cost_pools", "joint_costs", "joint_products")
OUTPUTS = ("cost_rollup", "cost_allocation", "cost_of_production", "joint_cost_split",
           "messages")

register({
    "cost_nothing_to_cost": Message(
        "「{table}」表没有数据，无法计算成本", 'There is nothing to cost: "{table}" is empty',
        "填写「{table}」表，或改用{other}", 'Fill in "{table}", or run {other} costing'),
    "cost_several_periods": Message(
        "成本对象与费用涉及多个期间：{periods}", "Cost objects and pools span several periods: "
        "{periods}", "用 period 选项指定要核算的期间（xlerp cost --period …）",
        "Choose the period to cost with the period option (xlerp cost --period …)"),
})


def _table(tables: Tables, name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return empty_frame(TABLES[name]) if frame is None else frame


def summary(result: CostingResult, standard: bool, lang: str) -> str:
    """"Standard cost of 1,204 items" / "12 cost objects: finished 64,177.78, WIP …"."""
    if standard:
        n = len(result.tables["cost_rollup"])
        return f"已卷算 {n:,} 个物料的标准成本" if lang == "zh" else \
            f"Standard cost of {n:,} items rolled up"
    production = result.tables["cost_of_production"]
    total = production[production["element"] == "total"]
    done, wip = total["finished_cost"].sum(), total["wip_cost"].sum()
    if lang == "zh":
        return f"成本对象 {len(total):,} 个：完工 {done:,.2f}，在产 {wip:,.2f}"
    return f"{len(total):,} cost objects: finished {done:,.2f}, WIP {wip:,.2f}"


def one_period(inputs: Tables, period: object) -> tuple[Tables, list[Issue]]:
    """Cost objects and pools of the chosen period; an error when none is chosen and the
    sheets hold several (costing two months in one run would mix their WIP)."""
    objects, pools = inputs["cost_objects"], inputs["cost_pools"]
    if period is not None and str(period).strip():
        wanted = str(period).strip()
        return {**inputs, "cost_objects": objects[objects["period"] == wanted],
                "cost_pools": pools[pools["period"] == wanted]}, []
    periods = sorted(set(objects["period"]) | set(pools["period"]))
    if len(periods) > 1:
        return inputs, [Issue("cost_several_periods", sheet="cost_objects", column="period",
                              params={"periods": ", ".join(periods)})]
    return inputs, []


def _empty(name: str, standard: bool, lang: str) -> Issue:
    other = ("实际成本" if standard else "标准成本") if lang == "zh" else (
        "actual" if standard else "standard")
    label = TABLES[name].sheet_name(lang)  # type: ignore[arg-type]
    return Issue("cost_nothing_to_cost", sheet=name, params={"table": label, "other": other})


@command("cost", "成本计算", "Costing", inputs=(),
         optional=(*STANDARD_INPUTS, *ACTUAL_INPUTS, "settings"), outputs=OUTPUTS,
         blocks_on_input_errors=True,
         description_zh="标准成本卷算；或实际成本：费用分配、完工与在产品、联副产品成本",
         description_en="Standard cost roll-up; or actual cost: pool allocation, finished "
                        "vs WIP, joint and by-products")
def run_cost(tables: Tables, options: Mapping[str, Any]) -> Result:
    lang = options.get("lang", "en")
    standard = option_bool(options.get("standard"), "standard", False)
    if standard:
        dated, setting_issues = dated_options(tables.get("settings"),
                                              {"date": options.get("as_of")})
        as_of = option_date(dated["date"], "as_of")
        if not len(_table(tables, "items")):
            return Result(issues=[_empty("items", standard, lang)])
        result = standard_costing(_table(tables, "items"), _table(tables, "bom"),
                                  _table(tables, "cost_standards"), as_of,
                                  _table(tables, "unit_conversions"))
        result.issues = sort_issues([*setting_issues, *result.issues])
    else:
        inputs = {n: _table(tables, n) for n in ACTUAL_INPUTS}
        chosen, period_issues = one_period(inputs, options.get("period"))
        if period_issues:
            return Result(issues=period_issues)
        if not len(chosen["cost_objects"]) and not len(chosen["joint_costs"]):
            return Result(issues=[_empty("cost_objects", standard, lang)])
        result = actual_costing(*(chosen[n] for n in ACTUAL_INPUTS))
    if has_errors(result.issues):
        return Result(issues=result.issues)
    return Result(tables=result.tables, issues=result.issues,
                  messages=[summary(result, standard, lang)])
