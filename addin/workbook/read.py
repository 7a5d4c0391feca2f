"""Read canonical tables out of a workbook with python-calamine.

A table is found by its sheet name in either language (or an alias), or by the name of
an Excel Table (ListObject). Its header row may sit below titles and notes; headers are
matched case-, space- and punctuation-insensitively. Cells are typed by the schema, so
every problem in the data comes back as an `Issue`, never as an exception. Only a file
that cannot be opened at all raises (`WorkbookError`).
"""

from __future__ import annotations

import gc
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from addin.errors import UsageError, WorkbookError
from addin.issues import Issue
from addin.schema import ROW, TABLES, Lang, Table, coerce, empty_frame, fold, map_headers

HEADER_SEARCH_ROWS = 20  # titles and notes above the header rarely take more than a few rows
LIST_OBJECT_PREFIX = "xlerp"  # the writer names its Excel Tables xlerp_<table>
_CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 container: .xls or an encrypted .xlsx
_OLE_SUFFIXES = {".xls"}


@dataclass
class ReadResult:
    """The typed tables read from a workbook and everything found wrong on the way."""

    tables: dict[str, pd.DataFrame]
    issues: list[Issue] = field(default_factory=list)
    lang: Lang = "en"
    sheets: dict[str, str] = field(default_factory=dict)  # table -> sheet name in the book


def detect_language(sheet_names: Iterable[str]) -> Lang:
    """"zh" when more sheet names match the tables' Chinese names than their English ones.

    Names the two languages share ("BOM") count for neither; on a tie the aliases decide
    (a Chinese alias such as 物料主数据 counts for zh), else English.
    """
    folded = {fold(name) for name in sheet_names}
    zh = en = zh_alias = en_alias = 0
    for spec in TABLES.values():
        zh_key, en_key = fold(spec.zh), fold(spec.en)
        if zh_key != en_key:
            zh += zh_key in folded
            en += en_key in folded
        for alias in spec.aliases:
            if fold(alias) in folded:
                if _has_cjk(alias):
                    zh_alias += 1
                else:
                    en_alias += 1
    if zh != en:
        return "zh" if zh > en else "en"
    return "zh" if zh_alias > en_alias else "en"


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def read_tables(path: str | Path, names: Iterable[str],
                optional: Iterable[str] = ()) -> ReadResult:
    """Read the required tables `names` and the `optional` ones from the workbook at `path`.

    Every requested table is in the result (typed, possibly empty); a missing required
    sheet is a "missing_sheet" issue, a missing optional one an empty frame.
    """
    wanted = _requested(names, optional)
    path = Path(path)
    with _open_book(path) as book, _gc_paused():
        sheet_names = _worksheet_names(book)
        lang = detect_language(sheet_names)
        result = ReadResult(tables={}, lang=lang)
        list_objects = book.table_names or []
        for name, required in wanted.items():
            spec = TABLES[name]
            frame, issues, sheet = _read_one(book, spec, sheet_names, list_objects, lang,
                                             required)
            result.tables[name] = frame
            result.issues += issues
            if sheet is not None:
                result.sheets[name] = sheet
    return result


def read_sheet_values(path: str | Path, sheet: str) -> list[list]:
    """The raw cell grid of one sheet from A1 (row i is Excel row i + 1); "" for empty."""
    path = Path(path)
    with _open_book(path) as book:
        if sheet not in book.sheet_names:
            raise UsageError(f'{path.name} has no sheet "{sheet}" — its sheets are: '
                             + ", ".join(book.sheet_names))
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _requested(names: Iterable[str], optional: Iterable[str]) -> dict[str, bool]:
    """Canonical table -> required?, in request order; a table asked for both is required."""
    wanted = dict.fromkeys(names, True)
    for name in optional:
        wanted.setdefault(name, False)
    unknown = [name for name in wanted if name not in TABLES]
    if unknown:
        raise UsageError(f"unknown table {', '.join(map(repr, unknown))} — known tables: "
                         + ", ".join(sorted(TABLES)))
    return wanted


def _worksheet_names(book: CalamineWorkbook) -> list[str]:
    # Chart and dialog sheets hold no cells; hidden worksheets are read like any other.
    return [meta.name for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]


