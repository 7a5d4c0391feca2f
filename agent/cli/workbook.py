"""`xlerp check|plan|tasks BOOK.xlsx`: run one command on a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from addin.headless import run_on_file
from agent.cli.output import exit_code, fails_cleanly, report

BOOK = click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
OUT = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                   help="Write the results into a copy instead of BOOK.")
LANG = click.option("--lang", type=click.Choice(["zh", "en"]),
                    help="Language of result sheets (default: the workbook's).")


def _run(book: Path, name: str, options: dict, out: Path | None) -> None:
    options = {k: v for k, v in options.items() if v is not None}
    outcome = run_on_file(book, name, options, out=out)
    report(outcome)
    raise SystemExit(exit_code(outcome))


@click.command()
@BOOK
@OUT
@LANG
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]),
              help="Check BOM effectivity on this date (default: all lines).")
@fails_cleanly
def check(book: Path, out: Path | None, lang: str | None, as_of) -> None:
    """Check the BOM and master data of BOOK; write BOM Check, Low-level codes, Where used
    and Exploded BOM sheets. Exit code 1 when errors are found."""
    _run(book, "check", {"lang": lang, "as_of": as_of.date() if as_of else None}, out)


@click.command()
@BOOK
@OUT
@LANG
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]),
              help="Planning date (default: the settings sheet, else today).")
@click.option("--bucket", type=click.Choice(["day", "week", "month", "period"]),
              help="Time buckets of the MRP record (default day).")
@click.option("--merge-days", type=float, help="Merge planned orders within N days.")
@fails_cleanly
def plan(book: Path, out: Path | None, lang: str | None, date_, bucket: str | None,
         merge_days: float | None) -> None:
    """Run MRP on BOOK: write Planned orders, MRP record, Pegging and Exceptions sheets."""
    options = {"lang": lang, "date": date_.date() if date_ else None, "bucket": bucket,
               "merge_days": merge_days}
    _run(book, "plan", options, out)


@click.command()
@BOOK
@OUT
@LANG
@click.option("--orders", help="Comma-separated sales order numbers (default: all open).")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), help="Planning date.")
@fails_cleanly
def tasks(book: Path, out: Path | None, lang: str | None, orders: str | None, date_) -> None:
    """Generate production tasks and material lists from open sales order lines."""
    options = {"lang": lang, "orders": orders, "date": date_.date() if date_ else None}
    _run(book, "tasks", options, out)


COMMANDS = [check, plan, tasks]
