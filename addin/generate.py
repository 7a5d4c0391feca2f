"""Generated planning data of any size: the frePPLe benchmark model as canonical tables.

Shape (`generate(N)`): N items over 5 levels (10/15/20/25/30 %). Every item of levels 0–3
is manufactured from exactly 4 distinct components (qty per 1–3, lead time 1–5 days); 80 %
of the components come from the next level down and the rest from any deeper level. Level
4 is purchased (lead time 5–30 days). About half the items have 10–200 on hand in WH01;
each level-0 item has one sales-order line (qty 1–100, due 14–180 days after `start`); all
items order lot-for-lot. That gives 0.7 N × 4 = 280k BOM lines at N = 100k;
`components_per_parent=5.7` gives ~400k (a parent gets 5 or 6 components, 6 with
probability 0.7).

Item codes are ``L<level>-<number>`` zero-padded (``L0-000001``), so code order is level
order. Everything is drawn from one `numpy.random.default_rng(seed)` in a fixed order,
whole arrays at a time: the same arguments give identical frames.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from addin.errors import UsageError
from addin.schema import ROW, TABLES, Column

WAREHOUSE = "WH01"
_REDRAW_SAME_SOURCE = 50  # then redraw duplicates from every lower level, so tiny models end
_FORECAST_PERIODS = 6  # forecasts: one per 4-week period for this many periods


def generate(items: int, *, seed: int = 0, levels: int = 5,
             level_shares: tuple[float, ...] = (.10, .15, .20, .25, .30),
             components_per_parent: float = 4, deeper_share: float = 0.20,
             qty_per: tuple[int, int] = (1, 3), make_lead: tuple[int, int] = (1, 5),
             buy_lead: tuple[int, int] = (5, 30), stock_share: float = 0.5,
             stock_range: tuple[int, int] = (10, 200), demands_per_top: int = 1,
             demand_qty: tuple[int, int] = (1, 100), due_days: tuple[int, int] = (14, 180),
             start: dt.date = dt.date(2026, 1, 5), min_multiple_variant: bool = False,
             phantom_share: float = 0.0, mto_share: float = 0.0, open_po_share: float = 0.0,
             forecast_share: float = 0.0) -> dict[str, pd.DataFrame]:
    """Typed canonical tables: items, bom, warehouses, stock, sales_orders, forecasts,
    purchase_orders, production_tasks, suppliers.

    Ranges are inclusive integers. `min_multiple_variant`: purchased items order at least
    50 in multiples of 10, and 30 % of the manufactured ones in multiples of 5.
    `phantom_share` of the items of the middle levels are phantoms (lead time 0);
    `mto_share` of the level-0 items are MTO. `open_po_share` of the purchased items have
    an open purchase order and the same share of the manufactured ones a released
    production task; `forecast_share` of the level-0 items have six 4-weekly forecasts.
    """
    counts = _level_counts(items, levels, level_shares, components_per_parent)
    rng = np.random.default_rng(seed)
    level = np.repeat(np.arange(levels), counts)
    codes = _codes(level, counts)
    start_ts = pd.Timestamp(start)
    item_frame = _items(rng, codes, level, levels, make_lead, buy_lead, phantom_share,
                        mto_share, min_multiple_variant)
    suppliers = _suppliers(rng, item_frame)
    return {
        "items": item_frame,
        "bom": _bom(rng, codes, counts, components_per_parent, deeper_share, qty_per),
        "warehouses": _typed("warehouses", {"warehouse_code": [WAREHOUSE],
                                            "warehouse_name": ["Main warehouse"]}),
        "stock": _stock(rng, codes, stock_share, stock_range),
        "sales_orders": _sales_orders(rng, codes[level == 0], demands_per_top, demand_qty,
                                      due_days, start_ts),
        "forecasts": _forecasts(rng, codes[level == 0], forecast_share, demand_qty, start_ts),
        "purchase_orders": _purchase_orders(rng, item_frame, open_po_share, stock_range,
                                            start_ts),
        "production_tasks": _production_tasks(rng, item_frame, open_po_share, demand_qty,
                                              start_ts),
        "suppliers": suppliers,
    }


def _level_counts(items: int, levels: int, shares: tuple[float, ...],
                  per_parent: float) -> np.ndarray:
    if levels < 2 or len(shares) != levels or min(shares) <= 0:
        raise UsageError(f"level_shares needs {levels} positive shares, one per level "
                         f"(levels must be at least 2); got {shares}")
    if per_parent < 1:
        raise UsageError(f"components_per_parent must be at least 1; got {per_parent}")
    weights = np.asarray(shares, dtype="float64") / sum(shares)
    counts = np.floor(items * weights + 1e-9).astype("int64")
    counts[-1] += items - counts.sum()  # rounding leftovers go to the purchased level
    if counts.min() < 1 or counts[-1] < math.ceil(per_parent):
        raise UsageError(f"{items} items are too few for {levels} levels with "
                         f"{per_parent} components each; generate more items")
    return counts


def _codes(level: np.ndarray, counts: np.ndarray) -> np.ndarray:
    width = max(6, len(str(int(counts.max()))))
    lw = len(str(len(counts) - 1))
    number = np.concatenate([np.arange(1, c + 1) for c in counts])
    return np.array([f"L{lv:0{lw}d}-{n:0{width}d}" for lv, n in zip(level, number,
                                                                     strict=True)],
                    dtype=object)


def _items(rng: np.random.Generator, codes: np.ndarray, level: np.ndarray, levels: int,
           make_lead: tuple[int, int], buy_lead: tuple[int, int], phantom_share: float,
           mto_share: float, min_multiple: bool) -> pd.DataFrame:
    n = codes.size
    bought = level == levels - 1
    middle = (level > 0) & ~bought
    phantom = middle & (rng.random(n) < phantom_share)
    kind = np.where(bought, "purchased", np.where(phantom, "phantom", "manufactured"))
    lead = np.where(bought, rng.integers(buy_lead[0], buy_lead[1] + 1, n),
                    rng.integers(make_lead[0], make_lead[1] + 1, n)).astype("float64")
    lead[phantom] = 0.0  # a phantom is never built on its own order
    mto = (level == 0) & (rng.random(n) < mto_share)
    word = np.where(level == 0, "Product", np.where(bought, "Part", np.where(
        phantom, "Kit", "Assembly")))
    data: dict[str, object] = {
        "item_code": codes, "item_name": np.char.add(word.astype(str) + " ", codes.astype(str)),
        "item_type": kind, "planning_mode": np.where(mto, "MTO", "MTS"),
        "lead_time_days": lead, "default_warehouse": np.full(n, WAREHOUSE, dtype=object)}
    if min_multiple:
        made = kind == "manufactured"
        data["min_order_qty"] = np.where(bought, 50.0, 0.0)
        data["order_multiple"] = np.where(bought, 10.0, np.where(
            made & (rng.random(n) < 0.3), 5.0, 0.0))
    return _typed("items", data)


def _suppliers(rng: np.random.Generator, item_frame: pd.DataFrame) -> pd.DataFrame:
    """About one supplier per hundred purchased items (1 to 100), the default of each."""
    bought = (item_frame["item_type"] == "purchased").to_numpy()
    count = int(np.clip(bought.sum() // 100, 1, 100))
    codes = np.array([f"SUP-{i:03d}" for i in range(1, count + 1)], dtype=object)
    supplier = np.full(len(item_frame), "", dtype=object)
    supplier[bought] = codes[rng.integers(0, count, int(bought.sum()))]
    item_frame["default_supplier"] = pd.Series(supplier, dtype=object)
    return _typed("suppliers", {"supplier_code": codes,
                                "supplier_name": [f"Supplier {i}" for i in range(1, count + 1)]})


def _bom(rng: np.random.Generator, codes: np.ndarray, counts: np.ndarray, per_parent: float,
         deeper_share: float, qty_range: tuple[int, int]) -> pd.DataFrame:
    offsets = np.concatenate([[0], np.cumsum(counts)])
    parents, children = [], []
    for lv in range(len(counts) - 1):
        ids = np.arange(offsets[lv], offsets[lv + 1])
        slots = _component_slots(rng, ids.size, per_parent)
        chosen = _components(rng, slots, offsets, lv, deeper_share)
        keep = chosen >= 0
        parents.append(np.repeat(ids, keep.sum(axis=1)))
        children.append(chosen[keep])
    parent, child = np.concatenate(parents), np.concatenate(children)
    order = np.lexsort((child, parent))
    parent, child = parent[order], child[order]
    qty = rng.integers(qty_range[0], qty_range[1] + 1, parent.size).astype("float64")
    return _typed("bom", {"parent_code": codes[parent], "component_code": codes[child],
                          "qty_numerator": qty})


def _component_slots(rng: np.random.Generator, parents: int, per_parent: float) -> np.ndarray:
    """(parents, ceil(k)) mask of used slots: floor(k) each, one more with P = frac(k)."""
    whole = math.floor(per_parent)
    width = math.ceil(per_parent)
    extra = rng.random(parents) < (per_parent - whole)
    used = np.full((parents, width), True)
    if width > whole:
        used[:, -1] = extra
    return used


def _components(rng: np.random.Generator, used: np.ndarray, offsets: np.ndarray, lv: int,
                deeper_share: float) -> np.ndarray:
    """Distinct component ids per parent row (-1 in unused slots)."""
    next_lo, next_hi, end = offsets[lv + 1], offsets[lv + 2], offsets[-1]
    deeper = (rng.random(used.shape) < deeper_share) & (next_hi < end)
    lo = np.where(deeper, next_hi, next_lo)
    hi = np.where(deeper, end, next_hi)
    chosen = np.where(used, rng.integers(lo, hi), -1)
    for attempt in range(10_000):
        dup = _repeated(chosen)
        if not dup.any():
            return chosen
        if attempt >= _REDRAW_SAME_SOURCE:  # a tiny level: draw from every lower level
            lo, hi = np.full(used.shape, next_lo), np.full(used.shape, end)
        chosen[dup] = rng.integers(lo[dup], hi[dup])
    raise AssertionError("component draw did not converge")  # only with an impossible shape


def _repeated(chosen: np.ndarray) -> np.ndarray:
    """Mask of slots repeating an earlier slot's id in the same row."""
    order = np.argsort(chosen, axis=1, kind="stable")
    ranked = np.take_along_axis(chosen, order, axis=1)
    again = np.zeros(chosen.shape, dtype=bool)
    again[:, 1:] = (ranked[:, 1:] == ranked[:, :-1]) & (ranked[:, 1:] >= 0)
    out = np.zeros(chosen.shape, dtype=bool)
    np.put_along_axis(out, order, again, axis=1)
    return out


