"""Lot sizing for many netting groups at once (an item, or an item and tracking number).

`addin.engines.lotsizing.size_lots` sizes one item's series. Calling it once per item
costs tens of microseconds of Python each, too slow for 100k items, so the rules whose
state is just "supply placed so far" — LFL, FOQ and POQ with minimum, multiple and
maximum — run here in *rounds*: in round k every group still short places its k-th
order, all groups in one numpy pass. The results equal `size_lots` (a property test
checks it). The dynamic rules (EOQ, Silver–Meal, Wagner–Whitin, LUC, LTC) call
`size_lots` per group.

Quantities are compared in integer micro-units (1e-6, the lot-sizing grain), which keeps
cumulative sums exact and lets one `searchsorted` over all groups find every group's next
short bucket: each group's cumulative net is shifted past the previous group's total.

Order merging (DOMAIN §3, 合并投放) runs first: within a group, net requirements due
within W days after the first one (day ≤ first + W) are added onto that first day; the
next window opens at the next need after it. The merged series is then lot-sized, so the
merged order is re-lot-sized.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.engines.lotsizing import LotPolicy, size_lots
from addin.engines.netting import runs

MICRO = 1_000_000
_EPS = 5e-7
_DEC = 6
PLAIN, ROUNDS, LOOP = 0, 1, 2
POLICY_COLUMNS = ("rule", "fixed_qty", "foq_single_lot", "poq_periods", "setup_cost",
                  "holding_cost", "minimum", "maximum", "multiple", "increment_over_min")
_SPAN = float(1 << 22)  # > any range of day numbers in one plan


@dataclass(frozen=True)
class Orders:
    """Orders as flat arrays: row of the need bucket, quantity, need it was made for."""

    row: np.ndarray
    qty: np.ndarray
    need: np.ndarray


def distinct_policies(frame: pd.DataFrame) -> tuple[np.ndarray, list[dict[str, object]]]:
    """The code of each row's lot policy and each distinct policy as LotPolicy arguments
    (rows hold the POLICY_COLUMNS; grouping hashes them, far cheaper than a MultiIndex)."""
    if frame.empty:
        return np.zeros(0, np.int64), []
    codes = frame.groupby(list(POLICY_COLUMNS), dropna=False, sort=True).ngroup().to_numpy()
    first = np.empty(int(codes.max()) + 1, np.int64)
    first[codes[::-1]] = np.arange(codes.size)[::-1]  # the first row of every code
    return codes, frame.iloc[first][list(POLICY_COLUMNS)].to_dict("records")


def policy_modes(items: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """How each item is sized (PLAIN / ROUNDS / LOOP) and which items' policies are invalid.

    Each distinct policy is checked once by `LotPolicy`; an invalid one plans lot-for-lot.
    """
    codes, policies = distinct_policies(items)
    mode = np.zeros(len(policies), dtype=np.int64)
    invalid = np.zeros(len(policies), dtype=bool)
    for k, values in enumerate(policies):
        try:
            policy = LotPolicy(**values)
        except ValueError:
            invalid[k] = True
            continue
        if policy.rule in ("FOQ", "POQ") or (policy.rule == "LFL" and policy.has_modifiers):
            mode[k] = ROUNDS
        elif policy.rule != "LFL":
            mode[k] = LOOP
    return mode[codes], invalid[codes]


def _segments(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the segments [lo, hi) and the segment number of each row."""
    sizes = hi - lo
    seg = np.repeat(np.arange(lo.size), sizes)
    starts = np.cumsum(sizes) - sizes
    return lo[seg] + (np.arange(seg.size) - starts[seg]), seg


