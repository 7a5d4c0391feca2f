"""Vectorised netting of one low-level code: every item (and tracking number) at once.

A *group* is what nets as one pool: an item, or an MTO item and one tracking number.
Its key is item × ntrk + trk. The netting table has one row per group and bucket that
holds an event, plus one row per group on the planning day, sorted by group then bucket.

Per row, with quantities in integer micro-units so cumulative sums are exact:
    projected available without planned orders  PA0 = opening + Σ(receipts − alloc − gross)
    shortfall = safety stock − PA0
    cumulative requirement R = max(0, running max of shortfall within the group)
    lot-for-lot net = R − R of the previous row
i.e. a net requirement arises where projected available would fall below safety stock,
for the amount that restores it (DOMAIN §3). No Python loop over items or buckets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MICRO = 1_000_000


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. np.unique hashes integers in numpy 2.x, which measured
    ~80× slower than sorting on a million values, so every engine module uses this."""
    ordered = np.sort(np.asarray(values))
    if ordered.size == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def first_of_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and the position where each run starts."""
    if values.size == 0:
        return values, np.zeros(0, dtype=np.int64)
    start = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return values[start], start


def runs(values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last position of each of 0..n-1 in a sorted array of them
    (a count and a running sum: linear, unlike a search per value)."""
    count = np.bincount(values, minlength=n)
    end = np.cumsum(count)
    return end - count, end


def units(values: np.ndarray) -> np.ndarray:
    """Quantities as int64 micro-units (6 decimals, the planning grain)."""
    return np.round(np.asarray(values, dtype=float) * MICRO).astype(np.int64)


def group_cumsum(values: np.ndarray, lo: np.ndarray, grp: np.ndarray) -> np.ndarray:
    """Running sums restarting at each group's first row (rows sorted by group)."""
    total = np.cumsum(values)
    before = np.where(lo > 0, total[np.maximum(lo - 1, 0)], 0)
    return total - before[grp]


@dataclass
class NetTable:
    """Netting rows of one level (see module docstring); quantities are float, rounded."""

    keys: np.ndarray      # group key of each group, ascending
    lo: np.ndarray        # first row of each group
    hi: np.ndarray        # one past the last row of each group
    grp: np.ndarray       # group of each row
    bucket: np.ndarray    # bucket start day of each row
    gross: np.ndarray
    alloc: np.ndarray
    receipts: np.ndarray
    opening: np.ndarray   # per group
    ss: np.ndarray        # per group
    net: np.ndarray | None = None  # lot-for-lot net per row, set by `lot_for_lot`


_WIDTH = 1 << 24  # > any span of bucket days


