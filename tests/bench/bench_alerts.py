"""Progress-alerts benchmark on generated tasks and documents (opt-in; not in the test run).

    python tests/bench/bench_alerts.py                         # 1k/20k, 5k/100k, 10k/200k
    python tests/bench/bench_alerts.py --sizes 5000:100000 --repeat 3

Reuses `bench_posting`'s generator: N released tasks with 4 components each (one
backflushed) over 5,000 items, and a mix of document lines (receipts, direct and merged
issues, supplements, returns, product receipts, purchase returns; a few break a rule).
Finish dates spread over 60 days around the as-of date, so every alert kind occurs.
Times, as the median of --repeat runs: the whole `alerts` command (posting included),
the alerts engine alone on the posted moves, and MRP's `posted_inputs` (the tables plan
builds from the same moves).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from bench_posting import documents, model  # noqa: E402

import addin.commands.alerts  # noqa: E402, F401  (registers the command)
from addin import commands  # noqa: E402
from addin.commands.plan import posted_documents  # noqa: E402
from addin.engines.alerts import AlertOptions, progress_alerts  # noqa: E402
from addin.engines.mrpdata import posted_inputs  # noqa: E402
from addin.engines.posting import SHEET_TYPES  # noqa: E402
from addin.schema import TABLES  # noqa: E402

AS_OF = dt.date(2026, 2, 15)
OPTIONS = {"as_of": AS_OF}


def canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every column of the canonical table, blanks at their defaults."""
    spec = TABLES[name]
    out = frame.reindex(columns=spec.column_names)
    for column in spec.columns:
        if column.default is not None:
            out[column.name] = out[column.name].where(out[column.name].notna(), column.default)
    return out.assign(_row=np.arange(2, len(out) + 2))


def workbook(tasks: int, lines: int) -> dict[str, pd.DataFrame]:
    ctx = model(5_000, tasks)
    docs = documents(ctx, lines)
    rng = np.random.default_rng(3)
    task_frame = ctx.tasks.assign(
        due_date=ctx.tasks["start_date"] + pd.to_timedelta(rng.integers(5, 30, tasks), "D"),
        stocked_qty=rng.choice([0.0, 50.0, 100.0], tasks, p=[0.6, 0.3, 0.1]))
    codes = ctx.items["item_code"]
    tables = {
        "items": canonical("items", ctx.items.assign(item_name=codes, item_type="purchased")),
        "warehouses": canonical("warehouses", ctx.warehouses.assign(nettable=True)),
        "stock": canonical("stock", ctx.opening.drop(columns="unit_cost")),
        "production_tasks": canonical("production_tasks", task_frame),
        "task_materials": canonical("task_materials", ctx.materials),
    }
    for sheet, kind in SHEET_TYPES.items():
        rows = docs[docs["doc_type"].eq(kind)].drop(columns=["sheet", "_row", "doc_type"])
        tables[sheet] = canonical(sheet, rows)
    return tables


def median_time(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000:20000,5000:100000,10000:200000",
                        help="tasks:document lines, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| tasks | document lines | alerts command | engine alone | plan's posted inputs "
          "| alerts | refused docs |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        tasks, lines = (int(part) for part in size.split(":"))
        tables = workbook(tasks, lines)
        command, result = median_time(lambda t=tables: commands.run("alerts", t, OPTIONS),
                                      args.repeat)
        moves, reversed_, warned = posted_documents(tables, OPTIONS)
        engine, _ = median_time(lambda t=tables, m=moves, r=reversed_: progress_alerts(
            t["production_tasks"], t["task_materials"], m, r, t["stock"], t["warehouses"],
            t["items"], AlertOptions(as_of=AS_OF)), args.repeat)
        planning, _ = median_time(lambda t=tables, m=moves, r=reversed_: posted_inputs(
            dict(t), m, r), args.repeat)
        refused = len({i.params.get("doc_no") for i in warned})
        print(f"| {tasks:,} | {lines:,} | {command:.2f} s | {engine:.2f} s | {planning:.2f} s "
              f"| {len(result.tables['production_alerts']):,} | {refused:,} |")


if __name__ == "__main__":
    main()
