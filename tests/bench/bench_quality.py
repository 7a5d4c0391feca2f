"""Benchmark of receipt notices and inspections of every source (opt-in; not in the
test run).

    python tests/bench/bench_quality.py --notices 1000,10000,50000 --repeat 3

Generates `--tasks` released production tasks (one backflushed component each) and as
many subcontract order lines at one supplier (two kg of material per part, held at the
supplier), then notices split evenly over purchase, production and subcontract, each of
10 pieces into the inspection warehouse, and one inspection per notice: 7 passed,
1 concession, 1 rejected, 1 scrapped. Everything posts through `post_tables`, as the
`post` command does. Prints, per size, the median seconds, document lines (notices +
inspections), stock moves and refused documents.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from addin.commands.post import post_tables

SOURCES = np.array(["purchase", "production", "subcontract"], dtype=object)


def book(notices: int, tasks: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    products = np.array([f"P{n:05d}" for n in range(tasks)], dtype=object)
    parts = np.array([f"X{n:05d}" for n in range(tasks)], dtype=object)
    bought = np.array([f"B{n:05d}" for n in range(tasks)], dtype=object)
    task_no = np.array([f"T{n:05d}" for n in range(tasks)], dtype=object)
    order_no = np.array([f"WW{n:05d}" for n in range(tasks)], dtype=object)
    items = pd.DataFrame({
        "item_code": np.concatenate([products, parts, bought, ["C", "M"]]),
        "standard_cost": np.concatenate([rng.uniform(5, 50, tasks).round(2),
                                         np.zeros(tasks), rng.uniform(1, 9, tasks).round(2),
                                         [1.0, 5.0]]),
        "inspection": ["full"] * (3 * tasks) + ["exempt", "exempt"]})
    big = float(notices * 40)
    sheets = {
        "items": items,
        "warehouses": pd.DataFrame({"warehouse_code": ["RM", "FG", "QC", "SUB"],
                                    "warehouse_type": ["normal", "normal", "inspection",
                                                       "at_supplier"],
                                    "supplier_code": ["", "", "", "S1"]}),
        "suppliers": pd.DataFrame({"supplier_code": ["S1"]}),
        "stock": pd.DataFrame({"item_code": ["C", "M"], "warehouse_code": ["RM", "SUB"],
                               "qty": [big, big], "unit_cost": [1.0, 5.0]}),
        "production_tasks": pd.DataFrame({
            "task_no": task_no, "item_code": products, "qty": big, "stocked_qty": 0.0,
            "status": "released", "start_date": pd.Timestamp("2026-01-02"),
            "due_date": pd.Timestamp("2026-03-31")}),
        "task_materials": pd.DataFrame({
            "task_no": task_no, "component_code": "C", "qty_per": 2.0, "required_qty": big,
            "issued_qty": 0.0, "scrapped_qty": 0.0, "issue_method": "backflush",
            "supply_warehouse": "RM"}),
        "subcontract_orders": pd.DataFrame({
            "order_no": order_no, "line_no": 1, "supplier_code": "S1", "item_code": parts,
            "qty": big, "received_qty": 0.0, "status": "open", "unit_price": 3.0}),
        "subcontract_materials": pd.DataFrame({
            "order_no": order_no, "order_line": 1, "component_code": "M", "qty_per": 2.0,
            "variable_loss_rate": 0.0}),
    }
    source = SOURCES[np.arange(notices) % 3]
    pick = rng.integers(0, tasks, notices)
    doc_no = np.array([f"N{n:07d}" for n in range(notices)], dtype=object)
    day = pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 20, notices), "D")
    sheets["receipt_notices"] = pd.DataFrame({
        "_row": np.arange(notices) + 2, "doc_no": doc_no, "line_no": 1, "doc_date": day,
        "item_code": np.where(source == "purchase", bought[pick], ""),
        "warehouse_code": "FG", "location_code": "", "lot": "", "qty": 10.0,
        "unit_cost": np.where(source == "purchase", 4.0, 0.0),
        "supplier_code": np.where(source == "purchase", "S1", ""), "source": source,
        "task_no": np.where(source == "production", task_no[pick], ""),
        "order_no": np.where(source == "subcontract", order_no[pick], ""), "order_line": 1,
        "reverses_doc_no": ""})
    sheets["inspections"] = pd.DataFrame({
        "_row": np.arange(notices) + 2, "doc_no": np.char.replace(doc_no.astype(str), "N", "Q"),
        "line_no": 1, "doc_date": day + pd.Timedelta(days=1), "notice_no": doc_no,
        "notice_line": 1, "passed_qty": 7.0, "concession_qty": 1.0, "rejected_qty": 1.0,
        "scrapped_qty": 1.0, "stock_warehouse": ""})
    return sheets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", default="1000,10000,50000")
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| notices | document lines | seconds (median) | stock moves | refused |")
    print("|---|---|---|---|---|")
    for size in (int(n) for n in args.notices.split(",")):
        sheets = book(size, args.tasks)
        seconds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            posting, _, _ = post_tables(sheets, {})
            seconds.append(time.perf_counter() - start)
        print(f"| {size:,} | {2 * size:,} | {statistics.median(seconds):.2f} | "
              f"{len(posting.moves):,} | {len(posting.refused):,} |")


if __name__ == "__main__":
    main()
