"""`xlerp watch FOLDER…`: load every export dropped into the folders, until Ctrl-C.

Running it as a service (it is an ordinary foreground process that stops cleanly on
Ctrl-C or SIGTERM, finishing the file it is loading):

Linux, systemd — /etc/systemd/system/xlerp-watch.service:

    [Unit]
    Description=xlerp drop-folder agent
    After=network-online.target remote-fs.target

    [Service]
    User=xlerp
    WorkingDirectory=/var/lib/xlerp
    ExecStart=/opt/xlerp/.venv/bin/xlerp watch /srv/drops/shop /srv/drops/erp \\
        --store /var/lib/xlerp/xlerp.db
    Restart=on-failure
    KillSignal=SIGTERM
    TimeoutStopSec=120

    [Install]
    WantedBy=multi-user.target

  then `systemctl enable --now xlerp-watch`; logs with `journalctl -u xlerp-watch`.

Windows — a service wrapper such as NSSM (nssm.cc) or WinSW runs the same command:

    nssm install xlerp-watch "C:\\xlerp\\.venv\\Scripts\\xlerp.exe" ^
        watch "\\\\server\\drops\\shop" --poll --store "C:\\xlerp\\xlerp.db"
    nssm set xlerp-watch AppStopMethodConsole 120000
    nssm start xlerp-watch

  Network shares need --poll (native events do not see other machines' writes) and a
  service account that can read and move files on the share; the store stays on the
  local disk. Alternatively a Task Scheduler task "At startup" runs the command.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from agent import archive
from agent.cli.output import fails_cleanly
from agent.cli.store import LANG, OUTBOX, PROFILES, STORE, TOKEN, open_store, profiles
from agent.events import DEBOUNCE_SECONDS, OnOrders
from agent.ingest import IngestResult
from agent.watch import POLL_SECONDS, RESCAN_SECONDS, SETTLE_SECONDS, Watcher, WatchSettings

log = logging.getLogger(__name__)

SERVICE_HELP = """\b
As a service (it stops cleanly on SIGTERM, finishing the current file):
  systemd: a unit with ExecStart=/path/to/xlerp watch FOLDER --store /var/lib/xlerp/xlerp.db,
           Restart=on-failure, KillSignal=SIGTERM; then systemctl enable --now it.
  Windows: nssm install xlerp-watch C:\\xlerp\\.venv\\Scripts\\xlerp.exe watch FOLDER --poll
           --store C:\\xlerp\\xlerp.db  (or WinSW, or a Task Scheduler task "At startup").
Full unit file and notes: the docstring of agent/cli/watch.py."""


@click.command(epilog=SERVICE_HELP)
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@STORE
@TOKEN
@OUTBOX
@PROFILES
@LANG
@click.option("--poll", is_flag=True,
              help="Look for changes by polling instead of native events: needed for "
                   "network shares (SMB/NFS), whose writes by other PCs raise no events.")
@click.option("--poll-interval", type=click.FloatRange(min=0.1), default=POLL_SECONDS,
              show_default=True, help="Seconds between polls with --poll.")
@click.option("--settle", type=click.FloatRange(min=0), default=SETTLE_SECONDS,
              show_default=True,
              help="Seconds a file's size and time must stay unchanged before it is read.")
@click.option("--rescan", type=click.FloatRange(min=1), default=RESCAN_SECONDS,
              show_default=True, help="Seconds between full rescans (missed events).")
@click.option("--on-orders", "on_orders", metavar="COMMAND",
              help='Run COMMAND (e.g. "xlerp plan BOOK.xlsx") after loads that bring new '
                   "or changed sales orders or stock, at most once per --debounce.")
@click.option("--debounce", type=click.FloatRange(min=0), default=DEBOUNCE_SECONDS,
              show_default=True, help="Quiet seconds after the last load before --on-orders.")
@fails_cleanly
def watch(folders: tuple[Path, ...], store_path: str | None, token: str | None,
          outbox: Path | None, profiles_dir: Path | None, lang: str | None, poll: bool,
          poll_interval: float, settle: float, rescan: float,
          on_orders: str | None, debounce: float) -> None:
    """Watch FOLDER(s) and load each export dropped there once it has stopped changing:
    into done/YYYY-MM-DD/ when loaded, rejected/ with NAME.errors.xlsx when not. Excel's
    ~$ lock files and temporary names are ignored; a file loaded before is only moved.
    Ctrl-C stops after the file being loaded."""
    shapes = profiles(profiles_dir)
    settings = WatchSettings(tuple(folders), settle=settle, rescan=rescan, poll=poll,
                             poll_interval=poll_interval, lang=lang)  # type: ignore[arg-type]
    trigger = OnOrders(on_orders, debounce) if on_orders else None
    with open_store(store_path, token, outbox) as store:
        watcher = Watcher(store, shapes, settings, on_result=_reporter(trigger))
        stop = threading.Event()
        _stop_on_signals(stop, watcher)
        click.echo(f"Watching {', '.join(map(str, folders))} into {store.path} "
                   "(Ctrl-C stops)", err=True)
        try:
            watcher.run(stop)
        finally:
            if trigger is not None:
                trigger.close(flush=False)
    click.echo("Stopped.", err=True)


def _reporter(trigger: OnOrders | None):
    def report(result: IngestResult) -> None:
        click.echo(archive.summary(result))
        if trigger is not None:
            trigger(result)

    return report


def _stop_on_signals(stop: threading.Event, watcher: Watcher) -> None:
    """First Ctrl-C/SIGTERM: finish the current file, then stop. A second: stop now (the
    open transaction rolls back, the file stays for next time)."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        click.echo("Stopping after the current file …", err=True)
        stop.set()
        watcher.wake.set()

    if threading.current_thread() is not threading.main_thread():
        return  # signals reach only the main thread (e.g. under a test runner's thread)
    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    if sys.platform == "win32":
        signal.signal(signal.SIGBREAK, handle)


COMMANDS = [watch]
