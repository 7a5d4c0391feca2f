"""What plan and tasks take from the workbook besides demand: BOM units converted to stock
units, which stock is nettable, and the settings sheet (DOMAIN §1, §2, §6)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from frames import typed

from addin import commands
from addin.commands.plan import plan_settings
from addin.engines.bom import bom_in_stock_units, check_bom_lines
from addin.engines.mrpdata import Coder, opening_stock, prepare_items
from addin.engines.tasks import TaskOptions, generate_tasks

DAY = dt.date(2026, 3, 2)


def item(code: str, kind: str = "purchased", unit: str = "pcs", **extra: object) -> dict:
    return {"item_code": code, "item_name": code, "item_type": kind, "stock_unit": unit,
            **extra}


# ------------------------------------------------------------------------- units

UNIT_ITEMS = [item("P", "manufactured"), item("W", unit="kg"), item("W2", unit="kg"),
              item("S"), item("S2"), item("T", unit="PCS"), item("R", unit="kg")]
UNIT_BOM = [
    {"parent_code": "P", "component_code": "W", "qty_numerator": 85, "unit": "m",
     "fixed_loss": 10},
    {"parent_code": "P", "component_code": "W2", "qty_numerator": 90, "unit": "M"},
    {"parent_code": "P", "component_code": "S", "qty_numerator": 0.04, "unit": "box"},
    {"parent_code": "P", "component_code": "S2", "qty_numerator": 1, "unit": "box"},
    {"parent_code": "P", "component_code": "T", "qty_numerator": 3, "unit": "pcs"},
    {"parent_code": "P", "component_code": "R", "qty_numerator": 2, "unit": "roll"},
]
CONVERSIONS = [
    {"item_code": "W", "from_unit": "m", "to_unit": "kg", "factor": 0.0222},
    {"item_code": "W2", "from_unit": "kg", "to_unit": "m", "factor": 45},  # the other way
    {"from_unit": "box", "to_unit": "pcs", "factor": 100},                # general
    {"item_code": "S2", "from_unit": "box", "to_unit": "pcs", "factor": 200},  # own wins
]


def test_bom_usage_is_converted_into_the_stock_unit():
    # W: 85 m × 0.0222 = 1.887 kg, fixed loss 10 m × 0.0222 = 0.222 kg;
    # W2: 1 kg = 45 m, so 90 m = 2 kg; S: 0.04 box × 100 = 4 pcs (general conversion);
    # S2: its own 1 box = 200 pcs beats the general 100; T: "pcs" is its stock unit "PCS";
    # R: no roll ↔ kg conversion — left as it is, and the check says so.
    bom = typed("bom", UNIT_BOM)
    out = bom_in_stock_units(bom, typed("items", UNIT_ITEMS), typed("unit_conversions",
                                                                     CONVERSIONS))
    assert out["qty_numerator"].tolist() == pytest.approx([1.887, 2.0, 4.0, 200.0, 3.0, 2.0])
    assert out["fixed_loss"].tolist() == pytest.approx([0.222, 0, 0, 0, 0, 0])
    assert out["unit"].tolist() == ["kg", "kg", "pcs", "pcs", "pcs", "roll"]
    assert bom["qty_numerator"].tolist()[0] == 85  # the input is not changed
    issues = check_bom_lines(bom, typed("items", UNIT_ITEMS),
                             typed("unit_conversions", CONVERSIONS))
    assert [(i.code, i.row, i.value) for i in issues] == [("bom_unit_no_conversion", 7, "roll")]


def wire_model() -> dict[str, pd.DataFrame]:
    """Coil P (made) uses 85 m of copper wire W (stocked in kg, 1 m = 0.0222 kg) and 0.04
    box of screws S (stocked in pcs, 1 box = 100 pcs); 10 coils are ordered."""
    return {
        "items": typed("items", [item("P", "manufactured", lead_time_days=1),
                                 item("W", unit="kg", lead_time_days=2),
                                 item("S", lead_time_days=2)]),
        "bom": typed("bom", [
            {"parent_code": "P", "component_code": "W", "qty_numerator": 85, "unit": "m"},
            {"parent_code": "P", "component_code": "S", "qty_numerator": 0.04,
             "unit": "box"}]),
        "unit_conversions": typed("unit_conversions", CONVERSIONS[:1] + CONVERSIONS[2:3]),
        "sales_orders": typed("sales_orders", [{"order_no": "SO1", "item_code": "P",
                                                "qty": 10, "due_date": "2026-03-20"}]),
    }


def test_plan_buys_the_wire_in_kg_and_the_screws_in_pcs():
    # 10 coils × 85 m × 0.0222 kg/m = 18.87 kg of wire; 10 × 0.04 box × 100 = 40 screws.
    result = commands.run("plan", wire_model(), {"date": DAY})
    assert result.ok, [i.located() for i in result.issues]
    planned = result.tables["planned_orders"].set_index("item_code")["qty"]
    assert planned["W"] == pytest.approx(18.87)
    assert planned["S"] == pytest.approx(40.0)


def test_plan_without_the_conversions_stops_on_the_unit_errors():
    tables = {k: v for k, v in wire_model().items() if k != "unit_conversions"}
    result = commands.run("plan", tables, {"date": DAY})
    assert [i.code for i in result.issues if i.severity == "error"] == [
        "bom_unit_no_conversion"] * 2
    assert result.tables == {}


def test_task_material_list_is_in_the_stock_unit():
    # the task of 10 coils needs 18.87 kg of wire and 40 screws
    result = commands.run("tasks", wire_model(), {"date": DAY})
    materials = result.tables["material_lists"].set_index("component_code")
    assert materials.loc["W", "required_qty"] == pytest.approx(18.87)
    assert materials.loc["S", "required_qty"] == pytest.approx(40.0)


# --------------------------------------------------------------- nettable stock

WAREHOUSES = [
    {"warehouse_code": "N", "warehouse_type": "normal", "nettable": True},
    {"warehouse_code": "F", "warehouse_type": "normal", "nettable": False},
    {"warehouse_code": "Q", "warehouse_type": "inspection", "nettable": True},
    {"warehouse_code": "CV", "warehouse_type": "customer_virtual", "nettable": True},
    {"warehouse_code": "AS", "warehouse_type": "at_supplier", "nettable": True},
    {"warehouse_code": "AX", "warehouse_type": "at_supplier", "nettable": False},
]
# X: own purchased material; Y: the customer's own (customer-supplied) material
STOCK = [{"item_code": code, "warehouse_code": where, "qty": qty} for code, where, qty in (
    ("X", "N", 10), ("X", "F", 20), ("X", "Q", 40), ("X", "CV", 80), ("X", "AS", 160),
    ("X", "AX", 320), ("X", "ELSEWHERE", 640), ("Y", "CV", 5), ("Y", "Q", 7), ("Y", "N", 11))]


def test_only_nettable_stock_is_opening_stock():
    # X: N 10 + AS 160 + unlisted 640 = 810; not F (flag off), Q (inspection, despite its
    # flag), CV (customer material is never own stock), AX (flag off).
    # Y (customer-supplied): CV 5 + N 11 = 16; not Q 7.
    items = prepare_items(typed("items", [item("X"), item("Y", "customer_supplied")]),
                          typed("bom", []))
    coder = Coder(items)
    opening = opening_stock(typed("stock", STOCK), typed("warehouses", WAREHOUSES), coder)
    assert dict(zip(coder.index[opening["item"]], opening["qty"], strict=True)) == {
        "X": 810.0, "Y": 16.0}


def test_plan_nets_only_nettable_stock():
    # demand 1000 of X against 810 nettable → one purchase of 190
    tables = {"items": typed("items", [item("X", lead_time_days=1),
                                       item("Y", "customer_supplied")]),
              "bom": typed("bom", []), "stock": typed("stock", STOCK),
              "warehouses": typed("warehouses", WAREHOUSES),
              "sales_orders": typed("sales_orders", [{"order_no": "SO1", "item_code": "X",
                                                      "qty": 1000,
                                                      "due_date": "2026-03-20"}])}
    result = commands.run("plan", tables, {"date": DAY})
    planned = result.tables["planned_orders"]
    assert planned[["item_code", "qty"]].values.tolist() == [["X", 190.0]]


# --------------------------------------------------------------------- settings


def settings(*rows: tuple[str, str]) -> pd.DataFrame:
    return typed("settings", [{"setting": name, "value": value} for name, value in rows])


def test_plan_settings_fill_what_the_options_leave_blank():
    sheet = settings(("Planning date", "2026-03-02"), ("bucket", "Week"), ("merge_days", "3"))
    assert plan_settings(sheet, {}) == ({"date": DAY, "bucket": "week", "merge_days": 3.0}, [])
    values, issues = plan_settings(sheet, {"date": "2026-04-01", "bucket": "day"})
    assert (values, issues) == ({"merge_days": 3.0}, [])


def test_bad_settings_are_errors_only_when_used():
    sheet = settings(("planning_date", "soon"), ("bucket", "fortnight"), ("merge_days", "-1"))
    _, issues = plan_settings(sheet, {})
    assert [(i.code, i.severity, i.row) for i in issues] == [
        ("setting_bad_date", "error", 2), ("setting_bad_bucket", "error", 3),
        ("setting_bad_days", "error", 4)]
    _, issues = plan_settings(sheet, {"date": DAY, "bucket": "day", "merge_days": 0})
    assert {i.severity for i in issues} == {"warning"}


def test_plan_uses_the_settings_planning_date_and_bucket():
    # order due Fri 03-20; with the settings' week bucket it is needed at the start of its
    # ISO week, Mon 03-16; lead 30 days → release 02-14, before the settings' planning date
    # 03-02: released on 03-02, 16 days past due (day buckets would give 12).
    tables = {"items": typed("items", [item("X", lead_time_days=30)]),
              "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [{"order_no": "SO1", "item_code": "X",
                                                      "qty": 5, "due_date": "2026-03-20"}]),
              "settings": settings(("planning_date", "2026-03-02"), ("bucket", "week"))}
    planned = commands.run("plan", tables, {}).tables["planned_orders"]
    assert planned["release_date"].dt.date.tolist() == [DAY]
    assert planned["past_due_days"].tolist() == [16.0]
    assert planned["need_bucket"].tolist() == ["2026-W12"]
    # the options win over the sheet: day buckets, planning date 02-01 → release 03-20 − 30
    planned = commands.run("plan", tables, {"date": "2026-02-01", "bucket": "day"}
                           ).tables["planned_orders"]
    assert planned["release_date"].dt.date.tolist() == [dt.date(2026, 2, 18)]


def test_a_bad_settings_date_stops_plan_and_tasks():
    tables = {**wire_model(), "settings": settings(("planning_date", "2026-13-01"))}
    for name in ("plan", "tasks"):
        result = commands.run(name, tables, {})
        assert [i.code for i in result.issues] == ["setting_bad_date"]
        assert result.tables == {}


def test_tasks_take_the_planning_date_from_settings():
    tables = {**wire_model(), "settings": settings(("planning_date", "2026-03-02"))}
    tasks = commands.run("tasks", tables, {}).tables["generated_tasks"]
    assert tasks["task_no"].tolist() == ["MO-20260302-0001"]


def test_tasks_return_the_pushed_quantities_as_sales_order_updates():
    result = commands.run("tasks", wire_model(), {"date": DAY})
    update = result.updates["sales_orders"]
    assert update.values.tolist() == [["SO1", 1, 10.0]]
    again = generate_tasks({**wire_model(), "sales_orders": wire_model()["sales_orders"].assign(
        pushed_qty=10.0)}, TaskOptions(planning_date=DAY))
    assert again.tasks.empty
    assert np.isclose(again.pushed["pushed_now"].sum(), 0.0)


# ------------------------------------------------------------ posted documents


def posted_model(**documents: list[dict]) -> dict[str, pd.DataFrame]:
    """P = 1 A. Task T1 makes 100 P (start 03-03, finish 03-10) and needs 100 A; 50 A in
    stock; the Allocations sheet still says 999 A for T1; SO1 wants 150 P on 03-20."""
    def doc(no: str, date: str, code: str, qty: float, **more: object) -> dict:
        return {"doc_no": no, "doc_date": date, "item_code": code, "warehouse_code": "W1",
                "qty": qty, "task_no": "T1", **more}

    given = {"material_issues": [doc("I1", "2026-02-27", "A", 30)],
             "product_receipts": [doc("R1", "2026-02-28", "P", 40)], **documents}
    return {
        "items": typed("items", [item("P", "manufactured", lead_time_days=1),
                                 item("A", lead_time_days=1)]),
        "bom": typed("bom", [{"parent_code": "P", "component_code": "A", "qty_numerator": 1}]),
        "warehouses": typed("warehouses", [{"warehouse_code": "W1", "warehouse_type": "normal",
                                            "nettable": True}]),
        "stock": typed("stock", [{"item_code": "A", "warehouse_code": "W1", "qty": 50}]),
        "production_tasks": typed("production_tasks", [{
            "task_no": "T1", "item_code": "P", "qty": 100, "start_date": "2026-03-03",
            "due_date": "2026-03-10", "warehouse_code": "W1"}]),
        "task_materials": typed("task_materials", [{
            "task_no": "T1", "component_code": "A", "qty_per": 1, "required_qty": 100,
            "supply_warehouse": "W1"}]),
        "allocations": typed("allocations", [{"item_code": "A", "qty": 999,
                                              "source_type": "task", "source_no": "T1"}]),
        "sales_orders": typed("sales_orders", [{"order_no": "SO1", "item_code": "P",
                                                "qty": 150, "due_date": "2026-03-20"}]),
        **{name: typed(name, rows) for name, rows in given.items()},
    }


def record(result: commands.Result) -> pd.DataFrame:
    frame = result.tables["mrp_record"]
    return frame.assign(day=frame["bucket_start"].dt.date).set_index(["item_code", "day"])


def test_plan_nets_posted_stock_task_receipts_and_unissued_material():
    # Task of 100 with 40 received (R1) and 30 of its 100 A issued (I1):
    # P: on hand 0 + 40 = 40, scheduled receipt 100 − 40 = 60 on 03-10, SO1 150 → plan 50.
    # A: on hand 50 − 30 = 20, allocated 100 − 30 = 70 on the task's start 03-03 (the
    # sheet's 999 is replaced) → 50 short then; P's 50 need 50 more on 03-19.
    result = commands.run("plan", posted_model(), {"date": DAY})
    assert result.ok and result.issues == [], [i.located() for i in result.issues]
    rows = record(result)
    day = dt.date
    assert rows.loc[("P", DAY), "projected_available"] == 40
    assert rows.loc[("P", day(2026, 3, 10)), "scheduled_receipts"] == 60
    assert rows.loc[("A", DAY), "projected_available"] == 20
    assert rows.loc[("A", day(2026, 3, 3)), "allocated"] == 70
    planned = result.tables["planned_orders"]
    assert planned[["item_code", "qty"]].values.tolist() == [["A", 50.0], ["A", 50.0],
                                                             ["P", 50.0]]
    assert planned["need_date"].dt.date.tolist() == [day(2026, 3, 3), day(2026, 3, 19),
                                                     day(2026, 3, 20)]


def test_supplements_and_returns_change_what_is_still_to_issue():
    # issued 30 + supplement 5 − return 10 = 25 net → 75 still allocated; stock 50 − 25
    doc = {"doc_date": "2026-03-01", "item_code": "A", "warehouse_code": "W1", "task_no": "T1"}
    tables = posted_model(supplements=[{**doc, "doc_no": "S1", "qty": 5}],
                          material_returns=[{**doc, "doc_no": "M1", "qty": 10}])
    rows = record(commands.run("plan", tables, {"date": DAY}))
    assert rows.loc[("A", dt.date(2026, 3, 3)), "allocated"] == 75
    assert rows.loc[("A", DAY), "projected_available"] == 25


def test_without_document_rows_plan_reads_the_sheets_as_before():
    # no document rows: T1 is a receipt of 100 and the Allocations sheet's 999 counts
    tables = posted_model(material_issues=[], product_receipts=[])
    rows = record(commands.run("plan", tables, {"date": DAY}))
    assert rows.loc[("P", dt.date(2026, 3, 10)), "scheduled_receipts"] == 100
    assert rows["allocated"].sum() == 999


def test_a_refused_document_is_a_plan_warning_and_not_counted():
    # I2 issues 80 more A: only 70 left to issue → refused; the plan is the same
    tables = posted_model(material_issues=[
        {"doc_no": "I1", "doc_date": "2026-02-27", "item_code": "A", "warehouse_code": "W1",
         "qty": 30, "task_no": "T1"},
        {"doc_no": "I2", "doc_date": "2026-03-01", "item_code": "A", "warehouse_code": "W1",
         "qty": 80, "task_no": "T1"}])
    result = commands.run("plan", tables, {"date": DAY})
    assert result.ok
    assert {(i.code, i.severity) for i in result.issues} >= {("post_over_issue", "warning")}
    assert record(result).loc[("A", dt.date(2026, 3, 3)), "allocated"] == 70
