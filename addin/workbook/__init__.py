"""Excel <-> canonical tables: read with python-calamine, write with openpyxl.

`read_tables` finds and types the tables a command needs; `write_tables` puts result
tables back into the book without touching its other sheets; `styles` is the look.
"""

from addin.workbook.read import ReadResult, detect_language, read_sheet_values, read_tables
from addin.workbook.write import new_workbook, write_tables

__all__ = ["ReadResult", "detect_language", "new_workbook", "read_sheet_values", "read_tables",
           "write_tables"]
