"""`xlerp new BOOK.xlsx`: start a planning workbook from the template."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import click

from addin.errors import UsageError
from agent.cli.output import fails_cleanly


def template_path(name: str) -> Path:
    """A workbook shipped in the templates package (templates/xlerp-en.xlsx, …)."""
    path = Path(str(files("templates") / name))
    if not path.is_file():
        raise UsageError(f"the template {name} is missing from this installation — "
                         "reinstall xlerp")
    return path


@click.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of sheet names and headers.")
@click.option("--force", is_flag=True, help="Overwrite BOOK if it exists.")
@fails_cleanly
def new(book: Path, lang: str, force: bool) -> None:
    """Create BOOK from the xlerp template: one sheet per input table, dropdowns,
    example rows and an instructions sheet."""
    if book.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(f"{book.name}: give the new workbook an .xlsx name")
    if book.exists() and not force:
        raise UsageError(f"{book} already exists — choose another name or add --force")
    book.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_path(f"xlerp-{lang}.xlsx"), book)
    click.echo(f"Created {book}")


COMMANDS = [new]
