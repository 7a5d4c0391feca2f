"""Lot sizing: turn a lot-for-lot net requirement series into planned orders (DOMAIN §3).

Conventions
-----------
* Order of application: rule → minimum → multiple → maximum. Any excess of an order over its
  need is carried forward; the next order goes into the first bucket whose cumulative net
  exceeds cumulative supply, for the shortfall the rule sees from that bucket on.
* Holding cost (Orlicky p.150): a unit used in the bucket it arrives in costs nothing; a unit
  for bucket j received in bucket i costs H × (start[j] − start[i]).
* Horizon end = start[-1] + the last bucket's width, taken as start[-1] − start[-2]
  (1 time unit for a single bucket). EOQ's demand rate D = total net / (horizon end −
  start[0]); EOQ = √(2DS/H) rounded half-up to a whole unit (kept fractional, 6 decimals,
  when that would give 0). EOQ then orders like FOQ, honouring ``foq_single_lot``.
* FOQ multiple mode places ONE order of n×Q (the smallest n covering the need).
* SM: the lot grows bucket by bucket (zero buckets included) while the cost per time unit
  covered — (S + holding) / (end of last covered bucket − start of first) — strictly falls.
* LUC: the lot grows over nonzero buckets while cost per unit strictly falls.
* LTC (part-period balancing): the lot whose holding cost is closest to S; a tie takes the
  larger lot.
* WW: exact DP on the nonzero buckets; among equal-cost plans (relative tolerance 1e-9) the
  fewest orders win, then the plan whose last lot starts earliest.
* SM, LUC, LTC and WW group the net series first. With modifiers, an order placed in a
  group's first short bucket covers the shortfall up to the end of that group; groups that
  carried-forward surplus fully covers get no order.
* Maximum: an order above the maximum is split into orders of the largest allowed size
  ≤ maximum (rounded down to the multiple) plus a remainder, which is raised to the minimum
  and rounded up to the multiple again; all pieces share the bucket. A split into more than
  100,000 orders raises ValueError (maximum set far too small).
* Quantities are rounded to 6 decimals; net that is negative or rounds to 0 counts as zero.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

RULES = ("LFL", "FOQ", "POQ", "EOQ", "SM", "WW", "LUC", "LTC")
_DEC = 6
_EPS = 5e-7  # half the 6-decimal grain: shortfalls below it are rounding noise
_ZERO = 1e-9
_REL = 1e-9  # relative tolerance for comparing costs
_MAX_PIECES = 100_000
_NUMERIC = ("fixed_qty", "poq_periods", "setup_cost", "holding_cost", "minimum", "maximum",
            "multiple")


@dataclass(frozen=True)
class LotPolicy:
    """Lot-sizing rule and order modifiers of one item; validated on construction."""

    rule: str = "LFL"  # one of RULES (case-insensitive)
    fixed_qty: float = 0.0  # FOQ lot Q
    foq_single_lot: bool = False  # FOQ/EOQ: one lot raised to the need, not n whole lots
    poq_periods: float = 0.0  # POQ window, in bucket_start units
    setup_cost: float = 0.0  # S per order
    holding_cost: float = 0.0  # H per unit per bucket_start unit
    minimum: float = 0.0
    maximum: float = 0.0  # 0 = no maximum
    multiple: float = 0.0  # 0 = none
    increment_over_min: bool = False  # multiple steps up from minimum

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule", str(self.rule).strip().upper())
        _validate(self)

    @property
    def has_modifiers(self) -> bool:
        return self.minimum > 0 or self.multiple > 0 or self.maximum > 0


@dataclass(frozen=True, eq=False)
class Lots:
    """Planned orders sorted by bucket then position (a maximum split shares a bucket)."""

    bucket: np.ndarray
    qty: np.ndarray
    need: np.ndarray


def _validate(p: LotPolicy) -> None:
    if p.rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}; got {p.rule!r}")
    for name in _NUMERIC:
        value = getattr(p, name)
        try:
            ok = math.isfinite(float(value)) and float(value) >= 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    if p.rule == "FOQ" and p.fixed_qty <= 0:
        raise ValueError("FOQ needs fixed_qty > 0")
    if p.rule == "POQ" and p.poq_periods <= 0:
        raise ValueError("POQ needs poq_periods > 0")
    if p.rule == "EOQ" and (p.setup_cost <= 0 or p.holding_cost <= 0):
        raise ValueError("EOQ needs setup_cost > 0 and holding_cost > 0")
    if p.maximum > 0:
        if p.maximum < p.minimum:
            raise ValueError("maximum must be >= minimum")
        smallest = _round_up(max(p.minimum, _EPS), p)
        if _cap(p) + _EPS < smallest:
            raise ValueError(f"maximum {p.maximum} is below the smallest order {smallest} "
                             "allowed by minimum/multiple")


def _round_up(q: float, p: LotPolicy) -> float:
    """Round q up to the multiple (or to minimum + k × multiple)."""
    m = p.multiple
    if m <= 0:
        return q
    base = p.minimum if p.increment_over_min else 0.0
    return round(base + max(math.ceil((q - base - _EPS) / m), 0) * m, _DEC)


def _cap(p: LotPolicy) -> float:
    """Largest order size allowed by maximum and multiple (0 = unlimited)."""
    if p.maximum <= 0 or p.multiple <= 0:
        return p.maximum
    base = p.minimum if p.increment_over_min else 0.0
    return round(base + math.floor((p.maximum - base + _EPS) / p.multiple) * p.multiple, _DEC)


def _prepare(net: np.ndarray, bucket_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    raw = np.asarray(net, dtype=float)
    start = np.asarray(bucket_start)
    if start.dtype.kind == "M":  # accept dates: day ordinals
        start = start.astype("datetime64[D]").astype(np.int64)
    start = start.astype(float)
    if raw.ndim != 1 or start.shape != raw.shape:
        raise ValueError("net and bucket_start must be 1-D arrays of the same length")
    if not np.isfinite(raw).all():
        raise ValueError("net must be finite")
    if not np.isfinite(start).all() or (np.diff(start) <= 0).any():
        raise ValueError("bucket_start must be finite and strictly increasing")
    return np.round(np.where(raw > _ZERO, raw, 0.0), _DEC), start


def _horizon_end(start: np.ndarray) -> float:
    return float(start[-1] + (start[-1] - start[-2] if start.size > 1 else 1.0))


def eoq_quantity(net: np.ndarray, bucket_start: np.ndarray, setup_cost: float,
                 holding_cost: float) -> float:
    """EOQ √(2DS/H) for the series, D = total net per time unit over the horizon."""
    if not (setup_cost > 0 and holding_cost > 0):
        raise ValueError("EOQ needs setup_cost > 0 and holding_cost > 0")
    values, start = _prepare(net, bucket_start)
    if values.sum() <= 0:
        return 0.0
    rate = values.sum() / (_horizon_end(start) - start[0])
    eoq = math.sqrt(2.0 * rate * setup_cost / holding_cost)
    whole = math.floor(eoq + 0.5)
    if whole >= 1:
        return float(whole)
    return max(round(eoq, _DEC), 10.0**-_DEC)  # below half a unit: keep it fractional


def _last_falling(values: np.ndarray) -> int:
    """Index of the last element of the strictly falling prefix of values."""
    prev = values[:-1]
    stops = np.flatnonzero(values[1:] >= prev - _REL * np.maximum(1.0, np.abs(prev)))
    return int(stops[0]) if stops.size else values.size - 1


def _pick(rule: str, hold: np.ndarray, qty: np.ndarray, span: np.ndarray, setup: float) -> int:
    """Offset of the last bucket the lot starting at offset 0 covers (SM, LUC, LTC)."""
    if rule == "SM":
        return _last_falling((setup + hold) / span)
    pos = np.flatnonzero(qty > 0)  # zero buckets change neither cost nor units
    if rule == "LUC":
        return int(pos[_last_falling((setup + hold[pos]) / np.cumsum(qty)[pos])])
    gap = np.abs(hold[pos] - setup)
    return int(pos[np.flatnonzero(gap <= gap.min() + _REL * max(1.0, setup))[-1]])


def _heuristic_ends(net: np.ndarray, start: np.ndarray, p: LotPolicy) -> np.ndarray:
    """Exclusive end index of the lot containing each bucket for SM, LUC and LTC."""
    n = net.size
    ends = np.arange(1, n + 1)
    span_end = np.append(start[1:], _horizon_end(start))
    nonzero = np.flatnonzero(net > 0)
    a = int(nonzero[0]) if nonzero.size else n
    while a < n:
        offset = start[a:] - start[a]
        hold = p.holding_cost * np.cumsum(net[a:] * offset)
        e = a + _pick(p.rule, hold, net[a:], span_end[a:] - start[a], p.setup_cost)
        ends[a : e + 1] = e + 1
        later = nonzero[nonzero > e]
        a = int(later[0]) if later.size else n
    return ends


def _wagner_whitin_lasts(d: np.ndarray, s: np.ndarray, setup: float, h: float) -> list[int]:
    """Last position of each lot in the least-cost plan over the nonzero buckets d, s."""
    m = d.size
    s = s - s[0]  # smaller magnitudes keep the prefix-sum differences accurate
    q0 = np.concatenate(([0.0], np.cumsum(d)))
    q1 = np.concatenate(([0.0], np.cumsum(d * s)))
    best = np.zeros(m + 1)
    count = np.zeros(m + 1, dtype=np.int64)
    pred = np.zeros(m, dtype=np.int64)
    for j in range(m):
        hold = (q1[j + 1] - q1[: j + 1]) - s[: j + 1] * (q0[j + 1] - q0[: j + 1])
        cost = best[: j + 1] + setup + h * hold
        low = cost.min()
        tied = cost <= low + _REL * max(1.0, abs(low))
        i = int(np.argmin(np.where(tied, count[: j + 1], np.iinfo(np.int64).max)))
        best[j + 1], count[j + 1], pred[j] = cost[i], count[i] + 1, i
    lasts, j = [], m - 1
    while j >= 0:
        lasts.append(j)
        j = int(pred[j]) - 1
    return lasts[::-1]


def _order_ends(net: np.ndarray, start: np.ndarray, p: LotPolicy) -> np.ndarray:
    """Exclusive end of the buckets an order placed at each (nonzero) bucket covers."""
    if p.rule == "POQ":
        return np.searchsorted(start, start + p.poq_periods, side="left")
    if p.rule in ("SM", "LUC", "LTC"):
        return _heuristic_ends(net, start, p)
    ends = np.arange(1, net.size + 1)
    if p.rule == "WW":
        nz = np.flatnonzero(net > 0)
        lasts = np.asarray(_wagner_whitin_lasts(net[nz], start[nz], p.setup_cost,
                                                p.holding_cost))
        sizes = np.diff(np.concatenate(([-1], lasts)))
        ends[nz] = np.repeat(nz[lasts] + 1, sizes)
    return ends


def _modify(q: float, p: LotPolicy) -> list[float]:
    """Apply minimum → multiple → maximum to one rule quantity; returns the pieces."""
    q = _round_up(max(q, p.minimum), p)
    cap = _cap(p)
    if cap <= 0 or q <= cap + _EPS:
        return [round(q, _DEC)]
    full = int((q + _EPS) // cap)
    if full > _MAX_PIECES:  # a maximum this small for the demand is a setup error, not data
        raise ValueError(f"maximum {p.maximum} would split one order of {q} into {full} orders")
    pieces = [cap] * full
    rest = q - full * cap
    if rest > _EPS:
        pieces.append(_round_up(max(rest, p.minimum), p))
    return [round(x, _DEC) for x in pieces]


def _place_orders(cum: list[float], ends: list[int], p: LotPolicy,
                  lot: float) -> tuple[list[int], list[float], list[float]]:
    """Walk the shortfalls: one rule quantity (possibly split) per first short bucket."""
    buckets: list[int] = []
    qtys: list[float] = []
    needs: list[float] = []
    supply = 0.0
    t = bisect_right(cum, _EPS)
    while t < len(cum):
        need = round(cum[ends[t] - 1] - supply, _DEC)
        q = need
        if p.rule in ("FOQ", "EOQ"):
            whole_lots = round(lot * math.ceil((need - _EPS) / lot), _DEC)
            q = max(lot, need) if p.foq_single_lot else whole_lots
        left = need
        for piece in _modify(q, p):
            buckets.append(t)
            qtys.append(piece)
            needs.append(round(min(piece, max(left, 0.0)), _DEC))
            left -= piece
            supply = round(supply + piece, _DEC)
        t = bisect_right(cum, supply + _EPS)
    return buckets, qtys, needs


def size_lots(net: np.ndarray, bucket_start: np.ndarray, policy: LotPolicy) -> Lots:
    """Planned orders for the net series under the policy (see module docstring)."""
    values, start = _prepare(net, bucket_start)
    idx = np.flatnonzero(values > 0)
    if (policy.rule == "LFL" and not policy.has_modifiers) or idx.size == 0:
        return Lots(idx.astype(np.int64), values[idx], values[idx].copy())
    lot = policy.fixed_qty
    if policy.rule == "EOQ":
        lot = eoq_quantity(values, start, policy.setup_cost, policy.holding_cost)
    cum = np.round(np.cumsum(values), _DEC).tolist()
    ends = _order_ends(values, start, policy).tolist()
    buckets, qtys, needs = _place_orders(cum, ends, policy, lot)
    return Lots(np.asarray(buckets, dtype=np.int64), np.asarray(qtys, dtype=float),
                np.asarray(needs, dtype=float))
