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

Co- and by-products 联副产品 (BOM lines of type co_product / by_product, Kingdee style):
a line's cost_weight is the percentage (20 = 20 %; 0.2 is 0.2 %, with a warning) of the
parent's rolled cost that goes to that product, for the line's quantity per one parent;
the parent keeps the rest, every element and level scaled alike. An output item that has
no component lines of its own costs Σ share value ÷ Σ qty over the lines that yield it
(instead of its Items standard cost); one that is made by its own BOM keeps that cost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.engines.bom import bom_in_stock_units, effective_lines, qty_per, usage_lines
from addin.engines.bomgraph import BomGraph, bom_graph, longest_path_levels, row_numbers
from addin.issues import Issue, Message, plain_value, register

ELEMENTS = ("material", "labour", "overhead", "subcontract")
OUTPUT_TYPES = ("co_product", "by_product")
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
    "cost_share_invalid": Message(
        "{value} 的联副产品行 {component}：成本权重 {share}、数量 {qty} 无效",
        "{value}: the co/by-product line {component} has cost weight {share} and qty {qty}",
        "成本权重填 0–100（百分比），数量大于 0",
        "Enter the cost weight as a percentage 0–100 and a qty above 0"),
    "cost_share_over_100": Message(
        "{value} 的联副产品成本权重合计 {total}%，超过 100%（{lines}）",
        "{value}: the cost weights of its co/by-products add up to {total} %, more than "
        "100 % ({lines})",
        "调整这些行的成本权重，使合计不超过 100",
        "Lower the cost weights on these lines so they add up to 100 at most"),
    "cost_share_fraction": Message(
        "{value} 的联副产品成本权重都小于 1（{lines}），按百分比计算：0.2 即 0.2%",
        "{value}: every co/by-product cost weight is below 1 ({lines}); weights are "
        "percentages, so 0.2 means 0.2 %",
        "如果指 20%，请填 20", "For 20 %, enter 20"),
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
    (`usage_lines` on `as_of`, default version) and converted to stock units; the
    co/by-product lines of the same version (`output_lines`) split their parent's cost."""
    lines = bom_in_stock_units(usage_lines(bom, as_of), items, unit_conversions)
    outputs, issues = valid_shares(
        bom_in_stock_units(output_lines(bom, as_of, lines), items, unit_conversions))
    graph = bom_graph(lines)
    catalogue = items.drop_duplicates("item_code").set_index("item_code")
    codes = pd.Index(np.union1d(np.union1d(graph.codes.astype(str),
                                           catalogue.index.astype(str)),
                                outputs[["parent_code", "component_code"]]
                                .to_numpy(dtype=str).ravel()))
    parent = codes.get_indexer(graph.codes[graph.parent])
    child = codes.get_indexer(graph.codes[graph.child])
    usage = (qty_per(lines) * (1.0 + lines["variable_loss_rate"].fillna(0.0))).fillna(0.0)
    made = np.zeros(codes.size, dtype=bool)
    made[parent] = True
    split = _Split.of(codes, outputs, made)
    priced = made | split.valued
    added, own_issues = this_level_costs(items, standards)
    own = np.zeros((codes.size, len(ELEMENTS)))
    leaf_cost = catalogue["standard_cost"].reindex(codes).fillna(0.0).to_numpy(float)
    own[~priced, 0] = leaf_cost[~priced]
    own[made, 1:] = added.reindex(codes).fillna(0.0)[list(ELEMENTS[1:])].to_numpy(float)[made]
    # A yielded item is costed after the parent that yields it: an edge parent → item.
    height = _heights(codes.size, np.r_[parent, split.item[split.valued_line]],
                      np.r_[child, split.producer[split.valued_line]])
    cost, lower = _roll(own, priced, height, parent, child, usage.to_numpy(float), split)
    issues += own_issues + _unknown(lines, catalogue.index) + _loops(codes, priced & (height < 0))
    issues += _missing(lines, catalogue, pd.Index(codes[priced]))
    return _table(codes, catalogue, graph, cost, own, lower, height), issues


