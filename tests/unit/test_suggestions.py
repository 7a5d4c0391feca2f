"""Feedback suggestions (DOMAIN §9): safety stock, BOM usage, supplier scorecard.

Every number below is worked by hand in the comment beside it.
"""

from __future__ import annotations

import pandas as pd
import pytest

import addin.commands.suggest  # noqa: F401  (registers the command)
from addin.commands import run
from addin.engines import scorecard, suggestions
from addin.engines.suggestions import History
from addin.errors import UsageError

D = pd.Timestamp
Z95 = 1.6448536  # Φ⁻¹(0.95)
# three weeks ending 2026-01-21: Jan 1–7, Jan 8–14, Jan 15–21
WEEKS = History(D("2026-01-21"), periods=3, period_days=7)


def moves(*rows: tuple) -> pd.DataFrame:
    """(doc_type, date, item, qty[, task]) -> stock moves."""
    frame = pd.DataFrame([(*r, "")[:5] for r in rows],
                         columns=["doc_type", "doc_date", "item_code", "qty", "task_no"])
    return frame.assign(doc_date=pd.to_datetime(frame["doc_date"]), warehouse_code="W1",
                        doc_no=[f"D{i}" for i in range(len(frame))], qty=frame["qty"].astype(float))


def items(**lead: float) -> pd.DataFrame:
    codes = sorted(lead) or ["X"]
    return pd.DataFrame({"item_code": codes, "item_name": [f"Item {c}" for c in codes],
                         "lead_time_days": [lead.get(c, 0.0) for c in codes],
                         "safety_stock": 10.0, "integer_only": False, "default_supplier": "S1"})


def test_z_and_the_safety_stock_formula() -> None:
    assert suggestions.z_value(0.95) == pytest.approx(Z95)
    # σ_d 20 per day, LT 9 days: 1.645 × 20 × √9 = 98.69
    assert suggestions.safety_stock(Z95, 20.0, 9.0) == pytest.approx(98.691, abs=1e-3)
    # with d̄ 50 per day and σ_LT 2 days: 1.645 × √(9 × 400 + 2500 × 4) = 1.645 × 116.62
    assert suggestions.safety_stock(Z95, 20.0, 9.0, 50.0, 2.0) == pytest.approx(191.82,
                                                                                abs=1e-2)


def test_safety_stock_from_a_demand_history() -> None:
    # X issued 50, 30 + 40, 90 in the three weeks: d̄ 70, σ 20 (sample); LT 28 days = 4
    # weeks → SS = 1.645 × 20 × √4 = 65.79. Y never issued: sales orders 10, 0, 20 →
    # d̄ 10, σ 10; LT 7 days = 1 week → 16.45.
    history = moves(("material_issue", "2026-01-03", "X", -50.0),
                    ("material_issue", "2026-01-09", "X", -30.0),
                    ("supplement", "2026-01-14", "X", -40.0),
                    ("material_issue", "2026-01-16", "X", -95.0),
                    ("material_return", "2026-01-20", "X", 5.0),
                    ("material_issue", "2025-12-31", "X", -999.0))  # before the window
    orders = pd.DataFrame({"item_code": ["Y", "Y", "Y"], "qty": [10.0, 20.0, 50.0],
                           "due_date": [D("2026-01-02"), D("2026-01-21"), D("2026-01-21")],
                           "status": ["open", "closed", "cancelled"]})
    matrix, source = suggestions.demand_matrix(history, orders, WEEKS)
    assert matrix.loc["X"].tolist() == [50.0, 70.0, 90.0]
    assert matrix.loc["Y"].tolist() == [10.0, 0.0, 20.0]
    table, issues = suggestions.safety_stock_suggestions(
        matrix, source, items(X=28.0, Y=7.0), WEEKS, 0.95)
    rows = table.set_index("item_code")
    assert rows.loc["X", ["mean_demand", "std_demand", "suggested_safety_stock", "change"]
                    ].tolist() == pytest.approx([70.0, 20.0, 65.79, 55.79])
    assert rows.loc["Y", ["demand_source", "suggested_safety_stock"]].tolist() == [
        "sales_orders", pytest.approx(16.45)]
    assert rows.loc["X", "demand_source"] == "consumption" and issues == []


