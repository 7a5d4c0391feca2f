"""Posting stock documents (DOMAIN §6): lines → stock moves → moving-average ledger.

* A document (all lines with one document number) posts whole or not at all. Every rule
  is checked on whole columns; a refused document gets row-level Issues and no move.
* Static rules: negative qty, closed period, unknown item/warehouse/task, a closed task,
  a warehouse of the wrong type, a component not on the task's material list, a product
  receipt for another item, a reversal of a document never posted.
* Running rules, in posting order (date, document, line): issue beyond the material
  list's requirement without a supplement, return beyond issued − scrapped, product
  receipt beyond the task qty × (1 + tolerance), stock going negative. They are
  sequential by nature (refusing one document frees room for the next), so each round
  refuses only the earliest offending document per key and re-checks; rounds are few.
* A reversal posts the negated moves of the earlier document at their own unit costs,
  so posting then reversing restores quantity and value exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines import issuemodes, ledger, postingrules
from addin.issues import Issue

# document table -> document type
SHEET_TYPES = {"material_issues": "material_issue", "supplements": "supplement",
               "material_returns": "material_return", "product_receipts": "product_receipt",
               "purchase_receipts": "purchase_receipt", "purchase_returns": "purchase_return"}
# document type -> (direction, brings its own unit cost). Outflows marked False go at the
# average unless the line names a unit cost (a return at the original price, goods leaving
# the inspection warehouse at their receipt cost).
DIRECTION = {"purchase_receipt": (1, True), "purchase_return": (-1, False),
             "material_issue": (-1, False), "supplement": (-1, False),
             "material_return": (1, False), "product_receipt": (1, True),
             "transfer_in": (1, True), "transfer_out": (-1, False), "scrap": (-1, False),
             "reversal": (1, True)}
LINE_DEFAULTS: dict[str, object] = {
    "sheet": "", "_row": None, "doc_type": "", "doc_no": "", "line_no": 1,
    "doc_date": pd.NaT, "item_code": "", "warehouse_code": "", "location_code": "", "lot": "",
    "qty": 0.0, "unit_cost": 0.0, "task_no": "", "reverses_doc_no": "",
    "issue_mode": "direct", "sets": 0.0, "concession": False, "auto": False}
MOVE_COLUMNS = ["seq", "doc_type", "doc_no", "line_no", "doc_date", "item_code",
                "warehouse_code", "location_code", "lot", "task_no", "qty", "unit_cost",
                "value", "concession"]
_KEY = ["item_code", "warehouse_code"]
_PLACE = ["item_code", "warehouse_code", "location_code", "lot"]


@dataclass(frozen=True)
class PostingContext:
    """What posting checks against. Frames are canonical tables; None skips their rules.

    opening: stock before posting (item, warehouse, location, lot, qty and optionally
    unit_cost; without it the item's standard cost). prior_moves: stock moves already
    posted (what a reversal looks up).
    """

    opening: pd.DataFrame | None = None
    items: pd.DataFrame | None = None
    warehouses: pd.DataFrame | None = None
    tasks: pd.DataFrame | None = None
    materials: pd.DataFrame | None = None
    prior_moves: pd.DataFrame | None = None
    closed_through: dt.date | None = None
    receipt_tolerance: float = 0.0


@dataclass
class Posting:
    moves: pd.DataFrame
    ledger: pd.DataFrame
    stock: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def normalise(lines: pd.DataFrame) -> pd.DataFrame:
    """Every line column present, blanks filled, in a fixed column order."""
    frame = lines.reindex(columns=list(LINE_DEFAULTS)).copy()
    for name, default in LINE_DEFAULTS.items():
        if default is not None and default is not pd.NaT:
            frame[name] = frame[name].where(frame[name].notna(), default)
        if isinstance(default, str):
            frame[name] = frame[name].astype(object)
    for name in ("qty", "unit_cost", "sets"):
        frame[name] = frame[name].astype(float)
    frame["line_no"] = frame["line_no"].astype("Int64")
    frame["concession"] = frame["concession"].astype(bool)
    frame["auto"] = frame["auto"].astype(bool)
    frame["doc_date"] = pd.to_datetime(frame["doc_date"])
    return frame


def stack_documents(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The document sheets present in `tables` as one frame of lines, typed by sheet."""
    parts = [normalise(tables[name].assign(sheet=name, doc_type=kind))
             for name, kind in SHEET_TYPES.items() if name in tables]
    if not parts:
        return normalise(pd.DataFrame(columns=list(LINE_DEFAULTS)))
    return pd.concat(parts, ignore_index=True)


def _opening(ctx: PostingContext) -> pd.DataFrame:
    columns = [*_PLACE, "qty", "unit_cost"]
    if ctx.opening is None or ctx.opening.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("qty", "unit_cost") else object)
                             for c in columns})
    frame = ctx.opening.copy()
    if "unit_cost" not in frame:
        frame["unit_cost"] = np.nan
    if ctx.items is not None:
        standard = ctx.items.drop_duplicates("item_code").set_index("item_code")["standard_cost"]
        frame["unit_cost"] = frame["unit_cost"].fillna(frame["item_code"].map(standard))
    frame["unit_cost"] = frame["unit_cost"].fillna(0.0).astype(float)
    for name in ("location_code", "lot"):
        frame[name] = frame[name].fillna("") if name in frame else ""
    return frame[columns]


