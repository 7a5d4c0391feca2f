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
* Subcontracting (`subcontract`), consigned processing and rework: goods at a supplier
  are own stock in an at-supplier warehouse; customer material sits in a virtual
  warehouse at zero value (never in the average of own stock); a rework or consigned
  task's product comes in at its absorbed material + labour and overhead; a material
  return comes back at its issue cost (`linkedcost`, booked until costs settle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines import issuemodes, ledger, linkedcost, postingrules, subcontract
from addin.issues import Issue

# document table -> document type
SHEET_TYPES = {"material_issues": "material_issue", "supplements": "supplement",
               "material_returns": "material_return", "product_receipts": "product_receipt",
               "purchase_receipts": "purchase_receipt", "purchase_returns": "purchase_return",
               "subcontract_issues": "subcontract_issue",
               "subcontract_returns": "subcontract_return",
               "subcontract_receipts": "subcontract_receipt",
               "subcontract_fee_invoices": "fee_invoice",
               "consigned_receipts": "consigned_receipt"}
# Every table posting reads besides items and warehouses: a command that posts the
# workbook's documents first (plan, alerts, cost, reports) reads these too.
POSTING_TABLES = (*SHEET_TYPES, "receipt_notices", "inspections", "task_materials",
                  "production_tasks", "stock", "subcontract_orders", "subcontract_materials",
                  "subcontract_prices", "suppliers", "settings")
# document type -> (direction, brings its own unit cost). Outflows marked False go at the
# average unless the line names a unit cost (a return at the original price, goods leaving
# the inspection warehouse at their receipt cost).
DIRECTION = {"purchase_receipt": (1, True), "purchase_return": (-1, False),
             "material_issue": (-1, False), "supplement": (-1, False),
             "material_return": (1, False), "product_receipt": (1, True),
             "transfer_in": (1, True), "transfer_out": (-1, False), "scrap": (-1, False),
             "reversal": (1, True), "subcontract_issue": (-1, False),
             "subcontract_return": (1, False), "subcontract_scrap": (-1, False),
             "subcontract_consume": (-1, False), "subcontract_receipt": (1, True),
             "fee_adjustment": (1, True), "consigned_receipt": (1, True),
             "subcontract_reject": (-1, False), "qc_rework": (1, True)}
# the moves a receipt notice brings goods in with (the cost its inspection moves take)
NOTICE_RECEIPTS = ("purchase_receipt", "product_receipt", "subcontract_receipt")
LINE_DEFAULTS: dict[str, object] = {
    "sheet": "", "_row": None, "doc_type": "", "doc_no": "", "line_no": 1,
    "doc_date": pd.NaT, "item_code": "", "warehouse_code": "", "location_code": "", "lot": "",
    "qty": 0.0, "unit_cost": 0.0, "task_no": "", "reverses_doc_no": "",
    "issue_mode": "direct", "sets": 0.0, "concession": False, "auto": False,
    "order_no": "", "order_line": 1, "supplier_code": "", "supplier_warehouse": "",
    "fee_price": 0.0, "scrapped_qty": 0.0, "returns_doc_no": "", "conversion_cost": 0.0,
    "notice_no": "", "notice_line": 1,
    # internal: direction override, value without qty, cost links (see linkedcost)
    "sign": 0.0, "adjust": 0.0, "want_qty": 0.0, "short_qty": 0.0, "lid": -1,
    "cost_link": -1, "cost_feed": -1, "derived": "", "add_cost": 0.0, "base_type": "",
    "unreceive": 0.0}
_INTS = ("order_line", "lid", "cost_link", "cost_feed", "notice_line")
MOVE_COLUMNS = ["seq", "doc_type", "doc_no", "line_no", "doc_date", "item_code",
                "warehouse_code", "location_code", "lot", "task_no", "qty", "unit_cost",
                "value", "concession", "order_no", "notice_no"]
_MAX_PASSES = 50  # bookings until linked costs settle (one per level of dependency)
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
    suppliers: pd.DataFrame | None = None
    subcontract_orders: pd.DataFrame | None = None
    subcontract_materials: pd.DataFrame | None = None
    subcontract_prices: pd.DataFrame | None = None
    subcontract_tolerance: float = 0.0


@dataclass
class Posting:
    moves: pd.DataFrame
    ledger: pd.DataFrame
    stock: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    supplier_balances: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=subcontract.BALANCE_COLUMNS))
    fee_adjustments: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=subcontract.FEE_COLUMNS))


