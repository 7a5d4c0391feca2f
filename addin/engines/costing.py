"""Costing runs (DOMAIN §7): the two things the `cost` command does, as pure functions.

* `standard_costing`: the standard cost roll-up (`rollup.roll_up`).
* `actual_costing`: one period's actual cost per cost object — direct material as given
  on the cost object (issues + supplements − returns), labour and
  overhead pools allocated by their basis (`allocation.allocate_pools`), then finished vs
  WIP (`wip.split_finished_wip`), and joint costs split over joint and by-products
  (`jointcost.split_joint_cost`) when batches are given.

Direct material is the cost objects' material_cost column here; `periodclose` fills it
from the posted stock moves (`actualmaterial`) and transfers semi-finished costs level
by level (`autotransfer`) before calling `actual_costing`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from addin.engines.allocation import allocate_pools
from addin.engines.jointcost import split_joint_cost
from addin.engines.rollup import roll_up
from addin.engines.wip import ELEMENTS, split_finished_wip
from addin.issues import Issue, sort_issues

_OPENING = {e: f"opening_{e}_cost" for e in ELEMENTS}


@dataclass
class CostingResult:
    """Result tables by canonical name, and the findings."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def standard_costing(items: pd.DataFrame, bom: pd.DataFrame, standards: pd.DataFrame,
                     as_of: dt.date | None = None,
                     unit_conversions: pd.DataFrame | None = None) -> CostingResult:
    rollup, issues = roll_up(items, bom, standards, as_of, unit_conversions)
    return CostingResult({"cost_rollup": rollup}, sort_issues(issues))


def element_costs(objects: pd.DataFrame, allocated: pd.DataFrame) -> pd.DataFrame:
    """Opening and added cost per cost object and element: material from the object's own
    material_cost, plus whatever each pool allocated to it."""
    first = objects.drop_duplicates("cost_object")
    keys = first["cost_object"].to_numpy(dtype=object)
    own = pd.DataFrame({
        "cost_object": list(keys) * len(ELEMENTS),
        "element": [e for e in ELEMENTS for _ in keys],
        "opening_cost": pd.concat([first[_OPENING[e]] for e in ELEMENTS], ignore_index=True)
        .fillna(0.0).to_numpy(float),
        "added_cost": pd.concat([first["material_cost"].fillna(0.0)]
                                + [pd.Series(0.0, index=first.index)] * (len(ELEMENTS) - 1),
                                ignore_index=True).to_numpy(float),
    })
    pooled = allocated[["cost_object", "element"]].assign(
        opening_cost=0.0, added_cost=allocated["allocated"].to_numpy(float))
    return (pd.concat([own, pooled], ignore_index=True)
            .groupby(["cost_object", "element"], as_index=False, sort=True).sum())


def actual_costing(objects: pd.DataFrame, wip_lines: pd.DataFrame, pools: pd.DataFrame,
                   joint_costs: pd.DataFrame | None = None,
                   joint_products: pd.DataFrame | None = None) -> CostingResult:
    """Allocation, finished vs WIP and joint split of one set of cost objects."""
    allocated, issues = allocate_pools(pools, objects)
    costs = element_costs(objects, allocated)
    production, wip_issues = split_finished_wip(objects, wip_lines, costs)
    tables = {"cost_allocation": allocated, "cost_of_production": production}
    issues += wip_issues
    if joint_costs is not None and joint_products is not None and len(joint_costs):
        tables["joint_cost_split"], joint_issues = split_joint_cost(joint_costs,
                                                                    joint_products)
        issues += joint_issues
    return CostingResult(tables, sort_issues(issues))
