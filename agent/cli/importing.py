"""`xlerp import FILE…`: load export files into the store once, without watching."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from addin.errors import UsageError
from addin.issues import sort_issues
from agent import archive
from agent.cli.output import MAX_LINES, fails_cleanly
from agent.cli.store import LANG, OUTBOX, PROFILES, STORE, TOKEN, open_store, profiles
from agent.ingest import IngestResult, ingest_file


@click.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@STORE
@TOKEN
@OUTBOX
@PROFILES
@LANG
@click.option("--archive", "move", is_flag=True,
              help="Move each file to done/YYYY-MM-DD/ or rejected/ beside it, as "
                   "`xlerp watch` does (with NAME.errors.xlsx for a rejected one).")
@fails_cleanly
def import_(files: tuple[Path, ...], store_path: str | None, token: str | None,
            outbox: Path | None, profiles_dir: Path | None, lang: str | None,
            move: bool) -> None:
    """Load each FILE (CSV, TXT, XLSX, XLSM, XLS) with the profile that fits it, each in
    one transaction. A file loaded before (same content, any name) changes nothing.
    Exit code 1 when a file is rejected; its problems are listed on stderr."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"{', '.join(missing)} not found — check the file names")
    shapes = profiles(profiles_dir)
    rejected = 0
    with open_store(store_path, token, outbox) as store:
        for path in files:
            result = ingest_file(store, path, shapes, lang=lang)  # type: ignore[arg-type]
            rejected += result.status == "rejected"
            _report(result)
            if move:
                _archive(path, result, store)
    raise SystemExit(1 if rejected else 0)


def _report(result: IngestResult) -> None:
    click.echo(archive.summary(result))
    issues = sort_issues(result.issues)
    for issue in issues[:MAX_LINES]:
        click.echo(f"{issue.severity}: {issue.located(result.lang)}", err=True)
    if len(issues) > MAX_LINES:
        click.echo(f"… {len(issues) - MAX_LINES} more (see the error report)", err=True)


def _archive(path: Path, result: IngestResult, store) -> None:
    if result.status == "rejected":
        target = archive.move_rejected(path, result, store)
        click.echo(f"Moved to {target} (report {target.name}{archive.REPORT_SUFFIX})")
    else:
        click.echo(f"Moved to {archive.move_done(path, result.sha256, date.today())}")


COMMANDS = [import_]
