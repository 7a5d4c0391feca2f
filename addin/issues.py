"""Data problems the user fixes: the Issue record and its message catalogue (zh/en).

Engines and validators never raise on user data. They collect `Issue`s carrying a
reason code and named parameters; the text is rendered in the workbook's language only
when it is shown, from the catalogue below (extended by each engine through `register`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Message:
    zh: str
    en: str
    fix_zh: str = ""
    fix_en: str = ""


_CATALOGUE: dict[str, Message] = {}


def register(messages: Mapping[str, Message]) -> None:
    """Add an engine's messages to the catalogue; a code may be defined once only."""
    for code, message in messages.items():
        if code in _CATALOGUE and _CATALOGUE[code] != message:
            raise ValueError(f"message code {code!r} is defined twice")
        _CATALOGUE[code] = message


def message_codes() -> list[str]:
    return sorted(_CATALOGUE)


def catalogue() -> dict[str, Message]:
    """A copy of every registered message, by code."""
    return dict(_CATALOGUE)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Issue:
    """One finding: where (sheet, Excel row, column), what (code, value) and how bad."""

    code: str
    severity: Severity = "error"
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: object = None
    params: Mapping[str, object] = field(default_factory=dict)

    def _fields(self) -> dict[str, object]:
        value = "" if self.value is None else self.value
        return _Blank(sheet=self.sheet, row=self.row, column=self.column, value=value,
                      **self.params)

    def message(self, lang: str = "en") -> str:
        template = _CATALOGUE.get(self.code)
        if template is None:  # a programming error; still show something useful
            return f"{self.code}: {dict(self.params)}"
        return (template.zh if lang == "zh" else template.en).format_map(self._fields())

    def fix(self, lang: str = "en") -> str:
        template = _CATALOGUE.get(self.code)
        if template is None:
            return ""
        return (template.fix_zh if lang == "zh" else template.fix_en).format_map(self._fields())

    def located(self, lang: str = "en") -> str:
        """One line for a terminal: where, what, how to fix."""
        where = []
        if self.sheet:
            where.append(f'工作表 "{self.sheet}"' if lang == "zh" else f'Sheet "{self.sheet}"')
        if self.row is not None:
            where.append(f"第 {self.row} 行" if lang == "zh" else f"row {self.row}")
        if self.column:
            where.append(f'列 "{self.column}"' if lang == "zh" else f'column "{self.column}"')
        text = ", ".join(where)
        text = f"{text}: {self.message(lang)}" if text else self.message(lang)
        fix = self.fix(lang)
        return f"{text} — {fix}" if fix else text


def plain_value(value: object) -> object:
    """A cell value as a person reads it in a message: 2 not 2.0, dates as 2026-01-31,
    blank not nan."""
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(issue.severity == "error" for issue in issues)


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (SEVERITY_ORDER[i.severity], i.sheet,
                                         i.row if i.row is not None else -1, i.column, i.code,
                                         str(i.value)))


def issues_frame(issues: Iterable[Issue], lang: str = "en") -> pd.DataFrame:
    """Issues as a table with the columns of the BOM Check / Messages result sheets."""
    rows = [
        {
            "severity": i.severity, "sheet": i.sheet, "row": i.row, "column": i.column,
            "value": "" if i.value is None else str(i.value), "code": i.code,
            "message": i.message(lang), "fix": i.fix(lang),
        }
        for i in sort_issues(issues)
    ]
    columns = ["severity", "sheet", "row", "column", "value", "code", "message", "fix"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["row"] = frame["row"].astype("Int64")
    return frame


register({
    "missing_sheet": Message(
        "缺少工作表「{table}」", 'The sheet "{table}" is missing',
        "添加名为「{table}」的工作表（可用 xlerp new 生成模板）",
        'Add a sheet named "{table}" (xlerp new creates a template with every sheet)'),
    "missing_column": Message(
        "缺少必填列「{column}」", 'The required column "{column}" is missing',
        "在表头行加入「{column}」列", 'Add a "{column}" column to the header row'),
    "no_header": Message(
        "找不到表头行", "No header row was found",
        "第一行应为列名，如「{example}」",
        'The first row must hold the column names, e.g. "{example}"'),
    "unknown_column": Message(
        "未识别的列「{value}」，已忽略", 'Column "{value}" is not known and was ignored',
        "如需使用，请改为标准列名", "Rename it to a standard header if it should be read"),
    "required_empty": Message(
        "必填项为空", "A value is required here",
        "填写「{column}」", 'Enter the "{column}"'),
    "not_a_number": Message(
        "「{value}」不是数字", '"{value}" is not a number',
        "只填写数字，小数点用英文句点", "Enter a plain number; use a dot as the decimal separator"),
    "not_an_integer": Message(
        "「{value}」不是整数", '"{value}" is not a whole number',
        "填写整数，如 1、2、3", "Enter a whole number such as 1, 2, 3"),
    "not_a_date": Message(
        "「{value}」不是日期", '"{value}" is not a date',
        "用 Excel 日期或 2026-12-31 格式", "Use an Excel date or the form 2026-12-31"),
    "not_a_bool": Message(
        "「{value}」不是是/否", '"{value}" is not yes/no',
        "填写 是 或 否", "Enter yes or no"),
    "not_a_choice": Message(
        "「{value}」不是允许的取值", '"{value}" is not an allowed value',
        "可选：{allowed}", "Choose one of: {allowed}"),
    "below_minimum": Message(
        "{value} 小于允许的最小值 {minimum}", "{value} is below the minimum {minimum}",
        "填写不小于 {minimum} 的数", "Enter a number of at least {minimum}"),
    "duplicate_key": Message(
        "重复：{key} 已在第 {first_row} 行出现",
        "Duplicate: {key} already appears in row {first_row}",
        "删除或合并重复行，或改用新编码",
        "Delete or merge the duplicate row, or give it a new code"),
})
