"""The ribbon's backend: in-process through TestClient, then a real uvicorn server.

Payloads are built from the shipped workbooks read with calamine, in the wire format the
ribbon sends. The actions that come back, replayed onto the same workbook, must give the
same result tables — and the same look — as `xlerp check|plan` on that workbook.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import requests
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from live_server import LiveServer, child_env
from python_calamine import CalamineWorkbook
from replayer import Replayer, header_look

from addin import commands, desktop
from addin.actions import excel_serial
from addin.frontend import run_command
from addin.schema import TABLES
from addin.workbook.read import read_tables
from addin.workbook.summary import summary_layout, write_summary
from agent.cli import cli
from agent.server import auth, create_app, routes_xlwings
from agent.store import Store

ROOT = Path(__file__).resolve().parents[2]
BOOKS = ROOT / "templates"
ADDIN = ROOT / "templates" / "addin"
PLAN = {"date": "2026-12-01", "bucket": "week"}
OPTIONS = {"plan": PLAN, "check": {}, "tasks": {"date": "2026-12-01"}}
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}


# -- helpers ------------------------------------------------------------------------------

def wire_cell(value: object) -> object:
    """A calamine cell as Office.js reports it: dates and times as serial numbers."""
    if isinstance(value, dt.datetime):
        midnight = dt.datetime.combine(value.date(), dt.time())
        return excel_serial(value.date()) + (value - midnight).total_seconds() / 86400
    if isinstance(value, dt.date):
        return excel_serial(value)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


def payload(path: Path, args: dict | None = None) -> dict:
    """Every sheet of the book with its grid from A1, as commands.js sends it."""
    book = CalamineWorkbook.from_path(str(path))
    sheets = [{"name": name,
               "values": [[wire_cell(c) for c in row]
                          for row in book.get_sheet_by_name(name).to_python(
                              skip_empty_area=False)],
               "tables": []}
              for name in book.sheet_names]
    return {"client": "test", "version": "1", "book": {"name": path.name}, "sheets": sheets,
            "args": [args or {}]}


def replay(path: Path, answer: dict, out: Path) -> Replayer:
    book = openpyxl.load_workbook(path)
    replayer = Replayer(book)
    replayer.replay(answer["actions"])
    book.save(out)
    return replayer


def headless(path: Path, name: str, out: Path, options: dict) -> int:
    args = [name, str(path), "--out", str(out)]
    for key, value in options.items():
        args += [f"--{key}", value]
    return CliRunner().invoke(cli, args).exit_code


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "central.db"


@pytest.fixture
def token(db: Path) -> str:
    with Store.open(db) as store:
        auth.ensure_tables(store)
        return auth.create_token(store, "excel-pc", "read")[1]


def ribbon_app(db: Path) -> FastAPI:
    return create_app(db)  # the server mounts the ribbon's routes itself


@pytest.fixture
def client(db: Path, token: str):
    with TestClient(ribbon_app(db), base_url="https://testserver") as test_client:
        yield test_client


def post(client, name: str, body: dict, token: str):
    return client.post(f"/xlwings/{name}", json=body,
                       headers={"Authorization": f"Bearer {token}"})


# -- the same result tables as the CLI --------------------------------------------------------

CASES = [("xlerp-en.xlsx", "plan"), ("xlerp-zh.xlsx", "plan"), ("xlerp-en.xlsx", "check"),
         ("demo-zh.xlsx", "check"), ("demo-broken-en.xlsx", "check"),
         ("demo-en.xlsx", "plan"), ("xlerp-en.xlsx", "tasks"), ("demo-zh.xlsx", "tasks")]


@pytest.mark.parametrize(("book", "name"), CASES)
def test_replayed_actions_give_the_cli_s_result_tables(client, token, tmp_path: Path,
                                                        book: str, name: str) -> None:
    source = BOOKS / book
    options = OPTIONS[name]
    answer = post(client, name, payload(source, options), token).json()
    replayer = replay(source, answer, tmp_path / "ribbon.xlsx")
    code = headless(source, name, tmp_path / "cli.xlsx", options)
    outputs = commands.get(name).outputs
    if code and not (tmp_path / "cli.xlsx").exists():  # the CLI refused: so must the ribbon
        assert not answer["ok"] and replayer.alerts
        assert not any(a["func"] == "setValues" for a in answer["actions"])
        return
    ribbon = read_tables(tmp_path / "ribbon.xlsx", outputs)
    cli_tables = read_tables(tmp_path / "cli.xlsx", outputs)
    assert not ribbon.issues and not cli_tables.issues
    for table in outputs:
        assert ribbon.sheets[table] == cli_tables.sheets[table]
        pd.testing.assert_frame_equal(ribbon.tables[table], cli_tables.tables[table])
        assert len(ribbon.tables[table]) == len(cli_tables.tables[table])
    # input sheets too: a command's write-back (tasks: Pushed qty) lands the same way
    command = commands.get(name)
    inputs = [*command.inputs, *command.optional]
    ribbon, cli_tables = (read_tables(tmp_path / f, inputs).tables
                          for f in ("ribbon.xlsx", "cli.xlsx"))
    for table in inputs:
        pd.testing.assert_frame_equal(ribbon[table], cli_tables[table], obj=table)


@pytest.mark.parametrize(("book", "name"), [("xlerp-en.xlsx", "plan"),
                                            ("demo-broken-en.xlsx", "check")])
def test_result_sheets_look_like_the_cli_s(client, token, tmp_path: Path, book: str,
                                           name: str) -> None:
    source = BOOKS / book
    options = PLAN if name == "plan" else {}
    answer = post(client, name, payload(source, options), token).json()
    replay(source, answer, tmp_path / "ribbon.xlsx")
    headless(source, name, tmp_path / "cli.xlsx", options)
    ribbon = openpyxl.load_workbook(tmp_path / "ribbon.xlsx")
    cli_book = openpyxl.load_workbook(tmp_path / "cli.xlsx")
    for table in commands.get(name).outputs:
        title = TABLES[table].sheet_name("en")
        mine, theirs = ribbon[title], cli_book[title]
        ncols = len(TABLES[table].columns)
        assert header_look(mine, ncols) == header_look(theirs, ncols)
        assert mine.freeze_panes == theirs.freeze_panes == "A2"
        assert [t.ref for t in mine.tables.values()] == [t.ref for t in theirs.tables.values()]
        assert list(mine.tables) == list(theirs.tables) == [f"xlerp_{table}"]
        for column, spec in enumerate(TABLES[table].columns, start=1):
            letter = openpyxl.utils.get_column_letter(column)
            assert (mine.column_dimensions[letter].width
                    == theirs.column_dimensions[letter].width), (table, spec.name)
            if spec.type in ("text", "choice"):  # Excel must keep codes as text: "@"
                assert mine.cell(2, column).number_format in ("@", "General")
                continue
            for row in range(2, min(mine.max_row, 30) + 1):
                assert (mine.cell(row, column).number_format
                        == theirs.cell(row, column).number_format), (table, spec.name, row)
        for row in range(2, min(theirs.max_row, 60) + 1):  # severity and past-due fills
            assert (mine.cell(row, 1).fill.fgColor.rgb[-6:]
                    == theirs.cell(row, 1).fill.fgColor.rgb[-6:]), (table, row)


def test_the_summary_sheet_matches_the_headless_rendering(client, token,
                                                          tmp_path: Path) -> None:
    source = BOOKS / "xlerp-en.xlsx"
    answer = post(client, "plan", payload(source, PLAN), token).json()
    replayer = replay(source, answer, tmp_path / "ribbon.xlsx")
    command = commands.get("plan")
    outcome = run_command("plan", read_tables(source, command.inputs, command.optional), PLAN)
    book = openpyxl.load_workbook(source)
    write_summary(book, summary_layout(outcome))
    book.save(tmp_path / "headless.xlsx")
    ribbon = openpyxl.load_workbook(tmp_path / "ribbon.xlsx")
    mine = ribbon["Summary"]
    theirs = openpyxl.load_workbook(tmp_path / "headless.xlsx")["Summary"]
    assert replayer.active == ribbon.sheetnames.index("Summary")
    grid = [[c.value for c in row] for row in mine.iter_rows(max_col=4)]
    assert grid == [[c.value for c in row] for row in theirs.iter_rows(max_col=4)]
    assert grid[0][0] == "xlerp · Run MRP"
    # 8 planned orders: 4 purchases worth 70 × 2.50 + 60 × 25 + 780 × 0.02 + 200 × 0.02
    # = 175 + 1500 + 15.6 + 4 = 1694.60, all released in the week of Monday 2026-11-30
    figures = {row[0]: row[1] for row in grid[4:13]}
    assert figures["Planned orders"] == 8 and figures["Planned purchase amount"] == 1694.6
    assert [ch.anchor._from.row + 1 for ch in mine._charts] == [4, 22]


def test_tasks_write_the_pushed_quantities_back_or_nothing(client, token,
                                                          tmp_path: Path) -> None:
    source = BOOKS / "xlerp-en.xlsx"
    answer = post(client, "tasks", payload(source, OPTIONS["tasks"]), token).json()
    replay(source, answer, tmp_path / "ribbon.xlsx")
    orders = read_tables(tmp_path / "ribbon.xlsx", ["sales_orders"]).tables["sales_orders"]
    # the template's two open lines: SO-0001-1 (50) and SO-0002-1 (2) are pushed in full
    assert orders.set_index("order_no")["pushed_qty"].to_dict() == {"SO-0001": 50.0,
                                                                    "SO-0002": 2.0}
    again = post(client, "tasks", payload(tmp_path / "ribbon.xlsx", OPTIONS["tasks"]),
                 token).json()
    assert again["ok"] and again["messages"][0].startswith("No open order lines left to push")
    assert not [a for a in again["actions"] if a["func"] in ("addSheet", "clear")]
    # a book whose Pushed qty header was renamed gets the column appended, as the CLI does
    body = payload(source, OPTIONS["tasks"])
    sheet = next(s for s in body["sheets"] if s["name"] == "Sales orders")
    header = next(row for row in sheet["values"] if "Order no" in row)
    header[header.index("Pushed qty")] = "Pushed qty (old)"
    answer = post(client, "tasks", body, token).json()
    funcs = {a["func"] for a in answer["actions"]}
    assert answer["ok"] and "addSheet" in funcs  # a missing column is appended, not an error
    appended = [a for a in answer["actions"] if a["func"] == "setValues"
                and a["values"] == [["Pushed qty"]]]
    assert len(appended) == 1 and appended[0]["start_column"] == len(header)


def test_a_second_run_replaces_its_sheets_in_place(client, token, tmp_path: Path) -> None:
    source = BOOKS / "xlerp-en.xlsx"
    first = post(client, "plan", payload(source, PLAN), token).json()
    replay(source, first, tmp_path / "once.xlsx")
    body = payload(tmp_path / "once.xlsx", PLAN)
    for sheet in body["sheets"]:  # the ribbon also names each sheet's Excel Tables
        ws = openpyxl.load_workbook(tmp_path / "once.xlsx")[sheet["name"]]
        sheet["tables"] = list(ws.tables)
    again = post(client, "plan", body, token).json()
    funcs = [a["func"] for a in again["actions"]]
    assert "addSheet" not in funcs and funcs.count("sheetClear") == 5  # 4 results + Summary
    replay(tmp_path / "once.xlsx", again, tmp_path / "twice.xlsx")
    assert (openpyxl.load_workbook(tmp_path / "twice.xlsx").sheetnames
            == openpyxl.load_workbook(tmp_path / "once.xlsx").sheetnames)


def test_both_clients_replay_every_action_the_server_sends(client, token) -> None:
    funcs = set()
    for book, name in (("xlerp-en.xlsx", "plan"), ("demo-broken-en.xlsx", "check")):
        answer = post(client, name, payload(BOOKS / book, OPTIONS[name]), token).json()
        funcs |= {a["func"] for a in answer["actions"]}
    funcs.add("sheetClear")  # sent on a second run (see the test above)
    script = (ADDIN / "commands.js").read_text(encoding="utf-8")
    handlers = set(re.findall(r"^    (?:async )?(\w+)\(sheets, action", script, re.M))
    assert funcs - {"alert"} <= handlers, funcs - handlers
    assert funcs <= set(desktop.HANDLERS), funcs - set(desktop.HANDLERS)
    assert {"setValues", "addTable", "addChart", "addConditionalFormat", "alert"} <= funcs


# -- bad input: a readable alert, never a stack trace --------------------------------------

def alert_text(answer: dict) -> str:
    alerts = [a for a in answer["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and not answer["ok"]
    assert "Traceback" not in alerts[0]["args"][0]
    return alerts[0]["args"][0]


def test_a_missing_sheet_is_an_alert(client, token) -> None:
    body = payload(BOOKS / "xlerp-en.xlsx", PLAN)
    body["sheets"] = [s for s in body["sheets"] if s["name"] != "Items"]
    text = alert_text(post(client, "plan", body, token).json())
    assert 'Sheet "Items": The sheet "Items" is missing' in text
    assert text.endswith("Nothing was written: fix the errors above and run again.")


def test_renamed_and_merged_header_cells_are_an_alert(client, token) -> None:
    body = payload(BOOKS / "xlerp-en.xlsx", PLAN)
    bom = next(s for s in body["sheets"] if s["name"] == "BOM")
    header = next(i for i, row in enumerate(bom["values"]) if "Parent code" in row)
    row = bom["values"][header]
    row[row.index("Parent code")] = "Mother item"       # renamed
    row[row.index("Component code")] = ""               # merged into its left neighbour
    text = alert_text(post(client, "plan", body, token).json())
    assert f'Sheet "BOM", row {header + 1}, column "Parent code": The required column ' \
           '"Parent code" is missing' in text
    assert 'column "Component code"' in text


def test_a_bad_option_and_a_non_workbook_are_alerts(client, token) -> None:
    body = payload(BOOKS / "xlerp-en.xlsx", {"date": "31/12/2026"})
    assert alert_text(post(client, "plan", body, token).json()) == \
        "date '31/12/2026' is not a date; use the form 2026-01-31"
    text = alert_text(post(client, "plan", {"sheets": "Items"}, token).json())
    assert text.startswith("the request is not an xlwings payload")
    text = alert_text(post(client, "plan", {"sheets": [{"name": "Items",
                                                       "values": [[{"x": 1}]]}]}, token).json())
    assert "neither text, number" in text


def test_protocol_errors_are_http_errors(client, token) -> None:
    assert post(client, "launch", {"sheets": []}, token).status_code == 404
    answer = client.post("/xlwings/plan", content=b"{not json",
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400 and "not JSON" in answer.json()["detail"]
    assert client.post("/xlwings/plan", json={"sheets": []}).status_code == 401


# -- the add-in's files ------------------------------------------------------------------------

def manifest_urls(text: str) -> list[str]:
    return sorted(set(re.findall(r'(?:DefaultValue="|<AppDomain>)(https?://[^"<]+)', text)))


def test_the_manifest_is_served_with_this_server_s_url(client) -> None:
    answer = client.get("/addin/manifest.xml")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/xml")
    assert routes_xlwings.DEV_URL not in answer.text
    urls = manifest_urls(answer.text)
    assert urls and all(u.startswith("https://testserver/") or u == "https://testserver"
                        for u in urls)
    for url in urls:
        if url != "https://testserver":
            assert client.get(url.removeprefix("https://testserver")).status_code == 200, url


def test_only_the_add_in_s_own_files_are_served(client) -> None:
    assert client.get("/addin/commands.js").headers["content-type"].startswith(
        "text/javascript")
    assert client.get("/addin/check-80.png").content.startswith(b"\x89PNG")
    for path in ("make_icons.py", "__init__.py", "..%2F..%2Fpyproject.toml", "nope.png"):
        assert client.get(f"/addin/{path}").status_code == 404, path


def test_cors_admits_office_origins_only(client) -> None:
    def preflight(origin: str):
        return client.options("/xlwings/plan", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
    office = preflight("https://excel.officeapps.live.com")
    assert office.headers["access-control-allow-origin"] == "https://excel.officeapps.live.com"
    assert "access-control-allow-origin" not in preflight("https://evil.example").headers


def test_every_button_is_a_command_and_every_command_has_a_button() -> None:
    root = ET.parse(ADDIN / "manifest.xml").getroot()
    names = [e.text for e in root.iter(f"{{{NS['ov']}}}FunctionName")]
    # the Reports menu: one item per report of the report command ("all" is `report`)
    from addin.commands.report import REPORTS
    reports = [f"report_{name.replace('-', '_')}" for name in REPORTS if name != "all"]
    assert sorted(names) == sorted([c.name for c in commands.all_commands()] + reports)
    resids = {e.get("id") for e in root.iter() if e.get("id") and e.tag.startswith("{" + NS[
        "bt"])}
    used = {e.get("resid") for e in root.iter() if e.get("resid")}
    assert used <= resids and all(len(r) <= 32 for r in resids)


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint is not installed "
                    "(apt-get install libxml2-utils)")
def test_the_manifest_is_well_formed_xml() -> None:
    subprocess.run(["xmllint", "--noout", str(ADDIN / "manifest.xml")], check=True)


TOOL = ROOT / "node_modules" / ".bin" / "office-addin-manifest"


@pytest.mark.skipif(not TOOL.exists(), reason="office-addin-manifest is not installed "
                    "(npm ci)")
def test_office_addin_manifest_parses_the_manifest() -> None:
    done = subprocess.run([str(TOOL), "info", str(ADDIN / "manifest.xml")], capture_output=True,
                          text=True, timeout=120, env={**child_env(), "CI": "1"})
    assert done.returncode == 0, done.stderr
    assert "3c8b6a52-6f0e-4d8e-9b1a-4f2d7c9e0a15" in done.stdout


def test_the_icons_are_the_script_s_drawing() -> None:
    sys.path.insert(0, str(ADDIN))
    try:
        import make_icons
    finally:
        sys.path.remove(str(ADDIN))
    for name, data in make_icons.icon_files().items():
        assert (ADDIN / name).read_bytes() == data, name
        size = int(name.rsplit("-", 1)[1].removesuffix(".png"))
        assert data[16:24] == size.to_bytes(4, "big") * 2  # IHDR width, height


# -- a real uvicorn server ---------------------------------------------------------------------

@pytest.fixture
def live(db: Path, token: str):
    """A real `xlerp serve` (which mounts the ribbon routes) on a free loopback port."""
    server = LiveServer(db).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_real_server_runs_the_ribbon(live: str, token: str, tmp_path: Path) -> None:
    source = BOOKS / "xlerp-en.xlsx"
    headers = {"Authorization": f"Bearer {token}"}
    answer = requests.post(f"{live}/xlwings/plan", json=payload(source, PLAN),
                           headers=headers, timeout=60)
    assert answer.status_code == 200 and answer.json()["ok"]
    replay(source, answer.json(), tmp_path / "ribbon.xlsx")
    headless(source, "plan", tmp_path / "cli.xlsx", PLAN)
    outputs = commands.get("plan").outputs
    ribbon = read_tables(tmp_path / "ribbon.xlsx", outputs).tables
    cli_tables = read_tables(tmp_path / "cli.xlsx", outputs).tables
    for table in outputs:
        pd.testing.assert_frame_equal(ribbon[table], cli_tables[table])
    manifest = requests.get(f"{live}/addin/manifest.xml", timeout=10).text
    for url in manifest_urls(manifest):
        assert url.startswith(live)
        if url != live:
            assert requests.get(url, timeout=10).status_code == 200, url


def big_payload(rows: int) -> dict:
    """A book whose Sales orders sheet has `rows` lines on the shipped template's items."""
    body = payload(BOOKS / "xlerp-en.xlsx", PLAN)
    orders = next(s for s in body["sheets"] if s["name"] == "Sales orders")
    header = next(row for row in orders["values"] if "Order no" in row)
    index = {name: header.index(name) for name in ("Order no", "Line", "Item code", "Qty",
                                                     "Due date")}
    numbers = np.arange(rows)
    grid = np.full((rows, len(header)), "", dtype=object)
    grid[:, index["Order no"]] = [f"SO-{n:06d}" for n in numbers]
    grid[:, index["Line"]] = 1
    grid[:, index["Item code"]] = "FAN-01"
    grid[:, index["Qty"]] = (numbers % 7 + 1).tolist()
    grid[:, index["Due date"]] = (excel_serial(dt.date(2026, 12, 14)) + numbers % 90).tolist()
    orders["values"] = [header, *grid.tolist()]
    return body