def _stock(rng: np.random.Generator, codes: np.ndarray, share: float,
           qty_range: tuple[int, int]) -> pd.DataFrame:
    held = rng.random(codes.size) < share
    qty = rng.integers(qty_range[0], qty_range[1] + 1, codes.size).astype("float64")
    return _typed("stock", {"item_code": codes[held],
                            "warehouse_code": np.full(int(held.sum()), WAREHOUSE, dtype=object),
                            "qty": qty[held]})


def _days(rng: np.random.Generator, start: pd.Timestamp, low: int | np.ndarray,
          high: int | np.ndarray, n: int) -> np.ndarray:
    offset = rng.integers(low, np.asarray(high) + 1, n)
    return (start + pd.to_timedelta(offset, unit="D")).to_numpy("datetime64[ns]")


def _sales_orders(rng: np.random.Generator, tops: np.ndarray, per_top: int,
                  qty_range: tuple[int, int], due: tuple[int, int],
                  start: pd.Timestamp) -> pd.DataFrame:
    n = tops.size * per_top
    order = np.repeat(np.arange(1, tops.size + 1), per_top)
    return _typed("sales_orders", {
        "order_no": np.array([f"SO-{i:06d}" for i in order], dtype=object),
        "line_no": np.tile(np.arange(1, per_top + 1), tops.size),
        "item_code": np.repeat(tops, per_top),
        "qty": rng.integers(qty_range[0], qty_range[1] + 1, n).astype("float64"),
        "due_date": _days(rng, start, due[0], due[1], n)})


