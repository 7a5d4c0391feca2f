"""Benchmark of the costing engines on generated data (opt-in; not part of the test run).

    python tests/bench/bench_costing.py                       # the issue's two targets
    python tests/bench/bench_costing.py --items 100000 --objects 100000 --repeat 3

Targets (issue #8): the standard roll-up of 20,000 BOMs (~100k lines) ≤ 2 s, and a period
close of 5,000 tasks with 200k issue lines ≤ 10 s. The period close is the `cost` command
on a two-level model (1/5 of the tasks make semi-finished items the others consume):
posting the 200k issue lines into the moving-average stock ledger, direct material per
task from it, pools allocated, the multi-level transfer, finished vs WIP, restoration and
the reports. Also timed: roll-up and where-used re-roll on `--items` generated items,
actual costing of `--objects` cost objects in 50 centres, a joint split of `--objects` / 4
batches. Prints a markdown table of median seconds and rows out, and the peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import addin.commands.cost  # noqa: F401  (registers the command)
from addin import commands
from addin.commands.post import post_tables
from addin.engines.costing import actual_costing
from addin.engines.jointcost import split_joint_cost
from addin.engines.periodclose import cost_period
from addin.engines.rollup import reroll, roll_up
from addin.generate import generate
from addin.schema import TABLES, coerce

PERIOD = "2026-11"


def timed(step: Callable[[], object], repeat: int) -> tuple[float, int]:
    seconds, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - start)
        size = len(result[0] if isinstance(result, tuple) else result)  # type: ignore[arg-type]
        del result
    return statistics.median(seconds), size


def standards(rng: np.random.Generator, items: pd.DataFrame) -> pd.DataFrame:
    codes = items["item_code"].to_numpy(dtype=object)
    n = codes.size
    return pd.DataFrame({"item_code": codes, "labour_hours": rng.uniform(0, 2, n),
                         "labour_rate": 30.0, "machine_hours": rng.uniform(0, 1, n),
                         "overhead_rate": 12.0,
                         "overhead_basis": np.where(rng.random(n) < .5, "labour_hours",
                                                    "machine_hours"),
                         "subcontract_fee": 0.0, "_row": np.arange(n) + 2})


def cost_objects(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, ...]:
    key = np.array([f"T{k:07d}" for k in range(n)], dtype=object)
    centre = np.array([f"W{k:02d}" for k in rng.integers(0, 50, n)], dtype=object)
    zero = np.zeros(n)
    objects = pd.DataFrame({
        "cost_object": key, "cost_centre": centre, "period": PERIOD,
        "method": np.where(rng.random(n) < .5, "weighted", "fifo"),
        "completed_qty": rng.integers(1, 1000, n).astype(float), "coefficient": 1.0,
        "actual_hours": rng.uniform(1, 100, n), "standard_hours": zero,
        "machine_hours": rng.uniform(0, 50, n), "material_cost": rng.uniform(100, 1e5, n),
        "opening_wip_qty": rng.integers(0, 50, n).astype(float), "opening_completion": .4,
        "opening_material_completion": 1.0, "opening_material_cost": rng.uniform(0, 1e3, n),
        "opening_labour_cost": zero, "opening_overhead_cost": zero, "standard_material": zero,
        "_row": np.arange(n) + 2})
    wip = pd.DataFrame({"cost_object": np.repeat(key, 2),
                        "wip_qty": rng.integers(0, 100, 2 * n).astype(float),
                        "completion": rng.uniform(0, 1, 2 * n), "material_completion": 1.0})
    return objects, wip, pools(rng, np.unique(centre))


def pools(rng: np.random.Generator, centres: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"cost_centre": np.repeat(centres, 2), "period": PERIOD,
                         "element": np.tile(["labour", "overhead"], centres.size),
                         "amount": rng.uniform(1e4, 1e6, 2 * centres.size),
                         "basis": np.tile(["actual_hours", "machine_hours"], centres.size),
                         "_row": np.arange(2 * centres.size) + 2})


def joint(rng: np.random.Generator, batches: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    batch = np.array([f"J{k:06d}" for k in range(batches)], dtype=object)
    heads = pd.DataFrame({"batch": batch, "joint_cost": rng.uniform(1e3, 1e6, batches),
                          "method": "sales_value", "_row": np.arange(batches) + 2})
    n = 4 * batches
    products = pd.DataFrame({
        "batch": np.repeat(batch, 4), "product_code": np.tile(["A", "B", "C", "Z"], batches),
        "product_kind": np.tile(["main", "co_product", "co_product", "by_product"], batches),
        "qty": rng.integers(1, 1000, n).astype(float), "coefficient": 1.0,
        "sales_price": rng.uniform(1, 100, n), "separable_cost": 0.0, "unit_value": 0.5})
    return heads, products


def _typed(name: str, columns: dict[str, object]) -> pd.DataFrame:
    frame, issues = coerce(TABLES[name], pd.DataFrame(columns), name, "en")
    assert not [i for i in issues if i.severity == "error"], issues[:3]
    return frame


def close_tables(rng: np.random.Generator, tasks: int, lines: int,
                 bought: int = 2000) -> dict[str, pd.DataFrame]:
    """A period of `tasks` tasks issuing `lines` lines: a fifth make semi-finished items
    (1,000 units each, received before the others issue them), the rest finished goods
    that each consume two semi-finished items besides bought material."""
    semi = max(1, tasks // 5)
    per = lines // tasks
    raw = np.array([f"M{k:05d}" for k in range(bought)], dtype=object)
    made = np.array([f"S{k:05d}" for k in range(semi)]
                    + [f"F{k:05d}" for k in range(tasks - semi)], dtype=object)
    task = np.array([f"T{k:05d}" for k in range(tasks)], dtype=object)
    k = np.arange(per)
    # distinct components per task: 41 is coprime with the number of bought items
    comp = raw[(np.arange(tasks)[:, None] * 37 + k[None, :] * 41) % bought]
    upper = np.arange(tasks) >= semi
    n_up = int(upper.sum())
    comp[upper, :2] = made[:semi][(np.arange(n_up)[:, None] * 2 + k[None, :2]) % semi]
    qty = rng.integers(1, 10, (tasks, per)).astype(float)
    task_of = np.repeat(task, per)
    dates = np.where(upper, "2026-11-10", "2026-11-02")
    out_qty = np.where(upper, rng.integers(10, 100, tasks), 1000).astype(float)
    items = _typed("items", {
        "item_code": np.r_[raw, made], "item_name": np.r_[raw, made],
        "item_type": ["purchased"] * bought + ["manufactured"] * tasks,
        "standard_cost": np.r_[rng.uniform(1, 50, bought), np.full(tasks, 100.0)]})
    centre = np.array([f"C{c:02d}" for c in rng.integers(0, 50, tasks)], dtype=object)
    return {
        "items": items,
        "warehouses": _typed("warehouses", {"warehouse_code": ["W"],
                                            "warehouse_name": ["main"]}),
        "stock": _typed("stock", {"item_code": raw, "warehouse_code": "W", "qty": 1e9}),
        "production_tasks": _typed("production_tasks", {
            "task_no": task, "item_code": made, "qty": out_qty, "due_date": "2026-11-30"}),
        "task_materials": _typed("task_materials", {
            "task_no": task_of, "component_code": comp.ravel(),
            "required_qty": qty.ravel()}),
        "material_issues": _typed("material_issues", {
            "doc_no": np.repeat(np.char.add("I", task.astype(str)).astype(object), per),
            "line_no": np.tile(k + 1, tasks), "doc_date": np.repeat(dates, per),
            "item_code": comp.ravel(), "warehouse_code": "W", "qty": qty.ravel(),
            "task_no": task_of}),
        "product_receipts": _typed("product_receipts", {
            "doc_no": np.char.add("R", task.astype(str)).astype(object),
            "doc_date": np.where(upper, "2026-11-20", "2026-11-05"), "item_code": made,
            "warehouse_code": "W", "qty": out_qty, "task_no": task}),
        "cost_objects": _typed("cost_objects", {
            "cost_object": task, "cost_centre": centre, "period": PERIOD,
            "method": np.where(rng.random(tasks) < .5, "weighted", "none"),
            "actual_hours": rng.uniform(1, 100, tasks),
            "machine_hours": rng.uniform(1, 50, tasks)}),
        "wip_lines": _typed("wip_lines", {"cost_object": task,
                                          "wip_qty": rng.integers(0, 20, tasks),
                                          "completion": rng.uniform(0, 1, tasks)}),
        "cost_pools": pools(rng, np.unique(centre)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boms", type=int, default=20_000,
                        help="roll-up target: parents with a BOM (~5 lines each)")
    parser.add_argument("--items", type=int, default=0,
                        help="also roll-up/re-roll on this many generated items")
    parser.add_argument("--objects", type=int, default=0,
                        help="also actual costing of this many cost objects")
    parser.add_argument("--tasks", type=int, default=5_000)
    parser.add_argument("--issue-lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    # 70 % of generated items are made (four of five levels): items = boms / 0.7
    model = generate(int(args.boms / 0.7), components_per_parent=5.0)
    items = model["items"].assign(standard_cost=rng.uniform(1, 100, len(model["items"])))
    bom, std = model["bom"], standards(rng, items)
    parents = bom["parent_code"].nunique()
    steps: list[tuple[str, Callable[[], object]]] = [
        (f"roll_up ({parents:,} BOMs, {len(bom):,} lines)", lambda: roll_up(items, bom, std))]
    close = close_tables(rng, args.tasks, args.issue_lines)
    n_lines = len(close["material_issues"])
    posting, _, _ = post_tables(close, {})
    steps += [
        (f"period close: cost command ({args.tasks:,} tasks, {n_lines:,} issue lines, "
         "posting included)", lambda: commands.run("cost", close).tables["cost_of_production"]),
        ("  of which posting (post_tables)", lambda: post_tables(close, {})[0].moves),
        ("  of which costing on the moves (cost_period)",
         lambda: cost_period(close, posting.moves, PERIOD).tables["cost_of_production"]),
    ]
    if args.items:
        big = generate(args.items, components_per_parent=5.7)
        big_items = big["items"].assign(standard_cost=rng.uniform(1, 100, len(big["items"])))
        big_std = standards(rng, big_items)
        changes = big_items.loc[big_items["item_type"] == "purchased",
                                ["item_code"]].head(100).assign(standard_cost=1.0)
        steps += [(f"roll_up ({len(big['bom']):,} lines)",
                   lambda: roll_up(big_items, big["bom"], big_std)),
                  ("reroll (100 purchased items changed)",
                   lambda: reroll(big_items, big["bom"], big_std, changes))]
    if args.objects:
        objects, wip, centre_pools = cost_objects(rng, args.objects)
        heads, products = joint(rng, args.objects // 4)
        steps += [(f"actual_costing ({args.objects:,} objects)",
                   lambda: actual_costing(objects, wip, centre_pools).tables[
                       "cost_of_production"]),
                  (f"split_joint_cost ({len(heads):,} batches)",
                   lambda: split_joint_cost(heads, products))]
    rows = [(name, *timed(step, args.repeat)) for name, step in steps]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median of {args.repeat} runs\n")
    print("| step | median s | rows out |")
    print("|---|---:|---:|")
    for name, seconds, size in rows:
        print(f"| {name} | {seconds:.3f} | {size:,} |")
    print(f"\npeak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