def test_lead_time_variability_and_repeated_shortages() -> None:
    history = moves(("material_issue", "2026-01-03", "X", -50.0),
                    ("material_issue", "2026-01-09", "X", -70.0),
                    ("material_issue", "2026-01-16", "X", -90.0))
    matrix, source = suggestions.demand_matrix(history, None, WEEKS)
    # σ_LT 3.5 days = 0.5 week: 1.645 × √(4 × 400 + 70² × 0.25) = 1.645 × √2825 = 87.43
    ledger = history.assign(balance_qty=[10.0, 0.0, 0.0])  # ran out in weeks 2 and 3
    shortages = suggestions.stockout_periods(ledger, WEEKS)
    table, _ = suggestions.safety_stock_suggestions(
        matrix, source, items(X=28.0), WEEKS, 0.95, pd.Series({"X": 3.5}), shortages)
    row = table.iloc[0]
    assert row["suggested_safety_stock"] == pytest.approx(87.43)
    assert (row["shortage_count"], row["repeated_shortage"]) == (2, True)
    kit = pd.DataFrame({"order_no": ["SO1", "SO1", "SO2"], "line_no": [1, 1, 1],
                        "component_code": ["X", "X", "Z"], "short_qty": [5.0, 5.0, 0.0]})
    assert suggestions.kit_short_lines(kit).to_dict() == {"X": 1}


def test_no_lead_time_is_reported() -> None:
    matrix, source = suggestions.demand_matrix(
        moves(("material_issue", "2026-01-03", "X", -5.0)), None, WEEKS)
    table, issues = suggestions.safety_stock_suggestions(matrix, source, items(X=0.0), WEEKS,
                                                         0.95)
    assert table["suggested_safety_stock"].tolist() == [0.0]
    assert [i.message() for i in issues] == [
        "X has demand but a lead time of 0, so its suggested safety stock is 0"]


def usage_history(issued: list[float], qty_per: float = 2.0, loss: float = 0.0
                  ) -> pd.DataFrame:
    """Tasks T1, T2, … each completing 100 P in January, consuming `issued` of C."""
    rows, lists = [], []
    for n, used in enumerate(issued, start=1):
        task = f"T{n}"
        rows += [("material_issue", f"2026-01-{n + 1:02d}", "C", -used, task),
                 ("product_receipt", f"2026-01-{n + 10:02d}", "P", 100.0, task)]
        lists.append({"task_no": task, "component_code": "C", "qty_per": qty_per,
                      "variable_loss_rate": loss, "fixed_loss": 0.0})
    tasks = pd.DataFrame({"task_no": [f"T{n}" for n in range(1, len(issued) + 1)],
                          "item_code": "P"})
    return suggestions.task_usage(moves(*rows), pd.DataFrame(lists), tasks, WEEKS)


def test_usage_suggestion_from_actual_consumption() -> None:
    # 204 + 206 + 205 = 615 for 300 P: 2.05 per unit against 2.00 → +2.5 %; per task the
    # gaps 0.04, 0.06, 0.05 (mean 0.05, σ 0.01, n 3): z = 0.05 / (0.01/√3) = 8.66 →
    # confidence ≈ 100 %. Keep qty per 2, raise the loss rate to 2.05 / 2 − 1 = 2.5 %.
    table = suggestions.usage_suggestions(usage_history([204.0, 206.0, 205.0]),
                                          pd.Series({"C": "Resin"}))
    row = table.iloc[0]
    assert (row["parent_code"], row["component_code"], row["component_name"]) == (
        "P", "C", "Resin")
    assert (row["tasks"], row["task_list"]) == (3, "T1, T2, T3")
    assert [row["completed_qty"], row["issued_qty"], row["standard_qty"]] == pytest.approx(
        [300.0, 615.0, 600.0])
    assert [row["actual_per_unit"], row["variance_pct"]] == pytest.approx([2.05, 0.025])
    assert row["confidence"] == pytest.approx(1.0, abs=1e-6)
    assert row["action"] == "raise"
    assert [row["suggested_qty_per"], row["suggested_loss_rate"]] == pytest.approx(
        [2.0, 0.025])


def test_usage_below_standard_lowers_loss_then_usage() -> None:
    # standard 2 × 1.10 = 2.2; actual 2.0 → loss 0 %, qty per stays 2
    row = suggestions.usage_suggestions(usage_history([200.0, 200.0], loss=0.1)).iloc[0]
    assert (row["action"], row["suggested_qty_per"], row["suggested_loss_rate"]) == (
        "lower", pytest.approx(2.0), pytest.approx(0.0))
    # actual 1.9 < qty per 2 → qty per 1.9 with no loss
    row = suggestions.usage_suggestions(usage_history([190.0, 190.0])).iloc[0]
    assert (row["action"], row["suggested_qty_per"], row["suggested_loss_rate"]) == (
        "lower", pytest.approx(1.9), pytest.approx(0.0))


