"""Turn raw sheet cells into typed canonical tables, collecting an Issue per wrong cell.

Every conversion works on whole columns; Python-level work happens only for the cells
that are wrong, so a 400k-line BOM converts in a fraction of a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from addin.issues import Issue, plain_value
from addin.schema.model import Column, Lang, Table, fold

ROW = "_row"  # Excel row number of each record, kept beside the data for messages

_TRUE = {fold(t) for t in ("1", "true", "yes", "y", "是", "√", "✓", "✔", "t", "对", "on")}
_FALSE = {fold(t) for t in ("0", "false", "no", "n", "否", "×", "✗", "f", "", "off", "不")}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# money written as text: ¥1,234.50 / 1,234.50元 / RMB 12 (invoice and bank exports)
_CURRENCY = re.compile(r"^(?:[¥$]|RMB|CNY)\s*|\s*(?:元|RMB|CNY)$", re.IGNORECASE)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def map_headers(table: Table, headers: Sequence[object]) -> tuple[dict[int, str], list[str]]:
    """Match header cells to canonical columns: {position: column name}, unknown headers."""
    lookup = table.header_lookup()
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        text = "" if header is None else str(header).strip()
        if not text:
            continue
        name = lookup.get(fold(text))
        if name is None or name in mapping.values():
            unknown.append(text)
        else:
            mapping[position] = name
    return mapping, unknown


def empty_frame(table: Table) -> pd.DataFrame:
    """A typed table with no rows (an absent optional sheet)."""
    return coerce(table, pd.DataFrame({ROW: pd.Series([], dtype="int64")}), "", "en")[0]


def coerce(table: Table, raw: pd.DataFrame, sheet: str, lang: Lang,
           header_row: int = 1) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed table (canonical columns plus `_row`) and the issues found on the way."""
    issues: list[Issue] = []
    rows = raw[ROW].to_numpy() if ROW in raw else np.arange(len(raw)) + header_row + 1
    out: dict[str, object] = {ROW: rows}
    for column in table.columns:
        header = column.header(lang)
        if column.name not in raw:
            if column.required:
                issues.append(Issue("missing_column", sheet=sheet, row=header_row,
                                    column=header))
            out[column.name] = _default_series(column, len(raw))
            continue
        values, bad = _convert(column, raw[column.name])
        filled = _fill_default(column, values)
        issues += _cell_issues(column, raw[column.name], bad, rows, sheet, header, lang)
        issues += _required_issues(column, filled, bad, rows, sheet, header)
        issues += _minimum_issues(column, filled, rows, sheet, header)
        out[column.name] = filled
    frame = pd.DataFrame(out)
    issues += duplicate_key_issues(table, frame, sheet, lang)
    return frame, issues


def _default_series(column: Column, length: int) -> pd.Series:
    if column.type in ("number",):
        return pd.Series(np.full(length, np.nan if column.default is None else column.default,
                                 dtype="float64"))
    if column.type == "integer":
        return pd.Series([column.default] * length, dtype="Int64")
    if column.type == "date":
        return pd.Series(pd.NaT, index=range(length), dtype="datetime64[ns]")
    if column.type == "bool":
        return pd.Series(np.full(length, bool(column.default)), dtype="bool")
    return pd.Series([column.default if column.default is not None else ""] * length,
                     dtype="object")


def _flags(raw: pd.Series, predicate: Callable[[object], bool]) -> pd.Series:
    """A boolean mask from a per-value test (the one place cells are looked at singly)."""
    return pd.Series([predicate(v) for v in raw.array], index=raw.index, dtype="bool")


def _is_blank(raw: pd.Series) -> pd.Series:
    return raw.isna() | _flags(raw, lambda v: isinstance(v, str) and not v.strip())


