"""What the posted documents did to each production task (DOMAIN §6): stocked-in per
task; issued, supplemented and returned per task and component; stock after posting.

Used by the progress alerts and by MRP (which nets posted stock, open task receipts and
the unissued material of open tasks). Inputs are canonical tables and the stock moves
of `addin.engines.posting` (qty in +, out −). Choices made here:

* A reversal counts as the kind of document it reverses (a reversed product receipt
  lowers the stocked-in qty, a reversed issue the issued qty), found by the reversed
  document's number, line, item and task.
* A merged issue names several tasks; it is split back to them exactly as posting
  checks it (`issuemodes.allocate_merged`: earliest start first, from what the material
  list still had to issue before this posting).
* Received counts accepted goods only: a product receipt, except one into the
  inspection warehouse on a receipt notice (it carries the notice no.), which counts
  when its inspection moves the passed and concession goods on to stock (the
  inspection's transfers in, which carry the task no.).
* Prior quantities come from the sheets: the task's stocked-in qty and the material
  list's issued qty are what happened before the documents being posted.
* Stock after posting is kept per item, warehouse and tracking no. (planning needs no
  location or lot). Documents carry no tracking no.: a product receipt of a task takes
  its task's; every other receipt is untracked stock; what goes out of a warehouse is
  taken from its untracked stock first, then from tracked stock by tracking no.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines import issuemodes
from addin.engines.postingrules import materials_frame
from addin.schema import ROW

MATERIAL_KINDS = ("material_issue", "supplement", "material_return")
OPEN = ("planned", "released")
_TOL = 1e-6  # posting's tolerance: a balance this close to 0 is 0


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[column].astype(object)
    return values.where(values.notna(), "").astype(str).str.strip().astype(object)


def reversals(lines: pd.DataFrame) -> pd.DataFrame:
    """doc_no → reverses_doc_no of the reversal documents among document lines (as from
    `posting.stack_documents`)."""
    given = lines[_text(lines, "reverses_doc_no").ne("")]
    return given[["doc_no", "reverses_doc_no"]].drop_duplicates("doc_no").reset_index(drop=True)


def classify(moves: pd.DataFrame, reversed_: pd.DataFrame | None) -> pd.DataFrame:
    """`moves` plus `kind`: the document type, or for a reversal the reversed one's."""
    moves = moves.assign(task_no=_text(moves, "task_no"), kind=moves["doc_type"].astype(object))
    is_rev = moves["doc_type"].eq("reversal").to_numpy()
    if not is_rev.any() or reversed_ is None or reversed_.empty:
        return moves
    key = ["doc_no", "line_no", "item_code", "task_no"]
    original = moves.loc[~is_rev, [*key, "doc_type"]].drop_duplicates(key)
    rev = moves.loc[is_rev, key].reset_index()
    rev["doc_no"] = rev["doc_no"].map(reversed_.set_index("doc_no")["reverses_doc_no"])
    found = rev.merge(original, on=key, how="left").set_index("index")["doc_type"]
    moves.loc[found.index, "kind"] = found.fillna("reversal").to_numpy(dtype=object)
    return moves


def split_merged(moves: pd.DataFrame, materials: pd.DataFrame,
                 tasks: pd.DataFrame) -> pd.DataFrame:
    """Material moves naming several tasks ("T1,T2") split into one move per task."""
    several = moves["task_no"].str.contains("[,，]", regex=True) & moves["kind"].isin(
        MATERIAL_KINDS)
    if not several.any():
        return moves
    merged = moves[several]
    # one allocation per document, task list, kind and component (an issue and its
    # reversal are split alike)
    merged = merged.assign(group=merged["doc_no"] + "\x1f" + merged["task_no"] + "\x1f"
                           + merged["kind"])
    summed = merged.groupby(["group", "item_code"], as_index=False, sort=True)["qty"].sum()
    asked = summed.assign(task_no=summed["group"].str.split("\x1f").str[1].str.replace(
        "，", ",").str.split(","), amount=summed["qty"].abs())
    asked = asked.explode("task_no").assign(task_no=lambda f: f["task_no"].str.strip())
    starts = tasks.drop_duplicates("task_no").set_index("task_no")["start_date"]
    needs = materials.assign(remaining=materials["required_qty"] - materials["issued_qty"],
                             start_date=materials["task_no"].map(starts))
    alloc = issuemodes.allocate_merged(
        pd.DataFrame({"doc_no": asked["group"], "component_code": asked["item_code"],
                      "task_no": asked["task_no"], "qty": asked["amount"]}),
        needs[["task_no", "component_code", "remaining", "start_date"]])
    sign = summed.set_index(["group", "item_code"])["qty"].reindex(
        pd.MultiIndex.from_arrays([alloc["doc_no"], alloc["component_code"]])).to_numpy(float)
    split = pd.DataFrame({"group": alloc["doc_no"].to_numpy(dtype=object),
                          "item_code": alloc["component_code"].to_numpy(dtype=object),
                          "task_no": alloc["task_no"].to_numpy(dtype=object),
                          "qty": alloc["qty"].to_numpy(float) * np.sign(sign)})
    first = merged.drop_duplicates(["group", "item_code"]).drop(columns=["task_no", "qty"])
    rest = first.merge(split, on=["group", "item_code"], how="inner")
    return pd.concat([moves[~several], rest[moves.columns]], ignore_index=True)


