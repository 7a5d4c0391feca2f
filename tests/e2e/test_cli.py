"""The CLI end to end on the shipped workbooks, results read back with openpyxl."""

from __future__ import annotations

import json
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


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


def test_every_subcommand_has_help() -> None:
    for name, command in cli.commands.items():
        code, out, _ = run(name, "--help")
        assert code == 0, name
        assert command.help and out.startswith("Usage: "), name


def test_new_then_check_a_template_is_clean(tmp_path: Path) -> None:
    book = tmp_path / "plan.xlsx"
    assert run("new", str(book), "--lang", "zh")[0] == 0
    code, out, err = run("check", str(book))
    assert code == 0, err
    assert f"Wrote {book}" in out
    rows = sheet_rows(book, "BOM检查")
    assert rows[0][:3] == ("级别", "工作表", "行")
    assert all(set(row) == {None} for row in rows[1:])  # no findings
    levels = sheet_rows(book, "低层码")
    assert levels[0] == ("物料编码", "物料名称", "物料属性", "低层码")
    assert max(r[3] for r in levels[1:]) >= 1
    # The input sheets are still there, untouched by the check.
    assert "物料" in openpyxl.load_workbook(book).sheetnames


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    book = tmp_path / "plan.xlsx"
    book.write_bytes(b"mine")
    code, _, err = run("new", str(book))
    assert code == 1
    assert err == f"Error: {book} already exists — choose another name or add --force\n"
    assert book.read_bytes() == b"mine"


def test_check_finds_every_planted_error_of_the_broken_demo(tmp_path: Path) -> None:
    book = tmp_path / "broken.xlsx"
    shutil.copyfile(TEMPLATES / "demo-broken-en.xlsx", book)
    manifest = json.loads((TEMPLATES / "demo-broken.json").read_text(encoding="utf-8"))
    code, _, _ = run("check", str(book))
    assert code == 1
    rows = sheet_rows(book, "BOM Check")
    header, body = rows[0], rows[1:]
    found = {(r[header.index("Sheet")], r[header.index("Row")], r[header.index("Code")]): r
             for r in body}
    for planted in manifest["planted"]:
        key = (planted["sheet"], planted["row"], planted["code"])
        assert key in found, f"not found: {planted}"
        row = found[key]
        assert row[header.index("How to fix")], f"no fix hint for {planted}"
        assert row[header.index("Severity")] == planted["severity"].capitalize()
    expected = {(p["sheet"], p["row"], p["code"])
                for p in manifest["planted"] + manifest["incidental"]}
    assert set(found) == expected  # nothing else is reported


def test_check_out_leaves_the_book_untouched(tmp_path: Path) -> None:
    book = tmp_path / "demo.xlsx"
    shutil.copyfile(TEMPLATES / "demo-en.xlsx", book)
    before = book.read_bytes()
    code, _, err = run("check", str(book), "--out", str(tmp_path / "result.xlsx"))
    assert code == 0, err
    assert book.read_bytes() == before
    assert "BOM Check" in openpyxl.load_workbook(tmp_path / "result.xlsx").sheetnames


def test_generate_writes_a_workbook_that_checks_clean(tmp_path: Path) -> None:
    book = tmp_path / "gen.xlsx"
    code, out, err = run("generate", "--items", "200", "--out", str(book))
    assert code == 0, err
    assert "items 200" in out
    code, out, err = run("check", str(book))
    assert code == 0, err
    levels = sheet_rows(book, "Low-level codes")
    assert max(r[3] for r in levels[1:]) == 4  # five levels: 0..4
