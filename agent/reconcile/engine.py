"""Reconciliation engine: pure pandas, a table's rows + a rule -> what agrees and what not.

`reconcile(rule, rows, mappings)` takes the canonical rows of one table (with the
provenance columns `_platform`, `_file`, `_row`, and optionally `_changed`) and the
code-mapping table, and returns counts plus one long table of findings:
only in A, only in B, different (one row per differing field with both values and the
difference), duplicates, and — for identity rules — things with two codes and the code
mappings that would join them. Everything is whole-column work: the two sides meet in
one outer merge, each field is compared as a column.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from agent.reconcile.findings import (
    CHANGED,
    PROVENANCE,
    RuleResult,
    changed_flags,
    empty_suggestions,
    finish,
    key_text,
    provenance_columns,
    value_text,
)
from agent.reconcile.identity import identify
from agent.reconcile.rules import FieldRule, Rule


def reconcile(rule: Rule, rows: pd.DataFrame, mappings: pd.DataFrame) -> RuleResult:
    """Apply one rule to the rows of its table (all platforms) and the code mappings."""
    rows = rows if CHANGED in rows else rows.assign(**{CHANGED: False})
    if rule.kind == "identity":
        return identify(rule, rows, mappings)
    return compare(rule, rows, mappings)


# -- compare two sides ---------------------------------------------------------------------

def compare(rule: Rule, rows: pd.DataFrame, mappings: pd.DataFrame) -> RuleResult:
    key = list(rule.key)
    a, dup_a = _unique(side_rows(rule, rows, rule.a, mappings, rule.where_a), key)
    b, dup_b = _unique(side_rows(rule, rows, rule.b, mappings, rule.where_b), key)
    merged = a.merge(b, on=key, how="outer", suffixes=("_a", "_b"), indicator=True)
    merged["key"] = key_text(merged, rule)
    found = [_one_sided(merged[merged["_merge"] == "left_only"], rule, "only_in_a"),
             _one_sided(merged[merged["_merge"] == "right_only"], rule, "only_in_b"),
             _duplicates(dup_a, rule, "duplicate_a", "_a"),
             _duplicates(dup_b, rule, "duplicate_b", "_b")]
    both = merged[merged["_merge"] == "both"].reset_index(drop=True)
    differing = np.zeros(len(both), dtype=bool)
    for field_rule in rule.fields:
        differs, difference = compare_field(both, field_rule, rule)
        differing |= differs
        found.append(_field_rows(both[differs], field_rule.column, difference[differs], rule))
    differences = finish(found)
    return RuleResult(rule, len(a) + len(dup_a), len(b) + len(dup_b),
                      matched=int((~differing).sum()), only_in_a=len(found[0]),
                      only_in_b=len(found[1]), different=int(differing.sum()),
                      duplicates=len(dup_a) + len(dup_b), differences=differences,
                      suggestions=empty_suggestions())


def side_rows(rule: Rule, rows: pd.DataFrame, platforms: tuple[str, ...],
              mappings: pd.DataFrame,
              where: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """One side's rows (its platforms, filtered by `where`), keys rewritten and codes
    mapped, aggregated if the rule says so."""
    wanted = list(dict.fromkeys([*rule.key, *(f.column for f in rule.fields),
                                 *rule.codes, *PROVENANCE, CHANGED]))
    mine = rows["_platform"].isin(platforms).to_numpy(copy=True)
    for column, values in (where or {}).items():
        mine &= rows[column].astype(str).isin(values).to_numpy()
    side = rows.loc[mine, wanted].reset_index(drop=True)
    for platform, columns in rule.rewrite.items():
        mine = (side["_platform"] == platform).to_numpy()
        if mine.any():
            for column, (pattern, replacement) in columns.items():
                side.loc[mine, column] = side.loc[mine, column].astype(str).str.replace(
                    pattern, replacement, regex=True)
    for column, entity in rule.codes.items():
        side[column] = map_codes(side, column, mappings[mappings["entity"] == entity])
    return _aggregate(side, rule) if rule.aggregate else side


def map_codes(side: pd.DataFrame, column: str, mappings: pd.DataFrame) -> pd.Series:
    """`column` through the code mappings of each row's own platform; unmapped codes
    stay as they are (they may be canonical already)."""
    lookup = (mappings.drop_duplicates(["platform", "external_code"])
              .set_index(["platform", "external_code"])["canonical_code"])
    wanted = pd.MultiIndex.from_arrays([side["_platform"], side[column]])
    mapped = lookup.reindex(wanted).to_numpy(dtype=object, copy=True)
    keep = pd.isna(mapped)
    mapped[keep] = side[column].to_numpy(dtype=object)[keep]
    return pd.Series(mapped, index=side.index, dtype=side[column].dtype)


def _aggregate(side: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """One row per key: compared numbers summed (stock over locations and lots)."""
    spec = rule.spec
    how = {f.column: ("sum" if spec.column(f.column).type in ("number", "integer")
                      else "first") for f in rule.fields}
    how |= {"_platform": "first", "_file": "first", "_row": "min", CHANGED: "any"}
    return side.groupby(list(rule.key), sort=False, dropna=False).agg(how).reset_index()


def _unique(side: pd.DataFrame, key: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first row of each key, and the later rows that repeat a key."""
    again = side.duplicated(key, keep="first").to_numpy()
    return side[~again], side[again]


