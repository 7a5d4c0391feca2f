"""Incoming quality (DOMAIN §6): receipt notices and inspections as postable lines.

* A receipt notice line of an inspected item puts the goods into the inspection
  warehouse (never nettable) at the notice's unit cost; an exempt item goes straight
  into the notice's own warehouse.
* An inspection judges a notice line: passed + concession move to the stock warehouse
  (concession flagged), rejected goes back to the supplier, scrapped is written off —
  all out of the inspection warehouse at the notice's cost, so no value is left behind.
* An inspection may not judge more than the notice brought in (over all its
  inspections, in date order); such an inspection is refused whole.
* Pass rate = passed / inspected; acceptance rate = (passed + concession) / inspected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines.posting import normalise
from addin.issues import Issue, Message, register

JUDGED = ("passed_qty", "concession_qty", "rejected_qty", "scrapped_qty")

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


def notice_lines(notices: pd.DataFrame, items: pd.DataFrame | None,
                 inspection_warehouse: str) -> pd.DataFrame:
    """Receipt notices as purchase receipts: inspected items into the inspection warehouse."""
    exempt = _exempt(items, notices["item_code"])
    where = np.where(exempt, notices["warehouse_code"].to_numpy(object), inspection_warehouse)
    return normalise(notices.assign(sheet="receipt_notices", doc_type="purchase_receipt",
                                    warehouse_code=where, location_code=np.where(
                                        exempt, notices["location_code"], "")))


def _judged(inspections: pd.DataFrame, notices: pd.DataFrame, items: pd.DataFrame | None
            ) -> tuple[pd.DataFrame, list[Issue], set[str]]:
    """Inspections joined to their notice line; the refused ones reported and dropped."""
    key = ["notice_no", "notice_line"]
    head = notices.rename(columns={"doc_no": "notice_no", "line_no": "notice_line",
                                   "qty": "received", "doc_date": "notice_date"})
    rows = inspections.reset_index(drop=True).merge(
        head[[*key, "item_code", "received", "unit_cost", "supplier_code", "warehouse_code"]],
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
    rows, found, refused = _judged(inspections, notices, items)
    stock = rows["stock_warehouse"].where(rows["stock_warehouse"].ne(""), rows["warehouse_code"])
    base = rows.assign(sheet="inspections", lot="", location_code="", task_no="")
    moves = [
        (rows["passed_qty"], "transfer_out", inspection_warehouse, False),
        (rows["passed_qty"], "transfer_in", stock, False),
        (rows["concession_qty"], "transfer_out", inspection_warehouse, True),
        (rows["concession_qty"], "transfer_in", stock, True),
        (rows["rejected_qty"], "purchase_return", inspection_warehouse, False),
        (rows["scrapped_qty"], "scrap", inspection_warehouse, False),
    ]
    parts = [base.assign(qty=qty, doc_type=kind, warehouse_code=where, concession=flag,
                         line_no=base["line_no"] * 10 + n)
             for n, (qty, kind, where, flag) in enumerate(moves)]
    lines = normalise(pd.concat(parts, ignore_index=True))
    return QualityLines(lines[lines["qty"] > 0].reset_index(drop=True), found, sorted(refused))


def quality_rates(inspections: pd.DataFrame, notices: pd.DataFrame) -> pd.DataFrame:
    """Pass and acceptance rates per supplier (rates blank when nothing was inspected)."""
    supplier = notices.drop_duplicates(["doc_no", "line_no"]).set_index(
        ["doc_no", "line_no"])["supplier_code"]
    key = pd.MultiIndex.from_frame(inspections[["notice_no", "notice_line"]])
    rows = inspections.assign(supplier_code=supplier.reindex(key).fillna("").to_numpy(object))
    table = rows.groupby("supplier_code", as_index=False, sort=True)[list(JUDGED)].sum()
    inspected = table[list(JUDGED)].sum(axis=1)
    safe = inspected.where(inspected > 0)
    return table.assign(inspected_qty=inspected, pass_rate=table["passed_qty"] / safe,
                        acceptance_rate=(table["passed_qty"] + table["concession_qty"]) / safe
                        )[["supplier_code", "inspected_qty", *JUDGED, "pass_rate",
                           "acceptance_rate"]]
