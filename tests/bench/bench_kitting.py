"""Kitting benchmark on a generated multi-level model (opt-in, outside the test run).

    python tests/bench/bench_kitting.py                      # 1,000 orders, ~2,000 BOM lines
    python tests/bench/bench_kitting.py --items 3000 --orders 5000 --repeat 5

Builds the tables with `addin.generate` (5 BOM levels, half the items in stock, open
purchase orders and production tasks), then times `addin.engines.kitting.kit` alone in
each mode; the figure is the median of --repeat runs. Target (issue #7): 1,000 orders over
a 2,000-line multi-level BOM in at most 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = dt.date(2026, 1, 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=750)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from addin.engines.kitting import MODES, KitOptions, kit
    from addin.generate import generate

    tops = int(generate(args.items, start=START)["sales_orders"]["item_code"].nunique())
    per_top = max(1, -(-args.orders // max(tops, 1)))
    tables = generate(args.items, start=START, demands_per_top=per_top, open_po_share=0.3)
    print(f"items {len(tables['items']):,}, BOM lines {len(tables['bom']):,}, "
          f"order lines {len(tables['sales_orders']):,}")
    for mode in MODES:
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            result = kit(tables, KitOptions(START, mode))
            times.append(time.perf_counter() - began)
        kitted = int(result.orders["kitted"].sum())
        print(f"{mode:>9}: {statistics.median(times):.3f} s median of {args.repeat} "
              f"({kitted:,} of {len(result.orders):,} lines kitted, "
              f"{len(result.shortages):,} shortage lines)")


if __name__ == "__main__":
    main()
