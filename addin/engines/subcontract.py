"""Subcontracting 委外加工 (DOMAIN §6): documents into postable lines, consumption at the
supplier, supplier balances and fee adjustments (used by `posting`).

* A subcontract issue moves own stock to the supplier's at-supplier warehouse: out of the
  own warehouse at its average, into the supplier warehouse at that same cost.
* A subcontract return brings material back (the reverse pair); its scrapped quantity is
  written off at the supplier.
* A subcontract receipt brings the product in and consumes the supplier-held material at
  standard usage (receipt qty × qty per × (1 + loss), from Subcontract materials). The
  product's cost = the consumed material's value + the processing fee. The fee is the
  receipt's own, else the price policy's, else the order's; above the ceiling it is
  refused.
* Consumption never drives the supplier's balance below zero: what standard usage asks
  beyond what the supplier holds is over-consumption 超耗, shown in Supplier balances.
* A fee invoice posts a value-only fee adjustment 委外加工费补差 = invoiced qty ×
  (invoice price − the fee the receipts were costed at) into the product's warehouse on
  the invoice date: it re-prices the product still on hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from addin.engines import ledger, pricepolicy
from addin.engines.postingrules import issues_at
from addin.issues import Issue, Message, register

if TYPE_CHECKING:
    from addin.engines.posting import PostingContext

SUB_TYPES = ("subcontract_issue", "subcontract_return", "subcontract_receipt", "fee_invoice")
_AT_SUPPLIER_TYPES = ("subcontract_issue", "subcontract_return", "subcontract_receipt")
_ORDER = {"order_no": "", "line_no": 1, "supplier_code": "", "item_code": "", "qty": 0.0,
          "received_qty": 0.0, "status": "open", "unit_price": 0.0}
_MATERIAL = {"order_no": "", "order_line": 1, "component_code": "", "qty_per": 0.0,
             "variable_loss_rate": 0.0}
BALANCE_COLUMNS = ["supplier_code", "component_code", "opening_qty", "issued_qty",
                   "returned_qty", "consumed_qty", "scrapped_qty", "balance_qty",
                   "over_consumed_qty", "balance_value"]
FEE_COLUMNS = ["doc_no", "line_no", "doc_date", "order_no", "order_line", "supplier_code",
               "item_code", "warehouse_code", "qty", "receipt_price", "invoice_price",
               "adjustment", "absorbed"]

register({
    "sub_no_order": Message(
        "单据 {doc_no}：未填写委外单号，不能发往或收自供应商",
        "Document {doc_no}: no subcontract order is given; goods cannot go to or come "
        "from a supplier without one",
        "填写委外订单号", "Enter the subcontract order number"),
    "sub_unknown_order": Message(
        "单据 {doc_no}：委外订单「{value}」第 {line} 行不存在",
        'Document {doc_no}: subcontract order "{value}" line {line} does not exist',
        "填写委外订单表中的单号和行号", "Use an order and line from Subcontract orders"),
    "sub_order_closed": Message(
        "单据 {doc_no}：委外订单「{value}」已关闭或作废",
        'Document {doc_no}: subcontract order "{value}" is closed or cancelled',
        "重新打开订单或改用其他订单", "Reopen the order or use another one"),
    "sub_unknown_supplier": Message(
        "单据 {doc_no}：供应商「{value}」不在供应商表中",
        'Document {doc_no}: supplier "{value}" is not in Suppliers',
        "先在供应商表中建立该供应商", "Add the supplier to Suppliers first"),
    "sub_wrong_product": Message(
        "单据 {doc_no}：委外订单 {order} 加工的是 {product}，不是 {value}",
        "Document {doc_no}: subcontract order {order} makes {product}, not {value}",
        "填写委外订单的物料", "Enter the order's item"),
    "sub_no_supplier_warehouse": Message(
        "单据 {doc_no}：供应商「{value}」没有委外仓",
        'Document {doc_no}: supplier "{value}" has no at-supplier warehouse',
        "在仓库表中建立类型为委外仓、供应商为它的仓库",
        "Add a warehouse of type at-supplier with this supplier in Warehouses"),
    "sub_not_supplier_warehouse": Message(
        "单据 {doc_no}：仓库「{value}」不是委外仓",
        'Document {doc_no}: warehouse "{value}" is not an at-supplier warehouse',
        "填写类型为委外仓的仓库，或留空", "Use an at-supplier warehouse, or leave it blank"),
    "sub_fee_above_ceiling": Message(
        "单据 {doc_no}：加工单价 {value} 高于最高限价 {ceiling}",
        "Document {doc_no}: fee {value} is above the ceiling price {ceiling}",
        "按价格政策改单价，或调整最高限价", "Use a fee within the price policy"),
    "sub_over_receipt": Message(
        "单据 {doc_no}：委外订单 {order} 最多还可入库 {available}（含超收比例），不能入 {value}",
        "Document {doc_no}: subcontract order {order} may receive at most {available} more "
        "(tolerance included), not {value}",
        "减少入库数量或调整委外超收比例", "Lower the qty or raise the subcontract tolerance"),
    "sub_over_consumed": Message(
        "单据 {doc_no}：{item} 按标准用量应核销 {want}，供应商 {supplier} 处只有 {value}（超耗）",
        "Document {doc_no}: standard usage consumes {want} of {item}, supplier {supplier} "
        "held only {value} (over-consumption)",
        "与供应商核对用量，或补发材料", "Check usage with the supplier or issue more material"),
    "sub_fee_not_absorbed": Message(
        "单据 {doc_no}：加工费补差 {value} 未计入库存——{item} 在仓库 {warehouse} 已无结存",
        "Document {doc_no}: fee adjustment {value} re-prices no stock — no {item} is left "
        "in warehouse {warehouse}",
        "将差额计入销售成本或差异科目", "Book the difference to cost of sales or variance"),
    "sub_no_materials": Message(
        "单据 {doc_no}：委外订单 {value} 没有委外用料清单，入库成本只含加工费",
        "Document {doc_no}: subcontract order {value} has no material list; the receipt "
        "costs the processing fee only",
        "在委外用料清单中填写该订单的用料", "Add the order's materials to Subcontract materials"),
})


def _frame(table: pd.DataFrame | None, defaults: dict[str, object]) -> pd.DataFrame:
    frame = (pd.DataFrame(columns=list(defaults)) if table is None
             else table.reindex(columns=list(defaults)).copy())
    for name, default in defaults.items():
        frame[name] = frame[name].where(frame[name].notna(), default)
        kind = float if isinstance(default, float) else int if isinstance(default, int) else object
        frame[name] = frame[name].astype(kind)
    return frame


def order_key(order_no: pd.Series, line: pd.Series) -> pd.Series:
    return order_no.astype(str) + "\x1f" + line.astype(int).astype(str)


def orders_frame(orders: pd.DataFrame | None) -> pd.DataFrame:
    frame = _frame(orders, _ORDER)
    return frame.set_index(order_key(frame["order_no"], frame["line_no"]))[
        ~frame.duplicated(["order_no", "line_no"]).to_numpy()]


def supplier_warehouses(warehouses: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """(warehouse -> its supplier for at-supplier warehouses, supplier -> its first
    at-supplier warehouse)."""
    if warehouses is None or warehouses.empty:
        return pd.Series(dtype=object), pd.Series(dtype=object)
    frame = warehouses.reindex(columns=["warehouse_code", "warehouse_type", "supplier_code"])
    frame = frame[frame["warehouse_type"].eq("at_supplier")].drop_duplicates("warehouse_code")
    supplier = frame["supplier_code"].fillna("").astype(str)
    owner = pd.Series(supplier.where(supplier.ne(""), frame["warehouse_code"]).to_numpy(),
                      index=frame["warehouse_code"].to_numpy())
    first = frame.assign(s=supplier).sort_values("warehouse_code").drop_duplicates("s")
    return owner, first.set_index("s")["warehouse_code"]


def prepare(lines: pd.DataFrame, ctx: PostingContext) -> tuple[pd.DataFrame, list[Issue],
                                                                   set[str]]:
    """Fill what subcontract lines leave to their order (supplier, item, supplier
    warehouse, fee, fee invoice warehouse) and check them; returns the lines, the Issues
    and the refused document numbers (warnings refuse nothing)."""
    sub = lines["doc_type"].isin(SUB_TYPES) & lines["reverses_doc_no"].eq("")
    if not sub.any():
        return lines, [], set()
    lines = lines.copy()
    orders = orders_frame(ctx.subcontract_orders)
    key = order_key(lines["order_no"], lines["order_line"])
    known = sub & key.isin(orders.index)
    order = orders.reindex(key)
    order.index = lines.index
    blank_supplier = sub & lines["supplier_code"].eq("")
    lines.loc[blank_supplier, "supplier_code"] = order["supplier_code"].fillna("")[blank_supplier]
    product = sub & lines["doc_type"].isin(("subcontract_receipt", "fee_invoice"))
    blank_item = product & lines["item_code"].eq("")
    lines.loc[blank_item, "item_code"] = order["item_code"].fillna("")[blank_item]
    owner, first = supplier_warehouses(ctx.warehouses)
    needs_at = sub & lines["doc_type"].isin(_AT_SUPPLIER_TYPES)
    blank_at = needs_at & lines["supplier_warehouse"].eq("")
    lines.loc[blank_at, "supplier_warehouse"] = lines.loc[blank_at, "supplier_code"].map(
        first).fillna("")
    priced = sub & lines["doc_type"].eq("subcontract_receipt")
    asked = lines[product].assign(order_qty=order["qty"][product].fillna(0.0),
                                  order_price=order["unit_price"][product].fillna(0.0))
    fee = pricepolicy.fees(asked, ctx.subcontract_prices)
    fee.index = asked.index
    lines.loc[priced, "fee_price"] = fee["fee"][priced[product]].to_numpy(float)
    ceiling = fee["ceiling"].reindex(lines.index)
    lines = _invoice_warehouses(lines, ctx)
    return lines, *_check(lines, sub, known, order, ceiling, owner, needs_at, ctx)


def _invoice_warehouses(lines: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    """A fee invoice without a warehouse adjusts the warehouse its order was received
    into (first receipt of this posting), else the item's default warehouse. Goods that
    came in through inspection were received into the inspection warehouse but moved
    on: those receipts are passed over."""
    invoice = lines["doc_type"].eq("fee_invoice") & lines["warehouse_code"].eq("")
    if not invoice.any():
        return lines
    receipts = lines[lines["doc_type"].eq("subcontract_receipt")
                     & lines["notice_no"].eq("")].sort_values(
        ["doc_date", "doc_no", "line_no"], kind="stable")
    where = receipts.assign(k=order_key(receipts["order_no"], receipts["order_line"])
                            ).drop_duplicates("k").set_index("k")["warehouse_code"]
    found = order_key(lines["order_no"], lines["order_line"]).map(where).astype(object)
    if ctx.items is not None and "default_warehouse" in ctx.items:
        default = ctx.items.drop_duplicates("item_code").set_index("item_code")[
            "default_warehouse"]
        found = found.fillna(lines["item_code"].map(default))
    lines.loc[invoice, "warehouse_code"] = found[invoice].fillna("").astype(str)
    return lines


def _check(lines: pd.DataFrame, sub: pd.Series, known: pd.Series, order: pd.DataFrame,
           ceiling: pd.Series, owner: pd.Series, needs_at: pd.Series, ctx: PostingContext
           ) -> tuple[list[Issue], set[str]]:
    no_order = sub & lines["order_no"].eq("")
    found = issues_at(lines, no_order, "sub_no_order", "order_no", lines["order_no"])
    found += issues_at(lines, sub & ~no_order & ~known, "sub_unknown_order", "order_no",
                       lines["order_no"], line=lines["order_line"])
    closed = known & order["status"].ne("open") & lines["doc_type"].ne("fee_invoice")
    found += issues_at(lines, closed, "sub_order_closed", "order_no", lines["order_no"])
    if ctx.suppliers is not None:
        stranger = sub & lines["supplier_code"].ne("") & ~lines["supplier_code"].isin(
            ctx.suppliers["supplier_code"])
        found += issues_at(lines, stranger, "sub_unknown_supplier", "supplier_code",
                           lines["supplier_code"])
    product = lines["doc_type"].isin(("subcontract_receipt", "fee_invoice"))
    wrong = known & product & order["item_code"].ne(lines["item_code"])
    found += issues_at(lines, wrong, "sub_wrong_product", "item_code", lines["item_code"],
                       order=lines["order_no"], product=order["item_code"])
    missing = needs_at & known & lines["supplier_warehouse"].eq("")
    if ctx.suppliers is not None:  # an unknown supplier is reported once, as such
        missing &= lines["supplier_code"].isin(ctx.suppliers["supplier_code"])
    found += issues_at(lines, missing, "sub_no_supplier_warehouse", "supplier_warehouse",
                       lines["supplier_code"])
    not_at = needs_at & lines["supplier_warehouse"].ne("") & ~lines["supplier_warehouse"].isin(
        owner.index)
    found += issues_at(lines, not_at, "sub_not_supplier_warehouse", "supplier_warehouse",
                       lines["supplier_warehouse"])
    price = lines["fee_price"]
    over = sub & product & ceiling.notna() & (price > ceiling.fillna(np.inf) + 1e-9)
    found += issues_at(lines, over, "sub_fee_above_ceiling", "fee_price", price,
                       ceiling=ceiling)
    found += issues_at(lines, sub & (lines["scrapped_qty"] < 0), "post_negative_qty",
                       "scrapped_qty", lines["scrapped_qty"])
    bad = {str(i.params["doc_no"]) for i in found}
    receipts = sub & lines["doc_type"].eq("subcontract_receipt") & known
    listed = _frame(ctx.subcontract_materials, _MATERIAL)
    has_list = order_key(lines["order_no"], lines["order_line"]).isin(
        order_key(listed["order_no"], listed["order_line"]))
    found += issues_at(lines, receipts & ~has_list, "sub_no_materials", "order_no",
                       lines["order_no"], severity="warning")
    return found, bad


def expand(lines: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    """Subcontract lines into physical lines with cost links (see `linkedcost`)."""
    kind = lines["doc_type"]
    sub = kind.isin(SUB_TYPES) & lines["reverses_doc_no"].eq("")
    if not sub.any():
        return lines
    rest, sub_lines = lines[~sub], lines[sub].reset_index(drop=True)
    base = len(rest) + 1_000_000  # link ids unique within this posting
    # the order number also stands in the task column, as costing reads subcontract moves
    sub_lines = sub_lines.assign(lid=np.arange(len(sub_lines)) + base,
                                 task_no=sub_lines["task_no"].where(
                                     sub_lines["task_no"].ne(""), sub_lines["order_no"]))
    kind = sub_lines["doc_type"]
    parts = [rest]
    issue = sub_lines[kind.eq("subcontract_issue")]
    parts += [issue.assign(sign=-1.0, cost_feed=issue["lid"]),
              issue.assign(sign=1.0, warehouse_code=issue["supplier_warehouse"],
                           location_code="", derived="total", cost_link=issue["lid"])]
    back = sub_lines[kind.eq("subcontract_return")]
    parts += [back.assign(sign=-1.0, warehouse_code=back["supplier_warehouse"],
                          location_code="", cost_feed=back["lid"]),
              back.assign(sign=1.0, derived="total", cost_link=back["lid"]),
              back.assign(doc_type="subcontract_scrap", sign=-1.0, qty=back["scrapped_qty"],
                          warehouse_code=back["supplier_warehouse"], location_code="",
                          line_no=back["line_no"] * 10 + 1)]
    receipt = sub_lines[kind.eq("subcontract_receipt")]
    parts += [receipt.assign(sign=1.0, derived="total", cost_link=receipt["lid"],
                             add_cost=receipt["fee_price"]),
              _consumption(receipt, ctx)]
    parts.append(_adjustments(sub_lines[kind.eq("fee_invoice")], sub_lines, ctx))
    out = pd.concat(parts, ignore_index=True)
    physical = out["doc_type"].isin(("fee_adjustment", "subcontract_consume")) | (out["qty"] > 0)
    keep = physical | ~out["doc_type"].isin((*SUB_TYPES, "subcontract_scrap"))
    return out[keep].reset_index(drop=True)


def _consumption(receipts: pd.DataFrame, ctx: PostingContext) -> pd.DataFrame:
    listed = _frame(ctx.subcontract_materials, _MATERIAL)
    listed = listed.assign(k=order_key(listed["order_no"], listed["order_line"]))
    rows = receipts.assign(k=order_key(receipts["order_no"], receipts["order_line"])).merge(
        listed[["k", "component_code", "qty_per", "variable_loss_rate"]], on="k", how="inner")
    want = rows["qty"] * rows["qty_per"] * (1.0 + rows["variable_loss_rate"])
    return rows.assign(doc_type="subcontract_consume", item_code=rows["component_code"],
                       warehouse_code=rows["supplier_warehouse"], location_code="", lot="",
                       qty=want, want_qty=want, sign=-1.0, auto=True, unit_cost=0.0,
                       cost_feed=rows["lid"], fee_price=0.0)[receipts.columns]


def _adjustments(invoices: pd.DataFrame, sub_lines: pd.DataFrame, ctx: PostingContext
                 ) -> pd.DataFrame:
    """Fee invoices as value-only lines: qty 0, `adjust` = invoiced qty × (invoice price −
    receipt fee). Kept for the Fee adjustments table: invoiced qty in `want_qty`, receipt
    fee in `add_cost`, invoice price in `fee_price`."""
    if invoices.empty:
        return invoices
    receipts = sub_lines[sub_lines["doc_type"].eq("subcontract_receipt")]
    keyed = receipts.assign(k=order_key(receipts["order_no"], receipts["order_line"]),
                            fee=receipts["fee_price"] * receipts["qty"])
    sums = keyed.groupby("k")[["fee", "qty"]].sum()
    average = sums["fee"] / sums["qty"].where(sums["qty"] > 0)
    key = order_key(invoices["order_no"], invoices["order_line"])
    orders = orders_frame(ctx.subcontract_orders)
    base = key.map(average).fillna(key.map(orders["unit_price"])).fillna(0.0)
    return invoices.assign(doc_type="fee_adjustment", want_qty=invoices["qty"], qty=0.0,
                           add_cost=base.to_numpy(float), unit_cost=0.0,
                           adjust=(invoices["qty"] * (invoices["fee_price"] - base)).round(2))


def cap_consumption(lines: pd.DataFrame, opening: pd.DataFrame,
                    at_supplier: pd.Index) -> pd.DataFrame:
    """Consumption lines (in seq order) cut to what the supplier holds at that moment:
    balance b_k = max(0, b_{k−1} + d_k) = S_k − min(0, min_{j≤k} S_j) with S the running
    sum from the opening balance. `short_qty` keeps what standard usage asked beyond it."""
    consume = lines["doc_type"].eq("subcontract_consume").to_numpy()
    if not consume.any():
        return lines
    at = lines["warehouse_code"].isin(at_supplier).to_numpy()
    rows = lines[at].sort_values(["item_code", "warehouse_code", "seq"], kind="stable")
    eaten = rows["doc_type"].eq("subcontract_consume").to_numpy()
    delta = np.where(eaten, -rows["want_qty"].to_numpy(float), rows["signed"].to_numpy(float))
    group = pd.factorize(rows["item_code"] + "\x1f" + rows["warehouse_code"])[0]
    starts = ledger.segment_starts(group)
    on_hand = opening.groupby(["item_code", "warehouse_code"])["qty"].sum()
    first = on_hand.reindex(pd.MultiIndex.from_frame(rows[["item_code", "warehouse_code"]])
                            ).fillna(0.0).clip(lower=0.0).to_numpy()
    running = first + ledger.segmented_cumsum(delta, starts)
    floor = pd.Series(np.minimum(running, 0.0)).groupby(group).cummin().to_numpy()
    balance = running - floor
    before = np.where(starts, first, np.roll(balance, 1))
    taken = np.where(eaten, before - balance, 0.0)
    lines = lines.copy()
    index = rows.index[eaten]
    lines.loc[index, "qty"] = taken[eaten]
    lines.loc[index, "signed"] = -taken[eaten]
    lines.loc[index, "short_qty"] = rows["want_qty"].to_numpy(float)[eaten] - taken[eaten]
    return lines


def over_consumption_warnings(lines: pd.DataFrame, owner: pd.Series) -> list[Issue]:
    short = lines["doc_type"].eq("subcontract_consume") & (lines["short_qty"] > 1e-9)
    return issues_at(lines, short, "sub_over_consumed", "qty", lines["qty"].round(6),
                     severity="warning", item=lines["item_code"],
                     want=lines["want_qty"].round(6),
                     supplier=lines["warehouse_code"].map(owner))


def supplier_balances(posted: pd.DataFrame, opening: pd.DataFrame,
                      warehouses: pd.DataFrame | None) -> pd.DataFrame:
    """Per supplier × component: opening + issued − returned − consumed − scrapped, the
    over-consumption and the value still at the supplier (moves incl. reversals, which
    count against the type they reverse)."""
    owner, _ = supplier_warehouses(warehouses)
    rows = posted[posted["warehouse_code"].isin(owner.index)]
    kind = rows["doc_type"].where(rows["doc_type"].ne("reversal"), rows["base_type"])
    signed = rows["signed"]
    table = pd.DataFrame({
        "supplier_code": rows["warehouse_code"].map(owner), "component_code": rows["item_code"],
        "opening_qty": 0.0,
        "issued_qty": signed.where(kind.eq("subcontract_issue"), 0.0),
        "returned_qty": -signed.where(kind.eq("subcontract_return"), 0.0),
        "consumed_qty": -signed.where(kind.eq("subcontract_consume"), 0.0),
        "scrapped_qty": -signed.where(kind.eq("subcontract_scrap"), 0.0),
        "over_consumed_qty": rows["short_qty"].where(rows["doc_type"].eq(
            "subcontract_consume"), 0.0),
        "balance_value": rows["value"]})
    held = opening[opening["warehouse_code"].isin(owner.index)]
    start = pd.DataFrame({"supplier_code": held["warehouse_code"].map(owner),
                          "component_code": held["item_code"], "opening_qty": held["qty"],
                          "balance_value": held["qty"] * held["unit_cost"]})
    both = pd.concat([table, start], ignore_index=True).fillna(0.0)
    out = both.groupby(["supplier_code", "component_code"], as_index=False, sort=True).sum()
    out["balance_qty"] = (out["opening_qty"] + out["issued_qty"] - out["returned_qty"]
                          - out["consumed_qty"] - out["scrapped_qty"])
    numbers = BALANCE_COLUMNS[2:]
    out[numbers] = out[numbers].astype(float) + 0.0  # no "-0" in the sheet
    return out[BALANCE_COLUMNS]


def fee_adjustments(posted: pd.DataFrame) -> pd.DataFrame:
    rows = posted[posted["doc_type"].eq("fee_adjustment")]
    return pd.DataFrame({
        "doc_no": rows["doc_no"], "line_no": rows["line_no"], "doc_date": rows["doc_date"],
        "order_no": rows["order_no"], "order_line": rows["order_line"].astype(int),
        "supplier_code": rows["supplier_code"], "item_code": rows["item_code"],
        "warehouse_code": rows["warehouse_code"], "qty": rows["want_qty"],
        "receipt_price": rows["add_cost"], "invoice_price": rows["fee_price"],
        "adjustment": rows["adjust"], "absorbed": rows["value"]},
        columns=FEE_COLUMNS).reset_index(drop=True)


def unabsorbed_warnings(valued: pd.DataFrame) -> list[Issue]:
    """A fee adjustment that found none of the product on hand re-prices nothing."""
    rows = valued[valued["doc_type"].eq("fee_adjustment")]
    lost = (rows["adjust"] - rows["value"]).abs() > 0.005
    return issues_at(rows, lost, "sub_fee_not_absorbed", "fee_price", rows["adjust"],
                     severity="warning", item=rows["item_code"],
                     warehouse=rows["warehouse_code"])