def posted_by_task(tasks: pd.DataFrame, materials: pd.DataFrame | None,
                   moves: pd.DataFrame | None, reversed_: pd.DataFrame | None = None,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tasks, materials) with what has happened so far.

    tasks gain received_qty (posted), stocked_total (sheet + posted) and last_receipt
    (date of the last posted product receipt); materials gain issued, supplemented,
    returned (issued includes the sheet's issued qty), net_issued = issued +
    supplemented − returned and to_issue = max(0, required − net_issued).
    """
    mats = materials_frame(materials)
    tasks = tasks.assign(task_no=_text(tasks, "task_no"))
    if moves is None or moves.empty:
        moves = pd.DataFrame({c: pd.Series(dtype=object) for c in (
            "doc_type", "doc_no", "line_no", "item_code", "task_no", "doc_date")}).assign(
            qty=pd.Series(dtype=float))
    moved = split_merged(classify(moves, reversed_), mats, tasks)
    held = _text(moved, "notice_no").ne("")
    receipts = moved[(moved["kind"].eq("product_receipt") & ~held)
                     | (moved["kind"].eq("transfer_in") & moved["task_no"].ne(""))]
    by_task = receipts.groupby("task_no")
    received = by_task["qty"].sum()
    last = receipts[receipts["doc_type"].ne("reversal")].groupby("task_no")[
        "doc_date"].max()
    stocked = pd.to_numeric(tasks["stocked_qty"], errors="coerce").fillna(0.0)
    tasks = tasks.assign(received_qty=tasks["task_no"].map(received).fillna(0.0).to_numpy())
    tasks = tasks.assign(stocked_total=stocked + tasks["received_qty"],
                         last_receipt=pd.to_datetime(last.reindex(tasks["task_no"]).to_numpy()))
    used = moved[moved["kind"].isin(MATERIAL_KINDS)]
    per = used.pivot_table(index=["task_no", "item_code"], columns="kind", values="qty",
                           aggfunc="sum", fill_value=0.0).reindex(
        columns=list(MATERIAL_KINDS), fill_value=0.0)
    index = pd.MultiIndex.from_arrays([mats["task_no"], mats["component_code"]])
    posted = per.reindex(index).fillna(0.0)
    mats = mats.assign(
        issued=mats["issued_qty"].to_numpy() - posted["material_issue"].to_numpy(),
        supplemented=-posted["supplement"].to_numpy(),
        returned=posted["material_return"].to_numpy())
    net = mats["issued"] + mats["supplemented"] - mats["returned"]
    return tasks, mats.assign(net_issued=net,
                              to_issue=(mats["required_qty"] - net).clip(lower=0.0))


def stock_after(stock: pd.DataFrame | None, moves: pd.DataFrame | None,
                tasks: pd.DataFrame | None) -> pd.DataFrame:
    """Stock rows after posting: item, warehouse, tracking no., qty, locked (see the
    module docstring); location and lot are blank. `_row` is the first stock row."""
    key = ["item_code", "warehouse_code", "tracking_no"]
    columns = [*key, "qty", "locked_qty"]
    base = pd.DataFrame({c: pd.Series(dtype=float if c in ("qty", "locked_qty") else object)
                         for c in columns}).assign(**{ROW: pd.Series(dtype=float)})
    if stock is not None and len(stock):
        base = pd.DataFrame({c: _text(stock, c) for c in key}).assign(
            qty=pd.to_numeric(stock["qty"], errors="coerce").fillna(0.0),
            locked_qty=pd.to_numeric(stock.get("locked_qty", 0.0), errors="coerce"
                                     ).fillna(0.0),
            **{ROW: stock[ROW] if ROW in stock else np.arange(len(stock)) + 2.0})
    if moves is not None and len(moves):
        tracking = pd.Series(dtype=object) if tasks is None else tasks.drop_duplicates(
            "task_no").set_index("task_no")["tracking_no"]
        receipt = moves["doc_type"].eq("product_receipt") & moves["qty"].gt(0)
        trk = _text(moves, "task_no").map(tracking).fillna("").where(receipt, "")
        ins = moves["qty"].gt(0)
        added = pd.DataFrame({"item_code": moves["item_code"], "warehouse_code":
                              moves["warehouse_code"], "tracking_no": trk,
                              "qty": moves["qty"].clip(lower=0.0), "locked_qty": 0.0})[ins]
        base = pd.concat([base, added.assign(**{ROW: np.nan})], ignore_index=True)
    base = base.assign(tracking_no=base["tracking_no"].fillna("").astype(object))
    rows = base.groupby(key, as_index=False, sort=True).agg(
        qty=("qty", "sum"), locked_qty=("locked_qty", "sum"), **{ROW: (ROW, "min")})
    if moves is not None and len(moves):
        rows = _take_out(rows, moves[moves["qty"].lt(0)])
    rows[ROW] = rows[ROW].fillna(0).astype(np.int64)
    return rows.assign(location_code="", lot="")[
        ["item_code", "warehouse_code", "location_code", "lot", "tracking_no", "qty",
         "locked_qty", ROW]]


def _take_out(rows: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Outflows per item and warehouse taken from its rows, untracked first (rows are
    sorted by tracking no., so "" comes first)."""
    taken = (-out.groupby(["item_code", "warehouse_code"])["qty"].sum())
    pair = pd.MultiIndex.from_frame(rows[["item_code", "warehouse_code"]])
    want = taken.reindex(pair).fillna(0.0).to_numpy()
    qty = rows["qty"].to_numpy(float)
    before = rows.assign(q=qty).groupby(["item_code", "warehouse_code"])["q"].cumsum(
        ).to_numpy() - qty
    take = np.clip(want - before, 0.0, np.maximum(qty, 0.0))
    left = qty - take
    # what exceeds the stock (posting refuses that) stays on the last row, never hidden
    last = ~rows.duplicated(["item_code", "warehouse_code"], keep="last").to_numpy()
    total = rows.assign(q=np.maximum(qty, 0.0)).groupby(["item_code", "warehouse_code"])[
        "q"].transform("sum").to_numpy()
    left = left - np.where(last, np.maximum(want - total, 0.0), 0.0)
    missing = taken[~taken.index.isin(pair)]
    extra = pd.DataFrame({"item_code": missing.index.get_level_values(0),
                          "warehouse_code": missing.index.get_level_values(1),
                          "tracking_no": "", "qty": -missing.to_numpy(), "locked_qty": 0.0,
                          ROW: np.nan})
    kept = rows.assign(qty=np.where(np.abs(left) < _TOL, 0.0, left))
    return pd.concat([kept, extra], ignore_index=True).sort_values(
        ["item_code", "warehouse_code", "tracking_no"], kind="stable", ignore_index=True)


def open_allocations(tasks: pd.DataFrame, materials: pd.DataFrame) -> pd.DataFrame:
    """Allocations of open tasks (planned, released): per task and component, the material
    still to issue (`posted_by_task`'s to_issue), needed on the task's start date (its
    finish date when it has none). Materials issued "none" are never issued: left out."""
    head = tasks.drop_duplicates("task_no").set_index("task_no")
    status = materials["task_no"].map(head["status"])
    keep = status.isin(OPEN) & materials["issue_method"].ne("none") & materials[
        "to_issue"].gt(_TOL)
    rows = materials[keep]
    start = pd.to_datetime(rows["task_no"].map(head["start_date"]))
    due = pd.to_datetime(rows["task_no"].map(head["due_date"]))
    return pd.DataFrame({
        "item_code": rows["component_code"].to_numpy(dtype=object),
        "qty": rows["to_issue"].to_numpy(float),
        "required_date": start.fillna(due).to_numpy(),
        "source_type": "production_task",
        "source_no": rows["task_no"].to_numpy(dtype=object),
        "tracking_no": _text(rows.assign(t=rows["task_no"].map(head["tracking_no"])), "t"
                             ).to_numpy(dtype=object)})
