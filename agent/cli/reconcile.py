"""`xlerp reconcile`: compare the platforms in the store and write a report workbook."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from addin.errors import UsageError
from agent.cli.output import fails_cleanly
from agent.store import Store, default_store_path

if TYPE_CHECKING:  # the reconciliation stack loads only when the command runs
    from agent.reconcile.findings import RuleResult
    from agent.reconcile.sources import Source


@click.command()
@click.option("--store", "target", help="The store: a file (default: $XLERP_STORE, else "
              "xlerp.db here) or a server URL such as https://host:8765.")
@click.option("--token", envvar="XLERP_TOKEN", help="A read token, for a server URL "
              "(or set XLERP_TOKEN).")
@click.option("--rules", "rule_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A rule set (TOML); repeatable. Default: the built-in sets.")
@click.option("--rule", "only", multiple=True, help="Run only this rule; repeatable.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The report workbook to write (.xlsx).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="Where the change-log position of this run is kept, so the next run "
                   "marks what changed since (default: beside --out).")
@fails_cleanly
def reconcile(target: str | None, token: str | None, rule_files: tuple[Path, ...],
              only: tuple[str, ...], out: Path, lang: str, state: Path | None) -> None:
    """Compare each platform's rows by the rules (matched, only in A, only in B,
    different beyond tolerance; things with two codes) and write OUT: a summary with a
    chart, one sheet per rule, and suggested code mappings."""
    from agent.reconcile import load_rules
    from agent.reconcile.report import write_report
    from agent.reconcile.sources import read_state, run, write_state

    rules = load_rules(list(rule_files) if rule_files else None)
    if only:
        unknown = sorted(set(only) - {r.name for r in rules})
        if unknown:
            raise UsageError(f"no rule named {', '.join(unknown)} — rules: "
                             + ", ".join(r.name for r in rules))
        rules = [r for r in rules if r.name in only]
    state = state or out.with_name(out.stem + ".state.json")
    with open_source(target, token) as source:
        result = run(source, rules, since=read_state(state, source.name))
    write_report(out, result, "zh" if lang == "zh" else "en")
    write_state(state, result)
    for item in result.results:
        click.echo(summary_line(item))
    click.echo(f"Wrote {out}")


def summary_line(result: RuleResult) -> str:
    """One line per rule, e.g. "stock_wms_erp: 30 matched, 1 only in A, …"."""
    if result.rule.kind == "identity":
        return f"{result.rule.name}: {len(result.suggestions)} suggested code mapping(s)"
    parts = [f"{result.matched} matched", f"{result.only_in_a} only in A",
             f"{result.only_in_b} only in B", f"{result.different} different"]
    if result.duplicates:
        parts.append(f"{result.duplicates} duplicate(s)")
    if result.changed:
        parts.append(f"{result.changed} finding(s) changed since the last run")
    return f"{result.rule.name}: " + ", ".join(parts)


@contextmanager
def open_source(target: str | None, token: str | None) -> Iterator[Source]:
    """The store file (default: $XLERP_STORE or xlerp.db) or server to read from."""
    from agent.push import PushClient, PushSettings
    from agent.reconcile.sources import HttpSource, StoreSource

    target = target or str(default_store_path())
    if target.startswith(("http://", "https://")):
        if not token:
            raise UsageError("a server URL needs --token (or XLERP_TOKEN) with read scope")
        client = PushClient(PushSettings(url=target, token=token, retries=3))
        try:
            yield HttpSource(client)
        finally:
            client.close()
        return
    if not Path(target).exists():
        raise UsageError(f"{target} does not exist — give --store the store file or URL")
    with Store.open(target) as store:
        yield StoreSource(store)


COMMANDS = [reconcile]
