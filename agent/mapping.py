"""Apply a profile to a raw grid: platform columns -> canonical raw columns, and after
typing, platform codes and units -> canonical ones.

`to_raw` works before `addin.schema.coerce` (it only renames, cleans the platforms'
anti-Excel decorations, fills multi-line orders down and translates status words);
`map_codes` and `convert_units` work on the typed table. All of it is column
operations; Python-level work is per distinct value, never per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime

import numpy as np
import pandas as pd

from addin.issues import Issue
from addin.schema import ROW, TABLES, Table
from agent.profiles import Match, Profile, key
from agent.store import ENTITIES

AS_OF = "@as_of"  # constant value: the file's export date
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape, e.g. _x002B_ for +
_SCIENTIFIC = r"^\s*[+-]?\d(\.\d+)?[eE]\+?\d+\s*$"  # 1.93068E+15: Excel rounded a long id
TZ_SUFFIX = r"(?<=\d)\s*(Z|[+-]\d{2}:?\d{2})\s*$"  # 2024-05-01 09:58:12 +0800
LONG_ID = 1e15  # from 16 digits on, a number cell has lost digits


def to_raw(match: Match, cells: pd.DataFrame, as_of: datetime,
           markers: frozenset[str] | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Object columns named canonically, plus `_row`; and canonical -> file header.
    `markers`: which decorations the file holds at all (see `clean`)."""
    profile = match.profile
    header = cells.iloc[match.header_at].tolist()
    data = cells.iloc[match.header_at + 1 + profile.skip_after_header:]
    # A row with nothing in the columns the profile reads is no record (blank lines,
    # notes under the table), whatever its other columns hold.
    data = data[~_blank_rows(data[list(match.mapping)])]
    data = _fill_down(profile, header, data)
    raw = pd.DataFrame({ROW: data.index.to_numpy(dtype="int64")})
    labels: dict[str, str] = {}
    for position, column in match.mapping.items():
        raw[column] = clean(data[position], markers).to_numpy(dtype=object)
        labels[column] = str(header[position]).strip()
    if profile.units is not None:
        unit_at = _positions(header, [profile.units.unit_header])
        unit = data[unit_at[profile.units.unit_header]] if unit_at else None
        raw["_unit"] = clean(unit, markers).to_numpy(dtype=object) if unit is not None else ""
    _apply_flags(profile, header, data, raw)
    _apply_values(profile, raw)
    _apply_constants(profile, raw, as_of)
    _number_lines(profile, raw)
    _date_text(profile, raw)
    return raw, labels


