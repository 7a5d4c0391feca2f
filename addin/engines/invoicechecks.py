"""Tax checks of invoice lines: tax rate against the expected rate, and tax amount against
amount × rate, per line and per invoice.

Invoicing software rounds tax per line, or computes it on the invoice total and spreads
it, so single lines may differ from amount × rate by a cent while the invoice as a whole
agrees. A line within the tolerance is listed as tax rounding (within tolerance); only a
line beyond it, or an invoice whose total tax disagrees beyond it, is a tax difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.invoicealloc import cents

DIFFERENCE_COLUMNS = ["kind", "within_tolerance", "side", "party_code", "item_code", "doc_no",
                      "invoice_no", "invoice_line", "expected", "actual", "difference",
                      "amount"]


def _shown_item(lines: pd.DataFrame) -> pd.Series:
    return lines["item_code"].where(lines["item_code"] != "", lines["goods"])


def _rows(lines: pd.DataFrame, kind: str, within: np.ndarray, expected: np.ndarray,
          actual: np.ndarray, amount: np.ndarray, line: pd.Series | None = None
          ) -> pd.DataFrame:
    return pd.DataFrame({
        "kind": kind, "within_tolerance": within.astype(bool),
        "side": lines["side"].to_numpy(), "party_code": lines["party_code"].to_numpy(),
        "item_code": _shown_item(lines).to_numpy() if "goods" in lines else "",
        "doc_no": "", "invoice_no": lines["id"].to_numpy(),
        "invoice_line": (lines["line_no"] if line is None else line).to_numpy(),
        "expected": expected, "actual": actual, "difference": actual - expected,
        "amount": amount}, columns=DIFFERENCE_COLUMNS)


def tax_differences(lines: pd.DataFrame, expected_rate: float | None,
                    tolerance: float) -> pd.DataFrame:
    """Difference rows for tax rate and tax amount; `lines` as `invoicelines.prepare`
    keeps them (`original`), amounts in positive cents."""
    rated = lines[lines["rate"].notna()]
    parts = []
    if expected_rate is not None:
        off = rated[(rated["rate"] - expected_rate).abs() > 1e-9]
        parts.append(_rows(off, "tax_rate", np.zeros(len(off)), np.full(len(off), expected_rate),
                           off["rate"].to_numpy(), off["tax_c"].to_numpy() / 100))
    limit = round(tolerance * 100)
    expected = cents(rated["amount_c"].to_numpy() / 100 * rated["rate"].to_numpy())
    gap = rated["tax_c"].to_numpy() - expected
    odd = gap != 0
    parts.append(_rows(rated[odd], "tax_rounding", np.abs(gap[odd]) <= limit,
                       expected[odd] / 100, rated["tax_c"].to_numpy()[odd] / 100,
                       gap[odd] / 100))
    parts[-1].loc[~parts[-1]["within_tolerance"], "kind"] = "tax"
    totals = rated.groupby(["id", "rate"], sort=True).agg(
        amount_c=("amount_c", "sum"), tax_c=("tax_c", "sum"), side=("side", "first"),
        party_code=("party_code", "first")).reset_index()
    whole = cents(totals["amount_c"].to_numpy() / 100 * totals["rate"].to_numpy())
    total_gap = totals["tax_c"].to_numpy() - whole
    bad = np.abs(total_gap) > limit
    wrong = totals[bad]
    parts.append(_rows(wrong.assign(item_code="", goods=""), "tax", np.zeros(len(wrong)),
                       whole[bad] / 100, wrong["tax_c"].to_numpy() / 100, total_gap[bad] / 100,
                       line=pd.Series([pd.NA] * len(wrong), dtype="Int64")))
    return pd.concat([p for p in parts if len(p)] or [parts[-1]], ignore_index=True)
