"""Stock ageing 库龄 and slow movers 呆滞料 (DOMAIN §9), on whole columns.

Ageing assumes stock leaves first in, first out: the on-hand qty of an item in a
warehouse is made of its newest receipts. Walking the receipts newest first,

    layer_i = min(q_i, max(0, on_hand − Σ newer receipts))

and the oldest layer takes whatever is left, so the layers (and so the bands) always sum
to the on-hand qty. The Stock sheet (the opening balance) is one layer dated
`opening_date` — by default the day before the first move, since the sheet is the balance
at the last close. A receipt is any move that brings stock in (qty > 0): a transfer in
or a return starts a new age. The age of a layer is the days from its date to `as_of`;
its band is the first whose upper limit it does not exceed.

A slow mover has stock and no issue for more than `slow_days`: days idle count from the
last issue (material issue, supplement or any other consuming move), or from the oldest
layer when the stock was never issued.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from addin.engines.ledger import segment_starts, segmented_cumsum
from addin.engines.stockledger import KEY, key_codes

DEFAULT_LIMITS = (30, 90, 180, 365)
DEFAULT_SLOW_DAYS = 90
# negative moves that are not consumption: they do not make stock "move"
NOT_ISSUES = frozenset({"transfer_out", "scrap", "purchase_return", "reversal"})


def band_labels(limits: tuple[int, ...]) -> list[tuple[str, int, int | None]]:
    """(label, from day, to day) per band: 0–30, 31–90, …, >365."""
    lows = [0, *(limit + 1 for limit in limits)]
    highs: list[int | None] = [*limits, None]
    return [(f"{low}–{high}" if high is not None else f">{limits[-1]}" if limits else "0+",
             low, high) for low, high in zip(lows, highs, strict=True)]


def check_limits(limits: tuple[int, ...]) -> tuple[int, ...]:
    """Band limits as strictly increasing whole days; ValueError names the problem."""
    values = tuple(int(v) for v in limits)
    if not values or any(v < 0 for v in values) or any(
            b <= a for a, b in pairwise(values)):
        raise ValueError("age bands must be increasing whole days, e.g. 30,90,180,365")
    return values


def _layers(moves: pd.DataFrame, opening: pd.DataFrame, as_of: pd.Timestamp,
            opening_date: pd.Timestamp) -> pd.DataFrame:
    dates = moves["doc_date"].to_numpy("datetime64[ns]")
    qty = moves["qty"].to_numpy(float)
    take = (qty > 0) & (dates <= np.datetime64(as_of))
    receipts = pd.DataFrame({"item_code": moves["item_code"].to_numpy(object)[take],
                             "warehouse_code": moves["warehouse_code"].to_numpy(object)[take],
                             "qty": qty[take], "date": dates[take],
                             "order": np.arange(1, len(moves) + 1)[take]})
    first = opening[opening["qty"] > 0]
    start = pd.DataFrame({"item_code": first["item_code"].to_numpy(object),
                          "warehouse_code": first["warehouse_code"].to_numpy(object),
                          "qty": first["qty"].to_numpy(float),
                          "date": np.full(len(first), np.datetime64(opening_date, "ns")),
                          "order": np.zeros(len(first), dtype=np.int64)})
    return pd.concat([start, receipts], ignore_index=True)


def default_opening_date(moves: pd.DataFrame, as_of: pd.Timestamp) -> pd.Timestamp:
    """The day before the first move (the Stock sheet is the balance before it)."""
    if len(moves):
        return pd.Timestamp(moves["doc_date"].min()) - pd.Timedelta(days=1)
    return pd.Timestamp(as_of)


def fifo_layers(moves: pd.DataFrame, opening: pd.DataFrame, closing: pd.DataFrame,
                as_of: pd.Timestamp, opening_date: pd.Timestamp) -> pd.DataFrame:
    """The receipt layers still on hand at `as_of`: item, warehouse, date, qty (> 0).

    `closing` holds item_code, warehouse_code and closing_qty (the on hand at `as_of`).
    """
    as_of = pd.Timestamp(as_of)
    layers = _layers(moves, opening, as_of, pd.Timestamp(opening_date))
    held = closing[closing["closing_qty"] > 1e-9]
    keyed = key_codes(held, layers)
    on_hand = np.bincount(keyed.codes[0], weights=held["closing_qty"].to_numpy(float),
                          minlength=len(keyed.items))
    code = keyed.codes[1]
    wanted = on_hand[code] > 0
    layers, code = layers[wanted].reset_index(drop=True), code[wanted]
    # newest first within each key: sort by code, then date and posting order descending
    order = np.lexsort((-layers["order"].to_numpy(), -layers["date"].to_numpy("int64"), code))
    layers, code = layers.iloc[order].reset_index(drop=True), code[order]
    qty = layers["qty"].to_numpy(float)
    start = segment_starts(code)
    newer = segmented_cumsum(qty, start) - qty
    left = np.maximum(on_hand[code] - newer, 0.0)
    last = np.ones(len(code), dtype=bool)
    last[:-1] = start[1:]
    layers["qty"] = np.where(last, left, np.minimum(qty, left))
    # stock with no receipt layer at all (cannot happen after posting) ages from opening
    bare = np.setdiff1d(np.flatnonzero(on_hand > 0), code)
    if len(bare):
        layers = pd.concat([layers, pd.DataFrame({
            "item_code": keyed.items[bare], "warehouse_code": keyed.warehouses[bare],
            "qty": on_hand[bare], "date": np.datetime64(pd.Timestamp(opening_date), "ns"),
            "order": 0})], ignore_index=True)
    return layers[layers["qty"] > 1e-12].reset_index(drop=True)


def stock_ageing(moves: pd.DataFrame, opening: pd.DataFrame, closing: pd.DataFrame,
                 as_of: pd.Timestamp, opening_date: pd.Timestamp | None = None,
                 limits: tuple[int, ...] = DEFAULT_LIMITS,
                 names: pd.Series | None = None) -> pd.DataFrame:
    """On hand per item, warehouse and age band (rows with stock only), valued at the
    closing unit cost of `closing` (item_code, warehouse_code, closing_qty, unit_cost)."""
    as_of = pd.Timestamp(as_of)
    limits = check_limits(limits)
    when = default_opening_date(moves, as_of) if opening_date is None else opening_date
    layers = fifo_layers(moves, opening, closing, as_of, when)
    days = ((np.datetime64(as_of, "ns") - layers["date"].to_numpy("datetime64[ns]"))
            // np.timedelta64(1, "D")).astype(np.int64)
    band = np.searchsorted(np.asarray(limits), np.maximum(days, 0), side="left")
    layers = layers.assign(band=band)
    out = layers.groupby([*KEY, "band"], as_index=False, sort=True).agg(
        qty=("qty", "sum"), oldest_date=("date", "min"))
    labels = band_labels(limits)
    out["age_band"] = [labels[b][0] for b in out["band"]] if len(out) else []
    out["from_days"] = np.array([labels[b][1] for b in out["band"]], dtype=np.int64)
    out["to_days"] = pd.array([labels[b][2] for b in out["band"]], dtype="Int64")
    cost = closing.set_index(KEY)["unit_cost"]
    unit = cost.reindex(pd.MultiIndex.from_frame(out[KEY])).fillna(0.0).to_numpy(float)
    out["value"] = out["qty"].to_numpy(float) * unit
    out.insert(1, "item_name", out["item_code"].map(names).fillna("") if names is not None
               else "")
    return out[["item_code", "item_name", "warehouse_code", "age_band", "from_days",
                "to_days", "qty", "value", "oldest_date"]]


def by_band(ageing: pd.DataFrame, limits: tuple[int, ...] = DEFAULT_LIMITS) -> pd.DataFrame:
    """Qty and value per band over all items, every band listed, for the Summary sheet."""
    labels = [label for label, _, _ in band_labels(check_limits(limits))]
    grouped = ageing.groupby("age_band")[["qty", "value"]].sum()
    out = grouped.reindex(labels, fill_value=0.0).rename_axis("age_band").reset_index()
    total = float(out["value"].sum())
    out["share"] = out["value"] / total if total else 0.0
    return out.round({"qty": 4, "value": 2})


def slow_movers(moves: pd.DataFrame, closing: pd.DataFrame, layers_oldest: pd.DataFrame,
                as_of: pd.Timestamp, slow_days: int = DEFAULT_SLOW_DAYS,
                names: pd.Series | None = None) -> pd.DataFrame:
    """Stock with no issue for more than `slow_days` at `as_of`, largest value first.

    `layers_oldest` is the ageing table (its oldest_date per band gives the oldest
    layer of each key, from which never-issued stock counts its idle days).
    """
    as_of = pd.Timestamp(as_of)
    held = closing.loc[closing["closing_qty"] > 1e-9, [*KEY, "closing_qty", "closing_value"]]
    dates = moves["doc_date"].to_numpy("datetime64[ns]")
    issue = (moves["qty"].to_numpy(float) < 0) & ~moves["doc_type"].isin(NOT_ISSUES).to_numpy() & (
        dates <= np.datetime64(as_of))
    last = (moves.loc[issue, [*KEY, "doc_date"]].groupby(KEY)["doc_date"].max()
            .rename("last_issue"))
    oldest = layers_oldest.groupby(KEY)["oldest_date"].min()
    index = pd.MultiIndex.from_frame(held[KEY])
    out = held.rename(columns={"closing_qty": "on_hand_qty", "closing_value": "value"})
    out = out.assign(last_issue=last.reindex(index).to_numpy("datetime64[ns]"),
                     oldest=oldest.reindex(index).to_numpy("datetime64[ns]"))
    since = out["last_issue"].fillna(out["oldest"]).fillna(as_of)
    out["days_idle"] = (as_of - since).dt.days.astype("Int64")
    out = out[out["days_idle"] > slow_days]
    out.insert(1, "item_name", out["item_code"].map(names).fillna("") if names is not None
               else "")
    out = out.sort_values(["value", "item_code", "warehouse_code"],
                          ascending=[False, True, True], kind="stable")
    return out[["item_code", "item_name", "warehouse_code", "on_hand_qty", "value",
                "last_issue", "days_idle"]].reset_index(drop=True)
