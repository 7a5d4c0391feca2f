"""Multi-level roll-up 自动结转 of actual costs (DOMAIN §7).

A task that consumes a semi-finished item made (or subcontracted) in the same period
should carry that item's actual cost of the period, not the price the stock ledger
happened to issue it at. The deepest semi-finished items are costed first; their unit
cost re-prices the parents' issues of them, and so on up until every level is costed.

Each pass runs the whole period (pool allocation, finished vs WIP) on the current
prices: pools spread by material cost move when material does, so nothing is costed on
stale numbers. After pass k every item k levels above raw material has its final cost,
so the passes stop after the BOM depth + 1 (or earlier, when nothing moved).

A rework task (it consumes its own product) keeps its product's original cost and is
not a producer of that item's period cost. Customer material is never costed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.engines.allocation import to_cents
from addin.engines.bomgraph import longest_path_levels
from addin.engines.costing import CostingResult, actual_costing
from addin.engines.wip import ELEMENTS
from addin.issues import Issue, Message, register

TRANSFERRED = ("semi_finished", "subcontracted")
PARTS = (*ELEMENTS, "subcontract")

register({
    "cost_transfer_loop": Message(
        "本期半成品互相耗用，形成循环：{value}，无法逐级结转",
        "Semi-finished items consume each other in this period ({value}), so their costs "
        "cannot be transferred level by level",
        "检查这些任务的领料单：任务不应领用其上层产品", "Check the issues of these tasks: "
        "a task should not consume a product made from its own output"),
})


@dataclass
class PeriodClose:
    """The period's costing after the transfer, its material lines (final values), the
    period's cost per produced item and element, and the number of levels."""

    result: CostingResult
    lines: pd.DataFrame
    items: pd.DataFrame
    levels: int


def products(objects: pd.DataFrame) -> pd.Series:
    """Cost object -> the item it makes (objects without an item are left out)."""
    first = objects.drop_duplicates("cost_object")
    made = first["item_code"].fillna("").astype(str)
    return pd.Series(made.to_numpy(dtype=object), index=first["cost_object"].to_numpy(
        dtype=object))[made.ne("").to_numpy()]


def rework_objects(lines: pd.DataFrame) -> np.ndarray:
    return np.unique(lines.loc[lines["material_kind"].eq("rework"), "cost_object"]
                     .to_numpy(dtype=object))


def classify(lines: pd.DataFrame, made: pd.Series, bought: pd.DataFrame) -> pd.DataFrame:
    """Raw lines of items produced this period become semi-finished (or subcontracted)."""
    item = lines["item_code"]
    raw = lines["material_kind"].eq("raw")
    kind = np.select([raw & item.isin(set(made)), raw & item.isin(set(bought["item_code"]))],
                     list(TRANSFERRED), default=lines["material_kind"].to_numpy(dtype=object))
    return lines.assign(material_kind=kind)


def transfer_levels(lines: pd.DataFrame, made: pd.Series) -> tuple[int, list[Issue]]:
    """How many levels of semi-finished items the period has; a loop is an error."""
    moved = lines[lines["material_kind"].isin(TRANSFERRED)]
    source = moved["item_code"].to_numpy(dtype=object)
    target = moved["cost_object"].map(made).fillna("").to_numpy(dtype=object)
    codes = pd.Index(np.union1d(source.astype(str), target.astype(str)))
    level = longest_path_levels(codes.get_indexer(source), codes.get_indexer(target),
                                codes.size)
    stuck = codes.to_numpy()[level < 0]
    if stuck.size:
        return 0, [Issue("cost_transfer_loop", sheet="material_issues", column="item_code",
                         value=" → ".join(sorted(stuck)))]
    return int(level.max(initial=0)), []


def item_costs(production: pd.DataFrame, objects: pd.DataFrame, made: pd.Series,
               rework: np.ndarray, bought: pd.DataFrame) -> pd.DataFrame:
    """Finished qty and finished cost per element of every item produced this period
    (index item_code; columns qty and PARTS): tasks (rework left out) plus subcontract
    receipts."""
    done = production[production["element"].isin(ELEMENTS)
                      & ~production["cost_object"].isin(rework)]
    done = done[done["cost_object"].isin(made.index)]
    cost = done.pivot_table(index="cost_object", columns="element", values="finished_cost",
                            aggfunc="sum").reindex(columns=list(ELEMENTS), fill_value=0.0)
    qty = objects.drop_duplicates("cost_object").set_index("cost_object")["completed_qty"]
    cost = cost.assign(qty=qty.reindex(cost.index).fillna(0.0), subcontract=0.0,
                       item_code=made.reindex(cost.index))
    outside = bought.assign(labour=0.0, overhead=0.0)
    both = pd.concat([cost.reset_index(drop=True), outside], ignore_index=True)
    sums = both.groupby("item_code", sort=True)[["qty", *PARTS]].sum()
    return sums[sums["qty"] > 0]


def _reprice(lines: pd.DataFrame, items: pd.DataFrame) -> np.ndarray:
    unit = items[list(PARTS)].sum(axis=1) / items["qty"]
    price = lines["item_code"].map(unit).to_numpy(float)
    moved = lines["material_kind"].isin(TRANSFERRED).to_numpy() & ~np.isnan(price)
    repriced = to_cents(lines["qty"].to_numpy(float) * np.nan_to_num(price)) / 100.0
    return np.where(moved, repriced, lines["ledger_value"].to_numpy(float))


def close_period(objects: pd.DataFrame, wip: pd.DataFrame, pools: pd.DataFrame,
                 lines: pd.DataFrame, bought: pd.DataFrame | None = None
                 ) -> tuple[PeriodClose | None, list[Issue]]:
    """Cost the period's objects with direct material from `lines` (actualmaterial's
    material lines), transferring semi-finished costs level by level.

    `bought`: item_code, qty, material, subcontract — the period's subcontract receipts
    (`subcontract_unit_costs`). None, with the issues, when the transfer loops.
    """
    bought = bought if bought is not None else pd.DataFrame(
        {"item_code": pd.Series(dtype=object), "qty": 0.0, "material": 0.0,
         "subcontract": 0.0})
    made = products(objects)
    rework = rework_objects(lines)
    lines = classify(lines, made.drop(rework, errors="ignore"), bought)
    levels, issues = transfer_levels(lines, made)
    if issues:
        return None, issues
    values = lines["ledger_value"].to_numpy(float)
    for _ in range(levels + 2):
        material = pd.Series(values).groupby(lines["cost_object"].to_numpy()).sum()
        costed = objects.assign(material_cost=objects["cost_object"].map(material)
                                .fillna(0.0).to_numpy(float))
        result = actual_costing(costed, wip, pools)
        items = item_costs(result.tables["cost_of_production"], objects, made, rework,
                           bought)
        new = _reprice(lines, items)
        if np.array_equal(new, values):
            break
        previous, values = values, new
    else:  # not settled (cannot happen on a loop-free graph): keep what was costed
        values = previous
    qty = lines["qty"].to_numpy(float)
    lines = lines.assign(value=values, unit_cost=np.divide(values, qty, out=np.zeros(
        len(lines)), where=qty != 0))
    return PeriodClose(result, lines, items, levels), issues
