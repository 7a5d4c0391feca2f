"""Incoming quality (DOMAIN §6): receipt notices and inspections as postable lines.

* A receipt notice comes from a purchase, a production task (`task_no`) or a
  subcontract order line (`order_no`, `order_line`); `source` says which (blank: from
  the columns filled). It posts as the receipt it stands for — a purchase receipt at
  its unit cost; a product receipt (the task's rules, cost and backflush); a
  subcontract receipt (consumption at the supplier + fee) — but an inspected item goes
  into the inspection warehouse (never nettable); an exempt item straight into the
  notice's own warehouse.
* An inspection judges a notice line, out of the inspection warehouse at the cost the
  notice brought the goods in at (`linkedcost` ``notice``), so no value is left behind:
  passed + concession move to the stock warehouse (concession flagged); rejected goes
  back to the supplier (purchase), to the subcontractor (subcontract: a move out), or
  to the shop as a rework candidate (production: location `REWORK_LOCATION` of the
  inspection warehouse, not available); scrapped is written off.
* Rejected and scrapped goods no longer count as received by the task or order
  (`unreceive`), so its over-receipt room and completion count accepted goods only.
* An inspection may not judge more than the notice brought in (over all its
  inspections, in date order); such an inspection is refused whole.
* Pass rate = passed / inspected; acceptance rate = (passed + concession) / inspected,
  per supplier (purchase and subcontract: subcontractors are suppliers) and per
  product (production).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines.posting import normalise
from addin.engines.postingrules import REWORK_LOCATION
from addin.issues import Issue, Message, register

JUDGED = ("passed_qty", "concession_qty", "rejected_qty", "scrapped_qty")
# source -> the document type the notice posts as
RECEIPT_TYPE = {"purchase": "purchase_receipt", "production": "product_receipt",
                "subcontract": "subcontract_receipt"}
# source -> the document type of its rejected goods
REJECT_TYPE = {"purchase": "purchase_return", "production": "qc_rework",
               "subcontract": "subcontract_reject"}

register({
    "qc_unknown_notice": Message(
        "检验单 {doc_no}：收料通知单 {value} 第 {line} 行不存在",
        "Inspection {doc_no}: receipt notice {value} line {line} does not exist",
        "填写收料通知单中的单号和行号", "Use a notice number and line from Receipt notices"),
    "qc_exempt": Message(
        "检验单 {doc_no}：{item} 为免检物料，已直接入库，无需检验",
        "Inspection {doc_no}: {item} is exempt and went straight to stock; nothing to judge",
        "删除该检验单", "Delete this inspection"),
    "qc_over_judged": Message(
        "检验单 {doc_no}：通知单 {value} 只剩 {available} 待检，本单判定 {judged}",
        "Inspection {doc_no}: notice {value} has only {available} left to judge, "
        "this one judges {judged}",
        "合格 + 让步 + 判退 + 报废 不能超过收料数量",
        "Passed + concession + rejected + scrapped may not exceed the qty received"),
})


@dataclass
class QualityLines:
    lines: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _exempt(items: pd.DataFrame | None, codes: pd.Series) -> np.ndarray:
    if items is None:
        return np.zeros(len(codes), dtype=bool)
    mode = codes.map(items.drop_duplicates("item_code").set_index("item_code")["inspection"])
    return mode.fillna("exempt").eq("exempt").to_numpy()


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str).str.strip()


def prepare_notices(notices: pd.DataFrame, tasks: pd.DataFrame | None = None,
                    orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Notices with `source` decided and what the task or order implies filled in: the
    item (the task's product, the order's part) and, for subcontract, the supplier."""
    task, order = _text(notices, "task_no"), _text(notices, "order_no")
    given = _text(notices, "source")
    source = given.where(given.ne(""), np.where(
        task.ne(""), "production", np.where(order.ne(""), "subcontract", "purchase")))
    line = (notices["order_line"] if "order_line" in notices else pd.Series(
        1, index=notices.index)).fillna(1).astype(np.int64)
    item, supplier = _text(notices, "item_code"), _text(notices, "supplier_code")
    if tasks is not None and len(tasks):
        made = tasks.drop_duplicates("task_no").set_index("task_no")["item_code"]
        fill = source.eq("production") & item.eq("")
        item = item.where(~fill, task.map(made).astype(object).fillna(""))
    if orders is not None and len(orders):
        head = orders.assign(k=orders["order_no"].astype(str) + "\x1f" + orders[
            "line_no"].fillna(1).astype(np.int64).astype(str)).drop_duplicates("k").set_index("k")
        key = order + "\x1f" + line.astype(str)
        sub = source.eq("subcontract")
        item = item.where(~(sub & item.eq("")),
                          key.map(head["item_code"]).astype(object).fillna(""))
        supplier = supplier.where(~(sub & supplier.eq("")),
                                  key.map(head["supplier_code"]).astype(object).fillna(""))
    return notices.assign(source=source, task_no=task.where(source.eq("production"), ""),
                          order_no=order.where(source.eq("subcontract"), ""),
                          order_line=line, item_code=item, supplier_code=supplier)


