"""The rules a document must pass before it posts (used by `posting`).

Static rules look at one line at a time; running rules follow a balance through the
posting order (stock on hand, what is still to issue, what may be returned, what may be
received). Both return Issues located at the document line and the set of refused
document numbers; the whole document is refused when any of its lines fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from addin.engines import issuemodes, ledger
from addin.issues import Issue, Message, register

if TYPE_CHECKING:  # posting imports this module; the type is only for annotations
    from addin.engines.posting import PostingContext

TASK_TYPES = ("material_issue", "supplement", "material_return", "product_receipt")
_MATERIAL_TYPES = ("material_issue", "supplement", "material_return")
# warehouse types a document may name (others: normal or inspection). Issues to a task
# may come from the customer's virtual warehouse (consigned processing); goods at a
# supplier move only through subcontract documents.
_NORMAL = ("normal",)
_TASK_WAREHOUSES = ("normal", "customer_virtual")
_WAREHOUSE_TYPES = {"material_issue": _TASK_WAREHOUSES, "supplement": _TASK_WAREHOUSES,
                    "material_return": _TASK_WAREHOUSES, "product_receipt": _NORMAL,
                    "subcontract_issue": _NORMAL, "subcontract_return": _NORMAL,
                    "subcontract_receipt": _NORMAL, "fee_invoice": _NORMAL,
                    "consigned_receipt": ("customer_virtual",)}
_ALLOWED = ("normal", "inspection")
# where an inspection leaves rejected production goods (in the inspection warehouse, so
# never available); a task may issue them from there to be reworked
REWORK_LOCATION = "REWORK"
_OPEN = ("planned", "released")
_TOL = 1e-6
_MATERIALS = {"task_no": "", "component_code": "", "qty_per": 0.0, "variable_loss_rate": 0.0,
              "fixed_loss": 0.0, "required_qty": 0.0, "issued_qty": 0.0,
              "scrapped_qty": 0.0, "issue_method": "direct", "supply_warehouse": ""}

register({
    "post_negative_qty": Message(
        "单据 {doc_no}：数量 {value} 为负数", "Document {doc_no}: qty {value} is negative",
        "填写正数；冲销请在「冲销单号」填写原单号",
        'Enter a positive qty; to undo a document, fill "Reverses document"'),
    "post_closed_period": Message(
        "单据 {doc_no}：日期 {value} 在已结账期间（截至 {closed}）",
        "Document {doc_no}: date {value} is in a closed period (through {closed})",
        "改为 {closed} 之后的日期", "Use a date after {closed}"),
    "post_unknown_item": Message(
        "单据 {doc_no}：物料「{value}」不在物料表中",
        'Document {doc_no}: item "{value}" is not in Items',
        "先在物料表中建立该物料", "Add the item to Items first"),
    "post_no_warehouse": Message(
        "单据 {doc_no}：未填写仓库", "Document {doc_no}: no warehouse is given",
        "填写仓库编码", "Enter the warehouse code"),
    "post_unknown_warehouse": Message(
        "单据 {doc_no}：仓库「{value}」不存在", 'Document {doc_no}: warehouse "{value}" is unknown',
        "填写仓库表中的仓库编码", "Use a code from Warehouses"),
    "post_wrong_warehouse_type": Message(
        "单据 {doc_no}：仓库「{value}」类型为 {type}，此单据不能使用",
        'Document {doc_no}: warehouse "{value}" is of type {type}, not allowed here',
        "改用普通仓", "Use a normal warehouse"),
    "post_unknown_task": Message(
        "单据 {doc_no}：生产任务单「{value}」不存在",
        'Document {doc_no}: production task "{value}" is unknown',
        "填写生产任务单中的任务单号", "Use a task number from Production tasks"),
    "post_task_closed": Message(
        "单据 {doc_no}：生产任务单「{value}」已结案或作废",
        'Document {doc_no}: production task "{value}" is closed or cancelled',
        "重新下达任务或改用其他任务", "Re-release the task or use another one"),
    "post_not_on_list": Message(
        "单据 {doc_no}：「{value}」不在任务 {task_no} 的投料单中",
        'Document {doc_no}: "{value}" is not on the material list of task {task_no}',
        "先修改投料单", "Add it to the task's material list first"),
    "post_wrong_product": Message(
        "单据 {doc_no}：任务 {task_no} 生产的是 {product}，不是 {value}",
        "Document {doc_no}: task {task_no} makes {product}, not {value}",
        "填写任务单的产品", "Enter the task's product"),
    "post_unknown_reversal": Message(
        "单据 {doc_no}：要冲销的单据「{value}」未过账",
        'Document {doc_no}: document "{value}" to reverse was never posted',
        "检查原单号", "Check the original document number"),
    "post_reversed_twice": Message(
        "单据 {doc_no}：单据「{value}」已由 {first} 冲销", 'Document {doc_no}: "{value}" is '
        "already reversed by {first}", "删除重复的冲销单", "Delete the second reversal"),
    "post_insufficient_stock": Message(
        "单据 {doc_no}：{item} 在仓库 {warehouse} 只有 {available}，不够 {value}",
        "Document {doc_no}: only {available} of {item} in warehouse {warehouse}, "
        "not enough for {value}",
        "先入库或减少数量", "Receive stock first or lower the qty"),
    "post_over_issue": Message(
        "单据 {doc_no}：任务 {task_no} 的 {item} 只剩 {available} 待发，不能发 {value}",
        "Document {doc_no}: only {available} of {item} is left to issue to task {task_no}, "
        "not {value}",
        "超出部分请开补料单", "Issue the excess on a supplement document"),
    "post_over_return": Message(
        "单据 {doc_no}：任务 {task_no} 的 {item} 最多可退 {available}（已发 − 报废），"
        "不能退 {value}",
        "Document {doc_no}: at most {available} of {item} can come back from task {task_no} "
        "(issued − scrapped), not {value}",
        "减少退料数量", "Lower the return qty"),
    "post_over_receipt": Message(
        "单据 {doc_no}：任务 {task_no} 最多还可入库 {available}（含超收比例），不能入 {value}",
        "Document {doc_no}: task {task_no} may receive at most {available} more "
        "(tolerance included), not {value}",
        "减少入库数量或调整完工超收比例", "Lower the qty or raise the receipt tolerance"),
    "qc_notice_not_posted": Message(
        "检验单 {doc_no}：收料通知单未过账或待检数量只剩 {available}，不能判定 {value}",
        "Inspection {doc_no}: its receipt notice did not post or has only {available} "
        "left to judge, not {value}",
        "先改正并过账收料通知单", "Correct and post the receipt notice first"),
})
# document types a receipt notice brings goods in with
_NOTICE_RECEIPTS = ("purchase_receipt", "product_receipt", "subcontract_receipt")


def materials_frame(materials: pd.DataFrame | None) -> pd.DataFrame:
    frame = (pd.DataFrame(columns=list(_MATERIALS)) if materials is None
             else materials.reindex(columns=list(_MATERIALS)))
    for name, default in _MATERIALS.items():
        frame[name] = frame[name].where(frame[name].notna(), default)
        frame[name] = frame[name].astype(float if isinstance(default, float) else object)
    return frame


def issues_at(lines: pd.DataFrame, mask: np.ndarray | pd.Series, code: str, column: str,
              value: pd.Series, severity: str = "error", **params: pd.Series | object
              ) -> list[Issue]:
    """One Issue per masked line; params are columns (Series) or constants."""
    picked = np.flatnonzero(np.asarray(mask, dtype=bool))
    found = []
    for i in picked:
        extra = {k: (v.iloc[i] if isinstance(v, pd.Series) else v) for k, v in params.items()}
        row = lines["_row"].iloc[i]
        found.append(Issue(code, severity, sheet=str(lines["sheet"].iloc[i]),  # type: ignore[arg-type]
                           row=None if pd.isna(row) else int(row), column=column,
                           value=value.iloc[i], params={"doc_no": lines["doc_no"].iloc[i],
                                                        **extra}))
    return found


def _task_rows(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (line, task) — merged issues name several tasks."""
    tasks = lines["task_no"].astype(str).str.replace("，", ",").str.split(",")
    rows = lines[["item_code", "doc_type", "issue_mode"]].assign(task=tasks).explode("task")
    return rows.assign(task=rows["task"].str.strip())


