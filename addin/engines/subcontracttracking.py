"""Subcontract tracking 委外跟踪 (DOMAIN §6, §9): per subcontract order line, what was
ordered, what material went to the supplier, what came back as product, what is open.

From the posted stock moves (posting writes the order number into `order_no` and
`task_no` of every subcontract move), up to the report date:

* issued: the supplier legs of subcontract issues (+) and returns (−), per component;
  in value, and in *sets* = least over the line's listed components of
  net issued ÷ (qty per × (1 + loss)) — how many products the supplier has material for;
* received = the order's received qty (before these documents) + posted receipts that
  were accepted: a receipt straight to stock, or what an inspection of a subcontract
  receipt notice passed or accepted on concession (goods waiting in inspection, rejected
  or scrapped are not received);
* open = max(0, ordered − received), 0 for a closed or cancelled line; overdue when open
  and due before the report date.

Moves carry the order number but not its line: a component goes to the first line whose
materials list names it, a product receipt to the first line of that product, anything
else to the order's first line. Reversals of subcontract documents are not counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["order_no", "line_no", "supplier_code", "item_code", "due_date", "ordered_qty",
           "issued_sets", "issued_value", "received_qty", "open_qty", "completion", "overdue"]
_LINE = ["order_no", "line_no"]


def _first_line(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """(order_no, code) -> the lowest line naming it."""
    return (frame.sort_values(["order_no", "line_no"], kind="stable")
            .drop_duplicates(["order_no", code])[["order_no", code, "line_no"]])


def _to_lines(moves: pd.DataFrame, by_code: pd.DataFrame, code: str,
              first: pd.Series) -> pd.DataFrame:
    """`moves` with the order line each belongs to (see the module docstring)."""
    found = moves.merge(by_code.rename(columns={code: "item_code"}),
                        on=["order_no", "item_code"], how="left")
    found["line_no"] = found["line_no"].fillna(found["order_no"].map(first))
    return found.dropna(subset=["line_no"]).astype({"line_no": int})


def subcontract_tracking(orders: pd.DataFrame | None, materials: pd.DataFrame | None,
                         moves: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per subcontract order line, sorted by order and line."""
    if orders is None or orders.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    as_of = pd.Timestamp(as_of)
    lines = orders.drop_duplicates(_LINE).assign(
        line_no=lambda f: f["line_no"].fillna(1).astype(int)).sort_values(_LINE,
                                                                          kind="stable")
    first = lines.groupby("order_no")["line_no"].min()
    dated = moves[pd.to_datetime(moves["doc_date"]) <= as_of]
    kind, qty = dated["doc_type"], dated["qty"].astype(float)
    sent = dated[(kind.eq("subcontract_issue") & (qty > 0))
                 | (kind.eq("subcontract_return") & (qty < 0))]
    listed = (materials if materials is not None else pd.DataFrame(
        columns=["order_no", "order_line", "component_code", "qty_per",
                 "variable_loss_rate"])).rename(columns={"order_line": "line_no"})
    listed = listed.assign(line_no=listed["line_no"].fillna(1).astype(int))
    sent = _to_lines(sent[["order_no", "item_code", "qty", "value"]],
                     _first_line(listed, "component_code"), "component_code", first)
    issued = sent.groupby(_LINE)["value"].sum()
    per_component = sent.groupby([*_LINE, "item_code"], as_index=False)["qty"].sum()
    usage = listed.assign(per=listed["qty_per"].astype(float)
                          * (1.0 + listed["variable_loss_rate"].fillna(0.0).astype(float)))
    usage = usage.merge(per_component.rename(columns={"item_code": "component_code"}),
                        on=[*_LINE, "component_code"], how="left")
    usage["sets"] = usage["qty"].fillna(0.0) / usage["per"].where(usage["per"] > 0)
    sets = usage.groupby(_LINE)["sets"].min()
    noticed = dated["notice_no"].fillna("").ne("") if "notice_no" in dated else False
    got = dated[(kind.eq("subcontract_receipt") & (qty > 0) & ~noticed)
                | (kind.eq("transfer_in") & noticed & dated["order_no"].fillna("").ne(""))]
    got = _to_lines(got[["order_no", "item_code", "qty"]], _first_line(lines, "item_code"),
                    "item_code", first)
    received = got.groupby(_LINE)["qty"].sum()
    index = pd.MultiIndex.from_frame(lines[_LINE])
    out = lines[["order_no", "line_no", "supplier_code", "item_code", "due_date"]].copy()
    out["ordered_qty"] = lines["qty"].astype(float).to_numpy()
    out["issued_sets"] = sets.reindex(index).to_numpy(float)
    out["issued_value"] = issued.reindex(index).fillna(0.0).to_numpy(float).round(2)
    out["received_qty"] = (lines["received_qty"].fillna(0.0).astype(float).to_numpy()
                           + received.reindex(index).fillna(0.0).to_numpy(float))
    live = ~lines["status"].isin(("closed", "cancelled")).to_numpy()
    out["open_qty"] = np.where(live, np.maximum(0.0, out["ordered_qty"] - out["received_qty"]),
                               0.0)
    ordered = out["ordered_qty"].where(out["ordered_qty"] > 0)
    out["completion"] = out["received_qty"] / ordered
    out["overdue"] = (out["open_qty"] > 1e-9) & (pd.to_datetime(out["due_date"]) < as_of)
    return out[COLUMNS].reset_index(drop=True)
