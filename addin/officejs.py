"""The xlwings wire format: a ribbon's payload in, actions that write results out.

Request (what xlwings' Office.js/VBA clients and our commands.js send)::

    {"client", "version", "book": {"name", …},
     "sheets": [{"name", "values": [[…]], "tables": [{"name"} | "name", …]}, …],
     "args": [{"date": "2026-12-01", "bucket": "week", "lang": "zh"}]}

`values` is the sheet's grid from A1 ("" for an empty cell, dates as serial numbers or
ISO text, null for error cells); every sheet of the book is listed, with values only
for the sheets the command reads. Response::

    {"actions": [{"func", "args", "values", "sheet_position", "start_row",
                  "start_column", "row_count", "column_count"}, …],
     "messages": [...], "ok": true}

Positions are 0-based. The funcs are xlwings' own (setValues, addSheet, sheetClear,
setNumberFormat, setRangeColor, setFontProperty, setHorizontalAlignment,
setVerticalAlignment, setWrapText, setColumnWidth — in Excel characters —
freezePaneAtRange, addTable, activateSheet, alert) plus two xlerp ones that xlwings
lacks: addConditionalFormat (args [formula for the range's first cell, fill colour])
and addChart (args [kind, title, categories address, values address, anchor]; a "bar"
chart lists its categories top-down in the table's order, without a legend).

Pure: no HTTP here; `agent/server/routes_xlwings.py` serves it. The actions that write a
result sheet are built by `addin.actions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from addin import commands
from addin.actions import Action, action, alert, json_cells, result_actions, value_actions
from addin.errors import UsageError, XlerpError
from addin.frontend import (
    Outcome,
    command_list,
    localise,
    report_lines,
    run_command,
    should_alert,
)
from addin.issues import Issue, has_errors
from addin.schema import ROW, TABLES, Lang, empty_frame, map_headers
from addin.schema.model import _FOLD
from addin.workbook.read import (
    ReadResult,
    _requested,
    _table_from_grid,
    detect_language,
    find_header_row,
    find_sheet,
)
from addin.workbook.update import _key_text, _typed_keys
from addin.workbook.write import column_values

_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class BookSheet:
    """One sheet of the caller's book: its name, grid (maybe not sent) and Excel Tables."""

    name: str
    values: list[list] = field(default_factory=list)
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Payload:
    book: str
    sheets: tuple[BookSheet, ...]
    options: dict[str, Any]


# -- request ------------------------------------------------------------------------------

def parse_payload(body: object, query: Mapping[str, str] | None = None) -> Payload:
    """Check the request's shape; options come from args[0] (a dict), then the query."""
    if not isinstance(body, dict) or not isinstance(body.get("sheets"), list):
        raise UsageError("the request is not an xlwings payload: it needs a list of sheets "
                         '{"sheets": [{"name": …, "values": [[…]]}]}')
    sheets = tuple(_sheet(raw, position) for position, raw in enumerate(body["sheets"]))
    args = body.get("args") or []
    options = dict(args[0]) if isinstance(args, list) and args and isinstance(args[0], dict) \
        else {}
    options.update(query or {})
    book = body.get("book") if isinstance(body.get("book"), dict) else {}
    return Payload(str(book.get("name") or ""), sheets, options)


def _sheet(raw: object, position: int) -> BookSheet:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise UsageError(f"sheet {position + 1} of the request has no name")
    tables = tuple(t.get("name", "") if isinstance(t, dict) else str(t)
                   for t in raw.get("tables") or ())
    return BookSheet(raw["name"], _grid(raw.get("values") or [], raw["name"]), tables)


def _grid(values: object, sheet: str) -> list[list]:
    """A rectangular grid of plain cells; ragged rows are padded with empty cells."""
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise UsageError(f'the values of sheet "{sheet}" are not a list of rows')
    kinds = {type(cell) for row in values for cell in row}
    if not all(issubclass(kind, _SCALARS) for kind in kinds):
        raise UsageError(f'sheet "{sheet}" holds cells that are neither text, number, '
                         "yes/no nor empty")
    width = max(map(len, values), default=0)
    if any(len(row) != width for row in values):
        values = [row + [""] * (width - len(row)) for row in values]
    return values


def read_payload(payload: Payload, name: str) -> ReadResult:
    """The tables command `name` reads, typed exactly as the file reader types them."""
    command = commands.get(name)
    return read_grids(payload, command.inputs, command.optional)


def read_grids(payload: Payload, names: Iterable[str], optional: Iterable[str] = ()
               ) -> ReadResult:
    """Tables `names` (required) and `optional` from the payload's grids: the sheet found
    by the reader's names and aliases, its header row and cells typed by the schema."""
    sheet_names = [sheet.name for sheet in payload.sheets]
    grids = {sheet.name: sheet.values for sheet in payload.sheets}
    lang = detect_language(sheet_names)
    result = ReadResult(tables={}, lang=lang)
    for table, required in _requested(names, optional).items():
        spec = TABLES[table]
        sheet = find_sheet(spec, sheet_names)
        if sheet is None:
            result.tables[table] = empty_frame(spec)
            if required:
                label = spec.sheet_name(lang)
                result.issues.append(Issue("missing_sheet", sheet=label,
                                           params={"table": label}))
            continue
        # The grid starts at A1, so its row i is Excel row i + 1.
        frame, issues = _table_from_grid(spec, grids[sheet], 1, sheet, lang, required)
        result.tables[table] = frame
        result.issues += issues
        result.sheets[table] = sheet
    return result


