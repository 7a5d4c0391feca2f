"""The look of one result sheet, described once for every front end.

`sheet_layout(spec, frame, lang, row_style)` says what a result sheet shows and how:
header texts, the cell values of each column, number formats, widths, the frozen header,
the Excel Table over the data, row fills by style key and conditional highlights. The
openpyxl path renders it with `to_worksheet`, the ribbon turns it into actions
(`addin.officejs`) and desktop Excel into xlwings calls (`addin.desktop`), so a sheet
looks the same whichever button wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from addin.schema import Column, Lang, Table, fold
from addin.schema.model import ColumnType
from addin.workbook import styles
from addin.workbook.read import LIST_OBJECT_PREFIX

MAX_TITLE = 31  # Excel's limit on a sheet name
MAX_CELL_TEXT = 32767  # Excel's limit; longer text makes Excel "repair" the file
WIDTH_SAMPLE = 2000    # rows looked at to size a column; enough to see typical values
_BOOL_LABELS = {"zh": ("是", "否"), "en": ("Yes", "No")}
_FORMULA_START = r"^[=+\-@\t\r]"  # what Excel (or a CSV import) may evaluate
_UNIQUE_FROM = 1000  # below this many rows, converting every cell is as quick

# Conditional highlights per result table: (column, operator, other column or number,
# style key). They stay live in Excel: editing a number recolours the cell.
HIGHLIGHTS: dict[str, tuple[tuple[str, str, str | float, str], ...]] = {
    # a shortage: the projection falls below the safety stock the item must keep
    "mrp_record": (("projected_available", "<", "safety_stock", "error"),
                   ("net", ">", 0, "warning")),
}


@dataclass(frozen=True)
class ColumnLayout:
    name: str
    header: str
    type: ColumnType
    number_format: str | None  # None: Excel's General
    width: float

    @property
    def live_format(self) -> str | None:
        """The format to give a column before writing into a running Excel.

        Excel (COM or Office.js) parses text the way it parses typing: "0012" becomes 12
        and "1-2" a date. A text format keeps codes as they are; openpyxl stores typed
        cells and needs none.
        """
        if self.type in ("text", "choice"):
            return styles.TEXT_FORMAT
        return self.number_format


@dataclass(frozen=True)
class Band:
    """Data rows start..stop-1 (0 is the first data row) filled with one colour."""

    start: int
    stop: int
    color: str  # RRGGBB


@dataclass(frozen=True)
class Highlight:
    """A conditional fill on one column: `column op other`, other a column or a number."""

    column: int  # 0-based position
    op: str
    other: int | float  # a column position when `by_column`, else a number
    by_column: bool
    color: str

    def formula(self, first_row: int) -> str:
        """The rule's formula for the first data row (Excel shifts it down the range)."""
        left = f"{get_column_letter(self.column + 1)}{first_row}"
        if self.by_column:
            right = f"{get_column_letter(int(self.other) + 1)}{first_row}"
            # an empty cell is no shortage: only compare when both are filled
            return f"AND(ISNUMBER({left}),ISNUMBER({right}),{left}{self.op}{right})"
        return f"AND(ISNUMBER({left}),{left}{self.op}{self.other:g})"


