"""Benchmark of the costing engines on generated data (opt-in; not part of the test run).

    python tests/bench/bench_costing.py --items 100000 --objects 100000 --repeat 3

Roll-up and where-used re-roll on the generated BOM (`addin.generate`, items priced at
random standard costs, every made item with labour and overhead standards); allocation of
one labour and one overhead pool per cost centre over `--objects` cost objects in 50
centres, finished vs WIP on them (two WIP lines each, weighted average and FIFO mixed),
and a joint split of `--objects` / 4 batches of four products. Prints a markdown table of
median seconds and rows out, and the peak RSS.
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

from addin.engines.costing import actual_costing
from addin.engines.jointcost import split_joint_cost
from addin.engines.rollup import reroll, roll_up
from addin.generate import generate


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
        "cost_object": key, "cost_centre": centre, "period": "2026-11",
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
    centres = np.unique(centre)
    pools = pd.DataFrame({"cost_centre": np.repeat(centres, 2), "period": "2026-11",
                          "element": np.tile(["labour", "overhead"], centres.size),
                          "amount": rng.uniform(1e4, 1e6, 2 * centres.size),
                          "basis": np.tile(["actual_hours", "machine_hours"], centres.size),
                          "_row": np.arange(2 * centres.size) + 2})
    return objects, wip, pools


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    tables = generate(args.items, components_per_parent=5.7)
    items = tables["items"].assign(standard_cost=rng.uniform(1, 100, len(tables["items"])))
    bom, std = tables["bom"], standards(rng, items)
    leaf = items.loc[items["item_type"] == "purchased", ["item_code"]].head(100)
    changes = leaf.assign(standard_cost=1.0)
    objects, wip, pools = cost_objects(rng, args.objects)
    heads, products = joint(rng, args.objects // 4)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("roll_up (whole BOM)", lambda: roll_up(items, bom, std)),
        ("reroll (100 purchased items changed)", lambda: reroll(items, bom, std, changes)),
        (f"actual_costing ({args.objects:,} objects)",
         lambda: actual_costing(objects, wip, pools).tables["cost_of_production"]),
        (f"split_joint_cost ({len(heads):,} batches)", lambda: split_joint_cost(heads,
                                                                                products)),
    ]
    rows = [(name, *timed(step, args.repeat)) for name, step in steps]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(items):,} items, {len(bom):,} BOM lines, {args.objects:,} cost objects, "
          f"median of {args.repeat} runs\n")
    print("| step | median s | rows out |")
    print("|---|---:|---:|")
    for name, seconds, size in rows:
        print(f"| {name} | {seconds:.3f} | {size:,} |")
    print(f"\npeak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
