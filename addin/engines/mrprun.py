"""One regenerative MRP run: net, size, offset, peg and explode one low-level code at a time.

Level by level (ascending low-level code, so every gross requirement of an item is known
before its stock is used), all items of the level go through each step together:

1. gross = independent demand of the level's items + dependent demand their parents'
   planned orders left for them (parent qty × usage × (1 + loss) + fixed loss, dated at
   the parent's release, tracking number kept for MTO components);
2. netting table and lot-for-lot net (`netting`);
3. lot sizing and order merging (`lotgroups`); customer-supplied items get no orders;
4. lead-time offset (fixed + variable × qty / batch, whole days, working days when a
   calendar is given); a release before the planning date moves onto it, flagged;
5. pegging to end demands (`pegging`);
6. explosion of made and phantom orders into the next levels' dependent demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines import lotgroups as lg
from addin.engines import mrpexceptions as mx
from addin.engines import netting as nt
from addin.engines import pegging as pg
from addin.engines.lotsizing import LotPolicy
from addin.engines.mrpdata import PlanInput
from addin.engines.timeaxis import TimeAxis, whole_days

MADE = ("manufactured", "subcontracted", "phantom")


def _order_by(grp: np.ndarray, bucket: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Permutation sorting by (group, bucket, rank): one int64 key when it fits, which
    sorts about three times faster than a three-key lexsort."""
    if grp.size == 0:
        return np.zeros(0, np.int64)
    b = bucket - bucket.min()
    r = rank - rank.min()
    width_b, width_r = int(b.max()) + 1, int(r.max()) + 1
    if (int(grp.max()) + 1) * width_b * width_r < (1 << 62):
        return np.argsort((grp * width_b + b) * width_r + r, kind="stable")
    return np.lexsort((rank, bucket, grp))


@dataclass
class Settings:
    """What the run needs from PlanOptions."""

    merge_days: float | None
    inflation_warn_pct: float
    dense: bool  # one record row per bucket (week, month, period) instead of event rows