def test_a_bad_cell_among_100k_rows_is_one_alert_line(client, token) -> None:
    body = big_payload(100_000)
    orders = next(s for s in body["sheets"] if s["name"] == "Sales orders")
    header = next(i for i, row in enumerate(orders["values"]) if "Order no" in row)
    qty = orders["values"][header].index("Qty")
    orders["values"][header + 1 + 50_000][qty] = "lots"  # data row 50,001
    text = alert_text(post(client, "plan", body, token).json())
    # the header is Excel row header + 1, so data row 50,001 is row header + 50,002
    assert text.startswith(f'Sheet "Sales orders", row {header + 50_002}, column "Qty": '
                           '"lots" is not a number')


def test_a_100k_row_payload_is_planned_on_a_real_server(live: str, token: str) -> None:
    # Its speed is measured by tests/bench/bench_ribbon.py, not asserted here.
    answer = requests.post(f"{live}/xlwings/plan", json=big_payload(100_000), timeout=300,
                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text[:500]
    assert "dur=" in answer.headers["Server-Timing"]
    result = answer.json()
    assert result["ok"], result["messages"][:5]
    # 100k order lines of one product: pegging has 700k rows (each order pegs 7 items)
    assert len([a for a in result["actions"] if a["func"] == "setValues"]) > 90