def notice_lines(notices: pd.DataFrame, items: pd.DataFrame | None,
                 inspection_warehouse: str) -> pd.DataFrame:
    """Receipt notices (as from `prepare_notices`) as the receipts they stand for:
    inspected items into the inspection warehouse, marked with their notice."""
    if "source" not in notices:
        notices = prepare_notices(notices)
    exempt = _exempt(items, notices["item_code"])
    where = np.where(exempt, notices["warehouse_code"].to_numpy(object), inspection_warehouse)
    return normalise(notices.assign(
        sheet="receipt_notices", doc_type=notices["source"].map(RECEIPT_TYPE).to_numpy(),
        warehouse_code=where, location_code=np.where(exempt, notices["location_code"], ""),
        notice_no=np.where(exempt, "", notices["doc_no"].to_numpy(object)),
        notice_line=notices["line_no"].fillna(1).astype(np.int64)))


def _judged(inspections: pd.DataFrame, notices: pd.DataFrame, items: pd.DataFrame | None
            ) -> tuple[pd.DataFrame, list[Issue], set[str]]:
    """Inspections joined to their notice line; the refused ones reported and dropped."""
    key = ["notice_no", "notice_line"]
    head = notices.rename(columns={"doc_no": "notice_no", "line_no": "notice_line",
                                   "qty": "received", "doc_date": "notice_date"})
    rows = inspections.reset_index(drop=True).merge(
        head[[*key, "item_code", "received", "unit_cost", "supplier_code", "warehouse_code",
              "source", "task_no", "order_no", "order_line"]],
        on=key, how="left", validate="many_to_one")
    rows = rows.sort_values(["doc_date", "doc_no", "line_no"], kind="stable",
                            ignore_index=True)
    rows[list(JUDGED)] = rows[list(JUDGED)].astype(float)
    total = rows[list(JUDGED)].sum(axis=1)
    left = rows["received"] - (total.groupby([rows[k] for k in key]).cumsum() - total)
    checks = (
        (rows["received"].isna(), "qc_unknown_notice"),
        (rows["received"].notna() & _exempt(items, rows["item_code"]), "qc_exempt"),
        (rows["received"].notna() & (total > left + 1e-9), "qc_over_judged"),
    )
    found: list[Issue] = []
    for mask, code in checks:
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            found.append(Issue(code, sheet="inspections", row=_int(rows["_row"].iloc[i]),
                               column="notice_no", value=rows["notice_no"].iloc[i], params={
                                   "doc_no": rows["doc_no"].iloc[i],
                                   "line": rows["notice_line"].iloc[i],
                                   "item": rows["item_code"].iloc[i],
                                   "available": round(float(left.iloc[i]), 6),
                                   "judged": round(float(total.iloc[i]), 6)}))
    refused = {str(i.params["doc_no"]) for i in found}
    return rows[~rows["doc_no"].isin(refused)], found, refused


