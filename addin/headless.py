"""The headless front end: run a command on a workbook file and write its results back.

read (calamine) -> command -> write result sheets, the Summary sheet and the command's
in-place updates of input cells (openpyxl, one temp file + rename). The CLI, schedulers
and the agent's plan refresh all go through `run_on_file`; what happens between reading
and writing is shared with the ribbon and desktop Excel (`addin.frontend`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from addin import commands
from addin.frontend import ISSUE_TABLES, Outcome, localise, run_command
from addin.workbook.read import read_tables
from addin.workbook.summary import summary_layout, write_summary
from addin.workbook.write import write_results


def run_on_file(path: Path, name: str, options: Mapping[str, Any] | None = None,
                out: Path | None = None, write: bool = True) -> Outcome:
    """Read what the command needs from `path`, run it, write its result sheets.

    Nothing is written when the input has errors and the command refuses such input; a
    checker writes its findings instead. `out` writes a copy and leaves `path` untouched.
    """
    command = commands.get(name)
    read = read_tables(path, command.inputs, command.optional)
    outcome = run_command(name, read, options)
    if not write or not outcome.tables:
        return outcome
    summary = summary_layout(outcome)
    written = write_results(
        path, outcome.tables, outcome.lang, out=out, row_styles=outcome.row_styles,
        updates=outcome.updates,
        extra=None if summary is None else lambda book: write_summary(book, summary))
    outcome.written = written.path
    outcome.issues += localise(written.issues, read.sheets, outcome.lang)
    return outcome


__all__ = ["ISSUE_TABLES", "Outcome", "localise", "run_on_file"]
