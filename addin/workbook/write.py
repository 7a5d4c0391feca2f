"""Write canonical tables into a workbook with openpyxl, leaving every other sheet alone.

Each table replaces the sheet the book already has for it (either language's name, or
the sheet holding the Excel Table xlerp_<name> written last time) at the same position,
or is appended as a new sheet. The book is saved to a temporary file beside the target
and moved into place in one step, so a failure never leaves a half-written workbook.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ListObject
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from addin.errors import UsageError, WorkbookError
from addin.issues import Issue, has_errors
from addin.schema import TABLES, Lang, Table, fold
from addin.workbook import styles
from addin.workbook.layout import (
    column_values,
    content_width,
    existing_sheet,
    formula_like,
    sheet_layout,
    to_worksheet,
    unique_title,
)
from addin.workbook.read import LIST_OBJECT_PREFIX, check_workbook_file
from addin.workbook.update import update_cells

WRITABLE_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Written:
    """Where the results went (None when nothing was written) and what stopped them."""

    path: Path | None
    issues: list[Issue] = field(default_factory=list)


def write_results(path: str | Path, tables: Mapping[str, pd.DataFrame], lang: Lang, *,
                  updates: Mapping[str, pd.DataFrame] | None = None,
                  out: str | Path | None = None,
                  row_styles: Mapping[str, pd.Series] | None = None,
                  extra: Callable[[Workbook], object] | None = None) -> Written:
    """Write `tables` and apply `updates` (input table -> key columns + columns to set, see
    `update_cells`) in one save: both land, or — when an update cannot be applied —
    nothing is written and the issues say why.

    With `out`, the result goes there and `path` is left untouched. A `path` that does
    not exist yet becomes a fresh workbook holding just these tables. `row_styles[name]`
    gives each frame row a style key ("error", "warning", "info", "ok" or "").
    """
    source = Path(path)
    target = Path(out) if out is not None else source
    specs = _specs(tables)
    _specs(updates or {})
    book = _open_for_writing(source, target) if source.exists() else _fresh_book()
    issues = update_cells(book, updates or {}, lang)
    if has_errors(issues):
        return Written(None, issues)
    _place_tables(book, specs, tables, lang, row_styles or {})
    if extra is not None:  # e.g. the Summary sheet (addin.workbook.summary)
        extra(book)
    _save_atomic(book, target)
    return Written(target, issues)


def write_tables(path: str | Path, tables: Mapping[str, pd.DataFrame], lang: Lang, *,
                 out: str | Path | None = None,
                 row_styles: Mapping[str, pd.Series] | None = None) -> Path:
    """Write `tables` (canonical name -> frame) into the workbook at `path`; return the file
    (see `write_results`, which also updates input sheets)."""
    written = write_results(path, tables, lang, out=out, row_styles=row_styles)
    assert written.path is not None  # without updates nothing can stop the write
    return written.path


def new_workbook(path: str | Path, tables: Mapping[str, pd.DataFrame], lang: Lang) -> Path:
    """A fresh workbook at `path` holding just `tables` (an existing file is replaced)."""
    target = Path(path)
    specs = _specs(tables)
    _check_target_suffix(target, has_vba=False)
    book = _fresh_book()
    _place_tables(book, specs, tables, lang, {})
    _save_atomic(book, target)
    return target


def _specs(tables: Mapping[str, pd.DataFrame]) -> list[Table]:
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise UsageError(f"unknown table {', '.join(map(repr, unknown))} — known tables: "
                         + ", ".join(sorted(TABLES)))
    return [TABLES[name] for name in tables]


def _fresh_book() -> Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)  # no empty "Sheet"; _place_tables adds at least one sheet
    return book


def _open_for_writing(source: Path, target: Path) -> Workbook:
    check_workbook_file(source)
    # Macros survive only into another .xlsm; saving as .xlsx drops them, as Excel does.
    keep_vba = source.suffix.lower() == ".xlsm" and target.suffix.lower() == ".xlsm"
    _check_target_suffix(target, has_vba=keep_vba)
    try:
        return openpyxl.load_workbook(source, keep_vba=keep_vba, keep_links=True)
    except PermissionError as error:
        raise WorkbookError(f"{source} cannot be opened: access was denied — close it in "
                            "the program that has it open and try again") from error
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise WorkbookError(f"{source} is not an Excel workbook (.xlsx/.xlsm) or is damaged — "
                            "open it in Excel and save it again as an .xlsx workbook") from error


def _check_target_suffix(target: Path, *, has_vba: bool) -> None:
    suffix = target.suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise UsageError(f"{target.name}: xlerp writes .xlsx or .xlsm workbooks — "
                         "choose a file name ending in .xlsx")
    if suffix == ".xlsm" and not has_vba:
        # Excel refuses an .xlsm whose content type says "no macros"
        raise UsageError(f"{target.name}: only a macro workbook (.xlsm) can be saved as .xlsm "
                         "— choose a file name ending in .xlsx")


def _place_tables(book: Workbook, specs: list[Table], tables: Mapping[str, pd.DataFrame],
                  lang: Lang, row_styles: Mapping[str, pd.Series]) -> None:
    for spec in specs:
        ws = _replace_sheet(book, spec, lang)
        frame = tables[spec.name]
        fill_sheet(ws, spec, frame, lang, row_styles.get(spec.name))
        ws.add_table(_list_object(book, spec, ws, len(spec.columns), len(frame)))


def _replace_sheet(book: Workbook, spec: Table, lang: Lang) -> Worksheet:
    """An empty sheet for `spec`, at the position of the sheet it replaces (else last)."""
    old = _existing_sheet(book, spec)
    if old is None:
        return book.create_sheet(_unique_title(book, spec.sheet_name(lang)))
    index, title = book.index(old), old.title
    state, tab_color = old.sheet_state, old.sheet_properties.tabColor
    was_active = book.active is old
    book.remove(old)
    ws = book.create_sheet(title, index)
    ws.sheet_state = state
    ws.sheet_properties.tabColor = tab_color
    if was_active:
        book.active = index
    return ws


def _existing_sheet(book: Workbook, spec: Table) -> Worksheet | None:
    """The sheet holding the table written last time, else one named after the table."""
    position = existing_sheet(spec, [(ws.title, list(ws.tables)) for ws in book.worksheets])
    return None if position is None else book.worksheets[position]


def _unique_title(book: Workbook, title: str) -> str:
    return unique_title(book.sheetnames, title)


def fill_sheet(ws: Worksheet, spec: Table, frame: pd.DataFrame, lang: Lang,
               row_style: pd.Series | None = None) -> None:
    """Headers in row 1, the frame's schema columns from row 2, formats, widths, fills."""
    to_worksheet(ws, sheet_layout(spec, frame, lang, row_style))