def _read_one(book: CalamineWorkbook, spec: Table, sheet_names: list[str],
              list_objects: list[str], lang: Lang,
              required: bool) -> tuple[pd.DataFrame, list[Issue], str | None]:
    sheet = find_sheet(spec, sheet_names)
    if sheet is not None:
        sheet_obj = book.get_sheet_by_name(sheet)
        start = sheet_obj.start
        rows = sheet_obj.to_python(skip_empty_area=True) if start is not None else []
        first_row = start[0] + 1 if start is not None else 1
        frame, issues = _table_from_grid(spec, rows, first_row, sheet, lang, required)
        return frame, issues, sheet
    list_object = find_list_object(spec, list_objects)
    if list_object is not None:
        return _read_list_object(book, spec, list_object, lang)
    if not required:
        return empty_frame(spec), [], None
    label = spec.sheet_name(lang)
    return empty_frame(spec), [Issue("missing_sheet", sheet=label, params={"table": label})], None


def find_sheet(spec: Table, sheet_names: Iterable[str]) -> str | None:
    """The book's sheet for a table: first of its names (canonical, zh, en, aliases) found."""
    by_key: dict[str, str] = {}
    for name in sheet_names:
        by_key.setdefault(fold(name), name)
    for candidate in spec.sheet_names():
        found = by_key.get(fold(candidate))
        if found is not None:
            return found
    return None


def find_list_object(spec: Table, list_objects: Iterable[str]) -> str | None:
    """The Excel Table (ListObject) named after a table, with or without the xlerp_ prefix."""
    keys = {fold(candidate) for candidate in spec.sheet_names()}
    for name in sorted(list_objects):
        key = fold(name)
        bare = key.removeprefix(LIST_OBJECT_PREFIX)
        if key in keys or bare in keys:
            return name
    return None


def _read_list_object(book: CalamineWorkbook, spec: Table, name: str,
                      lang: Lang) -> tuple[pd.DataFrame, list[Issue], str]:
    list_object = book.get_table_by_name(name)
    start = list_object.start
    header_row = start[0] if start is not None else 1  # start is the first data row, 0-based
    rows = [list(list_object.columns), *list_object.to_python()]
    frame, issues = _table_from_grid(spec, rows, header_row, list_object.sheet, lang, True)
    return frame, issues, list_object.sheet


