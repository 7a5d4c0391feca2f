"""Invoice matching benchmark on generated data (opt-in, outside the test run).

    python tests/bench/bench_match.py                       # 10k, 50k and 100k lines a side
    python tests/bench/bench_match.py --lines 100000 --repeat 5

Generates purchase receipts and supplier invoices (in e-invoice form: seller tax id, goods
name and spec) over 500 suppliers and 5,000 items with purchase orders behind them: most
receipts invoiced whole, some split over two invoices, some not invoiced, a few invoices
at another price, some red-letter and voided lines. Times
`addin.engines.invoicematch.match_invoices` alone (typed tables in, all result tables
out); the figure is the median of --repeat runs. Target (issue #10): 100k receipt lines
against 100k invoice lines in at most 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def generate(lines: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    from addin.schema import TABLES, coerce

    rng = np.random.default_rng(seed)
    suppliers, items = 500, 5000
    supplier = rng.integers(0, suppliers, lines)
    item = rng.integers(0, items, lines)
    qty = rng.integers(1, 500, lines).astype(float)
    price = np.round(rng.uniform(0.5, 200, items), 2)
    day = np.sort(rng.integers(0, 60, lines))
    dates = pd.Timestamp("2026-10-01") + pd.to_timedelta(day, unit="D")
    receipts = pd.DataFrame({
        "doc_no": [f"R{n:07d}" for n in range(lines)], "line_no": 1, "doc_date": dates,
        "item_code": [f"I{i:05d}" for i in item], "qty": qty,
        "supplier_code": [f"S{s:04d}" for s in supplier], "warehouse_code": "W1"})
    orders = receipts.groupby(["supplier_code", "item_code"], as_index=False)["qty"].sum()
    orders = orders.assign(po_no=[f"PO{n:06d}" for n in range(len(orders))], line_no=1,
                           due_date=pd.Timestamp("2026-09-20"),
                           unit_price=price[orders["item_code"].str[1:].astype(int)])
    # invoices: 90 % of receipts, 10 % of those split in two; 3 % at +5 %; 1 % voided
    invoiced = rng.random(lines) < 0.9
    split = invoiced & (rng.random(lines) < 0.1)
    take = np.concatenate([np.flatnonzero(invoiced), np.flatnonzero(split)])
    share = np.where(np.isin(take, np.flatnonzero(split)), 0.5, 1.0)
    share[len(np.flatnonzero(invoiced)):] = 0.5
    inv_qty = np.round(qty[take] * share, 2)
    unit = price[item[take]] * np.where(rng.random(len(take)) < 0.03, 1.05, 1.0)
    amount = np.round(inv_qty * unit, 2)
    inv_day = np.minimum(day[take] + rng.integers(0, 20, len(take)), 59)
    invoices = pd.DataFrame({
        "einvoice_no": [f"2611{n:016d}" for n in range(len(take))], "line_no": 1,
        "issue_date": pd.Timestamp("2026-10-01") + pd.to_timedelta(inv_day, unit="D"),
        "direction": "in", "seller_tax_id": [f"91{s:016d}" for s in supplier[take]],
        "goods_name": [f"*类*物料{i:05d}" for i in item[take]], "spec": "标准",
        "qty": inv_qty, "amount": amount, "tax_rate": 0.13, "tax": np.round(amount * 0.13, 2),
        "status": np.where(rng.random(len(take)) < 0.01, "voided", "normal")})
    frames = {
        "suppliers": pd.DataFrame({"supplier_code": [f"S{s:04d}" for s in range(suppliers)],
                                   "supplier_name": [f"供应商{s}" for s in range(suppliers)],
                                   "tax_id": [f"91{s:016d}" for s in range(suppliers)]}),
        "items": pd.DataFrame({"item_code": [f"I{i:05d}" for i in range(items)],
                               "item_name": [f"物料{i:05d}" for i in range(items)],
                               "spec": "标准", "item_type": "purchased"}),
        "purchase_orders": orders, "purchase_receipts": receipts, "invoice_lines": invoices}
    return {name: coerce(TABLES[name], frame, name, "zh")[0] for name, frame in frames.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="10000,50000,100000",
                        help="receipt lines per run, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from addin.engines.invoicematch import MatchOptions, match_invoices

    options = MatchOptions(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    for size in (int(n) for n in args.lines.split(",")):
        tables = generate(size)
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            result = match_invoices(tables, options)
            times.append(time.perf_counter() - began)
        outcome = result.docs["outcome"].value_counts().to_dict()
        print(f"{size:>7,} receipt lines vs {len(tables['invoice_lines']):>7,} invoice lines: "
              f"{statistics.median(times):.2f} s median of {args.repeat} "
              f"(receipts {outcome}; {len(result.matches):,} matches, "
              f"{len(result.differences):,} differences)")


if __name__ == "__main__":
    main()
