"""`cost`: costing (DOMAIN §7) — the standard cost roll-up, or one period's actual cost.

Options: ``standard`` (yes/no, default no): yes rolls up standard costs from Items, BOM
and Cost standards into the Cost roll-up sheet; with ``reroll_item`` (comma-separated
codes, or ``changed``: bought items whose standard cost differs from the last Cost
roll-up sheet) only the items above them are re-rolled and the Cost re-roll sheet lists
old and new cost. Without ``standard`` the Cost objects are costed: direct material from
the posted documents when the workbook has document sheets (issues + supplements −
returns at issue cost; else the Direct material column), pools allocated by their basis,
semi-finished costs transferred level by level, finished vs WIP, cost restoration,
composition, variances, order profit, subcontract receipts and joint products.
``as_of`` picks the BOM lines in effect on a date (default: the settings sheet's
planning_date, else every line). ``period`` picks the period to cost when Cost objects
and Cost pools hold several. ``closed_through`` and ``receipt_tolerance`` go to posting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import COMMANDS, Result, Summary, SummaryBlock, Tables, command
from addin.commands.plan import dated_options, option_bool, option_date
from addin.commands.post import post_tables
from addin.engines.costcomposition import finished_by_element
from addin.engines.costing import CostingResult, standard_costing
from addin.engines.periodclose import cost_period
from addin.engines.posting import SHEET_TYPES
from addin.engines.rollup import ancestors
from addin.issues import Issue, Message, has_errors, register, sort_issues
from addin.schema import TABLES, empty_frame

STANDARD_INPUTS = ("items", "bom", "cost_standards", "unit_conversions", "units",
                   "cost_rollup")
ACTUAL_INPUTS = ("cost_objects", "wip_lines", "cost_pools", "joint_costs", "joint_products")
DOCUMENTS = (*SHEET_TYPES, "receipt_notices", "inspections")
# what posting reads (documents, stock, tasks, subcontract orders …) + orders for profit
_POST = COMMANDS["post"]
LEDGER_INPUTS = tuple(dict.fromkeys((*DOCUMENTS, *_POST.inputs, *_POST.optional,
                                     "production_tasks", "sales_orders")))
OUTPUTS = ("cost_rollup", "cost_reroll", "cost_allocation", "cost_of_production",
           "task_material_cost", "cost_restoration", "cost_composition", "cost_variance",
           "order_profit", "subcontract_cost", "joint_cost_split", "messages")

register({
    "cost_nothing_to_cost": Message(
        "「{table}」表没有数据，无法计算成本", 'There is nothing to cost: "{table}" is empty',
        "填写「{table}」表，或改用{other}", 'Fill in "{table}", or run {other} costing'),
    "cost_several_periods": Message(
        "成本对象与费用涉及多个期间：{periods}", "Cost objects and pools span several periods: "
        "{periods}", "用 period 选项指定要核算的期间（xlerp cost --period …）",
        "Choose the period to cost with the period option (xlerp cost --period …)"),
    "cost_reroll_no_previous": Message(
        "没有上次的「标准成本卷算」表，无法比较重算前后的成本",
        'There is no earlier "Cost roll-up" sheet to re-roll from',
        "先运行一次标准成本卷算（xlerp cost --standard）",
        "Roll up once first (xlerp cost --standard)"),
    "cost_reroll_unknown_item": Message(
        "要重算的物料 {value} 不在物料表中", "Item {value} to re-roll is not in Items",
        "检查 reroll_item 中的物料编码", "Check the item codes given to reroll_item"),
})


def _table(tables: Tables, name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return empty_frame(TABLES[name]) if frame is None else frame


def summary(result: CostingResult, standard: bool, lang: str) -> str:
    """"Standard cost of 1,204 items" / "12 cost objects: finished 64,177.78, WIP …"."""
    if standard:
        if "cost_reroll" in result.tables:
            n = len(result.tables["cost_reroll"])
            return f"已重算 {n:,} 个物料的标准成本" if lang == "zh" else \
                f"Standard cost of {n:,} items re-rolled"
        n = len(result.tables["cost_rollup"])
        return f"已卷算 {n:,} 个物料的标准成本" if lang == "zh" else \
            f"Standard cost of {n:,} items rolled up"
    production = result.tables.get("cost_of_production")
    if production is None:
        return "联副产品成本已分配" if lang == "zh" else "Joint costs split"
    total = production[production["element"] == "total"]
    done, wip = total["finished_cost"].sum(), total["wip_cost"].sum()
    if lang == "zh":
        return f"成本对象 {len(total):,} 个：完工 {done:,.2f}，在产 {wip:,.2f}"
    return f"{len(total):,} cost objects: finished {done:,.2f}, WIP {wip:,.2f}"


def summary_sheet(result: CostingResult, lang: str) -> Summary | None:
    """Key figures and the finished cost by element (a column chart) of an actual run."""
    composition = result.tables.get("cost_composition")
    if composition is None:
        return None
    total = composition[composition["element"].eq("total")]
    zh = lang == "zh"
    figures = [("产品数" if zh else "Products", float(len(total))),
               ("期初在产" if zh else "Opening WIP", round(total["opening_cost"].sum(), 2)),
               ("本期投入" if zh else "Input", round(total["added_cost"].sum(), 2)),
               ("完工成本" if zh else "Finished", round(total["finished_cost"].sum(), 2)),
               ("期末在产" if zh else "Closing WIP", round(total["wip_cost"].sum(), 2))]
    return Summary(figures=figures, blocks=[SummaryBlock(
        "cost_composition", finished_by_element(composition), "column", category="element",
        values="finished_cost")])


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


def changed_items(text: str, items: pd.DataFrame, previous: pd.DataFrame) -> list[str]:
    """The items named in `reroll_item`; ``changed``: bought items (no BOM of their own in
    the last roll-up: lower-level cost 0) whose standard cost is no longer the one rolled."""
    if text.strip().casefold() != "changed":
        return sorted({c.strip() for c in text.split(",") if c.strip()})
    old = previous.set_index("item_code")
    leaf = old.index[old["lower_level_cost"].fillna(0.0).eq(0.0)]
    cost = items.drop_duplicates("item_code").set_index("item_code")["standard_cost"]
    both = leaf.intersection(cost.index)
    moved = (cost.reindex(both) - old["unit_cost"].reindex(both)).abs() > 1e-9
    return sorted(both[moved.to_numpy()])


def reroll_result(result: CostingResult, tables: Tables, text: str,
                  as_of: dt.date | None) -> CostingResult:
    """Re-roll only the items above the changed ones: their rows of the new roll-up
    replace the last Cost roll-up's; Cost re-roll lists old and new cost."""
    previous, items = _table(tables, "cost_rollup"), _table(tables, "items")
    if not len(previous):
        return CostingResult({}, [Issue("cost_reroll_no_previous", sheet="cost_rollup")])
    changed = changed_items(text, items, previous)
    unknown = [c for c in changed if c not in set(items["item_code"])]
    if unknown:
        return CostingResult({}, [Issue("cost_reroll_unknown_item", sheet="items",
                                        column="item_code", value=c) for c in unknown])
    affected = ancestors(_table(tables, "bom"), pd.Index(changed, dtype=object), as_of)
    new = result.tables["cost_rollup"]
    fresh = new[new["item_code"].isin(affected)]
    kept = previous[~previous["item_code"].isin(affected)][list(new.columns)]
    rollup = pd.concat([kept, fresh], ignore_index=True).sort_values(
        ["low_level_code", "item_code"], kind="stable", na_position="last",
        ignore_index=True)
    old = previous.set_index("item_code")["unit_cost"].reindex(fresh["item_code"])
    reroll = pd.DataFrame({"item_code": fresh["item_code"].to_numpy(dtype=object),
                           "old_unit_cost": old.to_numpy(float),
                           "new_unit_cost": fresh["unit_cost"].to_numpy(float)})
    reroll["difference"] = (reroll["new_unit_cost"] - reroll["old_unit_cost"]).round(6)
    reroll = reroll.sort_values("item_code", ignore_index=True)
    return CostingResult({"cost_rollup": rollup, "cost_reroll": reroll}, result.issues)


