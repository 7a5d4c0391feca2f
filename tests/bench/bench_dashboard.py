"""KPI dashboard and subcontract tracking benchmark on generated data (opt-in).

    python tests/bench/bench_dashboard.py                        # 100k and 1M moves
    python tests/bench/bench_dashboard.py --moves 1000000 --lines 200000 --repeat 3

Uses the posted moves of bench_reports.py (a seeded random walk over 10k items) and
adds sales order lines with shipments (one to three per line, some late) and subcontract
orders with their issues, returns and receipts as posted moves. Times what
`report dashboard` computes after posting — fill rate, stock value at each week end,
value issued per week, inventory turns — and `subcontract_tracking`. Median of
--repeat runs. Posting and the kit/alerts KPIs are benchmarked by their own scripts.
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from bench_reports import DAYS, START, generate  # noqa: E402


def sales(lines: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sales order lines, shipments): 4 lines an order, due over the two years; each
    line shipped in 1–3 parts, 20 % of the parts a week late."""
    rng = np.random.default_rng(seed)
    order = np.char.add("SO", (np.arange(lines) // 4).astype(str)).astype(object)
    due = START + pd.to_timedelta(rng.integers(0, DAYS, lines), unit="D")
    qty = rng.integers(1, 50, lines).astype(float)
    item = np.char.add("I", rng.integers(0, 10_000, lines).astype(str)).astype(object)
    orders = pd.DataFrame({"order_no": order, "line_no": np.arange(lines) % 4 + 1,
                           "item_code": item, "qty": qty, "shipped_qty": qty,
                           "due_date": due, "status": "open"})
    parts = rng.integers(1, 4, lines)
    line = np.repeat(np.arange(lines), parts)
    late = np.where(rng.random(len(line)) < 0.2, 7, -rng.integers(0, 5, len(line)))
    shipments = pd.DataFrame({
        "doc_no": np.char.add("D", np.arange(len(line)).astype(str)).astype(object),
        "doc_date": due[line] + pd.to_timedelta(late, unit="D"), "order_no": order[line],
        "item_code": item[line], "qty": qty[line] / parts[line], "reverses_doc_no": ""})
    return orders, shipments


def subcontracting(orders: int, seed: int = 13) -> tuple[pd.DataFrame, pd.DataFrame,
                                                           pd.DataFrame]:
    """(subcontract orders, materials, moves): one line per order, two components of
    qty per 2 and 1; each order issued, partly returned and partly received."""
    rng = np.random.default_rng(seed)
    number = np.char.add("WW", np.arange(orders).astype(str)).astype(object)
    qty = rng.integers(10, 500, orders).astype(float)
    due = START + pd.to_timedelta(rng.integers(0, DAYS, orders), unit="D")
    table = pd.DataFrame({"order_no": number, "line_no": 1, "supplier_code": "S1",
                          "item_code": "P", "qty": qty, "received_qty": 0.0,
                          "due_date": due, "status": "open"})
    listed = pd.DataFrame({"order_no": np.repeat(number, 2), "order_line": 1,
                           "component_code": np.tile(["M1", "M2"], orders),
                           "qty_per": np.tile([2.0, 1.0], orders), "variable_loss_rate": 0.0})
    sent = np.repeat(qty, 2) * np.tile([2.0, 1.0], orders)
    moves = pd.DataFrame({
        "doc_type": np.concatenate([np.repeat("subcontract_issue", 2 * orders),
                                    np.repeat("subcontract_return", orders),
                                    np.repeat("subcontract_receipt", orders)]).astype(object),
        "doc_date": np.concatenate([np.repeat(due, 2), due, due]),
        "order_no": np.concatenate([np.repeat(number, 2), number, number]),
        "item_code": np.concatenate([np.tile(["M1", "M2"], orders),
                                     np.repeat("M2", orders), np.repeat("P", orders)]),
        "qty": np.concatenate([sent, -np.ones(orders), np.floor(qty * 0.8)]),
        "value": np.concatenate([sent * 5.0, -np.full(orders, 5.0), qty * 20.0])})
    return table, listed, moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", default="100000,1000000")
    parser.add_argument("--lines", default="20000,200000",
                        help="sales order lines (and subcontract orders ÷ 10), per size")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from addin.engines import dashboard
    from addin.engines.subcontracttracking import subcontract_tracking

    end = START + pd.Timedelta(days=DAYS - 1)
    start = end - pd.Timedelta(days=89)  # a quarter: 13 weeks
    for count, lines in zip((int(n) for n in args.moves.split(",")),
                            (int(n) for n in args.lines.split(",")), strict=True):
        moves, opening = generate(count, 10_000)
        orders, shipments = sales(lines)
        sub_orders, listed, sub_moves = subcontracting(lines // 10)
        timings: dict[str, list[float]] = {"fill": [], "weeks": [], "tracking": []}
        for _ in range(args.repeat):
            began = time.perf_counter()
            filled, due = dashboard.fill_rate(orders, shipments, start, end)
            mid = time.perf_counter()
            first = float(opening["value"].sum())
            stock, _ = dashboard.weekly(first, moves, start, end)
            value = dashboard.issued_value(moves, start, end)
            ends = dashboard.stock_values(first, moves, [start - pd.Timedelta(days=1), end])
            dashboard.inventory_turns(value, ends[0], ends[1], 90)
            weeks = time.perf_counter()
            tracked = subcontract_tracking(sub_orders, listed, sub_moves, end)
            done = time.perf_counter()
            timings["fill"].append(mid - began)
            timings["weeks"].append(weeks - mid)
            timings["tracking"].append(done - weeks)
        median = {k: statistics.median(v) for k, v in timings.items()}
        print(f"{count:>9,} moves, {lines:,} order lines ({len(shipments):,} shipments), "
              f"{len(sub_orders):,} subcontract orders: fill rate {median['fill']:.2f} s, "
              f"weeks + turns {median['weeks']:.2f} s, tracking {median['tracking']:.2f} s "
              f"(median of {args.repeat}; {filled:,}/{due:,} filled, {len(stock)} weeks, "
              f"{len(tracked):,} lines)")


if __name__ == "__main__":
    main()
