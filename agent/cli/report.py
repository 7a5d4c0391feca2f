"""`xlerp report NAME BOOK.xlsx --from D --to D`: a stock report of a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from addin.commands.report import REPORTS
from agent.cli.output import fails_cleanly
from agent.cli.workbook import BOOK, LANG, OUT, _run

DATE = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.argument("name", type=click.Choice(REPORTS))
@BOOK
@OUT
@LANG
@click.option("--from", "from_", type=DATE,
              help="First day of the period (default: the first of the --to month).")
@click.option("--to", "to", type=DATE,
              help="Last day of the period (default: the settings sheet's planning date, "
                   "else the last document date).")
@click.option("--bands", help="ageing: upper limits of the age bands in days "
                              "(default 30,90,180,365).")
@click.option("--slow-days", type=int, help="ageing: no issue for this many days makes a "
                                            "slow mover (default 90).")
@click.option("--opening-date", type=DATE,
              help="ageing: the date the Stock sheet's stock is aged from (default: the "
                   "day before the first document).")
@fails_cleanly
def report(name: str, book: Path, out: Path | None, lang: str | None, from_, to,
           bands: str | None, slow_days: int | None, opening_date) -> None:
    """Post BOOK's documents and write report NAME: stock-ledger (In-out summary
    收发存汇总), stock-status (Stock status), ageing (Stock ageing and Slow movers) or
    quality (Supplier quality), with a Summary sheet and its charts. Exit code 1 when a
    document is refused (nothing is written)."""
    options = {"name": name, "lang": lang, "from": from_.date() if from_ else None,
               "to": to.date() if to else None, "bands": bands, "slow_days": slow_days,
               "opening_date": opening_date.date() if opening_date else None}
    _run(book, "report", options, out)


COMMANDS = [report]
