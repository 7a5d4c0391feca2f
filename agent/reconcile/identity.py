"""One thing, two codes: customers or items that different platforms (or careless typing)
filed under two codes, found by shared name + spec, tax ID, or external code.

For each group of rows that agree on a rule's `match` columns (compared after Unicode
NFKC folding, case folding and removing spaces) but carry more than one code, the
code of a row from a master platform (the rule's side B, e.g. the ERP) is taken as the
canonical one — else the smallest code — and every other code becomes a suggested
code mapping, unless the mapping table has it already.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agent.reconcile.findings import (
    SUGGEST_COLUMNS,
    RuleResult,
    empty_suggestions,
    finish,
)
from agent.reconcile.rules import Rule

_GROUP = "_group"


def identify(rule: Rule, rows: pd.DataFrame, mappings: pd.DataFrame) -> RuleResult:
    # side A names the platforms to look at (default: all); side B the master ones
    side = rows[rows["_platform"].isin((*rule.a, *rule.b))] if rule.a else rows
    side = side.reset_index(drop=True)
    masters = side["_platform"].isin(rule.b).to_numpy()
    findings = [_same_values(side, columns, rule) for columns in rule.match]
    if rule.external:
        findings.append(_same_external(side, mappings, rule))
    pairs = pd.concat([f for f in findings if len(f)] or [_no_pairs()], ignore_index=True)
    pairs = _drop_known(pairs, mappings, rule).drop_duplicates(
        ["platform", "external_code"], keep="first")
    suggestions = pairs.reindex(columns=SUGGEST_COLUMNS)
    suggestions = suggestions.sort_values(["platform", "external_code"]).reset_index(drop=True)
    differences = finish([_finding_rows(pairs, rule)])
    return RuleResult(rule, int((~masters).sum()), int(masters.sum()), matched=0,
                      only_in_a=0, only_in_b=0, different=len(differences), duplicates=0,
                      differences=differences,
                      suggestions=suggestions if len(suggestions) else empty_suggestions())


def folded(values: pd.Series) -> pd.Series:
    """Text compared loosely: NFKC (full-width → half-width), case-folded, no spaces."""
    text = values.fillna("").astype(str).str.normalize("NFKC").str.casefold()
    return text.str.replace(r"\s+", "", regex=True)


def _same_values(side: pd.DataFrame, columns: tuple[str, ...], rule: Rule) -> pd.DataFrame:
    """Rows sharing all of `columns` under different codes, each paired with the group's
    canonical row. A row takes part when its first column (the name, the tax ID) is
    filled; the others may be blank on both sides ("Wall fan" with no spec)."""
    parts = [folded(side[c]) for c in columns]
    blank = (parts[0] == "").to_numpy()
    group = parts[0]
    for part in parts[1:]:
        group = group + "\x1f" + part
    candidates = side.assign(**{_GROUP: group})[~blank]
    codes = candidates.groupby(_GROUP)[rule.code].transform("nunique")
    candidates = candidates[codes > 1]
    evidence = candidates[columns[0]].astype(str)
    for column in columns[1:]:
        evidence = evidence + " | " + candidates[column].astype(str)
    reason = " + ".join(columns)  # the report says "same …" in the workbook's language
    return _pair_with_canonical(candidates.assign(_evidence=evidence), rule, reason)


def _pair_with_canonical(candidates: pd.DataFrame, rule: Rule, reason: str) -> pd.DataFrame:
    if candidates.empty:
        return _no_pairs()
    ranked = candidates.assign(_rank=(~candidates["_platform"].isin(rule.b)).astype(int))
    canonical = (ranked.sort_values([_GROUP, "_rank", rule.code], kind="mergesort")
                 .drop_duplicates(_GROUP).set_index(_GROUP))
    chosen = canonical[[rule.code, "_platform", "_file", "_row"]]
    pairs = ranked.join(chosen.add_suffix("_canonical"), on=_GROUP)
    pairs = pairs[pairs[rule.code] != pairs[f"{rule.code}_canonical"]]
    return pd.DataFrame({
        "platform": pairs["_platform"].to_numpy(), "entity": rule.mapping_entity,
        "external_code": pairs[rule.code].to_numpy(),
        "canonical_code": pairs[f"{rule.code}_canonical"].to_numpy(), "rule": rule.name,
        "reason": reason, "evidence": pairs["_evidence"].to_numpy(),
        "a_file": pairs["_file"].to_numpy(), "a_row": pairs["_row"].to_numpy(),
        "b_platform": pairs["_platform_canonical"].to_numpy(),
        "b_file": pairs["_file_canonical"].to_numpy(),
        "b_row": pairs["_row_canonical"].to_numpy(),
        "changed": pairs["_changed"].to_numpy(dtype=bool)})


def _same_external(side: pd.DataFrame, mappings: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """Mapping rows where one external code leads to two canonical codes: suggest
    re-pointing the others at the code the master platforms' rows use (else the
    smallest). The suggestion replaces that platform's existing mapping row."""
    maps = mappings[mappings["entity"] == rule.mapping_entity]
    maps = maps[maps.groupby("external_code")["canonical_code"].transform("nunique") > 1]
    if maps.empty:
        return _no_pairs()
    master_codes = side.loc[side["_platform"].isin(rule.b), rule.code].unique()
    ranked = maps.assign(_rank=(~maps["canonical_code"].isin(master_codes)).astype(int))
    preferred = (ranked.sort_values(["external_code", "_rank", "canonical_code"],
                                    kind="mergesort")
                 .drop_duplicates("external_code").set_index("external_code")["canonical_code"])
    ranked["_preferred"] = ranked["external_code"].map(preferred)
    others = ranked[ranked["canonical_code"] != ranked["_preferred"]]
    return pd.DataFrame({
        "platform": others["platform"].to_numpy(), "entity": rule.mapping_entity,
        "external_code": others["external_code"].to_numpy(),
        "canonical_code": others["_preferred"].to_numpy(), "rule": rule.name,
        "reason": "external_code",
        "evidence": ("now → " + others["canonical_code"].astype(str)).to_numpy(),
        "a_file": "", "a_row": pd.NA, "b_platform": "", "b_file": "", "b_row": pd.NA,
        "changed": False}, index=range(len(others)))


