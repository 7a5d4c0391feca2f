"""`xlerp demo [DIR]`: copy the demo factory's workbook and run the planning commands."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from addin import commands
from addin.headless import run_on_file
from agent.cli.new import template_path
from agent.cli.output import fails_cleanly
from agent.reconcile.demo import run_demo

# The order a planner works in: clean the master data, plan, release tasks, check kits,
# post what happened on the floor (a kit issue, a backflushed receipt, an inspection with
# a concession, a subcontract cycle), then see which tasks need attention.
DEMO_COMMANDS = ("check", "plan", "tasks", "kit", "post", "alerts")


@click.command()
@click.argument("directory", required=False, default="xlerp-demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True,
              help="Language of the demo workbook.")
@fails_cleanly
def demo(directory: Path, lang: str) -> None:
    """Copy the demo workbook (an electric-fan factory) into DIRECTORY; check, plan,
    generate tasks, check kits, post the shop-floor documents and list progress alerts on
    it; show reconciliation of two platform exports on an embedded store; print a summary
    and the paths of the result workbooks."""
    directory.mkdir(parents=True, exist_ok=True)
    book = directory / f"xlerp-demo-{lang}.xlsx"
    shutil.copyfile(template_path(f"demo-{lang}.xlsx"), book)
    available = {c.name for c in commands.all_commands()}
    names = [n for n in DEMO_COMMANDS if n in available]
    failed = False
    with click.progressbar(names, label="Running", file=sys.stderr,
                           item_show_func=lambda n: n or "") as bar:
        summaries = []
        for name in bar:
            outcome = run_on_file(book, name)
            label = commands.get(name).label(lang)
            summaries.append((label, outcome))
            failed |= not outcome.ok
    for label, outcome in summaries:
        status = "ok" if outcome.ok else "errors"
        messages = "; ".join(outcome.result.messages) or f"{len(outcome.issues)} findings"
        click.echo(f"{label}: {status} — {messages}")
    click.echo(f"Result workbook: {book.resolve()}")
    # Reconciliation on an embedded store in the same folder: nothing runs in the background.
    click.echo(run_demo(directory, lang))
    raise SystemExit(1 if failed else 0)


COMMANDS = [demo]