def _task_rules(lines: pd.DataFrame, ctx: PostingContext) -> list[Issue]:
    tasks, materials = ctx.tasks, ctx.materials
    if tasks is None:
        return []
    kinds = lines["doc_type"].isin(TASK_TYPES) & lines["reverses_doc_no"].eq("")
    rows = _task_rows(lines[kinds])
    by_task = tasks.drop_duplicates("task_no").set_index("task_no")
    known = rows["task"].isin(by_task.index)
    closed = known & ~rows["task"].map(by_task["status"]).isin(_OPEN)
    found = []
    for mask, code in ((~known, "post_unknown_task"), (closed, "post_task_closed")):
        first = mask[mask].groupby(level=0).head(1).index
        sub = lines.loc[first]
        found += issues_at(sub, np.ones(len(sub), bool), code, "task_no", sub["task_no"])
    if materials is not None:
        listed = pd.MultiIndex.from_frame(materials[["task_no", "component_code"]])
        usable = known & ~closed  # a closed task is reported once, not per component
        check = rows["doc_type"].isin(_MATERIAL_TYPES) & rows["issue_mode"].ne("kit") & usable
        pairs = pd.MultiIndex.from_arrays([rows["task"], rows["item_code"]])
        # a rework task issues the product itself (DOMAIN §6 rework)
        rework = rows["task"].map(_task_kind(by_task)).eq("rework") & rows["item_code"].eq(
            rows["task"].map(by_task["item_code"]))
        # a workbook without material lists (an empty sheet) keeps no list to check
        # against; a kit issue still needs one to know what a set is
        off = check & ~pairs.isin(listed) & ~rework & (len(materials) > 0)
        kit = rows["issue_mode"].eq("kit") & usable & ~rows["task"].isin(materials["task_no"])
        bad = (off | kit)[lambda s: s].groupby(level=0).head(1).index
        sub = lines.loc[bad]
        found += issues_at(sub, np.ones(len(sub), bool), "post_not_on_list", "item_code",
                         sub["item_code"], task_no=sub["task_no"])
    receipt = lines["doc_type"].eq("product_receipt") & kinds
    product = lines["task_no"].map(by_task["item_code"])
    wrong = receipt & product.notna() & product.ne(lines["item_code"])
    found += issues_at(lines, wrong, "post_wrong_product", "item_code", lines["item_code"],
                     task_no=lines["task_no"], product=product)
    return found


