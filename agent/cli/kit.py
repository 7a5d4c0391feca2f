"""`xlerp kit BOOK.xlsx`: kitting and shortage analysis of the open sales orders."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.output import fails_cleanly
from agent.cli.workbook import BOOK, LANG, OUT, _run


@click.command()
@BOOK
@OUT
@LANG
@click.option("--mode", type=click.Choice(["onhand", "available", "receipts"]),
              help="onhand: nettable stock only; available (default): stock minus "
                   "allocations to other orders; receipts: that plus open receipts due by "
                   "each order's due date.")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]),
              help="BOM effectivity date (default: the settings sheet, else today).")
@click.option("--orders", help="Comma-separated sales order numbers (default: all open).")
@fails_cleanly
def kit(book: Path, out: Path | None, lang: str | None, mode: str | None, date_,
        orders: str | None) -> None:
    """Kitting of BOOK's open sales orders, served by priority, due date and order no:
    write the Kitting (sets buildable, bottleneck), Shortages and Unblocked by receipt
    sheets. Exit code 1 when the input has errors."""
    options = {"lang": lang, "mode": mode, "date": date_.date() if date_ else None,
               "orders": orders}
    _run(book, "kit", options, out)


COMMANDS = [kit]
