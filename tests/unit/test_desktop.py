"""Desktop Excel through xlwings, against a faithful fake of the xlwings subset it uses
(tests/unit/fake_xlwings.py): the same result tables as the headless path, written in
place with the same look; the Control sheet; message boxes; the worksheet functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from fake_xlwings import Book, Caller
from python_calamine import CalamineWorkbook

from addin import commands, desktop
from addin.errors import UsageError
from addin.headless import run_on_file
from addin.officejs import BookSheet, Payload, read_grids
from addin.schema import TABLES
from addin.workbook.read import read_tables
from agent.cli import cli

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "xlerp-en.xlsx"
PLAN = {"date": "2026-12-01", "bucket": "week"}


def excel_cell(value: object) -> object:
    """A calamine cell as Excel holds it: numbers are floats, dates datetimes."""
    if value == "":
        return None
    if isinstance(value, bool | dt.datetime):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return value


def fake_book(path: Path = TEMPLATE) -> Book:
    workbook = CalamineWorkbook.from_path(str(path))
    sheets = {name: [[excel_cell(c) for c in row] for row in
                     workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)]
              for name in workbook.sheet_names}
    return Book(path.name, sheets)


def tables_of(book: Book, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Read result sheets back from the fake exactly as the adapter reads input sheets."""
    payload = Payload(book.name, tuple(BookSheet(s.name, desktop.grid(s)) for s in book.sheets),
                      {})
    read = read_grids(payload, names)
    assert not read.issues, [i.located() for i in read.issues]
    return read.tables


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[Book, dict]:
    book = fake_book()
    answer = desktop.run("plan", book, PLAN)
    return book, answer


def test_run_writes_the_headless_result_tables_in_place(planned, tmp_path: Path) -> None:
    book, answer = planned
    assert answer["ok"] and not book.app.alerts  # a clean run shows no message box
    outputs = commands.get("plan").outputs
    out = run_on_file(TEMPLATE, "plan", PLAN, out=tmp_path / "cli.xlsx").written
    expected = read_tables(out, outputs).tables
    got = tables_of(book, outputs)
    for table in outputs:
        pd.testing.assert_frame_equal(got[table], expected[table])
    names = book.sheets.names
    inputs = CalamineWorkbook.from_path(str(TEMPLATE)).sheet_names
    assert names[:len(inputs)] == inputs  # the input sheets stay first, in their order
    assert names[len(inputs):] == ["Planned orders", "MRP record", "Pegging", "Exceptions",
                                   "Summary"]
    assert book.sheets.active.name == "Summary"


def test_result_sheets_get_the_writer_s_look(planned) -> None:
    book, _ = planned
    sheet = book.sheets["Planned orders"]
    spec = TABLES["planned_orders"]
    assert sheet.fills[(1, 1)] == "#1F4E78" and sheet.fonts[(1, 1)] == {
        "bold": True, "color": "#FFFFFF"}
    assert sheet.alignment[(1, 1)] == {"horizontal": "center", "vertical": "center",
                                       "wrap": True}
    assert sheet.freeze_panes.frozen == "1:1"
    (table,) = list(sheet.tables)
    # 8 planned orders under the header: A1 to the 16th column (P), row 9
    assert (table.name, table.range.address, table.table_style) == (
        "xlerp_planned_orders", "$A$1:$P$9", "TableStyleMedium2")
    release = spec.column_names.index("release_date") + 1
    assert sheet.formats[(2, release)] == "yyyy-mm-dd"
    assert isinstance(sheet.cells[(2, release)], float)  # a serial number, shown as a date
    assert sheet.formats[(2, 1)] == "@"  # codes stay text
    past_due = [r for r in range(2, 10) if sheet.fills.get((r, 1)) == "#FFC7CE"]
    assert past_due == [2, 4, 7, 8]  # PL00001, 3, 6 and 7 are past due (see the template)
    summary = book.sheets["Summary"]
    assert [c.chart_type for c in summary.charts] == ["column_clustered", "bar_clustered"]
    assert [c.category_axis.reverse_order for c in summary.charts] == [False, True]
    assert not any(c.legend.visible for c in summary.charts)
    assert summary.charts._items[1].source.address == "$C$22:$C$25"  # 4 shortages
    assert summary.cells[(1, 1)] == "xlerp · Run MRP"


def test_a_second_run_reuses_its_sheets_tables_and_charts(planned) -> None:
    book, _ = planned
    before = book.sheets.names
    desktop.run("plan", book, PLAN)
    assert book.sheets.names == before
    results = ["Planned orders", "MRP record", "Pegging", "Exceptions"]
    assert [len(book.sheets[n].tables) for n in results] == [1, 1, 1, 1]
    assert len(book.sheets["Summary"].charts) == 2


