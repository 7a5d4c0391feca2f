"""`xlerp suggest BOOK.xlsx --out FILE`: the Suggestions workbook a planner reviews."""

from __future__ import annotations

from pathlib import Path

import click

import addin.commands.suggest  # noqa: F401  (registers the command)
from agent.cli.output import fails_cleanly
from agent.cli.workbook import BOOK, LANG, _run


@click.command()
@BOOK
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The Suggestions workbook to write (BOOK itself is never changed).")
@LANG
@click.option("--periods", type=int, help="How many periods of history (default 6).")
@click.option("--period-days", type=int, help="Days per period (default 30).")
@click.option("--service-level", type=float,
              help="Service level of the safety stock, e.g. 0.95 (default).")
@click.option("--to", "to", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the history (default: the settings sheet's planning date, "
                   "else the last document date).")
@fails_cleanly
def suggest(book: Path, out: Path, lang: str | None, periods: int | None,
            period_days: int | None, service_level: float | None, to) -> None:
    """Learn from BOOK's posted documents: write Safety stock, BOM usage, Supplier
    scorecard and Preferred suppliers sheets into OUT, a copy of BOOK, for a planner to
    review; accepted rows are copied back by hand. Exit code 1 when a document is
    refused (nothing is written)."""
    if out.resolve() == book.resolve():
        raise click.UsageError("--out must be another file than BOOK")
    options = {"lang": lang, "periods": periods, "period_days": period_days,
               "service_level": service_level, "to": to.date() if to else None}
    _run(book, "suggest", options, out)


COMMANDS = [suggest]
