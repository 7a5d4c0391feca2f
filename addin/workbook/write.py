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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ListObject
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from addin.errors import UsageError, WorkbookError
from addin.issues import Issue, has_errors
from addin.schema import TABLES, Column, Lang, Table, fold
from addin.workbook import styles
from addin.workbook.read import LIST_OBJECT_PREFIX, check_workbook_file
from addin.workbook.update import update_cells

WRITABLE_SUFFIXES = (".xlsx", ".xlsm")
MAX_CELL_TEXT = 32767  # Excel's limit; longer text makes Excel "repair" the file
WIDTH_SAMPLE = 2000    # rows looked at to size a column; enough to see typical values
_BOOL_LABELS = {"zh": ("是", "否"), "en": ("Yes", "No")}
_FORMULA_START = r"^[=+\-@\t\r]"  # what Excel (or a CSV import) may evaluate


@dataclass
class Written:
    """Where the results went (None when nothing was written) and what stopped them."""

    path: Path | None
    issues: list[Issue] = field(default_factory=list)


def write_results(path: str | Path, tables: Mapping[str, pd.DataFrame], lang: Lang, *,
                  updates: Mapping[str, pd.DataFrame] | None = None,
                  out: str | Path | None = None,
                  row_styles: Mapping[str, pd.Series] | None = None) -> Written:
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
    own = fold(f"{LIST_OBJECT_PREFIX}_{spec.name}")
    for ws in book.worksheets:
        if any(fold(name) == own for name in ws.tables):
            return ws
    # Only the table's own names, never its aliases: an alias guess must not overwrite
    # a user's sheet.
    keys = {fold(spec.name), fold(spec.zh), fold(spec.en)}
    for ws in book.worksheets:
        if fold(ws.title) in keys:
            return ws
    return None


def _unique_title(book: Workbook, title: str) -> str:
    taken = {name.casefold() for name in book.sheetnames}
    candidate, number = title[:31], 2
    while candidate.casefold() in taken:  # a chart sheet may already hold the name
        suffix = f" ({number})"
        candidate, number = title[:31 - len(suffix)] + suffix, number + 1
    return candidate


def fill_sheet(ws: Worksheet, spec: Table, frame: pd.DataFrame, lang: Lang,
               row_style: pd.Series | None = None) -> None:
    """Headers in row 1, the frame's schema columns from row 2, formats, widths, fills."""
    columns = spec.columns
    ws.append([column.header(lang) for column in columns])
    values = [column_values(column, frame, lang) for column in columns]
    for row in zip(*(cells.tolist() for cells in values), strict=True):
        ws.append(row)
    styles.style_header_row(ws, 1, len(columns))
    ws.freeze_panes = "A2"
    last_row = len(frame) + 1
    for position, (column, cells) in enumerate(zip(columns, values, strict=True), start=1):
        letter = get_column_letter(position)
        ws.column_dimensions[letter].width = styles.column_width(
            column.header(lang), content_width(cells), column.width)
        number_format = column.number_format or (
            styles.DATE_FORMAT if column.type == "date" else None)
        if number_format and last_row > 1:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=position,
                                        max_col=position):
                cell.number_format = number_format
        if column.type in ("text", "choice"):
            _neutralise_formulas(ws, position, cells)
    if row_style is not None and len(frame):
        _fill_rows(ws, row_style, frame.index, len(columns))


def column_values(column: Column, frame: pd.DataFrame, lang: Lang) -> pd.Series:
    """The cell values of one schema column: plain Python values, None for an empty cell."""
    if column.name not in frame:
        return pd.Series([None] * len(frame), dtype=object)
    raw = frame[column.name].reset_index(drop=True)
    if column.type in ("number", "integer"):
        return _numbers(raw)
    if column.type == "date":
        dates = pd.to_datetime(raw, errors="coerce")
        if isinstance(dates.dtype, pd.DatetimeTZDtype):
            dates = dates.dt.tz_localize(None)
        return dates.dt.date.astype(object).where(dates.notna(), None)
    if column.type == "bool":
        yes, no = _BOOL_LABELS[lang]
        flags = raw.astype(object)
        return flags.map({True: yes, False: no}).where(flags.notna(), None).astype(object)
    if column.type == "choice":
        labels = {choice.value: choice.label(lang) for choice in column.choices}
        raw = raw.map(labels).where(raw.isin(list(labels)), raw)
    return _texts(raw)


def _numbers(raw: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    finite = np.isfinite(numbers.to_numpy())  # Excel cannot store inf; NaN is an empty cell
    out = numbers.astype(object).where(finite, None)
    # 3 rather than 3.0; only where a float holds the integer exactly (|x| < 2**53)
    whole = finite & (numbers == numbers.round()).to_numpy() & (numbers.abs() < 2**53).to_numpy()
    out[whole] = numbers[whole].astype("int64").astype(object)
    return out


def _texts(raw: pd.Series) -> pd.Series:
    text = raw.astype(object).where(raw.notna(), None)
    present = text.notna()
    if pd.api.types.infer_dtype(text[present], skipna=True) not in ("string", "empty"):
        text[present] = text[present].astype(str)
    text = text.where(text != "", None)
    strings = text.dropna()
    if len(strings):
        # Control characters are illegal in the file's XML; openpyxl would refuse the cell.
        cleaned = strings.str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True).str.slice(
            0, MAX_CELL_TEXT)
        text[cleaned.index] = cleaned
    return text


def formula_like(cells: pd.Series) -> np.ndarray:
    """Positions of text cells that Excel could take for a formula."""
    if not len(cells):
        return np.array([], dtype="int64")
    strings = cells.map(lambda v: v if isinstance(v, str) else "")
    return np.flatnonzero(strings.str.contains(_FORMULA_START, regex=True).to_numpy())


def content_width(cells: pd.Series) -> float:
    """Display width of the widest value among the first rows (CJK counts double)."""
    sample = cells.iloc[:WIDTH_SAMPLE].dropna()
    if sample.empty:
        return 0.0
    return max(styles.text_width(_display(value)) for value in sample.unique())


def _display(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _neutralise_formulas(ws: Worksheet, position: int, cells: pd.Series) -> None:
    """Store text that looks like a formula as plain text Excel will not evaluate."""
    for offset in formula_like(cells):
        cell = ws.cell(row=offset + 2, column=position)
        cell.data_type = "s"      # openpyxl took the leading "=" for a formula
        cell.quotePrefix = True   # and Excel keeps it text when the cell is edited


def _fill_rows(ws: Worksheet, row_style: pd.Series, index: pd.Index, ncols: int) -> None:
    keys = row_style.reindex(index).fillna("").astype(str).to_numpy()
    for offset, key in enumerate(keys):
        fill = styles.fill_for(key)
        if fill is None:
            continue
        for column in range(1, ncols + 1):
            ws.cell(row=offset + 2, column=column).fill = fill


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
