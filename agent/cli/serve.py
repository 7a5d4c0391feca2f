"""`xlerp serve`: the store behind the HTTP API, for agents on other PCs."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from addin.errors import UsageError
from agent.cli.output import fails_cleanly
from agent.store import default_store_path

DEFAULT_PORT = 8765


@click.command()
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
              help="The store file (default: $XLERP_STORE, else xlerp.db here).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 for every network card.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--max-body-mb", type=click.IntRange(min=1), default=64, show_default=True,
              help="Largest upload accepted (MiB); larger ones are answered 413.")
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False),
              help="TLS private key (PEM); with --ssl-certfile the server speaks https.")
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False),
              help="TLS certificate chain (PEM).")
@click.option("--log-level", type=click.Choice(["warning", "info", "debug"]),
              default="info", show_default=True)
@fails_cleanly
def serve(db: Path | None, host: str, port: int, max_body_mb: int, ssl_keyfile: str | None,
          ssl_certfile: str | None, log_level: str) -> None:
    """Serve the store at /api/v1 until Ctrl-C. Agents push with `xlerp watch --store
    URL --token …`; create their tokens first with `xlerp token create`."""
    import uvicorn  # the server stack loads only for this command

    from agent.server import ServerSettings, create_app
    from agent.server.settings import MIB

    if bool(ssl_keyfile) != bool(ssl_certfile):
        raise UsageError("give both --ssl-keyfile and --ssl-certfile, or neither")
    path = db or default_store_path()
    app = create_app(path, ServerSettings(max_body_bytes=max_body_mb * MIB))
    scheme = "https" if ssl_certfile else "http"
    if scheme == "http" and not _loopback(host):
        click.echo(f"warning: serving plain http on {host}: tokens cross the network "
                   "unencrypted — use --ssl-certfile/--ssl-keyfile or a reverse proxy "
                   "(docs/server.md)", err=True)
    click.echo(f"Serving {path} on {scheme}://{host}:{port}/api/v1 (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, ssl_keyfile=ssl_keyfile,
                ssl_certfile=ssl_certfile, log_level=log_level, workers=1)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


COMMANDS = [serve]