def _forecasts(rng: np.random.Generator, tops: np.ndarray, share: float,
               qty_range: tuple[int, int], start: pd.Timestamp) -> pd.DataFrame:
    chosen = tops[rng.random(tops.size) < share]
    n = chosen.size * _FORECAST_PERIODS
    period = np.tile(np.arange(_FORECAST_PERIODS), chosen.size)
    dates = (start + pd.to_timedelta(period * 28, unit="D")).to_numpy("datetime64[ns]")
    return _typed("forecasts", {
        "item_code": np.repeat(chosen, _FORECAST_PERIODS), "forecast_date": dates,
        "qty": rng.integers(qty_range[0], qty_range[1] + 1, n).astype("float64")})


def _purchase_orders(rng: np.random.Generator, item_frame: pd.DataFrame, share: float,
                     qty_range: tuple[int, int], start: pd.Timestamp) -> pd.DataFrame:
    """Open POs due within the item's lead time: supply already on its way."""
    bought = item_frame[(item_frame["item_type"] == "purchased").to_numpy()
                        & (rng.random(len(item_frame)) < share)]
    n = len(bought)
    lead = bought["lead_time_days"].to_numpy().astype("int64")
    return _typed("purchase_orders", {
        "po_no": np.array([f"PO-{i:06d}" for i in range(1, n + 1)], dtype=object),
        "supplier_code": bought["default_supplier"].to_numpy(dtype=object),
        "item_code": bought["item_code"].to_numpy(dtype=object),
        "qty": rng.integers(qty_range[0], qty_range[1] + 1, n).astype("float64"),
        "due_date": _days(rng, start, 1, np.maximum(lead, 1), n)})


