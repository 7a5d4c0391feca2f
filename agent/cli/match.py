"""`xlerp match BOOK.xlsx --period 2026-11` or `xlerp match --store xlerp.db --out
match.xlsx`: match orders, receipts/shipments and invoices (issue #10)."""

from __future__ import annotations

from pathlib import Path

import click

import addin.commands.match  # noqa: F401  (registers the command until the registry lists it)
from addin import commands
from addin.errors import UsageError
from addin.frontend import Outcome, run_command
from addin.workbook.read import ReadResult
from addin.workbook.summary import summary_layout, write_summary
from addin.workbook.write import write_results
from agent.cli.output import exit_code, fails_cleanly, report
from agent.cli.workbook import LANG, OUT, _run
from agent.store import Store


def run_on_store(store_path: Path, options: dict, out: Path) -> Outcome:
    """The match on the tables the agent loaded into a local store, written to a new
    report workbook `out` (the store itself is only read)."""
    if str(store_path).startswith(("http://", "https://")):
        raise UsageError("match reads a local store file; run it where the store is")
    if not store_path.exists():
        raise UsageError(f"{store_path} does not exist — give --store the store file")
    command = commands.get("match")
    with Store.open(store_path) as store:
        tables = {name: store.rows(name) for name in (*command.inputs, *command.optional)}
    lang = options.get("lang") or "zh"
    outcome = run_command("match", ReadResult(tables=tables, lang=lang), options)
    if outcome.tables:
        summary = summary_layout(outcome)
        written = write_results(
            out, outcome.tables, outcome.lang, row_styles=outcome.row_styles,
            extra=None if summary is None else lambda book: write_summary(book, summary))
        outcome.written = written.path
    return outcome


@click.command()
@click.argument("book", required=False, type=click.Path(dir_okay=False, path_type=Path))
@OUT
@LANG
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the tables from this local store instead of BOOK (then --out "
                   "names the report workbook to write).")
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
    if store_path is None:
        if book is None:
            raise UsageError("give the workbook BOOK, or --store and --out")
        _run(book, "match", options, out)
        return
    if book is not None or out is None:
        raise UsageError("with --store give --out (the report workbook) and no BOOK")
    outcome = run_on_store(store_path, options, out)
    report(outcome)
    raise SystemExit(exit_code(outcome))


COMMANDS = [match]