# -- response -------------------------------------------------------------------------------

def handle(name: str, body: object, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Answer one ribbon request: read, run, and the actions that write the results.

    Anything the user can fix — a missing sheet, renamed columns, a bad option, a
    request that is not a workbook — comes back as an alert, never as an exception.
    """
    command = commands.get(name)  # an unknown command is the caller's bug: KeyError
    lang: Lang = "en"
    try:
        payload = parse_payload(body, query)
        lang = detect_language(sheet.name for sheet in payload.sheets)
        if payload.options.get("lang") in ("zh", "en"):
            lang = payload.options["lang"]
        outcome = run_command(name, read_payload(payload, name), payload.options)
    except XlerpError as error:
        return {"actions": [alert(str(error), command.label(lang), critical=True)],
                "messages": [str(error)], "ok": False}
    return response(outcome, payload.sheets)


def response(outcome: Outcome, sheets: Iterable[BookSheet]) -> dict[str, Any]:
    """The answer: write-back of input cells and result sheets — both, or, when a
    write-back cannot be done, neither — and a message box when one is due."""
    sheets = list(sheets)
    updates, problems = update_actions(outcome.updates, sheets, outcome.lang)
    if has_errors(problems):
        where = {table: find_sheet(TABLES[table], [s.name for s in sheets]) or ""
                 for table in outcome.updates}
        outcome.issues += localise(problems, where, outcome.lang)
        outcome.tables, outcome.updates, updates = {}, {}, []
    actions = updates + result_actions(outcome, [(s.name, s.tables) for s in sheets])
    lines = report_lines(outcome)
    if should_alert(outcome):
        title = commands.get(outcome.command).label(outcome.lang)
        actions.append(alert("\n".join(lines), title, critical=not outcome.ok))
    return {"actions": actions, "messages": lines, "ok": outcome.ok}


def update_actions(updates: Mapping[str, pd.DataFrame], sheets: list[BookSheet],
                   lang: Lang) -> tuple[list[Action], list[Issue]]:
    """setValues that change input cells in place, found as `addin.workbook.update` finds
    them in a file: the record by its key typed as the reader types it; a column the
    sheet lacks goes after its last column. A missing sheet or key is an Issue."""
    names = [sheet.name for sheet in sheets]
    out: list[Action] = []
    issues: list[Issue] = []
    for table, frame in updates.items():
        spec = TABLES[table]
        title = find_sheet(spec, names)
        grid = sheets[names.index(title)].values if title is not None else []
        header_at = find_header_row(spec, grid) if grid else None
        if header_at is None:
            label = spec.sheet_name(lang)
            issues.append(Issue("update_no_sheet", "error", table, None, "", label,
                                {"table": label}))
            continue
        mapping, _ = map_headers(spec, grid[header_at])
        key = list(spec.key)
        typed = _typed_keys(spec, grid[header_at + 1:], mapping, header_at + 2, title, lang)
        wanted = frame[key].astype(typed[key].dtypes.to_dict())
        found = wanted.merge(typed.drop_duplicates(key), how="left", on=key)[ROW]
        missing = found.isna().to_numpy()
        issues += [Issue("update_key_not_found", "error", table, None, key[0], text,
                         {"key": text, "table": spec.sheet_name(lang)})
                   for text in _key_text(wanted[missing], key)]
        rows = found[~missing].astype("int64").to_numpy() - 1  # 0-based
        position = {name: p for p, name in mapping.items()}
        sheet, width = names.index(title), len(grid[0])
        for name in (c for c in frame.columns if c not in key and c != ROW):
            column = spec.column(name)
            if name not in position:  # appended, headed like the schema says
                position[name], width = width, width + 1
                out += value_actions([[column.header(lang)]], sheet, header_at)
                out[-1]["start_column"] = position[name]
            cells = json_cells(column_values(column, frame[~missing], lang), column.type)
            out += [action("setValues", values=[[cell]], sheet=sheet, row=int(row),
                           column=position[name], rows=1, columns=1)
                    for row, cell in zip(rows, cells.tolist(), strict=True)]
    return out, issues


def describe_commands() -> dict[str, Any]:
    """What commands.js needs to read the right sheets without knowing any table:
    each command's tables and the folded sheet names that hold them, and the fold rule."""
    listed = []
    for command in command_list():
        tables = []
        for table, required in _requested(command.inputs, command.optional).items():
            spec = TABLES[table]
            names = sorted({_FOLD.sub("", name).casefold() for name in spec.sheet_names()})
            tables.append({"name": table, "required": required, "sheets": names})
        listed.append({"name": command.name, "label": {"zh": command.zh, "en": command.en},
                       "description": {"zh": command.description_zh,
                                       "en": command.description_en},
                       "tables": tables})
    return {"fold": _FOLD.pattern, "commands": listed}


__all__ = ["BookSheet", "Payload", "describe_commands", "handle", "parse_payload", "read_grids",
           "read_payload", "response", "update_actions"]
