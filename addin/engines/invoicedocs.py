"""The document side of matching: purchase receipts (after inspection, less returns) with
their purchase-order price, and shipments with their sales-order price.

Receipts do not name their purchase order, so each receipt takes the supplier's order
lines of that item in due-date order (the same cumulative allocation as invoices); its
order price is the quantity-weighted price of the order lines it takes. Beyond the
orders, the receipt's own unit cost, else the item's standard cost, is the estimate.
A shipment that names its sales order takes that order's price; one that does not takes
the customer's orders in due-date order; a unit price on the shipment itself wins.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from addin.engines.invoicealloc import allocate, cents, first_of, group_codes, units
from addin.engines.quality import prepare_notices

DOC_COLUMNS = ["side", "kind", "party_code", "item_code", "doc_no", "line_no", "doc_date",
               "qty_u", "price", "amount_c", "order_no"]
_ORDER_KEY = ["party_code", "item_code"]


def _present(tables: Mapping[str, pd.DataFrame | None], name: str) -> pd.DataFrame | None:
    frame = tables.get(name)
    return None if frame is None or frame.empty else frame


def _not_reversed(frame: pd.DataFrame) -> pd.DataFrame:
    """Lines of documents that stand: neither a reversal nor reversed by one."""
    reversal = frame["reverses_doc_no"].fillna("").astype(str).ne("")
    reversed_docs = set(frame.loc[reversal, "reverses_doc_no"])
    return frame[~reversal & ~frame["doc_no"].isin(reversed_docs)]


def _lines(frame: pd.DataFrame, party: str, own_price: str) -> pd.DataFrame:
    return pd.DataFrame({
        "party_code": frame[party].astype(str).to_numpy(),
        "item_code": frame["item_code"].astype(str).to_numpy(),
        "doc_no": frame["doc_no"].astype(str).to_numpy(),
        "line_no": frame["line_no"].astype("int64").to_numpy(),
        "doc_date": pd.to_datetime(frame["doc_date"]).to_numpy(),
        "qty_u": units(frame["qty"].fillna(0.0)),
        "own_price": frame[own_price].astype("float64").fillna(0.0).to_numpy(),
    })


def _accepted(tables: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame | None:
    """Inspected goods that went to stock (passed + concession), at the notice's supplier,
    item and price, dated on the inspection."""
    checks, notices = _present(tables, "inspections"), _present(tables, "receipt_notices")
    if checks is None or notices is None:
        return None
    # only bought goods are invoiced by the supplier (a production notice has no invoice,
    # a subcontract one a fee invoice); the source is decided as posting decides it
    notices = prepare_notices(notices)
    notices = notices[notices["source"].eq("purchase")]
    heads = notices[["doc_no", "line_no", "supplier_code", "item_code", "unit_cost"]].rename(
        columns={"doc_no": "notice_no", "line_no": "notice_line"})
    judged = checks.merge(heads, on=["notice_no", "notice_line"], how="inner")
    judged["qty"] = judged["passed_qty"].fillna(0.0) + judged["concession_qty"].fillna(0.0)
    return judged


def _sorted(lines: pd.DataFrame, ascending: bool = True) -> pd.DataFrame:
    return lines.sort_values(["doc_date", "doc_no", "line_no"], ascending=ascending,
                             kind="stable").reset_index(drop=True)


def _less_returns(receipts: pd.DataFrame, returns: pd.DataFrame | None) -> pd.DataFrame:
    """Returns to the supplier come off the latest receipts of that item first."""
    if returns is None or receipts.empty:
        return receipts
    back = _lines(_not_reversed(returns), "supplier_code", "qty")
    latest = _sorted(receipts, ascending=False)
    codes = group_codes(latest, back, by=_ORDER_KEY)
    segments = allocate(codes[0], latest["qty_u"].to_numpy(), codes[1], back["qty_u"].to_numpy())
    both = (segments.left >= 0) & (segments.right >= 0)
    off = np.zeros(len(latest), dtype=np.int64)
    np.add.at(off, segments.left[both], segments.qty[both])
    latest["qty_u"] = latest["qty_u"].to_numpy() - off
    return _sorted(latest[latest["qty_u"] > 0])


def _from_orders(docs: pd.DataFrame, orders: pd.DataFrame | None, number: str, party: str
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(qty-weighted order price or NaN where no order covers the line, first order no
    with "(+n)" when it took several)."""
    price = np.full(len(docs), np.nan)
    names = np.full(len(docs), "", dtype=object)
    if orders is None or docs.empty:
        return price, names
    open_lines = orders[orders["status"].ne("cancelled")].sort_values(
        ["due_date", number, "line_no"], kind="stable").reset_index(drop=True)
    open_lines["party_code"] = open_lines[party].astype(str)
    codes = group_codes(docs, open_lines, by=_ORDER_KEY)
    segments = allocate(codes[0], docs["qty_u"].to_numpy(), codes[1],
                        units(open_lines["qty"].fillna(0.0)))
    both = (segments.left >= 0) & (segments.right >= 0)
    doc = segments.left[both]
    qty = segments.qty[both].astype("float64")
    value = qty * open_lines["unit_price"].fillna(0.0).to_numpy()[segments.right[both]]
    covered = np.bincount(doc, weights=qty, minlength=len(docs))
    worth = np.bincount(doc, weights=value, minlength=len(docs))
    hit = covered > 0
    whole = docs["qty_u"].to_numpy().astype("float64")
    # the part beyond the orders is valued at the line's own price
    own = docs["own_price"].to_numpy()
    price[hit] = (worth[hit] + (whole[hit] - covered[hit]) * own[hit]) / whole[hit]
    names = first_of(doc, open_lines[number].astype(str).iloc[segments.right[both]],
                     len(docs))
    return price, names


