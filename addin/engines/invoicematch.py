"""Three-way matching (三单匹配): purchase order ↔ receipt ↔ supplier invoice and
sales order ↔ shipment ↔ customer invoice, with the month-end estimate (暂估) of
receipts not yet invoiced and the cost adjustment when the invoice comes at another price.

Rules (docs/invoices.md has a worked example):
* Voided invoices are ignored; red-letter lines first reverse the lines of the invoice
  they name (else the partner's latest lines of that item), see `invoicelines`.
* Within each side, partner and item, documents (by date) and invoice lines (by issue
  date) are laid end to end and cut into matched pieces (`invoicealloc.allocate`): one
  invoice may cover several receipts, several invoices one receipt, an invoice may come
  in a later month for the rest.
* A piece's invoice price (amount ÷ qty, excluding VAT) is compared with the order
  price: equal, within ± price tolerance (a fraction), or beyond it.
* A line whose unmatched rest is at most the qty tolerance counts as matched (a qty
  difference within tolerance); otherwise it is partially matched, or unmatched.
* Period (YYYY-MM): documents and invoices dated up to its end take part. Matches shown
  are those completed in the period; open lines, estimates and differences are as at
  its end. A receipt estimated at an earlier month end and invoiced in the period at
  another amount gives a cost adjustment in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.engines.invoicealloc import (
    QTY_SCALE,
    allocate,
    first_of,
    group_codes,
    spread,
    taken,
    units,
)
from addin.engines.invoicechecks import DIFFERENCE_COLUMNS, tax_differences
from addin.engines.invoicedocs import DOC_COLUMNS, purchase_lines, sales_lines
from addin.engines.invoicelearn import suggest_items
from addin.engines.invoicelines import prepare
from addin.issues import Issue

INPUTS = ("invoice_lines",)
OPTIONAL = ("purchase_orders", "purchase_receipts", "receipt_notices", "inspections",
            "purchase_returns", "sales_orders", "shipments", "items", "suppliers",
            "customers", "code_mappings")
OUTPUTS = ("invoice_matches", "match_partial", "match_unmatched", "match_differences",
           "estimated_receipts", "cost_adjustments", "suggested_mappings")
_NOBODY = "\x00"  # partner/item key of an invoice line nothing maps to: matches no document
NOTES = {"no_qty": ("发票行没有数量，无法按数量匹配", "No quantity on the invoice line"),
         "red_letter": ("红字发票未找到可冲销的发票", "Red-letter line that reversed nothing")}


@dataclass(frozen=True)
class MatchOptions:
    start: dt.date
    end: dt.date
    qty_tolerance: float = 0.0
    price_tolerance: float = 0.01
    tax_tolerance: float = 0.01
    tax_rate: float | None = 0.13
    tax_id: str = ""
    lang: str = "en"

    @property
    def period(self) -> str:
        return f"{self.start:%Y-%m}"


@dataclass
class MatchResult:
    matches: pd.DataFrame
    partial: pd.DataFrame
    unmatched: pd.DataFrame
    differences: pd.DataFrame
    estimated: pd.DataFrame
    adjustments: pd.DataFrame
    suggestions: pd.DataFrame  # goods name -> item mappings learnt from the open lines
    docs: pd.DataFrame       # every document line with its matched qty/amount and outcome
    invoices: pd.DataFrame   # every net invoice line, likewise
    issues: list[Issue] = field(default_factory=list)
    voided: int = 0

    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(zip(OUTPUTS, (self.matches, self.partial, self.unmatched,
                                  self.differences, self.estimated, self.adjustments,
                                  self.suggestions), strict=True))


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2026-11' -> (2026-11-01, 2026-11-30); ValueError when it is no month."""
    start = dt.date.fromisoformat(f"{period.strip()}-01")
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def latest_period(tables: Mapping[str, pd.DataFrame | None]) -> str | None:
    """The month of the latest document or invoice date (the default period)."""
    dates = [pd.to_datetime(f[c]).max() for n, c in (
        ("invoice_lines", "issue_date"), ("purchase_receipts", "doc_date"),
        ("inspections", "doc_date"), ("shipments", "doc_date"))
        if (f := tables.get(n)) is not None and len(f)]
    dates = [d for d in dates if pd.notna(d)]
    return f"{max(dates):%Y-%m}" if dates else None


