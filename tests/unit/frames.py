"""Typed canonical tables for unit tests, built from row dicts the way the reader types
sheets (a test that needs a table writes only the columns it cares about)."""

from __future__ import annotations

import pandas as pd

from addin.schema import TABLES, coerce, empty_frame


def typed(name: str, rows: list[dict]) -> pd.DataFrame:
    """Table `name` from rows; defaults fill the other columns; any error fails the test."""
    if not rows:
        return empty_frame(TABLES[name])
    frame, issues = coerce(TABLES[name], pd.DataFrame(rows), name, "en")
    assert not [i for i in issues if i.severity == "error"], issues
    return frame
