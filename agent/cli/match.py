"""`xlerp match BOOK.xlsx --period 2026-11` or `xlerp match --store xlerp.db --out
match.xlsx`: match orders, receipts/shipments and invoices (issue #10)."""

from __future__ import annotations

from pathlib import Path

import click

import addin.commands.match  # noqa: F401  (registers the command until the registry lists it)
from agent.cli.output import exit_code, fails_cleanly, report
from agent.cli.storebook import STORE, run_on_store, store_or_book
from agent.cli.workbook import LANG, OUT, _run


@click.command()
@click.argument("book", required=False, type=click.Path(dir_okay=False, path_type=Path))
@OUT
@LANG
@STORE
@click.option("--period", help="Month to close, e.g. 2026-11 (default: the month of the "
                               "latest document or invoice).")
@click.option("--qty-tolerance", type=float,
              help="Units a line may differ and still count as matched (default 0).")
@click.option("--price-tolerance",
              help="Price difference still accepted: a fraction or a percentage, e.g. 0.01 "
                   "or 1% (default 1%).")
@click.option("--tax-tolerance", type=float,
              help="Tax difference accepted per line and per invoice (default 0.01).")
@click.option("--tax-rate", help="Expected VAT rate, e.g. 13% (default); 'any' skips the check.")
@click.option("--tax-id", help="The company's own taxpayer id: tells purchase from sales "
                               "invoices when their Direction column is blank.")
@fails_cleanly
def match(book: Path | None, out: Path | None, lang: str | None, store_path: Path | None,
          period: str | None, qty_tolerance: float | None, price_tolerance: str | None,
          tax_tolerance: float | None, tax_rate: str | None, tax_id: str | None) -> None:
    """Match BOOK's (or the store's) purchase receipts and shipments with the invoices of
    its Invoice lines, up to the end of --period: write the Invoice matches, Partially
    matched, Unmatched, Match differences, Uninvoiced receipts (暂估), Cost adjustments
    and Suggested mappings sheets. Exit code 1 when the input has errors."""
    options = {"lang": lang, "period": period, "qty_tolerance": qty_tolerance,
               "price_tolerance": price_tolerance, "tax_tolerance": tax_tolerance,
               "tax_rate": tax_rate, "tax_id": tax_id}
    options = {k: v for k, v in options.items() if v is not None}
    store_or_book(book, out, store_path)
    if store_path is None:
        _run(book, "match", options, out)
        return
    outcome = run_on_store("match", store_path, options, out)
    report(outcome)
    raise SystemExit(exit_code(outcome))


COMMANDS = [match]