@dataclass(frozen=True, eq=False)
class SheetLayout:
    """Everything a front end needs to write one result table as a finished sheet."""

    table: str
    title: str  # the sheet name for a new sheet, in the book's language
    columns: tuple[ColumnLayout, ...]
    cells: tuple[pd.Series, ...]  # per column: plain Python values, None for empty
    bands: tuple[Band, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    list_object: str = ""
    table_style: str = styles.TABLE_STYLE

    @property
    def rows(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def ref(self, top: int = 1) -> str:
        """The Excel Table's range; an empty table keeps one blank data row, as Excel does."""
        last = top + max(self.rows, 1)
        return f"A{top}:{get_column_letter(len(self.columns))}{last}"

    def live_cells(self, position: int) -> pd.Series:
        """Column values for a running Excel: text Excel would take for a formula, or that
        starts with an apostrophe, gets a leading apostrophe (Excel's "this is text")."""
        cells = self.cells[position]
        if self.columns[position].type not in ("text", "choice") or not len(cells):
            return cells
        codes, uniques = pd.factorize(cells)  # few distinct texts: test each once
        distinct = pd.Series(uniques, dtype=object)
        marked = np.zeros(len(distinct), dtype=bool)
        marked[formula_like(distinct)] = True
        marked |= distinct.str.startswith("'", na=False).to_numpy(bool)
        if not marked.any():
            return cells
        rows = np.flatnonzero(marked[codes] & (codes >= 0))
        out = cells.copy()
        out.iloc[rows] = "'" + out.iloc[rows].astype(str)
        return out


def sheet_layout(spec: Table, frame: pd.DataFrame, lang: Lang,
                 row_style: pd.Series | None = None) -> SheetLayout:
    """The layout of `frame` as the result sheet of `spec` in language `lang`."""
    cells = tuple(_column_cells(column, frame, lang) for column in spec.columns)
    columns = tuple(
        ColumnLayout(column.name, column.header(lang), column.type, _number_format(column.type,
                     column.number_format),
                     styles.column_width(column.header(lang), content_width(values),
                                         column.width))
        for column, values in zip(spec.columns, cells, strict=True))
    keys = None if row_style is None else row_style.reindex(frame.index)
    return SheetLayout(spec.name, spec.sheet_name(lang)[:MAX_TITLE], columns, cells,
                       bands(keys), highlights(spec), f"{LIST_OBJECT_PREFIX}_{spec.name}")


def _column_cells(column: Column, frame: pd.DataFrame, lang: Lang) -> pd.Series:
    """The writer's cell values of one column, worked out once per distinct value.

    Result columns repeat few values over many rows (700k pegging rows name 69 orders
    and a few dates); converting the distinct ones and spreading them back is several
    times faster than converting every row, and gives the same cells."""
    if column.type == "number" or column.name not in frame or len(frame) < _UNIQUE_FROM:
        return column_values(column, frame, lang)
    codes, uniques = pd.factorize(frame[column.name], use_na_sentinel=True)
    if len(uniques) * 2 > len(frame):
        return column_values(column, frame, lang)
    distinct = column_values(column, pd.DataFrame({column.name: uniques}), lang).to_numpy(
        object)
    out = np.append(distinct, None)[codes]  # code -1 (a missing value) picks the None
    return pd.Series(out, dtype=object)


def _number_format(kind: ColumnType, given: str | None) -> str | None:
    return given or (styles.DATE_FORMAT if kind == "date" else None)


def bands(keys: pd.Series | None) -> tuple[Band, ...]:
    """Runs of neighbouring rows with the same style key, as fills (unknown keys: none).

    Results are sorted (severity first, or by item), so a few runs cover many rows and a
    live Excel gets one fill call per run instead of one per row."""
    if keys is None or not len(keys):
        return ()
    text = keys.fillna("").astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, text[1:] != text[:-1]])
    stops = np.r_[starts[1:], len(text)]
    out = []
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        color = styles.SEVERITY_COLORS.get(text[start])
        if color is not None:
            out.append(Band(start, stop, color))
    return tuple(out)


def highlights(spec: Table) -> tuple[Highlight, ...]:
    names = spec.column_names
    out = []
    for column, op, other, key in HIGHLIGHTS.get(spec.name, ()):
        by_column = isinstance(other, str)
        if column not in names or (by_column and other not in names):
            continue
        target = names.index(other) if by_column else other
        out.append(Highlight(names.index(column), op, target, by_column,
                             styles.SEVERITY_COLORS[key]))
    return tuple(out)


