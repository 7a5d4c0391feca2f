"""Master-data checks (DOMAIN §1): every finding about items, BOM and code mappings.

`check_master_data` runs them all and returns `Issue`s sorted for display. Severity is
"error" where a plan built on the data would be wrong and "warning" where it would only be
weaker. Orphan items (in no BOM line and not sold) are a warning, but only "info" for
purchased and customer-supplied items: those are often resold or consumed as they are.

Settings read from the workbook's settings sheet (name in the first column, any case):

* ``item_code_pattern`` (物料编码规则) — a regular expression every item code must match
  as a whole, e.g. ``^\\d{2}\\.\\d{2}\\.\\d{4}$`` for Kingdee's 01.02.0001; blank = no check.
* ``as_of`` (检查日期) — the date the BOM must serve: lines that ended before it do not
  count as a usable BOM, and explosion/where-used use the lines in effect on it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.engines.bom import check_bom_lines
from addin.engines.bomgraph import component_lines, find_cycles, row_numbers
from addin.errors import UsageError
from addin.issues import Issue, Message, Severity, register, sort_issues
from addin.schema import TABLES, empty_frame, fold

# name -> (aliases, help zh, help en); the one list the docs and the settings reader use.
CHECK_SETTINGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "item_code_pattern": (
        ("物料编码规则", "code pattern"),
        "物料编码须整体匹配的正则表达式，如 ^\\d{2}\\.\\d{2}\\.\\d{4}$；留空不检查",
        "Regular expression every item code must match, e.g. ^\\d{2}\\.\\d{2}\\.\\d{4}$; "
        "blank = no check"),
    "as_of": (
        ("检查日期", "check date"),
        "按此日期判断 BOM 行是否生效（如 2026-01-31）；留空则所有行都算",
        "Date the BOM must serve (e.g. 2026-01-31); blank = every line counts"),
}
# Any name of a table ("item", "物料", "Items") stands for it in the entity column.
_ENTITIES = {fold(name): spec.name for spec in TABLES.values() for name in spec.sheet_names()}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class CheckSettings:
    """What the checks are configured with; an invalid pattern is a usage error."""

    item_code_pattern: str | None = None
    as_of: dt.date | None = None

    def __post_init__(self) -> None:
        if self.item_code_pattern:
            reason = _regex_error(self.item_code_pattern)
            if reason:
                raise UsageError(f"item_code_pattern {self.item_code_pattern!r} is not a "
                                 f"regular expression ({reason}); fix it or leave it blank")


def _regex_error(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    return ""


def setting_rows(settings: pd.DataFrame | None,
                 catalogue: Mapping[str, tuple[tuple[str, ...], str, str]] = CHECK_SETTINGS
                 ) -> dict[str, tuple[str, int]]:
    """Setting name of `catalogue` -> (value text, Excel row), first row winning; a row is
    named by the setting or any of its aliases, in any case."""
    if settings is None or settings.empty:
        return {}
    names = {fold(alias): name for name, (aliases, _, _) in catalogue.items()
             for alias in (name, *aliases)}
    found: dict[str, tuple[str, int]] = {}
    for key, value, row in zip(settings["setting"].map(fold), settings["value"].astype(str),
                               row_numbers(settings), strict=True):
        if key in names:
            found.setdefault(names[key], (value.strip(), int(row)))
    return found


def parse_date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    if re.fullmatch(r"\d{1,7}(\.0+)?", text):  # an Excel date serial read as text
        days = int(float(text))
        return _EXCEL_EPOCH + dt.timedelta(days=days) if 0 < days < 2958466 else None
    return None


def settings_from_table(settings: pd.DataFrame | None) -> CheckSettings:
    """The check settings from the workbook's settings table; bad values are left out
    (and reported by `settings_issues`)."""
    rows = setting_rows(settings)
    pattern = rows.get("item_code_pattern", ("", 0))[0]
    as_of = parse_date(rows.get("as_of", ("", 0))[0])
    return CheckSettings(pattern if pattern and not _regex_error(pattern) else None, as_of)


def settings_issues(settings: pd.DataFrame | None) -> list[Issue]:
    """Findings about the values of the check settings themselves."""
    issues = []
    for name, (value, row) in setting_rows(settings).items():
        if name == "item_code_pattern" and value and _regex_error(value):
            issues.append(Issue("setting_bad_pattern", "error", "settings", row, "value", value,
                                {"setting": name, "reason": _regex_error(value)}))
        if name == "as_of" and value and parse_date(value) is None:
            issues.append(Issue("setting_bad_date", "error", "settings", row, "value", value,
                                {"setting": name}))
    return issues


def check_master_data(tables: Mapping[str, pd.DataFrame],
                      settings: CheckSettings | None = None) -> list[Issue]:
    """Every master-data finding (BOM lines, loops, items, mappings), sorted for display."""
    settings = settings or CheckSettings()
    items = _table(tables, "items").drop_duplicates("item_code")
    bom = _table(tables, "bom")
    issues = [*check_bom_lines(bom, items, tables.get("unit_conversions")),
              *_cycle_issues(bom), *_supply_paths(items, bom, settings.as_of),
              *_orphans(items, bom, tables), *_pattern(items, settings.item_code_pattern),
              *_near_duplicates(items), *_references(items, tables),
              *_mappings(tables.get("code_mappings"), items)]
    return sort_issues(issues)


def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return empty_frame(TABLES[name]) if frame is None else frame


def _item_issues(items: pd.DataFrame, mask: pd.Series | np.ndarray, code: str, column: str,
                 severity: Severity = "warning", **extra: object) -> list[Issue]:
    """One issue per masked item, on its row; params name the item (`item`) and `extra`."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    rows = row_numbers(items)[positions]
    codes = items["item_code"].iloc[positions].tolist()
    values = items[column].iloc[positions].tolist()
    more = {k: v.iloc[positions].tolist() if isinstance(v, pd.Series) else [v] * positions.size
            for k, v in extra.items()}
    return [Issue(code, severity, "items", int(rows[i]), column, values[i],
                  {"item": codes[i], **{k: v[i] for k, v in more.items()}})
            for i in range(positions.size)]


