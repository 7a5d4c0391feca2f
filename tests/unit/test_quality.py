"""Quality (DOMAIN §6): receipt notices, inspections, supplier rates."""

from __future__ import annotations

import pandas as pd
import pytest
from test_posting import balance, context

from addin.engines.posting import post_documents
from addin.engines.quality import inspection_lines, notice_lines, quality_rates

D = pd.Timestamp
ITEMS = pd.DataFrame({"item_code": ["A", "E"], "standard_cost": [1.0, 1.0],
                      "inspection": ["full", "exempt"]})


def notices(qty: float = 1000.0, item: str = "A") -> pd.DataFrame:
    return pd.DataFrame({"_row": [2], "doc_no": ["N1"], "line_no": [1],
                         "doc_date": [D("2026-01-02")], "item_code": [item],
                         "warehouse_code": ["W1"], "location_code": [""], "lot": [""],
                         "qty": [qty], "unit_cost": [3.0], "supplier_code": ["S1"]})


def inspection(doc: str = "Q1", passed: float = 950.0, concession: float = 30.0,
               rejected: float = 20.0, scrapped: float = 0.0, row: int = 2) -> dict:
    return {"_row": row, "doc_no": doc, "line_no": 1, "doc_date": D("2026-01-03"),
            "notice_no": "N1", "notice_line": 1, "passed_qty": passed,
            "concession_qty": concession, "rejected_qty": rejected, "scrapped_qty": scrapped,
            "stock_warehouse": ""}


def run(note: pd.DataFrame, checks: list[dict]):
    ctx = context(items=ITEMS, opening=None, tasks=None, materials=None)
    frame = pd.DataFrame(checks) if checks else pd.DataFrame(columns=list(inspection()))
    judged = inspection_lines(frame, note, ITEMS, "QC")
    lines = pd.concat([notice_lines(note, ITEMS, "QC"), judged.lines], ignore_index=True)
    return post_documents(lines, ctx), judged, frame


def test_goods_wait_in_the_inspection_warehouse_until_judged() -> None:
    posting, _, _ = run(notices(), [])
    assert balance(posting, "A", "QC") == (1000.0, 3000.0)
    assert balance(posting, "A", "W1") == (0.0, 0.0)


def test_exempt_items_go_straight_to_stock() -> None:
    posting, _, _ = run(notices(item="E"), [])
    assert balance(posting, "E", "W1") == (1000.0, 3000.0)


def test_domain_example_980_to_stock_20_returned_95_and_98_percent() -> None:
    # 1,000 received; 950 passed + 30 concession = 980 to stock, 20 rejected → returned
    posting, judged, frame = run(notices(), [inspection()])
    assert judged.issues == [] and posting.issues == []
    assert balance(posting, "A", "W1") == pytest.approx((980.0, 2940.0))
    assert balance(posting, "A", "QC") == (0.0, 0.0)
    moves = posting.moves
    returned = moves[moves["doc_type"].eq("purchase_return")]
    assert returned["qty"].tolist() == [-20.0]
    flagged = moves[moves["concession"] & moves["warehouse_code"].eq("W1")]
    assert flagged["qty"].tolist() == [30.0]
    rates = quality_rates(frame, notices()).iloc[0]
    assert (rates["pass_rate"], rates["acceptance_rate"]) == pytest.approx((0.95, 0.98))


def test_scrapped_is_written_off() -> None:
    posting, _, _ = run(notices(), [inspection(passed=990.0, concession=0.0, rejected=0.0,
                                               scrapped=10.0)])
    scrap = posting.moves[posting.moves["doc_type"].eq("scrap")]
    assert scrap[["qty", "value"]].to_dict("records") == [{"qty": -10.0, "value": -30.0}]


def test_cannot_judge_more_than_was_received() -> None:
    # Q1 judges 600, Q2 another 500: only 400 left → Q2 refused whole
    checks = [inspection("Q1", 600.0, 0.0, 0.0), inspection("Q2", 500.0, 0.0, 0.0, row=3)]
    posting, judged, _ = run(notices(), checks)
    assert judged.refused == ["Q2"]
    assert [(i.code, i.row, i.params["available"]) for i in judged.issues] == [
        ("qc_over_judged", 3, 400.0)]
    assert balance(posting, "A", "W1")[0] == 600.0
    assert balance(posting, "A", "QC")[0] == 400.0


def test_unknown_notice_is_refused() -> None:
    check = {**inspection(), "notice_no": "N9"}
    _, judged, _ = run(notices(), [check])
    assert [i.code for i in judged.issues] == ["qc_unknown_notice"]
    assert judged.lines.empty