def _production_tasks(rng: np.random.Generator, item_frame: pd.DataFrame, share: float,
                      qty_range: tuple[int, int], start: pd.Timestamp) -> pd.DataFrame:
    made = item_frame[(item_frame["item_type"] == "manufactured").to_numpy()
                      & (rng.random(len(item_frame)) < share)]
    n = len(made)
    lead = made["lead_time_days"].to_numpy().astype("int64")
    return _typed("production_tasks", {
        "task_no": np.array([f"MO-{i:06d}" for i in range(1, n + 1)], dtype=object),
        "item_code": made["item_code"].to_numpy(dtype=object),
        "qty": rng.integers(qty_range[0], qty_range[1] + 1, n).astype("float64"),
        "start_date": np.full(n, start.to_datetime64(), dtype="datetime64[ns]"),
        "due_date": _days(rng, start, 1, np.maximum(lead, 1), n),
        "warehouse_code": np.full(n, WAREHOUSE, dtype=object)})


def _typed(name: str, data: dict[str, object]) -> pd.DataFrame:
    """A canonical table as the reader returns it: every column typed, blanks defaulted,
    and `_row` numbered as if written below a header row."""
    spec = TABLES[name]
    n = len(next(iter(data.values())))  # type: ignore[arg-type]
    out = {ROW: np.arange(2, n + 2, dtype="int64")}
    for column in spec.columns:
        out[column.name] = _column(column, data.get(column.name), n)
    return pd.DataFrame(out)


def _column(column: Column, values: object, n: int) -> pd.Series:
    """One typed column; `values=None` fills the schema default (blank text is "")."""
    kind, default = column.type, column.default
    if values is None:
        if kind == "date":
            values = np.full(n, np.datetime64("NaT", "ns"))
        elif kind == "integer":
            values = pd.array([default] * n, dtype="Int64")
        else:
            fill = {"number": np.nan, "bool": False}.get(kind, "") if default is None else default
            values = np.full(n, fill, dtype=object if kind in ("text", "choice") else None)
    dtype = {"number": "float64", "integer": "Int64", "date": "datetime64[ns]",
             "bool": "bool"}.get(kind, object)
    # copy=False: the arrays are built here for this frame alone.
    return pd.Series(np.asarray(values, dtype=object) if dtype is object else values,
                     dtype=dtype, copy=False)
