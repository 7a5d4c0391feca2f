"""Kitting and shortage analysis (齐套分析 / 足缺料分析, DOMAIN §5): `kit`, `buildable`.

Rules, and the choices the spec leaves open, made here:
* Buildable sets = min over components of floor(available ÷ (usage × (1 + loss))); over a
  multi-level BOM, sub-assemblies are netted level by level (`kittree`), so a shared
  component is counted once. Fixed loss is per production order and not counted.
* Availability per item, one pool per item (tracking numbers are not kept apart):
  ``onhand`` — nettable on-hand stock minus locked (mrpdata's `nettable` rules);
  ``available`` — that minus allocations, except allocations whose source no. is one of
  the orders analysed (those are the order's own); ``receipts`` — that plus open
  purchase orders, production tasks and subcontract orders due by the order's due date.
  A phantom's own stock is not used (as in MRP). The ordered product's own stock is not
  counted: kitting asks whether it can be built.
* Orders: open sales order lines with qty − shipped > 0, served in (priority, due date,
  order no, line no) order. Each builds min(need, buildable) sets and takes what those
  sets consume; the next order sees what is left. An earlier order is assumed to take
  stock before receipts.
* Shortage per order and leaf component = max(0, need − available) for the full order.
  Its covering receipt is the earliest open receipt (by due date, then number) by which
  base availability + receipts ≥ what the earlier orders claim + this need; a kitted
  order claims what it took, a short one its whole need, so earlier orders are served
  first from receipts too.
* An order's kit date is the latest covering date of its shortages (blank when one has
  none); the receipt that brings it is the order's "unblocked by".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines.bom import bom_in_stock_units, qty_per, usage_lines
from addin.engines.bomgraph import Csr, csr, longest_path_levels, row_numbers
from addin.engines.kitcover import covering_receipts, kit_dates
from addin.engines.kittree import Search, Tree, bottleneck, max_sets, product_tree
from addin.engines.mrpchecks import check_plan_input, cycle_issues
from addin.engines.mrpdata import Coder, opening_stock, prepare_items, scheduled_receipts
from addin.engines.timeaxis import NO_DAY, day_numbers, day_of
from addin.issues import Issue, Message, has_errors, register
from addin.schema import ROW, TABLES, empty_frame
from addin.schema.kitting import KITTING_TABLES

MODES = ("onhand", "available", "receipts")
INPUTS = ("items", "bom", "sales_orders", "stock", "warehouses", "allocations",
          "purchase_orders", "production_tasks", "subcontract_orders", "unit_conversions")
OUTPUTS = ("kit_orders", "kit_shortages", "kit_unblocked")
# MRP's input warnings that say nothing about kitting
_PLANNING_ONLY = ("mrp_no_lead_time", "mrp_lot_policy_invalid")
_RESULTS = {t.name: t for t in KITTING_TABLES}


@dataclass(frozen=True)
class KitOptions:
    date: dt.date                              # BOM effectivity date
    mode: str = "available"                    # one of MODES
    orders: tuple[str, ...] | None = None      # order numbers; None = every open line


@dataclass
class KitResult:
    orders: pd.DataFrame      # kit_orders
    shortages: pd.DataFrame   # kit_shortages
    unblocked: pd.DataFrame   # kit_unblocked
    issues: list[Issue] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(zip(OUTPUTS, (self.orders, self.shortages, self.unblocked), strict=True))


@dataclass
class Supply:
    """Per-item availability inputs, integer-coded (positions of `codes`)."""

    codes: np.ndarray
    names: np.ndarray
    base: np.ndarray          # on hand (− allocations in the later modes)
    receipts: pd.DataFrame    # item, day, qty, ref — every open receipt, sorted
    graph: Csr                # parent → component
    usage: np.ndarray         # per CSR edge index
    llc: np.ndarray
    kinds: np.ndarray         # item type per position
    trees: dict[int, Tree] = field(default_factory=dict)

    def tree(self, item: int) -> Tree:
        if item not in self.trees:
            self.trees[item] = product_tree(self.graph, self.usage, self.llc, item)
        return self.trees[item]


def _filled(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {n: tables[n] if tables.get(n) is not None else empty_frame(TABLES[n])
            for n in INPUTS}


def supply(tables: dict[str, pd.DataFrame], date: dt.date, mode: str,
           own_orders: np.ndarray) -> Supply:
    """Availability and BOM structure for one analysis (see module docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    tables = _filled(tables)
    bom = bom_in_stock_units(tables["bom"], tables["items"], tables["unit_conversions"])
    items = prepare_items(tables["items"], bom)
    coder = Coder(items.assign(mto=False))  # one pool per item
    lines = usage_lines(bom, date)
    parent, child = coder.items(lines["parent_code"]), coder.items(lines["component_code"])
    usage = qty_per(lines).to_numpy(float) * (1.0 + lines["variable_loss_rate"].fillna(0.0)
                                              .to_numpy(float))
    keep = (parent >= 0) & (child >= 0) & np.isfinite(usage) & (usage > 0)
    n = len(items)
    graph = csr(parent[keep], child[keep], n)
    llc = longest_path_levels(parent[keep], child[keep], n)
    stock = opening_stock(tables["stock"], tables["warehouses"], coder)
    base = np.bincount(stock["item"], weights=stock["qty"], minlength=n)
    if mode != "onhand":
        alloc = tables["allocations"]
        theirs = ~alloc["source_no"].astype(object).isin(own_orders).to_numpy()
        item = coder.items(alloc["item_code"])
        take = theirs & (item >= 0)
        base -= np.bincount(item[take], weights=alloc["qty"].fillna(0.0).to_numpy(float)[take],
                            minlength=n)
    base[items["phantom"].to_numpy()] = 0.0
    receipts = scheduled_receipts(tables, coder)[["item", "day", "qty", "ref"]]
    receipts = receipts.sort_values(["item", "day", "ref"], kind="stable", ignore_index=True)
    return Supply(items["item_code"].to_numpy(dtype=object),
                  items["item_name"].to_numpy(dtype=object), base, receipts, graph,
                  usage[keep], llc, items["kind"].to_numpy(dtype=object))


def _receipts_by_day(sup: Supply, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Receipts due on or before each distinct order day, as a (days × received items + 1)
    grid — only items with receipts get a column, so a large item master stays cheap — and
    each item's column (the last, all zero, for items without receipts)."""
    r = sup.receipts
    received, column = np.unique(r["item"].to_numpy(), return_inverse=True)
    slot = np.searchsorted(days, r["day"].to_numpy(), side="left")
    grid = np.zeros((days.size + 1, received.size + 1))
    np.add.at(grid, (slot, column), r["qty"].to_numpy())
    of_item = np.full(sup.codes.size, received.size)
    of_item[received] = np.arange(received.size)
    return np.cumsum(grid, axis=0)[:-1], of_item


def open_lines(orders: pd.DataFrame, coder_index: pd.Index, wanted: tuple[str, ...] | None
               ) -> pd.DataFrame:
    """Open order lines with something left to ship, in serving order."""
    frame = orders[orders["status"].astype(object).eq("open")]
    if wanted is not None:
        frame = frame[frame["order_no"].astype(object).isin(wanted)]
    need = (frame["qty"].fillna(0.0) - frame["shipped_qty"].fillna(0.0)).clip(lower=0)
    out = pd.DataFrame({
        "order_no": frame["order_no"].astype(object).to_numpy(),
        "line_no": frame["line_no"].astype("Int64").to_numpy(),
        "item": coder_index.get_indexer(frame["item_code"].astype(object).to_numpy()),
        "due": day_numbers(frame["due_date"]),
        "priority": frame["priority"].astype("Int64").fillna(5).to_numpy(np.int64),
        "need": need.to_numpy(float), "row": row_numbers(frame)})
    out = out[(out["need"] > 0) & (out["item"] >= 0)]
    return out.sort_values(["priority", "due", "order_no", "line_no"], kind="stable",
                           ignore_index=True)


def _allocate(sup: Supply, lines: pd.DataFrame, mode: str) -> tuple[pd.DataFrame, dict]:
    """Serve the lines in order; per line its sets and bottleneck, and shortage lines."""
    days = np.unique(lines["due"].to_numpy())
    due_in, of_item = _receipts_by_day(sup, days) if mode == "receipts" else (None, None)
    taken = np.zeros(sup.codes.size)    # consumed by the lines served so far
    # what they claim of stock and receipts: a short line its whole need (it is first in
    # line for receipts), a kitted one what it took
    claimed = np.zeros(sup.codes.size)
    sets, neck = np.zeros(len(lines)), np.full(len(lines), "", dtype=object)
    rows: dict[str, list] = {k: [] for k in ("line", "item", "need", "avail", "short", "ahead")}
    for k, (item, due, need) in enumerate(zip(lines["item"].to_numpy(), lines["due"].to_numpy(),
                                              lines["need"].to_numpy(), strict=True)):
        tree = sup.tree(int(item))
        at = tree.items
        avail = sup.base[at] - taken[at]
        if due_in is not None:
            avail = avail + due_in[np.searchsorted(days, due), of_item[at]]
        avail = np.maximum(avail, 0.0)
        if not tree.leaf[0]:
            avail[0] = 0.0  # the product itself is built, not taken from stock
        found = max_sets(tree, avail, need)
        sets[k], neck[k] = found.sets, bottleneck(tree, found.failing, sup.codes)
        if found.sets < need:
            _record_shortage(rows, k, tree, avail, found, claimed[at] - sup.base[at])
            claimed[at] += found.need
        else:
            claimed[at] += found.consumed
        taken[at] += found.consumed
    return lines.assign(sets=sets, bottleneck=neck), rows


def _record_shortage(rows: dict, k: int, tree: Tree, avail: np.ndarray, found: Search,
                     claimed: np.ndarray) -> None:
    """The leaf shortages of the whole order line `k` (max_sets exploded it first);
    `claimed`: what earlier lines claim beyond the base availability, per tree item."""
    left, gross = found.left, found.need
    where = np.flatnonzero(left > 0)
    at = tree.items[where]
    rows["line"].append(np.full(where.size, k))
    rows["item"].append(at)
    rows["need"].append(gross[where])
    rows["avail"].append(avail[where])
    rows["short"].append(left[where])
    # receipts must bring the base up to what earlier lines claim plus this line's need
    rows["ahead"].append(claimed[where] + gross[where])


def _empty(name: str) -> pd.DataFrame:
    return empty_frame(_RESULTS[name]).drop(columns=ROW)


def kit(tables: dict[str, pd.DataFrame], options: KitOptions) -> KitResult:
    """Kitting of the open sales order lines (see module docstring); with an input error
    (mrpchecks' rules: unknown items, BOM loops, …) only the issues."""
    tables = _filled(tables)
    issues = [i for i in check_plan_input(tables) + cycle_issues(tables["bom"])
              if i.code not in _PLANNING_ONLY]
    if has_errors(issues):
        return KitResult(*(_empty(name) for name in OUTPUTS), issues=issues)
    orders = tables["sales_orders"]
    own = orders["order_no"].astype(object).unique() if options.orders is None else \
        np.asarray(options.orders, dtype=object)
    sup = supply(tables, options.date, options.mode, own)
    lines = open_lines(orders, pd.Index(sup.codes), options.orders)
    served, rows = _allocate(sup, lines, options.mode)
    shortages = _shortage_frame(sup, served, rows)
    orders_out = _order_frame(sup, served, shortages)
    unblocked = _unblocked_frame(sup, served, orders_out)
    issues += _no_bom(sup, lines)
    return KitResult(orders_out, shortages.drop(columns=["line", "item"]), unblocked, issues)


def _no_bom(sup: Supply, lines: pd.DataFrame) -> list[Issue]:
    """A made item ordered without BOM lines is kitted from its own stock: say so."""
    item = lines["item"].to_numpy()
    bare = np.diff(sup.graph.indptr)[item] == 0
    made = np.isin(sup.kinds[item], ("manufactured", "subcontracted"))
    return [Issue("kit_product_no_bom", "warning", "sales_orders", int(row), "item_code",
                  code, {"item": code})
            for row, code in zip(lines["row"].to_numpy()[bare & made],
                                 sup.codes[item[bare & made]], strict=True)]


def _shortage_frame(sup: Supply, served: pd.DataFrame, rows: dict) -> pd.DataFrame:
    cat = {k: np.concatenate(v) if v else np.zeros(0) for k, v in rows.items()}
    line, item = cat["line"].astype(np.int64), cat["item"].astype(np.int64)
    ref, day = covering_receipts(sup.receipts, item, cat["ahead"])
    frame = pd.DataFrame({
        "line": line, "item": item,
        "order_no": served["order_no"].to_numpy(dtype=object)[line],
        "line_no": pd.array(served["line_no"].to_numpy()[line], dtype="Int64"),
        "item_code": sup.codes[served["item"].to_numpy()[line]].astype(object),
        "component_code": sup.codes[item].astype(object),
        "component_name": sup.names[item].astype(object),
        "need_qty": cat["need"].astype(float), "available_qty": cat["avail"].astype(float),
        "short_qty": cat["short"].astype(float), "receipt_ref": ref,
        "receipt_date": _dates(day)})
    return frame.sort_values(["line", "component_code"], kind="stable", ignore_index=True)


def _dates(day: np.ndarray) -> pd.Series:
    out = pd.Series(pd.NaT, index=range(day.size), dtype="datetime64[ns]")
    ok = day != NO_DAY
    out[ok] = np.asarray(day[ok], dtype=np.int64).astype("datetime64[D]").astype(
        "datetime64[ns]")
    return out


def _order_frame(sup: Supply, served: pd.DataFrame, shortages: pd.DataFrame) -> pd.DataFrame:
    kit_day, by = kit_dates(len(served), shortages["line"].to_numpy(np.int64),
                            day_numbers(shortages["receipt_date"]),
                            shortages["receipt_ref"].to_numpy(dtype=object))
    need, sets = served["need"].to_numpy(float), served["sets"].to_numpy(float)
    item = served["item"].to_numpy()
    return pd.DataFrame({
        "order_no": served["order_no"].to_numpy(dtype=object),
        "line_no": pd.array(served["line_no"].to_numpy(), dtype="Int64"),
        "item_code": sup.codes[item].astype(object), "item_name": sup.names[item].astype(object),
        "due_date": _dates(served["due"].to_numpy()),
        "priority": pd.array(served["priority"].to_numpy(), dtype="Int64"),
        "need_qty": need, "buildable_sets": sets, "short_sets": need - sets,
        "kitted": sets >= need, "bottleneck": served["bottleneck"].to_numpy(dtype=object),
        "kit_date": _dates(kit_day), "unblocked_by": by})


def _unblocked_frame(sup: Supply, served: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per order a receipt completes: the order's last missing receipt."""
    done = (orders["unblocked_by"] != "").to_numpy()
    pick = orders[done]
    refs = sup.receipts.drop_duplicates("ref").set_index("ref")["item"]
    frame = pd.DataFrame({
        "receipt_ref": pick["unblocked_by"].to_numpy(dtype=object),
        "component_code": sup.codes[refs.reindex(pick["unblocked_by"]).to_numpy(np.int64)
                                    ].astype(object) if len(pick) else np.zeros(0, object),
        "receipt_date": pick["kit_date"].to_numpy(),
        "order_no": pick["order_no"].to_numpy(dtype=object),
        "line_no": pd.array(pick["line_no"].to_numpy(), dtype="Int64"),
        "item_code": pick["item_code"].to_numpy(dtype=object),
        "need_qty": pick["need_qty"].to_numpy(float),
        "_seq": np.flatnonzero(done)})
    frame = frame.sort_values(["receipt_date", "receipt_ref", "_seq"], kind="stable")
    return frame.drop(columns="_seq").reset_index(drop=True)


def buildable(tables: dict[str, pd.DataFrame], item: str, date: dt.date | None = None,
              mode: str = "receipts") -> tuple[float, str]:
    """Complete sets of `item` its multi-level BOM allows on `date` (default today), and
    the bottleneck component; (0.0, "") for an unknown item or one with a BOM loop
    below it (`xlerp check` reports loops). For worksheet functions:
    mode "receipts" counts on hand − allocations + receipts due by `date`."""
    date = date or dt.date.today()
    sup = supply(tables, date, mode, np.zeros(0, dtype=object))
    position = int(pd.Index(sup.codes).get_indexer([item])[0])
    if position < 0:
        return 0.0, ""
    tree = sup.tree(position)
    if (sup.llc[tree.items] < 0).any():  # a BOM loop below the item: no answer
        return 0.0, ""
    avail = sup.base[tree.items].copy()
    if mode == "receipts":
        due = sup.receipts[sup.receipts["day"] <= day_of(date)]
        avail += np.bincount(due["item"], weights=due["qty"],
                             minlength=sup.codes.size)[tree.items]
    avail = np.maximum(avail, 0.0)
    if not tree.leaf[0]:
        avail[0] = 0.0
    found = max_sets(tree, avail, None)
    return found.sets, bottleneck(tree, found.failing, sup.codes)


register({
    "kit_product_no_bom": Message(
        "{item} 是自制/委外件，但没有 BOM 子项：齐套分析只看它的库存",
        "{item} is made or subcontracted but has no BOM lines: kitting counts its stock only",
        "在 BOM 中为 {item} 加入子项", "Add the component lines of {item} to the BOM"),
})


__all__ = ["INPUTS", "MODES", "OUTPUTS", "KitOptions", "KitResult", "buildable", "kit",
           "open_lines", "supply"]