def test_generated_tasks_write_the_pushed_quantities_back_in_place() -> None:
    book = fake_book()
    answer = desktop.run("tasks", book, {"date": "2026-12-01"})
    assert answer["ok"], answer["messages"]
    orders = tables_of(book, ("sales_orders",))["sales_orders"]
    # the template's open lines SO-0001-1 (50) and SO-0002-1 (2) are pushed in full
    assert orders.set_index("order_no")["pushed_qty"].to_dict() == {"SO-0001": 50.0,
                                                                    "SO-0002": 2.0}
    again = desktop.run("tasks", book, {"date": "2026-12-01"})
    assert again["messages"][0].startswith("No open order lines")  # nothing pushed twice


def test_text_that_excel_would_change_is_written_as_text() -> None:
    book = fake_book()
    items = book.sheets["Items"]
    header = next(r for r in range(1, 10) if items.cells.get((r, 1)) == "Item code")
    items.range((header + 1, 1)).value = "=1+1"  # a user typed a formula as item code
    items.cells[(header + 1, 1)] = "=1+1"           # and Excel kept it as text
    desktop.run("check", book)
    sheet = book.sheets["Low-level codes"]
    codes = [sheet.cells.get((r, 1)) for r in range(2, 8)]
    assert "=1+1" in codes and not sheet.formulas


def test_bad_input_is_a_message_box_and_nothing_is_written() -> None:
    book = fake_book()
    book.sheets._items = [s for s in book.sheets if s.name != "Items"]
    before = book.sheets.names
    answer = desktop.run("plan", book, PLAN)
    assert not answer["ok"] and book.sheets.names == before
    (alert,) = book.app.alerts
    assert alert["title"] == "Run MRP" and alert["mode"] == "critical"
    assert alert["prompt"].startswith('Sheet "Items": The sheet "Items" is missing')
    other = fake_book()
    answer = desktop.run("plan", other, {"bucket": "fortnight"})
    assert [a["prompt"] for a in other.app.alerts] == answer["messages"] == [
        "bucket 'fortnight' is not one of day, week, month, period"]


def test_main_runs_what_the_control_sheet_says(monkeypatch) -> None:
    book = fake_book()
    control = book.sheets.add("控制台", after=book.sheets[-1])
    control.range("A1").value = [["选项", "值"], ["命令", "运行MRP"],
                                 ["计划日期", dt.datetime(2026, 12, 1)], ["时段", "周"]]
    monkeypatch.setattr(desktop.xw.Book, "caller", classmethod(lambda cls: book))
    desktop.main()  # the value is passed on as typed; the command names the problem
    assert book.app.alerts.pop()["prompt"].startswith("bucket '周' is not one of")
    control.range("B4").value = "week"
    desktop.main()
    assert "Planned orders" in book.sheets.names and not book.app.alerts
    assert desktop.control_options(book) == ("plan", {"date": "2026-12-01", "bucket": "week"})


def test_the_first_run_main_adds_the_control_sheet(monkeypatch) -> None:
    book = fake_book()
    monkeypatch.setattr(desktop.xw.Book, "caller", classmethod(lambda cls: book))
    desktop.main()
    (alert,) = book.app.alerts
    assert alert["mode"] == "info" and alert["prompt"].startswith('A "Control" sheet was added')
    control = book.sheets["Control"]
    assert book.sheets.active is control and control.fills[(1, 1)] == "#1F4E78"
    assert [control.cells.get((r, 1)) for r in range(1, 8)] == [
        "Option", "Command", "Planning date", "Bucket", "Language", "BOM as of", "Orders"]
    assert control.cells[(2, 2)] == "Run MRP"
    # every registered command, in the order a planner works (frontend.command_list)
    assert control.cells[(2, 4)] == (
        "Commands: Check BOM (check), Run MRP (plan), Generate tasks (tasks), Kitting (kit), "
        "Post documents (post), Progress alerts (alerts), Costing (cost), Match invoices "
        "(match), Reports (report), Suggestions (suggest)")
    desktop.main()  # now it runs Run MRP, with today's date: results, no message box
    assert "Planned orders" in book.sheets.names and len(book.app.alerts) == 1
    with pytest.raises(UsageError, match=r"plan \(Run MRP / 运行MRP\)"):
        desktop.resolve_command("launch")
    assert desktop.resolve_command(" Check BOM ") == "check"


def test_shortage_rules_are_excel_rules_on_windows(monkeypatch) -> None:
    monkeypatch.setattr(desktop.sys, "platform", "win32")
    book = fake_book()
    desktop.run("plan", book, PLAN)
    rules = book.sheets["MRP record"].conditions
    # projected available (H) below safety stock (L) in red, a net requirement in yellow;
    # Excel colours are BGR: FFC7CE -> 0xCEC7FF
    assert [(r.address, r.formula, r.Interior.Color) for r in rules] == [
        ("$H$2:$H$11", "=AND(ISNUMBER(H2),ISNUMBER(L2),H2<L2)", 0xCEC7FF),
        ("$I$2:$I$11", "=AND(ISNUMBER(I2),I2>0)", 0x9CEBFF)]