def _shifted(values: np.ndarray, seg: np.ndarray, nseg: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment cumulative sums (int) and the same shifted so segments never overlap."""
    total = np.cumsum(values)
    first, end = runs(seg, nseg)
    before = np.where(first > 0, total[np.maximum(first - 1, 0)], 0)
    cum = total - before[seg]
    last = np.where(end > first, total[np.maximum(end - 1, 0)] - before, 0)
    offset = np.cumsum(last + 1) - (last + 1)
    return cum, cum + offset[seg], offset


def window_starts(lo: np.ndarray, hi: np.ndarray, day: np.ndarray,
                  window: np.ndarray) -> np.ndarray:
    """Whether each row of the segments [lo, hi) opens a window: the first row of a
    segment does, and then the first row more than `window` days after the last opener.

    Rows are sorted by day within a segment. Runs in rounds: one window per segment each.
    """
    rows, seg = _segments(lo, hi)
    start = np.zeros(day.size, dtype=bool)
    if rows.size == 0:
        return start
    key = seg * _SPAN + (day[rows] - day[rows].min())
    live = np.flatnonzero(hi > lo)
    at = np.searchsorted(seg, live, side="left")  # first row of each segment
    while live.size:
        start[rows[at]] = True
        at = np.searchsorted(key, key[at] + window[live], side="right")
        ok = (at < rows.size) & (seg[np.minimum(at, rows.size - 1)] == live)
        live, at = live[ok], at[ok]
    return start


def merge_windows(lo: np.ndarray, hi: np.ndarray, day: np.ndarray, net: np.ndarray,
                  window: np.ndarray) -> np.ndarray:
    """Net series with each group's needs within a window moved onto its first day."""
    out = net.copy()
    rows, seg = _segments(lo, hi)
    positive = rows[net[rows] > _EPS]
    if positive.size == 0:
        return out
    # the windows open on needs only: compress each segment to its positive rows
    seg = seg[net[rows] > _EPS]
    first, last = runs(seg, lo.size)
    start = window_starts(first, last, day[positive], window)
    cluster = np.cumsum(start) - 1
    out[positive] = 0.0
    out[positive[start]] = np.round(np.bincount(cluster, weights=net[positive]), _DEC)
    return out


def _round_up(q: np.ndarray, multiple: np.ndarray, base: np.ndarray) -> np.ndarray:
    steps = np.maximum(np.ceil((q - base - _EPS) / np.where(multiple > 0, multiple, 1)), 0)
    return np.where(multiple > 0, np.round(base + steps * multiple, _DEC), q)


def _pieces(q: np.ndarray, need: np.ndarray, p: dict[str, np.ndarray]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """minimum → multiple → maximum on one order per group: (group pos, qty, need) pieces."""
    mn, mx, m, base = p["minimum"], p["maximum"], p["multiple"], p["base"]
    q = _round_up(np.maximum(q, mn), m, base)
    cap = np.where((mx > 0) & (m > 0),
                   np.round(base + np.floor((mx - base + _EPS) / np.where(m > 0, m, 1)) * m,
                            _DEC), mx)
    split = (cap > 0) & (q > cap + _EPS)
    full = np.where(split, np.floor((q + _EPS) / np.where(cap > 0, cap, 1)), 0).astype(np.int64)
    rest = q - full * cap
    has_rest = split & (rest > _EPS)
    rest_piece = _round_up(np.maximum(rest, mn), m, base)
    count = np.where(split, full + has_rest, 1)
    owner = np.repeat(np.arange(q.size), count)
    pos = np.arange(owner.size) - (np.cumsum(count) - count)[owner]
    qty = np.where(split[owner], np.where(pos < full[owner], cap[owner], rest_piece[owner]),
                   q[owner])
    qty = np.round(qty, _DEC)
    left = need[owner] - pos * np.where(split, cap, 0)[owner]
    return owner, qty, np.round(np.minimum(qty, np.maximum(left, 0.0)), _DEC)


def _ends(lo: np.ndarray, hi: np.ndarray, day: np.ndarray, rows: np.ndarray, seg: np.ndarray,
          poq: np.ndarray) -> np.ndarray:
    """Exclusive end row (local numbering) of the buckets an order at each row covers."""
    local = np.arange(rows.size)
    use = poq[seg] > 0
    if not use.any():
        return local + 1
    key = seg * _SPAN + (day[rows] - day[rows].min())
    reach = np.searchsorted(key, key + np.minimum(poq[seg], _SPAN / 4), side="left")
    return np.where(use, np.maximum(reach, local + 1), local + 1)


def size_in_rounds(lo: np.ndarray, hi: np.ndarray, day: np.ndarray, net: np.ndarray,
                   p: dict[str, np.ndarray]) -> Orders:
    """LFL/FOQ/POQ with modifiers for all groups [lo, hi) at once (see module docstring)."""
    rows, seg = _segments(lo, hi)
    units = np.round(np.where(net[rows] > _EPS, net[rows], 0.0) * MICRO).astype(np.int64)
    cum, key, offset = _shifted(units, seg, lo.size)
    poq = np.where(p["rule"] == "POQ", p["poq_periods"], 0.0)
    ends = _ends(lo, hi, day, rows, seg, poq)
    end_local = runs(seg, lo.size)[1]
    supply = np.zeros(lo.size, dtype=np.int64)
    t = np.searchsorted(key, offset, side="right")
    live = np.flatnonzero(t < end_local)
    out_row, out_qty, out_need = [], [], []
    foq = p["rule"] == "FOQ"
    while live.size:
        tt = t[live]
        need = np.round((cum[ends[tt] - 1] - supply[live]) / MICRO, _DEC)
        lot = np.where(foq[live], p["fixed_qty"][live], 1.0)
        whole = np.round(lot * np.ceil((need - _EPS) / lot), _DEC)
        q = np.where(foq[live], np.where(p["foq_single_lot"][live], np.maximum(lot, need),
                                         whole), need)
        owner, qty, piece_need = _pieces(q, need, {k: v[live] for k, v in p.items()})
        out_row.append(rows[tt[owner]])
        out_qty.append(qty)
        out_need.append(piece_need)
        supply[live] += np.bincount(owner, weights=np.round(qty * MICRO),
                                    minlength=live.size).astype(np.int64)
        t[live] = np.searchsorted(key, offset[live] + supply[live], side="right")
        live = live[t[live] < end_local[live]]
    if not out_row:
        return Orders(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    return Orders(np.concatenate(out_row), np.concatenate(out_qty), np.concatenate(out_need))


def size_in_loop(lo: np.ndarray, hi: np.ndarray, day: np.ndarray, net: np.ndarray,
                 policies: list[LotPolicy]) -> Orders:
    """The dynamic rules, one `size_lots` call per group."""
    rows, qtys, needs = [], [], []
    for a, b, policy in zip(lo, hi, policies, strict=True):
        lots = size_lots(net[a:b], day[a:b], policy)
        rows.append(a + lots.bucket)
        qtys.append(lots.qty)
        needs.append(lots.need)
    if not rows:
        return Orders(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    return Orders(np.concatenate(rows), np.concatenate(qtys), np.concatenate(needs))