def _cycle_issues(bom: pd.DataFrame) -> list[Issue]:
    cycles = find_cycles(bom)
    issues = [Issue("bom_cycle", "error", "bom", cycle.row, "component_code", cycle.path(),
                    {"path": cycle.path(), "parent": cycle.parent, "component": cycle.component,
                     "length": len(cycle.codes)})
              for cycle in cycles]
    # A tangle with more loops than listed gets one finding that says how big it is.
    tangles = {c.group: c for c in reversed(cycles) if not c.group_complete}
    issues += [Issue("bom_loop_group", "error", "bom", c.row, "component_code", group,
                     {"items": c.group_items, "lines": c.group_lines,
                      "shown": sum(x.group == group for x in cycles)})
               for group, c in tangles.items()]
    return issues


def _supply_paths(items: pd.DataFrame, bom: pd.DataFrame, as_of: dt.date | None
                  ) -> list[Issue]:
    """Item type against BOM: made items need a BOM still in use, bought ones none."""
    lines = component_lines(bom)
    if as_of is not None:  # lines that already ended cannot supply a plan from as_of on
        end = lines["effective_to"]
        lines = lines[(end.isna() | (end >= pd.Timestamp(as_of))).to_numpy()]
    code, kind = items["item_code"], items["item_type"]
    has_bom = code.isin(lines["parent_code"])
    return [*_item_issues(items, (kind == "purchased") & code.isin(bom["parent_code"]),
                          "item_purchased_has_bom", "item_type"),
            *_item_issues(items, (kind == "manufactured") & ~has_bom,
                          "item_manufactured_no_bom", "item_type", "error"),
            *_item_issues(items, (kind == "subcontracted") & ~has_bom,
                          "item_subcontracted_no_bom", "item_type"),
            *_item_issues(items, (kind == "phantom") & ~has_bom,
                          "item_phantom_no_bom", "item_type", "error")]


