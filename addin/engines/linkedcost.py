"""Costs that come from other moves of the same posting (used by `posting`).

Some receipts do not bring their own price; their cost is what other moves took out:

* ``total``: the receiver takes the whole value of the moves that feed it, per unit,
  plus `add_cost` per unit — the at-supplier leg of a subcontract issue (the cost the
  material left own stock at), the own-stock leg of a subcontract return, and a
  subcontract receipt (consumed material + processing fee).
* ``return``: a material return comes back at the average cost of the issues it returns
  (the named issue document, else every issue of the item to the task), issues posted
  before the return only.
* ``notice``: a move of an inspection takes the unit cost of the move its receipt
  notice brought the goods in with (a purchase, product or subcontract receipt into
  the inspection warehouse), so judging leaves no value behind there.
* ``task``: a product receipt of a rework or consigned task absorbs the task's net
  material value (issues + supplements + backflush − returns) in proportion to the
  quantity received: after receipt k the task has absorbed
  M_k × min(1, R_k / Q) (M_k material so far, R_k received so far, Q the task's open
  quantity); the last receipt takes what is left. Plus labour + overhead per unit.

Each resolver takes the booked moves (with their values) and returns the receivers'
unit costs; `posting` books again until no cost changes. Every step is vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TotalLinks:
    """Positions of the ``total`` receivers and of the moves feeding them, fixed for all
    bookings: `slot` is the receiver (index into `receivers`) each feeder feeds."""

    receivers: np.ndarray
    feeders: np.ndarray
    slot: np.ndarray
    qty: np.ndarray
    add: np.ndarray


def total_links(frame: pd.DataFrame) -> TotalLinks:
    """`frame` has a RangeIndex (positions) and the link columns of posting's lines."""
    derived = frame["derived"].to_numpy(object)
    receivers = np.flatnonzero(derived == "total")
    link = frame["cost_link"].to_numpy(np.int64)[receivers]
    feed = frame["cost_feed"].to_numpy(np.int64)
    feeders = np.flatnonzero(feed >= 0)
    if not len(link):
        feeders = feeders[:0]
    order = np.argsort(link, kind="stable")
    found = np.clip(np.searchsorted(link[order], feed[feeders]), 0, max(len(link) - 1, 0))
    hit = link[order][found] == feed[feeders] if len(link) else np.zeros(0, dtype=bool)
    return TotalLinks(receivers, feeders[hit], order[found[hit]],
                      np.abs(frame["qty"].to_numpy(float)[receivers]),
                      frame["add_cost"].to_numpy(float)[receivers])


def total_costs(links: TotalLinks, value: np.ndarray) -> np.ndarray:
    """Unit cost of every ``total`` receiver, in `links.receivers` order."""
    fed = -np.bincount(links.slot, weights=value[links.feeders],
                       minlength=len(links.receivers))
    safe = np.where(links.qty > 0, links.qty, 1.0)
    return np.where(links.qty > 0, fed / safe, 0.0) + links.add


def _running_ratio(feed: pd.DataFrame, recv: pd.DataFrame, key: str) -> pd.Series:
    """Σ(−value) / Σ(−qty) of the feeders with the receiver's key and a smaller seq."""
    both = pd.concat([feed[[key, "seq"]].assign(v=-feed["value"], q=-feed["qty"], r=False),
                      recv[[key, "seq"]].assign(v=0.0, q=0.0, r=True)])
    both = both.sort_values([key, "seq", "r"], kind="stable")
    cum = both.groupby(key, sort=False)[["v", "q"]].cumsum()
    ratio = (cum["v"] / cum["q"].where(cum["q"] > 1e-12))[both["r"].to_numpy()]
    return ratio.reindex(recv.index)


