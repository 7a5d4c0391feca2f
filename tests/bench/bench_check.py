"""Benchmark of the BOM checks on generated data (opt-in; not part of the test run).

    python tests/bench/bench_check.py --items 100000 --repeat 3

Generates the frePPLe-shaped model with `components_per_parent` 5.7 (~400k BOM lines at
100k items), then times each step: all master-data checks, low-level codes, where-used
over the whole BOM, and the explosion of the first `--explode-roots` top items (the full
explosion of every top item is millions of rows; `--explode-all` times it too). Prints
a markdown table of the median seconds and the rows each step returns, and the peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from addin.engines.bom import explode_bom, where_used
from addin.engines.bomgraph import low_level_codes
from addin.engines.checks import CheckSettings, check_master_data
from addin.generate import generate


def timed(step: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median seconds over `repeat` runs and the size of the step's result."""
    seconds, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - start)
        size = len(result)  # type: ignore[arg-type]
        del result  # keep the peak RSS to one result at a time
    return statistics.median(seconds), size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-parent", type=float, default=5.7,
                        help="components per made item (5.7 gives ~4 lines per item)")
    parser.add_argument("--explode-roots", type=int, default=1_000)
    parser.add_argument("--explode-all", action="store_true")
    args = parser.parse_args(argv)

    tables: dict = {}
    rows = [("generate", *timed(lambda: tables.update(
        generate(args.items, components_per_parent=args.per_parent)) or tables["bom"],
        args.repeat))]
    items, bom = tables["items"], tables["bom"]
    tops = sorted(set(bom["parent_code"]) - set(bom["component_code"]))[: args.explode_roots]
    settings = CheckSettings(item_code_pattern=r"L\d-\d{6}")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("check_master_data (all checks)", lambda: check_master_data(tables, settings)),
        ("low_level_codes", lambda: low_level_codes(items, bom)),
        ("where_used (whole BOM)", lambda: where_used(items, bom)),
        (f"explode_bom ({len(tops):,} top items)", lambda: explode_bom(items, bom, tops)),
    ]
    if args.explode_all:
        steps.append(("explode_bom (every top item)", lambda: explode_bom(items, bom)))
    rows += [(name, *timed(step, args.repeat)) for name, step in steps]

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{args.items:,} items, {len(bom):,} BOM lines, median of {args.repeat} runs\n")
    print("| step | median s | rows out |")
    print("|---|---:|---:|")
    for name, seconds, size in rows:
        print(f"| {name} | {seconds:.3f} | {size:,} |")
    print(f"\npeak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