def _orphans(items: pd.DataFrame, bom: pd.DataFrame, tables: Mapping[str, pd.DataFrame]
             ) -> list[Issue]:
    """Items in no BOM line and not sold. Sales orders and forecasts count when given."""
    used = [bom["parent_code"], bom["component_code"]]
    used += [tables[name]["item_code"] for name in ("sales_orders", "forecasts")
             if name in tables]
    orphan = (items["item_code"] != "") & ~items["item_code"].isin(pd.concat(used))
    bought = items["item_type"].isin(["purchased", "customer_supplied"])
    return [*_item_issues(items, orphan & ~bought, "item_orphan", "item_code"),
            *_item_issues(items, orphan & bought, "item_orphan", "item_code", "info")]


def _pattern(items: pd.DataFrame, pattern: str | None) -> list[Issue]:
    if not pattern:
        return []
    code = items["item_code"].astype(str)
    ok = code.str.fullmatch(pattern).fillna(False).astype(bool)
    return _item_issues(items, (code != "") & ~ok, "item_code_pattern", "item_code",
                        pattern=pattern)


def _folded(text: pd.Series) -> pd.Series:
    # NFKC first so that full-width letters and digits (Ａ１) equal their ASCII forms.
    # Each distinct text is folded once: specs in particular repeat a lot.
    values = text.astype(object)
    folded = {v: fold(unicodedata.normalize("NFKC", str(v))) for v in pd.unique(values)}
    return values.map(folded).astype(object)


def _near_duplicates(items: pd.DataFrame) -> list[Issue]:
    """Same name and spec once case, spaces, punctuation and width are ignored."""
    name = _folded(items["item_name"])
    key = name + "\x1f" + _folded(items["spec"])
    twin = (name != "") & key.duplicated(keep=False)
    if not twin.any():
        return []
    group = key.groupby(key)
    first_code = items["item_code"].groupby(key).transform("first")
    first_row = pd.Series(row_numbers(items), index=items.index).groupby(key).transform("first")
    later = twin & (group.cumcount() > 0)
    return _item_issues(items, later, "item_name_duplicate", "item_name",
                        other=first_code, other_row=first_row)