def return_costs(frame: pd.DataFrame) -> pd.Series:
    """Unit cost of every ``return`` receiver: its named issue's cost, else the task's;
    NaN where nothing of the item went out before (the caller uses the average)."""
    recv = frame[frame["derived"].eq("return")]
    if recv.empty:
        return pd.Series(dtype=float)
    out = frame[frame["doc_type"].isin(("material_issue", "supplement")) & (frame["qty"] < 0)
                & frame["task_no"].ne("")]
    by_doc = _running_ratio(out.assign(k=out["doc_no"] + "\x1f" + out["item_code"]),
                            recv.assign(k=recv["returns_doc_no"] + "\x1f" + recv["item_code"]),
                            "k")
    by_task = _running_ratio(out.assign(k=out["task_no"] + "\x1f" + out["item_code"]),
                             recv.assign(k=recv["task_no"] + "\x1f" + recv["item_code"]), "k")
    named = recv["returns_doc_no"].ne("")
    return by_doc.where(named, by_task)


def task_costs(frame: pd.DataFrame, open_qty: pd.Series) -> pd.Series:
    """Unit cost of every ``task`` receiver; `open_qty` is task qty − stocked before, by
    task number."""
    recv = frame[frame["derived"].eq("task")]
    if recv.empty:
        return pd.Series(dtype=float)
    tasks = set(recv["task_no"])
    material = frame[frame["doc_type"].isin(("material_issue", "supplement",
                                             "material_return"))
                     & frame["task_no"].isin(tasks)]
    # a receipt's own backflush lines come after it in seq but belong before it
    last = frame.groupby("doc_no")["seq"].max()
    both = pd.concat([
        material[["task_no"]].assign(t=material["seq"], m=-material["value"], r=0.0, recv=False),
        recv[["task_no"]].assign(t=recv["doc_no"].map(last), m=0.0, r=recv["qty"], recv=True)])
    both = both.sort_values(["task_no", "t", "recv"], kind="stable")
    group = both.groupby("task_no", sort=False)
    cum = group[["m", "r"]].cumsum()
    room = both["task_no"].map(open_qty).fillna(0.0)
    share = np.where(room > 1e-12, np.minimum(1.0, cum["r"] / room.where(room > 1e-12, 1.0)),
                     1.0)
    absorbed_total = pd.Series(cum["m"].to_numpy() * share, index=both.index)
    at_receipts = absorbed_total[both["recv"].to_numpy()]
    keyed = both.loc[both["recv"].to_numpy(), "task_no"]
    before = at_receipts.groupby(keyed.to_numpy()).shift(1).fillna(0.0)
    absorbed = (at_receipts - before).reindex(recv.index)
    qty = recv["qty"].abs()
    unit = absorbed / qty.where(qty > 0)
    return unit.fillna(0.0) + recv["conversion_cost"]


def notice_links(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the ``notice`` receivers, position of the notice move each copies);
    a receiver whose notice was not posted keeps its own cost (posting refuses it)."""
    derived = frame["derived"].to_numpy(object)
    receivers = np.flatnonzero(derived == "notice")
    if not len(receivers):
        return receivers, receivers
    key = frame["notice_no"].astype(str) + "\x1f" + frame["notice_line"].astype(
        np.int64).astype(str)
    source = (frame["notice_no"].ne("") & frame["doc_type"].isin(
        ("purchase_receipt", "product_receipt", "subcontract_receipt"))
        & (derived != "notice") & (frame["seq"] > 0)).to_numpy()
    where = pd.Series(np.flatnonzero(source), index=key[source].to_numpy())
    found = key.iloc[receivers].map(where[~where.index.duplicated()])
    known = found.notna().to_numpy()
    return receivers[known], found[known].to_numpy(np.int64)


def copied_costs(links: tuple[np.ndarray, np.ndarray], qty: np.ndarray, value: np.ndarray,
                 cost: np.ndarray) -> np.ndarray:
    """Unit cost of every ``notice`` receiver: its notice move's value / qty."""
    receivers, sources = links
    moved = qty[sources]
    safe = np.where(np.abs(moved) > 1e-12, moved, 1.0)
    return np.where(np.abs(moved) > 1e-12, value[sources] / safe, cost[receivers])
