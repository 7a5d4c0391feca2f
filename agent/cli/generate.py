"""`xlerp generate`: a seeded workbook of a factory at any scale, for trials and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from addin.errors import UsageError
from addin.generate import generate as generate_tables
from addin.workbook.write import write_tables
from agent.cli.output import fails_cleanly


@click.command()
@click.option("--items", type=click.IntRange(min=10), default=1000, show_default=True,
              help="Number of items over 5 BOM levels.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Workbook to create (.xlsx).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--demands-per-top", type=click.IntRange(min=0), default=1, show_default=True,
              help="Sales order lines per finished item.")
@click.option("--components", type=click.IntRange(min=1), default=4, show_default=True,
              help="Distinct components per manufactured item.")
@click.option("--min-multiple", is_flag=True,
              help="Purchased items min 50 / multiple 10; multiple 5 on 30% of made items.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@fails_cleanly
def generate(items: int, out: Path, seed: int, demands_per_top: int, components: int,
             min_multiple: bool, lang: str, force: bool) -> None:
    """Write a generated factory (items, layered BOM, stock, open supply, sales orders)."""
    if out.exists() and not force:
        raise UsageError(f"{out} already exists — choose another name or add --force")
    out.unlink(missing_ok=True)
    tables = generate_tables(items, seed=seed, demands_per_top=demands_per_top,
                             components_per_parent=components,
                             min_multiple_variant=min_multiple)
    click.echo(f"Writing {sum(len(t) for t in tables.values()):,} rows …", err=True)
    write_tables(out, tables, lang)
    click.echo(f"Wrote {out} ({', '.join(f'{k} {len(v):,}' for k, v in tables.items())})")


COMMANDS = [generate]