def _convert(column: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Converted values (NaN/None where blank or bad) and a mask of bad, non-blank cells.

    Each distinct cell value is converted once: codes, units and dates repeat a lot, so
    this keeps the per-value Python work to the distinct values of the column.
    """
    raw = raw.reset_index(drop=True)
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
    if len(uniques) == 0:  # every cell blank
        nothing = pd.Series([None] * len(raw), dtype="object")
        return nothing, pd.Series(np.zeros(len(raw), dtype=bool))
    values, bad = _convert_distinct(column, pd.Series(uniques, dtype="object"))
    present = codes >= 0
    take = np.where(present, codes, 0)
    expanded = values.take(take).reset_index(drop=True)
    expanded = expanded.where(pd.Series(present))
    return expanded, pd.Series(bad.to_numpy()[take] & present)


def _convert_distinct(column: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    blank = _is_blank(raw)
    if column.type == "number":
        values = _to_number(raw)
    elif column.type == "integer":
        numbers = _to_number(raw)
        whole = numbers.notna() & (numbers == np.round(numbers))
        values = numbers.where(whole)
    elif column.type == "date":
        values = _to_date(raw)
    elif column.type == "bool":
        values = _to_bool(raw)
    elif column.type == "choice":
        lookup = column.choice_lookup()
        values = raw.map(lambda v: lookup.get(fold(_text(v))), na_action="ignore")
    else:
        values = raw.map(_text, na_action="ignore")
    bad = values.isna() & ~blank
    return values, bad


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed as numbers come back as 1001.0
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("\u3000", " ").strip()


def _to_number(raw: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(raw, errors="coerce")
    text_mask = _flags(raw, lambda v: isinstance(v, str))
    if text_mask.any():
        # NFKC: full-width digits, commas and ％ as typed in Chinese input methods
        text = raw[text_mask].astype(str).str.normalize("NFKC").str.strip()
        text = text.str.replace(_CURRENCY, "", regex=True)
        thousands = text.str.match(_THOUSANDS)
        text = text.where(~thousands, text.str.replace(",", ""))
        percent = text.str.endswith(("%", "％"))
        text = text.str.rstrip("%％").str.strip()
        parsed = pd.to_numeric(text, errors="coerce")
        parsed = parsed.where(~percent, parsed / 100)
        numeric = numeric.astype("float64")
        numeric[text_mask] = parsed
    bools = _flags(raw, lambda v: isinstance(v, bool | np.bool_))
    return numeric.astype("float64").where(~bools)


def _to_date(raw: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    kinds = raw.map(_date_kind, na_action="ignore")
    stamps = kinds == "stamp"
    if stamps.any():
        result[stamps] = pd.to_datetime(raw[stamps].map(pd.Timestamp)).dt.normalize()
    serial = kinds == "serial"
    if serial.any():
        days = pd.to_numeric(raw[serial]).astype("float64")
        ok = (days > 0) & (days < 2958466)
        result[serial & ok.reindex(raw.index, fill_value=False)] = (
            _EXCEL_EPOCH + pd.to_timedelta(np.floor(days[ok]), unit="D"))
    text = kinds == "text"
    if text.any():
        cleaned = (raw[text].astype(str).str.strip()
                   .str.replace(r"[/.年月]", "-", regex=True).str.replace("日", "", regex=False))
        compact = cleaned.str.fullmatch(r"\d{8}")
        cleaned = cleaned.where(~compact, cleaned.str[:4] + "-" + cleaned.str[4:6] + "-"
                                + cleaned.str[6:])
        parsed = pd.to_datetime(cleaned, errors="coerce", format="ISO8601")
        result[text] = parsed.dt.tz_localize(None).dt.normalize() if len(parsed) else parsed
    return result


def _date_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bad"
    if hasattr(value, "year") and hasattr(value, "month"):
        return "stamp"
    if isinstance(value, int | float | np.integer | np.floating):
        return "serial"
    if isinstance(value, str) and value.strip():
        return "text"
    return "blank"


def _to_bool(raw: pd.Series) -> pd.Series:
    def parse(value: object) -> object:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        key = fold(_text(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        return None

    return raw.map(parse, na_action="ignore")


def _fill_default(column: Column, values: pd.Series) -> pd.Series:
    if column.type == "number":
        out = values.astype("float64")
        return out.fillna(column.default) if column.default is not None else out
    if column.type == "integer":
        out = values.astype("float64")
        if column.default is not None:
            out = out.fillna(column.default)
        return out.round().astype("Int64")
    if column.type == "date":
        return values.astype("datetime64[ns]")
    if column.type == "bool":
        return values.where(values.notna(), bool(column.default)).astype("bool")
    default = column.default if column.default is not None else ""
    return values.where(values.notna(), default).astype("object")


_BAD_CODE = {"number": "not_a_number", "integer": "not_an_integer", "date": "not_a_date",
             "bool": "not_a_bool", "choice": "not_a_choice"}


def _cell_issues(column: Column, raw: pd.Series, bad: pd.Series, rows: np.ndarray,
                 sheet: str, header: str, lang: Lang) -> list[Issue]:
    if not bad.any():
        return []
    code = _BAD_CODE[column.type]
    params = {}
    if column.type == "choice":
        params["allowed"] = "、".join(c.label(lang) for c in column.choices) if lang == "zh" \
            else ", ".join(c.label(lang) for c in column.choices)
    positions = np.flatnonzero(bad.to_numpy())
    values = raw.reset_index(drop=True)
    return [Issue(code, sheet=sheet, row=int(rows[p]), column=header, value=values[p],
                  params=params) for p in positions]


def _required_issues(column: Column, values: pd.Series, bad: pd.Series, rows: np.ndarray,
                     sheet: str, header: str) -> list[Issue]:
    if not column.required:
        return []
    empty = values.isna() | (values.astype(str).str.strip() == "") if column.type in (
        "text", "choice") else values.isna()
    empty = empty & ~bad
    return [Issue("required_empty", sheet=sheet, row=int(rows[p]), column=header)
            for p in np.flatnonzero(empty.to_numpy())]


def _minimum_issues(column: Column, values: pd.Series, rows: np.ndarray, sheet: str,
                    header: str) -> list[Issue]:
    if column.min_value is None or column.type not in ("number", "integer"):
        return []
    numbers = values.astype("float64")
    low = (numbers < column.min_value).fillna(False).to_numpy()
    minimum = {"minimum": plain_value(column.min_value)}
    return [Issue("below_minimum", sheet=sheet, row=int(rows[p]), column=header,
                  value=plain_value(numbers.iloc[p]), params=minimum)
            for p in np.flatnonzero(low)]


def duplicate_key_issues(table: Table, frame: pd.DataFrame, sheet: str,
                         lang: Lang) -> list[Issue]:
    """One issue per row whose business key repeats an earlier row's."""
    if not table.key or frame.empty:
        return []
    key = list(table.key)
    dup = frame.duplicated(key, keep="first").to_numpy()
    if not dup.any():
        return []
    first_rows = frame.groupby(key, dropna=False, sort=False)[ROW].transform("first").to_numpy()
    header = table.column(key[0]).header(lang)
    issues = []
    for p in np.flatnonzero(dup):
        parts = [str(frame[k].iloc[p]) for k in key if str(frame[k].iloc[p]) not in ("", "NaT")]
        issues.append(Issue("duplicate_key", sheet=sheet, row=int(frame[ROW].iloc[p]),
                            column=header, value=" / ".join(parts),
                            params={"key": " / ".join(parts), "first_row": int(first_rows[p])}))
    return issues
