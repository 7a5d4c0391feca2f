"""The `xlerp` command line: one module per subcommand, wired together here."""

from __future__ import annotations

import logging

import click

from agent.cli import (
    alerts,
    cost,
    demo,
    desktop_setup,
    generate,
    importing,
    kit,
    match,
    new,
    post,
    reconcile,
    report,
    serve,
    store,
    suggest,
    token,
    watch,
    workbook,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlerp")
@click.option("-v", "--verbose", is_flag=True, help="Show diagnostics on stderr.")
def cli(verbose: bool) -> None:
    """xlerp — planning in the Excel workbooks a factory already uses.

    Every command reads a workbook, runs one engine and writes result sheets back into
    the workbook (or into --out), leaving every other sheet as it was.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


for module in (new, workbook, kit, post, alerts, cost, match, report, suggest, demo, generate,
               serve, token, importing, store, watch, reconcile, desktop_setup):
    for subcommand in module.COMMANDS:
        cli.add_command(subcommand)


def main() -> None:
    cli()