def normalise(lines: pd.DataFrame) -> pd.DataFrame:
    """Every line column present, blanks filled, in a fixed column order."""
    n = len(lines)
    columns: dict[str, object] = {}
    for name, default in LINE_DEFAULTS.items():
        if name not in lines:
            value: object = pd.Series(np.full(n, default if default is not None else np.nan,
                                              dtype=object if default is None else None),
                                      index=lines.index)
        else:
            value = lines[name]
            if default is not None and default is not pd.NaT and value.isna().any():
                value = value.where(value.notna(), default)
        if isinstance(default, str):
            value = value.astype(object)
        elif isinstance(default, bool):
            value = value.astype(bool)
        elif isinstance(default, float):
            value = value.astype(float)
        elif name in _INTS:
            value = value.astype(np.int64)
        columns[name] = value
    frame = pd.DataFrame(columns, index=lines.index)
    frame["line_no"] = frame["line_no"].astype("Int64")
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
    frame.loc[frame["warehouse_code"].isin(_uncosted(ctx.warehouses)), "unit_cost"] = 0.0
    for name in ("location_code", "lot"):
        frame[name] = frame[name].fillna("") if name in frame else ""
    return frame[columns]


def _expand(lines: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    """Kit lines into components, product receipts plus their backflush issues, reversals
    into the negated earlier moves, product receipts without a cost at standard cost,
    subcontract documents into their legs; mark the costs that come from other moves."""
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
    lines = pd.concat([lines[~reversing], flushed, reversed_], ignore_index=True)
    lines = subcontract.expand(lines, ctx)
    live = lines["reverses_doc_no"].eq("")
    returned = live & lines["doc_type"].eq("material_return") & lines["task_no"].ne("")
    lines.loc[returned, "derived"] = "return"
    kind = _task_kinds(ctx.tasks)
    actual = live & lines["doc_type"].eq("product_receipt") & lines["task_no"].map(kind).isin(
        ("rework", "consigned"))
    lines.loc[actual, "derived"] = "task"
    return lines


def _task_kinds(tasks: pd.DataFrame | None) -> pd.Series:
    if tasks is None or "task_kind" not in tasks:
        return pd.Series(dtype=object)
    return tasks.drop_duplicates("task_no").set_index("task_no")["task_kind"]


def _reversal_lines(reversals: pd.DataFrame, prior: pd.DataFrame | None) -> pd.DataFrame:
    heads = reversals.drop_duplicates("doc_no")
    if heads.empty or prior is None or prior.empty:
        return reversals.iloc[:0]
    head = heads[["sheet", "_row", "doc_no", "doc_date", "reverses_doc_no"]]
    old = prior.drop(columns=["doc_no", "doc_date"]).rename(
        columns={"qty": "old_qty"}).assign(reverses_doc_no=prior["doc_no"])
    rows = head.merge(old, on="reverses_doc_no", how="inner")
    # a value-only move (fee adjustment) is undone by its negated value
    adjust = np.where(rows["old_qty"].abs() < 1e-12, -rows["value"].astype(float), 0.0)
    rows = rows.assign(base_type=rows["doc_type"], doc_type="reversal",
                       qty=-rows["old_qty"].astype(float), auto=False, issue_mode="direct",
                       sets=0.0, adjust=adjust)
    return normalise(rows).assign(reverses_doc_no=rows["reverses_doc_no"].to_numpy())


def _order(lines: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    lines = lines.sort_values(["doc_date", "doc_no", "auto", "line_no", "item_code"],
                              kind="stable", ignore_index=True)
    direction = lines["doc_type"].map({k: v[0] for k, v in DIRECTION.items()}).fillna(1)
    direction = np.where(lines["sign"].ne(0), lines["sign"], direction)
    costed = lines["doc_type"].map({k: v[1] for k, v in DIRECTION.items()}).fillna(False)
    priced = lines["doc_type"].isin(("purchase_return", "transfer_out", "scrap")) & lines[
        "unit_cost"].gt(0)
    costed = costed.astype(bool) | priced | lines["derived"].isin(("total", "task", "notice"))
    # customer material and non-costed warehouses hold goods at zero value
    free = lines["warehouse_code"].isin(_uncosted(ctx.warehouses))
    lines.loc[free, ["unit_cost", "adjust"]] = 0.0
    lines.loc[free, "derived"] = ""
    return lines.assign(seq=np.arange(1, len(lines) + 1),
                        signed=lines["qty"].to_numpy(float) * direction.astype(float),
                        costed=(costed | free).astype(bool).to_numpy())


def _uncosted(warehouses: pd.DataFrame | None) -> pd.Index:
    if warehouses is None or warehouses.empty:
        return pd.Index([])
    virtual = warehouses["warehouse_type"].eq("customer_virtual")
    if "costed" in warehouses:
        virtual |= warehouses["costed"].eq(False)
    return pd.Index(warehouses.loc[virtual, "warehouse_code"])


def post_documents(lines: pd.DataFrame, ctx: PostingContext) -> Posting:
    """Post document lines (as from `stack_documents`) on top of `ctx.opening`."""
    lines = normalise(lines)
    opening = _opening(ctx)
    lines, issues, bad_docs = subcontract.prepare(lines, ctx)
    found, bad = postingrules.static_issues(lines, ctx)
    issues += found
    bad_docs |= bad
    unknown = postingrules.unknown_reversals(lines, ctx.prior_moves)
    issues += unknown[0]
    bad_docs |= unknown[1]
    orphans = postingrules.orphan_inspections(lines, bad_docs)
    issues += orphans[0]
    bad_docs |= orphans[1]
    expanded = _order(_expand(lines[~lines["doc_no"].isin(bad_docs)].copy(), ctx), ctx)
    posted, running = _run_rules(expanded, opening, ctx)
    issues += running
    bad_docs |= set(expanded["doc_no"]) - set(posted["doc_no"])
    posted["seq"] = np.arange(1, len(posted) + 1)
    owner, _ = subcontract.supplier_warehouses(ctx.warehouses)
    issues += subcontract.over_consumption_warnings(posted, owner)
    moves, book, valued = _book(posted, opening, _open_qty(ctx.tasks))
    issues += subcontract.unabsorbed_warnings(valued)
    docs = set(lines["doc_no"])
    return Posting(moves=moves, ledger=book, stock=_closing(opening, moves, book),
                   issues=issues, posted=sorted(docs - bad_docs), refused=sorted(bad_docs),
                   supplier_balances=subcontract.supplier_balances(valued, opening,
                                                                   ctx.warehouses),
                   fee_adjustments=subcontract.fee_adjustments(valued))


def _run_rules(expanded: pd.DataFrame, opening: pd.DataFrame, ctx: PostingContext
               ) -> tuple[pd.DataFrame, list[Issue]]:
    """Running rules with consumption at the supplier cut to what it holds; refusing a
    document changes what the supplier holds, so each round of refusals is followed by
    a new cut, until none is refused."""
    owner, _ = subcontract.supplier_warehouses(ctx.warehouses)
    issues: list[Issue] = []
    refused: set[str] = set()
    cut = expanded["doc_type"].eq("subcontract_consume").any()
    while True:
        live = expanded[~expanded["doc_no"].isin(refused)]
        live = subcontract.cap_consumption(live, opening, owner.index)
        found, new = postingrules.running_issues(live, opening, ctx, one_round=cut)
        issues += found
        refused |= new
        if not new or not cut:  # without consumption the rounds above were complete
            return live[~live["doc_no"].isin(refused)].reset_index(drop=True), issues


def _open_qty(tasks: pd.DataFrame | None) -> pd.Series:
    if tasks is None or tasks.empty:
        return pd.Series(dtype=float)
    by_task = tasks.drop_duplicates("task_no").set_index("task_no")
    stocked = pd.Series(by_task.get("stocked_qty", 0.0), index=by_task.index)
    return (by_task["qty"].astype(float) - stocked.fillna(0.0)).clip(lower=0.0)


def _book(posted: pd.DataFrame, opening: pd.DataFrame, open_qty: pd.Series
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Moves, ledger and the valued posted lines; the opening balance of each
    item/warehouse enters as seq 0. Linked costs are re-derived from the booked values and
    booked again until none changes."""
    start = opening.assign(value=opening["qty"] * opening["unit_cost"]).groupby(
        _KEY, as_index=False)[["qty", "value"]].sum()
    start = start.assign(unit_cost=np.where(start["qty"] > 0, start["value"]
                                            / start["qty"].where(start["qty"] > 0, 1.0), 0.0),
                         seq=0, costed=True)
    rows = pd.concat([start.rename(columns={"qty": "signed"}), posted], ignore_index=True)
    rows = rows.sort_values([*_KEY, "seq"], kind="stable", ignore_index=True)
    for name, default in LINE_DEFAULTS.items():
        if default is not None and default is not pd.NaT and name in rows:
            rows[name] = rows[name].where(rows[name].notna(), default)
    key = pd.MultiIndex.from_frame(rows[_KEY]).codes
    codes = key[0].astype(np.int64) * (int(key[1].max(initial=0)) + 1) + key[1]
    signed = rows["signed"].to_numpy(float)
    cost = rows["unit_cost"].fillna(0.0).to_numpy(float)
    costed = rows["costed"].to_numpy(bool)
    adjust = rows["adjust"].fillna(0.0).to_numpy(float)
    links = linkedcost.total_links(rows.assign(qty=signed))
    copied = linkedcost.notice_links(rows)
    derived = rows["derived"].to_numpy(object)
    slim = rows.loc[(rows["seq"] > 0).to_numpy() & np.isin(derived, ("return", "task")) | (
        rows["doc_type"].isin(("material_issue", "supplement", "material_return"))
        & rows["task_no"].ne("")).to_numpy(),
        ["seq", "doc_no", "doc_type", "item_code", "task_no", "returns_doc_no", "derived",
         "conversion_cost"]] if np.isin(derived, ("return", "task")).any() else None
    for _ in range(_MAX_PASSES):
        money = ledger.moving_average(codes, signed, cost, costed, adjust)
        if not len(links.receivers) and slim is None and not len(copied[0]):
            break
        new_cost, new_costed = _linked(links, slim, signed, money["value"], open_qty, cost,
                                       costed)
        new_cost[copied[0]] = linkedcost.copied_costs(copied, signed, money["value"],
                                                      cost)
        if np.allclose(new_cost, cost, rtol=0.0, atol=1e-12) and (new_costed == costed).all():
            break
        cost, costed = new_cost, new_costed
    rows = rows.assign(qty=signed, value=money["value"],
                       unit_cost=np.where(costed, cost, money["average_before"]),
                       balance_qty=money["balance_qty"], average_cost=money["average_cost"],
                       balance_value=money["balance_value"])
    rows = rows[rows["seq"] > 0].sort_values("seq", ignore_index=True)
    moves = rows[MOVE_COLUMNS].reset_index(drop=True)
    book = rows[[*MOVE_COLUMNS[:-2], "balance_qty", "average_cost", "balance_value",
                 "order_no", "notice_no"]]
    return moves, book, rows


def _linked(links: linkedcost.TotalLinks, slim: pd.DataFrame | None, signed: np.ndarray,
            value: np.ndarray, open_qty: pd.Series, cost: np.ndarray, costed: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Unit costs of the linked receivers from this booking's values; a return with no
    issue before it goes at the average. `slim` holds the task material lines and the
    return/task receivers (None when there are none)."""
    cost, costed = cost.copy(), costed.copy()
    cost[links.receivers] = linkedcost.total_costs(links, value)
    if slim is None:
        return cost, costed
    where = slim.index.to_numpy()
    live = slim.assign(qty=signed[where], value=value[where])
    found = linkedcost.task_costs(live, open_qty)
    cost[found.index.to_numpy()] = found.to_numpy(float)
    back = linkedcost.return_costs(live)
    if not back.empty:
        index = back.index.to_numpy()
        known = back.notna().to_numpy()
        cost[index[known]] = back.to_numpy(float)[known]
        costed[index] = known
    return cost, costed


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