def existing_sheet(spec: Table, sheets: Sequence[tuple[str, Iterable[str]]]) -> int | None:
    """Position of the sheet that holds `spec`'s result: the one with the Excel Table
    xlerp_<name> written last time, else one named after the table.

    `sheets` lists (sheet name, names of its Excel Tables) in workbook order. Only the
    table's own names count, never its aliases: a guess must not overwrite a user's sheet.
    """
    own = fold(f"{LIST_OBJECT_PREFIX}_{spec.name}")
    for position, (_, tables) in enumerate(sheets):
        if any(fold(name) == own for name in tables):
            return position
    keys = {fold(spec.name), fold(spec.zh), fold(spec.en)}
    for position, (name, _) in enumerate(sheets):
        if fold(name) in keys:
            return position
    return None


def unique_title(taken: Iterable[str], title: str) -> str:
    """`title` cut to 31 characters, numbered " (2)", " (3)" … until no sheet has it."""
    used = {name.casefold() for name in taken}
    candidate, number = title[:MAX_TITLE], 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = title[:MAX_TITLE - len(suffix)] + suffix, number + 1
    return candidate


def to_worksheet(ws: Worksheet, layout: SheetLayout, top: int = 1) -> None:
    """Render `layout` with openpyxl, header in row `top` (the Excel Table is the caller's:
    its name must be unique in the whole book). With `top` 1 the sheet must be empty: the
    rows are appended, the fast way for big tables; below, cells are set one by one."""
    if top == 1:
        ws.append(layout.headers)
        for row in zip(*(cells.tolist() for cells in layout.cells), strict=True):
            ws.append(row)
    else:
        for column, header in enumerate(layout.headers, start=1):
            ws.cell(row=top, column=column, value=header)
        for column, cells in enumerate(layout.cells, start=1):
            for offset, value in enumerate(cells.tolist(), start=1):
                ws.cell(row=top + offset, column=column, value=value)
    styles.style_header_row(ws, top, len(layout.columns))
    if top == 1:
        ws.freeze_panes = "A2"
    _format_columns(ws, layout, top)
    _fill_bands(ws, layout, top)
    _add_highlights(ws, layout, top)


def _format_columns(ws: Worksheet, layout: SheetLayout, top: int) -> None:
    first, last = top + 1, top + layout.rows
    for position, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(position)
        ws.column_dimensions[letter].width = column.width
        if column.number_format and layout.rows:
            for (cell,) in ws.iter_rows(min_row=first, max_row=last, min_col=position,
                                        max_col=position):
                cell.number_format = column.number_format
        if column.type in ("text", "choice"):
            for offset in formula_like(layout.cells[position - 1]):
                cell = ws.cell(row=first + int(offset), column=position)
                cell.data_type = "s"      # openpyxl took the leading "=" for a formula
                cell.quotePrefix = True   # and Excel keeps it text when the cell is edited


def _fill_bands(ws: Worksheet, layout: SheetLayout, top: int) -> None:
    ncols = len(layout.columns)
    for band in layout.bands:
        fill = PatternFill(fill_type="solid", start_color=band.color, end_color=band.color)
        for row in range(top + 1 + band.start, top + 1 + band.stop):
            for column in range(1, ncols + 1):
                ws.cell(row=row, column=column).fill = fill


def _add_highlights(ws: Worksheet, layout: SheetLayout, top: int) -> None:
    if not layout.rows:
        return
    for rule in layout.highlights:
        letter = get_column_letter(rule.column + 1)
        fill = PatternFill(fill_type="solid", start_color=rule.color, end_color=rule.color)
        ws.conditional_formatting.add(
            f"{letter}{top + 1}:{letter}{top + layout.rows}",
            FormulaRule(formula=[rule.formula(top + 1)], fill=fill))



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

__all__ = [
    "HIGHLIGHTS",
    "Band",
    "ColumnLayout",
    "Highlight",
    "SheetLayout",
    "bands",
    "column_values",
    "content_width",
    "existing_sheet",
    "formula_like",
    "highlights",
    "sheet_layout",
    "to_worksheet",
    "unique_title",
]
