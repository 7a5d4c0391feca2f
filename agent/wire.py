"""The JSON wire format of canonical rows between agents and the store server.

A batch travels column-wise, `{"columns": {name: [value, ...]}}`: one list per column
is what pandas builds and splits fastest, and the body is smaller than one object per
row. Values are canonical: numbers as JSON numbers, dates as "YYYY-MM-DD", bools as
true/false, choices as their canonical value, blanks as null. `_row` (the row number in
the source file) may travel beside the schema columns.

Both ends use this module, so the push client never depends on the server's packages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, replace

import numpy as np
import pandas as pd

from addin.errors import UsageError
from addin.issues import Issue, Message, register
from addin.schema import ROW, Table, coerce
from agent.batch import Provenance
from agent.migrations import PROVENANCE

PROVENANCE_FIELDS = ("platform", "file", "as_of", "profile", "snapshot")

register({
    "wire_ragged_columns": Message(
        "各列行数不一致（{lengths}）", "The columns hold different numbers of rows ({lengths})",
        "每列须有相同的行数", "Send the same number of values in every column"),
})


def encode_columns(frame: pd.DataFrame, spec: Table,
                   extra: Iterable[str] = (ROW,)) -> dict[str, list[object]]:
    """The schema columns of a typed frame (and `extra` columns it has) as JSON lists."""
    out: dict[str, list[object]] = {}
    for column in spec.columns:
        if column.name in frame:
            out[column.name] = _plain_list(frame[column.name], column.type == "date")
    for name in extra:
        if name in frame:
            out[name] = _plain_list(frame[name], False)
    return out


def _plain_list(values: pd.Series, is_date: bool) -> list[object]:
    """Python scalars (astype(object) unboxes numpy's) with None for every blank."""
    if is_date:
        values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    plain = values.astype(object).to_numpy(dtype=object)
    blank = values.isna().to_numpy(dtype=bool)
    if blank.any():
        plain = plain.copy()
        plain[blank] = None
    return plain.tolist()


def upload_body(frame: pd.DataFrame, spec: Table, provenance: Provenance) -> bytes:
    """The request body of one batch upload (the idempotency key travels as a header)."""
    meta = {k: v for k, v in asdict(provenance).items() if k in PROVENANCE_FIELDS}
    payload = {**meta, "columns": encode_columns(frame, spec)}
    return dumps(payload)


def dumps(payload: object) -> bytes:
    """Compact UTF-8 JSON; NaN/Infinity are refused (they are not JSON)."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


def decode_columns(spec: Table, columns: Mapping[str, Sequence[object]]
                   ) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Wire columns -> the typed frame the workbook reader would give, plus the issues.

    Typing goes through the schema's own `coerce`, so a value that would be refused in a
    workbook is refused here with the same reason code. A frame is returned only when
    no issue is an error.
    """
    issues = _shape_issues(spec, columns)
    if issues:
        return None, issues
    raw = pd.DataFrame({name: pd.Series(list(values), dtype=object)
                        for name, values in columns.items()})
    rows, row_issues = _row_numbers(raw)
    if row_issues:
        return None, row_issues
    raw[ROW] = rows
    frame, issues = coerce(spec, raw, spec.name, "en")
    # coerce names columns by their English header (for a workbook); the API speaks
    # canonical names.
    names = {column.header("en"): column.name for column in spec.columns}
    issues = [replace(i, column=names.get(i.column, i.column)) for i in issues]
    if any(issue.severity == "error" for issue in issues):
        return None, issues
    return frame, issues


def _shape_issues(spec: Table, columns: Mapping[str, Sequence[object]]) -> list[Issue]:
    known = {*spec.column_names, ROW}
    issues = [Issue("unknown_column", sheet=spec.name, column=str(name), value=name)
              for name in columns if name not in known]
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        issues.append(Issue("wire_ragged_columns", sheet=spec.name,
                            params={"lengths": ", ".join(map(str, sorted(lengths)))}))
    return issues


def _row_numbers(raw: pd.DataFrame) -> tuple[np.ndarray, list[Issue]]:
    """The source row numbers: as sent (positive whole numbers), else 2, 3, … like a
    sheet whose header is row 1."""
    count = len(raw)
    if ROW not in raw:
        return np.arange(2, count + 2, dtype="int64"), []
    numbers = pd.to_numeric(raw[ROW], errors="coerce")
    bad = numbers.isna() | (numbers < 1) | (numbers != numbers.round())
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        return np.empty(0, dtype="int64"), [Issue("not_an_integer", sheet="", column=ROW,
                                                  row=first + 2, value=raw[ROW].iloc[first])]
    return numbers.to_numpy(dtype="int64"), []


def typed_rows(spec: Table, columns: dict[str, list[object]]) -> pd.DataFrame:
    """Rows as the store server sends them (schema and provenance columns) back to the
    typed frame `Store.rows` gives."""
    own = {k: v for k, v in columns.items() if k in spec.column_names}
    frame, issues = decode_columns(spec, own) if own else (None, [])
    if frame is None:
        if issues:
            raise UsageError(f"the store sent {spec.name} rows this version cannot read: "
                             + issues[0].message())
        return pd.DataFrame(columns=[*spec.column_names, *PROVENANCE])
    for name in PROVENANCE:
        frame[name] = columns.get(name, [None] * len(frame))
    return frame


def issue_records(issues: Sequence[Issue], limit: int = 100) -> list[dict[str, object]]:
    """The first `limit` issues as JSON objects (English message and fix)."""
    return [{"code": i.code, "severity": i.severity, "table": i.sheet, "row": i.row,
             "column": i.column, "value": None if i.value is None else str(i.value),
             "message": i.message("en"), "fix": i.fix("en")} for i in issues[:limit]]


__all__ = ["PROVENANCE_FIELDS", "decode_columns", "dumps", "encode_columns", "issue_records",
           "typed_rows", "upload_body"]
