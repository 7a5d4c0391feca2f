"""Benchmark of the posting engine on generated documents (opt-in; not in the test run).

    python tests/bench/bench_posting.py --lines 100000 --repeat 3

Generates `--items` items in 5 warehouses with opening stock, `--tasks` released tasks
with 4 components each (one of them backflushed), and a mix of document lines: 30 %
purchase receipts, 35 % direct issues, 10 % merged issues over two tasks, 5 % supplements,
5 % material returns, 10 % product receipts, 5 % purchase returns. A few of them break a
rule (over-issue, over-return, negative stock), so the refusal rounds run too. Prints the
median seconds, lines posted, documents refused, refusal issues and ledger rows.

    python tests/bench/bench_posting.py --mix subcontract --lines 100000

A subcontract-heavy mix instead: `--tasks` subcontract orders over 10 suppliers (each
with its at-supplier warehouse, holding 40 of every component of its orders), two
components per order, and 30 % purchase receipts of
components, 25 % subcontract issues, 25 % subcontract receipts (consuming at the
supplier, some beyond what it holds: over-consumption), 10 % subcontract returns (some
beyond the supplier's balance: refused), 5 % fee invoices, 5 % price-policy receipts.
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

from addin.engines.posting import PostingContext, post_documents

SUB_KINDS = np.array(["purchase_receipt", "subcontract_issue", "subcontract_receipt",
                      "subcontract_return", "fee_invoice", "policy_receipt"])
SUB_SHARE = np.array([0.30, 0.25, 0.25, 0.10, 0.05, 0.05])

KINDS = np.array(["purchase_receipt", "material_issue", "merged", "supplement",
                  "material_return", "product_receipt", "purchase_return"])
SHARE = np.array([0.30, 0.35, 0.10, 0.05, 0.05, 0.10, 0.05])


def model(items: int, tasks: int, seed: int = 7) -> PostingContext:
    rng = np.random.default_rng(seed)
    codes = np.array([f"I{n:06d}" for n in range(items)], dtype=object)
    warehouses = np.array([f"W{n}" for n in range(5)], dtype=object)
    opening = pd.DataFrame({"item_code": np.repeat(codes, 5),
                            "warehouse_code": np.tile(warehouses, items),
                            "qty": 1000.0, "unit_cost": rng.uniform(1, 20, items * 5).round(2)})
    task_no = np.array([f"T{n:06d}" for n in range(tasks)], dtype=object)
    product = rng.choice(codes, tasks)
    comps = rng.choice(codes, (tasks, 4))
    materials = pd.DataFrame({
        "task_no": np.repeat(task_no, 4), "component_code": comps.ravel(),
        "qty_per": 1.0, "variable_loss_rate": 0.0, "fixed_loss": 0.0,
        "required_qty": 400.0, "issued_qty": 0.0, "scrapped_qty": 0.0,
        "issue_method": np.tile(["direct", "direct", "direct", "backflush"], tasks),
        "supply_warehouse": "W0"}).drop_duplicates(["task_no", "component_code"])
    task_frame = pd.DataFrame({
        "task_no": task_no, "item_code": product, "qty": 100.0, "stocked_qty": 0.0,
        "status": "released",
        "start_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 60, tasks),
                                                                    "D")})
    return PostingContext(
        opening=opening, tasks=task_frame, materials=materials,
        items=pd.DataFrame({"item_code": codes, "standard_cost": 10.0}),
        warehouses=pd.DataFrame({"warehouse_code": warehouses, "warehouse_type": "normal"}))


def documents(ctx: PostingContext, lines: int, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kind = np.repeat(rng.choice(KINDS, lines // 4 + 1, p=SHARE), 4)[:lines]  # 4 lines/doc
    mats = ctx.materials
    pick = mats.iloc[rng.integers(0, len(mats), lines)].reset_index(drop=True)
    tasks = ctx.tasks.set_index("task_no")
    item = pick["component_code"].to_numpy(object).copy()
    task = pick["task_no"].to_numpy(object).copy()
    receipt = kind == "product_receipt"
    item[receipt] = tasks.loc[task[receipt], "item_code"].to_numpy(object)
    buy = np.isin(kind, ("purchase_receipt", "purchase_return"))
    item[buy] = ctx.opening["item_code"].to_numpy(object)[rng.integers(0, len(ctx.opening),
                                                                       buy.sum())]
    task[buy] = ""
    merged = kind == "merged"
    # the second task of a merged issue is one that also uses the component
    user = mats.drop_duplicates("component_code", keep="last").set_index("component_code")
    other = user["task_no"].reindex(item[merged]).to_numpy(object)
    task[merged] = task[merged] + "," + other
    qty = np.where(receipt, rng.integers(1, 6, lines), rng.integers(1, 40, lines)).astype(float)
    doc = np.array([f"D{n // 4:07d}" for n in range(lines)], dtype=object)
    return pd.DataFrame({
        "sheet": "documents", "_row": np.arange(2, lines + 2), "doc_no": doc,
        "doc_type": np.where(kind == "merged", "material_issue", kind),
        "issue_mode": np.where(kind == "merged", "merged", "direct"),
        "line_no": np.arange(lines) % 4 + 1,
        "doc_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(lines) // 2000, "D"),
        "item_code": item, "warehouse_code": np.where(np.isin(kind, ("purchase_receipt",
                                                                     "purchase_return")),
                                                      "W1", "W0"),
        "qty": qty, "unit_cost": np.where(buy, rng.uniform(1, 20, lines).round(2), 0.0),
        "task_no": task})


def subcontract_model(items: int, orders: int, seed: int = 7) -> PostingContext:
    rng = np.random.default_rng(seed)
    codes = np.array([f"C{n:06d}" for n in range(items)], dtype=object)
    parts = np.array([f"P{n:06d}" for n in range(max(items // 5, 1))], dtype=object)
    suppliers = np.array([f"V{n}" for n in range(10)], dtype=object)
    at = np.array([f"S{n}" for n in range(10)], dtype=object)
    order_no = np.array([f"O{n:06d}" for n in range(orders)], dtype=object)
    warehouses = pd.DataFrame({
        "warehouse_code": ["W1", "W2", *at], "supplier_code": ["", "", *suppliers],
        "warehouse_type": ["normal", "normal", *["at_supplier"] * 10]})
    components = rng.choice(codes, orders * 2)
    # each supplier already holds 40 of every component of its orders
    held = pd.DataFrame({"item_code": components, "warehouse_code": at[np.repeat(
        np.arange(orders) % 10, 2)], "qty": 40.0, "unit_cost": 5.0}).drop_duplicates(
        ["item_code", "warehouse_code"])
    own = pd.DataFrame({"item_code": codes, "warehouse_code": "W1", "qty": 1000.0,
                        "unit_cost": rng.uniform(1, 20, items).round(2)})
    return PostingContext(
        opening=pd.concat([own, held], ignore_index=True),
        items=pd.DataFrame({"item_code": np.concatenate([codes, parts]),
                            "standard_cost": 10.0}),
        warehouses=warehouses, suppliers=pd.DataFrame({"supplier_code": suppliers}),
        subcontract_orders=pd.DataFrame({
            "order_no": order_no, "line_no": 1, "supplier_code": suppliers[np.arange(orders)
                                                                           % 10],
            "item_code": rng.choice(parts, orders), "qty": 1000.0, "received_qty": 0.0,
            "status": "open", "unit_price": rng.uniform(0.5, 3, orders).round(2)}),
        subcontract_materials=pd.DataFrame({
            "order_no": np.repeat(order_no, 2), "order_line": 1,
            "component_code": components, "qty_per": np.tile([1.0, 2.0],
                                                                                orders),
            "variable_loss_rate": 0.0}).drop_duplicates(["order_no", "component_code"]),
        subcontract_prices=pd.DataFrame({
            "supplier_code": suppliers, "item_code": rng.choice(parts, 10), "min_qty": 0.0,
            "unit_price": 2.0, "ceiling_price": 2.5}))


def subcontract_documents(ctx: PostingContext, lines: int, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kind = np.repeat(rng.choice(SUB_KINDS, lines // 4 + 1, p=SUB_SHARE), 4)[:lines]
    mats = ctx.subcontract_materials
    pick = mats.iloc[rng.integers(0, len(mats), lines)].reset_index(drop=True)
    orders = ctx.subcontract_orders.set_index("order_no")
    order = pick["order_no"].to_numpy(object)
    item = pick["component_code"].to_numpy(object).copy()
    product = np.isin(kind, ("subcontract_receipt", "fee_invoice", "policy_receipt"))
    item[product] = orders.loc[order[product], "item_code"].to_numpy(object)
    qty = np.where(product, rng.integers(1, 6, lines),
                   np.where(kind == "subcontract_return", rng.integers(1, 30, lines),
                            rng.integers(5, 40, lines))).astype(float)
    doc = np.array([f"D{n // 4:07d}" for n in range(lines)], dtype=object)
    return pd.DataFrame({
        "sheet": "documents", "_row": np.arange(2, lines + 2), "doc_no": doc,
        "doc_type": np.where(kind == "policy_receipt", "subcontract_receipt", kind),
        "line_no": np.arange(lines) % 4 + 1,
        "doc_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(lines) // 2000, "D"),
        "item_code": item, "warehouse_code": np.where(product, "W2", "W1"), "qty": qty,
        "unit_cost": np.where(kind == "purchase_receipt", rng.uniform(1, 20, lines).round(2),
                              0.0),
        "order_no": np.where(kind == "purchase_receipt", "", order), "order_line": 1,
        "fee_price": np.where(kind == "fee_invoice", rng.uniform(0.5, 3, lines).round(2),
                              np.where(kind == "subcontract_receipt",
                                       rng.uniform(0.5, 3, lines).round(2), 0.0))})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mix", choices=("production", "subcontract"), default="production")
    args = parser.parse_args()
    if args.mix == "subcontract":
        ctx = subcontract_model(args.items, args.tasks)
        lines = subcontract_documents(ctx, args.lines)
    else:
        ctx = model(args.items, args.tasks)
        lines = documents(ctx, args.lines)
    seconds = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = post_documents(lines, ctx)
        seconds.append(time.perf_counter() - start)
    print("| mix | lines | seconds (median) | docs posted | docs refused | issues | "
          "ledger rows |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.mix} | {len(lines):,} | {statistics.median(seconds):.2f} | "
          f"{len(result.posted):,} | {len(result.refused):,} | {len(result.issues):,} | "
          f"{len(result.ledger):,} |")


if __name__ == "__main__":
    main()