def _task_kind(by_task: pd.DataFrame) -> pd.Series:
    if "task_kind" not in by_task:
        return pd.Series("normal", index=by_task.index)
    return by_task["task_kind"].fillna("normal").replace("", "normal")


def rework_room(tasks: pd.DataFrame | None) -> pd.Series:
    """task + product -> task qty, for rework tasks: what may be issued of the product."""
    if tasks is None or tasks.empty:
        return pd.Series(dtype=float)
    by_task = tasks.drop_duplicates("task_no").set_index("task_no")
    rework = by_task[_task_kind(by_task).eq("rework")]
    return pd.Series(rework["qty"].astype(float).to_numpy(),
                     index=rework.index + "\x1f" + rework["item_code"].astype(str))


def _place_rules(lines: pd.DataFrame, ctx: PostingContext) -> list[Issue]:
    items, warehouses = ctx.items, ctx.warehouses
    found: list[Issue] = []
    live = lines["reverses_doc_no"].eq("")
    needs_item = live & lines["issue_mode"].ne("kit")
    if items is not None:
        unknown = needs_item & ~lines["item_code"].isin(items["item_code"])
        found += issues_at(lines, unknown, "post_unknown_item", "item_code", lines["item_code"])
    if warehouses is not None:
        kind = lines["warehouse_code"].map(
            warehouses.drop_duplicates("warehouse_code").set_index("warehouse_code")[
                "warehouse_type"])
        given = live & lines["warehouse_code"].ne("")
        found += issues_at(lines, needs_item & ~given, "post_no_warehouse", "warehouse_code",
                         lines["warehouse_code"])
        found += issues_at(lines, given & kind.isna(), "post_unknown_warehouse",
                         "warehouse_code", lines["warehouse_code"])
        pairs = {f"{doc}|{kind}" for doc, kinds in _WAREHOUSE_TYPES.items() for kind in kinds}
        allowed = np.where(lines["doc_type"].isin(list(_WAREHOUSE_TYPES)),
                           (lines["doc_type"] + "|" + kind.fillna("")).isin(pairs),
                           kind.isin(_ALLOWED))
        # a receipt notice of any source holds its goods in the inspection warehouse
        allowed |= (lines["sheet"].eq("receipt_notices") & kind.eq("inspection")).to_numpy()
        allowed |= (lines["doc_type"].isin(_MATERIAL_TYPES) & kind.eq("inspection")
                    & lines["location_code"].eq(REWORK_LOCATION)).to_numpy()
        found += issues_at(lines, given & kind.notna() & ~allowed, "post_wrong_warehouse_type",
                         "warehouse_code", lines["warehouse_code"], type=kind)
    return found


