"""Benchmark of co/by-product cost shares (opt-in; not part of the test run).

    python tests/bench/bench_cost_shares.py                      # 2k, 20k, 60k BOMs
    python tests/bench/bench_cost_shares.py --boms 20000 --batches 100000 --repeat 5

The standard roll-up of generated BOMs (~5 component lines per parent) without and with
co/by-product lines: every 4th parent yields a by-product of its own (10–30 % of its
cost), every 10th also a co-product (2 per parent, 15 %). The fixed-share split of
joint costs (4 products per batch, shares 40/30/20/10). Prints a markdown table of the
median seconds and rows out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from addin.engines.jointcost import split_joint_cost
from addin.engines.rollup import roll_up
from addin.generate import generate
from addin.schema import TABLES, coerce


def timed(step: Callable[[], object], repeat: int) -> tuple[float, int]:
    seconds, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - start)
        size = len(result[0] if isinstance(result, tuple) else result)  # type: ignore[arg-type]
    return statistics.median(seconds), size


def with_outputs(rng: np.random.Generator, items: pd.DataFrame, bom: pd.DataFrame
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items and BOM plus a by-product line on every 4th parent, a co-product on every
    10th; each output is an item of its own."""
    parents = np.sort(bom["parent_code"].unique().astype(str)).astype(object)
    by, co = parents[::4], parents[::10]
    by_codes = np.char.add("BY-", by.astype(str)).astype(object)
    co_codes = np.char.add("CO-", co.astype(str)).astype(object)
    extra = pd.DataFrame({
        "parent_code": np.r_[by, co], "component_code": np.r_[by_codes, co_codes],
        "qty_numerator": np.r_[np.ones(by.size), np.full(co.size, 2.0)],
        "line_type": ["by_product"] * by.size + ["co_product"] * co.size,
        "cost_weight": np.r_[rng.uniform(10, 30, by.size), np.full(co.size, 15.0)]})
    extra, issues = coerce(TABLES["bom"], extra, "bom", "en")
    assert not issues, issues[:3]
    outputs = np.r_[by_codes, co_codes]
    new_items = items.iloc[:0].reindex(range(outputs.size)).assign(
        item_code=outputs, item_name=outputs, item_type="manufactured", standard_cost=0.0)
    return (pd.concat([items, new_items], ignore_index=True),
            pd.concat([bom, extra], ignore_index=True))


def standards(rng: np.random.Generator, items: pd.DataFrame) -> pd.DataFrame:
    codes = items["item_code"].to_numpy(dtype=object)
    n = codes.size
    return pd.DataFrame({"item_code": codes, "labour_hours": rng.uniform(0, 2, n),
                         "labour_rate": 30.0, "machine_hours": 0.0, "overhead_rate": 12.0,
                         "overhead_basis": "labour_hours", "subcontract_fee": 0.0})


def joint(rng: np.random.Generator, batches: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    batch = np.array([f"J{k:07d}" for k in range(batches)], dtype=object)
    heads = pd.DataFrame({"batch": batch, "joint_cost": rng.uniform(1e3, 1e6, batches),
                          "method": "share"})
    products = pd.DataFrame({
        "batch": np.repeat(batch, 4), "product_code": np.tile(["A", "B", "C", "Z"], batches),
        "product_kind": np.tile(["main", "co_product", "co_product", "by_product"], batches),
        "qty": rng.integers(1, 1000, 4 * batches).astype(float), "coefficient": 1.0,
        "sales_price": 0.0, "separable_cost": 0.0, "unit_value": 0.0,
        "cost_share": np.tile([40.0, 30.0, 20.0, 10.0], batches)})
    return heads, products


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boms", default="2000,20000,60000",
                        help="parents with a BOM, comma-separated sizes")
    parser.add_argument("--batches", default="10000,100000",
                        help="joint-cost batches, comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    steps: list[tuple[str, Callable[[], object]]] = []
    for size in (int(s) for s in args.boms.split(",") if s):
        model = generate(int(size / 0.7), components_per_parent=5.0)
        items = model["items"].assign(standard_cost=rng.uniform(1, 100, len(model["items"])))
        bom = model["bom"]
        shared_items, shared_bom = with_outputs(rng, items, bom)
        std = standards(rng, shared_items)
        outputs = len(shared_bom) - len(bom)
        parents = bom["parent_code"].nunique()
        steps += [
            (f"roll_up, {parents:,} BOMs / {len(bom):,} lines, no outputs",
             lambda i=items, b=bom, s=std: roll_up(i, b, s)),
            (f"roll_up, same + {outputs:,} co/by-product lines",
             lambda i=shared_items, b=shared_bom, s=std: roll_up(i, b, s))]
    for size in (int(s) for s in args.batches.split(",") if s):
        heads, products = joint(rng, size)
        steps.append((f"split_joint_cost share, {size:,} batches × 4 products",
                      lambda h=heads, p=products: split_joint_cost(h, p)))
    rows = [(name, *timed(step, args.repeat)) for name, step in steps]
    print(f"median of {args.repeat} runs\n")
    print("| step | median s | rows out |")
    print("|---|---:|---:|")
    for name, seconds, size in rows:
        print(f"| {name} | {seconds:.3f} | {size:,} |")


if __name__ == "__main__":
    main()
