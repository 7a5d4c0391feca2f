"""`xlerp demo` and the pushed-quantity write-back, end to end through the CLI."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from addin.schema import TABLES
from agent.cli import cli

TEMPLATES = Path(str(files("templates")))
INPUTS = ("items", "bom", "warehouses", "unit_conversions", "settings", "stock",
          "sales_orders", "purchase_orders", "production_tasks")


def en(table: str, column: str | None = None) -> str:
    """English sheet name, or header, from the schema."""
    spec = TABLES[table]
    return spec.en if column is None else spec.column(column).en


def label(table: str, column: str, value: str) -> str:
    return TABLES[table].column(column).choice_label(value, "en")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def records(book: openpyxl.Workbook, sheet: str) -> list[dict]:
    """Data rows of a result sheet as {header: value}; Excel keeps one blank row in an
    empty table, which is no record."""
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(
        cell is not None for cell in row)]


def test_demo_plans_the_fan_factory(tmp_path: Path) -> None:
    code, out, err = run("demo", str(tmp_path), "--lang", "en")
    assert code == 0, out + err
    assert "Check BOM: ok" in out and "Run MRP: ok" in out and "Generate tasks: ok" in out
    assert "Reconciliation: " in out and "xlerp-reconcile-en.xlsx" in out
    # the floor: kit issue, backflushed receipt, inspection, subcontract cycle, consigned
    assert "Post documents: ok — 9 documents posted, 0 refused, 22 stock moves" in out
    assert "Progress alerts: ok — 1 alert on 5 tasks (1 overdue," in out
    book = openpyxl.load_workbook(tmp_path / "xlerp-demo-en.xlsx")
    (quality,) = records(book, en("quality_rates"))  # 1,000 inspected: 950 + 30 + 20
    assert (quality[en("quality_rates", "pass_rate")],
            quality[en("quality_rates", "acceptance_rate")]) == (0.95, 0.98)
    moves = records(book, en("stock_moves"))
    flushed = {r[en("stock_moves", "item_code")]: r[en("stock_moves", "qty")] for r in moves
               if r[en("stock_moves", "doc_no")] == "CP-2611-020"}
    assert flushed == {"10.01.0001": 100, "30.03.0001": -400, "30.03.0003": -400}
    error = label("bom_check", "severity", "error")
    findings = records(book, en("bom_check"))
    assert [r for r in findings if r[en("bom_check", "severity")] == error] == []
    planned = records(book, en("planned_orders"))
    kinds = {r[en("planned_orders", "order_type")] for r in planned}
    assert len(planned) > 0
    assert {label("planned_orders", "order_type", k) for k in ("purchase", "production")} <= kinds
    for table in INPUTS:
        assert en(table) in book.sheetnames, table


def test_tasks_twice_pushes_each_order_line_once(tmp_path: Path) -> None:
    book_path = tmp_path / "demo.xlsx"
    shutil.copyfile(TEMPLATES / "demo-en.xlsx", book_path)
    before = openpyxl.load_workbook(book_path)[en("sales_orders")]
    header = [cell.value for cell in before[1]]
    pushed_col = header.index(en("sales_orders", "pushed_qty")) + 1

    code, out, err = run("tasks", str(book_path))
    assert code == 0, out + err
    first = openpyxl.load_workbook(book_path)
    tasks = records(first, en("generated_tasks"))
    assert len(tasks) > 0
    assert out.startswith(f"{len(tasks)} tasks ")
    orders = first[en("sales_orders")]
    # every other cell is as it was; only Pushed qty changed
    assert orders.max_row == before.max_row and orders.max_column == before.max_column
    changed = 0
    for old_row, new_row in zip(before.iter_rows(), orders.iter_rows(), strict=True):
        for old, new in zip(old_row, new_row, strict=True):
            if old.column != pushed_col:
                assert new.value == old.value, new.coordinate
            elif new.value != old.value:
                changed += 1
    # what the new tasks make is exactly what was pushed now
    assert changed > 0
    pushed = records(first, en("sales_order_pushed"))
    assert sum(r[en("sales_order_pushed", "pushed_now")] or 0 for r in pushed) == sum(
        t[en("generated_tasks", "qty")] for t in tasks)

    code, out, err = run("tasks", str(book_path))
    assert code == 0, out + err
    assert out.startswith("No open order lines left to push")
    again = openpyxl.load_workbook(book_path)
    assert records(again, en("generated_tasks")) == tasks  # the first run's list is kept
    assert [[c.value for c in row] for row in again[en("sales_orders")].iter_rows()] == [
        [c.value for c in row] for row in orders.iter_rows()]
