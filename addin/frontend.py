"""What every front end does around a command, written once.

The headless CLI, the Office.js ribbon and desktop Excel (xlwings) differ only in how
cells reach Python and how result sheets get back into the workbook. Between the two
they all do the same thing, here: run the command on the tables read, put the reader's
and the command's findings in the user's words (sheet and header text of the workbook),
and decide which sheets to write — none when the input has errors and the command
refuses such input; the findings sheet for a checker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from addin import commands
from addin.errors import UsageError
from addin.issues import Issue, has_errors, issues_frame, sort_issues
from addin.schema import TABLES, Lang
from addin.workbook.read import ReadResult

ISSUE_TABLES = ("bom_check", "messages")  # result sheets that list the run's findings
LANGS = ("zh", "en")
MAX_LINES = 20  # findings listed in a message box; the rest are counted

# What a front end says around the findings (zh, en).
_TEXTS = {
    "more": ("……另有 {n} 条", "… {n} more"),
    "nothing_written": ("没有写入任何结果：请修正上述错误后重新运行。",
                        "Nothing was written: fix the errors above and run again."),
    "see_sheet": ("详见工作表「{sheet}」。", 'See the sheet "{sheet}".'),
}


def text(key: str, lang: Lang, **params: object) -> str:
    zh, en = _TEXTS[key]
    return (zh if lang == "zh" else en).format(**params)


@dataclass
class Outcome:
    """What happened: the command's result, every finding, and the sheets to write.

    `tables` (canonical name -> frame, in sheet order) is empty when nothing may be
    written; `row_styles` gives the style key of each row of a table ("error", …);
    `updates` are the command's in-place changes of input cells, written with the
    tables or not at all (see `commands.Result.updates`).
    """

    command: str
    lang: Lang
    result: commands.Result
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    row_styles: dict[str, pd.Series] = field(default_factory=dict)
    updates: dict[str, pd.DataFrame] = field(default_factory=dict)
    written: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)


def localise(issues: list[Issue], sheets: Mapping[str, str], lang: Lang) -> list[Issue]:
    """Engines name canonical tables and columns; show the user's sheet and header text."""
    out = []
    for issue in issues:
        spec = TABLES.get(issue.sheet)
        if spec is None:
            out.append(issue)
            continue
        column = issue.column
        if column in spec.column_names:
            column = spec.column(column).header(lang)
        sheet = sheets.get(issue.sheet, spec.sheet_name(lang))
        out.append(Issue(issue.code, issue.severity, sheet, issue.row, column, issue.value,
                         issue.params))
    return out


def command_list() -> list[commands.Command]:
    """Every command in the registry's fixed order (the order a planner works in)."""
    return commands.all_commands()


def command_options(read: ReadResult, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The options a command gets: blanks dropped (a front end's empty field means "the
    default"), the workbook's language unless one was asked for."""
    given = {k: v for k, v in dict(options or {}).items()
             if v is not None and not (isinstance(v, str) and not v.strip())}
    merged = {"lang": read.lang, **given}
    if merged["lang"] not in LANGS:
        raise UsageError(f"lang {merged['lang']!r} is not one of {', '.join(LANGS)}")
    return merged


def run_command(name: str, read: ReadResult,
                options: Mapping[str, Any] | None = None) -> Outcome:
    """Run command `name` on tables a front end has read; nothing is written here.

    The outcome's `tables` are the sheets to write, in the command's declared order:
    none when the input has errors and the command refuses such input (or its own
    result has errors); a checker's findings become its BOM Check / Messages table.
    """
    command = commands.get(name)
    options = command_options(read, options)
    lang: Lang = options["lang"]
    input_blocked = command.blocks_on_input_errors and has_errors(read.issues)
    result = commands.Result() if input_blocked else commands.run(name, read.tables, options)
    issues = localise([*read.issues, *result.issues], read.sheets, lang)
    outcome = Outcome(name, lang, result, issues, options=options)
    if input_blocked or (command.blocks_on_input_errors and not result.ok):
        return outcome
    tables = dict(result.tables)
    styles = dict(result.row_styles)
    for table in ISSUE_TABLES:
        if table in command.outputs:
            frame = issues_frame(issues, lang)
            tables[table] = frame
            styles[table] = frame["severity"]
    outcome.tables = ordered(tables, command.outputs)
    outcome.row_styles = styles
    outcome.updates = {name: frame for name, frame in result.updates.items() if len(frame)}
    return outcome


def should_alert(outcome: Outcome) -> bool:
    """A message box is due when nothing could be written, or when findings would
    otherwise go unseen: errors always, warnings unless a findings sheet lists them."""
    if not outcome.tables or has_errors(outcome.issues):
        return True
    listed = any(table in outcome.tables for table in ISSUE_TABLES)
    return not listed and any(issue.severity == "warning" for issue in outcome.issues)


def report_lines(outcome: Outcome, limit: int = MAX_LINES) -> list[str]:
    """The text of a message box: the command's messages, then the findings (errors
    first, at most `limit`) unless a findings sheet lists them, then what was done."""
    lang = outcome.lang
    lines = list(outcome.result.messages)
    findings = next((t for t in ISSUE_TABLES if t in outcome.tables), None)
    if findings is not None:
        lines.append(text("see_sheet", lang, sheet=TABLES[findings].sheet_name(lang)))
        return lines
    issues = sort_issues(outcome.issues)
    lines += [issue.located(lang) for issue in issues[:limit]]
    if len(issues) > limit:
        lines.append(text("more", lang, n=f"{len(issues) - limit:,}"))
    if not outcome.tables:
        lines.append(text("nothing_written", lang))
    return lines


def ordered(tables: Mapping[str, pd.DataFrame], outputs: tuple[str, ...]) -> dict:
    """Result sheets in the command's declared order, then any extra ones by name."""
    order = [t for t in outputs if t in tables] + sorted(t for t in tables if t not in outputs)
    return {t: tables[t] for t in order}


__all__ = ["ISSUE_TABLES", "LANGS", "MAX_LINES", "Outcome", "command_list", "command_options",
           "localise", "ordered", "report_lines", "run_command", "should_alert", "text"]