def _references(items: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> list[Issue]:
    """Default warehouse / supplier must exist — checked only when that sheet has rows."""
    issues = []
    for column, table, key, code in (
            ("default_warehouse", "warehouses", "warehouse_code", "item_warehouse_unknown"),
            ("default_supplier", "suppliers", "supplier_code", "item_supplier_unknown")):
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        value = items[column]
        issues += _item_issues(items, (value != "") & ~value.isin(frame[key]), code, column)
    return issues


def _mappings(mappings: pd.DataFrame | None, items: pd.DataFrame) -> list[Issue]:
    """One external code, one canonical code; a mapped item code must be an item."""
    if mappings is None or mappings.empty:
        return []
    entity = mappings["entity"].map(lambda text: _ENTITIES.get(fold(text), fold(text)))
    canonical = mappings["canonical_code"]
    keys = [mappings["platform"].map(fold), entity, mappings["external_code"].str.strip()]
    group = canonical.groupby(keys, sort=False)
    rows = row_numbers(mappings)
    involved = (group.transform("nunique") > 1).to_numpy()
    codes = canonical[involved].groupby([k[involved] for k in keys], sort=False).transform(
        lambda group_codes: ", ".join(sorted(set(group_codes))))
    conflict = involved & (canonical != group.transform("first")).to_numpy()
    issues = [Issue("mapping_conflict", "error", "code_mappings", int(rows[p]),
                    "canonical_code", canonical.iloc[p],
                    {"platform": mappings["platform"].iloc[p],
                     "external": mappings["external_code"].iloc[p], "codes": codes.loc[label]})
              for p, label in zip(np.flatnonzero(conflict), mappings.index[conflict],
                                  strict=True)]
    unknown = (entity == "items") & (canonical != "") & ~canonical.isin(
        items["item_code"])
    issues += [Issue("mapping_unknown_item", "error", "code_mappings", int(rows[p]),
                     "canonical_code", canonical.iloc[p],
                     {"external": mappings["external_code"].iloc[p],
                      "platform": mappings["platform"].iloc[p]})
               for p in np.flatnonzero(unknown.to_numpy())]
    return issues


register({
    "bom_cycle": Message(
        "BOM 循环：{path}", "BOM loop: {path}",
        "本行（{parent} → {component}）使循环闭合；删除或更正环上的一行",
        "This line ({parent} → {component}) closes the loop; delete or correct a line of it"),
    "bom_loop_group": Message(
        "{items} 个物料经 {lines} 行 BOM 互相缠绕成环（含 {value}），只列出了其中 {shown} 个循环",
        "{items} items and {lines} BOM lines loop into each other (around {value}); only "
        "{shown} of the loops are listed",
        "先改正列出的循环行，再检查一次", "Fix the lines of the listed loops, then check again"),
    "item_purchased_has_bom": Message(
        "{item} 是外购件，却是 BOM 的父项", "{item} is purchased but is the parent of a BOM",
        "若自制，改为自制件；否则删除它的 BOM 行",
        "If it is made in-house, make it manufactured; otherwise delete its BOM lines"),
    "item_manufactured_no_bom": Message(
        "自制件 {item} 没有可用的 BOM：供应路径断了，计划无法为它备料",
        "Manufactured item {item} has no usable BOM: broken supply path, planning cannot "
        "order its materials",
        "为 {item} 建立 BOM，或改为外购件", "Add BOM lines for {item}, or make it purchased"),
    "item_subcontracted_no_bom": Message(
        "委外件 {item} 没有 BOM：无料可发给委外商",
        "Subcontracted item {item} has no BOM: nothing to issue to the supplier",
        "若要发料给委外商，为 {item} 建立 BOM",
        "Add BOM lines for {item} if material is sent to the subcontractor"),
    "item_phantom_no_bom": Message(
        "虚拟件 {item} 没有 BOM：跳过这一层后需求就丢了",
        "Phantom {item} has no BOM: its demand is lost when its level is skipped",
        "为 {item} 建立 BOM，或改为实际存储的物料",
        "Add BOM lines for {item}, or make it a stocked item"),
    "item_orphan": Message(
        "{item} 没有出现在任何 BOM 中，也没有销售", "{item} is in no BOM and is not sold",
        "已停用则删除；直接销售的商品可忽略",
        "Delete it if it is obsolete; ignore this if it is sold as it is"),
    "item_code_pattern": Message(
        "物料编码 {item} 不符合编码规则 {pattern}",
        "Item code {item} does not match the code pattern {pattern}",
        "按规则重新编码（并在编码映射中保留旧码），或修改设置 item_code_pattern",
        "Recode it to the pattern (keep the old code in the code mappings), or change the "
        "item_code_pattern setting"),
    "item_name_duplicate": Message(
        "{item} 与 {other}（第 {other_row} 行）名称和规格相同",
        "{item} has the same name and spec as {other} (row {other_row})",
        "同一物料只保留一个编码；不同物料请在名称或规格上加以区分",
        "Keep one code per item; if they differ, say how in the name or spec"),
    "item_warehouse_unknown": Message(
        "{item} 的默认仓库 {value} 不是已有仓库",
        "Default warehouse {value} of {item} is not a known warehouse",
        "新增仓库 {value}，或更正默认仓库", "Add warehouse {value}, or correct it"),
    "item_supplier_unknown": Message(
        "{item} 的默认供应商 {value} 不是已有供应商",
        "Default supplier {value} of {item} is not a known supplier",
        "新增供应商 {value}，或更正默认供应商", "Add supplier {value}, or correct it"),
    "mapping_conflict": Message(
        "{platform} 的外部编码 {external} 对应了多个标准编码：{codes}",
        "External code {external} of {platform} maps to several codes: {codes}",
        "每个外部编码只保留一行映射", "Keep one mapping row per external code"),
    "mapping_unknown_item": Message(
        "{platform} 的外部编码 {external} 映射到 {value}，但 {value} 不是已有物料",
        "External code {external} of {platform} maps to {value}, which is not a known item",
        "更正标准编码，或先新增物料 {value}", "Correct the code, or add item {value} first"),
    "setting_bad_pattern": Message(
        "设置 {setting} 的值 {value} 不是有效的正则表达式（{reason}）",
        "Setting {setting}: {value} is not a valid regular expression ({reason})",
        "更正表达式，或留空不检查编码", "Correct the expression, or leave it blank"),
    "setting_bad_date": Message(
        "设置 {setting} 的值 {value} 不是日期", "Setting {setting}: {value} is not a date",
        "填写日期，如 2026-01-31", "Enter a date such as 2026-01-31"),
})
