"""`xlerp report` and `xlerp suggest` end to end on the demo factory with a month of
documents, plus the rendering check: LibreOffice prints a report workbook to PDF.

The PNG previews in docs/img are made by the same code:

    python tests/e2e/test_report_cli.py docs/img
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from costing_books import TWO_LEVEL
from openpyxl.worksheet.properties import PageSetupProperties
from python_calamine import CalamineWorkbook

from addin.schema import INPUT_TABLES, table
from addin.workbook.read import read_sheet_values
from agent.cli.report import report
from agent.cli.suggest import suggest

TEMPLATES = Path(str(files("templates")))
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")
# sheet -> rows appended (values in header order of the demo template)
DOCUMENTS = {
    "Purchase receipts": [
        ["PR-2611-01", 1, "2026-11-05", "30.01.0001", "RM", "", "", 50, "S001", 80, ""],
        ["PR-2611-02", 1, "2026-11-20", "30.02.0002", "RM", "", "", 500, "S003", 0.95, ""],
        ["PR-2611-03", 1, "2026-11-26", "30.01.0001", "RM", "", "", 30, "S001", 78, ""]],
    "Task materials": [
        ["MO-2611-032", "30.01.0001", 1, 0, 0, 200, 0, 0, "direct", "RM"]],
    "Material issues": [
        ["MI-2611-01", 1, "2026-11-10", "30.01.0001", "RM", "", "", 60, "MO-2611-032",
         "direct", 0, ""],
        ["MI-2611-02", 1, "2026-11-25", "30.01.0001", "RM", "", "", 40, "MO-2611-032",
         "direct", 0, ""]],
    "Product receipts": [
        ["PC-2611-01", 1, "2026-11-28", "20.01.0002", "SF", "", "", 50, "MO-2611-032", 0, ""]],
}


def demo_with_documents(target: Path, lang: str = "en") -> Path:
    """The demo workbook with November's documents typed into its sheets."""
    book = openpyxl.load_workbook(TEMPLATES / f"demo-{lang}.xlsx")
    for sheet, lines in DOCUMENTS.items():
        ws = book[sheet if lang == "en" else _zh(sheet)]
        for line in lines:
            ws.append(line)
        for name in list(ws.tables):  # the Excel Table grows with its rows
            ws.tables[name].ref = f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    book.save(target)
    return target


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo with documents, in each language, built once; tests copy them."""
    folder = tmp_path_factory.mktemp("books")
    return {lang: demo_with_documents(folder / f"demo-{lang}.xlsx", lang)
            for lang in ("en", "zh")}


def copy(books: dict[str, Path], folder: Path, lang: str = "en") -> Path:
    return Path(shutil.copyfile(books[lang], folder / "demo.xlsx"))


def _zh(sheet: str) -> str:
    key = {"Purchase receipts": "purchase_receipts", "Task materials": "task_materials",
           "Material issues": "material_issues", "Product receipts": "product_receipts"}
    return table(key[sheet]).zh


def invoke(command, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows(path: Path, sheet: str) -> list[list]:
    return read_sheet_values(path, sheet)


def sheets(path: Path) -> list[str]:
    return CalamineWorkbook.from_path(str(path)).sheet_names


def test_stock_ledger_report_reconciles(tmp_path: Path, books: dict[str, Path]) -> None:
    book = copy(books, tmp_path)
    out = tmp_path / "ledger.xlsx"
    code, stdout, err = invoke(report, "stock-ledger", str(book), *NOVEMBER, "--out", str(out))
    assert code == 0, err
    assert stdout.splitlines()[0] == "Period 2026-11-01 to 2026-11-30"
    header, *body = rows(out, "In-out summary")
    assert header[:4] == ["Item code", "Item name", "Warehouse code", "Opening qty"]
    copper = next(r for r in body if r[0] == "30.01.0001" and r[2] == "RM")
    # opening 120 + 45.5 = 165.5; in 50 + 30 = 80; out 60 + 40 = 100 → closing 145.5
    assert copper[3:10:2] == [165.5, 80, 100, 145.5]
    for r in body:
        assert r[3] + r[5] - r[7] == pytest.approx(r[9])    # qty
        assert r[4] + r[6] - r[8] == pytest.approx(r[10])   # value
    assert "Summary" in sheets(out)
    with zipfile.ZipFile(out) as archive:  # a native chart on the Summary sheet
        assert any(n.startswith("xl/charts/chart") for n in archive.namelist())
    assert "In-out summary" not in sheets(book)


def test_every_report_at_once_in_chinese(tmp_path: Path, books: dict[str, Path]) -> None:
    book = copy(books, tmp_path, "zh")
    code, _, err = invoke(report, "all", str(book), *NOVEMBER, "--slow-days", "30")
    assert code == 0, err
    assert {"收发存汇总", "库存状态", "库龄分析", "呆滞料", "供应商质量", "经营看板",
            "概览"} <= set(sheets(book))
    kpis = [r[0] for r in rows(book, "经营看板")[1:]]
    assert kpis[:3] == ["订单满足率", "到期订单行", "缺料行"]
    assert rows(book, "库龄分析")[0][:4] == ["物料编码", "物料名称", "仓库编码", "库龄段"]
    status = {r[0]: r for r in rows(book, "库存状态")[1:]}
    # 30.01.0001: 145.5 on hand and available; the task still needs 200 − 100 issued;
    # PO-2611-021: 100 open, nothing received → in transit 100
    assert status["30.01.0001"][2:5] == [145.5, 145.5, 100]
    assert status["30.01.0001"][6] == 100


def test_bad_report_name_and_refused_documents(tmp_path: Path,
                                               books: dict[str, Path]) -> None:
    code, _, err = invoke(report, "sales", str(tmp_path / "x.xlsx"))
    assert code == 2 and "'sales' is not one of" in err
    book = copy(books, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["Material issues"].append(["MI-BAD", 1, "2026-11-11", "30.01.0001", "RM", "", "",
                                  5, "MO-9999", "direct", 0, ""])
    wb.save(book)
    code, _, err = invoke(report, "stock-ledger", str(book), *NOVEMBER)
    assert code == 1 and "MO-9999" in err
    assert "In-out summary" not in sheets(book)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_suggest_writes_a_review_copy_and_never_touches_master_data(
        tmp_path: Path, books: dict[str, Path]) -> None:
    book = copy(books, tmp_path)
    before = _digest(book)
    out = tmp_path / "suggestions.xlsx"
    code, stdout, err = invoke(suggest, str(book), "--out", str(out), "--periods", "3",
                               "--service-level", "0.95")
    assert code == 0, err
    assert "no master data was changed" in stdout
    assert _digest(book) == before  # BOOK byte-identical
    assert {"Safety stock", "BOM usage", "Supplier scorecard", "Preferred suppliers",
            "Summary"} <= set(sheets(out))
    for name in INPUT_TABLES:  # every input sheet of the copy holds the same cells
        title = table(name).en
        if title in sheets(book):
            assert rows(out, title) == rows(book, title), title
    assert "30.01.0001" in {r[0] for r in rows(out, "Safety stock")[1:]}
    card = {r[0]: r for r in rows(out, "Supplier scorecard")[1:]}
    assert card["S001"][2:4] == [2, 80]  # two receipts, 80 received


def test_suggest_needs_an_out_file(tmp_path: Path) -> None:
    code, _, err = invoke(suggest, str(tmp_path / "x.xlsx"))
    assert code == 2 and "Missing option '--out'" in err
    book = tmp_path / "demo.xlsx"
    code, _, err = invoke(suggest, str(book), "--out", str(book))
    assert code == 2 and "--out must be another file than BOOK" in err


# -- the reports other commands compute, the dashboard, --store ------------------------

def test_shortage_progress_subcontract_and_dashboard_on_the_demo(
        tmp_path: Path, books: dict[str, Path]) -> None:
    book = copy(books, tmp_path)
    expected = {"shortage": {"Kitting", "Shortages"},
                "progress": {"Production alerts", "Task progress"},
                "subcontract": {"Subcontract tracking", "Supplier balances",
                                "Fee adjustments"},
                "dashboard": {"Dashboard"}}
    for name, wanted in expected.items():
        out = tmp_path / f"{name}.xlsx"
        code, _, err = invoke(report, name, str(book), *NOVEMBER, "--out", str(out))
        assert code == 0, (name, err)
        assert wanted | {"Summary"} <= set(sheets(out)), name
        with zipfile.ZipFile(out) as archive:  # each with a native chart
            assert any(n.startswith("xl/charts/chart") for n in archive.namelist()), name
    tracking = {(r[0], r[1]): r[5:10] for r in rows(tmp_path / "subcontract.xlsx",
                                                    "Subcontract tracking")[1:]}
    # line 1: 300 ordered, 100 received before November, no issue in the book → 200 open;
    # line 2: 400 ordered, 300 sets of material issued (930.00), 250 received → 150 open
    assert tracking == {("WW-2611-008", 1): [300, 0, 0, 100, 200],
                        ("WW-2611-008", 2): [400, 300, 930, 250, 150]}
    kpis = {r[0]: r[1] for r in rows(tmp_path / "dashboard.xlsx", "Dashboard")[1:]}
    assert list(kpis) == ["Fill rate", "Order lines due", "Shortage lines", "Overdue tasks",
                          "Stock value", "Value issued", "Inventory turns (annualised)"]
    shortages = rows(tmp_path / "shortage.xlsx", "Shortages")
    assert kpis["Shortage lines"] == len(shortages) - 1
    assert kpis["Overdue tasks"] == 1



def test_cost_and_profit_reports(make_book) -> None:
    """The two-level period close of test_cost_cli: T2 makes 50 P at 40.00 for SO1 (its
    tracking number SO1-1), sold at 60.00 → revenue 3,000, cost 2,000, profit 1,000."""
    book = make_book(TWO_LEVEL)
    out = book.parent / "cost.xlsx"
    code, _, err = invoke(report, "cost", str(book), "--out", str(out))
    assert code == 0, err
    assert {"Cost composition", "Summary"} <= set(sheets(out))
    figures = {r[0]: r[1] for r in rows(out, "Summary")[4:12]}
    assert figures["Finished"] == 4000
    out = book.parent / "profit.xlsx"
    code, _, err = invoke(report, "profit", str(book), "--out", str(out))
    assert code == 0, err
    [profit] = rows(out, "Order profit")[1:]
    assert (profit[0], profit[7], profit[9], profit[10]) == ("SO1", 3000, 2000, 1000)
    figures = {r[0]: r[1] for r in rows(out, "Summary")[4:12]}
    assert figures["Margin %"] == pytest.approx(33.33)


def test_report_on_the_store_takes_the_newest_copy_of_each_record(tmp_path: Path) -> None:
    """The warehouse system (as of 02:00) and the ERP (as of 01:00) both list A's stock
    in W1: the report counts the newer 100 (not 90, and not both); a receipt of 50 at
    3.00 → closing 150 and 100 × 1.00 + 150 = 250.00."""
    import pandas as pd

    from addin.schema import TABLES as SCHEMA
    from addin.schema import coerce
    from agent.store import Provenance, Store

    def load(store: Store, name: str, records: list[dict], platform: str, hour: int) -> None:
        frame = coerce(SCHEMA[name], pd.DataFrame(records), name, "en")[0]
        store.load_batch(name, frame, Provenance(platform, f"{name}.csv",
                                                 f"{platform}-{name}-{hour}",
                                                 f"2026-11-30T0{hour}:00:00.000000Z"))

    db = tmp_path / "xlerp.db"
    with Store.open(db) as store:
        load(store, "items", [{"item_code": "A", "item_name": "a", "item_type": "purchased",
                               "standard_cost": 1}], "erp", 1)
        load(store, "warehouses", [{"warehouse_code": "W1", "warehouse_name": "w"}], "erp", 1)
        load(store, "stock", [{"item_code": "A", "warehouse_code": "W1", "qty": 90}], "erp", 1)
        load(store, "stock", [{"item_code": "A", "warehouse_code": "W1", "qty": 100}], "wms", 2)
        load(store, "purchase_receipts", [{"doc_no": "R1", "doc_date": "2026-11-12",
                                           "item_code": "A", "warehouse_code": "W1",
                                           "qty": 50, "unit_cost": 3}], "erp", 1)
    out = tmp_path / "ledger.xlsx"
    code, stdout, err = invoke(report, "stock-ledger", "--store", str(db), *NOVEMBER,
                               "--lang", "en", "--out", str(out))
    assert code == 0, err
    assert f"Wrote {out}" in stdout
    [row] = rows(out, "In-out summary")[1:]
    assert row[3:11] == [100, 100, 50, 150, 0, 0, 150, 250]
    assert "Summary" in sheets(out)
    code, _, err = invoke(report, "all", "--store", "https://store.example/x", "--out",
                          str(out))
    assert code == 1
    assert "Error: report reads a local store file; run it where the store is" in err
    code, _, err = invoke(report, "all", str(out), "--store", str(db), "--out", str(out))
    assert code == 1 and "Error: with --store give --out (the report workbook) and no BOOK" in err


# -- rendering --------------------------------------------------------------------------

SHOTS = {"In-out summary": "report-stock-ledger.png", "Summary": "report-summary.png"}


def soffice(*args: str, cwd: Path) -> None:
    """LibreOffice headless with a throw-away profile (never the user's own)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             *args], cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr


def printable(work: Path) -> Path:
    """One workbook: the In-out summary sheet and the Summary sheet of a run of every
    report, each fitted to one landscape page."""
    book = demo_with_documents(work / "demo.xlsx")
    target = work / "reports.xlsx"
    assert invoke(report, "all", str(book), *NOVEMBER, "--slow-days", "90",
                  "--opening-date", "2026-06-30", "--out", str(target))[0] == 0
    shots = openpyxl.load_workbook(target)
    for ws in list(shots.worksheets):
        if ws.title not in SHOTS:
            shots.remove(ws)
            continue
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    shots._sheets.sort(key=lambda ws: list(SHOTS).index(ws.title))
    shots.save(target)
    return target


def to_pdf(source: Path, work: Path) -> Path:
    soffice("--convert-to", "pdf", "--outdir", str(work), str(source), cwd=work)
    return work / source.with_suffix(".pdf").name


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install "
                    "libreoffice-calc-nogui); CI installs it")
def test_libreoffice_prints_the_reports_to_pdf(tmp_path: Path) -> None:
    pdf = to_pdf(printable(tmp_path), tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    if PDFTOTEXT is None:
        return
    printed = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True,
                             text=True, check=True, timeout=60).stdout
    pages = printed.split("\f")
    assert "Opening qty" in pages[0] and "30.01.0001" in pages[0]  # In-out summary
    assert "Ageing by band" in printed and "Slow movers" in printed  # Summary
    assert not any(error in printed for error in ("#VALUE!", "#REF!", "#NAME?", "Err:"))


def previews(folder: Path) -> list[Path]:
    """PNG previews of the two pages, as in docs/img."""
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        pdf = to_pdf(printable(work), work)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for page, name in enumerate(SHOTS.values(), start=1):
            stem = folder / name.removesuffix(".png")
            subprocess.run([PDFTOPPM, "-png", "-r", "110", "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(stem)], check=True, timeout=60)
            out.append(stem.with_suffix(".png"))
        return out


if __name__ == "__main__":
    for picture in previews(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")):
        print(picture)
