"""MRP exception messages (例外信息, DOMAIN §3), found level by level on whole arrays.

* past due: a planned release fell before the planning date (moved onto it);
* expedite / postpone: an open scheduled receipt arrives after / before the date it is
  first needed. "First needed" is read without planned orders: receipt j is needed on
  the first day the cumulative requirement (safety stock + gross + allocations) exceeds
  the opening stock plus the receipts due before j. Postpone is information only;
* cancel: a receipt that is never needed within the horizon;
* below safety stock: opening available stock is below safety stock on the planning date;
* no BOM: a made item got planned orders but has no BOM lines (nothing is ordered below);
* no supplier: a purchased item got planned orders but has no default supplier;
* lot inflation: a group's orders exceed the needs they were made for by more than
  `inflation_warn_pct` % (e.g. a minimum turning 200 into 30,000);
* customer-supplied short: the customer's material does not cover the need (no order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from addin.engines import netting as nt
from addin.issues import Message, register

if TYPE_CHECKING:
    from addin.engines.mrprun import Run

COLUMNS = ("severity", "code", "item", "trk", "order", "ref", "day", "qty", "days", "need")


def _frame(severity: str, code: str, n: int, **columns: np.ndarray) -> pd.DataFrame:
    base = {"severity": np.full(n, severity, dtype=object), "code": np.full(n, code, dtype=object),
            "item": np.zeros(n, np.int64), "trk": np.zeros(n, np.int64),
            "order": np.full(n, -1, np.int64), "ref": np.full(n, "", dtype=object),
            "day": np.zeros(n, np.int64), "qty": np.zeros(n), "days": np.full(n, np.nan),
            "need": np.full(n, np.nan)}
    base.update(columns)
    return pd.DataFrame(base, columns=list(COLUMNS))


def level_exceptions(run: Run, table: nt.NetTable, item_of: np.ndarray, rec: pd.DataFrame,
                     orders: dict[str, np.ndarray]) -> list[pd.DataFrame]:
    """Every exception of one level."""
    out = [*_receipts(run, table, rec), *_stock(run, table, item_of)]
    out += _orders(run, table, item_of, orders)
    return [f for f in out if len(f)]


def _receipts(run: Run, table: nt.NetTable, rec: pd.DataFrame) -> list[pd.DataFrame]:
    if not len(rec):
        return []
    key = rec["item"].to_numpy() * run.nt + rec["trk"].to_numpy()
    g = np.searchsorted(table.keys, key)
    qty = nt.units(rec["qty"].to_numpy())
    first = nt.runs(g, table.keys.size)[0]
    prior = nt.group_cumsum(qty, first, g) - qty + nt.units(np.maximum(table.opening, 0))[g]
    required = nt.group_cumsum(nt.units(table.gross) + nt.units(table.alloc), table.lo,
                               table.grp) + nt.units(table.ss)[table.grp]
    last = required[table.hi - 1]
    offset = np.cumsum(last + 1) - (last + 1)
    at = np.searchsorted(required + offset[table.grp], prior + offset[g], side="right")
    found = at < table.hi[g]
    bucket = run.axis.floor(rec["day"].to_numpy())
    need_day = table.bucket[np.minimum(at, table.bucket.size - 1)]
    days = (bucket - need_day).astype(float)
    common = {"item": rec["item"].to_numpy(), "trk": rec["trk"].to_numpy(),
              "ref": rec["ref"].to_numpy(dtype=object), "qty": rec["qty"].to_numpy()}
    out = []
    for code, severity, mask, day, sign in (
            ("mrp_expedite", "warning", found & (days > 0), need_day, 1),
            ("mrp_postpone", "info", found & (days < 0), need_day, -1),
            ("mrp_cancel", "warning", ~found, bucket, 0)):
        out.append(_frame(severity, code, int(mask.sum()),
                          **{k: v[mask] for k, v in common.items()},
                          day=day[mask], days=(sign * days)[mask] if sign else np.full(
                              int(mask.sum()), np.nan)))
    return out


def _stock(run: Run, table: nt.NetTable, item_of: np.ndarray) -> list[pd.DataFrame]:
    short = table.opening < table.ss - 5e-7
    g = np.flatnonzero(short)
    below = _frame("warning", "mrp_below_safety_stock", g.size, item=item_of[g],
                   trk=table.keys[g] % run.nt, day=np.full(g.size, run.axis.start),
                   qty=np.round(table.ss[g] - table.opening[g], 6), need=table.ss[g])
    customer = run.kind[item_of] == "customer_supplied"
    net_rows = np.flatnonzero(customer[table.grp] & (table.net > 5e-7))
    cg, first = nt.first_of_runs(table.grp[net_rows])
    total = np.bincount(table.grp[net_rows], weights=table.net[net_rows],
                        minlength=table.keys.size)[cg]
    short_cs = _frame("warning", "mrp_customer_short", cg.size, item=item_of[cg],
                      trk=table.keys[cg] % run.nt, day=table.bucket[net_rows[first]],
                      qty=np.round(total, 6))
    return [below, short_cs]


def _orders(run: Run, table: nt.NetTable, item_of: np.ndarray,
            orders: dict[str, np.ndarray]) -> list[pd.DataFrame]:
    late = orders["late"] > 0
    # dated on the release date the order should have had
    out = [_frame("error", "mrp_past_due", int(late.sum()), item=orders["item"][late],
                  trk=orders["trk"][late], order=orders["id"][late],
                  day=run.axis.start - orders["late"][late], qty=orders["qty"][late],
                  days=orders["late"][late].astype(float))]
    groups, first = nt.first_of_runs(orders["grp"])
    qty = np.bincount(orders["grp"], weights=orders["qty"], minlength=table.keys.size)[groups]
    need = np.bincount(orders["grp"], weights=orders["need"], minlength=table.keys.size)[groups]
    pct = (qty - need) / np.where(need > 0, need, 1.0) * 100.0
    big = (need > 0) & (pct > run.settings.inflation_warn_pct + 1e-9)
    o = first[big]
    out.append(_frame("warning", "mrp_lot_inflation", int(big.sum()), item=orders["item"][o],
                      trk=orders["trk"][o], order=orders["id"][o], day=orders["need_day"][o],
                      qty=np.round(qty[big], 6), need=np.round(need[big], 6),
                      days=np.round(pct[big], 1)))
    supplier = run.data.items["supplier"].to_numpy(dtype=object)
    bought = nt.distinct(orders["item"][run.kind[orders["item"]] == "purchased"])
    missing = bought[supplier[bought] == ""]
    first_day = _first_need(orders, missing)
    out.append(_frame("warning", "mrp_no_supplier", missing.size, item=missing, day=first_day))
    no_bom = run.no_bom
    out.append(_frame("error", "mrp_no_bom", no_bom.size, item=no_bom,
                      day=_first_need(orders, no_bom)))
    return out


def _first_need(orders: dict[str, np.ndarray], items: np.ndarray) -> np.ndarray:
    if items.size == 0:
        return np.zeros(0, np.int64)
    frame = pd.Series(orders["need_day"]).groupby(orders["item"]).min()
    return frame.reindex(items).to_numpy(np.int64)


register({
    "mrp_past_due": Message(
        "{item} 的计划订单 {ref} 应在 {date} 下达，已逾期 {days} 天——请加急",
        "Planned order {ref} for {item} should have been released on {date}: "
        "past due — expedite {days} days"),
    "mrp_expedite": Message(
        "{item} 的在途单据 {ref}（{qty}）{date} 就需要，请提前 {days} 天",
        "{item}: {ref} ({qty}) is needed on {date} — expedite {days} days"),
    "mrp_postpone": Message(
        "{item} 的在途单据 {ref}（{qty}）到 {date} 才需要，可推迟 {days} 天",
        "{item}: {ref} ({qty}) is not needed until {date} — postpone {days} days"),
    "mrp_cancel": Message(
        "{item} 的在途单据 {ref}（{qty}）在计划期内用不到，建议取消",
        "{item}: {ref} ({qty}) is not needed within the horizon — cancel it"),
    "mrp_below_safety_stock": Message(
        "{item} 的可用库存在计划日低于安全库存 {need}，差 {qty}",
        "{item} is {qty} below its safety stock {need} on the planning date"),
    "mrp_no_bom": Message(
        "{item} 有计划订单却没有 BOM，下层物料无法计划",
        "{item} has planned orders but no BOM lines: its materials are not planned"),
    "mrp_no_supplier": Message(
        "外购件 {item} 没有默认供应商，采购申请未指定供应商",
        "Purchased item {item} has no default supplier: its requisitions name none"),
    "mrp_lot_inflation": Message(
        "{item} 的批量规则把需求 {need} 放大为 {qty}（+{days}%）",
        "{item}: the lot rule turned a need of {need} into {qty} (+{days}%)"),
    "mrp_customer_short": Message(
        "客供料 {item} 自 {date} 起短缺 {qty}，请通知客户供料",
        "Customer-supplied {item} is short by {qty} from {date}: ask the customer for it"),
})
