"""`xlerp token create|revoke|list`: the API tokens of the store server.

These work on the store file itself, so the first admin token can be made before the
server runs (and a lost admin token replaced by whoever can reach the file).
"""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.output import fails_cleanly
from agent.server import auth
from agent.store import Store, default_store_path

DB = click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
                  help="The store file (default: $XLERP_STORE, else xlerp.db here).")


def _open(db: Path | None) -> Store:
    store = Store.open(db or default_store_path())
    auth.ensure_tables(store)
    return store


@click.group()
def token() -> None:
    """Issue, list and revoke the API tokens agents and clients use."""


@token.command()
@click.option("--name", required=True, help="Who will use it, e.g. warehouse-pc.")
@click.option("--scope", type=click.Choice(auth.SCOPES), default="push", show_default=True,
              help="read: read tables and changes; push: also upload; admin: also tokens.")
@DB
@fails_cleanly
def create(name: str, scope: str, db: Path | None) -> None:
    """Issue a token and print it once (only its hash is kept: copy it now)."""
    with _open(db) as store:
        record, secret = auth.create_token(store, name, scope)
    click.echo(secret)
    click.echo(f"Token {record.name!r} ({record.scope}) created — it is shown only now.",
               err=True)


@token.command()
@click.argument("name")
@DB
@fails_cleanly
def revoke(name: str, db: Path | None) -> None:
    """Revoke the token NAME; it stops working at once."""
    with _open(db) as store:
        auth.revoke_token(store, name)
    click.echo(f"Revoked {name}")


@token.command(name="list")
@DB
@fails_cleanly
def list_(db: Path | None) -> None:
    """Every token issued: name, scope, created, revoked."""
    with _open(db) as store:
        records = auth.list_tokens(store)
    for record in records:
        state = f"revoked {record.revoked_at}" if record.revoked_at else "active"
        click.echo(f"{record.name}\t{record.scope}\tcreated {record.created_at}\t{state}")


COMMANDS = [token]