def match_invoices(tables: Mapping[str, pd.DataFrame | None], options: MatchOptions
                   ) -> MatchResult:
    end = pd.Timestamp(options.end)
    prepared = prepare(tables["invoice_lines"], tables, options.tax_id, options.lang)
    docs = pd.concat([purchase_lines(tables), sales_lines(tables)], ignore_index=True).astype(
        {"qty_u": "int64", "amount_c": "int64", "price": "float64", "line_no": "int64",
         "doc_date": "datetime64[ns]"})
    docs = docs[pd.to_datetime(docs["doc_date"]) <= end].reset_index(drop=True)
    lines = prepared.lines[["side", "party_code", "item_code", "item_key", "goods", "spec", "id",
                            "line_no", "issue_date", "qty_u", "amount_c", "tax_c"]]
    lines = lines[(lines["issue_date"] <= end)
                  & ((lines["qty_u"] > 0) | (lines["amount_c"] != 0))].reset_index(drop=True)
    lines["party_key"] = lines["party_code"].where(lines["party_code"] != "", _NOBODY)
    docs["item_key"], docs["party_key"] = docs["item_code"], docs["party_code"]
    codes = group_codes(docs, lines, by=["side", "party_key", "item_key"])
    segments = allocate(codes[0], docs["qty_u"].to_numpy(), codes[1], lines["qty_u"].to_numpy())
    doc_amount = spread(docs["amount_c"].to_numpy(), docs["qty_u"].to_numpy(),
                        segments.left, segments.qty)
    invoice_amount = spread(lines["amount_c"].to_numpy(), lines["qty_u"].to_numpy(),
                            segments.right, segments.qty)
    both = (segments.left >= 0) & (segments.right >= 0)
    pairs = _pairs(docs, lines, segments.left[both], segments.right[both],
                   segments.qty[both], doc_amount[both], invoice_amount[both], options)
    tolerance = int(units(options.qty_tolerance))
    docs = _outcome(docs, taken(segments, len(docs), "left"), pairs, "doc", tolerance)
    lines = _outcome(lines, taken(segments, len(lines), "right"), pairs, "inv", tolerance)
    start = pd.Timestamp(options.start)
    checked = prepared.original
    checked = checked[(checked["issue_date"] >= start) & (checked["issue_date"] <= end)]
    differences = pd.concat([
        _price_differences(pairs), _qty_differences(docs, lines),
        tax_differences(checked, options.tax_rate, options.tax_tolerance)],
        ignore_index=True)
    completed = np.maximum(pairs["doc_date"], pairs["issue_date"]) >= start
    reds = prepared.reds[prepared.reds["issue_date"] <= end]
    return MatchResult(
        matches=_match_table(pairs[completed]),
        partial=_open_table(docs, lines, "partial", options.lang),
        unmatched=pd.concat([_open_table(docs, lines, "unmatched", options.lang),
                             _red_rest(reds, options.lang)], ignore_index=True),
        differences=_sort_differences(differences),
        estimated=_estimated(docs),
        adjustments=_adjustments(pairs, start, end, options.period),
        suggestions=suggest_items(docs, lines, options.lang),
        docs=docs, invoices=lines, issues=prepared.issues, voided=prepared.voided)


def _pairs(docs: pd.DataFrame, lines: pd.DataFrame, left: np.ndarray, right: np.ndarray,
           qty: np.ndarray, doc_amount: np.ndarray, invoice_amount: np.ndarray,
           options: MatchOptions) -> pd.DataFrame:
    d, i = docs.iloc[left], lines.iloc[right]
    line_qty = i["qty_u"].to_numpy() / QTY_SCALE
    invoice_price = np.round(i["amount_c"].to_numpy() / 100 / line_qty, 6)
    order_price = np.round(d["price"].to_numpy(dtype="float64"), 6)
    gap = np.abs(invoice_price - order_price)
    relative = np.divide(gap, order_price, out=np.where(gap > 0, np.inf, 0.0),
                         where=order_price > 0)
    status = np.select([gap < 5e-7, relative <= options.price_tolerance + 1e-12],
                       ["matched", "price_within"], "price_beyond")
    return pd.DataFrame({
        "side": d["side"].to_numpy(), "party_code": d["party_code"].to_numpy(),
        "item_code": d["item_code"].to_numpy(), "doc_no": d["doc_no"].to_numpy(),
        "doc_line": d["line_no"].to_numpy(), "doc_date": d["doc_date"].to_numpy(),
        "order_no": d["order_no"].to_numpy(), "invoice_no": i["id"].to_numpy(),
        "invoice_line": i["line_no"].to_numpy(), "issue_date": i["issue_date"].to_numpy(),
        "qty": qty / QTY_SCALE, "order_price": order_price, "invoice_price": invoice_price,
        "doc_amount": doc_amount / 100, "invoice_amount": invoice_amount / 100,
        "difference": (invoice_amount - doc_amount) / 100, "status": status,
        "doc": left, "inv": right})


