"""Stock report benchmark: in-out summary + ageing on generated moves (opt-in).

    python tests/bench/bench_reports.py                          # 1M moves, 10k items
    python tests/bench/bench_reports.py --moves 100000,1000000 --items 10000 --repeat 3

Generates posted stock moves directly (a seeded random walk per item and warehouse:
receipts, issues, returns, transfers over two years, never below zero at the end), then
times `stock_ledger_summary` followed by `stock_ageing` and `slow_movers` — what the
`report` command runs after posting. The figure is the median of --repeat runs.
Target (issue #9): 1M moves over 10k items in at most 5 s.

    python tests/bench/bench_reports.py --demo

times the whole report set on the demo factory with a month of documents (the workbook
of tests/e2e/test_report_cli.py): `xlerp report all` read → post → report → write, and
the same in process without the file. Target: at most 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
START = pd.Timestamp("2025-01-01")
DAYS = 730
TYPES = np.array(["purchase_receipt", "material_issue", "material_return", "transfer_in",
                  "transfer_out", "product_receipt"], dtype=object)


def generate(moves: int, items: int, warehouses: int = 4, seed: int = 7
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(moves, opening) with the columns posting writes; seeded, so runs compare."""
    rng = np.random.default_rng(seed)
    item = rng.integers(0, items, moves)
    place = rng.integers(0, warehouses, moves)
    day = np.sort(rng.integers(0, DAYS, moves))
    kind = rng.choice(len(TYPES), moves, p=[0.3, 0.4, 0.05, 0.1, 0.1, 0.05])
    size = rng.integers(1, 100, moves).astype(float)
    sign = np.where(np.isin(kind, (1, 4)), -1.0, 1.0)
    qty = size * sign
    cost = (1.0 + (item % 97) / 10.0)
    codes = np.char.add("I", np.arange(items).astype(str)).astype(object)
    frame = pd.DataFrame({
        "seq": np.arange(1, moves + 1), "doc_type": TYPES[kind],
        "doc_no": np.char.add("D", (np.arange(moves) // 3).astype(str)).astype(object),
        "line_no": 1, "doc_date": START + pd.to_timedelta(day, unit="D"),
        "item_code": codes[item],
        "warehouse_code": np.array(["W1", "W2", "QC", "SUP"], dtype=object)[place],
        "location_code": "", "lot": "", "task_no": "", "qty": qty, "unit_cost": cost,
        "value": qty * cost, "concession": False})
    # an opening big enough that no balance ends below zero
    need = pd.Series(-qty).groupby([codes[item], frame["warehouse_code"]]).sum().clip(lower=0)
    opening = need.rename("qty").rename_axis(["item_code", "warehouse_code"]).reset_index()
    opening["qty"] += 50.0
    opening["value"] = opening["qty"] * 1.0
    return frame, opening


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", default="100000,1000000")
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="time the demo report set")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.demo:
        demo(args.repeat)
        return
    from addin.engines import ageing
    from addin.engines.stockledger import stock_ledger_summary

    for count in (int(n) for n in args.moves.split(",")):
        moves, opening = generate(count, args.items)
        end = START + pd.Timedelta(days=DAYS)
        timings: dict[str, list[float]] = {"ledger": [], "ageing": [], "total": []}
        for _ in range(args.repeat):
            began = time.perf_counter()
            summary, _ = stock_ledger_summary(moves, opening, end - pd.Timedelta(days=30), end)
            mid = time.perf_counter()
            aged = ageing.stock_ageing(moves, opening, summary, end)
            slow = ageing.slow_movers(moves, summary, aged, end)
            done = time.perf_counter()
            timings["ledger"].append(mid - began)
            timings["ageing"].append(done - mid)
            timings["total"].append(done - began)
        median = {k: statistics.median(v) for k, v in timings.items()}
        print(f"{count:>9,} moves, {args.items:,} items: ledger {median['ledger']:.2f} s + "
              f"ageing {median['ageing']:.2f} s = {median['total']:.2f} s "
              f"(median of {args.repeat}; {len(summary):,} rows, {len(aged):,} band rows, "
              f"{len(slow):,} slow movers)")


def demo(repeat: int) -> None:
    """Every report on the demo workbook, end to end and in process."""
    import tempfile

    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from test_report_cli import demo_with_documents

    import addin.commands.report  # noqa: F401
    from addin import commands
    from addin.headless import run_on_file
    from addin.workbook.read import read_tables

    options = {"name": "all", "from": "2026-11-01", "to": "2026-11-30"}
    with tempfile.TemporaryDirectory() as folder:
        book = demo_with_documents(Path(folder) / "demo.xlsx")
        spec = commands.get("report")
        tables = read_tables(book, spec.inputs, spec.optional).tables
        files, runs = [], []
        for _ in range(repeat):
            began = time.perf_counter()
            run_on_file(book, "report", options, out=Path(folder) / "out.xlsx")
            files.append(time.perf_counter() - began)
            began = time.perf_counter()
            commands.run("report", tables, options)
            runs.append(time.perf_counter() - began)
    print(f"demo, every report: {statistics.median(files):.2f} s file to file, "
          f"{statistics.median(runs):.2f} s in process (median of {repeat})")


if __name__ == "__main__":
    main()