def _table_from_grid(spec: Table, rows: list[list], first_row: int, sheet: str, lang: Lang,
                     required: bool) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed table from a cell grid whose row 0 is Excel row `first_row`."""
    header_at = find_header_row(spec, rows)
    if header_at is None:
        if not required and not any(_row_has_value(row) for row in rows):
            return empty_frame(spec), []  # an empty optional sheet is simply no data
        example = " | ".join(spec.headers(lang)[:3])
        return empty_frame(spec), [Issue("no_header", sheet=sheet, params={"example": example})]
    header_row = first_row + header_at
    mapping, unknown = map_headers(spec, rows[header_at])
    issues = [Issue("unknown_column", severity="warning", sheet=sheet, row=header_row,
                    value=text) for text in unknown]
    raw = _raw_frame(rows[header_at + 1:], mapping, header_row + 1)
    frame, found = coerce(spec, raw, sheet, lang, header_row=header_row)
    return frame, issues + found


def find_header_row(spec: Table, rows: list[list]) -> int | None:
    """Index of the header: among the first 20 non-blank rows, the one naming most columns."""
    lookup = spec.header_lookup()
    best, best_hits, seen = None, 0, 0
    for index, row in enumerate(rows):
        if not _row_has_value(row):
            continue
        hits = len({lookup.get(fold(cell)) for cell in row if isinstance(cell, str)} - {None})
        if hits > best_hits:
            best, best_hits = index, hits
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return best


def _row_has_value(row: list) -> bool:
    return any(cell is not None and cell != "" for cell in row)


def _raw_frame(data: list[list], mapping: dict[int, str], first_row: int) -> pd.DataFrame:
    """Object columns of the mapped positions plus `_row`, fully blank rows dropped."""
    if not data or not mapping:
        return pd.DataFrame({ROW: pd.Series([], dtype="int64"),
                             **{name: pd.Series([], dtype=object) for name in mapping.values()}})
    cells = np.array(data, dtype=object)
    positions = list(mapping)
    if positions != list(range(cells.shape[1])):  # each pass over 3M cells costs ~0.05 s
        cells = cells[:, positions]
    blank = cells == ""  # calamine reports an empty cell as "", never None or NaN
    keep = ~(blank.all(axis=1) | _spaces_only(cells, blank))
    rows = np.arange(first_row, first_row + len(data), dtype="int64")
    if not keep.all():
        cells, rows = cells[keep], rows[keep]
    # dtype=object: the schema types the cells; pandas' own string inference is wasted work
    frame = pd.DataFrame(cells, columns=list(mapping.values()), dtype=object, copy=False)
    frame.insert(0, ROW, rows)
    return frame


_IS_SPACES = np.frompyfunc(lambda cell: isinstance(cell, str) and cell.isspace(), 1, 1)


def _spaces_only(cells: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Rows with filled cells that all hold only spaces (they look blank in Excel)."""
    # Column by column, keep only rows still in doubt: in real data the first filled
    # column already clears almost every row, so few cells are tested one by one.
    doubt = np.flatnonzero(~blank.all(axis=1))
    for j in range(cells.shape[1]):
        if not len(doubt):
            break
        filled = doubt[~blank[doubt, j]]
        if len(filled):
            spaces = _IS_SPACES(cells[filled, j]).astype(bool)
            doubt = np.setdiff1d(doubt, filled[~spaces], assume_unique=True)
    result = np.zeros(len(cells), dtype=bool)
    result[doubt] = True
    return result


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cell objects are created.

    Cell values are plain, acyclic objects, yet every few hundred allocations trigger a
    collection that walks them all: for a 400k-line sheet that is most of the read time
    (to_python 1.0 s with the collector running, 0.2 s without).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _open_book(path: Path) -> Iterator[CalamineWorkbook]:
    """Open a workbook, turning every way a file can be unreadable into a WorkbookError."""
    check_workbook_file(path)
    try:
        book = CalamineWorkbook.from_path(str(path), load_tables=_has_list_objects(path))
    except PasswordError as error:
        raise _protected(path) from error
    except CalamineError as error:
        raise _damaged(path) from error
    except PermissionError as error:
        raise _locked(path) from error
    except OSError as error:
        raise WorkbookError(f"{path} cannot be opened: {error}") from error
    try:
        with book:
            yield book
    except PasswordError as error:
        raise _protected(path) from error
    except CalamineError as error:  # a sheet's XML can be broken while the zip is fine
        raise _damaged(path) from error


def check_workbook_file(path: Path) -> None:
    """Refuse a path that is missing, a folder or a password-protected (encrypted) book."""
    if not path.exists():
        raise WorkbookError(f"{path} does not exist — check the file name and folder")
    if not path.is_file():
        raise WorkbookError(f"{path} is a folder, not an Excel workbook (.xlsx/.xlsm)")
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_CFB_MAGIC))
    except PermissionError as error:
        raise _locked(path) from error
    # Excel saves a password-protected .xlsx as an encrypted OLE2 container, not a zip.
    if magic == _CFB_MAGIC and path.suffix.lower() not in _OLE_SUFFIXES:
        raise _protected(path)


def _has_list_objects(path: Path) -> bool:
    # calamine loads Excel Tables from OOXML workbooks only; other formats refuse the flag
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _protected(path: Path) -> WorkbookError:
    return WorkbookError(f"{path} is password-protected — remove the password in Excel "
                         "(File → Info → Protect Workbook) and try again")


def _damaged(path: Path) -> WorkbookError:
    return WorkbookError(f"{path} is not an Excel workbook (.xlsx/.xlsm) or is damaged — "
                         "open it in Excel and save it again as an .xlsx workbook")


def _locked(path: Path) -> WorkbookError:
    return WorkbookError(f"{path} cannot be read: access was denied — close it in the "
                         "program that has it open (or check its permissions) and try again")


__all__ = ["ReadResult", "check_workbook_file", "detect_language", "find_header_row",
           "find_list_object", "find_sheet", "read_sheet_values", "read_tables"]
