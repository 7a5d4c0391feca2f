"""The reconciliation report workbook: a summary sheet with a chart, one sheet per rule
with its findings highlighted, and a sheet of suggested code mappings.

Sheets are filled by the workbook writer's own `fill_sheet` (headers from the schema,
number formats, widths, formula-safe text, row fills), so the report looks like every
other xlerp sheet. The per-rule sheets are named after the rules, which the schema's
fixed table names cannot express — hence `fill_sheet` rather than `write_tables`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ListObject
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from addin.errors import UsageError, WorkbookError
from addin.schema import TABLES, Lang, Table
from addin.schema.reconcile import RECONCILE_DIFFERENCES, RECONCILE_SUMMARY, SUGGESTED_MAPPINGS
from addin.workbook import styles
from addin.workbook.write import fill_sheet
from agent.reconcile.findings import RuleResult, empty_suggestions
from agent.reconcile.sources import Reconciliation

ROW_STYLE = {"different": "error", "only_in_a": "warning", "only_in_b": "warning",
             "duplicate_a": "info", "duplicate_b": "info", "same_thing": "info"}
CHART_SERIES = ("matched", "only_in_a", "only_in_b", "different")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_SAME = {"zh": "相同", "en": "same"}


def write_report(path: str | Path, reconciliation: Reconciliation, lang: Lang) -> Path:
    """Write the report to `path` (.xlsx), replacing it whole or not at all."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"{target.name}: the report is an .xlsx workbook — choose a name "
                         "ending in .xlsx")
    book = openpyxl.Workbook()
    book.remove(book.active)
    results = reconciliation.results
    summary = _sheet(book, RECONCILE_SUMMARY.sheet_name(lang))
    fill_sheet(summary, RECONCILE_SUMMARY, summary_frame(results, lang), lang)
    _list_object(summary, RECONCILE_SUMMARY, len(results), "xlerp_reconcile_summary")
    if results:
        _chart(summary, len(results), lang)
    for number, result in enumerate(results, start=1):
        ws = _sheet(book, result.rule.title(lang))
        frame = localised(result, lang)
        fill_sheet(ws, RECONCILE_DIFFERENCES, frame, lang,
                   frame["status"].map(ROW_STYLE).fillna(""))
        _list_object(ws, RECONCILE_DIFFERENCES, len(frame), f"xlerp_reconcile_{number}")
    parts = [r.suggestions for r in results if len(r.suggestions)]
    suggestions = pd.concat(parts, ignore_index=True) if parts else empty_suggestions()
    suggestions["reason"] = [_reason(text, lang) for text in suggestions["reason"].fillna("")]
    ws = _sheet(book, SUGGESTED_MAPPINGS.sheet_name(lang))
    fill_sheet(ws, SUGGESTED_MAPPINGS, suggestions, lang)
    _list_object(ws, SUGGESTED_MAPPINGS, len(suggestions), "xlerp_suggested_mappings")
    _save_atomic(book, target)
    return target


def summary_frame(results: list[RuleResult], lang: Lang) -> pd.DataFrame:
    """One row per rule: what it compares and how many rows fell where."""
    return pd.DataFrame([{
        "rule": r.rule.name, "title": r.rule.title(lang),
        "table_name": r.rule.spec.sheet_name(lang), "a_platforms": ", ".join(r.rule.a),
        "b_platforms": ", ".join(r.rule.b), "a_rows": r.a_rows, "b_rows": r.b_rows,
        "matched": r.matched, "only_in_a": r.only_in_a, "only_in_b": r.only_in_b,
        "different": r.different, "duplicates": r.duplicates,
        "suggestions": len(r.suggestions), "changed": r.changed} for r in results],
        columns=RECONCILE_SUMMARY.column_names)


def localised(result: RuleResult, lang: Lang) -> pd.DataFrame:
    """The findings with field names as the workbook's headers."""
    frame = result.differences.copy()
    spec = result.rule.spec
    if result.rule.kind == "identity":
        frame["field"] = [_reason(text, lang, spec) for text in frame["field"]]
    else:
        headers = {c.name: c.header(lang) for c in spec.columns}
        frame["field"] = frame["field"].map(headers).fillna(frame["field"])
    return frame


def _reason(text: str, lang: Lang, spec: Table | None = None) -> str:
    """"item_name + spec" -> "same Item name + Specification" in the workbook's language."""
    if not text:
        return ""
    mappings = TABLES["code_mappings"]
    names = []
    for part in text.split(" + "):
        column = next((t.column(part) for t in (spec, mappings)
                       if t is not None and part in t.column_names), None)
        names.append(column.header(lang) if column is not None else part)
    return f"{_SAME[lang]} {' + '.join(names)}"


def _sheet(book: Workbook, title: str) -> Worksheet:
    """A new sheet with a legal, unique title (31 characters, no []:*?/\\)."""
    base = _SHEET_UNSAFE.sub("-", title).strip("'")[:31] or "Sheet"
    taken = {name.casefold() for name in book.sheetnames}
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[:31 - len(suffix)] + suffix, number + 1
    return book.create_sheet(candidate)


def _list_object(ws: Worksheet, spec: Table, rows: int, name: str) -> None:
    """An Excel Table over the sheet, so every column has a filter button."""
    ref = f"A1:{get_column_letter(len(spec.columns))}{max(rows, 1) + 1}"
    table = ListObject(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)


def _chart(ws: Worksheet, rows: int, lang: Lang) -> None:
    """Stacked bars per rule: matched, only in A, only in B, different."""
    names = RECONCILE_SUMMARY.column_names
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "对账结果" if lang == "zh" else "Reconciliation"
    chart.height, chart.width = 4 + rows, 18
    for series in CHART_SERIES:
        column = names.index(series) + 1
        chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=rows + 1),
                       titles_from_data=True)
    title = names.index("title") + 1
    chart.set_categories(Reference(ws, min_col=title, min_row=2, max_row=rows + 1))
    ws.add_chart(chart, f"B{rows + 4}")


def _save_atomic(book: Workbook, target: Path) -> None:
    if not target.parent.is_dir():
        raise WorkbookError(f"cannot write {target}: the folder {target.parent} does not exist")
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".~{target.stem}.",
                                    suffix=".xlsx")
    os.close(handle)
    temp = Path(name)
    try:
        book.save(temp)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except PermissionError as error:
        raise WorkbookError(f"cannot write {target}: it is open in another program — "
                            "close it in Excel and try again") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["localised", "summary_frame", "write_report"]
