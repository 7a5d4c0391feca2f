"""`--store PATH`: run a command on the tables the agent loaded into a local store, and
write its results to a new report workbook (`xlerp report … --store`, `xlerp match
--store`). The store itself is only read."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from addin import commands
from addin.errors import UsageError
from addin.frontend import Outcome, run_command
from addin.schema import INPUT_TABLES
from addin.workbook.read import ReadResult
from addin.workbook.summary import summary_layout, write_summary
from addin.workbook.write import write_results
from agent.store import Store

STORE = click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Read the tables from this local store instead of BOOK (then "
                          "--out names the report workbook to write).")


def check_store_path(name: str, store_path: Path) -> None:
    """A local, existing store file; anything else is a usage error that says why."""
    # a Path folds "https://host" to "https:/host": match both spellings
    if str(store_path).startswith(("http:/", "https:/")):
        raise UsageError(f"{name} reads a local store file; run it where the store is")
    if not store_path.exists():
        raise UsageError(f"{store_path} does not exist — give --store the store file")


def store_tables(store: Store, name: str) -> dict[str, Any]:
    """The tables command `name` reads, one row per business key (`Store.current_rows`:
    the newest platform's copy). A required table is always given, empty or not; an
    optional one only when it has rows, as a workbook without that sheet would be."""
    command = commands.get(name)
    tables = {}
    for table in dict.fromkeys((*command.inputs, *command.optional)):
        if table not in INPUT_TABLES:  # results of earlier runs live in workbooks only
            continue
        frame = store.current_rows(table)
        if table in command.inputs or len(frame):
            tables[table] = frame
    return tables


def run_on_store(name: str, store_path: Path, options: Mapping[str, Any], out: Path
                 ) -> Outcome:
    """Command `name` on a local store's tables, written (with its Summary sheet) to the
    new workbook `out`; nothing is written when the command refuses its input."""
    check_store_path(name, store_path)
    with Store.open(store_path) as store:
        tables = store_tables(store, name)
    lang = options.get("lang") or "zh"
    outcome = run_command(name, ReadResult(tables=tables, lang=lang), options)
    if outcome.tables:
        summary = summary_layout(outcome)
        written = write_results(
            out, outcome.tables, outcome.lang, row_styles=outcome.row_styles,
            extra=None if summary is None else lambda book: write_summary(book, summary))
        outcome.written = written.path
    return outcome


def store_or_book(book: Path | None, out: Path | None, store_path: Path | None) -> None:
    """The one valid shape of the arguments: BOOK, or --store with --out and no BOOK."""
    if store_path is None:
        if book is None:
            raise UsageError("give the workbook BOOK, or --store and --out")
        return
    if book is not None or out is None:
        raise UsageError("with --store give --out (the report workbook) and no BOOK")
