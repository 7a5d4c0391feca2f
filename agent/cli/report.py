"""`xlerp report NAME BOOK.xlsx --from D --to D` or `xlerp report NAME --store xlerp.db
--out report.xlsx`: a report of a workbook, or of the tables the agent loaded."""

from __future__ import annotations

from pathlib import Path

import click

from addin.commands.report import REPORTS
from agent.cli.output import exit_code, fails_cleanly
from agent.cli.output import report as print_outcome
from agent.cli.storebook import STORE, run_on_store, store_or_book
from agent.cli.workbook import LANG, OUT, _run

DATE = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.argument("name", type=click.Choice(REPORTS))
@click.argument("book", required=False, type=click.Path(dir_okay=False, path_type=Path))
@OUT
@LANG
@STORE
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
@click.option("--period", help="cost, profit: the cost period to report when Cost objects "
                               "hold several, e.g. 2026-11.")
@click.option("--mode", type=click.Choice(["onhand", "available", "receipts"]),
              help="shortage, dashboard: what kitting counts as available (default "
                   "available).")
@fails_cleanly
def report(name: str, book: Path | None, out: Path | None, lang: str | None,
           store_path: Path | None, from_, to, bands: str | None, slow_days: int | None,
           opening_date, period: str | None, mode: str | None) -> None:
    """Write report NAME of BOOK (or of the store): stock-ledger (In-out summary
    收发存汇总), stock-status, ageing (and Slow movers), quality (Supplier quality),
    dashboard (KPIs), all (those five, posting once); shortage (kitting), progress
    (production alerts), subcontract (tracking and supplier balances), cost (composition
    and variance) or profit (order profit). Each with a Summary sheet and its charts.
    Exit code 1 when the input has errors or a document is refused (nothing is
    written)."""
    options = {"name": name, "lang": lang, "from": from_.date() if from_ else None,
               "to": to.date() if to else None, "bands": bands, "slow_days": slow_days,
               "opening_date": opening_date.date() if opening_date else None,
               "period": period, "mode": mode}
    store_or_book(book, out, store_path)
    if store_path is None:
        _run(book, "report", options, out)
        return
    options = {k: v for k, v in options.items() if v is not None}
    outcome = run_on_store("report", store_path, options, out)
    print_outcome(outcome)
    raise SystemExit(exit_code(outcome))


COMMANDS = [report]
