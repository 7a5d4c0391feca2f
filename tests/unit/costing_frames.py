"""Typed costing tables built in code, as the workbook reader would give them."""

from __future__ import annotations

import pandas as pd

from addin.schema import ROW, TABLES, coerce, empty_frame
from addin.schema.costing import COSTING_TABLES

_ALL = {**TABLES, **{t.name: t for t in COSTING_TABLES}}


def typed(name: str, **columns: list) -> pd.DataFrame:
    """Raw cells through the schema's coercion; Excel rows start at 2. No columns: an
    absent sheet (every column, no rows)."""
    if not columns:
        return empty_frame(_ALL[name])
    length = len(next(iter(columns.values())))
    raw = pd.DataFrame({ROW: range(2, 2 + length), **columns}, dtype="object")
    frame, issues = coerce(_ALL[name], raw, name, "en")
    assert not [i for i in issues if i.severity == "error"], issues
    return frame