def test_usage_needs_evidence() -> None:
    one = suggestions.usage_suggestions(usage_history([250.0])).iloc[0]
    assert one["action"] == "more_data" and pd.isna(one["confidence"])
    # gaps −0.05 and +0.06: mean 0.005, σ 0.0778 → z 0.09, confidence 7 %: keep
    noisy = suggestions.usage_suggestions(usage_history([195.0, 206.0])).iloc[0]
    assert noisy["action"] == "keep" and noisy["confidence"] == pytest.approx(0.0715, abs=1e-3)
    assert noisy["suggested_qty_per"] == 2.0


def supplier_book() -> tuple[pd.DataFrame, pd.DataFrame]:
    receipts = pd.DataFrame({
        "doc_no": ["R1", "R2", "R3", "R4"], "line_no": 1,
        "doc_date": [D("2026-01-08"), D("2026-01-15"), D("2026-01-18"), D("2026-01-19")],
        "supplier_code": ["S1", "S1", "S2", "S1"], "item_code": ["X", "X", "X", "Y"],
        "qty": [100.0, 100.0, 100.0, 10.0], "unit_cost": [10.0, 10.0, 11.0, 4.0],
        "reverses_doc_no": ""})
    orders = pd.DataFrame({
        "po_no": ["PO1", "PO2", "PO3"], "line_no": 1, "supplier_code": ["S1", "S2", "S2"],
        "item_code": ["X", "X", "X"], "qty": [200.0, 100.0, 5.0],
        "due_date": [D("2026-01-10"), D("2026-01-20"), D("2026-01-25")],
        "unit_price": [10.0, 10.5, 9.0], "status": ["closed", "open", "cancelled"]})
    return receipts, orders


def test_receipts_match_order_lines_first_in_first_out() -> None:
    receipts, orders = supplier_book()
    found = scorecard.receipts({"purchase_receipts": receipts}, {"R1", "R2", "R3", "R4"})
    matched = scorecard.match_orders(found, orders).set_index("doc_no")
    assert matched.loc[["R1", "R2", "R3"], "due_date"].tolist() == [
        D("2026-01-10"), D("2026-01-10"), D("2026-01-20")]
    assert pd.isna(matched.loc["R4", "due_date"])  # S1 never ordered Y
    # lateness of X: −2, +5, −2 days → sample σ = √(32.667 / 2) = 4.04
    assert scorecard.lead_time_sigma(matched.reset_index())["X"] == pytest.approx(4.0415,
                                                                                   abs=1e-4)


def test_scorecard_and_preferred_supplier() -> None:
    receipts, orders = supplier_book()
    matched = scorecard.match_orders(scorecard.receipts({"purchase_receipts": receipts},
                                                        {"R1", "R2", "R3"}), orders)
    quality = pd.DataFrame({"supplier_code": ["S1", "S2"], "pass_rate": [0.95, 1.0],
                            "acceptance_rate": [0.98, 1.0]})
    card = scorecard.supplier_scorecard(matched, quality, pd.Series({"S1": "Acme"}))
    rows = card.set_index("supplier_code")
    # S1: on time 100 of 200 = 50 %, paid at the PO price → 40 × .98 + 40 × .5 + 20 = 79.2
    assert rows.loc["S1", ["receipts", "on_time_rate", "price_variance", "score", "rank"]
                    ].tolist() == pytest.approx([2, 0.5, 0.0, 79.2, 2])
    # S2: on time, 11.00 against 10.50 → +4.76 %: 40 + 40 + 20 × (1 − 0.047619) = 99.05
    assert rows.loc["S2", ["on_time_rate", "price_variance", "score", "rank"]].tolist() == (
        pytest.approx([1.0, 0.047619, 99.05, 1], abs=1e-4))
    assert rows.loc["S1", "supplier_name"] == "Acme"
    best = scorecard.preferred_suppliers(matched, quality, items(X=0.0)).set_index(
        "supplier_code")
    # per item the cheapest scores 1 on price: S1 39.2 + 20 + 20 = 79.2;
    # S2 40 + 40 + 20 × 10/11 = 98.18 → S2 first, a switch from the default S1
    assert best.loc["S2", ["rank", "score", "switch"]].tolist() == [1, pytest.approx(98.18),
                                                                      True]
    assert best.loc["S1", ["rank", "score", "switch"]].tolist() == [2, pytest.approx(79.2),
                                                                      False]


