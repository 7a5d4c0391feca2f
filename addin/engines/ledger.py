"""The moving-average stock ledger, computed on whole columns.

A move either brings its own unit cost (receipts, reversals: "costed") or goes at the
current average (issues, returns to supplier). The average after move k is an affine
function of the average before it:

    costed:   avg_k = (Q_before / Q_after) · avg_{k-1} + q·c / Q_after
    at avg:   avg_k = avg_{k-1}

and quantities never depend on cost, so Q_before/Q_after come from one cumulative sum.
Composing affine maps is associative, so a log-step prefix scan (Hillis–Steele) gives
every average of every item/warehouse at once — no Python loop per line, no division by
running products that could underflow on long histories.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def segment_starts(keys: np.ndarray) -> np.ndarray:
    """True where a new key begins in a key-sorted array."""
    start = np.ones(len(keys), dtype=bool)
    start[1:] = keys[1:] != keys[:-1]
    return start


def segmented_cumsum(values: np.ndarray, start: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    offset = np.maximum.accumulate(np.where(start, np.arange(len(values)), 0))
    return total - (total - values)[offset]


def _affine_scan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x_k = a_k·x_{k-1} + b_k with x_{-1} = 0, for all k."""
    a, b = a.copy(), b.copy()
    shift = 1
    while shift < len(a):
        b[shift:] = a[shift:] * b[:-shift] + b[shift:]
        a[shift:] = a[shift:] * a[:-shift]
        shift *= 2
    return b


def moving_average(keys: np.ndarray, qty: np.ndarray, cost: np.ndarray, costed: np.ndarray,
                   adjust: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Balances of a ledger sorted by key then time.

    Returns per move: balance_qty, average_cost (after), average_before, value (of the
    move) and balance_value. An empty balance holds no value; its average restarts at the
    next costed receipt. `adjust` is value without quantity (a fee adjustment): it
    re-prices the balance on hand, avg_k = avg_{k-1} + adjust / Q; on an empty balance
    nothing can hold it and the move's value is 0 (the caller reports it).
    """
    start = segment_starts(keys)
    after = segmented_cumsum(qty, start)
    before = after - qty
    positive = after > _EPS
    safe = np.where(positive, after, 1.0)
    a = np.where(costed, np.where(positive, before / safe, 0.0), 1.0)
    extra = np.zeros_like(qty) if adjust is None else adjust
    b = np.where(costed & positive, (qty * cost + extra) / safe, 0.0)
    a[start] = 0.0  # no average leaks from the previous item/warehouse
    average = _affine_scan(a, b)
    average_before = np.zeros_like(average)
    average_before[1:] = average[:-1]
    average_before[start] = 0.0
    value = qty * np.where(costed, cost, average_before) + np.where(positive, extra, 0.0)
    return {"balance_qty": after, "average_cost": average, "average_before": average_before,
            "value": value, "balance_value": np.where(positive, after * average, 0.0)}