# -- worksheet functions ----------------------------------------------------------------------

def kit_book(loss_on_c: float = 0.0) -> Book:
    """DOMAIN §5: P = 2 A + 1 B + 4 C; on hand A 50, B 30, C 90."""
    return Book("kit.xlsx", {
        "Items": [["Item code", "Item name", "Item type"], ["P", "Product", "Manufactured"],
                  ["A", "a", "Purchased"], ["B", "b", "Purchased"], ["C", "c", "Purchased"]],
        "BOM": [["Parent code", "Component code", "Qty numerator", "Variable loss rate"],
                ["P", "A", 2.0, None], ["P", "B", 1.0, None], ["P", "C", 4.0, loss_on_c]],
        "Stock": [["Item code", "Warehouse code", "Qty on hand"], ["A", "WH", 50.0],
                  ["B", "WH", 30.0], ["C", "WH", 90.0]],
        "Allocations": [["Item code", "Qty"], ["A", 10.0]],
        "Purchase orders": [["PO no", "Item code", "Qty", "Due date"],
                            ["PO1", "A", 20.0, dt.datetime(2026, 12, 10)]],
    })


def test_canbuild_follows_the_domain_example() -> None:
    desktop._CACHE.clear()
    caller = Caller(kit_book().sheets["Items"])
    # A: 50 − 10 allocated = 40 → 20 sets; B: 30 sets; C: 90 ÷ 4 = 22.5 → 22 sets.
    # On 12-10 the PO brings A to 60 → 30 sets, so C's 22 still sets the minimum.
    assert desktop.XLERP_CANBUILD("P", "2026-12-01", caller) == 20
    assert desktop.XLERP_CANBUILD("P", dt.datetime(2026, 12, 10), caller) == 22
    desktop._CACHE.clear()
    lossy = Caller(kit_book(loss_on_c=0.05).sheets["Items"])
    # 5 % loss on C: 90 ÷ 4.2 = 21.4 → 21 sets
    assert desktop.XLERP_CANBUILD("P", 46366.0, lossy) == 21  # 46366 is 2026-12-10
    # bought, no BOM: its own availability, 50 − 10 allocated + 20 due
    assert desktop.XLERP_CANBUILD("A", "2026-12-10", lossy) == 60


def test_available_is_stock_less_allocations_plus_receipts_due() -> None:
    desktop._CACHE.clear()
    caller = Caller(kit_book().sheets["Items"])
    assert desktop.XLERP_AVAILABLE("A", "2026-12-09", caller) == 40  # 50 − 10
    assert desktop.XLERP_AVAILABLE("A", "2026-12-10", caller) == 60  # + PO1's 20
    assert desktop.XLERP_AVAILABLE("Z", "2026-12-10", caller) == 0


# -- xlerp desktop-setup ------------------------------------------------------------------------

def test_desktop_setup_writes_the_workbook_s_module_and_the_steps(tmp_path: Path) -> None:
    book = tmp_path / "plan_2026.xlsx"
    book.write_bytes(TEMPLATE.read_bytes())
    done = CliRunner().invoke(cli, ["desktop-setup", str(book)])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Wrote plan_2026.py beside plan_2026.xlsx.")
    assert '"UDF Modules" to plan_2026' in done.output
    namespace: dict = {}
    exec((tmp_path / "plan_2026.py").read_text(encoding="utf-8"), namespace)
    assert namespace["main"] is desktop.main
    assert namespace["XLERP_CANBUILD"] is desktop.XLERP_CANBUILD
    assert {"check", "plan", "tasks"} <= set(namespace["__all__"])
    assert book.read_bytes() == TEMPLATE.read_bytes()  # the workbook is left alone
    again = CliRunner().invoke(cli, ["desktop-setup", str(book)])
    assert again.exit_code == 1 and "use --force to replace it" in again.output
    assert CliRunner().invoke(cli, ["desktop-setup", "--force", str(book)]).exit_code == 0


def test_desktop_setup_refuses_a_name_python_cannot_import(tmp_path: Path) -> None:
    book = tmp_path / "plan 2026.xlsx"
    book.write_bytes(TEMPLATE.read_bytes())
    done = CliRunner().invoke(cli, ["desktop-setup", str(book)])
    assert done.exit_code == 1
    assert 'Error: xlwings imports a module named like the workbook, and "plan 2026"' in \
        done.output
    missing = CliRunner().invoke(cli, ["desktop-setup", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