def _finish(docs: pd.DataFrame, side: str, kind: str) -> pd.DataFrame:
    docs["side"], docs["kind"] = side, kind
    docs["amount_c"] = cents(docs["qty_u"].to_numpy() / 1e6 * docs["price"].to_numpy())
    return docs[DOC_COLUMNS]


def _standard_costs(tables: Mapping[str, pd.DataFrame | None]) -> Mapping[str, float]:
    items = _present(tables, "items")
    if items is None or "standard_cost" not in items:
        return {}
    return items.drop_duplicates("item_code").set_index("item_code")["standard_cost"].fillna(
        0.0).to_dict()


def purchase_lines(tables: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Receipts into stock that a supplier invoice should cover."""
    parts = []
    receipts = _present(tables, "purchase_receipts")
    if receipts is not None:
        parts.append(_lines(_not_reversed(receipts), "supplier_code", "unit_cost"))
    accepted = _accepted(tables)
    if accepted is not None:
        parts.append(_lines(accepted, "supplier_code", "unit_cost"))
    if not parts:
        return pd.DataFrame(columns=DOC_COLUMNS)
    docs = _less_returns(_sorted(pd.concat(parts, ignore_index=True)),
                         _present(tables, "purchase_returns"))
    standard = docs["item_code"].map(_standard_costs(tables)).fillna(0.0).to_numpy()
    docs["own_price"] = np.where(docs["own_price"] > 0, docs["own_price"], standard)
    price, docs["order_no"] = _from_orders(docs, _present(tables, "purchase_orders"),
                                           "po_no", "supplier_code")
    docs["price"] = np.where(np.isnan(price), docs["own_price"], price)
    return _finish(docs, "purchase", "receipt")


def sales_lines(tables: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Shipments that a customer invoice should cover."""
    shipments = _present(tables, "shipments")
    if shipments is None:
        return pd.DataFrame(columns=DOC_COLUMNS)
    kept = _not_reversed(shipments)
    docs = _lines(kept, "customer_code", "unit_price")
    docs["named"] = kept["order_no"].fillna("").astype(str).to_numpy()
    docs = _sorted(docs)
    orders = _present(tables, "sales_orders")
    named = docs["named"].to_numpy() != ""
    fifo_price = np.full(len(docs), np.nan)
    fifo_order = np.full(len(docs), "", dtype=object)
    unnamed = np.flatnonzero(~named)
    fifo_price[unnamed], fifo_order[unnamed] = _from_orders(
        docs.iloc[unnamed].reset_index(drop=True), orders, "order_no", "customer_code")
    named_price = np.full(len(docs), np.nan)
    if orders is not None:
        first = orders.drop_duplicates(["order_no", "item_code"]).set_index(
            ["order_no", "item_code"])["unit_price"]
        index = pd.MultiIndex.from_arrays([docs["named"], docs["item_code"]])
        named_price = first.reindex(index).to_numpy(dtype="float64")
    order_price = np.where(named, named_price, fifo_price)
    docs["order_no"] = np.where(named, docs["named"], fifo_order)
    docs["price"] = np.where(docs["own_price"] > 0, docs["own_price"],
                             np.nan_to_num(order_price, nan=0.0))
    return _finish(docs, "sales", "shipment")
