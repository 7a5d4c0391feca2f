"""Production tasks from sales orders (DOMAIN §4) and the `tasks` command."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from frames import typed

from addin import commands
from addin.engines.tasks import TaskOptions, generate_tasks
from addin.errors import UsageError

DAY = dt.date(2026, 3, 2)


def model() -> dict[str, pd.DataFrame]:
    items = [
        {"item_code": "FG", "item_name": "FG", "item_type": "manufactured",
         "lead_time_days": 3, "default_warehouse": "FGW"},
        {"item_code": "MT", "item_name": "MTO", "item_type": "manufactured",
         "planning_mode": "MTO", "lead_time_days": 2},
        {"item_code": "SC", "item_name": "Sub", "item_type": "subcontracted",
         "lead_time_days": 5, "default_supplier": "V9"},
        {"item_code": "BUY", "item_name": "Bought", "item_type": "purchased",
         "lead_time_days": 1},
        {"item_code": "K", "item_name": "Kit", "item_type": "phantom"},
        {"item_code": "R1", "item_name": "Raw 1", "item_type": "purchased",
         "lead_time_days": 1, "integer_only": True},
        {"item_code": "R2", "item_name": "Raw 2", "item_type": "purchased",
         "lead_time_days": 1},
    ]
    bom = [{"parent_code": "FG", "component_code": "R1", "qty_numerator": 1,
            "qty_denominator": 3, "variable_loss_rate": 0.05, "fixed_loss": 1},
           {"parent_code": "FG", "component_code": "K", "qty_numerator": 2},
           {"parent_code": "K", "component_code": "R2", "qty_numerator": 1.5},
           {"parent_code": "MT", "component_code": "R2", "qty_numerator": 1},
           {"parent_code": "SC", "component_code": "R1", "qty_numerator": 2}]
    orders = [
        {"order_no": "SO1", "item_code": "FG", "qty": 10, "due_date": "2026-03-20"},
        {"order_no": "SO2", "item_code": "FG", "qty": 5, "due_date": "2026-03-22"},
        {"order_no": "SO3", "item_code": "FG", "qty": 7, "due_date": "2026-03-30",
         "pushed_qty": 2},
        {"order_no": "SO4", "line_no": 1, "item_code": "MT", "qty": 3,
         "due_date": "2026-03-20"},
        {"order_no": "SO4", "line_no": 2, "item_code": "MT", "qty": 4,
         "due_date": "2026-03-20", "tracking_no": "TR"},
        {"order_no": "SO5", "item_code": "SC", "qty": 6, "due_date": "2026-03-04"},
        {"order_no": "SO6", "item_code": "BUY", "qty": 6, "due_date": "2026-03-04"},
        {"order_no": "SO7", "item_code": "FG", "qty": 9, "due_date": "2026-03-20",
         "status": "closed"},
    ]
    return {"items": typed("items", items), "bom": typed("bom", bom),
            "sales_orders": typed("sales_orders", orders),
            "stock": typed("stock", [{"item_code": "FG", "warehouse_code": "W", "qty": 12}])}


def options(**extra: object) -> TaskOptions:
    return TaskOptions(planning_date=DAY, merge_window_days=3, receiving_buffer_days=1,
                       **extra)


def test_tasks_merge_mts_lines_and_keep_mto_lines_apart():
    # FG: SO1 (03-20) and SO2 (03-22, within 3 days) merge: 15, due 03-20 - 1 buffer = 03-19,
    # start 03-19 - 3 = 03-16. SO3 (03-30) alone: 7 - pushed 2 = 5, due 03-29, start 03-26.
    # MT (MTO): one task per line, tracking SO4-1 and TR, due 03-19, start 03-17.
    # SC: due 03-03, start 02-26 -> moved to 03-02 and flagged. BUY: no task. SO7 closed.
    result = generate_tasks(model(), options())
    tasks = result.tasks
    assert tasks[["task_no", "item_code", "qty", "tracking_no", "source_orders"]
                 ].values.tolist() == [
        ["MO-20260302-0001", "FG", 15.0, "", "SO1-1, SO2-1"],
        ["MO-20260302-0002", "MT", 3.0, "SO4-1", "SO4-1"],
        ["MO-20260302-0003", "MT", 4.0, "TR", "SO4-2"],
        ["MO-20260302-0004", "FG", 5.0, "", "SO3-1"],
        ["SC-20260302-0001", "SC", 6.0, "", "SO5-1"]]
    assert tasks["start_date"].dt.strftime("%m-%d").tolist() == [
        "03-16", "03-17", "03-17", "03-26", "03-02"]
    assert tasks["due_date"].dt.strftime("%m-%d").tolist() == [
        "03-19", "03-19", "03-19", "03-29", "03-03"]
    assert tasks["past_due"].tolist() == [False, False, False, False, True]
    assert tasks["order_type"].tolist()[-1] == "subcontract"
    assert tasks["supplier_code"].tolist() == ["", "", "", "", "V9"]
    assert tasks["warehouse_code"].tolist()[0] == "FGW"
    assert [i.code for i in result.issues if i.code.startswith("tasks_")] == ["tasks_not_made"]


def test_material_list_explodes_phantoms_and_rounds_whole_units():
    # FG task of 15: R1 = 15 x 1/3 x 1.05 + 1 = 6.25 -> whole units 7;
    # K is a phantom: 15 x 2 = 30 K -> R2 = 30 x 1.5 = 45 (qty per FG 3).
    materials = generate_tasks(model(), options()).materials
    first = materials[materials["task_no"] == "MO-20260302-0001"]
    assert first[["line_no", "component_code", "qty_per", "required_qty"]].values.tolist() == [
        [1, "R1", pytest.approx(1 / 3, abs=1e-6), 7.0], [2, "R2", 3.0, 45.0]]
    assert first["need_date"].dt.strftime("%m-%d").unique().tolist() == ["03-16"]
    sub = materials[materials["task_no"] == "SC-20260302-0001"]
    assert sub[["component_code", "required_qty"]].values.tolist() == [["R1", 12.0]]


def test_pushed_quantities_are_written_back_once():
    result = generate_tasks(model(), options())
    pushed = result.pushed
    assert pushed[["order_no", "line_no", "pushed_before", "pushed_now", "pushed_qty"]
                  ].values.tolist() == [
        ["SO1", 1, 0.0, 10.0, 10.0], ["SO2", 1, 0.0, 5.0, 5.0], ["SO3", 1, 2.0, 5.0, 7.0],
        ["SO4", 1, 0.0, 3.0, 3.0], ["SO4", 2, 0.0, 4.0, 4.0], ["SO5", 1, 0.0, 6.0, 6.0]]
    again = generate_tasks({**model(), "sales_orders": result.sales_orders}, options())
    assert again.tasks.empty and again.pushed.empty


def test_net_against_stock_serves_the_earliest_lines_first():
    # FG stock 12: SO1 (10, 03-20) fully, SO2 (5, 03-22) 2 of 5 -> task of 3; SO3 untouched
    result = generate_tasks(model(), options(net_against_stock=True))
    pushed = result.pushed.set_index("order_no")
    assert pushed.loc[["SO1", "SO2", "SO3"], ["from_stock", "pushed_now"]].values.tolist() == [
        [10.0, 0.0], [2.0, 3.0], [0.0, 5.0]]
    fg = result.tasks[result.tasks["item_code"] == "FG"]
    assert fg[["qty", "source_orders"]].values.tolist() == [[3.0, "SO2-1"], [5.0, "SO3-1"]]
    again = generate_tasks({**model(), "sales_orders": result.sales_orders},
                           options(net_against_stock=True))
    assert again.pushed["pushed_now"].sum() == 0


def test_order_filter_picks_only_those_orders():
    result = generate_tasks(model(), options(orders=("SO2", "SO5")))
    assert result.tasks["source_orders"].tolist() == ["SO2-1", "SO5-1"]


def test_tasks_command_parses_orders_and_refuses_bad_input():
    tables = model()
    result = commands.run("tasks", tables, {"orders": "SO1， SO4", "date": "2026-03-02"})
    assert result.ok
    assert result.messages == ["3 tasks (3 production, 0 subcontract) for 3 order lines"]
    assert list(result.tables) == ["generated_tasks", "material_lists", "sales_order_pushed"]
    bad = dict(tables, sales_orders=typed("sales_orders", [
        {"order_no": "X", "item_code": "NOPE", "qty": 1, "due_date": "2026-03-05"}]))
    refused = commands.run("tasks", bad, {"date": "2026-03-02"})
    assert refused.tables == {} and [i.code for i in refused.issues if i.severity == "error"
                                     ] == ["mrp_unknown_item"]
    with pytest.raises(UsageError):
        commands.run("tasks", tables, {"date": "soon"})


def test_a_task_without_bom_lines_gets_a_warning():
    tables = dict(model(), bom=typed("bom", []))
    result = generate_tasks(tables, options(orders=("SO5",)))
    assert result.materials.empty
    assert [(i.code, i.value, i.params["task"]) for i in result.issues
            if i.code == "tasks_no_bom"] == [("tasks_no_bom", "SC", "SC-20260302-0001")]
