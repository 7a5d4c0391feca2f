"""Benchmark: reconciliation of N shop order lines against N ERP order lines.

    python tests/bench/bench_reconcile.py --lines 100000 --repeat 3

Builds (seeded) the two sides as the store gives them — shop order names "#n" that
the built-in rule rewrites to the ERP's "SHOP-n", SKUs mapped through 5,000 code
mappings — with 5 % of quantities, 5 % of due dates and 1 % of prices changed and 0.5 %
of lines missing on each side, then times the built-in `sales_orders_shop_erp` rule
(median of --repeat) and the writing of its report. Prints one markdown row.
Not collected by pytest (the default run ignores tests/bench).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agent.reconcile import load_rules, reconcile  # noqa: E402
from agent.reconcile.report import write_report  # noqa: E402
from agent.reconcile.sources import Reconciliation  # noqa: E402

SEED = 20261201
ITEMS = 5000


def side(lines: int, shop: bool, rng: np.random.Generator) -> pd.DataFrame:
    n = np.arange(lines)
    orders = n // 3
    item = (n * 7919) % ITEMS  # the same item per line on both sides
    frame = pd.DataFrame({
        "order_no": [f"#{o}" for o in orders] if shop else [f"SHOP-{o}" for o in orders],
        "line_no": pd.array(n % 3 + 1, dtype="Int64"),
        "customer_code": "web-retail" if shop else "C004",
        "item_code": [f"SKU-{i}" for i in item] if shop else [f"10.{i:05d}" for i in item],
        "qty": (n % 7 + 1).astype("float64"), "unit_price": 129.0,
        "due_date": pd.Timestamp("2026-12-01") + pd.to_timedelta(n % 60, unit="D"),
        "status": "open", "source_platform": "shopify",
        "_platform": "shopify" if shop else "kingdee", "_file": "export.csv",
        "_row": n + 2})
    if not shop:
        for column, share, change in (("qty", 0.05, 1.0), ("unit_price", 0.01, 5.0)):
            picked = rng.choice(lines, int(lines * share), replace=False)
            frame.loc[picked, column] += change
        picked = rng.choice(lines, int(lines * 0.05), replace=False)
        frame.loc[picked, "due_date"] += pd.Timedelta(days=3)
    keep = np.ones(lines, dtype=bool)
    keep[rng.choice(lines, int(lines * 0.005), replace=False)] = False
    return frame[keep]


def mappings() -> pd.DataFrame:
    codes = np.arange(ITEMS)
    items = pd.DataFrame({"platform": "shopify", "entity": "items",
                          "external_code": [f"SKU-{i}" for i in codes],
                          "canonical_code": [f"10.{i:05d}" for i in codes]})
    customer = pd.DataFrame({"platform": ["shopify"], "entity": ["customers"],
                             "external_code": ["web-retail"], "canonical_code": ["C004"]})
    return pd.concat([items, customer], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--header", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    rows = pd.concat([side(args.lines, True, rng), side(args.lines, False, rng)],
                     ignore_index=True)
    maps = mappings()
    (rule,) = [r for r in load_rules() if r.name == "sales_orders_shop_erp"]
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = reconcile(rule, rows, maps)
        times.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        write_report(Path(folder) / "report.xlsx", Reconciliation("bench", [result], 0, None),
                     "en")
        report = time.perf_counter() - start
    if args.header:
        print("| lines per side | matched | only A | only B | different | findings | "
              "reconcile s | report s |")
        print("|---|---|---|---|---|---|---|---|")
    print(f"| {args.lines:,} | {result.matched:,} | {result.only_in_a:,} | "
          f"{result.only_in_b:,} | {result.different:,} | {len(result.differences):,} | "
          f"{statistics.median(times):.2f} | {report:.1f} |")


if __name__ == "__main__":
    main()
