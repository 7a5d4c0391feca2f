"""Standard cost roll-up 标准成本卷算 (DOMAIN §7), bottom-up through the BOM.

unit cost = material + labour + overhead + subcontract fee, where for a made item
* material   = Σ component unit cost × usage incl. variable loss (qty_per × (1 + loss)),
* labour     = labour hours × labour rate,
* overhead   = overhead rate × its basis (labour hours or machine hours),
* subcontract = the fee per unit paid to the subcontractor.
An item without component lines (purchased, customer-supplied, or a made item whose BOM
is missing) costs its items.standard_cost, all of it material.

Every element is carried up the BOM separately (成本还原: a parent's cost shows the
labour spent on its sub-assemblies as labour, not as material), and the cost is also
split by level: added at this level vs rolled up from lower levels.

Items are priced a BOM height at a time, leaves first (the reverse of low-level-code
order): every component of an item sits lower, so it is final before its parents read it.
Fixed loss (固定损耗) is a per-batch quantity and is not in a per-unit standard.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from addin.engines.bom import bom_in_stock_units, qty_per, usage_lines
from addin.engines.bomgraph import BomGraph, bom_graph, longest_path_levels, row_numbers
from addin.issues import Issue, Message, register

ELEMENTS = ("material", "labour", "overhead", "subcontract")
OUTPUT_COLUMNS = ["item_code", "item_name", "item_type", "low_level_code", "material_cost",
                  "labour_cost", "overhead_cost", "subcontract_cost", "this_level_cost",
                  "lower_level_cost", "unit_cost"]

register({
    "cost_unknown_component": Message(
        "子项 {value} 不在物料表中，按成本 0 计入 {parent}",
        "Component {value} is not in Items; it was costed at 0 in {parent}",
        "在物料表中添加 {value} 并填写标准成本", "Add {value} to Items with its standard cost"),
    "cost_loop": Message(
        "{value} 处于 BOM 循环中（或在循环之上），无法卷算成本",
        "{value} is on (or above) a loop in the BOM, so its cost cannot be rolled up",
        "先修正 BOM 检查报告的循环", "Fix the loop the BOM check reports first"),
    "cost_missing_standard": Message(
        "{value} 没有标准成本，{parent} 的成本无法卷算",
        "{value} has no standard cost, so the cost of {parent} cannot be rolled up",
        "在物料表中填写 {value} 的标准成本", "Enter the standard cost of {value} in Items"),
    "cost_bad_overhead_basis": Message(
        "制造费用分配基础「{value}」无法识别，按人工工时计算",
        'Overhead basis "{value}" is not known; labour hours were used',
        "填写 labour_hours（人工工时）或 machine_hours（机器工时）",
        "Enter labour_hours or machine_hours"),
})


def this_level_costs(items: pd.DataFrame, standards: pd.DataFrame
                     ) -> tuple[pd.DataFrame, list[Issue]]:
    """Labour, overhead and subcontract cost added by each item's own operation.

    `standards`: item_code, labour_hours (blank = items.standard_hours), labour_rate,
    machine_hours, overhead_rate, overhead_basis (labour_hours | machine_hours),
    subcontract_fee. Items without a standards row add nothing at their level.
    """
    rows = standards.drop_duplicates("item_code", keep="last").set_index("item_code")
    std_hours = items.drop_duplicates("item_code").set_index("item_code")["standard_hours"]
    hours = rows["labour_hours"].fillna(std_hours.reindex(rows.index)).fillna(0.0)
    basis = rows["overhead_basis"].replace("", "labour_hours")
    bad = ~basis.isin(("labour_hours", "machine_hours")).to_numpy()
    issues = [Issue("cost_bad_overhead_basis", "warning", "cost_standards", int(r),
                    "overhead_basis", v)
              for r, v in zip(row_numbers(standards.drop_duplicates("item_code", keep="last"))
                              [bad], basis.to_numpy()[bad], strict=True)]
    driver = np.where(basis == "machine_hours", rows["machine_hours"].fillna(0.0), hours)
    return pd.DataFrame({
        "labour": hours * rows["labour_rate"].fillna(0.0),
        "overhead": driver * rows["overhead_rate"].fillna(0.0).to_numpy(float),
        "subcontract": rows["subcontract_fee"].fillna(0.0),
    }, index=rows.index), issues


def roll_up(items: pd.DataFrame, bom: pd.DataFrame, standards: pd.DataFrame,
            as_of: dt.date | pd.Timestamp | None = None,
            unit_conversions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Unit standard cost of every item, by element and by level (OUTPUT_COLUMNS), sorted
    by low-level code then item code. Lines are chosen as planning chooses them
    (`usage_lines` on `as_of`, default version) and converted to stock units."""
    lines = bom_in_stock_units(usage_lines(bom, as_of), items, unit_conversions)
    graph = bom_graph(lines)
    catalogue = items.drop_duplicates("item_code").set_index("item_code")
    codes = pd.Index(np.union1d(graph.codes.astype(str), catalogue.index.astype(str)))
    parent = codes.get_indexer(graph.codes[graph.parent])
    child = codes.get_indexer(graph.codes[graph.child])
    usage = (qty_per(lines) * (1.0 + lines["variable_loss_rate"].fillna(0.0))).fillna(0.0)
    own, issues = this_level_costs(items, standards)
    cost = np.zeros((codes.size, len(ELEMENTS)))
    made = np.zeros(codes.size, dtype=bool)
    made[parent] = True
    leaf_cost = catalogue["standard_cost"].reindex(codes).fillna(0.0).to_numpy(float, copy=True)
    cost[~made, 0] = leaf_cost[~made]
    added = own.reindex(codes).fillna(0.0)[list(ELEMENTS[1:])].to_numpy(float, copy=True)
    added[~made] = 0.0
    height = _heights(codes.size, parent, child)
    lower = _roll(cost, added, made, height, parent, child, usage.to_numpy(float))
    issues += _unknown(lines, catalogue.index) + _loops(codes, made & (height < 0))
    issues += _missing(lines, catalogue, pd.Index(codes[made]))
    return _table(codes, catalogue, graph, cost, added, lower, height, made), issues


