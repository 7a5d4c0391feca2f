"""Allocation of quantities between two lists of lines, by cumulative sums (no row loops).

Within a group (partner + item), the left lines and the right lines are laid end to end
in their order (dates), each line an interval of the quantity axis. Cutting the axis at
every line boundary gives segments; a segment belongs to at most one left and one right
line. Segments covered by both are matched quantities, the others are what remains on
one side. Quantities are integers (micro-units) and amounts integer cents, so what is
split always adds up exactly to what went in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

QTY_SCALE = 1_000_000  # quantities are compared as integer micro-units


def units(qty: object) -> np.ndarray:
    """Quantities as int64 micro-units."""
    return np.rint(np.asarray(qty, dtype="float64") * QTY_SCALE).astype(np.int64)


def cents(amount: object) -> np.ndarray:
    """Money as int64 cents, half away from zero (4.305 -> 431), robust to float noise."""
    value = np.asarray(amount, dtype="float64") * 100
    return (np.sign(value) * np.floor(np.abs(value) + 0.5 + 1e-7)).astype(np.int64)


@dataclass(frozen=True)
class Segments:
    """Pieces of the quantity axis: the left and right line each covers (-1: none)."""

    left: np.ndarray
    right: np.ndarray
    qty: np.ndarray  # int64 micro-units, > 0


def _layout(group: np.ndarray, qty: np.ndarray, base: np.ndarray, totals: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (start, end) on the global axis of each line with qty > 0, in group
    order then the caller's order; and the original index of each."""
    order = np.argsort(group, kind="stable")
    order = order[qty[order] > 0]
    g, q = group[order], qty[order]
    running = np.cumsum(q) - q                       # before this line, over all groups
    before = (np.cumsum(totals) - totals)[g]         # before this group, this side
    start = base[g] + running - before
    return start, start + q, order


def allocate(left_group: np.ndarray, left_qty: np.ndarray, right_group: np.ndarray,
             right_qty: np.ndarray) -> Segments:
    """Match left and right quantities group by group, each side in the order given.

    Groups are small non-negative integers shared by both sides (see `group_codes`).
    Every unit of every line with qty > 0 lands in exactly one segment."""
    left_group = np.asarray(left_group, dtype=np.int64)
    right_group = np.asarray(right_group, dtype=np.int64)
    left_qty = np.asarray(left_qty, dtype=np.int64)
    right_qty = np.asarray(right_qty, dtype=np.int64)
    size = int(max(left_group.max(initial=-1), right_group.max(initial=-1))) + 1
    left_total = np.zeros(size, dtype=np.int64)
    right_total = np.zeros(size, dtype=np.int64)
    np.add.at(left_total, left_group, np.maximum(left_qty, 0))
    np.add.at(right_total, right_group, np.maximum(right_qty, 0))
    span = np.maximum(left_total, right_total)
    base = np.cumsum(span) - span
    ls, le, lo = _layout(left_group, left_qty, base, left_total)
    rs, re, ro = _layout(right_group, right_qty, base, right_total)
    cuts = np.unique(np.concatenate([ls, le, rs, re]))
    if len(cuts) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return Segments(empty, empty, empty)
    start, length = cuts[:-1], np.diff(cuts)
    left = _covering(start, ls, le, lo)
    right = _covering(start, rs, re, ro)
    keep = (left >= 0) | (right >= 0)
    return Segments(left[keep], right[keep], length[keep])


def _covering(points: np.ndarray, starts: np.ndarray, ends: np.ndarray,
              original: np.ndarray) -> np.ndarray:
    """Original index of the line whose [start, end) holds each point, else -1."""
    at = np.searchsorted(ends, points, side="right")
    inside = at < len(ends)
    at = np.where(inside, at, 0)
    inside &= (starts[at] <= points) if len(starts) else False
    return np.where(inside, original[at] if len(original) else -1, -1)


def group_codes(*frames: pd.DataFrame, by: list[str]) -> list[np.ndarray]:
    """One integer code per distinct `by` value, shared across the frames; codes follow
    the sorted order of the values, so allocation order never depends on input order."""
    combined = np.zeros(sum(len(f) for f in frames), dtype=np.int64)
    for name in by:
        values = np.concatenate([f[name].astype(str).to_numpy(dtype=object) for f in frames])
        codes, uniques = pd.factorize(values, sort=True)
        combined = combined * max(len(uniques), 1) + codes
    combined = np.unique(combined, return_inverse=True)[1].reshape(-1)
    out, at = [], 0
    for frame in frames:
        out.append(combined[at:at + len(frame)])
        at += len(frame)
    return out


def spread(total: np.ndarray, line_qty: np.ndarray, line: np.ndarray, qty: np.ndarray
           ) -> np.ndarray:
    """Split each line's `total` (int cents) over its segments in proportion to their
    qty; rounding is cumulative, so each line's pieces add up to its total exactly.

    `line` is the line index of each segment (-1: not this side's, gets 0); segments of
    one line must be in axis order, as `allocate` returns them."""
    own = line >= 0
    out = np.zeros(len(line), dtype=np.int64)
    if not own.any():
        return out
    idx, q = line[own], qty[own]
    running = pd.Series(q).groupby(idx).cumsum().to_numpy()
    whole = line_qty[idx].astype("float64")
    ratio = np.divide(running, whole, out=np.ones(len(q)), where=whole > 0)
    cumulative = np.rint(total[idx] * ratio).astype(np.int64)
    cumulative = np.where(running >= line_qty[idx], total[idx], cumulative)
    previous = pd.Series(cumulative).groupby(idx).shift(1, fill_value=0).to_numpy()
    out[own] = cumulative - previous
    return out


def taken(segments: Segments, size: int, side: str) -> np.ndarray:
    """Qty of each line (left or right) covered by a segment that has both sides."""
    both = (segments.left >= 0) & (segments.right >= 0)
    index = (segments.left if side == "left" else segments.right)[both]
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, segments.qty[both])
    return out


def first_of(line: np.ndarray, other: pd.Series, size: int) -> np.ndarray:
    """Per line (0..size-1): the first of `other` paired with it, with "(+n)" when it
    was paired with n more distinct ones; "" for lines never paired."""
    out = np.full(size, "", dtype=object)
    if not len(line):
        return out
    line = np.asarray(line, dtype=np.int64)
    codes, names = pd.factorize(other.to_numpy(dtype=object))
    by_line = np.argsort(line, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(line[by_line]) != 0])
    lines = line[by_line][starts]
    out[lines] = names[codes[by_line[starts]]]
    pairs = np.lexsort((codes, line))
    new = np.r_[True, (np.diff(line[pairs]) != 0) | (np.diff(codes[pairs]) != 0)]
    more = np.bincount(line[pairs][new], minlength=size)[lines] - 1
    several = lines[more > 0]
    if len(several):
        suffix = pd.Series(more[more > 0]).astype(str).to_numpy(dtype=object)
        out[several] = out[several] + " (+" + suffix + ")"
    return out
