"""`xlerp store status`: what the store holds, its change-log position, recent imports.

Also the options the agent's commands share: --store and --profiles.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from addin.errors import UsageError
from agent.cli.output import fails_cleanly
from agent.profiles import Profile, load_profiles
from agent.push import RemoteStore
from agent.push import open_store as open_target
from agent.store import STORE_ENV, Store, default_store_path

STORE = click.option(
    "--store", "store_path", metavar="PATH",  # text: a Path would fold "http://" to "http:/"
    help=f"The store file (default: ${STORE_ENV}, else xlerp.db in the current folder; "
         "keep it on a local disk), or the URL of an xlerp server (https://host:8765) to "
         "push to through a local outbox.")
TOKEN = click.option("--token", envvar="XLERP_TOKEN", metavar="TOKEN",
                     help="API token (push scope) when --store is a server URL "
                          "(default: $XLERP_TOKEN).")
OUTBOX = click.option("--outbox", type=click.Path(dir_okay=False, path_type=Path),
                      help="Outbox file for --store URL (default: xlerp-outbox.db here).")
PROFILES = click.option(
    "--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own import profiles (*.toml); they add to the shipped ones "
         "and replace those of the same name.")
LANG = click.option("--lang", type=click.Choice(["zh", "en"]),
                    help="Language of error reports (default: the export's).")


def open_store(path: str | None, token: str | None = None,
               outbox: Path | None = None) -> Store | RemoteStore:
    """The local store at `path` (or the default), created on first use, or a server URL
    reached through the outbox."""
    return open_target(path or default_store_path(), token, outbox)


def profiles(directory: Path | None) -> list[Profile]:
    return load_profiles(directory)


@click.group()
def store() -> None:
    """Look into the store that `xlerp import` and `xlerp watch` load into."""


@store.command()
@STORE
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--recent", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many recent batches and rejected files to list.")
@fails_cleanly
def status(store_path: str | None, as_json: bool, recent: int) -> None:
    """Rows per table, the change-log position, recent batches and rejected files."""
    target = Path(store_path) if store_path else default_store_path()
    if not target.exists():
        raise UsageError(f"{target} does not exist yet — load a file with `xlerp import` "
                         "or `xlerp watch`, or pass --store")
    with open_store(str(target)) as opened:
        state = opened.status(recent=recent)
    if as_json:
        payload = {**state.__dict__, "path": str(state.path)}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True))
        return
    click.echo(f"Store {state.path} (schema version {state.version})")
    click.echo(f"Change log at seq {state.last_seq}; {state.batches} batches, "
               f"{state.journal} files journaled, {state.rejected} rejected")
    for name, count in sorted(state.tables.items()):
        click.echo(f"  {name:<20} {count:>10,} rows")
    if state.recent_batches:
        click.echo("Recent batches:")
        for b in state.recent_batches:
            click.echo(f"  #{b['batch']} {b['loaded_at'][:19]} {b['file']} -> "
                       f"{b['table_name']} ({b['platform']}): {b['inserted']} new, "
                       f"{b['updated']} changed, {b['deleted']} removed, {b['stale']} older")
    if state.recent_rejected:
        click.echo("Rejected files:")
        for r in state.recent_rejected:
            click.echo(f"  {r['rejected_at'][:19]} {r['file']}: {r['issues']} problem(s), "
                       f"first {r['reason']} — report {r['report']}")


COMMANDS = [store]