def output_lines(bom: pd.DataFrame, as_of: dt.date | pd.Timestamp | None = None,
                 chosen: pd.DataFrame | None = None) -> pd.DataFrame:
    """Co/by-product lines in effect on `as_of`, of the BOM version whose component lines
    are used for the parent (`chosen`, default `usage_lines`); a parent with no component
    lines: its lowest version."""
    kind = bom["line_type"].astype(object).fillna("component")
    keep = (kind.isin(OUTPUT_TYPES) & (bom["parent_code"] != "")
            & (bom["component_code"] != "")).to_numpy()
    lines = effective_lines(bom[keep], as_of)
    if lines.empty:
        return lines
    if chosen is None:
        chosen = usage_lines(bom, as_of)
    version = chosen.drop_duplicates("parent_code").set_index("parent_code")["bom_version"]
    wanted = lines["parent_code"].map(version).to_numpy(dtype=object)
    # Rank the version texts so the per-parent lowest is an integer groupby.
    texts, rank = np.unique(lines["bom_version"].to_numpy(dtype=object).astype(str),
                            return_inverse=True)
    lowest = pd.Series(rank).groupby(lines["parent_code"].to_numpy(dtype=object),
                                     sort=False).transform("min").to_numpy()
    wanted = np.where(pd.isna(wanted), texts[lowest].astype(object), wanted)
    return lines[lines["bom_version"].to_numpy(dtype=object) == wanted]