def build_table(start: int, demand: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                receipts: tuple[np.ndarray, np.ndarray, np.ndarray],
                opening: tuple[np.ndarray, np.ndarray],
                safety: tuple[np.ndarray, np.ndarray]) -> NetTable:
    """Aggregate events into the netting rows.

    demand = (key, bucket, qty, is_allocation); receipts = (key, bucket, qty);
    opening = (key, qty); safety = (key, safety stock qty).
    """
    d_key, d_bucket, d_qty, d_alloc = demand
    r_key, r_bucket, r_qty = receipts
    keys = distinct(np.concatenate([d_key, r_key, opening[0], safety[0]]))
    n = keys.size
    row_keys = np.concatenate([np.searchsorted(keys, d_key) * _WIDTH + (d_bucket - start),
                               np.searchsorted(keys, r_key) * _WIDTH + (r_bucket - start),
                               np.arange(n, dtype=np.int64) * _WIDTH])
    uniq, inverse = np.unique(row_keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    rows = uniq.size
    nd, nr = d_key.size, r_key.size
    grp = uniq // _WIDTH
    lo, hi = runs(grp, n)
    d_rows = inverse[:nd]
    gross = np.bincount(d_rows[~d_alloc], weights=d_qty[~d_alloc], minlength=rows)
    alloc = np.bincount(d_rows[d_alloc], weights=d_qty[d_alloc], minlength=rows)
    rec = np.bincount(inverse[nd:nd + nr], weights=r_qty, minlength=rows)
    return NetTable(keys, lo, hi, grp, uniq % _WIDTH + start, np.round(gross, 6),
                    np.round(alloc, 6), np.round(rec, 6), _per_group(keys, *opening),
                    _per_group(keys, *safety))


def _per_group(keys: np.ndarray, at: np.ndarray, qty: np.ndarray) -> np.ndarray:
    out = np.zeros(keys.size)
    np.add.at(out, np.searchsorted(keys, at), qty)
    return out


def lot_for_lot(table: NetTable) -> np.ndarray:
    """The lot-for-lot net requirement of every row (also stored on the table)."""
    # every group has its planning-day row, so lo < hi for all groups
    flow = units(table.receipts) - units(table.gross) - units(table.alloc)
    flow[table.lo] += units(table.opening)
    pa0 = group_cumsum(flow, table.lo, table.grp)
    short = units(table.ss)[table.grp] - pa0
    need = pd.Series(short).groupby(table.grp, sort=False).cummax().to_numpy()
    need = np.maximum(need, 0)
    first = np.zeros(need.size, dtype=bool)
    first[table.lo] = True
    previous = np.where(first, 0, np.roll(need, 1))
    table.net = (need - previous) / MICRO
    return table.net


@dataclass
class Record:
    """Time-phased record rows of one level (per group and bucket)."""

    grp: np.ndarray
    bucket: np.ndarray
    gross: np.ndarray
    alloc: np.ndarray
    receipts: np.ndarray
    available: np.ndarray
    net: np.ndarray
    planned_receipts: np.ndarray
    planned_releases: np.ndarray


def record(table: NetTable, order_row: np.ndarray, order_qty: np.ndarray,
           release_grp: np.ndarray, release_bucket: np.ndarray,
           grid: np.ndarray | None) -> Record:
    """Projected available with planned orders, textbook net, receipts and releases.

    Rows: the netting rows, the release buckets of the planned orders and, when `grid`
    is given (week, month, period buckets), every grid bucket up to the group's last row.
    """
    start = int(table.bucket.min(initial=0))
    table_keys = table.grp * _WIDTH + (table.bucket - start)  # sorted and distinct
    release_keys = release_grp * _WIDTH + (release_bucket - start)
    extra = [release_keys]
    if grid is not None and table.grp.size:
        count = np.searchsorted(grid, table.bucket[table.hi - 1], side="right")
        g = np.repeat(np.arange(table.keys.size), count)
        extra.append(g * _WIDTH + (grid[np.arange(g.size) - np.repeat(np.cumsum(count) - count,
                                                                       count)] - start))
    extra = distinct(np.concatenate(extra))
    extra = extra[~_member(extra, table_keys)]
    # merge two sorted arrays: each key's final place is its own index plus the number of
    # keys of the other array before it
    n, m = table_keys.size + extra.size, table_keys.size
    at = np.arange(m) + np.searchsorted(extra, table_keys)
    keys = np.empty(n, np.int64)
    keys[at] = table_keys
    keys[np.arange(extra.size) + np.searchsorted(table_keys, extra)] = extra
    grp = keys // _WIDTH

    def spread(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.bincount(where, weights=values, minlength=n)

    gross, alloc, rec = (spread(v, at) for v in (table.gross, table.alloc, table.receipts))
    planned = spread(order_qty, at[order_row])
    releases = spread(order_qty, np.searchsorted(keys, release_keys))
    lo = runs(grp, table.keys.size)[0]
    flow = units(rec + planned - gross - alloc)  # each already on the 6-decimal grain
    flow[lo] += units(table.opening)
    available = group_cumsum(flow, lo, grp)
    net = np.maximum(units(table.ss)[grp] - (available - units(planned)), 0)
    return Record(grp, keys % _WIDTH + start, gross, alloc, rec, available / MICRO,
                  net / MICRO, planned, releases)


def _member(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each value occurs in the sorted array."""
    at = np.searchsorted(sorted_keys, values)
    found = at < sorted_keys.size
    found[found] = sorted_keys[at[found]] == values[found]
    return found