def static_issues(lines: pd.DataFrame, ctx: PostingContext) -> tuple[list[Issue], set[str]]:
    """Line-by-line rules; returns the Issues and the refused document numbers."""
    found = issues_at(lines, lines["qty"] < 0, "post_negative_qty", "qty", lines["qty"])
    closed = ctx.closed_through
    if closed is not None:
        late = lines["doc_date"].dt.date <= closed
        found += issues_at(lines, late, "post_closed_period", "doc_date",
                         lines["doc_date"].dt.date.astype(str), closed=str(closed))
    found += _place_rules(lines, ctx) + _task_rules(lines, ctx)
    return found, {str(i.params["doc_no"]) for i in found}


def orphan_inspections(lines: pd.DataFrame, bad: set[str]) -> tuple[list[Issue], set[str]]:
    """An inspection of a refused notice has nothing to judge: refused with it, once."""
    orphan = (lines["sheet"].eq("inspections") & lines["notice_no"].isin(bad)
              & ~lines["doc_no"].isin(bad) & ~lines["doc_no"].duplicated())
    found = issues_at(lines, orphan, "qc_notice_not_posted", "qty", lines["qty"],
                      available=0.0)
    return found, set(lines.loc[orphan, "doc_no"])


def unknown_reversals(lines: pd.DataFrame, prior: pd.DataFrame | None
                      ) -> tuple[list[Issue], set[str]]:
    known = set() if prior is None else set(prior["doc_no"])
    bad = lines["reverses_doc_no"].ne("") & ~lines["reverses_doc_no"].isin(known)
    found = issues_at(lines, bad, "post_unknown_reversal", "reverses_doc_no",
                    lines["reverses_doc_no"])
    # a document is reversed once: the earliest reversal wins, later ones are refused
    asked = lines[lines["reverses_doc_no"].ne("")].sort_values(["doc_date", "doc_no"],
                                                               kind="stable")
    first = asked.drop_duplicates("reverses_doc_no").set_index("reverses_doc_no")["doc_no"]
    twice = lines["reverses_doc_no"].ne("") & lines["doc_no"].ne(
        lines["reverses_doc_no"].map(first))
    found += issues_at(lines, twice, "post_reversed_twice", "reverses_doc_no",
                     lines["reverses_doc_no"], first=lines["reverses_doc_no"].map(first))
    return found, {str(i.params["doc_no"]) for i in found}


