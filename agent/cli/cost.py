"""`xlerp cost BOOK.xlsx [--standard] [--period P]`: costing of a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.output import fails_cleanly
from agent.cli.workbook import BOOK, LANG, OUT, _run


@click.command()
@BOOK
@OUT
@LANG
@click.option("--standard", is_flag=True,
              help="Roll up standard costs (Items, BOM, Cost standards) instead of costing "
                   "the period's cost objects.")
@click.option("--period", help="The period to cost when the sheets hold several.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]),
              help="With --standard: BOM lines in effect on this date (default: the "
                   "settings sheet's planning date, else every line).")
@fails_cleanly
def cost(book: Path, out: Path | None, lang: str | None, standard: bool, period: str | None,
         as_of) -> None:
    """Cost BOOK: without --standard, allocate Cost pools over Cost objects, split finished
    vs WIP and joint costs (Cost allocation, Finished and WIP, Joint cost split sheets);
    with --standard, write the Cost roll-up sheet. Exit code 1 when the input has errors."""
    options = {"lang": lang, "standard": standard, "period": period,
               "as_of": as_of.date() if as_of else None}
    _run(book, "cost", options, out)


COMMANDS = [cost]
