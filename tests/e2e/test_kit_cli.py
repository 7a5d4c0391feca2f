"""`xlerp kit` end to end on the demo factory and on a small workbook."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from agent.cli import cli

TEMPLATES = Path(str(files("templates")))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_kit_runs_clean_on_the_demo_factory(tmp_path: Path) -> None:
    book = tmp_path / "demo.xlsx"
    shutil.copyfile(TEMPLATES / "demo-en.xlsx", book)
    code, out, err = run("kit", str(book), "--date", "2026-12-01")
    assert code == 0, err
    assert "order lines fully kitted" in out and f"Wrote {book}" in out
    sheets = openpyxl.load_workbook(book)
    kitting = [r for r in sheets["Kitting"].iter_rows(values_only=True)]
    assert kitting[0][:3] == ("Order no", "Line", "Product code")
    assert len(kitting) > 1
    assert sheets["Shortages"]["A1"].value == "Order no"
    assert sheets["Unblocked by receipt"]["A1"].value == "Receipt"
    assert "Items" in sheets.sheetnames  # input sheets stay
    # a second run replaces the result sheets with the same rows
    assert run("kit", str(book), "--date", "2026-12-01")[0] == 0
    again = openpyxl.load_workbook(book)
    assert list(again["Kitting"].iter_rows(values_only=True)) == kitting


def test_kit_orders_and_mode_reach_the_engine(tmp_path: Path) -> None:
    book = tmp_path / "demo.xlsx"
    shutil.copyfile(TEMPLATES / "demo-en.xlsx", book)
    out_book = tmp_path / "out.xlsx"
    code, _, err = run("kit", str(book), "--mode", "receipts", "--orders", "SO-2612-006",
                         "--out", str(out_book))
    assert code == 0, err
    rows = list(openpyxl.load_workbook(out_book)["Kitting"].iter_rows(values_only=True))[1:]
    assert {r[0] for r in rows} == {"SO-2612-006"}
    assert "Kitting" not in openpyxl.load_workbook(book).sheetnames  # BOOK untouched


def test_kit_zh_demo_writes_chinese_sheets(tmp_path: Path) -> None:
    book = tmp_path / "demo.xlsx"
    shutil.copyfile(TEMPLATES / "demo-zh.xlsx", book)
    code, _, err = run("kit", str(book))
    assert code == 0, err
    assert {"齐套分析", "缺料明细", "到货齐套"} <= set(openpyxl.load_workbook(book).sheetnames)


def test_kit_bad_mode_and_missing_book(tmp_path: Path) -> None:
    code, _, err = run("kit", str(tmp_path / "x.xlsx"), "--mode", "all")
    assert code == 2 and "'all' is not one of 'onhand', 'available', 'receipts'" in err
    missing = tmp_path / "missing.xlsx"
    code, _, err = run("kit", str(missing))
    assert (code, err) == (1, f"Error: {missing} does not exist — check the file name and "
                              "folder\n")