def _charges(lines: pd.DataFrame, opening: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    """Balances to follow: rule, key, start value and each line's change, in seq order.

    stock: on hand per item/warehouse; issue: required − issued per task/component
    (direct and merged issues spend it); return: issued − scrapped per task/component;
    receipt: task qty × (1 + tolerance) − stocked per task.
    """
    parts = []
    on_hand = opening.groupby(["item_code", "warehouse_code"])["qty"].sum()
    stock_key = pd.MultiIndex.from_frame(lines[["item_code", "warehouse_code"]])
    parts.append(lines.assign(rule="post_insufficient_stock", delta=lines["signed"],
                              start=on_hand.reindex(stock_key).fillna(0.0).to_numpy(),
                              key=lines["item_code"] + "\x1f" + lines["warehouse_code"]))
    live = lines["doc_type"].ne("reversal")
    tasks = ctx.tasks
    materials = materials_frame(ctx.materials)
    if ctx.materials is not None and len(ctx.materials):
        starts = None if tasks is None else tasks.drop_duplicates("task_no").set_index(
            "task_no")["start_date"]
        parts += _material_charges(lines[live], materials, starts, rework_room(tasks))
    receipts = lines[live & lines["doc_type"].eq("product_receipt")]
    # what an inspection rejects or scraps of a production notice no longer counts
    back = _given_back(lines[live], "task_no")
    if tasks is not None and not receipts.empty:
        task = tasks.drop_duplicates("task_no").set_index("task_no")
        room = (task["qty"] * (1.0 + ctx.receipt_tolerance)
                - task["stocked_qty"].fillna(0.0))
        both = pd.concat([receipts.assign(delta=-receipts["qty"]), back], ignore_index=True)
        parts.append(both.assign(rule="post_over_receipt",
                                 start=both["task_no"].map(room).fillna(0.0),
                                 key=both["task_no"]))
    parts += _order_charges(lines[live], ctx)
    parts += _notice_charges(lines[live])
    return pd.concat(parts, ignore_index=True)


def _given_back(lines: pd.DataFrame, by: str) -> pd.DataFrame:
    """Inspection moves whose qty no longer counts as received by the task or order."""
    rows = lines[lines["unreceive"].gt(0) & lines[by].ne("")]
    return rows.assign(delta=rows["unreceive"])


def _notice_charges(lines: pd.DataFrame) -> list[pd.DataFrame]:
    """Goods waiting per notice line: the notice brings them in, its inspections take
    them out; an inspection of a notice that did not post finds nothing to judge."""
    noticed = lines["notice_no"].ne("")
    came = lines[noticed & lines["sheet"].eq("receipt_notices")
                 & lines["doc_type"].isin(_NOTICE_RECEIPTS)]
    judged = lines[noticed & lines["sheet"].eq("inspections") & (lines["signed"] < 0)]
    if judged.empty:
        return []
    both = pd.concat([came.assign(delta=came["qty"]), judged.assign(delta=judged["signed"])],
                     ignore_index=True)
    key = both["notice_no"] + "\x1f" + both["notice_line"].astype(int).astype(str)
    return [both.assign(rule="qc_notice_not_posted", start=0.0, key=key)]


def _order_charges(lines: pd.DataFrame, ctx: PostingContext) -> list[pd.DataFrame]:
    """Subcontract receipts against order qty × (1 + tolerance) − already received."""
    receipts = lines[lines["doc_type"].eq("subcontract_receipt")]
    if receipts.empty or ctx.subcontract_orders is None:
        return []
    orders = ctx.subcontract_orders.drop_duplicates(["order_no", "line_no"])
    line = orders["line_no"].fillna(1).astype(int).astype(str)
    room = pd.Series((orders["qty"].astype(float) * (1.0 + ctx.subcontract_tolerance)
                      - orders["received_qty"].fillna(0.0).astype(float)).to_numpy(),
                     index=orders["order_no"].astype(str) + "\x1f" + line.to_numpy())
    both = pd.concat([receipts.assign(delta=-receipts["qty"]), _given_back(lines, "order_no")],
                     ignore_index=True)
    key = both["order_no"] + "\x1f" + both["order_line"].astype(int).astype(str)
    return [both.assign(rule="sub_over_receipt", start=key.map(room).fillna(0.0), key=key)]


def _material_charges(lines: pd.DataFrame, materials: pd.DataFrame,
                      starts: pd.Series | None, rework: pd.Series) -> list[pd.DataFrame]:
    issues = lines[lines["doc_type"].isin(_MATERIAL_TYPES)]
    merged = issues["issue_mode"].eq("merged") & issues["doc_type"].eq("material_issue")
    per_task = pd.concat([issues[~merged], _merged_rows(issues[merged], materials, starts)],
                         ignore_index=True)
    per_task = per_task.assign(key=per_task["task_no"] + "\x1f" + per_task["item_code"])
    mats = materials.assign(key=materials["task_no"] + "\x1f" + materials["component_code"]
                            ).drop_duplicates("key").set_index("key")
    direct = per_task[per_task["doc_type"].eq("material_issue") & ~per_task["auto"]]
    out = per_task["doc_type"].isin(("material_issue", "supplement"))
    return [
        direct.assign(rule="post_over_issue", delta=-direct["qty"], start=direct["key"].map(
            mats["required_qty"] - mats["issued_qty"]).fillna(direct["key"].map(rework)
                                                             ).fillna(0.0)),
        per_task.assign(rule="post_over_return",
                        delta=np.where(out, per_task["qty"], -per_task["qty"]),
                        start=per_task["key"].map(mats["issued_qty"] - mats["scrapped_qty"]
                                                  ).fillna(0.0)),
    ]


def _merged_rows(merged: pd.DataFrame, materials: pd.DataFrame,
                 starts: pd.Series | None) -> pd.DataFrame:
    """Merged issue lines split per task by `issuemodes.allocate_merged`."""
    if merged.empty:
        return merged
    summed = merged.groupby(["doc_no", "item_code", "task_no"], as_index=False).agg(
        qty=("qty", "sum"), seq=("seq", "min"))
    asked = summed.assign(task=summed["task_no"].str.replace("，", ",").str.split(","))
    asked = asked.explode("task").assign(task=lambda f: f["task"].str.strip())
    needs = materials.assign(remaining=materials["required_qty"] - materials["issued_qty"],
                             start_date=pd.NaT if starts is None
                             else materials["task_no"].map(starts))
    alloc = issuemodes.allocate_merged(
        asked.rename(columns={"item_code": "component_code", "task_no": "tasks",
                              "task": "task_no"})[["doc_no", "component_code", "task_no", "qty"]],
        needs[["task_no", "component_code", "remaining", "start_date"]])
    first = merged.drop_duplicates(["doc_no", "item_code"]).set_index(["doc_no", "item_code"])
    index = pd.MultiIndex.from_arrays([alloc["doc_no"], alloc["component_code"]],
                                      names=["doc_no", "item_code"])
    head = first.reindex(index).reset_index().drop(columns=["task_no", "qty"])
    return head.assign(task_no=alloc["task_no"].to_numpy(), qty=alloc["qty"].to_numpy())


def running_issues(lines: pd.DataFrame, opening: pd.DataFrame, ctx: PostingContext,
                   one_round: bool = False) -> tuple[list[Issue], set[str]]:
    """Follow every balance in seq order; refuse the earliest document that breaks one
    per key, then re-check without it, until no balance breaks. Only balances that held
    a line of a newly refused document are followed again. `one_round` stops after the
    first refusals (the caller re-derives lines that depend on what was refused)."""
    charges = _charges(lines, opening, ctx)
    charges = charges.sort_values(["rule", "key", "seq"], kind="stable", ignore_index=True)
    group = pd.factorize(charges["rule"] + "\x1e" + charges["key"])[0]
    doc, docs = pd.factorize(charges["doc_no"])
    delta, start = charges["delta"].to_numpy(float), charges["start"].to_numpy(float)
    refused = np.zeros(len(docs), dtype=bool)
    dirty = np.ones(group.max(initial=-1) + 1, dtype=bool)
    found: list[Issue] = []
    while True:
        idx = np.flatnonzero(dirty[group] & ~refused[doc])
        balance = start[idx] + ledger.segmented_cumsum(delta[idx],
                                                       ledger.segment_starts(group[idx]))
        broken = np.flatnonzero((balance < -_TOL) & (delta[idx] < 0))
        if broken.size == 0:
            return found, set(docs[refused])
        first = broken[np.unique(group[idx[broken]], return_index=True)[1]]
        hit = charges.iloc[idx[first]]
        available = pd.Series(np.clip(balance[first] - delta[idx[first]], 0.0, None).round(6),
                              index=hit.index)
        # an inspection whose notice did not post is told so, not that QC is empty
        waiting = hit.loc[hit["rule"].eq("qc_notice_not_posted"), "doc_no"]
        hit = hit[~(hit["rule"].eq("post_insufficient_stock") & hit["doc_no"].isin(waiting))]
        for code, rows in hit.groupby("rule", sort=True):
            found += issues_at(rows, np.ones(len(rows), bool), str(code), "qty", -rows["delta"],
                             available=available.loc[rows.index], item=rows["item_code"],
                             warehouse=rows["warehouse_code"], task_no=rows["task_no"],
                             order=rows["order_no"])
        new = np.unique(doc[idx[first]])
        refused[new] = True
        if one_round:
            return found, set(docs[refused])
        dirty[:] = False
        dirty[group[np.isin(doc, new)]] = True