def valid_shares(outputs: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Output lines with `qty` (per one parent) and `share` (a fraction), and the issues:
    a negative weight or a qty ≤ 0 on a weighted line, weights over 100 % per parent (the
    parent's lines are dropped: nothing is split on a wrong basis), all weights < 1."""
    weight = (outputs["cost_weight"].astype(float).fillna(0.0) if "cost_weight" in outputs
              else pd.Series(0.0, index=outputs.index))
    qty = qty_per(outputs).to_numpy(float) if len(outputs) else np.zeros(0)
    lines = outputs.assign(qty=qty, share=weight.to_numpy(float) / 100.0, _weight=weight,
                           _row=row_numbers(outputs))
    bad = ((weight < 0) | ((weight > 0) & ~(qty > 0))).to_numpy()
    issues = [Issue("cost_share_invalid", sheet="bom", row=int(r), column="cost_weight",
                    value=p, params={"component": c, "share": plain_value(w),
                                     "qty": plain_value(q)})
              for r, p, c, w, q in lines.loc[bad, ["_row", "parent_code", "component_code",
                                                   "_weight", "qty"]].itertuples(index=False)]
    by_parent = lines.groupby("parent_code", sort=True)
    total, first = by_parent["_weight"].sum(), by_parent["_row"].min()
    top = by_parent["_weight"].max()
    over = total.index[(total > 100.0 + 1e-9).to_numpy()]
    broken = pd.Index(lines.loc[bad, "parent_code"].unique()).union(over)
    small = total.index[((top > 0) & (top < 1)).to_numpy()].difference(broken)
    named = lines[lines["parent_code"].isin(over.union(small)).to_numpy()]
    listed = (named["component_code"].astype(str) + " " + named["_weight"].map(
        lambda w: str(plain_value(w)))).groupby(named["parent_code"]).agg(", ".join)
    issues += [Issue("cost_share_over_100", sheet="bom", row=int(first[p]),
                     column="cost_weight", value=p,
                     params={"total": plain_value(round(float(total[p]), 6)),
                             "lines": listed[p]}) for p in over]
    issues += [Issue("cost_share_fraction", "warning", sheet="bom", row=int(first[p]),
                     column="cost_weight", value=p, params={"lines": listed[p]})
               for p in small]
    return lines[~lines["parent_code"].isin(broken).to_numpy()], issues


@dataclass(frozen=True)
class _Split:
    """Output lines as node ids: who yields what, how much and for which share."""

    producer: np.ndarray  # node id of each line's parent
    item: np.ndarray  # node id of the co/by-product
    qty: np.ndarray
    share: np.ndarray  # fraction of the parent's cost
    keep: np.ndarray  # per node: 1 − Σ shares it gives away
    valued: np.ndarray  # per node: costed from its shares (yielded, not made)
    valued_line: np.ndarray  # per line: its item is valued

    @classmethod
    def of(cls, codes: pd.Index, outputs: pd.DataFrame, made: np.ndarray) -> _Split:
        producer = codes.get_indexer(outputs["parent_code"].to_numpy(dtype=object))
        item = codes.get_indexer(outputs["component_code"].to_numpy(dtype=object))
        share = outputs["share"].to_numpy(float)
        keep = np.ones(codes.size)
        np.subtract.at(keep, producer, share)
        valued = np.zeros(codes.size, dtype=bool)
        valued[item] = True
        valued &= ~made  # an item made by its own BOM keeps that cost
        qty = np.nan_to_num(outputs["qty"].to_numpy(float))  # NaN only on 0-weight lines
        return cls(producer, item, qty, share, keep, valued,
                   valued[item])


def _heights(n: int, parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Longest path down to a leaf (leaf = 0); -1 for items on or above a loop."""
    return longest_path_levels(np.asarray(child), np.asarray(parent), n)


def _roll(own: np.ndarray, priced: np.ndarray, height: np.ndarray, parent: np.ndarray,
          child: np.ndarray, usage: np.ndarray, split: _Split
          ) -> tuple[np.ndarray, np.ndarray]:
    """Element cost of every item, a height at a time: `own` (this level, scaled in place
    by what a parent keeps) + what it rolls up from lower levels (returned with the cost).
    A yielded item gets its shares of its parents' whole cost ÷ its qty. Items on or above
    a loop stay NaN."""
    lower = np.zeros(own.shape)
    cost = own.copy()
    cost[priced & (height < 0)] = np.nan
    whole_own, whole_lower = own.copy(), np.zeros(own.shape)
    line_height = height[parent]
    out = split.valued_line
    producer, item, share = split.producer[out], split.item[out], split.share[out, None]
    out_height = height[item]
    qty = np.zeros(own.shape[0])
    np.add.at(qty, item, split.qty[out])
    for level in range(int(height.max(initial=0)) + 1):  # 0: a bought parent's split
        on = line_height == level
        np.add.at(lower, parent[on], cost[child[on]] * usage[on, None])
        yielded = out_height == level
        np.add.at(own, item[yielded], whole_own[producer[yielded]] * share[yielded])
        np.add.at(lower, item[yielded], whole_lower[producer[yielded]] * share[yielded])
        at = height == level
        per_unit = at & split.valued & (qty > 0)  # qty 0: only 0-weight lines, cost 0
        own[per_unit] /= qty[per_unit, None]
        lower[per_unit] /= qty[per_unit, None]
        whole_own[at], whole_lower[at] = own[at], lower[at]
        own[at] *= split.keep[at, None]
        lower[at] *= split.keep[at, None]
        cost[at] = own[at] + lower[at]
    return cost, lower


def _table(codes: pd.Index, catalogue: pd.DataFrame, graph: BomGraph, cost: np.ndarray,
           own: np.ndarray, lower: np.ndarray, height: np.ndarray) -> pd.DataFrame:
    llc = pd.Series(graph.level, index=graph.codes).reindex(codes).fillna(0).to_numpy()
    llc = pd.array(llc.astype("int64"), dtype="Int64")
    llc[height < 0] = pd.NA
    # Unit costs are prices, not money to book: 6 decimals keep screws' fractions of a cent.
    rounded = np.round(cost, 6)
    unknown = np.isnan(cost[:, 0])
    out = pd.DataFrame({
        "item_code": codes.to_numpy(dtype=object),
        "item_name": catalogue["item_name"].reindex(codes).fillna("").to_numpy(dtype=object),
        "item_type": catalogue["item_type"].reindex(codes).fillna("").to_numpy(dtype=object),
        "low_level_code": llc,
        **{f"{e}_cost": rounded[:, i] for i, e in enumerate(ELEMENTS)},
        # a bought item's whole cost arises at its own level (it is all in `own`)
        "this_level_cost": np.where(unknown, np.nan, np.round(own.sum(1), 6)),
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
    """`codes` and every parent above them (where-used, codes only), and the co/by-products
    those parents yield (their cost is a share of the parent's): one step up the BOM per
    level over the whole line arrays, so a few changed items never walk the full
    where-used table."""
    lines = usage_lines(bom, as_of)
    outputs = output_lines(bom, as_of, lines)
    # step from → to: component → parent, and parent → the item it yields
    child = np.r_[lines["component_code"].to_numpy(dtype=object),
                  outputs["parent_code"].to_numpy(dtype=object)]
    parent = np.r_[lines["parent_code"].to_numpy(dtype=object),
                   outputs["component_code"].to_numpy(dtype=object)]
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
