"""The look of every xlerp sheet: header, body, severity fills, table style, widths.

Templates and result writers both take their styling from here, so a sheet written by
`xlerp plan` looks the same as the one the template shipped with.
"""

from __future__ import annotations

import unicodedata

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

# A calm dark blue header with white bold text; Excel's own table styles use similar blues.
HEADER_FILL_COLOR = "1F4E78"
HEADER_FONT_COLOR = "FFFFFF"
FONT_NAME = "Calibri"  # Excel substitutes its CJK fallback font for Chinese text
FONT_SIZE = 11

HEADER_FILL = PatternFill(fill_type="solid", start_color=HEADER_FILL_COLOR,
                          end_color=HEADER_FILL_COLOR)
HEADER_FONT = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color=HEADER_FONT_COLOR)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="FFFFFF"))
BODY_FONT = Font(name=FONT_NAME, size=FONT_SIZE)

# Row fills by style key; light tints keep the text readable when printed in grey.
SEVERITY_COLORS: dict[str, str] = {
    "error": "FFC7CE",    # light red (Excel's "Bad" cell style)
    "warning": "FFEB9C",  # light yellow (Excel's "Neutral")
    "info": "DDEBF7",     # light blue
    "ok": "C6EFCE",       # light green (Excel's "Good")
}

TABLE_STYLE = "TableStyleMedium2"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"

MIN_WIDTH = 8.0     # narrow enough for yes/no columns, wide enough for a date
MAX_WIDTH = 50.0    # beyond this Excel users wrap or widen by hand
WIDTH_PADDING = 2.0  # room for the table's filter button in the header cell
DATE_WIDTH = 12.0   # "yyyy-mm-dd" plus padding


def fill_for(style_key: str) -> PatternFill | None:
    """The row fill for a style key ("error", "warning", "info", "ok"); None for no fill."""
    color = SEVERITY_COLORS.get(style_key)
    if color is None:
        return None
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def style_header_row(ws: Worksheet, row: int, ncols: int) -> None:
    """Give cells 1..ncols of `row` the header look and make the row tall enough to wrap."""
    for column in range(1, ncols + 1):
        cell = ws.cell(row=row, column=column)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = HEADER_ALIGNMENT
        cell.border = HEADER_BORDER


def text_width(text: object) -> float:
    """Display width of a value in Excel character units: wide (CJK) characters count two."""
    if text is None:
        return 0.0
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text)))


def column_width(header: str, longest: float = 0.0, fixed: float | None = None) -> float:
    """Column width: the schema's fixed width if any, else header/content length, capped."""
    if fixed is not None:
        return float(fixed)
    wanted = max(text_width(header), longest) + WIDTH_PADDING
    return float(min(MAX_WIDTH, max(MIN_WIDTH, wanted)))