def _drop_known(pairs: pd.DataFrame, mappings: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """Leave out suggestions the code-mapping table already holds exactly."""
    known = mappings.loc[mappings["entity"] == rule.mapping_entity,
                         ["platform", "external_code", "canonical_code"]]
    merged = pairs.merge(known.drop_duplicates(), how="left", indicator="_known",
                         on=["platform", "external_code", "canonical_code"])
    return merged[merged["_known"] == "left_only"].drop(columns="_known")


def _finding_rows(pairs: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    return pd.DataFrame({
        "rule": rule.name, "status": "same_thing",
        "key": pairs["canonical_code"].to_numpy(), "field": pairs["reason"].to_numpy(),
        "a_value": pairs["external_code"].to_numpy(),
        "b_value": pairs["canonical_code"].to_numpy(), "difference": np.nan,
        "a_platform": pairs["platform"].to_numpy(), "a_file": pairs["a_file"].to_numpy(),
        "a_row": pairs["a_row"].to_numpy(), "b_platform": pairs["b_platform"].to_numpy(),
        "b_file": pairs["b_file"].to_numpy(), "b_row": pairs["b_row"].to_numpy(),
        "changed": pairs["changed"].to_numpy(dtype=bool)}, index=range(len(pairs)))


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in (
        "platform", "entity", "external_code", "canonical_code", "rule", "reason",
        "evidence", "a_file", "a_row", "b_platform", "b_file", "b_row", "changed")})


__all__ = ["folded", "identify"]
