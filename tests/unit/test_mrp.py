"""MRP engine and the `plan` command on small hand-worked models (DOMAIN §3)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from frames import typed

from addin import commands
from addin.engines.mrp import PlanOptions, plan
from addin.errors import UsageError
from addin.schema import TABLES

DAY = dt.date(2026, 3, 2)  # a Monday


def item(code: str, kind: str = "purchased", **extra: object) -> dict:
    base = {"item_code": code, "item_name": f"Item {code}", "item_type": kind,
            "lead_time_days": 1, "default_supplier": "S1"}
    return {**base, **extra}


def so(order: str, code: str, qty: float, due: str, **extra: object) -> dict:
    return {"order_no": order, "item_code": code, "qty": qty, "due_date": due, **extra}


def run(tables: dict, **options: object) -> commands.Result:
    return commands.run("plan", tables, {"date": DAY.isoformat(), **options})


# ------------------------------------------------------------------ command basics


def test_summary_line_counts_orders_by_type_and_exceptions():
    # A (made, LT 1) = 2 B (purchased, LT 2): SO 10 on 03-10 -> A 10 (release 03-09),
    # B 20 due 03-09 (release 03-07); B has no supplier -> 1 exception.
    tables = {"items": typed("items", [item("A", "manufactured"),
                                       item("B", lead_time_days=2, default_supplier="")]),
              "bom": typed("bom", [{"parent_code": "A", "component_code": "B",
                                    "qty_numerator": 2}]),
              "sales_orders": typed("sales_orders", [so("SO1", "A", 10, "2026-03-10")])}
    result = run(tables)
    assert result.messages == ["2 planned orders (1 purchase, 1 production, 0 subcontract), "
                               "1 exceptions"]
    orders = result.tables["planned_orders"]
    assert orders[["item_code", "qty"]].values.tolist() == [["A", 10.0], ["B", 20.0]]
    assert orders["release_date"].dt.strftime("%m-%d").tolist() == ["03-09", "03-07"]
    assert result.tables["exceptions"]["code"].tolist() == ["mrp_no_supplier"]


def test_chinese_summary_and_messages():
    tables = {"items": typed("items", [item("P", default_supplier="")]),
              "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("SO1", "P", 5, "2026-03-10")])}
    result = run(tables, lang="zh")
    assert result.messages == ["计划订单 1 张（采购 1，生产 0，委外 0），例外 1 条"]
    assert result.tables["exceptions"]["message"].tolist() == [
        "外购件 P 没有默认供应商，采购申请未指定供应商"]


def test_subcontracted_item_gets_a_subcontract_order_with_supplier_and_fee():
    tables = {"items": typed("items", [item("S", "subcontracted", default_supplier="V7",
                                            purchase_price=4.5), item("R")]),
              "bom": typed("bom", [{"parent_code": "S", "component_code": "R"}]),
              "sales_orders": typed("sales_orders", [so("SO1", "S", 3, "2026-03-10")])}
    orders = run(tables).tables["planned_orders"]
    row = orders[orders["item_code"] == "S"].iloc[0]
    assert (row["order_type"], row["supplier_code"], row["qty"], row["unit_price"]) == (
        "subcontract", "V7", 3.0, 4.5)


def test_customer_supplied_shortage_is_a_warning_and_no_order():
    # C is customer-supplied: need 8 on 03-05 with 3 on hand -> short 5, no order.
    tables = {"items": typed("items", [item("C", "customer_supplied")]),
              "bom": typed("bom", []),
              "stock": typed("stock", [{"item_code": "C", "warehouse_code": "W", "qty": 3}]),
              "sales_orders": typed("sales_orders", [so("SO1", "C", 8, "2026-03-05")])}
    result = run(tables)
    assert result.tables["planned_orders"].empty
    exc = result.tables["exceptions"]
    assert exc[["code", "qty"]].values.tolist() == [["mrp_customer_short", 5.0]]
    assert exc["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-05"]


def test_made_item_without_bom_is_an_error_exception():
    tables = {"items": typed("items", [item("M", "manufactured")]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("SO1", "M", 1, "2026-03-05")])}
    exc = run(tables).tables["exceptions"]
    assert exc[["severity", "code", "item_code"]].values.tolist() == [
        ["error", "mrp_no_bom", "M"]]


def test_past_due_order_row_is_styled_as_error():
    # LT 5, due 03-04 -> release 02-27 < 03-02: past due 3 days.
    tables = {"items": typed("items", [item("P", lead_time_days=5)]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("SO1", "P", 2, "2026-03-04"),
                                                     so("SO2", "P", 2, "2026-03-20")])}
    result = run(tables)
    assert result.row_styles["planned_orders"].tolist() == ["error", ""]
    assert result.tables["planned_orders"]["past_due_days"].tolist() == [3.0, 0.0]


def test_horizon_leaves_out_later_demand():
    tables = {"items": typed("items", [item("P")]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("SO1", "P", 2, "2026-03-04"),
                                                     so("SO2", "P", 9, "2026-03-12")])}
    # horizon 10 days: 03-02 .. 03-11; SO2 (03-12) is outside
    orders = run(tables, horizon_days=10).tables["planned_orders"]
    assert orders["qty"].tolist() == [2.0]


def test_poq_rule_groups_needs_within_the_period():
    # POQ 7 days: needs 4 (03-03), 6 (03-09), 5 (03-10) -> 10 on 03-03 (03-03..03-09), 5 on 03-10
    tables = {"items": typed("items", [item("P", lot_rule="POQ", poq_days=7)]),
              "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("A", "P", 4, "2026-03-03"),
                                                     so("B", "P", 6, "2026-03-09"),
                                                     so("C", "P", 5, "2026-03-10")])}
    orders = run(tables).tables["planned_orders"]
    assert orders[["qty"]].values.ravel().tolist() == [10.0, 5.0]
    assert orders["need_date"].dt.day.tolist() == [3, 10]


def test_global_merge_window_option_overrides_items():
    tables = {"items": typed("items", [item("P")]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("A", "P", 4, "2026-03-03"),
                                                     so("B", "P", 6, "2026-03-05")])}
    assert run(tables).tables["planned_orders"]["qty"].tolist() == [4.0, 6.0]
    assert run(tables, merge_days=2).tables["planned_orders"]["qty"].tolist() == [10.0]


def test_invalid_lot_policy_warns_and_plans_lot_for_lot():
    tables = {"items": typed("items", [item("P", lot_rule="FOQ", lot_size=0)]),
              "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("A", "P", 7, "2026-03-05")])}
    result = run(tables)
    assert result.ok
    assert [i.code for i in result.issues] == ["mrp_lot_policy_invalid"]
    assert result.tables["planned_orders"]["qty"].tolist() == [7.0]


# ------------------------------------------------------------------ buckets and forecasts


def _forecast_tables() -> dict:
    forecasts = [{"item_code": "F", "forecast_date": d, "qty": 350, "forecast_no": n}
                 for d, n in (("2026-03-01", "FC3"), ("2026-04-01", "FC4"),
                              ("2026-05-01", "FC5"))]
    orders = [so("S1", "F", 130, "2026-03-15"), so("S2", "F", 100, "2026-04-10"),
              so("S3", "F", 80, "2026-05-31")]
    return {"items": typed("items", [item("F", lead_time_days=0)]), "bom": typed("bom", []),
            "forecasts": typed("forecasts", forecasts),
            "sales_orders": typed("sales_orders", orders)}


def test_forecast_consumption_with_daily_buckets():
    # forecasts 350 (Mar, Apr, May, each from its date to the next; May to the end of May)
    # consumed by orders 130/100/80 -> net forecasts 220/250/270, dated on the 1st
    result = run(_forecast_tables(), date="2026-03-01")
    pegging = result.tables["pegging"]
    forecast = pegging[pegging["demand_type"] == "forecast"]
    assert forecast[["demand_ref", "qty"]].values.tolist() == [
        ["FC3", 220.0], ["FC4", 250.0], ["FC5", 270.0]]
    assert result.tables["planned_orders"]["qty"].sum() == 3 * 350


def test_without_forecast_consumption_orders_add_to_forecasts():
    result = run(_forecast_tables(), date="2026-03-01", forecast_consumption="no")
    assert result.tables["planned_orders"]["qty"].sum() == 3 * 350 + 130 + 100 + 80


def test_week_buckets_start_on_the_planning_date_then_mondays():
    # planning Wednesday 03-04: first bucket 03-04 (cut), then Monday 03-09 (ISO week 11)
    tables = {"items": typed("items", [item("P", lead_time_days=0)]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("A", "P", 1, "2026-03-06"),
                                                     so("B", "P", 2, "2026-03-12")])}
    result = run(tables, date="2026-03-04", bucket="week")
    record = result.tables["mrp_record"]
    assert record["bucket"].tolist() == ["2026-W10", "2026-W11"]
    assert record["bucket_start"].dt.strftime("%m-%d").tolist() == ["03-04", "03-09"]
    assert record["gross"].tolist() == [1.0, 2.0]


def test_period_buckets_are_labelled_and_dense():
    # serial dates 2 and 4 are periods 2 and 4; planning date = period 1
    tables = {"items": typed("items", [item("P", lead_time_days=1)]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", [so("A", "P", 5, 4)])}
    result = commands.run("plan", tables, {"bucket": "period"})
    record = result.tables["mrp_record"]
    assert record["bucket"].tolist() == ["P1", "P2", "P3", "P4"]
    assert record["planned_releases"].tolist() == [0.0, 0.0, 5.0, 0.0]
    assert result.tables["planned_orders"]["release_bucket"].tolist() == ["P3"]


# ------------------------------------------------------------------ bad input


def test_bad_input_gives_row_level_issues_and_no_tables():
    items = typed("items", [item("A", "manufactured"), item("B", "manufactured"),
                            item("P", lead_time_days=0)])
    bom = typed("bom", [{"parent_code": "A", "component_code": "B"},
                        {"parent_code": "B", "component_code": "A"}])
    orders = typed("sales_orders", [so("SO1", "A", 1, "2026-03-05"),
                                    so("SO2", "GHOST", 1, "2026-03-05")])
    orders.loc[0, "due_date"] = pd.NaT  # a date the reader could not read
    stock = typed("stock", [{"item_code": "P", "warehouse_code": "W", "qty": -4}])
    result = run({"items": items, "bom": bom, "sales_orders": orders, "stock": stock})
    assert not result.ok and result.tables == {}
    found = {(i.code, i.severity, i.sheet, i.row, i.column) for i in result.issues}
    assert ("bom_cycle", "error", "bom", 3, "component_code") in found
    assert ("mrp_unknown_item", "error", "sales_orders", 3, "item_code") in found
    assert ("mrp_missing_date", "error", "sales_orders", 2, "due_date") in found
    assert ("mrp_negative_qty", "error", "stock", 2, "qty") in found
    assert ("mrp_no_lead_time", "warning", "items", 4, "lead_time_days") in found


def test_bad_options_are_usage_errors():
    tables = {"items": typed("items", [item("P")]), "bom": typed("bom", [])}
    with pytest.raises(UsageError, match="bucket"):
        run(tables, bucket="fortnight")
    with pytest.raises(UsageError, match="not a date"):
        run(tables, date="31/12/2026")


def test_empty_input_plans_nothing():
    result = plan({"items": typed("items", []), "bom": typed("bom", [])},
                  PlanOptions(planning_date=DAY))
    assert result.issues == []
    for name, frame in result.tables().items():
        assert frame.empty and list(frame.columns) == TABLES[name].column_names


def test_extra_columns_are_ignored_and_output_is_deterministic():
    items = typed("items", [item("A", "manufactured", lead_time_days=2), item("B")])
    items["my_note"] = "x"
    tables = {"items": items,
              "bom": typed("bom", [{"parent_code": "A", "component_code": "B",
                                    "qty_numerator": 3}]),
              "sales_orders": typed("sales_orders", [so("S1", "A", 4, "2026-03-09"),
                                                     so("S2", "A", 1, "2026-03-11")])}
    first = plan(tables, PlanOptions(planning_date=DAY))
    second = plan(tables, PlanOptions(planning_date=DAY))
    for name in first.tables():
        pd.testing.assert_frame_equal(first.tables()[name], second.tables()[name])
    assert np.allclose(first.planned_orders["qty"], [4, 1, 12, 3])


def test_phantom_hands_the_tracking_number_on_to_mto_components():
    # FG (MTO) -> K (phantom) -> C (MTO): C nets per sales order line; its 2 on hand for
    # SO1-1 leave 3 x 2 - 2 = 4 for SO1-1 and 6 for SO2-1
    items = typed("items", [item("FG", "manufactured", planning_mode="MTO"),
                            item("K", "phantom"),
                            item("C", "manufactured", planning_mode="MTO"), item("R")])
    bom = typed("bom", [{"parent_code": "FG", "component_code": "K"},
                        {"parent_code": "K", "component_code": "C", "qty_numerator": 2},
                        {"parent_code": "C", "component_code": "R"}])
    tables = {"items": items, "bom": bom,
              "stock": typed("stock", [{"item_code": "C", "warehouse_code": "W", "qty": 2,
                                        "tracking_no": "SO1-1"}]),
              "sales_orders": typed("sales_orders", [so("SO1", "FG", 3, "2026-03-10"),
                                                     so("SO2", "FG", 3, "2026-03-10")])}
    orders = run(tables).tables["planned_orders"]
    c = orders[orders["item_code"] == "C"]
    assert c[["tracking_no", "qty"]].values.tolist() == [["SO1-1", 4.0], ["SO2-1", 6.0]]
    assert "K" not in set(orders["item_code"])


def test_plan_runs_on_a_workbook_through_the_headless_front_end(tmp_path):
    from addin.headless import run_on_file
    from addin.workbook.read import read_tables
    from addin.workbook.write import new_workbook

    tables = {"items": typed("items", [item("A", "manufactured"), item("B")]),
              "bom": typed("bom", [{"parent_code": "A", "component_code": "B",
                                    "qty_numerator": 2}]),
              "sales_orders": typed("sales_orders", [so("SO1", "A", 10, "2026-03-10")])}
    book = new_workbook(tmp_path / "book.xlsx",
                        {k: v.drop(columns="_row") for k, v in tables.items()}, "zh")
    outcome = run_on_file(book, "plan", {"date": "2026-03-02"})
    assert outcome.ok and outcome.result.messages == [
        "计划订单 2 张（采购 1，生产 1，委外 0），例外 0 条"]
    back = read_tables(book, ["planned_orders", "pegging"], [])
    assert back.tables["planned_orders"][["order_id", "item_code", "qty"]].values.tolist() == [
        ["PL00001", "A", 10.0], ["PL00002", "B", 20.0]]
    assert back.tables["pegging"]["demand_ref"].tolist() == ["SO1-1", "SO1-1"]


def test_a_loop_alone_stops_the_plan_with_its_path():
    items = typed("items", [item("A", "manufactured"), item("B", "manufactured")])
    bom = typed("bom", [{"parent_code": "A", "component_code": "B"},
                        {"parent_code": "B", "component_code": "A"}])
    result = run({"items": items, "bom": bom,
                  "sales_orders": typed("sales_orders", [so("S1", "A", 1, "2026-03-05")])})
    assert result.tables == {}
    assert [(i.code, i.row, i.value) for i in result.issues] == [
        ("bom_cycle", 3, "A → B → A")]
