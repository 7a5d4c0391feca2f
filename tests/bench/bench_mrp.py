"""MRP benchmark on the frePPLe-shaped generated model (opt-in, outside the test run).

    python tests/bench/bench_mrp.py --items 1000,5000,25000,100000 --repeat 3
    python tests/bench/bench_mrp.py --items 25000 --demands-per-top 10
    python tests/bench/bench_mrp.py --items 100000 --min-multiple --profile

Every run is a fresh Python process: it builds the tables with `addin.generate`, then
times `addin.engines.mrp.plan` alone (building the input frames is not timed). The table
shows the median time of --repeat runs and the highest peak RSS among them; peak RSS is
the process high-water mark, so it includes the interpreter and the generated input
tables. Daily buckets, lot-for-lot (or the min/multiple variant).
The frePPLe 9.18 figures are the issue author's, measured on this machine class, wall
time including loading the model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = dt.date(2026, 1, 5)  # the generator's default start: the planning date
FREPPLE = {(1000, 1): "0.15 s", (5000, 1): "0.45 s", (25000, 1): "1.3 s",
           (100000, 1): "7.4 s, 830 MB", (25000, 10): "10.7 s, 1.4 GB"}


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    import resource  # not Linux: ru_maxrss is in KiB on Linux, bytes on macOS

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(items: int, per_top: int, min_multiple: bool, profile: bool) -> dict:
    """One run in this process: generate, plan once, report."""
    sys.path.insert(0, str(ROOT))
    from addin.engines.mrp import PlanOptions, plan
    from addin.generate import generate

    tables = generate(items, demands_per_top=per_top, min_multiple_variant=min_multiple,
                      start=START)
    options = PlanOptions(planning_date=START)
    began = time.perf_counter()
    result = plan(tables, options)
    seconds = time.perf_counter() - began
    if profile:
        _profile(tables, options)
    return {"items": items, "bom": len(tables["bom"]), "demands": len(tables["sales_orders"]),
            "orders": len(result.planned_orders), "pegging": len(result.pegging),
            "seconds": seconds, "peak_mb": _peak_mb()}


def _profile(tables: dict, options: object) -> None:
    import cProfile
    import pstats

    from addin.engines.mrp import plan

    profiler = cProfile.Profile()
    profiler.runcall(plan, tables, options)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default="1000,5000,25000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--demands-per-top", type=int, default=1)
    parser.add_argument("--min-multiple", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the last size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.demands_per_top, args.min_multiple,
                               args.profile)))
        return
    sizes = [int(s) for s in args.items.split(",")]
    rows = []
    for k, size in enumerate(sizes):
        runs = [_run_child(size, args, profile=args.profile and k == len(sizes) - 1
                           and r == 0) for r in range(args.repeat)]
        rows.append({**runs[0], "median": statistics.median(r["seconds"] for r in runs),
                     "peak_mb": max(r["peak_mb"] for r in runs),
                     "times": [round(r["seconds"], 3) for r in runs]})
    _print(rows, args)


def _run_child(size: int, args: argparse.Namespace, profile: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(size), "--demands-per-top",
               str(args.demands_per_top)]
    command += ["--min-multiple"] * args.min_multiple + ["--profile"] * profile
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print(rows: list[dict], args: argparse.Namespace) -> None:
    variant = "min 50 / multiple 10 (purchased), multiple 5 (30 % of made)" \
        if args.min_multiple else "lot-for-lot"
    print(f"MRP benchmark: daily buckets, {variant}, {args.demands_per_top} demand(s) per "
          f"top item, median of {args.repeat}\n")
    print("| items | BOM lines | demands | planned orders | pegging rows | median s "
          "| peak RSS MB | frePPLe 9.18 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        ref = "" if args.min_multiple else FREPPLE.get((r["items"], args.demands_per_top), "")
        print(f"| {r['items']:,} | {r['bom']:,} | {r['demands']:,} | {r['orders']:,} "
              f"| {r['pegging']:,} | {r['median']:.2f} | {r['peak_mb']:.0f} | {ref} |")
    by_size = {r["items"]: r["median"] for r in rows}
    for n, t in by_size.items():
        if 5 * n in by_size:
            ratio = by_size[5 * n] / t
            print(f"\nt({5 * n:,}) / t({n:,}) = {ratio:.2f} (linear if ≤ 5.25)")


if __name__ == "__main__":
    main()
