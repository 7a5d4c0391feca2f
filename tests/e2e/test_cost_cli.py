"""`xlerp cost` end to end on small workbooks: actual costing and the standard roll-up."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from costing_books import TWO_LEVEL

from agent.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _rows(book: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(book)[sheet].iter_rows(values_only=True))


def test_actual_costing_writes_allocation_and_finished_vs_wip(make_book) -> None:
    """The DOMAIN example through a workbook: DM 50,000 on the cost object, DL 20,000 and
    OH 7,200 pools of its centre; 800 finished, 200 WIP at 50 % → finished 64,177.78,
    WIP 13,022.22."""
    book = make_book({
        "Cost objects": [("Cost object", "Cost centre", "Period", "Completed qty",
                          "Direct material"), ("T1", "W1", "2026-11", 800, 50000)],
        "WIP": [("Cost object", "WIP qty", "Completion"), ("T1", 200, 0.5)],
        "Cost pools": [("Cost centre", "Period", "Cost element", "Amount", "Basis"),
                       ("W1", "2026-11", "Direct labour", 20000, "Completed qty × coefficient"),
                       ("W1", "2026-11", "Overhead", 7200, "quantity")],
    })
    code, out, err = run("cost", str(book))
    assert code == 0, err
    assert "1 cost objects: finished 64,177.78, WIP 13,022.22" in out
    rows = _rows(book, "Finished and WIP")
    assert rows[0][:2] == ("Cost object", "Cost element")
    total = next(r for r in rows if r[1] == "Total")
    assert total[7:9] == (13022.22, 64177.78)
    assert [r[7] for r in _rows(book, "Cost allocation")[1:]] == [20000, 7200]


def test_standard_roll_up(make_book) -> None:
    """P = 3 A at 4.00 + 1 h labour at 20 → 32.00."""
    book = make_book({
        "Items": [("Item code", "Item name", "Item type", "Standard cost"),
                  ("P", "Product", "Manufactured", 0), ("A", "Part", "Purchased", 4)],
        "BOM": [("Parent code", "Component code", "Qty numerator"), ("P", "A", 3)],
        "Cost standards": [("Item code", "Labour hours", "Labour rate"), ("P", 1, 20)],
    })
    code, out, err = run("cost", str(book), "--standard")
    assert code == 0, err
    assert "Standard cost of 2 items rolled up" in out
    rows = {r[0]: r for r in _rows(book, "Cost roll-up")[1:]}
    assert rows["P"][-1] == 32 and rows["P"][4:6] == (12, 20)


def test_nothing_to_cost_is_an_error_and_writes_nothing(make_book) -> None:
    book = make_book({"Items": [("Item code", "Item name", "Item type")]})
    code, out, err = run("cost", str(book))
    assert code == 1
    assert 'There is nothing to cost: "Cost objects" is empty' in out + err
    assert openpyxl.load_workbook(book).sheetnames == ["Items"]


def test_several_periods_need_a_choice(make_book) -> None:
    """T1 in 2026-10 and 2026-11: without --period an error; with it only that month's
    object and pool are costed (1,000 DM + 500 DL over 10 finished units)."""
    book = make_book({
        "Cost objects": [("Cost object", "Cost centre", "Period", "Completed qty",
                          "Direct material"), ("T1", "W1", "2026-10", 10, 1000),
                         ("T1", "W1", "2026-11", 5, 99)],
        "Cost pools": [("Cost centre", "Period", "Cost element", "Amount"),
                       ("W1", "2026-10", "labour", 500), ("W1", "2026-11", "labour", 7)],
    })
    code, out, err = run("cost", str(book))
    assert code == 1 and "span several periods: 2026-10, 2026-11" in out + err
    code, out, err = run("cost", str(book), "--period", "2026-10")
    assert code == 0, err
    assert "1 cost objects: finished 1,500.00, WIP 0.00" in out
    total = [r for r in _rows(book, "Finished and WIP") if r[1] == "Total"]
    assert total[0][9] == 150  # 1,500 / 10 finished units


def test_chinese_workbook(make_book) -> None:
    """Chinese headers in, Chinese sheets and labels out: 联合成本 100,000 less 副产品
    500 × 10, the rest by 系数 1,000 × 1.0 and 800 × 1.5 → 43,181.82 and 51,818.18."""
    book = make_book({
        "联合成本": [("批次", "联合成本", "分配方法"), ("J1", 100000, "系数法")],
        "联副产品": [("批次", "产品编码", "产品类别", "产量", "系数", "副产品单位计价"),
                  ("J1", "X", "主产品", 1000, 1, None), ("J1", "Y", "联产品", 800, 1.5, None),
                  ("J1", "Z", "副产品", 500, None, 10)],
    })
    code, _, err = run("cost", str(book), "--lang", "zh")
    assert code == 0, err
    rows = _rows(book, "联副产品成本")
    assert rows[0][:3] == ("批次", "产品编码", "产品类别")
    assert [(r[1], r[2], r[6]) for r in rows[1:]] == [
        ("X", "主产品", 43181.82), ("Y", "联产品", 51818.18), ("Z", "副产品", 5000)]


def test_period_close_from_documents_two_levels(make_book) -> None:
    """T1 makes 100 S from 100 A at 10.00 (+ 600 labour, 400 overhead) → 20.00 each; T2
    makes 50 P from 50 S (ledger 15.00, re-priced to 20.00) and 100 B at 5.00 (+ 300,
    200) → 2,000 = 40.00 each; restored: material 1,000, labour 600, overhead 400."""
    book = make_book(TWO_LEVEL)
    code, out, err = run("cost", str(book))
    assert code == 0, out + err
    assert "2 cost objects: finished 4,000.00, WIP 0.00" in out
    names = openpyxl.load_workbook(book).sheetnames
    assert {"Direct material", "Cost restoration", "Cost composition", "Summary"} <= set(names)
    restored = {r[0]: r for r in _rows(book, "Cost restoration")[1:]}
    assert restored["T2"][8:12] == (1000, 600, 400, 0)
    material = [r for r in _rows(book, "Direct material")[1:] if r[:2] == ("T2", "S")]
    assert material[0][2:] == ("Semi-finished", 50, 750, 20, 1000)


def test_reroll_item(make_book) -> None:
    """After a roll-up (P = 3 A at 4.00 + 20 labour = 32), A goes to 5.00: re-rolling A
    moves P to 35 and lists both."""
    sheets = {
        "Items": [("Item code", "Item name", "Item type", "Standard cost"),
                  ("P", "Product", "Manufactured", 0), ("A", "Part", "Purchased", 4)],
        "BOM": [("Parent code", "Component code", "Qty numerator"), ("P", "A", 3)],
        "Cost standards": [("Item code", "Labour hours", "Labour rate"), ("P", 1, 20)],
    }
    book = make_book(sheets)
    assert run("cost", str(book), "--standard")[0] == 0
    workbook = openpyxl.load_workbook(book)
    workbook["Items"]["D3"] = 5
    workbook.save(book)
    code, out, err = run("cost", str(book), "--standard", "--reroll-item", "A")
    assert code == 0, out + err
    assert "Standard cost of 2 items re-rolled" in out
    assert [r[:4] for r in _rows(book, "Cost re-roll")[1:]] == [("A", 4, 5, 1),
                                                                  ("P", 32, 35, 3)]
