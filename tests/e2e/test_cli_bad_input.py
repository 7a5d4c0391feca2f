"""Bad input through the real CLI: a clear message, exit code ≠ 0, the file untouched."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from agent.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def make_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


ITEMS = [["Item code", "Item name", "Item type"], ["FAN", "Fan", "Manufactured"],
         ["MOTOR", "Motor", "Purchased"]]
BOM = [["Parent code", "Component code", "Qty numerator"], ["FAN", "MOTOR", 1]]


@pytest.fixture
def untouched():
    """Assert after the test body that the file's bytes did not change."""
    watched: list[tuple[Path, bytes]] = []

    def watch(path: Path) -> Path:
        watched.append((path, path.read_bytes()))
        return path

    yield watch
    for path, before in watched:
        assert path.read_bytes() == before, f"{path.name} was modified"


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope.xlsx"))
    assert code == 1
    assert err.startswith("Error: ") and "nope.xlsx" in err


def test_corrupt_file(tmp_path: Path, untouched) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook" * 20)
    untouched(path)
    code, _, err = run("check", str(path))
    assert code == 1
    assert err.startswith("Error: ") and "broken.xlsx" in err


def test_password_protected_file(tmp_path: Path, untouched) -> None:
    # Excel stores encrypted workbooks in an OLE compound file, whatever the extension.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))
    untouched(path)
    code, _, err = run("check", str(path))
    assert code == 1
    assert "password" in err.lower()


def test_empty_workbook_reports_the_missing_sheets(tmp_path: Path, untouched) -> None:
    path = untouched(make_book(tmp_path / "empty.xlsx", {"Sheet1": []}))
    code, _, err = run("plan", str(path))
    assert code == 1
    assert 'The sheet "Items" is missing' in err and 'The sheet "BOM" is missing' in err
    assert "Nothing was written" in err


def test_wrong_headers_name_the_missing_column(tmp_path: Path, untouched) -> None:
    path = untouched(make_book(tmp_path / "headers.xlsx", {
        "Items": [["Code", "Description", "Kind"], ["FAN", "Fan", "Manufactured"]],
        "BOM": BOM}))
    code, _, err = run("plan", str(path))
    assert code == 1
    # "Code" is an alias of the item code; "Description" of the name; "Kind" is unknown.
    assert 'Sheet "Items", row 1, column "Item type": The required column "Item type" is missing' \
        in err


def test_text_in_a_number_column_points_at_the_cell(tmp_path: Path, untouched) -> None:
    path = untouched(make_book(tmp_path / "text.xlsx", {
        "Items": ITEMS, "BOM": [BOM[0], ["FAN", "MOTOR", "1,5"]]}))
    code, _, err = run("plan", str(path))
    assert code == 1
    assert ('Sheet "BOM", row 2, column "Qty numerator": "1,5" is not a number — Enter a '
            "plain number; use a dot as the decimal separator") in err


def test_duplicate_codes_are_reported_with_the_first_row(tmp_path: Path, untouched) -> None:
    path = untouched(make_book(tmp_path / "dup.xlsx", {
        "Items": [*ITEMS, ["FAN", "Fan again", "Manufactured"]], "BOM": BOM}))
    code, _, err = run("plan", str(path))
    assert code == 1
    assert 'Sheet "Items", row 4, column "Item code": Duplicate: FAN already appears in row 2' \
        in err


def test_chinese_workbook_gets_chinese_messages(tmp_path: Path, untouched) -> None:
    path = untouched(make_book(tmp_path / "zh.xlsx", {
        "物料": [["物料编码", "物料名称", "物料属性"], ["FAN", "风扇", "自制"],
               ["M", "电机", "外购"]],
        "BOM": [["父项编码", "子项编码", "用量分子"], ["FAN", "M", "abc"]]}))
    code, _, err = run("plan", str(path))
    assert code == 1
    assert '工作表 "BOM", 第 2 行, 列 "用量分子": 「abc」不是数字' in err