def _int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[arg-type]


def inspection_lines(inspections: pd.DataFrame, notices: pd.DataFrame,
                     items: pd.DataFrame | None, inspection_warehouse: str) -> QualityLines:
    """Postable lines of every judgement, out of the inspection warehouse."""
    if "source" not in notices:
        notices = prepare_notices(notices)
    rows, found, refused = _judged(inspections, notices, items)
    stock = rows["stock_warehouse"].where(rows["stock_warehouse"].ne(""), rows["warehouse_code"])
    rejected = rows["source"].map(REJECT_TYPE).fillna("purchase_return")
    rework = rejected.eq("qc_rework")
    base = rows.assign(sheet="inspections", lot="", location_code="", derived="notice",
                       order_line=rows["order_line"].fillna(1))
    # (qty, type, warehouse, location, concession, sign, no longer received)
    qc, none = inspection_warehouse, 0.0
    moves = [
        (rows["passed_qty"], "transfer_out", qc, "", False, none, False),
        (rows["passed_qty"], "transfer_in", stock, "", False, none, False),
        (rows["concession_qty"], "transfer_out", qc, "", True, none, False),
        (rows["concession_qty"], "transfer_in", stock, "", True, none, False),
        (rows["rejected_qty"], rejected, qc, "", False, np.where(rework, -1.0, 0.0), True),
        (rows["rejected_qty"].where(rework, 0.0), "qc_rework", qc, REWORK_LOCATION, False,
         1.0, False),
        (rows["scrapped_qty"], "scrap", qc, "", False, none, True),
    ]
    parts = [base.assign(qty=qty, doc_type=kind, warehouse_code=where, location_code=place,
                         concession=flag, sign=sign, unreceive=qty if back else 0.0,
                         line_no=base["line_no"] * 10 + n)
             for n, (qty, kind, where, place, flag, sign, back) in enumerate(moves)]
    lines = normalise(pd.concat(parts, ignore_index=True))
    return QualityLines(lines[lines["qty"] > 0].reset_index(drop=True), found, sorted(refused))


def _rated(inspections: pd.DataFrame, notices: pd.DataFrame) -> pd.DataFrame:
    """Inspections with their notice's source, supplier and item."""
    if "source" not in notices:
        notices = prepare_notices(notices)
    head = notices.drop_duplicates(["doc_no", "line_no"]).set_index(["doc_no", "line_no"])
    key = pd.MultiIndex.from_frame(inspections[["notice_no", "notice_line"]])
    found = head[["source", "supplier_code", "item_code"]].reindex(key)
    return inspections.assign(source=found["source"].fillna("purchase").to_numpy(object),
                              supplier_code=found["supplier_code"].fillna("").to_numpy(object),
                              item_code=found["item_code"].fillna("").to_numpy(object))


def _rates(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    table = rows.groupby(by, as_index=False, sort=True)[list(JUDGED)].sum()
    inspected = table[list(JUDGED)].sum(axis=1)
    safe = inspected.where(inspected > 0)
    return table.assign(inspected_qty=inspected, pass_rate=table["passed_qty"] / safe,
                        acceptance_rate=(table["passed_qty"] + table["concession_qty"]) / safe
                        )[[by, "inspected_qty", *JUDGED, "pass_rate", "acceptance_rate"]]


def quality_rates(inspections: pd.DataFrame, notices: pd.DataFrame) -> pd.DataFrame:
    """Pass and acceptance rates per supplier — purchase and subcontract notices, as
    subcontractors are suppliers (rates blank when nothing was inspected)."""
    rows = _rated(inspections, notices)
    return _rates(rows[rows["source"].ne("production")], "supplier_code")


def product_rates(inspections: pd.DataFrame, notices: pd.DataFrame) -> pd.DataFrame:
    """The same rates per product for production notices."""
    rows = _rated(inspections, notices)
    return _rates(rows[rows["source"].eq("production")], "item_code")