@dataclass
class Run:
    data: PlanInput
    axis: TimeAxis
    settings: Settings
    orders: list[dict[str, np.ndarray]] = field(default_factory=list)
    pegs: pg.Pegs = field(default_factory=pg.Pegs.empty)
    extra_ends: list[pd.DataFrame] = field(default_factory=list)
    records: list[dict[str, np.ndarray]] = field(default_factory=list)
    exceptions: list[pd.DataFrame] = field(default_factory=list)

    def __post_init__(self) -> None:
        items = self.data.items
        self.nt = len(self.data.tracking)
        self.llc = items["llc"].to_numpy()
        self.kind = items["kind"].to_numpy(dtype=object)
        self.phantom = items["phantom"].to_numpy()
        self.mto = items["mto"].to_numpy()
        self.mode, invalid = lg.policy_modes(items)
        self.invalid = invalid
        self.mode[self.phantom | invalid] = lg.PLAIN
        window = items["merge"].to_numpy() if self.settings.merge_days is None else np.full(
            len(items), float(self.settings.merge_days))
        self.window = np.where(self.phantom, 0.0, window)
        self.n_ends = len(self.data.ends)
        self.next_id = 0
        self.order_qty = np.zeros(0)  # quantity of every order so far, by id
        self.pending: dict[int, list[dict[str, np.ndarray]]] = {}
        self.grid = self._grid() if self.settings.dense else None
        self._by_level = self._split_independent()

    def _grid(self) -> np.ndarray:
        days = [self.data.demand["day"].to_numpy(), self.data.receipts["day"].to_numpy()]
        last = int(max((d.max() for d in days if d.size), default=self.axis.start))
        return self.axis.grid(last)

    def _split_independent(self) -> dict[int, np.ndarray]:
        level = self.llc[self.data.demand["item"].to_numpy()]
        return {int(lv): np.flatnonzero(level == lv) for lv in nt.distinct(level)}

    def run(self) -> Run:
        for level in range(int(self.llc.max(initial=-1)) + 1):
            self.level(level)
        return self

    # ------------------------------------------------------------------ one level

    def _demand(self, level: int) -> dict[str, np.ndarray]:
        d = self.data.demand.iloc[self._by_level.get(level, np.zeros(0, np.int64))]
        parts = [{"item": d["item"].to_numpy(), "trk": d["trk"].to_numpy(),
                  "day": d["day"].to_numpy(), "qty": d["qty"].to_numpy(),
                  "alloc": d["alloc"].to_numpy(), "end": d["end"].to_numpy(),
                  "parent": np.full(len(d), -1, np.int64),
                  "rank": d["end"].to_numpy()}]  # independent rows come in pegging order
        parts += self.pending.pop(level, [])
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def level(self, level: int) -> None:
        at = self.llc == level
        dem = self._demand(level)
        stocked = at & ~self.phantom  # a phantom's own stock and supply are not used
        rec = self.data.receipts[stocked[self.data.receipts["item"].to_numpy()]]
        opn = self.data.opening[stocked[self.data.opening["item"].to_numpy()]]
        ss_items = np.flatnonzero(stocked & (self.data.items["ss"].to_numpy() > 0))
        floor = self.axis.floor
        table = nt.build_table(
            self.axis.start,
            (dem["item"] * self.nt + dem["trk"], floor(dem["day"]), dem["qty"], dem["alloc"]),
            (rec["item"].to_numpy() * self.nt + rec["trk"].to_numpy(),
             floor(rec["day"].to_numpy()), rec["qty"].to_numpy()),
            (opn["item"].to_numpy() * self.nt + opn["trk"].to_numpy(), opn["qty"].to_numpy()),
            (ss_items * self.nt, self.data.items["ss"].to_numpy()[ss_items]))
        nt.lot_for_lot(table)
        item_of = table.keys // self.nt
        orders = self._orders(table, item_of)
        self._peg(table, dem, opn, rec, orders)
        self._explode(orders, level)
        self._record(table, item_of, orders)
        self.exceptions += mx.level_exceptions(self, table, item_of, rec, orders)

    # ------------------------------------------------------------------ orders

    def _size(self, table: nt.NetTable, item_of: np.ndarray) -> lg.Orders:
        items = self.data.items
        sizable = self.kind[item_of] != "customer_supplied"
        window = self.window[item_of]
        mode = self.mode[item_of]
        net = table.net
        merge = sizable & (window > 0)
        if merge.any():
            net = lg.merge_windows(table.lo[merge], table.hi[merge], table.bucket, net,
                                   window[merge])
        plain = sizable & (mode == lg.PLAIN) & ~merge
        rows = np.flatnonzero(plain[table.grp] & (net > 5e-7))
        parts = [lg.Orders(rows, np.round(net[rows], 6), np.round(net[rows], 6))]
        rounds = sizable & ((mode == lg.ROUNDS) | ((mode == lg.PLAIN) & merge))
        if rounds.any():
            it = item_of[rounds]
            p = {c: items[c].to_numpy()[it] for c in lg.POLICY_COLUMNS}
            lfl = self.invalid[it]
            p["rule"] = np.where(lfl, "LFL", p["rule"])
            for c in ("minimum", "maximum", "multiple", "poq_periods", "fixed_qty"):
                p[c] = np.where(lfl, 0.0, p[c]).astype(float)
            p["base"] = np.where(p["increment_over_min"], p["minimum"], 0.0)
            parts.append(lg.size_in_rounds(table.lo[rounds], table.hi[rounds], table.bucket,
                                           net, p))
        loop = sizable & (mode == lg.LOOP)
        if loop.any():
            policies = [self._policy(i) for i in item_of[loop]]
            parts.append(lg.size_in_loop(table.lo[loop], table.hi[loop], table.bucket, net,
                                         policies))
        row = np.concatenate([p.row for p in parts])
        order = np.argsort(row, kind="stable")
        return lg.Orders(row[order], np.concatenate([p.qty for p in parts])[order],
                         np.concatenate([p.need for p in parts])[order])

    def _policy(self, item: int) -> LotPolicy:
        row = self.data.items.iloc[item]
        return LotPolicy(**{c: row[c] for c in lg.POLICY_COLUMNS})

    def _orders(self, table: nt.NetTable, item_of: np.ndarray) -> dict[str, np.ndarray]:
        sized = self._size(table, item_of)
        grp = table.grp[sized.row]
        item = item_of[grp]
        items = self.data.items
        batch = items["vbatch"].to_numpy()[item]
        lead = items["lead"].to_numpy()[item] + np.where(
            batch > 0, items["vlead"].to_numpy()[item] * sized.qty / np.where(batch > 0, batch, 1),
            0.0)
        need_day = table.bucket[sized.row]
        release = self.axis.offset(need_day, whole_days(lead))
        ids = self.next_id + np.arange(sized.row.size, dtype=np.int64)
        self.next_id += ids.size
        self.order_qty = np.concatenate([self.order_qty, sized.qty])
        orders = {"id": ids, "item": item, "trk": table.keys[grp] % self.nt, "grp": grp,
                  "row": sized.row, "qty": sized.qty, "need": sized.need,
                  "need_day": need_day, "release_day": np.maximum(release, self.axis.start),
                  "late": np.maximum(self.axis.start - release, 0)}
        self.orders.append(orders)
        return orders

    # ------------------------------------------------------------------ pegging

    def _new_ends(self, kind: str, ref: np.ndarray, item: np.ndarray, day: np.ndarray,
                  order: np.ndarray) -> np.ndarray:
        ids = self.n_ends + np.arange(item.size, dtype=np.int64)
        self.n_ends += item.size
        self.extra_ends.append(pd.DataFrame({
            "demand_type": np.full(item.size, kind, dtype=object), "demand_ref": ref,
            "item": item, "day": day, "order": order}))
        return ids

    def _peg(self, table: nt.NetTable, dem: dict[str, np.ndarray], opn: pd.DataFrame,
             rec: pd.DataFrame, orders: dict[str, np.ndarray]) -> None:
        if orders["id"].size == 0:
            return
        keys, floor = table.keys, self.axis.floor
        ss_grp = np.flatnonzero(table.ss > 0)
        ss_item = keys[ss_grp] // self.nt
        ss_end = self._new_ends("safety_stock", self.data.items["item_code"].to_numpy(
            dtype=object)[ss_item], ss_item, np.full(ss_grp.size, self.axis.start),
            np.full(ss_grp.size, -1))
        d_grp = np.concatenate([np.searchsorted(keys, dem["item"] * self.nt + dem["trk"]),
                                ss_grp])
        after = int(table.bucket.max(initial=self.axis.start)) + 1  # safety stock comes last
        d_bucket = np.concatenate([floor(dem["day"]), np.full(ss_grp.size, after)])
        d_rank = np.concatenate([dem["rank"], np.zeros(ss_grp.size, np.int64)])
        d_end = np.concatenate([dem["end"], ss_end])
        d_parent = np.concatenate([dem["parent"], np.full(ss_grp.size, -1)])
        d_qty = nt.units(np.concatenate([dem["qty"], table.ss[ss_grp]]))
        d_order = _order_by(d_grp, d_bucket, d_rank)
        s_grp = np.concatenate([np.searchsorted(keys, opn["item"].to_numpy() * self.nt
                                                + opn["trk"].to_numpy()),
                                np.searchsorted(keys, rec["item"].to_numpy() * self.nt
                                                + rec["trk"].to_numpy()), orders["grp"]])
        s_bucket = np.concatenate([np.full(len(opn), self.axis.start - 1),
                                   floor(rec["day"].to_numpy()), orders["need_day"]])
        s_kind = np.repeat([0, 1, 2], [len(opn), len(rec), orders["id"].size])
        s_id = np.concatenate([np.full(len(opn) + len(rec), -1), orders["id"]])
        s_qty = nt.units(np.maximum(np.concatenate([opn["qty"].to_numpy(),
                                                    rec["qty"].to_numpy(), orders["qty"]]), 0))
        s_order = _order_by(s_grp, s_bucket, s_kind * s_grp.size + np.arange(s_grp.size))
        pairs = pg.fifo(d_grp[d_order], d_qty[d_order], s_grp[s_order], s_qty[s_order],
                        keys.size)
        supply = s_id[s_order][pairs.supply]
        mine = supply >= 0
        d = np.where(pairs.demand >= 0, d_order[np.maximum(pairs.demand, 0)], -1)[mine]
        supply, qty = supply[mine], pairs.qty[mine] / nt.MICRO
        end = np.where(d >= 0, d_end[np.maximum(d, 0)], -1)
        parent = np.where(d >= 0, d_parent[np.maximum(d, 0)], -1)
        excess = d < 0
        if excess.any():
            owners = nt.distinct(supply[excess])
            at = owners - orders["id"][0]
            ids = self._new_ends("lot_excess", np.full(owners.size, "", dtype=object),
                                 orders["item"][at], orders["need_day"][at], owners)
            end[excess] = ids[np.searchsorted(owners, supply[excess])]
        new = pg.compose(supply, end, parent, qty, self.pegs, self.order_qty)
        self.pegs = pg.concat(self.pegs, new, self.next_id)

    # ------------------------------------------------------------------ explosion

    def _explode(self, orders: dict[str, np.ndarray], level: int) -> None:
        edges = self.data.edges
        made = np.isin(self.kind[orders["item"]], MADE)
        o = np.flatnonzero(made)
        parent = edges["parent"].to_numpy()
        lo = np.searchsorted(parent, orders["item"][o], side="left")
        hi = np.searchsorted(parent, orders["item"][o], side="right")
        self.no_bom = nt.distinct(orders["item"][o[hi == lo]])
        count = hi - lo
        owner = np.repeat(o, count)
        e = np.repeat(lo, count) + np.arange(owner.size) - np.repeat(np.cumsum(count) - count,
                                                                      count)
        day = orders["release_day"][owner]
        live = (edges["eff_from"].to_numpy()[e] <= day) & (day <= edges["eff_to"].to_numpy()[e])
        owner, e, day = owner[live], e[live], day[live]
        comp = edges["component"].to_numpy()[e]
        qty = orders["qty"][owner] * edges["usage"].to_numpy()[e] + edges["fixed"].to_numpy()[e]
        rows = {"item": comp, "trk": np.where(self.mto[comp], orders["trk"][owner], 0),
                "day": day, "qty": np.round(qty, 6), "alloc": np.zeros(comp.size, bool),
                "end": np.full(comp.size, -1, np.int64), "parent": orders["id"][owner],
                "rank": len(self.data.ends) + orders["id"][owner]}  # after independent demand
        target = self.llc[comp]
        for lv in nt.distinct(target[target > level]):
            pick = target == lv
            self.pending.setdefault(int(lv), []).append({k: v[pick] for k, v in rows.items()})

    # ------------------------------------------------------------------ record

    def _record(self, table: nt.NetTable, item_of: np.ndarray,
                orders: dict[str, np.ndarray]) -> None:
        rec = nt.record(table, orders["row"], orders["qty"], orders["grp"],
                        self.axis.floor(orders["release_day"]), self.grid)
        keep = ~self.phantom[item_of[rec.grp]]
        out = {name: getattr(rec, name)[keep] for name in
               ("bucket", "gross", "alloc", "receipts", "available", "net",
                "planned_receipts", "planned_releases")}
        out["item"] = item_of[rec.grp][keep]
        out["trk"] = (table.keys[rec.grp] % self.nt)[keep]
        self.records.append(out)