def _heights(n: int, parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Longest path down to a leaf (leaf = 0); -1 for items on or above a loop."""
    return longest_path_levels(np.asarray(child), np.asarray(parent), n)


def _roll(cost: np.ndarray, added: np.ndarray, made: np.ndarray, height: np.ndarray,
          parent: np.ndarray, child: np.ndarray, usage: np.ndarray) -> np.ndarray:
    """Fill `cost` (element totals) of made items a height at a time; returns the cost
    rolled up from lower levels per item. Items on or above a loop stay NaN."""
    lower = np.zeros(cost.shape)
    cost[made & (height < 0)] = np.nan
    line_height = height[parent]
    for level in range(1, int(height.max(initial=0)) + 1):
        on = line_height == level
        contribution = cost[child[on]] * usage[on, None]
        np.add.at(lower, parent[on], contribution)
        at = made & (height == level)
        cost[at] = lower[at] + np.c_[np.zeros(at.sum()), added[at]]
    return lower


def _table(codes: pd.Index, catalogue: pd.DataFrame, graph: BomGraph, cost: np.ndarray,
           added: np.ndarray, lower: np.ndarray, height: np.ndarray, made: np.ndarray
           ) -> pd.DataFrame:
    llc = pd.Series(graph.level, index=graph.codes).reindex(codes).fillna(0).to_numpy()
    llc = pd.array(llc.astype("int64"), dtype="Int64")
    llc[height < 0] = pd.NA
    # Unit costs are prices, not money to book: 6 decimals keep screws' fractions of a cent.
    rounded = np.round(cost, 6)
    # A bought item's whole cost arises at its own level.
    this_level = added.sum(1) + np.where(made, 0.0, cost[:, 0])
    unknown = np.isnan(cost[:, 0])
    out = pd.DataFrame({
        "item_code": codes.to_numpy(dtype=object),
        "item_name": catalogue["item_name"].reindex(codes).fillna("").to_numpy(dtype=object),
        "item_type": catalogue["item_type"].reindex(codes).fillna("").to_numpy(dtype=object),
        "low_level_code": llc,
        **{f"{e}_cost": rounded[:, i] for i, e in enumerate(ELEMENTS)},
        "this_level_cost": np.where(unknown, np.nan, np.round(this_level, 6)),
        "lower_level_cost": np.where(unknown, np.nan, np.round(lower.sum(1), 6)),
        "unit_cost": np.round(cost.sum(1), 6),
    })
    return out.sort_values(["low_level_code", "item_code"], kind="stable",
                           na_position="last").reset_index(drop=True)[OUTPUT_COLUMNS]


def _unknown(lines: pd.DataFrame, known: pd.Index) -> list[Issue]:
    miss = ~lines["component_code"].isin(known).to_numpy()
    return [Issue("cost_unknown_component", "warning", "bom", int(r), "component_code", c,
                  {"parent": p})
            for r, c, p in zip(row_numbers(lines)[miss], lines["component_code"].to_numpy()[miss],
                               lines["parent_code"].to_numpy()[miss], strict=True)]


# Bought items must carry a price; customer material and phantoms may cost nothing.
_PRICED = ("purchased", "subcontracted")


def _missing(lines: pd.DataFrame, catalogue: pd.DataFrame, made: pd.Index) -> list[Issue]:
    """Bought components used in the BOM without a standard cost (blank or 0)."""
    kind = catalogue["item_type"].reindex(lines["component_code"]).to_numpy(dtype=object)
    cost = catalogue["standard_cost"].reindex(lines["component_code"]).to_numpy(float)
    bad = (np.isin(kind, _PRICED) & ~(cost > 0)
           & ~lines["component_code"].isin(made).to_numpy())
    used = pd.DataFrame({"c": lines["component_code"].to_numpy()[bad],
                         "p": lines["parent_code"].to_numpy()[bad]})
    parents = used.groupby("c", sort=True)["p"].agg(lambda s: ", ".join(sorted(set(s))))
    rows = (catalogue["_row"].reindex(parents.index) if "_row" in catalogue
            else pd.Series(np.nan, index=parents.index))
    return [Issue("cost_missing_standard", sheet="items",
                  row=None if pd.isna(r) else int(r), column="standard_cost", value=c,
                  params={"parent": p})
            for c, p, r in zip(parents.index, parents.to_numpy(), rows.to_numpy(),
                               strict=True)]


def _loops(codes: pd.Index, stuck: np.ndarray) -> list[Issue]:
    return [Issue("cost_loop", sheet="bom", column="parent_code", value=c)
            for c in codes.to_numpy()[stuck]]


def ancestors(bom: pd.DataFrame, codes: pd.Index,
              as_of: dt.date | pd.Timestamp | None = None) -> pd.Index:
    """`codes` and every parent above them (where-used, codes only): one step up the BOM
    per level over the whole line arrays, so a few changed items never walk the full
    where-used table."""
    lines = usage_lines(bom, as_of)
    child = lines["component_code"].to_numpy(dtype=object)
    parent = lines["parent_code"].to_numpy(dtype=object)
    seen = pd.Index(codes).unique()
    frontier = seen
    while len(frontier):
        up = pd.Index(parent[pd.Index(frontier).get_indexer_for(child) >= 0]).unique()
        frontier = up.difference(seen)  # a loop ends the walk instead of spinning
        seen = seen.union(frontier)
    return seen.sort_values()


def reroll(items: pd.DataFrame, bom: pd.DataFrame, standards: pd.DataFrame,
           changes: pd.DataFrame, as_of: dt.date | pd.Timestamp | None = None,
           unit_conversions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where-used update: the items whose unit cost moves when the components in
    `changes` (item_code, standard_cost) get new standard costs — the changed items and
    every parent above them (`ancestors`) — with old cost, new cost and difference."""
    before, _ = roll_up(items, bom, standards, as_of, unit_conversions)
    new_cost = changes.drop_duplicates("item_code", keep="last").set_index("item_code")
    changed = items.assign(standard_cost=items["item_code"].map(new_cost["standard_cost"])
                           .fillna(items["standard_cost"]).to_numpy(float))
    after, _ = roll_up(changed, bom, standards, as_of, unit_conversions)
    affected = ancestors(bom, new_cost.index, as_of)
    old = before.set_index("item_code")["unit_cost"]
    new = after.set_index("item_code")["unit_cost"]
    out = pd.DataFrame({"item_code": affected.to_numpy(dtype=object),
                        "old_unit_cost": old.reindex(affected).to_numpy(float),
                        "new_unit_cost": new.reindex(affected).to_numpy(float)})
    out["difference"] = np.round(out["new_unit_cost"] - out["old_unit_cost"], 6)
    return out.sort_values("item_code", kind="stable").reset_index(drop=True)
