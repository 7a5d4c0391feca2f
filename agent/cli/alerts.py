"""`xlerp alerts BOOK.xlsx`: progress alerts of the production tasks."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.output import fails_cleanly
from agent.cli.workbook import BOOK, LANG, OUT, _run


@click.command()
@BOOK
@OUT
@LANG
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]),
              help="Judge the tasks on this date (default: the settings sheet's planning "
                   "date, else today).")
@click.option("--close-after-days", type=click.FloatRange(min=0),
              help="An open, fully stocked-in task is 'not closed' this many days after "
                   "it finished (default: the settings sheet, else 7).")
@fails_cleanly
def alerts(book: Path, out: Path | None, lang: str | None, as_of,
           close_after_days: float | None) -> None:
    """Progress alerts of BOOK's production tasks after posting its documents: write the
    Production alerts and Task progress sheets and a Summary dashboard with charts.
    Exit code 1 when the input has errors."""
    options = {"lang": lang, "as_of": as_of.date() if as_of else None,
               "close_after_days": close_after_days}
    _run(book, "alerts", options, out)


COMMANDS = [alerts]