def run_standard(tables: Tables, options: Mapping[str, Any], as_of: dt.date | None, lang: str
                 ) -> CostingResult | Issue:
    if not len(_table(tables, "items")):
        return _empty("items", True, lang)
    result = standard_costing(_table(tables, "items"), _table(tables, "bom"),
                              _table(tables, "cost_standards"), as_of,
                              _table(tables, "unit_conversions"))
    text = str(options.get("reroll_item") or "").strip()
    if text and not has_errors(result.issues):
        result = reroll_result(result, tables, text, as_of)
    return result


def run_actual(tables: Tables, options: Mapping[str, Any], as_of: dt.date | None, lang: str
               ) -> CostingResult | Issue:
    names = (*ACTUAL_INPUTS, *LEDGER_INPUTS, "items", "bom", "cost_standards",
             "unit_conversions")
    inputs = {n: _table(tables, n) for n in names}
    chosen, period_issues = one_period(inputs, options.get("period"))
    if period_issues:
        return CostingResult({}, period_issues)
    if not len(chosen["cost_objects"]) and not len(chosen["joint_costs"]):
        return _empty("cost_objects", False, lang)
    period = options.get("period") or next(iter(set(chosen["cost_objects"]["period"])), None)
    moves, issues = None, []
    if any(len(inputs[n]) for n in DOCUMENTS):
        posting, found, _ = post_tables(tables, options)
        moves, issues = posting.moves, [*found, *posting.issues]
    result = cost_period(chosen, moves, period, as_of)
    result.issues = sort_issues([*issues, *result.issues])
    return result


@command("cost", "成本计算", "Costing", inputs=(),
         optional=(*STANDARD_INPUTS, *ACTUAL_INPUTS, *LEDGER_INPUTS, "settings"),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="标准成本卷算与重算；或实际成本：按单据计算直接材料、费用分配、"
                        "半成品逐级结转与成本还原、完工与在产品、成本构成、差异、订单利润、"
                        "委外加工与联副产品成本",
         description_en="Standard cost roll-up and re-roll; or actual cost: direct material "
                        "from the documents, pool allocation, multi-level transfer and cost "
                        "restoration, finished vs WIP, composition, variances, order profit, "
                        "subcontract and joint costs")
def run_cost(tables: Tables, options: Mapping[str, Any]) -> Result:
    lang = options.get("lang", "en")
    standard = option_bool(options.get("standard"), "standard", False)
    dated, setting_issues = dated_options(tables.get("settings"),
                                          {"date": options.get("as_of")})
    as_of = option_date(dated["date"], "as_of")
    run = run_standard if standard else run_actual
    result = run(tables, options, as_of, lang)
    if isinstance(result, Issue):
        return Result(issues=[result])
    issues = sort_issues([*setting_issues, *result.issues])
    if has_errors(issues):
        return Result(issues=issues)
    return Result(tables=result.tables, issues=issues,
                  messages=[summary(result, standard, lang)],
                  summary=None if standard else summary_sheet(result, lang))
