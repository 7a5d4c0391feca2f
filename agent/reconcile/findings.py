"""The findings of reconciliation: the result record, and the long table of findings
(one row per missing key, differing field, duplicate or second code) with readable
values and the provenance of both sides."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.schema.reconcile import RECONCILE_DIFFERENCES, SUGGESTED_MAPPINGS
from agent.reconcile.rules import Rule

CHANGED = "_changed"  # optional input column: the row changed since the last run
PROVENANCE = ("_platform", "_file", "_row")
DIFF_COLUMNS = RECONCILE_DIFFERENCES.column_names
SUGGEST_COLUMNS = SUGGESTED_MAPPINGS.column_names
STATUS_ORDER = {"different": 0, "only_in_a": 1, "only_in_b": 2, "duplicate_a": 3,
                "duplicate_b": 4, "same_thing": 5}
KEY_SEPARATOR = " | "


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    a_rows: int
    b_rows: int
    matched: int
    only_in_a: int
    only_in_b: int
    different: int      # keys with at least one field beyond tolerance
    duplicates: int
    differences: pd.DataFrame
    suggestions: pd.DataFrame

    @property
    def changed(self) -> int:
        return int(self.differences["changed"].sum())


def key_text(frame: pd.DataFrame, rule: Rule) -> pd.Series:
    """The matching key as one readable text, e.g. "SO-1001 | 2"."""
    parts = [value_text(frame[k], rule.spec.column(k).type) for k in rule.key]
    text = parts[0]
    for part in parts[1:]:
        text = text + KEY_SEPARATOR + part
    return text


def value_text(values: pd.Series, kind: str) -> pd.Series:
    """Values as the text a person reads: 2400 not 2400.0, dates as 2026-12-01."""
    if kind == "date":
        return pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("")
    if kind in ("number", "integer"):
        x = pd.to_numeric(values).to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(x)
        whole = finite & (x == np.round(x)) & (np.abs(x) < 2**53)
        out = x.astype(str).astype(object)
        out[whole] = x[whole].astype("int64").astype(str)
        out[~finite] = ""
        return pd.Series(out, index=values.index, dtype=object)
    return values.astype(object).where(values.notna(), "").astype(str)


def provenance_columns(frame: pd.DataFrame, suffix: str, side: str) -> dict[str, object]:
    if f"_platform{suffix}" not in frame:
        return {f"{side}_platform": "", f"{side}_file": "", f"{side}_row": pd.NA}
    return {f"{side}_platform": frame[f"_platform{suffix}"].fillna("").to_numpy(),
            f"{side}_file": frame[f"_file{suffix}"].fillna("").to_numpy(),
            f"{side}_row": pd.array(frame[f"_row{suffix}"], dtype="Int64")}


def changed_flags(frame: pd.DataFrame) -> np.ndarray:
    flags = [frame[c].fillna(False).astype(bool).to_numpy()
             for c in (f"{CHANGED}_a", f"{CHANGED}_b", CHANGED) if c in frame]
    return np.logical_or.reduce(flags) if flags else np.zeros(len(frame), dtype=bool)


def finish(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The findings in a fixed order: status, key, then the rule's field order (the
    parts come field by field and the sort is stable)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_differences()
    out = pd.concat(parts, ignore_index=True).reindex(columns=DIFF_COLUMNS)
    order = out["status"].map(STATUS_ORDER)
    out = out.assign(_order=order).sort_values(["_order", "key"], kind="mergesort")
    out = out.drop(columns="_order").reset_index(drop=True)
    for side in ("a_row", "b_row"):
        out[side] = pd.array(out[side], dtype="Int64")
    texts = [c for c in DIFF_COLUMNS if c not in ("difference", "a_row", "b_row", "changed")]
    out[texts] = out[texts].astype(object).fillna("")
    out["changed"] = out["changed"].fillna(False).astype(bool)
    return out


def empty_differences() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in DIFF_COLUMNS})
    frame["difference"] = frame["difference"].astype("float64")
    frame["changed"] = frame["changed"].astype(bool)
    for side in ("a_row", "b_row"):
        frame[side] = frame[side].astype("Int64")
    return frame


def empty_suggestions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SUGGEST_COLUMNS})


__all__ = ["CHANGED", "DIFF_COLUMNS", "KEY_SEPARATOR", "PROVENANCE", "STATUS_ORDER",
           "SUGGEST_COLUMNS", "RuleResult", "changed_flags", "empty_differences",
           "empty_suggestions", "finish", "key_text", "provenance_columns", "value_text"]
