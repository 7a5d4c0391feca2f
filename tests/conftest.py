"""Shared fixtures: small real workbooks written with openpyxl into tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest
from hypothesis import settings

# Property tests draw the same examples on every machine, so a red CI can be reproduced
# anywhere; `pytest --hypothesis-profile=explore` searches new examples instead.
settings.register_profile("xlerp", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("xlerp")

BookMaker = Callable[..., Path]


@pytest.fixture
def make_book(tmp_path: Path) -> BookMaker:
    """make_book({sheet: rows}, name="book.xlsx", origin="A1", hidden=()) -> path.

    Rows are written from `origin` (a cell such as "C3") downwards; None leaves a cell empty.
    """

    def make(sheets: Mapping[str, Sequence[Sequence[object]]], name: str = "book.xlsx",
             origin: str = "A1", hidden: Sequence[str] = ()) -> Path:
        book = openpyxl.Workbook()
        book.remove(book.active)
        first = openpyxl.utils.cell.coordinate_to_tuple(origin)
        for title, rows in sheets.items():
            ws = book.create_sheet(title)
            ws.sheet_state = "hidden" if title in hidden else "visible"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None:
                        ws.cell(row=first[0] + r, column=first[1] + c, value=value)
        if not book.sheetnames:
            book.create_sheet("Sheet1")
        path = tmp_path / name
        book.save(path)
        return path

    return make
