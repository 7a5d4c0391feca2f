"""`check`: the BOM and master-data checks, low-level codes, where-used and explosion.

A checker writes its findings even when the input has errors. The findings go into
`Result.issues`; the front end builds the BOM Check sheet from them and from the reader's
own findings. The date the BOM must serve is `options["as_of"]`, else the `as_of` setting
of the workbook; without either no line is dropped for its dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from addin.commands import Result, Tables, command
from addin.engines.bom import explode_bom, where_used
from addin.engines.bomgraph import low_level_codes
from addin.engines.checks import (
    CHECK_SETTINGS,
    check_master_data,
    settings_from_table,
    settings_issues,
)
from addin.errors import UsageError
from addin.issues import Issue, Message, register, sort_issues
from addin.schema import TABLES, empty_frame

SETTINGS = tuple(CHECK_SETTINGS)  # the settings-sheet names this command reads
MAX_SHEET_ROWS = 1_048_575  # an Excel worksheet's 1,048,576 rows less the header row


@command("check", "BOM检查", "Check BOM", inputs=("items", "bom"),
         outputs=("bom_check", "low_level_codes", "where_used", "exploded_bom"),
         optional=("warehouses", "suppliers", "unit_conversions", "code_mappings", "settings",
                   "units"),
         blocks_on_input_errors=False,
         description_zh="检查BOM与主数据，计算低层码、反查和展开BOM",
         description_en="Check the BOM and master data; low-level codes, where-used, "
                        "exploded BOM")
def check(tables: Tables, options: Mapping[str, Any]) -> Result:
    items = tables.get("items", empty_frame(TABLES["items"]))
    bom = tables.get("bom", empty_frame(TABLES["bom"]))
    settings = settings_from_table(tables.get("settings"))
    if options.get("as_of") is not None:
        settings = dataclasses.replace(settings, as_of=_date(options["as_of"]))
    result_tables, cut = _fit_sheets({
        "low_level_codes": low_level_codes(items, bom),
        "where_used": where_used(items, bom, settings.as_of),
        "exploded_bom": explode_bom(items, bom, as_of=settings.as_of),
    })
    issues = sort_issues([*settings_issues(tables.get("settings")),
                          *check_master_data(tables, settings), *cut])
    severity = pd.Series([issue.severity for issue in issues], dtype=object, name="severity")
    return Result(tables=result_tables, issues=issues,
                  messages=[summary(issues, len(bom), options.get("lang", "en"))],
                  row_styles={"bom_check": severity})


def _fit_sheets(tables: Tables) -> tuple[Tables, list[Issue]]:
    """Keep each table within one worksheet; say so when rows had to be left out.

    Where-used and explosion grow with the number of paths (10M rows for a 400k-line
    BOM), far past what one sheet holds; a cut table is better than no result at all."""
    fitted, issues = {}, []
    for name, frame in tables.items():
        if len(frame) > MAX_SHEET_ROWS:
            issues.append(Issue("check_result_cut", "warning", name, None, "", len(frame),
                                {"kept": f"{MAX_SHEET_ROWS:,}", "rows": f"{len(frame):,}"}))
            frame = frame.iloc[:MAX_SHEET_ROWS]
        fitted[name] = frame
    return fitted, issues


def _date(value: object) -> dt.date:
    """`as_of` from a front end: a date, a datetime or ISO text (2026-01-31)."""
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"as_of {value!r} is not a date; use the form 2026-01-31") from None


register({
    "check_result_cut": Message(
        "结果有 {rows} 行，超出一个工作表的容量，只写入了前 {kept} 行",
        "The result has {rows} rows, more than a worksheet holds; only the first {kept} "
        "were written",
        "每次检查 BOM 的一部分，如一个工作簿一条产品线",
        "Check part of the BOM at a time, e.g. one product line per workbook"),
})


def summary(issues: list[Issue], lines: int, lang: str = "en") -> str:
    """One line for a person: "12 errors, 3 warnings in 2,431 BOM lines"."""
    count = {kind: sum(issue.severity == kind for issue in issues)
             for kind in ("error", "warning", "info")}
    if lang == "zh":
        text = f"{count['error']} 个错误，{count['warning']} 个警告"
        text += f"，{count['info']} 条提示" if count["info"] else ""
        return f"{lines:,} 行BOM：{text}"
    parts = [_plural(count["error"], "error"), _plural(count["warning"], "warning")]
    if count["info"]:
        parts.append(f"{count['info']:,} info")
    return f"{', '.join(parts)} in {_plural(lines, 'BOM line')}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
