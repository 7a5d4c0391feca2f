"""The e-invoice export (全量发票查询导出) through agent.ingest, and the number quirks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fixtures import make_invoices as mi

from addin.engines.invoicematch import MatchOptions, match_invoices
from addin.schema import TABLES, coerce
from agent.ingest import ingest_file
from agent.profiles import load_profiles, sniff
from agent.store import Store


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "xlerp.db") as opened:
        yield opened


COLUMNS = ["einvoice_no", "invoice_code", "invoice_number", "line_no", "issue_date",
           "goods_name", "qty", "amount", "tax_rate", "tax", "total", "status", "positive"]
EXPECTED = [
    [mi.BLUE, "", "", 1, pd.Timestamp("2026-11-10"), "*金属制品*螺栓", 1000.0, 1500.0, 0.13,
     195.0, 1695.0, "normal", True],
    [mi.BLUE, "", "", 2, pd.Timestamp("2026-11-10"), "*金属制品*螺母", 1000.0, 300.0, 0.13,
     39.0, 339.0, "normal", True],
    ["", "3100234130", "01234567", 1, pd.Timestamp("2026-11-12"), "*金属制品*垫圈", 500.0,
     50.0, 0.13, 6.5, 56.5, "normal", True],
    [mi.VOID, "", "", 1, pd.Timestamp("2026-11-15"), "*金属制品*螺栓", 10.0, 15.0, 0.13,
     1.95, 16.95, "voided", True],
    ["26112000000000000104", "", "", 1, pd.Timestamp("2026-11-16"), "*农产品*大米", 20.0,
     100.0, 0.0, 0.0, 100.0, "normal", True],   # 免税, tax ***
    [mi.RED, "", "", 1, pd.Timestamp("2026-11-20"), "*金属制品*螺栓", -400.0, -600.0, 0.13,
     -78.0, -678.0, "normal", False],
]


def test_headers_pick_the_einvoice_profile_whatever_the_name(profiles) -> None:
    match = sniff(profiles, "download.xlsx", mi.einvoice_rows()[:2])
    assert (match.profile.name, match.header_at) == ("einvoice", 0)
    # 序号, 发票风险等级 and 开票人 are not read; "金额(元)" and "税额 " are
    assert sorted(match.mapping.values())[:3] == ["amount", "buyer_name", "buyer_tax_id"]
    assert len(match.mapping) == len(mi.EINVOICE_HEADER) - 3


@pytest.mark.parametrize("kind", ["xlsx", "gbk_csv"])
def test_einvoice_export_loads(tmp_path: Path, store: Store, profiles, kind: str) -> None:
    path = (mi.einvoice_xlsx(tmp_path / "全量发票查询导出结果.xlsx") if kind == "xlsx"
            else mi.einvoice_csv(tmp_path / "全量发票查询导出结果.csv"))
    result = ingest_file(store, path, profiles)
    assert (result.status, result.profile, result.table) == ("loaded", "einvoice",
                                                             "invoice_lines"), result.issues
    rows = store.rows("invoice_lines").sort_values(["issue_date", "einvoice_no", "line_no"])
    assert rows[COLUMNS].values.tolist() == EXPECTED
    assert rows["remarks"].iloc[-1].startswith("被红冲蓝字数电发票号码")


def test_loaded_invoices_match_receipts(tmp_path: Path, store: Store, profiles) -> None:
    """From the platform file to the match: the red letter takes 400 of the 1,000 bolts
    invoiced, so the receipt of 1,000 bolts is invoiced 600 and 400 are estimated."""
    ingest_file(store, mi.einvoice_xlsx(tmp_path / "全量发票查询导出结果.xlsx"), profiles)
    invoices = store.rows("invoice_lines")
    tables = {"invoice_lines": invoices}
    for name, rows in (
            ("suppliers", [{"supplier_code": "S1", "supplier_name": mi.SELLER_NAME,
                            "tax_id": mi.SELLER}]),
            ("code_mappings", [{"platform": "einvoice", "entity": "item",
                                "external_code": "螺栓 M8×30", "canonical_code": "BOLT"}]),
            ("purchase_receipts", [{"doc_no": "R1", "doc_date": "2026-11-08",
                                    "item_code": "BOLT", "qty": 1000, "supplier_code": "S1",
                                    "unit_cost": 1.5, "warehouse_code": "W1"}])):
        tables[name] = coerce(TABLES[name], pd.DataFrame(rows), name, "zh")[0]
    start, end = pd.Timestamp("2026-11-01").date(), pd.Timestamp("2026-11-30").date()
    result = match_invoices(tables, MatchOptions(start, end, tax_id=mi.OWN))
    assert result.voided == 1
    assert result.matches[["doc_no", "invoice_no", "qty", "invoice_amount"]].values.tolist() == [
        ["R1", mi.BLUE, 600.0, 900.0]]
    assert result.estimated[["uninvoiced_qty", "estimated_amount"]].values.tolist() == [
        [400.0, 600.0]]
    # nuts, washers and rice map to no item: warnings, and unmatched invoice lines
    assert {i.code for i in result.issues} == {"invoice_item_unknown"}
    assert sorted(result.unmatched.loc[result.unmatched["kind"] == "invoice", "item_code"]) == [
        "垫圈", "大米", "螺母"]


@pytest.mark.parametrize(("text", "number"), [
    ("1,234.50元", 1234.5), ("¥1,234.50", 1234.5), ("￥ 12", 12.0), ("-1,000.00 元", -1000.0),
    ("13%", 0.13), ("13 %", 0.13), ("0.13", 0.13), ("１２３．５", 123.5), ("1，234.5", 1234.5),
])
def test_amount_and_rate_quirks_parse(text: str, number: float) -> None:
    frame, issues = coerce(TABLES["invoice_lines"], pd.DataFrame(
        {"einvoice_no": ["1"], "issue_date": ["2026-11-01"], "amount": [text]}), "x", "zh")
    assert issues == [] and frame["amount"].tolist() == [pytest.approx(number)]


def test_a_comma_decimal_is_still_not_a_number() -> None:
    _, issues = coerce(TABLES["invoice_lines"], pd.DataFrame(
        {"einvoice_no": ["1"], "issue_date": ["2026-11-01"], "amount": ["1,5"]}), "x", "en")
    assert [i.code for i in issues] == ["not_a_number"]
