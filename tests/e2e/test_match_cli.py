"""`xlerp match BOOK.xlsx --period …` end to end on a small workbook (issue #10)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from addin.schema import TABLES
from agent.cli.match import match

SELLER = "91110000MA00000001"
SHEETS = {
    "suppliers": [{"supplier_code": "S1", "supplier_name": "Acme Fasteners",
                   "tax_id": SELLER}],
    "items": [{"item_code": "A", "item_name": "Bolt", "spec": "M8", "item_type": "purchased"}],
    "purchase_orders": [{"po_no": "PO1", "supplier_code": "S1", "item_code": "A", "qty": 200,
                         "due_date": "2026-10-01", "unit_price": 10}],
    "purchase_receipts": [
        {"doc_no": "R1", "doc_date": "2026-10-20", "item_code": "A", "qty": 100,
         "supplier_code": "S1", "warehouse_code": "W1"},
        {"doc_no": "R2", "doc_date": "2026-11-03", "item_code": "A", "qty": 50,
         "supplier_code": "S1", "warehouse_code": "W1"}],
    "invoice_lines": [
        {"einvoice_no": "I1", "issue_date": "2026-10-28", "seller_tax_id": SELLER,
         "goods_name": "*Metal*Bolt", "spec": "M8", "qty": 60, "amount": "600.00",
         "tax_rate": "13%", "tax": 78},
        {"einvoice_no": "I2", "issue_date": "2026-11-05", "seller_tax_id": SELLER,
         "goods_name": "*Metal*Bolt", "spec": "M8", "qty": 40, "amount": "1,050.00",
         "tax_rate": 0.13, "tax": 136.5},
        {"einvoice_no": "I3", "issue_date": "2026-11-06", "seller_tax_id": SELLER,
         "goods_name": "*Metal*Bolt", "spec": "M8", "qty": 10, "amount": 100, "tax": 13,
         "tax_rate": 0.13, "status": "Voided"}],
}


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in SHEETS.items():
        spec = TABLES[name]
        columns = list(dict.fromkeys(c for row in rows for c in row))
        sheet = book.create_sheet(spec.en)
        sheet.append([spec.column(c).en for c in columns])
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    book.save(path)
    return path


def rows(book: openpyxl.Workbook, sheet: str) -> list[tuple]:
    return list(book[sheet].iter_rows(values_only=True))


def test_match_writes_every_outcome_sheet(tmp_path: Path) -> None:
    source = workbook(tmp_path / "book.xlsx")
    out = tmp_path / "match.xlsx"
    result = CliRunner().invoke(match, [str(source), "--period", "2026-11", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2026-11: document lines matched 1, partly invoiced 0, not invoiced 1" in \
        result.stdout
    book = openpyxl.load_workbook(out)
    assert {"Invoice matches", "Partially matched", "Unmatched", "Match differences",
            "Uninvoiced receipts", "Cost adjustments", "Summary"} <= set(book.sheetnames)
    matches = rows(book, "Invoice matches")
    assert matches[0][:4] == ("Side", "Partner", "Item code", "Document no")
    # I2: 40 more of R1 at 26.25 against the order's 10.00 — beyond the 1 % tolerance
    assert [(r[3], r[7], r[10], r[-1]) for r in matches[1:]] == [
        ("R1", "I2", 40, "Price beyond tolerance")]
    estimate = rows(book, "Uninvoiced receipts")
    assert [(r[2], r[8], r[10]) for r in estimate[1:]] == [("R2", 50, 500)]
    adjustment = rows(book, "Cost adjustments")
    assert [(r[3], r[6], r[-1]) for r in adjustment[1:]] == [("R1", "I2", 650)]
    assert "Sheet1" not in book.sheetnames and "Invoice matches" not in \
        openpyxl.load_workbook(source).sheetnames


def test_match_zh_labels_and_a_bad_period(tmp_path: Path) -> None:
    source = workbook(tmp_path / "book.xlsx")
    result = CliRunner().invoke(match, [str(source), "--period", "2026-13"])
    assert result.exit_code == 1
    assert "Error: period '2026-13' is not a month; use the form 2026-11" in result.output
    done = CliRunner().invoke(match, [str(source), "--period", "2026-10", "--lang", "zh"],
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(source)
    assert {"暂估入库", "部分匹配", "发票匹配"} <= set(book.sheetnames)
    assert [r[8:11] for r in rows(book, "暂估入库")[1:]] == [(40, 10, 400)]


def test_match_on_the_store_writes_a_report(tmp_path: Path) -> None:
    """The e-invoice export loaded by the agent, receipts and suppliers beside it in the
    store: `xlerp match --store` writes a fresh report workbook."""
    import pandas as pd
    from fixtures import make_invoices as mi

    from addin.schema import coerce
    from agent.ingest import ingest_file
    from agent.profiles import load_profiles
    from agent.store import Provenance, Store

    db = tmp_path / "xlerp.db"
    with Store.open(db) as store:
        loaded = ingest_file(store, mi.einvoice_csv(tmp_path / "全量发票查询导出结果.csv"),
                             load_profiles())
        assert loaded.status == "loaded", loaded.issues
        for name, records in (
                ("suppliers", [{"supplier_code": "S1", "supplier_name": mi.SELLER_NAME,
                                "tax_id": mi.SELLER}]),
                ("code_mappings", [{"platform": "einvoice", "entity": "item",
                                    "external_code": "螺栓 M8×30",
                                    "canonical_code": "BOLT"}]),
                ("purchase_receipts", [{"doc_no": "R1", "doc_date": "2026-11-08",
                                        "item_code": "BOLT", "qty": 1000,
                                        "supplier_code": "S1", "unit_cost": 1.5,
                                        "warehouse_code": "W1"}])):
            frame = coerce(TABLES[name], pd.DataFrame(records), name, "zh")[0]
            store.load_batch(name, frame, Provenance("erp", "m", f"m-{name}",
                                                     "2026-11-30T00:00:00.000000Z"))
    out = tmp_path / "match.xlsx"
    result = CliRunner().invoke(match, ["--store", str(db), "--out", str(out), "--period",
                                        "2026-11", "--tax-id", mi.OWN],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stdout
    book = openpyxl.load_workbook(out)
    assert [r[8:11] for r in rows(book, "暂估入库")[1:]] == [(400, 1.5, 600)]
    assert "概览" in book.sheetnames


def test_match_store_needs_out(tmp_path: Path) -> None:
    result = CliRunner().invoke(match, ["--store", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "Error: with --store give --out (the report workbook) and no BOOK" in result.output
