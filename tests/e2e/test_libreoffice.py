"""Result workbooks in LibreOffice: they open, recalculate without errors, and print.

The workbook is what a user has after pressing Run MRP on the ribbon (the server's
actions replayed onto the shipped template), plus a sheet of formulas over the result
sheets, so the recalculation has something to check: numbers must be numbers. The two
screenshots in docs/img are made by the same code:

    python tests/e2e/test_libreoffice.py docs/img
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.properties import PageSetupProperties

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replayer import Replayer  # a helper beside this file

from addin.officejs import handle

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "xlerp-en.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
DPI = 150     # sharp enough to read the small print of a 16-column sheet
MARGIN = 14   # points around the words: chart frames reach a little beyond their text
ERRORS = ("#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")
SHOTS = {"Planned orders": "result-planned-orders.png", "Summary": "result-summary.png"}

needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (apt-get install "
    "libreoffice-calc-nogui); CI installs it")


def ribbon_result(target: Path) -> Path:
    """The template after Run MRP from the ribbon, with a sheet of checking formulas."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_ribbon_backend import PLAN, payload

    answer = handle("plan", payload(TEMPLATE, PLAN))
    assert answer["ok"], answer["messages"]
    book = openpyxl.load_workbook(TEMPLATE)
    Replayer(book).replay(answer["actions"])
    checks = book.create_sheet("Checks")
    checks["A1"], checks["B1"] = "Planned qty", "=SUM('Planned orders'!E2:E9)"
    checks["A2"], checks["B2"] = "Exception errors", '=COUNTIF(Exceptions!A2:A8,"Error")'
    checks["A3"], checks["B3"] = "Purchase amount", "=SUMPRODUCT(('Planned orders'!D2:D9=" \
        '"Purchase requisition")*\'Planned orders\'!E2:E9*\'Planned orders\'!I2:I9)'
    book.save(target)
    return target


def soffice(*args: str, cwd: Path) -> None:
    """LibreOffice headless with a throw-away profile (never the user's own)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             *args], cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr


@needs_soffice
def test_libreoffice_recalculates_the_result_workbook_without_errors(tmp_path: Path) -> None:
    source = ribbon_result(tmp_path / "result.xlsx")
    (tmp_path / "out").mkdir()
    soffice("--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(source),
            cwd=tmp_path)
    book = openpyxl.load_workbook(tmp_path / "out" / "result.xlsx", data_only=True)
    checks = book["Checks"]
    # planned qty 20 + 50 + 70 + 70 + 50 + 60 + 780 + 200 = 1300; 4 past-due errors;
    # purchases 70 × 2.50 + 60 × 25 + 780 × 0.02 + 200 × 0.02 = 1694.60
    assert checks["B1"].value == 1300
    assert checks["B2"].value == 4
    assert checks["B3"].value == pytest.approx(1694.6)
    bad = [(ws.title, cell.coordinate, cell.value) for ws in book.worksheets
           for row in ws.iter_rows() for cell in row
           if isinstance(cell.value, str) and cell.value.startswith(ERRORS)]
    assert not bad
    original = openpyxl.load_workbook(source)
    for title in ("Planned orders", "MRP record", "Exceptions", "Summary"):
        assert [[c.value for c in r] for r in book[title].iter_rows(max_row=6)] == [
            [c.value for c in r] for r in original[title].iter_rows(max_row=6)], title


def screenshots(folder: Path, work: Path) -> list[Path]:
    """PNG pictures of the Planned orders and Summary sheets as LibreOffice prints them."""
    book = openpyxl.load_workbook(ribbon_result(work / "result.xlsx"))
    for ws in list(book.worksheets):
        if ws.title not in SHOTS:
            book.remove(ws)
            continue
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    book._sheets.sort(key=lambda ws: list(SHOTS).index(ws.title))
    book.save(work / "shots.xlsx")
    soffice("--convert-to", "pdf", "--outdir", str(work), str(work / "shots.xlsx"), cwd=work)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for page, name in enumerate(SHOTS.values(), start=1):
        stem = folder / name.removesuffix(".png")
        crop = [str(round(v * DPI / 72)) for v in content_box(work / "shots.pdf", page)]
        subprocess.run([PDFTOPPM, "-png", "-r", str(DPI), "-f", str(page), "-l", str(page),
                        "-x", crop[0], "-y", crop[1], "-W", crop[2], "-H", crop[3],
                        "-singlefile", str(work / "shots.pdf"), str(stem)], check=True,
                       timeout=60)
        out.append(stem.with_suffix(".png"))
    return out


def content_box(pdf: Path, page: int) -> tuple[float, float, float, float]:
    """(x, y, width, height) in points around every word on the page, with a margin for
    chart frames: the sheet sits in the top-left corner of an otherwise blank page."""
    html = subprocess.run([PDFTOTEXT, "-f", str(page), "-l", str(page), "-bbox", str(pdf),
                           "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    boxes = [[float(v) for v in m] for m in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html)]
    left = min(b[0] for b in boxes) - MARGIN
    top = min(b[1] for b in boxes) - MARGIN
    return (left, top, max(b[2] for b in boxes) + 2 * MARGIN - left,
            max(b[3] for b in boxes) + 2 * MARGIN - top)


@needs_soffice
@pytest.mark.skipif(PDFTOPPM is None or PDFTOTEXT is None, reason="pdftoppm is not installed "
                    "(apt-get install poppler-utils)")
def test_two_result_sheets_print_as_pictures(tmp_path: Path) -> None:
    pictures = screenshots(tmp_path / "img", tmp_path)
    for picture in pictures:
        data = picture.read_bytes()
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        # cropped to the sheet: wider than high, and full of table rather than blank page
        assert data.startswith(b"\x89PNG") and width > 800 and 150 < height < width, picture
        assert len(data) > 20_000


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as temp:
        for path in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"),
                                Path(temp)):
            print(path)
