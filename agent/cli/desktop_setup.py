"""`xlerp desktop-setup BOOK`: get a workbook ready for desktop Excel through xlwings."""

from __future__ import annotations

from pathlib import Path

import click

from addin.errors import UsageError
from addin.frontend import command_list
from addin.workbook.read import check_workbook_file
from agent.cli.output import fails_cleanly

MODULE = '''"""xlerp for desktop Excel: the Python module of {book}
(written by `xlerp desktop-setup`).

The xlwings add-in's "Run main" button calls main(): it runs the command chosen on the
Control sheet (the first run adds that sheet). "Import Functions" (Windows) makes
=XLERP_AVAILABLE(item, date) and =XLERP_CANBUILD(item, date) usable in cells. Each
command is also a function of its own, for buttons of your own: RunPython "import
{module}; {module}.plan()".
"""

from addin.desktop import XLERP_AVAILABLE, XLERP_CANBUILD, main, run

__all__ = {names}
{functions}'''

FUNCTION = '''

def {name}() -> None:
    """{label}: {description}"""
    run("{name}")
'''

STEPS = """Wrote {module_file} beside {book}.

Next, on the PC with Excel (Windows or macOS):
  1. Install xlerp into a Python there (xlwings comes with it), see the README
  2. Add the xlwings tab to Excel:  xlwings addin install
  3. Open {book}. On the xlwings tab set "Interpreter" to that Python and
     "PYTHONPATH" to {folder}
  4. Click "Run main". The first time it adds a Control sheet: choose the command
     ({choices}) and its options there, then click "Run main" again.
  5. Windows: set "UDF Modules" to {module} and click "Import Functions" to use
     =XLERP_AVAILABLE(item, date) and =XLERP_CANBUILD(item, date) in cells.
See docs/excel.md for the details."""


def module_text(book: Path) -> str:
    """The Python module xlwings imports for `book`: main, the UDFs and one function per
    command."""
    listed = command_list()
    functions = "".join(FUNCTION.format(name=c.name, label=c.en,
                                        description=c.description_en.replace('"', "'"))
                        for c in listed)
    names = ["XLERP_AVAILABLE", "XLERP_CANBUILD", "main", *(c.name for c in listed)]
    return MODULE.format(book=book.name, module=book.stem, names=repr(names),
                         functions=functions)


@click.command("desktop-setup")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the workbook's Python module if it exists.")
@fails_cleanly
def desktop_setup(book: Path, force: bool) -> None:
    """Prepare BOOK for desktop Excel through the xlwings add-in: write the Python module
    named like BOOK beside it, then print the steps in Excel. BOOK itself is not changed."""
    check_workbook_file(book)
    if not book.stem.isidentifier():
        raise UsageError(f'xlwings imports a module named like the workbook, and "{book.stem}" '
                         "cannot be one — rename the workbook to letters, digits and "
                         "underscores, e.g. plan_2026.xlsx")
    target = book.with_suffix(".py")
    if target.exists() and not force:
        raise UsageError(f"{target} exists already — keep it, or use --force to replace it")
    target.write_text(module_text(book), encoding="utf-8")
    choices = ", ".join(c.name for c in command_list())
    click.echo(STEPS.format(module_file=target.name, book=book.name, module=book.stem,
                            folder=book.resolve().parent, choices=choices))


COMMANDS = [desktop_setup]
