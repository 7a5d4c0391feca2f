"""`xlerp post BOOK.xlsx`: post the shop-floor and stock documents of a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.output import fails_cleanly
from agent.cli.workbook import BOOK, LANG, OUT, _run


@click.command()
@BOOK
@OUT
@LANG
@click.option("--closed-through", type=click.DateTime(["%Y-%m-%d"]),
              help="Refuse documents dated on or before this period close.")
@click.option("--receipt-tolerance", type=float,
              help="Allowed over-receipt of a production task, e.g. 0.05 for 5 %.")
@click.option("--subcontract-tolerance", type=float,
              help="Allowed over-receipt of a subcontract order, e.g. 0.05 for 5 %.")
@click.option("--inspection-warehouse",
              help="Warehouse that holds goods until inspected (default: the first of "
                   "type inspection).")
@fails_cleanly
def post(book: Path, out: Path | None, lang: str | None, closed_through,
         receipt_tolerance: float | None, subcontract_tolerance: float | None,
         inspection_warehouse: str | None) -> None:
    """Post issues, supplements, returns, receipts, receipt notices and inspections,
    subcontract and consigned documents of BOOK; write Stock moves, Stock ledger,
    Supplier quality, Supplier balances and Fee adjustments. Options left out come from
    the Settings sheet. Exit code 1 when a document is refused."""
    options = {"lang": lang, "closed_through": closed_through.date() if closed_through
               else None, "receipt_tolerance": receipt_tolerance,
               "subcontract_tolerance": subcontract_tolerance,
               "inspection_warehouse": inspection_warehouse}
    _run(book, "post", options, out)


COMMANDS = [post]
