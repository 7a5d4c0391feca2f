"""The command layer: one function per command, tables in -> tables out + messages.

The CLI, desktop Excel (xlwings) and the Office.js ribbon all reach the engines only
through `run`. A command declares the canonical tables it needs, the ones it can use
when present, and the result tables it writes, so a front end knows what to read and
which sheets it owns.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from addin.issues import Issue, has_errors

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class SummaryBlock:
    """A small table on the run's Summary sheet, with a native chart of one column.

    `table` names an output table of the schema (its headers and formats); `category`
    and `values` name the chart's label and value columns (default: the first column and
    the first numeric one); `chart` None shows the table without a chart.
    """

    table: str
    frame: pd.DataFrame
    chart: Literal["bar", "column"] | None = "bar"
    category: str | None = None
    values: str | None = None


@dataclass(frozen=True)
class Summary:
    """What a command puts on the Summary sheet: key figures (label in the run's language,
    number) and blocks. Front ends render it; the command never touches a sheet."""

    figures: list[tuple[str, float]] = field(default_factory=list)
    blocks: list[SummaryBlock] = field(default_factory=list)


@dataclass
class Result:
    """What a command returns: result tables, findings, one-line messages for a person.

    `updates` changes cells of input sheets in place: input table name -> one row per
    record to change, holding the table's key columns and the columns to set (e.g.
    sales_orders: order_no, line_no, pushed_qty). A front end applies them together with
    the result tables, or not at all. `summary` fills the Summary sheet; without it the
    sheet lists how many rows each result sheet got.
    """

    tables: Tables = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    row_styles: dict[str, pd.Series] = field(default_factory=dict)
    updates: Tables = field(default_factory=dict)
    summary: Summary | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)


@dataclass(frozen=True)
class Command:
    name: str
    zh: str
    en: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    function: Callable[[Tables, Mapping[str, Any]], Result]
    optional: tuple[str, ...] = ()
    # A command that refuses to write anything when its input has errors (e.g. plan);
    # a checker instead writes its findings.
    blocks_on_input_errors: bool = True
    description_zh: str = ""
    description_en: str = ""

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


COMMANDS: dict[str, Command] = {}


def command(name: str, zh: str, en: str, *, inputs: tuple[str, ...], outputs: tuple[str, ...],
            optional: tuple[str, ...] = (), blocks_on_input_errors: bool = True,
            description_zh: str = "", description_en: str = "",
            ) -> Callable[[Callable[[Tables, Mapping[str, Any]], Result]],
                          Callable[[Tables, Mapping[str, Any]], Result]]:
    """Register a command function under `name`."""

    def decorate(function: Callable[[Tables, Mapping[str, Any]], Result]
                 ) -> Callable[[Tables, Mapping[str, Any]], Result]:
        if name in COMMANDS:
            raise ValueError(f"command {name!r} is registered twice")
        COMMANDS[name] = Command(name, zh, en, inputs, outputs, function, optional,
                                 blocks_on_input_errors, description_zh, description_en)
        return function

    return decorate


def get(name: str) -> Command:
    _load()
    return COMMANDS[name]


def all_commands() -> list[Command]:
    """Every command, in the order a planner works: check, plan, then tasks."""
    _load()
    order = {name: position for position, name in enumerate(MODULES)}
    return sorted(COMMANDS.values(), key=lambda c: (order.get(c.name, len(order)), c.name))


def run(name: str, tables: Tables, options: Mapping[str, Any] | None = None) -> Result:
    """Run a registered command on canonical tables (as returned by the workbook reader)."""
    return get(name).function(tables, dict(options or {}))


# One module per command; importing a module registers its command. Loaded on first use
# so that importing the registry stays cheap.
MODULES = ("check", "plan", "tasks", "kit", "post", "alerts", "cost", "match", "report",
           "suggest")


def _load() -> None:
    for module in MODULES:
        importlib.import_module(f"addin.commands.{module}")
