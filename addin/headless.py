"""The headless front end: run a command on a workbook file and write its results back.

read (calamine) -> command -> write result sheets and the command's in-place updates of
input cells (openpyxl, one temp file + rename).
The CLI, schedulers and the agent's plan refresh all go through `run_on_file`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from addin import commands
from addin.issues import Issue, has_errors, issues_frame
from addin.schema import TABLES, Lang
from addin.workbook.read import read_tables
from addin.workbook.write import write_results

ISSUE_TABLES = ("bom_check", "messages")


@dataclass
class Outcome:
    """What happened: the command's result, every finding, and where results went."""

    command: str
    lang: Lang
    result: commands.Result
    issues: list[Issue] = field(default_factory=list)
    written: Path | None = None

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


def run_on_file(path: Path, name: str, options: Mapping[str, Any] | None = None,
                out: Path | None = None, write: bool = True) -> Outcome:
    """Read what the command needs from `path`, run it, write its result sheets.

    Nothing is written when the input has errors and the command refuses such input; a
    checker writes its findings instead. `out` writes a copy and leaves `path` untouched.
    """
    command = commands.get(name)
    read = read_tables(path, command.inputs, command.optional)
    options = {"lang": read.lang, **dict(options or {})}
    lang: Lang = options["lang"]
    input_blocked = command.blocks_on_input_errors and has_errors(read.issues)
    result = commands.Result() if input_blocked else commands.run(name, read.tables, options)
    issues = localise([*read.issues, *result.issues], read.sheets, lang)
    outcome = Outcome(name, lang, result, issues)
    if input_blocked or not write or (command.blocks_on_input_errors and not result.ok):
        return outcome
    tables = dict(result.tables)
    styles = dict(result.row_styles)
    for table in ISSUE_TABLES:
        if table in command.outputs:
            frame = issues_frame(issues, lang)
            tables[table] = frame
            styles[table] = frame["severity"]
    written = write_results(path, _ordered(tables, command.outputs), lang, out=out,
                            row_styles=styles, updates=result.updates)
    outcome.written = written.path
    outcome.issues += localise(written.issues, read.sheets, lang)
    return outcome


def _ordered(tables: Mapping[str, pd.DataFrame], outputs: tuple[str, ...]) -> dict:
    """Result sheets in the command's declared order, then any extra ones by name."""
    order = [t for t in outputs if t in tables] + sorted(t for t in tables if t not in outputs)
    return {t: tables[t] for t in order}