def _expand(lines: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    """Kit lines into components, product receipts plus their backflush issues, reversals
    into the negated earlier moves, product receipts without a cost at standard cost."""
    materials = postingrules.materials_frame(ctx.materials)
    lines = issuemodes.expand_kits(lines, materials)
    receipts = lines[lines["doc_type"].eq("product_receipt") & lines["reverses_doc_no"].eq("")]
    if ctx.items is not None and not receipts.empty:
        standard = ctx.items.drop_duplicates("item_code").set_index("item_code")["standard_cost"]
        blank = lines["doc_type"].eq("product_receipt") & lines["unit_cost"].le(0)
        lines.loc[blank, "unit_cost"] = lines.loc[blank, "item_code"].map(standard).fillna(0.0)
    flushed = issuemodes.backflush_lines(receipts, materials)
    reversing = lines["reverses_doc_no"].ne("")
    reversed_ = _reversal_lines(lines[reversing], ctx.prior_moves)
    return pd.concat([lines[~reversing], flushed, reversed_], ignore_index=True)


def _reversal_lines(reversals: pd.DataFrame, prior: pd.DataFrame | None) -> pd.DataFrame:
    heads = reversals.drop_duplicates("doc_no")
    if heads.empty or prior is None or prior.empty:
        return reversals.iloc[:0]
    head = heads[["sheet", "_row", "doc_no", "doc_date", "reverses_doc_no"]]
    old = prior.drop(columns=["doc_no", "doc_date"]).rename(
        columns={"qty": "old_qty"}).assign(reverses_doc_no=prior["doc_no"])
    rows = head.merge(old, on="reverses_doc_no", how="inner")
    rows = rows.assign(doc_type="reversal", qty=-rows["old_qty"].astype(float), auto=False,
                       issue_mode="direct", sets=0.0)
    return normalise(rows).assign(reverses_doc_no=rows["reverses_doc_no"].to_numpy())


def _order(lines: pd.DataFrame) -> pd.DataFrame:
    lines = lines.sort_values(["doc_date", "doc_no", "auto", "line_no", "item_code"],
                              kind="stable", ignore_index=True)
    direction = lines["doc_type"].map({k: v[0] for k, v in DIRECTION.items()}).fillna(1)
    costed = lines["doc_type"].map({k: v[1] for k, v in DIRECTION.items()}).fillna(False)
    priced = lines["doc_type"].isin(("purchase_return", "transfer_out", "scrap")) & lines[
        "unit_cost"].gt(0)
    costed = costed.astype(bool) | priced
    return lines.assign(seq=np.arange(1, len(lines) + 1),
                        signed=lines["qty"].to_numpy(float) * direction.to_numpy(float),
                        costed=costed.astype(bool).to_numpy())


def post_documents(lines: pd.DataFrame, ctx: PostingContext) -> Posting:
    """Post document lines (as from `stack_documents`) on top of `ctx.opening`."""
    lines = normalise(lines)
    opening = _opening(ctx)
    issues, bad_docs = postingrules.static_issues(lines, ctx)
    unknown = postingrules.unknown_reversals(lines, ctx.prior_moves)
    issues += unknown[0]
    bad_docs |= unknown[1]
    expanded = _order(_expand(lines[~lines["doc_no"].isin(bad_docs)].copy(), ctx))
    running, refused = postingrules.running_issues(expanded, opening, ctx)
    issues += running
    bad_docs |= refused
    posted = expanded[~expanded["doc_no"].isin(bad_docs)].reset_index(drop=True)
    posted["seq"] = np.arange(1, len(posted) + 1)
    moves, book = _book(posted, opening)
    docs = set(lines["doc_no"])
    return Posting(moves=moves, ledger=book, stock=_closing(opening, moves, book),
                   issues=issues, posted=sorted(docs - bad_docs), refused=sorted(bad_docs))


def _book(posted: pd.DataFrame, opening: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Moves and ledger; the opening balance of each item/warehouse enters as seq 0."""
    start = opening.assign(value=opening["qty"] * opening["unit_cost"]).groupby(
        _KEY, as_index=False)[["qty", "value"]].sum()
    start = start.assign(unit_cost=np.where(start["qty"] > 0, start["value"]
                                            / start["qty"].where(start["qty"] > 0, 1.0), 0.0),
                         seq=0, costed=True)
    rows = pd.concat([start.rename(columns={"qty": "signed"}), posted], ignore_index=True)
    rows = rows.sort_values([*_KEY, "seq"], kind="stable", ignore_index=True)
    key = pd.MultiIndex.from_frame(rows[_KEY]).codes
    codes = key[0].astype(np.int64) * (int(key[1].max(initial=0)) + 1) + key[1]
    money = ledger.moving_average(codes, rows["signed"].to_numpy(float),
                                  rows["unit_cost"].fillna(0.0).to_numpy(float),
                                  rows["costed"].to_numpy(bool))
    rows = rows.assign(qty=rows["signed"], value=money["value"],
                       unit_cost=np.where(rows["costed"], rows["unit_cost"],
                                          money["average_before"]),
                       balance_qty=money["balance_qty"], average_cost=money["average_cost"],
                       balance_value=money["balance_value"])
    rows = rows[rows["seq"] > 0].sort_values("seq", ignore_index=True)
    moves = rows[MOVE_COLUMNS].reset_index(drop=True)
    return moves, rows[[*MOVE_COLUMNS, "balance_qty", "average_cost", "balance_value"]]


def _closing(opening: pd.DataFrame, moves: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """On hand per item, warehouse, location and lot after posting, at the average cost."""
    both = pd.concat([opening[[*_PLACE, "qty"]], moves[[*_PLACE, "qty"]]], ignore_index=True)
    stock = both.groupby(_PLACE, as_index=False, sort=True)["qty"].sum()
    stock = stock[stock["qty"].abs() > 1e-9].reset_index(drop=True)
    last = book.drop_duplicates(_KEY, keep="last").set_index(_KEY)["average_cost"]
    first = opening.assign(v=opening["qty"] * opening["unit_cost"]).groupby(_KEY)[
        ["qty", "v"]].sum()
    average = (first["v"] / first["qty"].where(first["qty"] > 0)).fillna(0.0)
    average = pd.concat([average[~average.index.isin(last.index)], last])
    index = pd.MultiIndex.from_frame(stock[_KEY])
    return stock.assign(unit_cost=average.reindex(index).fillna(0.0).to_numpy(float))
