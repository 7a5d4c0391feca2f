"""Pegging (需求追溯): which end demands each planned order serves, through all levels.

Within a netting group supply is consumed first-in first-out: supplies in date order
(opening stock, then scheduled receipts, then planned orders on a day) against demands in
date order (allocations, then sales orders by priority, forecasts, then dependent demand),
with the group's safety stock as a last demand after the horizon. Because the plan keeps
cumulative supply ≥ cumulative demand + safety stock, every unit is pegged to supply that
has arrived by its date.

Supply left over after every demand and the safety stock is *lot-size excess*: the
lot rule (minimum, multiple, fixed lot) made the order bigger than the need. It is pegged
to a "lot-size excess" demand of that order, so every order's pegging sums to its qty.

The match is one vectorised interval overlap: each demand and supply is an interval on
its group's cumulative-quantity axis (integer micro-units, groups laid end to end), and
the union of all interval ends cuts the axis into pieces that each belong to exactly one
(demand, supply) pair.

Levels compose: a component order pegged to a parent order's dependent demand inherits
the parent's end demands in proportion (parent pegging qty / parent order qty).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from addin.engines.netting import runs


@dataclass(frozen=True)
class Pairs:
    """Pieces of the FIFO match: demand index (−1 = excess), supply index, micro-units."""

    demand: np.ndarray
    supply: np.ndarray
    qty: np.ndarray


def _ends(grp: np.ndarray, qty: np.ndarray, offset: np.ndarray, ngroups: int) -> np.ndarray:
    """End of each interval on the shared axis (its start is end − qty)."""
    total = np.cumsum(qty)
    lo = runs(grp, ngroups)[0]
    before = np.where(lo > 0, total[np.maximum(lo - 1, 0)], 0) if total.size else lo
    return total - before[grp] + offset[grp]


def _covering(ends: np.ndarray, qty: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Index of the interval that covers each point x, −1 where none does."""
    at = np.searchsorted(ends, x, side="right")
    ok = at < ends.size
    ok[ok] = ends[at[ok]] - qty[at[ok]] <= x[ok]
    return np.where(ok, at, -1)


def fifo(d_grp: np.ndarray, d_qty: np.ndarray, s_grp: np.ndarray, s_qty: np.ndarray,
         ngroups: int) -> Pairs:
    """First-in first-out match of demands and supplies, both sorted by group and priority.

    Quantities are int64 micro-units. Demand beyond the supply is left unpegged.
    """
    d_total = np.bincount(d_grp, weights=d_qty, minlength=ngroups)
    s_total = np.bincount(s_grp, weights=s_qty, minlength=ngroups)
    width = np.round(np.maximum(d_total, s_total)).astype(np.int64)
    offset = np.cumsum(width) - width
    d_end = _ends(d_grp, d_qty, offset, ngroups)
    s_end = _ends(s_grp, s_qty, offset, ngroups)
    # Every interval start is the previous interval's end or its group's offset, so the
    # cuts are the union of three sorted arrays (np.unique hashes, far slower here).
    cuts = np.sort(np.concatenate([offset, d_end, s_end]))
    keep = np.flatnonzero(np.diff(cuts) > 0)
    x, length = cuts[keep], cuts[keep + 1] - cuts[keep]
    del cuts, keep
    s = _covering(s_end, s_qty, x)
    mine = s >= 0
    x, length, s = x[mine], length[mine], s[mine]
    return Pairs(_covering(d_end, d_qty, x), s, length)


@dataclass
class Pegs:
    """End pegging of orders, sorted by order: order id, end demand id, qty.

    Order ids are dense (0, 1, 2, … over all levels), so `start` (rows of order o are
    start[o]:start[o + 1]) replaces a search per lookup.
    """

    order: np.ndarray
    end: np.ndarray
    qty: np.ndarray
    start: np.ndarray

    @classmethod
    def empty(cls) -> Pegs:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                   np.zeros(1, np.int64))

    @classmethod
    def of(cls, order: np.ndarray, end: np.ndarray, qty: np.ndarray, orders: int) -> Pegs:
        count = np.bincount(order, minlength=orders)
        return cls(order, end, qty, np.concatenate(([0], np.cumsum(count))))


_CHUNK = 1 << 20  # composed rows per pass: bounds the temporary arrays


def compose(order: np.ndarray, end: np.ndarray, parent: np.ndarray, qty: np.ndarray,
            parents: Pegs, parent_qty: np.ndarray) -> tuple[np.ndarray, ...]:
    """End pegging (order, end, qty) of new orders from their direct pegging.

    order/end/parent/qty: one row per direct peg, grouped by order (ascending); `end` ≥ 0
    for an end demand, else `parent` is the parent order whose dependent demand it serves
    and the row inherits the parent's end demands in proportion. `parent_qty` holds the
    quantity of every earlier order by id. Runs in chunks of whole orders.
    """
    direct = end >= 0
    last = parents.start.size - 1  # a direct row looks up a valid dummy position
    safe_parent = np.where(direct, last, np.minimum(parent, last))
    first = parents.start[safe_parent]
    count = np.where(direct, 1, parents.start[np.minimum(safe_parent + 1, last)] - first)
    bounds = _chunks(order, np.cumsum(count))
    parts = [_compose_rows(order[a:b], end[a:b], parent[a:b], qty[a:b], first[a:b],
                           count[a:b], parents, parent_qty)
             for a, b in pairwise(bounds.tolist())]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


def _chunks(order: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    """Direct-row boundaries of about _CHUNK composed rows each, only between orders."""
    if order.size == 0:
        return np.zeros(1, np.int64)
    wanted = np.searchsorted(cumulative, np.arange(_CHUNK, int(cumulative[-1]), _CHUNK))
    changes = np.flatnonzero(order[1:] != order[:-1]) + 1
    cut = changes[np.minimum(np.searchsorted(changes, wanted), changes.size - 1)] \
        if changes.size else np.zeros(0, np.int64)
    bounds = np.concatenate(([0], cut, [order.size]))  # non-decreasing: drop repeats
    return bounds[np.concatenate(([True], bounds[1:] != bounds[:-1]))]


def _compose_rows(order: np.ndarray, end: np.ndarray, parent: np.ndarray, qty: np.ndarray,
                  first: np.ndarray, count: np.ndarray, parents: Pegs,
                  parent_qty: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    owner = np.repeat(np.arange(order.size), count)
    row = first[owner] + np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    via = end[owner] < 0
    row = np.where(via, row, 0)
    if parents.end.size:
        share = parents.qty[row] / np.maximum(parent_qty[parents.order[row]], 1e-12)
        out_end = np.where(via, parents.end[row], end[owner])
    else:
        share, out_end = 1.0, end[owner]
    out_qty = qty[owner] * np.where(via, share, 1.0)
    del row, via, share
    # rows come grouped by order, each parent's pegs sorted by end: a stable sort only
    # has to merge those runs
    span = int(out_end.max(initial=0)) + 1
    key = order[owner] * span + out_end
    del owner, out_end
    perm = np.argsort(key, kind="stable")
    key = key[perm]
    run = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    summed = np.add.reduceat(out_qty[perm], run)
    return key[run] // span, key[run] % span, summed


def concat(old: Pegs, new: tuple[np.ndarray, ...], orders: int) -> Pegs:
    """Pegs of all levels so far; ids grow level by level, so the result stays sorted."""
    return Pegs.of(*(np.concatenate([getattr(old, f), part])
                     for f, part in zip(("order", "end", "qty"), new, strict=True)), orders)