def _list_object(book: Workbook, spec: Table, ws: Worksheet, ncols: int,
                 nrows: int) -> ListObject:
    """The Excel Table over the sheet's data; an empty table keeps one blank data row.

    Excel itself keeps one (blank) data row when every row of a table is deleted, so a
    header-only result opens cleanly and users can type into it.
    """
    ref = f"A1:{get_column_letter(ncols)}{max(nrows, 1) + 1}"
    table = ListObject(displayName=_unique_table_name(book, spec, ws), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=True)
    return table


def _unique_table_name(book: Workbook, spec: Table, ws: Worksheet) -> str:
    """xlerp_<table>, numbered if another sheet or a defined name already uses it."""
    taken = {fold(name) for name in book.defined_names}
    for sheet in book.worksheets:
        if sheet is not ws:
            taken.update(fold(name) for name in sheet.tables)
    base = f"{LIST_OBJECT_PREFIX}_{spec.name}"
    candidate, number = base, 2
    while fold(candidate) in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def _save_atomic(book: Workbook, target: Path) -> None:
    """Save beside the target, then rename over it: the target is whole or untouched."""
    if not target.parent.is_dir():
        raise WorkbookError(f"cannot write {target}: the folder {target.parent} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".~{target.stem}.",
                                         suffix=target.suffix, delete=False) as handle:
            temp = Path(handle.name)
    except PermissionError as error:
        raise WorkbookError(f"cannot write to {target.parent}: access was denied") from error
    try:
        book.save(temp)
        _copy_mode(target, temp)
        os.replace(temp, target)
    except PermissionError as error:
        _remove(temp)
        raise WorkbookError(f"cannot write {target}: it is open in another program — "
                            "close the workbook in Excel and try again") from error
    except OSError as error:
        _remove(temp)
        raise WorkbookError(f"cannot write {target}: {error.strerror or error}") from error
    except BaseException:
        _remove(temp)
        raise


def _copy_mode(target: Path, temp: Path) -> None:
    # NamedTemporaryFile creates the file private (0600); give the result the permissions
    # the workbook had, or those a normally created file would get.
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)


def _remove(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()


__all__ = ["WRITABLE_SUFFIXES", "Written", "column_values", "content_width", "fill_sheet",
           "formula_like", "new_workbook", "write_results", "write_tables"]