def test_missing_figures_share_their_weight() -> None:
    receipts, orders = supplier_book()
    matched = scorecard.match_orders(scorecard.receipts({"purchase_receipts": receipts},
                                                        {"R4"}), orders)
    card = scorecard.supplier_scorecard(matched, None)
    # S1's only receipt has no order and no inspection: nothing to score on time or
    # quality, price score alone (no PO price → blank) → no score, ranked last
    assert card["score"].isna().all() and card["rank"].tolist() == [1]


def test_command_options_are_checked() -> None:
    tables = {"items": items(X=7.0)}
    with pytest.raises(UsageError, match=r"service_level must be at least 0\.5 and below 1"):
        run("suggest", tables, {"service_level": 95})
    with pytest.raises(UsageError, match="periods must be a whole number of at least 2"):
        run("suggest", tables, {"periods": 1})


def test_the_command_posts_then_suggests_and_changes_nothing() -> None:
    # the usage case above, typed as documents: three tasks of 100 P each issued 204,
    # 206 and 205 of C (qty per 2) → raise the loss rate to 2.5 %
    tasks = ["T1", "T2", "T3"]
    day = [D("2026-01-05"), D("2026-01-06"), D("2026-01-07")]
    tables = {
        "items": pd.DataFrame({"item_code": ["C", "P"], "item_name": ["Resin", "Part"],
                               "standard_cost": [1.0, 5.0], "inspection": "exempt",
                               "lead_time_days": [14.0, 0.0], "safety_stock": 0.0,
                               "integer_only": False, "default_supplier": ""}),
        "warehouses": pd.DataFrame({"warehouse_code": ["W1"], "warehouse_type": ["normal"],
                                    "supplier_code": [""]}),
        "stock": pd.DataFrame({"item_code": ["C"], "warehouse_code": ["W1"],
                               "location_code": "", "lot": "", "qty": [1000.0]}),
        "production_tasks": pd.DataFrame({"task_no": tasks, "item_code": "P",
                                          "qty": 100.0, "stocked_qty": 0.0,
                                          "status": "released", "start_date": day}),
        "task_materials": pd.DataFrame({
            "task_no": tasks, "component_code": "C", "qty_per": 2.0,
            "variable_loss_rate": 0.0, "fixed_loss": 0.0, "required_qty": 210.0,
            "issued_qty": 0.0, "scrapped_qty": 0.0, "issue_method": "direct",
            "supply_warehouse": "W1"}),
        "material_issues": pd.DataFrame({
            "doc_no": ["I1", "I2", "I3"], "line_no": 1, "doc_date": day, "item_code": "C",
            "warehouse_code": "W1", "qty": [204.0, 206.0, 205.0], "task_no": tasks}),
        "product_receipts": pd.DataFrame({
            "doc_no": ["P1", "P2", "P3"], "line_no": 1,
            "doc_date": [d + pd.Timedelta(days=3) for d in day], "item_code": "P",
            "warehouse_code": "W1", "qty": 100.0, "task_no": tasks}),
    }
    before = {name: frame.copy() for name, frame in tables.items()}
    result = run("suggest", tables, {"to": "2026-01-31", "periods": 3, "period_days": 10})
    assert result.ok, [i.message() for i in result.issues]
    usage = result.tables["usage_suggestions"].iloc[0]
    assert (usage["action"], usage["actual_per_unit"]) == ("raise", pytest.approx(2.05))
    assert usage["suggested_loss_rate"] == pytest.approx(0.025)
    # C: 615 issued in the first of three 10-day periods (Jan 2–11), none after: d̄ 205,
    # σ = √((410² + 205² + 205²) / 2) = 355.07; LT 14 days = 1.4 periods →
    # 1.6449 × 355.07 × √1.4 = 1.6449 × 420.12 = 691.04
    ss = result.tables["safety_stock_suggestions"].set_index("item_code")
    assert ss.loc["C", ["std_demand", "suggested_safety_stock"]].tolist() == pytest.approx(
        [355.0704, 691.04], abs=1e-4)
    assert result.updates == {}
    for name, frame in before.items():  # the input tables are untouched
        pd.testing.assert_frame_equal(tables[name], frame)
