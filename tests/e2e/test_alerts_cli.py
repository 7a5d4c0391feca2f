"""`xlerp alerts` end to end: a small real workbook with documents, and the demo factory.

The subcommand is run through click's CliRunner on its own command object (the lead
wires it into the `xlerp` group)."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import addin.commands.alerts  # noqa: F401  (registers the command until it is wired)
from agent.cli.alerts import alerts

TEMPLATES = Path(str(files("templates")))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(alerts, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _rows(book: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(book)[sheet].iter_rows(values_only=True))


def small_book(make_book) -> Path:
    """T1 makes 100 P by 03-05 (40 in before, 20 posted on R1) and needs 200 A (100 issued
    before) and 100 B (30 on I1); 50 A and 60 B in stock. T2 (20 Q, all in, due 02-20)
    is still open. As of 03-10: T1 5 days late, short 50 A and 40 B; T2 not closed."""
    return make_book({
        "Items": [("Item code", "Item name", "Item type"), ("P", "Pump", "Manufactured"),
                  ("Q", "Valve", "Manufactured"), ("A", "Housing", "Purchased"),
                  ("B", "Seal", "Purchased")],
        "Warehouses": [("Warehouse code", "Warehouse type"), ("W1", "Normal")],
        "Stock": [("Item code", "Warehouse code", "Qty on hand"), ("A", "W1", 50),
                  ("B", "W1", 60)],
        "Production tasks": [("Task no", "Item code", "Qty", "Stocked-in qty", "Start date",
                              "Finish date", "Status"),
                             ("T1", "P", 100, 40, "2026-03-01", "2026-03-05", "Released"),
                             ("T2", "Q", 20, 20, "2026-02-10", "2026-02-20", "Released")],
        "Task materials": [("Task no", "Component code", "Required qty", "Issued qty"),
                           ("T1", "A", 200, 100), ("T1", "B", 100, 0)],
        "Material issues": [("Document no", "Date", "Item code", "Warehouse code", "Qty",
                             "Task no"), ("I1", "2026-03-02", "B", "W1", 30, "T1")],
        "Product receipts": [("Document no", "Date", "Item code", "Warehouse code", "Qty",
                              "Task no"), ("R1", "2026-03-08", "P", "W1", 20, "T1")],
    })


def test_alerts_write_the_alert_and_progress_sheets(make_book) -> None:
    book = small_book(make_book)
    code, out, err = run(str(book), "--as-of", "2026-03-10")
    assert code == 0, err
    assert out.splitlines()[0] == ("4 alerts on 2 tasks (1 overdue, 1 not closed, "
                                   "2 short of material, 0 over-issued)")
    assert f"Wrote {book}" in out
    alerts_sheet = _rows(book, "Production alerts")
    assert alerts_sheet[0][:6] == ("Task no", "Product code", "Component code", "Alert",
                                   "Severity", "Figure")
    assert [r[:6] for r in alerts_sheet[1:]] == [
        ("T1", "P", "A", "Short of material", "Error", 50),
        ("T1", "P", "B", "Short of material", "Error", 40),
        ("T2", "Q", None, "Not closed", "Warning", 18),
        ("T1", "P", None, "Overdue", "Warning", 5)]
    progress = {r[0]: r for r in _rows(book, "Task progress")[1:]}
    assert progress["T1"][7:10] == (60, 0.6, 0.4)  # stocked, completion, (50 % + 30 %) / 2
    written = openpyxl.load_workbook(book)
    assert "Items" in written.sheetnames  # input sheets stay
    dashboard = written["Summary"]
    cells = [r for r in dashboard.iter_rows(values_only=True) if r[0] is not None]
    figures = {r[0]: r[1] for r in cells}
    assert (figures["Production tasks"], figures["Alerts"], figures["of which errors"]) == (
        2, 4, 2)
    assert figures["Average completion %"] == 80  # (60 % + 100 %) / 2
    assert [r[:3] for r in cells if r[0] in ("Overdue", "Short of material")] == [
        ("Overdue", 1, 1), ("Short of material", 2, 1)]
    assert len(dashboard._charts) == 2  # alerts by kind (bar), completion (column)


def test_close_after_days_and_out(make_book) -> None:
    book = small_book(make_book)
    copy = book.with_name("out.xlsx")
    code, _, err = run(str(book), "--as-of", "2026-03-10", "--close-after-days", "30",
                         "--out", str(copy))
    assert code == 0, err
    kinds = [r[3] for r in _rows(copy, "Production alerts")[1:]]
    assert "Not closed" not in kinds
    assert "Production alerts" not in openpyxl.load_workbook(book).sheetnames


def test_alerts_on_the_demo_factory_in_both_languages(tmp_path: Path) -> None:
    for lang, sheet in (("en", "Task progress"), ("zh", "任务进度")):
        book = tmp_path / f"demo-{lang}.xlsx"
        shutil.copyfile(TEMPLATES / f"demo-{lang}.xlsx", book)
        code, _, err = run(str(book), "--as-of", "2026-12-01")
        assert code == 0, err
        assert len(_rows(book, sheet)) > 1


def test_bad_date_and_missing_book(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "x.xlsx"), "--as-of", "tomorrow")
    assert code == 2 and "'tomorrow' does not match the format '%Y-%m-%d'" in err
    missing = tmp_path / "missing.xlsx"
    code, _, err = run(str(missing))
    assert (code, err) == (1, f"Error: {missing} does not exist — check the file name and "
                              "folder\n")
