"""Learning item mappings from the match: goods names that map to no item get a
suggested code mapping when the partner's open documents point to one item.

An invoice line whose goods match no item is compared with the same partner's documents
still open after matching. The item suggested is the one whose open quantity equals the
invoice line's most often; ties suggest nothing. Only when the partner has one unknown
goods name and one open item do they pair without a quantity to go by. Copying the
suggestion's first four columns into Code mappings accepts it, and the next run matches
those lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUGGESTION_COLUMNS = ["platform", "entity", "external_code", "canonical_code", "rule",
                      "reason", "evidence"]
REASONS = {"same_qty": ("与未开票单据数量相同", "same qty as an open document"),
           "only_item": ("该往来单位唯一未开票的物料", "the partner's only open item")}


def suggest_items(docs: pd.DataFrame, lines: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Suggested (goods name + spec -> item) mappings; `docs` and `lines` as
    `invoicematch` leaves them (with qty_u, matched_u and outcome)."""
    unknown = lines[(lines["item_code"] == "") & (lines["party_code"] != "")
                    & (lines["qty_u"] > 0)]
    open_docs = docs[docs["outcome"] != "matched"]
    if unknown.empty or open_docs.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    spec = unknown["spec"].astype(str).str.strip()
    unknown = unknown.assign(external=(unknown["goods"] + " " + spec).str.strip())
    rest = open_docs.assign(rest_u=open_docs["qty_u"] - open_docs["matched_u"])
    pairs = unknown[["side", "party_code", "external", "id", "qty_u"]].merge(
        rest[["side", "party_code", "item_code", "doc_no", "rest_u"]],
        on=["side", "party_code"])
    pairs["same"] = pairs["qty_u"] == pairs["rest_u"]
    pairs = pairs.sort_values(["side", "party_code", "external", "item_code", "same", "id",
                               "doc_no"], ascending=[True] * 4 + [False, True, True])
    per_item = pairs.groupby(["side", "party_code", "external", "item_code"], sort=True).agg(
        hits=("same", "sum"), invoice=("id", "first"), doc=("doc_no", "first"),
        qty=("qty_u", "first")).reset_index()
    items = per_item.groupby(["side", "party_code", "external"])["item_code"].transform("size")
    best = per_item.groupby(["side", "party_code", "external"])["hits"].transform("max")
    ties = (per_item["hits"] == best).groupby(
        [per_item["side"], per_item["party_code"], per_item["external"]]).transform("sum")
    goods = per_item.groupby(["side", "party_code"])["external"].transform("nunique")
    alone = (items == 1) & (goods == 1)  # one unknown goods, one open item: they pair
    chosen = per_item[((best > 0) & (per_item["hits"] == best) & (ties == 1)) | alone]
    reason = np.where(chosen["hits"] > 0, "same_qty", "only_item")
    qty = (chosen["qty"] / 1e6).map(lambda q: f"{q:g}")
    return pd.DataFrame({
        "platform": "einvoice", "entity": "item", "external_code": chosen["external"],
        "canonical_code": chosen["item_code"], "rule": "match",
        "reason": [REASONS[r][0 if lang == "zh" else 1] for r in reason],
        "evidence": chosen["invoice"] + " " + qty + " ↔ " + chosen["doc"],
    }, columns=SUGGESTION_COLUMNS).drop_duplicates(
        ["platform", "entity", "external_code"], keep=False).reset_index(drop=True)
