"""MRP (物料需求计划, DOMAIN §3): `plan(tables, options) -> PlanResult`.

Regenerative, time-phased, multi-level, netted in ascending low-level code, vectorised
across all items of a level (see `mrprun`). The modules:

* `timeaxis` — day numbers, buckets (day/week/month/period), working-day offsets;
* `mrpdata` — demand and supply as integer-coded event tables, BOM edges;
* `netting` — the netting table, lot-for-lot net, the time-phased record;
* `lotgroups` — lot sizing and order merging for many items at once;
* `pegging` — FIFO pegging through all levels to the end demands;
* `mrpexceptions` — exception messages; `mrpoutput` — the result tables;
* `mrpchecks` — the input problems that stop a plan.

The engine never raises on user data: with an input error it returns the issues and
empty result tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import pandas as pd

from addin.engines.bom import bom_in_stock_units
from addin.engines.mrpchecks import check_plan_input, cycle_issues
from addin.engines.mrpdata import assemble
from addin.engines.mrpoutput import Output
from addin.engines.mrprun import Run, Settings
from addin.engines.timeaxis import BUCKETS, make_axis
from addin.issues import Issue, has_errors
from addin.schema import TABLES, empty_frame

INPUTS = ("items", "bom", "stock", "warehouses", "allocations", "sales_orders", "forecasts",
          "purchase_orders", "production_tasks", "subcontract_orders", "calendar",
          "suppliers", "unit_conversions")
OUTPUTS = ("planned_orders", "mrp_record", "pegging", "exceptions")


@dataclass(frozen=True)
class PlanOptions:
    """How to plan. `planning_date` None means period 1 (for bucket "period" only).

    horizon_days: demand and receipts due on or after planning date + horizon are left out.
    merge_days: a merge window for every item (None: each item's merge_days column).
    inflation_warn_pct: warn when lot sizing raises a group's need by more than this %.
    lang: language of the exception messages ("zh" or "en").
    """

    planning_date: date | None = None
    bucket: str = "day"
    horizon_days: int | None = None
    merge_days: float | None = None
    inflation_warn_pct: float = 100.0
    forecast_consumption: bool = True
    use_calendar: bool = True
    lang: str = "en"

    def __post_init__(self) -> None:
        if self.bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}; got {self.bucket!r}")
        if self.planning_date is None and self.bucket != "period":
            raise ValueError("a planning date is required unless the bucket is 'period'")


@dataclass
class PlanResult:
    planned_orders: pd.DataFrame
    mrp_record: pd.DataFrame
    pegging: pd.DataFrame
    exceptions: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in OUTPUTS}


@cache
def _empty_input(name: str) -> pd.DataFrame:
    return empty_frame(TABLES[name])


def complete(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every input table, an empty typed one where a sheet is absent."""
    return {name: tables[name] if tables.get(name) is not None else _empty_input(name).copy()
            for name in INPUTS}


def empty_result(issues: list[Issue]) -> PlanResult:
    frames = [_empty_output(name) for name in OUTPUTS]
    return PlanResult(*frames, issues=issues)


def _empty_output(name: str) -> pd.DataFrame:
    frame = empty_frame(TABLES[name])
    return frame.drop(columns="_row")


def plan(tables: dict[str, pd.DataFrame], options: PlanOptions) -> PlanResult:
    """Plan what to buy, make and subcontract, and when (DOMAIN §3)."""
    tables = complete(tables)
    issues = check_plan_input(tables)
    if has_errors(issues):  # report loops too, so one pass shows every problem
        return empty_result(issues + cycle_issues(tables["bom"]))
    # from here on every quantity is in the item's stock unit (85 m of wire → kg)
    tables["bom"] = bom_in_stock_units(tables["bom"], tables["items"], tables["unit_conversions"])
    axis = make_axis(options.bucket, options.planning_date, tables["calendar"],
                     options.use_calendar)
    data = assemble(tables, axis, options.horizon_days, options.forecast_consumption)
    if (data.items["llc"] < 0).any():  # a loop among the lines planning explodes
        return empty_result(issues + cycle_issues(tables["bom"]))
    settings = Settings(options.merge_days, options.inflation_warn_pct,
                        dense=options.bucket != "day")
    run = Run(data, axis, settings).run()
    out = Output(run, options.lang)
    pegging = out.pegging()  # before planned_orders, which lists each order's demands
    planned = out.planned_orders()
    return PlanResult(planned, out.record(), pegging, out.exceptions(), issues)
