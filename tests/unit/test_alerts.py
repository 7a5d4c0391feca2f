"""Production progress alerts (DOMAIN §6, 生产任务跟踪预警): hand-worked numbers for every
alert kind, completion and issue rates, posted documents, the dashboard."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest
from frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

import addin.commands.alerts  # noqa: F401  (registers the command)
from addin import commands
from addin.engines.alerts import AlertOptions, progress_alerts
from addin.engines.taskprogress import stock_after
from addin.errors import UsageError

AS_OF = dt.date(2026, 3, 10)


def task(no: str, item: str, qty: float, due: str, stocked: float = 0.0,
         status: str = "released", start: str | None = None) -> dict:
    return {"task_no": no, "item_code": item, "qty": qty, "stocked_qty": stocked,
            "due_date": due, "start_date": start, "status": status}


def material(no: str, component: str, required: float, issued: float = 0.0) -> dict:
    return {"task_no": no, "component_code": component, "qty_per": 1.0,
            "required_qty": required, "issued_qty": issued, "supply_warehouse": "W1"}


def doc(no: str, date: str, item: str, qty: float, task_no: str = "", **more) -> dict:
    return {"doc_no": no, "doc_date": date, "item_code": item, "warehouse_code": "W1",
            "qty": qty, "task_no": task_no, **more}


def factory() -> dict[str, pd.DataFrame]:
    """A fresh dict of the (shared, never modified) tables below."""
    return dict(_factory())


@functools.cache
def _factory() -> dict[str, pd.DataFrame]:
    """As of 2026-03-10, close after 7 days.

    T1  P 100, 40 in on the sheet + 20 posted (R1) → 60 %, due 03-05: 5 days late.
        A: 200 required, 100 issued before; B: 100 required, 30 issued (I1).
    T2  P 50, starts 03-12: A 100 required, nothing issued.
    T3  Q 20, all 20 in, due 02-20 and still open: 18 days after finish.
        C: 20 required, 25 issued before, 2 returned (M1) → 3 over-issued.
    T4  Q 10, nothing in, due 02-25: 13 days late. C: 10 required, 10 issued + 3 on a
        supplement (S1): over the list, but with a supplement.
    T5  P 10, closed, all in. T6 cancelled.
    Stock: A 50 in W1 (+ 500 in the inspection store QC, never usable), B 60, C 10.
    """
    return {
        "items": typed("items", [
            {"item_code": code, "item_name": f"Item {code}", "item_type": kind}
            for code, kind in (("P", "manufactured"), ("Q", "manufactured"),
                               ("A", "purchased"), ("B", "purchased"), ("C", "purchased"))]),
        "warehouses": typed("warehouses", [
            {"warehouse_code": "W1", "warehouse_type": "normal", "nettable": True},
            {"warehouse_code": "QC", "warehouse_type": "inspection", "nettable": True}]),
        "stock": typed("stock", [
            {"item_code": i, "warehouse_code": w, "qty": q}
            for i, w, q in (("A", "W1", 50), ("A", "QC", 500), ("B", "W1", 60),
                            ("C", "W1", 10))]),
        "production_tasks": typed("production_tasks", [
            task("T1", "P", 100, "2026-03-05", stocked=40, start="2026-03-01"),
            task("T2", "P", 50, "2026-03-20", start="2026-03-12"),
            task("T3", "Q", 20, "2026-02-20", stocked=20, start="2026-02-10"),
            task("T4", "Q", 10, "2026-02-25", status="planned", start="2026-02-15"),
            task("T5", "P", 10, "2026-02-01", stocked=10, status="closed"),
            task("T6", "P", 99, "2026-01-01", status="cancelled")]),
        "task_materials": typed("task_materials", [
            material("T1", "A", 200, issued=100), material("T1", "B", 100),
            material("T2", "A", 100), material("T3", "C", 20, issued=25),
            material("T4", "C", 10, issued=10)]),
        "material_issues": typed("material_issues", [doc("I1", "2026-03-02", "B", 30, "T1")]),
        "material_returns": typed("material_returns", [doc("M1", "2026-03-03", "C", 2, "T3")]),
        "supplements": typed("supplements", [doc("S1", "2026-03-04", "C", 3, "T4")]),
        "product_receipts": typed("product_receipts", [doc("R1", "2026-03-08", "P", 20, "T1")]),
    }


def run(tables: dict[str, pd.DataFrame], **options: object) -> commands.Result:
    result = commands.run("alerts", tables, {"as_of": AS_OF, **options})
    assert result.ok, [i.located() for i in result.issues]
    return result


def alerts_of(result: commands.Result) -> list[tuple]:
    frame = result.tables["production_alerts"]
    return list(zip(frame["task_no"], frame["alert"], frame["component_code"],
                    frame["severity"], frame["figure"], strict=True))


def test_every_alert_kind_with_its_figure_and_severity():
    # errors first: T4 13 days late (> 7), T1 short 50 of A (50 in W1 − nothing before it;
    # the 500 in inspection never count) and 40 of B (60 − 30 issued = 30 left of 70);
    # then warnings: T3 not closed 18 days and over-issued 25 − 2 − 20 = 3, T1 5 days
    # late, T2 short all its 100 of A (T1 took the 50) but it starts after the as-of date.
    assert alerts_of(run(factory())) == [
        ("T4", "overdue", "", "error", 13.0),
        ("T1", "short_of_material", "A", "error", 50.0),
        ("T1", "short_of_material", "B", "error", 40.0),
        ("T3", "not_closed", "", "warning", 18.0),
        ("T3", "over_issued", "C", "warning", 3.0),
        ("T1", "overdue", "", "warning", 5.0),
        ("T2", "short_of_material", "A", "warning", 100.0),
    ]


def test_task_progress_completion_and_issue_rates():
    # T1: (40 + 20) / 100 = 60 %; issued A 100/200 and B 30/100 → (50 % + 30 %) / 2 = 40 %
    # T3: 20/20; C (25 − 2) / 20 = 115 %. T4: 0/10; C (10 + 3) / 10 = 130 %.
    progress = run(factory()).tables["task_progress"].set_index("task_no")
    assert list(progress.index) == ["T5", "T3", "T4", "T1", "T2"]  # by finish date; no T6
    assert progress["completion"].to_dict() == pytest.approx(
        {"T5": 1.0, "T3": 1.0, "T4": 0.0, "T1": 0.6, "T2": 0.0})
    assert progress.loc["T1", "stocked_qty"] == 60
    rates = progress["issue_rate"]
    assert rates[["T1", "T2", "T3", "T4"]].tolist() == pytest.approx([0.4, 0.0, 1.15, 1.3])
    assert pd.isna(rates["T5"])  # no material list
    assert progress["short_lines"].tolist() == [0, 0, 0, 2, 1]
    assert progress["alerts"].tolist() == [0, 2, 1, 3, 1]
    assert progress["severity"].tolist() == ["", "warning", "error", "error", "warning"]
    assert progress.loc["T1", "item_name"] == "Item P"


def test_alert_rows_and_task_rows_are_highlighted():
    result = run(factory())
    assert result.row_styles["production_alerts"].tolist() == ["error"] * 3 + ["warning"] * 4
    assert result.row_styles["task_progress"].tolist() == [
        "", "warning", "error", "error", "warning"]


def test_messages_in_both_languages():
    en = run(factory()).tables["production_alerts"].set_index(["task_no", "alert"])["message"]
    assert en["T4", "overdue"] == "Task T4 (Q) was due on 2026-02-25: 13 days late, 0 of 10 in"
    assert en["T1", "short_of_material"].iloc[0] == (
        "Task T1 still needs 100 of A; only 50 is left in stock: 50 short")
    assert en["T3", "over_issued"] == ("Task T3: 23 of C issued (net of returns), 3 over the "
                                       "required 20, without a supplement")
    assert en["T3", "not_closed"] == ("Task T3 (Q) finished on 2026-02-20 (20 of 20 in) and "
                                      "is still open after 18 days")
    zh = run(factory(), lang="zh").tables["production_alerts"]
    assert zh["message"].iloc[0] == "任务 T4（Q）计划 2026-02-25 完工，已逾期 13 天，入库 0/10"


def test_dashboard_counts_bands_and_charts():
    result = run(factory())
    summary = result.summary
    assert summary is not None
    assert summary.figures == [("Production tasks", 5.0), ("of which open", 4.0),
                               ("Average completion %", 52.0), ("Alerts", 7.0),
                               ("of which errors", 3.0)]  # (1 + 1 + 0 + 0.6 + 0) / 5
    counts, bands = summary.blocks
    assert (counts.table, counts.chart, counts.category, counts.values) == (
        "alert_counts", "bar", "alert", "count")
    assert counts.frame.values.tolist() == [["overdue", 2, 2], ["not_closed", 1, 1],
                                            ["short_of_material", 3, 2], ["over_issued", 1, 1]]
    assert (bands.table, bands.chart) == ("completion_overview", "column")
    # none: T2, T4; 1–49 %: –; 50–99 %: T1; complete: T3, T5
    assert bands.frame.values.tolist() == [["none", 2, 60.0, 0.0], ["under_half", 0, 0.0, 0.0],
                                           ["over_half", 1, 100.0, 60.0],
                                           ["complete", 2, 30.0, 30.0]]
    assert result.messages == ["7 alerts on 5 tasks (2 overdue, 1 not closed, "
                               "3 short of material, 1 over-issued)"]


def test_close_after_days_from_option_and_settings():
    # with N = 20 T3 (18 days) is not yet "not closed" and T4 (13 days late) only a warning
    tables = factory()
    kinds = [(t, k, s) for t, k, _, s, _ in alerts_of(run(tables, close_after_days=20))]
    assert ("T3", "not_closed", "warning") not in kinds
    assert ("T4", "overdue", "warning") in kinds
    tables["settings"] = typed("settings", [{"setting": "close_after_days", "value": "20"}])
    assert [a[:2] for a in alerts_of(run(tables))] == [(t, k) for t, k, _ in kinds]
    tables["settings"] = typed("settings", [{"setting": "close_after_days", "value": "soon"}])
    bad = commands.run("alerts", tables, {"as_of": AS_OF})
    assert [(i.code, i.row) for i in bad.issues] == [("setting_bad_days", 2)]
    assert bad.tables == {}


def test_bad_options_are_usage_errors():
    with pytest.raises(UsageError, match="as_of 'soon' is not a date"):
        commands.run("alerts", factory(), {"as_of": "soon"})
    with pytest.raises(UsageError, match="close_after_days must be 0 or more"):
        commands.run("alerts", factory(), {"as_of": AS_OF, "close_after_days": -1})


def test_as_of_from_the_settings_planning_date():
    tables = {**factory(), "settings": typed("settings", [
        {"setting": "planning_date", "value": "2026-03-01"}])}
    result = commands.run("alerts", tables, {})
    late = {t: f for t, k, _, _, f in alerts_of(result) if k == "overdue"}
    assert late == {"T4": 4.0}  # 03-01 − 02-25; T1 (due 03-05) is not late yet


def test_receipt_after_the_finish_date_starts_the_close_clock():
    # T3 finished late: its last 5 came in on 03-06, so only 4 days ago — no alert
    tables = factory()
    tables["production_tasks"] = typed("production_tasks", [
        task("T3", "Q", 20, "2026-02-20", stocked=15)])
    tables["product_receipts"] = typed("product_receipts", [
        doc("R9", "2026-03-06", "Q", 5, "T3")])
    assert [a[1] for a in alerts_of(run(tables))] == ["over_issued"]
    assert [a[1] for a in alerts_of(run(tables, as_of=dt.date(2026, 3, 14)))] == [
        "not_closed", "over_issued"]


def test_a_reversed_receipt_no_longer_counts():
    # R1 (20 of P for T1) reversed by X1: T1 back to 40 %
    tables = factory()
    tables["product_receipts"] = typed("product_receipts", [
        doc("R1", "2026-03-08", "P", 20, "T1"),
        doc("X1", "2026-03-09", "P", 0, "T1", reverses_doc_no="R1")])
    progress = run(tables).tables["task_progress"].set_index("task_no")
    assert progress.loc["T1", "completion"] == pytest.approx(0.4)


def test_a_merged_issue_is_split_back_to_its_tasks():
    # M issues 120 of A for "T1,T2": T1 (starts first) still needs 100 → 100, T2 → 20.
    # A stock 50 + 100 received − 120 = 30 left: T2 still needs 80 → 50 short.
    tables = factory()
    tables["purchase_receipts"] = typed("purchase_receipts", [
        doc("P1", "2026-03-01", "A", 100, unit_cost=1.0)])
    tables["material_issues"] = typed("material_issues", [
        doc("I1", "2026-03-02", "B", 30, "T1"),
        doc("M", "2026-03-02", "A", 120, "T1,T2", issue_mode="merged")])
    result = run(tables)
    progress = result.tables["task_progress"].set_index("task_no")
    assert progress.loc["T1", "issue_rate"] == pytest.approx((200 / 200 + 30 / 100) / 2)
    assert progress.loc["T2", "issue_rate"] == pytest.approx(0.2)
    short = [(t, c, f) for t, k, c, _, f in alerts_of(result) if k == "short_of_material"]
    assert short == [("T1", "B", 40.0), ("T2", "A", 50.0)]


def test_a_refused_document_is_a_warning_and_not_counted():
    # I2 issues 500 of B to T1: only 70 left to issue and 30 in stock → refused, so B is
    # still 30 issued
    tables = factory()
    tables["material_issues"] = typed("material_issues", [
        doc("I1", "2026-03-02", "B", 30, "T1"), doc("I2", "2026-03-03", "B", 500, "T1")])
    result = run(tables)
    assert sorted((i.code, i.severity, i.params["doc_no"]) for i in result.issues) == [
        ("post_insufficient_stock", "warning", "I2"), ("post_over_issue", "warning", "I2")]
    progress = result.tables["task_progress"].set_index("task_no")
    assert progress.loc["T1", "issue_rate"] == pytest.approx(0.4)


def test_input_warnings_and_no_documents():
    tables = {"production_tasks": typed("production_tasks", [task("T1", "P", 0, "2026-03-20")]),
              "task_materials": typed("task_materials", [material("T9", "A", 5)])}
    result = run(tables)
    assert [(i.code, i.sheet, i.row, i.value) for i in result.issues] == [
        ("alerts_zero_qty", "production_tasks", 2, "T1"),
        ("alerts_unknown_task", "task_materials", 2, "T9")]
    progress = result.tables["task_progress"]
    assert progress["completion"].isna().tolist() == [True]
    assert result.tables["production_alerts"].empty


def test_stock_after_posting_takes_outflows_from_untracked_stock_first():
    # A in W1: 10 untracked + 5 for SO1; 12 out → untracked 0, SO1 3; a receipt of T1
    # (made for SO2) adds 4 tracked SO2
    stock = typed("stock", [{"item_code": "A", "warehouse_code": "W1", "qty": 10},
                            {"item_code": "A", "warehouse_code": "W1", "qty": 5,
                             "tracking_no": "SO1"}])
    moves = pd.DataFrame({"doc_type": ["material_issue", "product_receipt"],
                          "item_code": ["A", "A"], "warehouse_code": ["W1", "W1"],
                          "task_no": ["T9", "T1"], "qty": [-12.0, 4.0]})
    tasks = pd.DataFrame({"task_no": ["T1"], "tracking_no": ["SO2"]})
    after = stock_after(stock, moves, tasks)
    assert after[["tracking_no", "qty"]].values.tolist() == [["", 0.0], ["SO1", 3.0],
                                                             ["SO2", 4.0]]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=1, max_size=6),
       st.floats(0, 300))
def test_shortages_never_exceed_what_is_to_issue_and_use_all_stock(needs, stock):
    # tasks needing A in start order: total short = max(0, Σ to issue − stock), each
    # task's short ≤ its own need (frames built directly: typing them is the slow part)
    n = len(needs)
    tasks = pd.DataFrame({
        "task_no": [f"T{i}" for i in range(n)], "item_code": "P", "qty": 1.0,
        "stocked_qty": 0.0, "status": "released", "tracking_no": "",
        "due_date": pd.Timestamp("2026-04-01"),
        "start_date": pd.date_range("2026-03-01", periods=n, freq="D")})
    mats = pd.DataFrame({"task_no": tasks["task_no"], "component_code": "A",
                         "required_qty": [req + done for req, done in needs],
                         "issued_qty": [done for _, done in needs]})
    on_hand = pd.DataFrame({"item_code": ["A"], "warehouse_code": ["W1"], "tracking_no": [""],
                            "qty": [stock], "locked_qty": [0.0]})
    result = progress_alerts(tasks, mats, None, None, on_hand, None, None,
                             AlertOptions(as_of=AS_OF))
    short = result.alerts.set_index("task_no")["figure"]
    want = [req for req, _ in needs]
    assert short.sum() == pytest.approx(max(0.0, sum(want) - stock), abs=1e-5)
    for i, need in enumerate(want):
        assert short.get(f"T{i}", 0.0) <= need + 1e-6


def test_goods_waiting_in_inspection_do_not_relieve_a_shortage():
    # a receipt notice puts 100 A into the inspection store QC: T1 is still 50 short
    tables = {k: v for k, v in factory().items() if k not in (
        "material_issues", "material_returns", "supplements", "product_receipts")}
    tables["receipt_notices"] = typed("receipt_notices", [
        doc("N1", "2026-03-01", "A", 100, warehouse_code="QC", unit_cost=1.0)])
    result = run(tables)
    assert result.issues == []
    short = {(t, c): f for t, k, c, _, f in alerts_of(result) if k == "short_of_material"}
    assert short[("T1", "A")] == 50.0
