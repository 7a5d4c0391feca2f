"""`xlerp cost BOOK.xlsx [--standard [--reroll-item CODES]] [--period P]`: costing of a
workbook."""

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
@click.option("--reroll-item", metavar="CODES",
              help="With --standard: re-roll only the items above these components "
                   "(comma-separated), or 'changed' for every bought item whose standard "
                   "cost differs from the last Cost roll-up sheet.")
@fails_cleanly
def cost(book: Path, out: Path | None, lang: str | None, standard: bool, period: str | None,
         as_of, reroll_item: str | None) -> None:
    """Cost BOOK: without --standard, cost the period's Cost objects — direct material
    from the posted documents (else the Direct material column), pools allocated,
    semi-finished costs transferred level by level, finished vs WIP, restoration,
    composition, variances, order profit, subcontract and joint costs; with --standard,
    write the Cost roll-up sheet (--reroll-item: only what lies above the changed items).
    Exit code 1 when the input has errors."""
    options = {"lang": lang, "standard": standard, "period": period,
               "as_of": as_of.date() if as_of else None, "reroll_item": reroll_item}
    _run(book, "cost", options, out)


COMMANDS = [cost]
