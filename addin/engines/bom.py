"""BOM lines (DOMAIN §1): usage, effectivity, versions, explosion, where-used, line checks.

Conventions shared by every engine that reads the BOM
-----------------------------------------------------
* qty_per = qty_numerator / qty_denominator (`qty_per`); NaN where the denominator is
  not positive — the check reports those lines, planning must not guess.
* A line is effective on day d when effective_from ≤ d ≤ effective_to; both ends are
  inclusive (失效日期 is the last day the line is used) and a blank end is open.
* Co-product and by-product lines (联产品/副产品) are outputs of the parent's order, not
  inputs: they never take part in explosion, where-used, low-level codes or cycles.
* A parent with several BOM versions is planned on its default version: the lowest
  sorting one, so a blank version wins (`usage_lines`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from addin.engines.bomgraph import (
    BomGraph,
    bom_graph,
    component_lines,
    csr,
    row_numbers,
    walk_levels,
)
from addin.issues import Issue, Message, plain_value, register

SHEET = "bom"
_NS_MAX = np.iinfo("int64").max  # a blank effective_to: open to the future
_DAY = 86_400 * 10**9
_WINDOW_KEY = ["parent_code", "component_code", "bom_version"]
# Two lines equal in all of these are a pasted duplicate, not two intended positions.
_LINE_DATA = [*_WINDOW_KEY, "qty_numerator", "qty_denominator", "variable_loss_rate",
              "fixed_loss", "unit", "line_type", "effective_from", "effective_to"]


def qty_per(bom: pd.DataFrame) -> pd.Series:
    """Usage per one parent: numerator / denominator, NaN where the denominator is ≤ 0."""
    numerator = bom["qty_numerator"].astype("float64")
    denominator = bom["qty_denominator"].astype("float64")
    return (numerator / denominator.where(denominator > 0)).rename("qty_per")


def effective_lines(bom: pd.DataFrame, as_of: dt.date | pd.Timestamp | None) -> pd.DataFrame:
    """The lines in effect on `as_of` (both window ends inclusive); every line when None."""
    if as_of is None:
        return bom
    day = pd.Timestamp(as_of).normalize()
    start, end = bom["effective_from"], bom["effective_to"]
    keep = (start.isna() | (start <= day)) & (end.isna() | (end >= day))
    return bom[keep.to_numpy()]


def usage_lines(bom: pd.DataFrame, as_of: dt.date | pd.Timestamp | None = None
                ) -> pd.DataFrame:
    """The lines planning explodes: component lines in effect on `as_of`, default version.

    With `as_of=None` no line is dropped for its dates, so two lines of one component whose
    windows follow each other are both counted; pass the planning date to avoid that.
    """
    lines = effective_lines(component_lines(bom), as_of)
    versions = lines["bom_version"].to_numpy(dtype=object)
    if len(lines) == 0 or (versions == versions[0]).all():
        return lines
    # Rank the version texts once so the per-parent minimum is an integer groupby.
    rank = pd.Series(np.unique(versions.astype(str), return_inverse=True)[1],
                     index=lines.index)
    default = rank.groupby(lines["parent_code"].to_numpy(), sort=False).transform("min")
    return lines[(rank == default).to_numpy()]


# ------------------------------------------------------------ explosion / where-used


def _prepared(bom: pd.DataFrame, as_of: dt.date | pd.Timestamp | None
              ) -> tuple[pd.DataFrame, BomGraph, np.ndarray]:
    lines = usage_lines(bom, as_of)
    graph = bom_graph(lines)
    keep = ~graph.loop_line
    return lines[keep], graph, keep


def _names(items: pd.DataFrame, codes: np.ndarray, column: str) -> np.ndarray:
    """`column` of the item of every node ("" for codes that are not items)."""
    lookup = items.drop_duplicates("item_code").set_index("item_code")[column]
    return lookup.reindex(codes).fillna("").to_numpy(dtype=object)


def _text(values: np.ndarray) -> pd.Series:
    # Text columns are object dtype throughout xlerp; pandas 3 would infer "str".
    return pd.Series(values, dtype=object)


def explode_bom(items: pd.DataFrame, bom: pd.DataFrame, roots: Iterable[str] | None = None,
                as_of: dt.date | pd.Timestamp | None = None) -> pd.DataFrame:
    """Fully exploded BOM of each top item (parent of lines but component of none), or of
    `roots`, in depth-first order. accumulated_qty is the usage per one root along the
    path: the product of qty_per × (1 + variable loss rate) of its lines.

    Fixed loss is per order, not per unit, so it is NOT in accumulated_qty; MRP adds it
    once per planned order. Phantoms are exploded through and listed (see item_type);
    co/by-product lines, lines outside their window on `as_of` (all kept when None) and
    lines inside a loop are left out.
    """
    lines, graph, keep = _prepared(bom, as_of)
    parent, child = graph.parent[keep], graph.child[keep]
    if roots is None:  # judged on all lines: a loop member is no top item
        starts = np.setdiff1d(graph.parent, graph.child)
    else:
        found = pd.Index(graph.codes).get_indexer(pd.Index(sorted(set(roots)), dtype=object))
        starts = found[found >= 0]
    per = qty_per(lines).to_numpy()
    loss = lines["variable_loss_rate"].to_numpy(dtype="float64")
    walk = walk_levels(csr(parent, child, graph.n), starts, per * (1 + loss), graph.codes, True)
    names, kinds = _names(items, graph.codes, "item_name"), _names(items, graph.codes, "item_type")
    return pd.DataFrame({
        "root_code": _text(graph.codes[walk.start]),
        "level": pd.array(walk.level, dtype="Int64"),
        "parent_code": _text(graph.codes[parent[walk.line]]),
        "component_code": _text(graph.codes[walk.node]),
        "component_name": _text(names[walk.node]),
        "item_type": _text(kinds[walk.node]),
        "qty_per": per[walk.line],
        "variable_loss_rate": loss[walk.line],
        "accumulated_qty": walk.factor,
        "path": _text(walk.path),
    })


def where_used(items: pd.DataFrame, bom: pd.DataFrame,
               as_of: dt.date | pd.Timestamp | None = None) -> pd.DataFrame:
    """Reverse explosion: every component → every parent above it, at every level.

    qty_per is the usage of the component per one of that parent along the path (the
    same number as accumulated_qty in that parent's explosion) and path reads top-down,
    parent first. Lines are chosen as for `explode_bom`.
    """
    lines, graph, keep = _prepared(bom, as_of)
    parent, child = graph.parent[keep], graph.child[keep]
    factor = (qty_per(lines) * (1 + lines["variable_loss_rate"])).to_numpy(dtype="float64")
    walk = walk_levels(csr(child, parent, graph.n), np.unique(child), factor, graph.codes, False)
    names = _names(items, graph.codes, "item_name")
    return pd.DataFrame({
        "component_code": _text(graph.codes[walk.start]),
        "component_name": _text(names[walk.start]),
        "level": pd.array(walk.level, dtype="Int64"),
        "parent_code": _text(graph.codes[walk.node]),
        "parent_name": _text(names[walk.node]),
        "qty_per": walk.factor,
        "path": _text(walk.path),
    })


# ---------------------------------------------------------------- line-level checks


def check_bom_lines(bom: pd.DataFrame, items: pd.DataFrame,
                    unit_conversions: pd.DataFrame | None = None) -> list[Issue]:
    """Every finding about single BOM lines and about lines of one parent/component."""
    if bom.empty:
        return []
    known = pd.Index(items["item_code"].unique())
    return [*_unknown_codes(bom, known), *_usage_checks(bom),
            *_unit_checks(bom, items, unit_conversions), *_window_checks(bom)]


def _issues(bom: pd.DataFrame, mask: pd.Series | np.ndarray, code: str, column: str,
            severity: str = "error", **extra: pd.Series) -> list[Issue]:
    """One issue per masked line, naming its parent and component; `extra` adds params
    (Series aligned by position with `bom`)."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    if not positions.size:
        return []
    rows = row_numbers(bom)[positions]
    parents = bom["parent_code"].iloc[positions].tolist()
    components = bom["component_code"].iloc[positions].tolist()
    values = bom[column].iloc[positions].tolist()
    more = {name: series.iloc[positions].tolist() for name, series in extra.items()}
    return [Issue(code, severity, SHEET, int(rows[i]), column, plain_value(values[i]),
                  {"parent": parents[i], "component": components[i],
                   **{name: plain_value(values_[i]) for name, values_ in more.items()}})
            for i in range(positions.size)]


def _unknown_codes(bom: pd.DataFrame, known: pd.Index) -> list[Issue]:
    parent, component = bom["parent_code"], bom["component_code"]
    # Blank codes are the reader's "required" finding; saying it twice helps nobody.
    return [*_issues(bom, (parent != "") & ~parent.isin(known), "bom_parent_unknown",
                     "parent_code"),
            *_issues(bom, (component != "") & ~component.isin(known), "bom_component_unknown",
                     "component_code")]


def _usage_checks(bom: pd.DataFrame) -> list[Issue]:
    numerator = bom["qty_numerator"].astype("float64")
    denominator = bom["qty_denominator"].astype("float64")
    loss = bom["variable_loss_rate"].astype("float64")
    fixed = bom["fixed_loss"].astype("float64")
    # `~(x > 0)` also catches NaN, which a frame built in code may carry.
    return [*_issues(bom, ~(numerator > 0), "bom_usage_not_positive", "qty_numerator"),
            *_issues(bom, ~(denominator > 0), "bom_denominator_not_positive", "qty_denominator"),
            *_issues(bom, ~((loss >= 0) & (loss < 1)), "bom_loss_rate_out_of_range",
                     "variable_loss_rate"),
            *_issues(bom, fixed < 0, "bom_fixed_loss_negative", "fixed_loss")]


def _fold_unit(units: pd.Series | np.ndarray) -> np.ndarray:
    # "KG", "kg " and "kg" are one unit; the reader already strips cells, code may not
    return pd.Series(units, dtype=object).fillna("").astype(str).str.strip().str.casefold(
        ).to_numpy(dtype=object)


def _conversion_lookup(conversions: pd.DataFrame) -> pd.Series:
    """"item\x1ffrom\x1fto" -> factor, each conversion both ways round (factor and
    1 / factor); a conversion given directly wins over the reverse of another one."""
    factor = conversions["factor"].astype("float64").to_numpy()
    usable = np.isfinite(factor) & (factor > 0)  # 0 or blank converts nothing
    item = conversions["item_code"].astype(object).fillna("").astype(str).str.strip(
        ).to_numpy(dtype=object)[usable]
    src = _fold_unit(conversions["from_unit"])[usable]
    dst = _fold_unit(conversions["to_unit"])[usable]
    keys = np.concatenate([item + "\x1f" + src + "\x1f" + dst, item + "\x1f" + dst + "\x1f" + src])
    values = np.concatenate([factor[usable], 1.0 / factor[usable]])
    lookup = pd.Series(values, index=pd.Index(keys, dtype=object))
    return lookup[~lookup.index.duplicated(keep="first")]


def _unit_factors(bom: pd.DataFrame, items: pd.DataFrame,
                  conversions: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Factor taking each line's usage from its unit into its component's stock unit
    (1 line unit = factor × stock unit), and the stock units.

    1.0 where the line gives no unit, the component has no stock unit or the two are the
    same unit; NaN where no conversion is known. The component's own conversions come
    first, then the general ones (blank item code); either direction counts.
    """
    factor = np.ones(len(bom))
    stock_unit = np.full(len(bom), "", dtype=object)
    given = np.flatnonzero(_fold_unit(bom["unit"]) != "")  # most lines give no unit
    if not given.size:
        return factor, stock_unit
    lines = bom.iloc[given]
    stock_unit[given] = (items.drop_duplicates("item_code").set_index("item_code")["stock_unit"]
                         .reindex(lines["component_code"]).fillna("").to_numpy(dtype=object))
    unit, target = _fold_unit(lines["unit"]), _fold_unit(stock_unit[given])
    sub = np.where((target == "") | (unit == target), 1.0, np.nan)
    if conversions is not None and not conversions.empty and np.isnan(sub).any():
        lookup = _conversion_lookup(conversions)
        component = lines["component_code"].astype(str).to_numpy(dtype=object)
        for item in (component, np.full(len(lines), "", dtype=object)):  # own, then general
            missing = np.isnan(sub)
            keys = item[missing] + "\x1f" + unit[missing] + "\x1f" + target[missing]
            sub[missing] = lookup.reindex(keys).to_numpy(dtype="float64")
    factor[given] = sub
    return factor, stock_unit


def bom_in_stock_units(bom: pd.DataFrame, items: pd.DataFrame,
                       unit_conversions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The BOM with every line's usage in its component's stock unit, as planning needs it.

    A line given in another unit (85 m of a wire stocked in kg) gets qty_numerator and
    fixed_loss multiplied by the unit factor and its unit set to the stock unit: usage per
    parent = qty_per × factor. Conversions are looked up as `check_bom_lines` does; a line
    with no known conversion is left as it is (the check reports it as an error).
    """
    if bom.empty:
        return bom
    factor, stock_unit = _unit_factors(bom, items, unit_conversions)
    convert = np.isfinite(factor) & (factor != 1.0)
    if not convert.any():
        return bom
    out = bom.copy()
    for column in ("qty_numerator", "fixed_loss"):
        values = out[column].astype("float64").to_numpy(copy=True)
        values[convert] *= factor[convert]
        out[column] = values
    out["unit"] = pd.Series(np.where(convert, stock_unit, out["unit"].to_numpy(dtype=object)),
                            index=out.index, dtype=object)
    return out


def _unit_checks(bom: pd.DataFrame, items: pd.DataFrame,
                 conversions: pd.DataFrame | None) -> list[Issue]:
    """A line unit other than the component's stock unit needs a conversion, either way."""
    if not (bom["unit"] != "").any():  # the usual case: usage given in the stock unit
        return []
    factor, stock_unit = _unit_factors(bom, items, conversions)
    return _issues(bom, np.isnan(factor), "bom_unit_no_conversion", "unit",
                   stock_unit=pd.Series(stock_unit, index=bom.index, dtype=object))


def _window_checks(bom: pd.DataFrame) -> list[Issue]:
    """Reversed windows; exact duplicates; overlaps and gaps within parent/component/version."""
    # NaT is int64 min in nanoseconds, which is already "open to the past" for a start.
    start = bom["effective_from"].to_numpy("datetime64[ns]").view("int64")
    end = np.where(bom["effective_to"].isna().to_numpy(), _NS_MAX,
                   bom["effective_to"].to_numpy("datetime64[ns]").view("int64"))
    reversed_ = end < start
    issues = _issues(bom, reversed_, "bom_effectivity_reversed", "effective_to",
                     effective_from=bom["effective_from"])
    exact = bom.duplicated(_LINE_DATA, keep="first").to_numpy()
    if exact.any():
        issues += _exact_duplicates(bom, exact)
    shared = bom.duplicated(_WINDOW_KEY, keep=False).to_numpy() & ~reversed_ & ~exact
    if shared.any():
        issues += _overlaps_and_gaps(bom[shared], start[shared], end[shared])
    return issues


def _exact_duplicates(bom: pd.DataFrame, exact: np.ndarray) -> list[Issue]:
    involved = bom.duplicated(_LINE_DATA, keep=False).to_numpy()
    lines = bom[involved]
    first_row = pd.Series(row_numbers(lines), index=lines.index).groupby(
        [lines[c] for c in _LINE_DATA], dropna=False, sort=False).transform("first")
    return _issues(lines, exact[involved], "bom_duplicate_line", "component_code",
                   first_row=first_row)


def _overlaps_and_gaps(lines: pd.DataFrame, start: np.ndarray, end: np.ndarray
                       ) -> list[Issue]:
    """Sort each parent/component/version group by window start; compare each window with
    the furthest end reached by the earlier ones (and the row that reached it)."""
    frame = lines[_WINDOW_KEY].assign(_start=start, _end=end, _r=row_numbers(lines),
                                      _pos=np.arange(len(lines)))
    frame = frame.sort_values([*_WINDOW_KEY, "_start", "_end", "_r"], kind="stable")
    keys = [frame[c] for c in _WINDOW_KEY]
    reach = frame.groupby(keys, sort=False)["_end"].cummax()
    holder = frame["_r"].where(frame["_end"] == reach).groupby(keys, sort=False).ffill()
    # fill_value keeps int64: through float, an open end (int64 max) would not survive.
    prev = reach.groupby(keys, sort=False).shift(1, fill_value=0).to_numpy("int64")
    has_prev = (frame.groupby(keys, sort=False).cumcount() > 0).to_numpy()
    starts = frame["_start"].to_numpy()
    overlap = has_prev & (starts <= prev)
    # A gap is at least one whole day that no window covers.
    after = np.minimum(prev, _NS_MAX - _DAY) + _DAY
    gap = has_prev & ~overlap & (prev != _NS_MAX) & (starts > after)
    ordered = lines.iloc[frame["_pos"].to_numpy()]
    index = ordered.index
    other = holder.groupby(keys, sort=False).shift(1).fillna(0).astype("int64")
    return [*_issues(ordered, overlap, "bom_effectivity_overlap", "effective_from", "warning",
                     other_row=pd.Series(other.to_numpy(), index=index)),
            *_issues(ordered, gap, "bom_effectivity_gap", "effective_from", "warning",
                     gap_from=pd.Series(_day_text(after), index=index),
                     gap_to=pd.Series(_day_text(starts - _DAY), index=index))]


def _day_text(ns: np.ndarray) -> np.ndarray:
    days = ns.clip(pd.Timestamp.min.value, pd.Timestamp.max.value).astype("datetime64[ns]")
    return np.datetime_as_string(days, unit="D").astype(object)


register({
    "bom_parent_unknown": Message(
        "父项 {value} 不是已有物料", "Parent {value} is not a known item",
        "先在物料中新增 {value}，或更正父项编码",
        "Add {value} to the items, or correct the parent code"),
    "bom_component_unknown": Message(
        "{parent} 的子项 {value} 不是已有物料", "Component {value} of {parent} is not a known item",
        "先在物料中新增 {value}，或更正子项编码",
        "Add {value} to the items, or correct the component code"),
    "bom_usage_not_positive": Message(
        "{parent} → {component} 的用量分子为 {value}，必须大于 0",
        "{parent} → {component}: usage {value} must be greater than 0",
        "填写正数用量；不再使用的子项请删除该行",
        "Enter a positive usage; delete the line if the component is no longer used"),
    "bom_denominator_not_positive": Message(
        "{parent} → {component} 的用量分母为 {value}，必须大于 0",
        "{parent} → {component}: denominator {value} must be greater than 0",
        "用量分母是父项的产出数量，通常为 1",
        "The denominator is the parent quantity the usage is for, usually 1"),
    "bom_loss_rate_out_of_range": Message(
        "{parent} → {component} 的变动损耗率 {value} 不在 [0, 1) 内",
        "{parent} → {component}: loss rate {value} is outside [0, 1)",
        "填写 0 到 1 之间的小数（如 0.05）或百分数（如 5%）",
        "Enter a fraction from 0 up to (not including) 1, e.g. 0.05 or 5%"),
    "bom_fixed_loss_negative": Message(
        "{parent} → {component} 的固定损耗为 {value}，不能为负",
        "{parent} → {component}: fixed loss {value} is negative",
        "填写 0 或正数", "Enter 0 or a positive quantity"),
    "bom_unit_no_conversion": Message(
        "{parent} → {component} 用单位 {value}，而 {component} 的库存单位是 {stock_unit}，"
        "且没有两者的换算率",
        "{parent} → {component} is in {value} but {component} is stocked in {stock_unit}, "
        "and no conversion between them is given",
        "在单位换算中加入 {value} 与 {stock_unit} 的换算率，或改用库存单位",
        "Add a {value} ↔ {stock_unit} unit conversion, or give the usage in {stock_unit}"),
    "bom_duplicate_line": Message(
        "与第 {first_row} 行完全相同：{component} 在 {parent} 中会被计算两次",
        "Repeats row {first_row}: {component} would be counted twice in {parent}",
        "删除重复的行", "Delete the repeated line"),
    "bom_effectivity_overlap": Message(
        "{parent} → {component} 的生效期与第 {other_row} 行重叠，重叠期间两行用量相加",
        "{parent} → {component}: its window overlaps row {other_row}; while both apply, "
        "their usages add up",
        "如非有意，让一行在另一行生效前失效，或合并为一行",
        "If not intended, end one window before the other starts, or merge the lines"),
    "bom_effectivity_gap": Message(
        "{parent} → {component} 在 {gap_from} 至 {gap_to} 期间没有生效的行",
        "{parent} → {component}: no line applies from {gap_from} to {gap_to}",
        "如非有意，把前一行的失效日期延到本行生效前一天",
        "If not intended, extend the earlier line to the day before this one starts"),
    "bom_effectivity_reversed": Message(
        "{parent} → {component} 的失效日期 {value} 早于生效日期 {effective_from}",
        "{parent} → {component}: ends {value}, before it starts {effective_from}",
        "更正生效或失效日期", "Correct the start or end date"),
})