def _outcome(frame: pd.DataFrame, matched_qty: np.ndarray, pairs: pd.DataFrame,
             own: str, tolerance: int) -> pd.DataFrame:
    """Matched qty and amount of each line, what remains, its outcome and the first
    document on the other side."""
    frame = frame.copy()
    amount = pairs["doc_amount" if own == "doc" else "invoice_amount"].to_numpy()
    matched_amount = np.zeros(len(frame), dtype=np.int64)
    np.add.at(matched_amount, pairs[own].to_numpy(), np.rint(amount * 100).astype(np.int64))
    frame["matched_u"], frame["matched_c"] = matched_qty, matched_amount
    rest = frame["qty_u"].to_numpy() - matched_qty
    frame["outcome"] = np.select([(matched_qty == 0), rest <= tolerance],
                                 ["unmatched", "matched"], "partial")
    other = "invoice_no" if own == "doc" else "doc_no"
    frame["counterpart"] = first_of(pairs[own].to_numpy(), pairs[other], len(frame))
    return frame


_OPEN = ["side", "kind", "party_code", "item_code", "doc_no", "line_no", "doc_date", "qty",
         "matched_qty", "remaining_qty", "amount", "remaining_amount", "counterpart", "note"]


def _open_rows(frame: pd.DataFrame, kind: object, number: str, date: str, item: pd.Series,
               note: object = "") -> pd.DataFrame:
    return pd.DataFrame({
        "side": frame["side"].to_numpy(), "kind": kind,
        "party_code": frame["party_code"].to_numpy(), "item_code": item.to_numpy(),
        "doc_no": frame[number].to_numpy(), "line_no": frame["line_no"].to_numpy(),
        "doc_date": frame[date].to_numpy(), "qty": frame["qty_u"].to_numpy() / QTY_SCALE,
        "matched_qty": frame["matched_u"].to_numpy() / QTY_SCALE,
        "remaining_qty": (frame["qty_u"] - frame["matched_u"]).to_numpy() / QTY_SCALE,
        "amount": frame["amount_c"].to_numpy() / 100,
        "remaining_amount": (frame["amount_c"] - frame["matched_c"]).to_numpy() / 100,
        "counterpart": frame["counterpart"].to_numpy(), "note": note}, columns=_OPEN)


def _shown_item(lines: pd.DataFrame) -> pd.Series:
    return lines["item_code"].where(lines["item_code"] != "", lines["goods"])


def _note(code: str, lang: str) -> str:
    return NOTES[code][0 if lang == "zh" else 1]


def _open_table(docs: pd.DataFrame, lines: pd.DataFrame, outcome: str, lang: str
                ) -> pd.DataFrame:
    d = docs[docs["outcome"] == outcome]
    i = lines[lines["outcome"] == outcome]
    no_qty = np.where(i["qty_u"].to_numpy() == 0, _note("no_qty", lang), "")
    return pd.concat([_open_rows(d, d["kind"], "doc_no", "doc_date", d["item_code"]),
                      _open_rows(i, "invoice", "id", "issue_date", _shown_item(i), no_qty)],
                     ignore_index=True)


