"""Benchmark: read an items + BOM workbook with xlerp's calamine reader vs. plain openpyxl.

    python tests/bench/bench_read.py --items 100000 --bom-lines 400000 --repeat 3

Generates (seeded) a workbook of that size once, caches it in the temp folder keyed by
size, then times `read_tables(path, ["items", "bom"])` and an openpyxl read-only load of
the same two sheets into DataFrames. Each reader runs in its own child process so its
peak RSS is its own. Prints one markdown table row (with the header when --header).
Not collected by pytest (the default run ignores tests/bench).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from addin.schema import TABLES  # noqa: E402  (after the path set-up above)

SEED = 20240601
ITEM_COLUMNS = ["item_code", "item_name", "spec", "stock_unit", "item_type", "lead_time_days",
                "safety_stock", "lot_rule", "min_order_qty", "standard_cost"]
BOM_COLUMNS = ["parent_code", "component_code", "qty_numerator", "qty_denominator",
               "variable_loss_rate", "issue_method", "effective_from", "bom_version"]


def workbook_path(items: int, lines: int) -> Path:
    """The cached benchmark workbook for this size, generated on first use."""
    path = Path(tempfile.gettempdir()) / f"xlerp_bench_{items}_{lines}.xlsx"
    if not path.exists():
        generate(path, items, lines)
    return path


def generate(path: Path, items: int, lines: int) -> None:
    rng = np.random.default_rng(SEED)
    book = openpyxl.Workbook(write_only=True)
    codes = np.array([f"{i // 10000:02d}.{i % 10000:04d}" for i in range(items)], dtype=object)
    _write_items(book.create_sheet("Items"), rng, codes)
    _write_bom(book.create_sheet("BOM"), rng, codes, lines)
    partial = path.with_suffix(".part.xlsx")
    book.save(partial)
    partial.replace(path)


def _write_items(ws, rng: np.random.Generator, codes: np.ndarray) -> None:
    spec = TABLES["items"]
    ws.append([spec.column(name).en for name in ITEM_COLUMNS])
    n = len(codes)
    types = rng.choice(["Purchased", "Manufactured", "Subcontracted"], n, p=[0.6, 0.3, 0.1])
    columns = [codes, [f"Part {c}" for c in codes], rng.choice(["M8x20", "10uF", "", "2m"], n),
               rng.choice(["pcs", "kg", "m"], n), types, rng.integers(0, 30, n).tolist(),
               np.round(rng.uniform(0, 500, n), 0).tolist(),
               rng.choice(["Lot-for-lot", "Fixed order qty", "EOQ"], n),
               rng.integers(0, 100, n).tolist(), np.round(rng.uniform(0.1, 900, n), 2).tolist()]
    for row in zip(*columns, strict=True):
        ws.append(list(row))


def _write_bom(ws, rng: np.random.Generator, codes: np.ndarray, lines: int) -> None:
    spec = TABLES["bom"]
    ws.append([spec.column(name).en for name in BOM_COLUMNS])
    parents = codes[rng.integers(0, max(1, len(codes) // 3), lines)]
    children = codes[rng.integers(len(codes) // 3, len(codes), lines)]
    start = dt.date(2025, 1, 1)
    dates = [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, lines)]
    columns = [parents, children, rng.integers(1, 12, lines).tolist(),
               rng.choice([1, 1, 1, 10], lines).tolist(),
               rng.choice([0.0, 0.01, 0.02, 0.05], lines).tolist(),
               rng.choice(["Direct issue", "Backflush"], lines), dates,
               rng.choice(["", "V1", "V2"], lines)]
    for row in zip(*columns, strict=True):
        ws.append(list(row))


def read_calamine(path: Path) -> int:
    from addin.workbook.read import read_tables

    result = read_tables(path, ["items", "bom"])
    return sum(len(frame) for frame in result.tables.values())


def read_openpyxl(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for title in ("Items", "BOM"):
        values = book[title].iter_rows(values_only=True)
        header = next(values)
        frame = pd.DataFrame(list(values), columns=header)
        rows += len(frame)
    book.close()
    return rows


def worker(engine: str, path: Path, repeat: int) -> None:
    """Child process: time one reader `repeat` times, report seconds and peak RSS as JSON."""
    import resource

    reader = read_calamine if engine == "calamine" else read_openpyxl
    times, cpu, rows = [], [], 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        rows = reader(path)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)  # what a shared, busy machine distorts less
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"times": times, "cpu": cpu, "rows": rows, "peak_mb": peak_kb / 1024}))


def measure(engine: str, path: Path, repeat: int) -> dict:
    command = [sys.executable, __file__, "--worker", engine, "--path", str(path),
               "--repeat", str(repeat)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--bom-lines", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--header", action="store_true", help="print the table header too")
    parser.add_argument("--worker", choices=["calamine", "openpyxl"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.repeat)
        return
    path = workbook_path(args.items, args.bom_lines)
    fast = measure("calamine", path, args.repeat)
    slow = measure("openpyxl", path, args.repeat)
    assert fast["rows"] == slow["rows"] == args.items + args.bom_lines, (fast, slow)
    calamine_s, openpyxl_s = statistics.median(fast["times"]), statistics.median(slow["times"])
    calamine_cpu, openpyxl_cpu = statistics.median(fast["cpu"]), statistics.median(slow["cpu"])
    if args.header:
        print("| items / BOM lines | file MB | calamine s (CPU s) | openpyxl s (CPU s) | ratio | "
              "peak RSS MB (calamine / openpyxl) |")
        print("|---|---|---|---|---|---|")
    print(f"| {args.items:,} / {args.bom_lines:,} | {path.stat().st_size / 2**20:.1f} | "
          f"{calamine_s:.2f} ({calamine_cpu:.2f}) | {openpyxl_s:.2f} ({openpyxl_cpu:.2f}) | "
          f"{openpyxl_s / calamine_s:.1f}x | {fast['peak_mb']:.0f} / {slow['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