def compare_field(both: pd.DataFrame, field_rule: FieldRule,
                  rule: Rule) -> tuple[np.ndarray, np.ndarray]:
    """Which matched rows differ in this field beyond tolerance, and by how much (B − A;
    days for dates, NaN where a difference has no number)."""
    a, b = both[f"{field_rule.column}_a"], both[f"{field_rule.column}_b"]
    kind = rule.spec.column(field_rule.column).type
    if kind in ("number", "integer"):
        x, y = (pd.to_numeric(s).to_numpy(dtype="float64", na_value=np.nan) for s in (a, b))
        difference = y - x
        scale = np.fmax(np.abs(x), np.abs(y))
        allowed = np.fmax(field_rule.tolerance, field_rule.tolerance_pct / 100 * scale)
        # a hair of relative slack so that 0.1 + 0.2 equals 0.3
        within = np.abs(difference) <= allowed + 1e-9 * np.fmax(1.0, scale)
        return ~(within | (np.isnan(x) & np.isnan(y))), difference
    if kind == "date":
        days = ((pd.to_datetime(b) - pd.to_datetime(a)) / pd.Timedelta(days=1)).to_numpy(
            dtype="float64", na_value=np.nan)
        same_blank = (a.isna() & b.isna()).to_numpy()
        return ~((np.abs(days) <= field_rule.tolerance_days) | same_blank), days
    nothing = np.full(len(both), np.nan)
    if kind == "bool":
        return (a.astype(bool) != b.astype(bool)).to_numpy(), nothing
    x = _words(a, field_rule.map_a)
    y = _words(b, field_rule.map_b)
    return (x != y).to_numpy(), nothing


def _words(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """Text as compared: stripped, and mapped to the words both sides share."""
    text = values.fillna("").astype(str).str.strip()
    return text.replace(dict(mapping)) if mapping else text


# -- output rows ---------------------------------------------------------------------------

def _one_sided(frame: pd.DataFrame, rule: Rule, status: str) -> pd.DataFrame:
    suffix = "_a" if status == "only_in_a" else "_b"
    return pd.DataFrame({"rule": rule.name, "status": status, "key": frame["key"].to_numpy(),
                         "field": "", "a_value": "", "b_value": "", "difference": np.nan,
                         **provenance_columns(frame, suffix, suffix[1]),
                         "changed": changed_flags(frame)}, index=range(len(frame)))


def _duplicates(frame: pd.DataFrame, rule: Rule, status: str, suffix: str) -> pd.DataFrame:
    side = suffix[1]
    renamed = frame.rename(columns={c: f"{c}{suffix}" for c in PROVENANCE})
    return pd.DataFrame({"rule": rule.name, "status": status,
                         "key": key_text(frame, rule).to_numpy(), "field": "",
                         "a_value": "", "b_value": "", "difference": np.nan,
                         **provenance_columns(renamed, suffix, side),
                         "changed": changed_flags(frame)}, index=range(len(frame)))


def _field_rows(frame: pd.DataFrame, column: str, difference: np.ndarray,
                rule: Rule) -> pd.DataFrame:
    kind = rule.spec.column(column).type
    return pd.DataFrame({
        "rule": rule.name, "status": "different", "key": frame["key"].to_numpy(),
        "field": column, "a_value": value_text(frame[f"{column}_a"], kind).to_numpy(),
        "b_value": value_text(frame[f"{column}_b"], kind).to_numpy(),
        "difference": difference, **provenance_columns(frame, "_a", "a"),
        **provenance_columns(frame, "_b", "b"), "changed": changed_flags(frame)},
        index=range(len(frame)))


__all__ = ["RuleResult", "compare", "compare_field", "map_codes", "reconcile", "side_rows"]