def _red_rest(reds: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Red-letter amounts nothing absorbed: negative, unmatched invoice lines."""
    rest = reds.assign(qty_u=-reds["qty_u"], amount_c=-reds["amount_c"], matched_u=0,
                       matched_c=0, counterpart="")
    return _open_rows(rest, "invoice", "id", "issue_date", _shown_item(rest),
                      _note("red_letter", lang))


def _price_differences(pairs: pd.DataFrame) -> pd.DataFrame:
    off = pairs[pairs["status"] != "matched"]
    return pd.DataFrame({
        "kind": "price", "within_tolerance": off["status"].eq("price_within").to_numpy(),
        "side": off["side"].to_numpy(), "party_code": off["party_code"].to_numpy(),
        "item_code": off["item_code"].to_numpy(), "doc_no": off["doc_no"].to_numpy(),
        "invoice_no": off["invoice_no"].to_numpy(),
        "invoice_line": off["invoice_line"].to_numpy(),
        "expected": off["order_price"].to_numpy(), "actual": off["invoice_price"].to_numpy(),
        "difference": (off["invoice_price"] - off["order_price"]).to_numpy(),
        "amount": off["difference"].to_numpy()}, columns=DIFFERENCE_COLUMNS)


def _qty_differences(docs: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Lines counted as matched although a rest within the qty tolerance is left."""
    parts = []
    for frame, number, invoice in ((docs, "doc_no", ""), (lines, "id", "id")):
        off = frame[(frame["outcome"] == "matched") & (frame["matched_u"] < frame["qty_u"])]
        parts.append(pd.DataFrame({
            "kind": "qty", "within_tolerance": True, "side": off["side"].to_numpy(),
            "party_code": off["party_code"].to_numpy(),
            "item_code": off["item_code"].to_numpy(),
            "doc_no": off[number].to_numpy() if not invoice else off["counterpart"].to_numpy(),
            "invoice_no": off["id"].to_numpy() if invoice else off["counterpart"].to_numpy(),
            "invoice_line": off["line_no"].to_numpy() if invoice else pd.NA,
            "expected": off["qty_u"].to_numpy() / QTY_SCALE,
            "actual": off["matched_u"].to_numpy() / QTY_SCALE,
            "difference": (off["matched_u"] - off["qty_u"]).to_numpy() / QTY_SCALE,
            "amount": (off["matched_c"] - off["amount_c"]).to_numpy() / 100},
            columns=DIFFERENCE_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def _sort_differences(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"within_tolerance": bool})
    frame["invoice_line"] = pd.array(frame["invoice_line"], dtype="Int64")
    return frame.sort_values(["kind", "side", "party_code", "invoice_no", "invoice_line",
                              "doc_no"], kind="stable").reset_index(drop=True)


def _match_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pieces come in allocation order already: side, partner, item, then document
    (date, number, line) and invoice (issue date, number, line)."""
    return pairs.drop(columns=["doc", "inv"]).reset_index(drop=True)


def _estimated(docs: pd.DataFrame) -> pd.DataFrame:
    """Receipts not (fully) invoiced at period end, valued at the order price."""
    open_ = docs[(docs["side"] == "purchase") & (docs["outcome"] != "matched")]
    return pd.DataFrame({
        "supplier_code": open_["party_code"].to_numpy(),
        "item_code": open_["item_code"].to_numpy(), "doc_no": open_["doc_no"].to_numpy(),
        "line_no": open_["line_no"].to_numpy(), "doc_date": open_["doc_date"].to_numpy(),
        "order_no": open_["order_no"].to_numpy(),
        "qty": open_["qty_u"].to_numpy() / QTY_SCALE,
        "invoiced_qty": open_["matched_u"].to_numpy() / QTY_SCALE,
        "uninvoiced_qty": (open_["qty_u"] - open_["matched_u"]).to_numpy() / QTY_SCALE,
        "order_price": open_["price"].to_numpy(dtype="float64"),
        "estimated_amount": (open_["amount_c"] - open_["matched_c"]).to_numpy() / 100})


def _adjustments(pairs: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                 period: str) -> pd.DataFrame:
    """Receipts of an earlier period (estimated at its end) invoiced in this one at
    another amount: the difference adjusts cost in this period."""
    hit = pairs[(pairs["side"] == "purchase") & (pairs["issue_date"] >= start)
                & (pairs["issue_date"] <= end) & (pairs["doc_date"] < start)
                & (pairs["difference"].abs() > 0.001)]
    return pd.DataFrame({
        "period": period, "supplier_code": hit["party_code"].to_numpy(),
        "item_code": hit["item_code"].to_numpy(), "doc_no": hit["doc_no"].to_numpy(),
        "line_no": hit["doc_line"].to_numpy(), "doc_date": hit["doc_date"].to_numpy(),
        "invoice_no": hit["invoice_no"].to_numpy(),
        "invoice_line": hit["invoice_line"].to_numpy(),
        "issue_date": hit["issue_date"].to_numpy(), "qty": hit["qty"].to_numpy(),
        "order_price": hit["order_price"].to_numpy(),
        "invoice_price": hit["invoice_price"].to_numpy(),
        "estimated_amount": hit["doc_amount"].to_numpy(),
        "invoice_amount": hit["invoice_amount"].to_numpy(),
        "adjustment": hit["difference"].to_numpy()})


__all__ = ["DOC_COLUMNS", "INPUTS", "OPTIONAL", "OUTPUTS", "MatchOptions", "MatchResult",
           "latest_period", "match_invoices", "period_bounds"]
