"""One period's actual costing with its reports (DOMAIN §7): what `cost` runs.

* Direct material: from the posted stock moves when the workbook has documents
  (`actualmaterial`), else the Cost objects' own Direct material column.
* Subcontract receipts (consumed material + fee, true-ups), as posting booked them.
* Allocation, finished vs WIP and the multi-level transfer (`autotransfer`), cost
  restoration (`costrestore`), joint and by-products (`jointcost`).
* Reports: cost composition per product and element, standard vs actual variances (when
  Items, BOM and standards are there), order profit (when sales orders and tasks are).

Nothing here reads files: the caller posts the documents and passes the moves.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from addin.engines.actualmaterial import in_period, material_lines, uncosted_tasks
from addin.engines.autotransfer import close_period, products, rework_objects
from addin.engines.bom import bom_in_stock_units, qty_per, usage_lines
from addin.engines.costcomposition import cost_composition
from addin.engines.costing import CostingResult, actual_costing
from addin.engines.costrestore import restore
from addin.engines.costvariance import cost_variances, standard_hours
from addin.engines.jointcost import split_joint_cost
from addin.engines.orderprofit import order_profit
from addin.engines.rollup import roll_up
from addin.engines.subcontractcost import (
    SUBCONTRACT_TYPES,
    subcontract_costs,
    subcontract_unit_costs,
)
from addin.issues import Issue, sort_issues

Tables = dict[str, pd.DataFrame]


def _has(tables: Tables, name: str) -> bool:
    frame = tables.get(name)
    return frame is not None and len(frame) > 0


def bom_usage(tables: Tables, as_of: dt.date | None = None) -> pd.DataFrame:
    """parent_code, component_code, usage (qty per × (1 + variable loss), stock units)."""
    lines = bom_in_stock_units(usage_lines(tables["bom"], as_of), tables["items"],
                               tables.get("unit_conversions"))
    usage = (qty_per(lines) * (1.0 + lines["variable_loss_rate"].fillna(0.0))).fillna(0.0)
    frame = pd.DataFrame({"parent_code": lines["parent_code"].to_numpy(dtype=object),
                          "component_code": lines["component_code"].to_numpy(dtype=object),
                          "usage": usage.to_numpy(float)})
    return frame.groupby(["parent_code", "component_code"], as_index=False, sort=True).sum()


def with_products(objects: pd.DataFrame, tasks: pd.DataFrame | None) -> pd.DataFrame:
    """Cost objects with a blank item filled from the production task of the same no."""
    item = objects["item_code"].astype(object).fillna("").astype(str)
    if tasks is not None and len(tasks):
        made = tasks.drop_duplicates("task_no").set_index("task_no")["item_code"]
        item = item.where(item.ne(""), objects["cost_object"].map(made).fillna(""))
    return objects.assign(item_code=item.to_numpy(dtype=object))


def finished_from_receipts(objects: pd.DataFrame, moves: pd.DataFrame, period: object
                           ) -> pd.DataFrame:
    """Completed qty of a task left at 0: its product receipts of the period (net of
    reversals of them)."""
    made = products(objects)
    task = moves["task_no"].fillna("").astype(str)
    own = moves["item_code"].astype(str).to_numpy(dtype=object) == task.map(made).to_numpy(
        dtype=object)
    receipt = moves["doc_type"].isin(("product_receipt", "reversal")).to_numpy() & own
    keep = receipt & in_period(moves["doc_date"], period)
    got = pd.Series(moves["qty"].to_numpy(float)[keep]).groupby(task.to_numpy()[keep]).sum()
    done = objects["completed_qty"].fillna(0.0)
    fill = objects["cost_object"].map(got)
    return objects.assign(completed_qty=done.where((done > 0) | fill.isna(), fill)
                          .to_numpy(float))


def cost_period(tables: Tables, moves: pd.DataFrame | None = None, period: object = None,
                as_of: dt.date | None = None) -> CostingResult:
    """Cost one period's objects (tables already narrowed to the period) and report."""
    objects = with_products(tables["cost_objects"], tables.get("production_tasks"))
    wip, pools = tables["wip_lines"], tables["cost_pools"]
    issues: list[Issue] = []
    out: Tables = {}
    lines = None
    if moves is not None and len(objects):
        objects = finished_from_receipts(objects, moves, period)
        lines, found = material_lines(moves, products(objects), period,
                                      tables.get("warehouses"))
        issues += found + uncosted_tasks(lines, pd.Index(objects["cost_object"]))
        bought = None
        if moves["doc_type"].isin(SUBCONTRACT_TYPES).any():
            out["subcontract_cost"] = subcontract_costs(moves)
            bought = subcontract_unit_costs(out["subcontract_cost"], period)
        closed, found = close_period(objects, wip, pools, lines, bought)
        issues += found
        if closed is None:
            return CostingResult({}, sort_issues(issues))
        result, lines = closed.result, closed.lines
        out["task_material_cost"] = lines
        made = products(objects)
        empty = pd.DataFrame({"item_code": pd.Series(dtype=object), "material": 0.0,
                              "subcontract": 0.0})
        out["cost_restoration"] = restore(
            result.tables["cost_of_production"], objects, lines, closed.items,
            empty if bought is None else bought, made, rework_objects(lines), closed.levels)
    else:
        result = actual_costing(objects, wip, pools)
    issues += result.issues
    out = {**result.tables, **out}
    if len(objects):
        production = out["cost_of_production"]
        out["cost_composition"] = cost_composition(production, objects)
        if _has(tables, "items") and _has(tables, "bom"):
            out["cost_variance"] = _variances(tables, objects, production, lines, as_of)
        if _has(tables, "sales_orders") and _has(tables, "production_tasks"):
            out["order_profit"] = order_profit(tables["sales_orders"],
                                               tables["production_tasks"],
                                               _task_costs(production, objects))
    if _has(tables, "joint_costs") and tables.get("joint_products") is not None:
        out["joint_cost_split"], found = split_joint_cost(tables["joint_costs"],
                                                          tables["joint_products"])
        issues += found
    return CostingResult(out, sort_issues(issues))


def _variances(tables: Tables, objects: pd.DataFrame, production: pd.DataFrame,
               lines: pd.DataFrame | None, as_of: dt.date | None) -> pd.DataFrame:
    standards = tables["cost_standards"]
    rolled, _ = roll_up(tables["items"], tables["bom"], standards, as_of,
                        tables.get("unit_conversions"))
    prices = rolled.set_index("item_code")["unit_cost"]
    return cost_variances(objects, tables["wip_lines"], production,
                          bom_usage(tables, as_of), prices,
                          standard_hours(tables["items"], standards), lines)


def _task_costs(production: pd.DataFrame, objects: pd.DataFrame) -> pd.DataFrame:
    total = production[production["element"].eq("total")]
    qty = objects.drop_duplicates("cost_object").set_index("cost_object")["completed_qty"]
    return pd.DataFrame({"task_no": total["cost_object"].to_numpy(dtype=object),
                         "finished_cost": total["finished_cost"].to_numpy(float),
                         "completed_qty": total["cost_object"].map(qty).fillna(0.0)
                         .to_numpy(float)})