def _blank(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    return values.isna() | (text == "") | (text == "nan")


def _blank_rows(data: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or only spaces. Candidates narrow column by column,
    so the per-cell space test runs on one column's cells and on the few rows still
    blank, not on the whole grid."""
    blank = np.ones(len(data), dtype=bool)
    for column in data.columns:
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        cells = data[column].to_numpy(dtype=object)[rows]
        empty = pd.isna(cells) | (cells == "")
        filled = np.flatnonzero(~empty)
        empty[filled] = [isinstance(c, str) and not c.strip() for c in cells[filled]]
        blank[rows] = empty
    return blank


def _positions(header: list[object], names: tuple[str, ...] | list[str]) -> dict[str, int]:
    wanted = {key(n): n for n in names}
    found = {}
    for position, cell in enumerate(header):
        name = wanted.get(key(cell)) if cell not in (None, "") else None
        if name is not None and name not in found:
            found[name] = position
    return found


def _fill_down(profile: Profile, header: list[object], data: pd.DataFrame) -> pd.DataFrame:
    """Repeat order/bill-level cells that platforms print on a group's first row only."""
    if not profile.fill_down or data.empty:
        return data
    positions = _positions(header, [*profile.fill_down, profile.fill_group])
    data = data.copy()
    group = None
    if profile.fill_group in positions:
        column = positions[profile.fill_group]
        group = data[column].where(~_blank(data[column])).ffill()
        data[column] = group.fillna("")
    for name in profile.fill_down:
        if name not in positions or name == profile.fill_group:
            continue
        column = positions[name]
        values = data[column].where(~_blank(data[column]))
        filled = values.groupby(group, sort=False).ffill() if group is not None \
            else values.ffill()
        data[column] = filled.where(filled.notna(), "")
    return data


def per_distinct(values: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`change` applied to the distinct values only, then spread back to every row."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    if len(uniques) == 0:
        return values
    changed = change(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    out = changed[np.where(codes >= 0, codes, 0)]
    out[codes < 0] = None
    return pd.Series(out, index=values.index, dtype=object)


def clean(values: pd.Series, markers: frozenset[str] | None = None) -> pd.Series:
    """Undo the decorations platforms add so Excel keeps text as text: ="…" around long
    numbers, a leading ', OOXML escapes such as _x002B_. Only text cells are touched.
    `markers`: the decorations the file can hold at all (None: unknown, look for all)."""
    wanted = DECORATIONS if markers is None else DECORATIONS & markers
    if not wanted or values.empty:
        return values
    return per_distinct(values, lambda distinct: _undecorate(distinct, wanted))


DECORATIONS = frozenset({'="', "'", "_x"})


def _undecorate(values: pd.Series, wanted: frozenset[str]) -> pd.Series:
    text = values.where(values.map(type).eq(str))
    if text.isna().all():
        return values
    if '="' in wanted and text.str.startswith('="').any():
        inner = text.str.strip().str.extract(r'^="(.*)"$', expand=False)
        text = inner.where(inner.notna(), text)
    if "'" in wanted and text.str.startswith("'").any():
        text = text.str.replace(r"^'", "", regex=True)
    if "_x" in wanted and text.str.contains("_x", regex=False).any():
        text = text.str.replace(_EXCEL_ESCAPE, lambda m: chr(int(m.group(1), 16)), regex=True)
    return text.where(text.notna(), values)


def _apply_flags(profile: Profile, header: list[object], data: pd.DataFrame,
                 raw: pd.DataFrame) -> None:
    positions = _positions(header, [f.header for f in profile.flags])
    for flag in profile.flags:
        if flag.header in positions:
            filled = ~_blank(data[positions[flag.header]]).to_numpy(dtype=bool)
            current = raw[flag.column] if flag.column in raw else pd.Series("", index=raw.index)
            raw[flag.column] = current.where(~filled, flag.value)


def _apply_values(profile: Profile, raw: pd.DataFrame) -> None:
    """Platform words -> canonical values, looked up once per distinct word."""
    for column, table in profile.values.items():
        if column not in raw:
            continue
        lookup = {key(word): value for word, value in table.items()}
        distinct = pd.unique(raw[column].to_numpy(dtype=object))
        translate = {v: lookup[key(v)] for v in distinct
                     if isinstance(v, str) and key(v) in lookup}
        mapped = raw[column].map(translate)
        raw[column] = mapped.where(mapped.notna(), raw[column])


def _apply_constants(profile: Profile, raw: pd.DataFrame, as_of: datetime) -> None:
    for column, value in profile.constants.items():
        value = as_of.date().isoformat() if value == AS_OF else value
        if column in raw:
            raw[column] = raw[column].where(~_blank(raw[column]), value)
        else:
            raw[column] = value


def _number_lines(profile: Profile, raw: pd.DataFrame) -> None:
    """line_no 1, 2, … within each group (e.g. order), in file order."""
    if not profile.line_numbers or "line_no" in raw or raw.empty:
        return
    groups = [c for c in profile.line_numbers if c in raw]
    if groups:
        keys = raw[groups].astype(str)
        raw["line_no"] = keys.groupby(groups, sort=False).cumcount().to_numpy() + 1


def _date_text(profile: Profile, raw: pd.DataFrame) -> None:
    """Drop time-zone suffixes (the date in the platform's own zone is the one meant) and
    parse the profile's date formats; anything else is left for the schema to judge."""
    for column in profile.spec.columns:
        if column.type != "date" or column.name not in raw:
            continue
        raw[column.name] = per_distinct(raw[column.name],
                                        lambda distinct: _dates(distinct, profile))


def _dates(values: pd.Series, profile: Profile) -> pd.Series:
    text = values.where(values.map(type).eq(str))
    if text.isna().all():
        return values
    text = text.str.replace(TZ_SUFFIX, "", regex=True)
    for fmt in profile.date_formats:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        text = text.where(parsed.isna(), parsed.astype(object))
    return text.where(text.notna(), values)


# -- after typing -------------------------------------------------------------------------

def long_id_issues(spec: Table, profile: Profile, raw: pd.DataFrame, sheet: str,
                   markers: frozenset[str] | None = None) -> list[Issue]:
    """Key and code cells that Excel turned into rounded numbers (1.93068E+15)."""
    if markers is not None and not markers & {"E+", "e+"}:
        return []  # a text file without "E+" anywhere holds no such cell
    columns = [c for c in (*spec.key, *profile.codes) if c in raw
               and spec.column(c).type == "text"]
    issues = []
    for name in dict.fromkeys(columns):
        rounded = per_distinct(raw[name], lambda d: d.map(_rounded_id)).fillna(False)
        for p in np.flatnonzero(rounded.to_numpy(dtype=bool)):
            issues.append(Issue("id_as_number", sheet=sheet, row=int(raw[ROW].iloc[p]),
                                column=name, value=raw[name].iloc[p]))
    return issues


_SCIENTIFIC_RE = re.compile(_SCIENTIFIC)


def _rounded_id(value: object) -> bool:
    if isinstance(value, float):
        return abs(value) >= LONG_ID
    return isinstance(value, str) and _SCIENTIFIC_RE.match(value) is not None


def scale(profile: Profile, frame: pd.DataFrame) -> None:
    for column, factor in profile.scale.items():
        frame[column] = frame[column] * factor


def map_codes(profile: Profile, frame: pd.DataFrame, mappings: Mapping[str, Mapping],
              known: Mapping[str, set], sheet: str) -> list[Issue]:
    """External codes -> canonical (code_mappings); unknown ones are Issues.

    `mappings[entity]` is external -> canonical for this platform; `known[entity]` the
    canonical codes on file (empty: no master data yet, so nothing can be judged)."""
    issues: list[Issue] = []
    for column, entity in profile.codes.items():
        mapping = mappings.get(entity, {})
        values = frame[column]
        if mapping:
            mapped = values.map(mapping)
            values = mapped.where(mapped.notna(), values)
            frame[column] = values
        codes = known.get(entity, set())
        if not codes or profile.unknown_codes == "ignore":
            continue
        unknown = ((values != "") & ~values.isin(codes)).to_numpy(dtype=bool)
        table = ENTITIES[entity][0]
        for p in np.flatnonzero(unknown):
            issues.append(Issue("unknown_code", severity=profile.unknown_codes, sheet=sheet,
                                row=int(frame[ROW].iloc[p]), column=column,
                                value=values.iloc[p],
                                params={"platform": profile.platform,
                                        "label_zh": TABLES[table].zh,
                                        "label_en": TABLES[table].en}))
    return issues


def convert_units(profile: Profile, frame: pd.DataFrame, raw_units: pd.Series | None,
                  stock_units: Mapping[str, str], conversions: pd.DataFrame,
                  sheet: str) -> list[Issue]:
    """Multiply the rule's column by the factor from each row's unit to the item's stock
    unit: the profile's own factors first, then the unit_conversions table (item-specific
    before general). A unit with no way to the stock unit is an Issue."""
    rule = profile.units
    if rule is None or raw_units is None or frame.empty:
        return []
    # Units compare case- and width-insensitively: "PCS", "pcs" and "ｐｃｓ" are one unit.
    units = raw_units.astype(str).map(key).to_numpy(dtype=object)
    items = frame["item_code"] if "item_code" in frame else pd.Series("", index=frame.index)
    target = items.map(stock_units).fillna("").map(key).to_numpy(dtype=object)
    factor = np.where((units == "") | (units == target), 1.0, np.nan)
    own = pd.Series(units).map({key(u): float(f) for u, f in rule.factors.items()}).to_numpy()
    factor = np.where(np.isnan(factor), own, factor)
    for item_key in (items.to_numpy(dtype=object), np.full(len(units), "", dtype=object)):
        lookup = _conversion_lookup(conversions, item_key, units, target)
        factor = np.where(np.isnan(factor), lookup, factor)
    known_target = target != ""
    missing = np.isnan(factor) & known_target
    frame[rule.column] = frame[rule.column].to_numpy() * np.where(np.isnan(factor), 1.0, factor)
    return [Issue("unknown_unit", sheet=sheet, row=int(frame[ROW].iloc[p]),
                  column=rule.column, value=raw_units.iloc[p],
                  params={"unit": target[p], "item": items.iloc[p]})
            for p in np.flatnonzero(missing)]


def _conversion_lookup(conversions: pd.DataFrame, items: np.ndarray, units: np.ndarray,
                       target: np.ndarray) -> np.ndarray:
    if conversions.empty:
        return np.full(len(units), np.nan)
    wanted = pd.DataFrame({"item_code": items, "from_unit": units, "to_unit": target})
    table = conversions[["item_code", "from_unit", "to_unit", "factor"]].copy()
    table["from_unit"] = table["from_unit"].map(key)
    table["to_unit"] = table["to_unit"].map(key)
    table = table.drop_duplicates(["item_code", "from_unit", "to_unit"])
    found = wanted.merge(table, on=["item_code", "from_unit", "to_unit"], how="left")
    return found["factor"].to_numpy(dtype="float64")
