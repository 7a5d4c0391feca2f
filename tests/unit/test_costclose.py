"""Period close from the stock ledger: direct material from posted issues, the multi-level
transfer 自动结转, cost restoration 成本还原, rework and customer material."""

from __future__ import annotations

import numpy as np
import pandas as pd
from costing_frames import typed

import addin.commands.cost  # noqa: F401  (registers the command)
from addin import commands
from addin.engines.actualmaterial import LINE_COLUMNS, material_lines
from addin.engines.autotransfer import close_period, products
from addin.engines.costrestore import restore

NOV = "2026-11"


def _two_levels(**changes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """S is made by T1 from 100 A (at 10.00); P by T2 from 50 S and 100 B (at 5.00).

    T1 receives 100 S at the standard 15.00, so the ledger issues 50 S to T2 at 750.
    Pools: C1 labour 600 + overhead 400 (T1); C2 labour 300 + overhead 200 (T2).
    """
    tables = {
        "items": typed("items", item_code=["P", "S", "A", "B"], item_name=list("PSAB"),
                       item_type=["manufactured", "manufactured", "purchased", "purchased"],
                       standard_cost=[0, 15, 10, 5]),
        "warehouses": typed("warehouses", warehouse_code=["W"], warehouse_name=["main"]),
        "stock": typed("stock", item_code=["A", "B"], warehouse_code=["W", "W"],
                       qty=[100, 100]),
        "production_tasks": typed("production_tasks", task_no=["T1", "T2"],
                                  item_code=["S", "P"], qty=[100, 50],
                                  due_date=["2026-11-30"] * 2),
        "material_issues": typed(
            "material_issues", doc_no=["I1", "I2", "I2"], line_no=[1, 1, 2],
            doc_date=["2026-11-02", "2026-11-10", "2026-11-10"], item_code=["A", "S", "B"],
            warehouse_code=["W"] * 3, qty=[100, 50, 100], task_no=["T1", "T2", "T2"]),
        "product_receipts": typed(
            "product_receipts", doc_no=["R1", "R2"], doc_date=["2026-11-05", "2026-11-20"],
            item_code=["S", "P"], warehouse_code=["W", "W"], qty=[100, 50],
            task_no=["T1", "T2"]),
        "cost_objects": typed("cost_objects", cost_object=["T1", "T2"],
                              cost_centre=["C1", "C2"], period=[NOV] * 2,
                              method=["none", "none"]),
        "cost_pools": typed("cost_pools", cost_centre=["C1", "C1", "C2", "C2"],
                            period=[NOV] * 4, element=["labour", "overhead"] * 2,
                            amount=[600, 400, 300, 200]),
    }
    return {**tables, **changes}


def _by(frame: pd.DataFrame, *key: str) -> pd.DataFrame:
    return frame.set_index(list(key))


def test_two_levels_transfer_and_restoration():
    """T1: 1,000 A + 600 + 400 = 2,000 for 100 S → 20.00 (10 / 6 / 4).
    T2: the ledger's 750 for 50 S is re-priced to 50 × 20 = 1,000; + 500 B + 300 + 200
    = 2,000 for 50 P → 40.00. Restored: semi-finished 1,000 = 500 material + 300 labour
    + 200 overhead → P = material 1,000, labour 600, overhead 400."""
    result = commands.run("cost", _two_levels())
    assert result.ok, result.issues
    assert result.messages == ["2 cost objects: finished 4,000.00, WIP 0.00"]
    lines = _by(result.tables["task_material_cost"], "cost_object", "item_code")
    assert list(result.tables["task_material_cost"].columns) == LINE_COLUMNS
    assert lines.loc[("T2", "S"), ["material_kind", "qty", "ledger_value", "value"]
                     ].tolist() == ["semi_finished", 50, 750, 1000]
    assert lines.loc[("T1", "A"), ["material_kind", "value"]].tolist() == ["raw", 1000]
    production = _by(result.tables["cost_of_production"], "cost_object", "element")
    assert production.loc[("T1", "total"), "finished_unit_cost"] == 20
    assert production.loc[("T2", "material"), "added_cost"] == 1500
    assert production.loc[("T2", "total"), ["finished_cost", "finished_unit_cost"]
                          ].tolist() == [2000, 40]
    restored = _by(result.tables["cost_restoration"], "cost_object")
    assert restored.loc["T2", ["raw_material", "semi_finished", "labour", "overhead"]
                        ].tolist() == [500, 1000, 300, 200]
    assert restored.loc["T2", ["restored_material", "restored_labour", "restored_overhead",
                               "restored_subcontract", "finished_cost"]
                        ].tolist() == [1000, 600, 400, 0, 2000]
    # completed qty came from the product receipts (the Cost objects left it blank)
    assert restored.loc["T1", "completed_qty"] == 100 and restored.loc["T2", "unit_cost"] == 40


def test_three_levels_with_wip_reconcile_and_restore_to_the_cent():
    """A third level on top: Q (T3) uses 20 P and has WIP; the transfer settles every
    level and each row reconciles: opening + input = finished + closing WIP."""
    base = _two_levels()
    tables = _two_levels(
        items=typed("items", item_code=["Q", "P", "S", "A", "B"], item_name=list("QPSAB"),
                    item_type=["manufactured"] * 3 + ["purchased"] * 2,
                    standard_cost=[0, 30, 15, 10, 5]),
        production_tasks=typed("production_tasks", task_no=["T1", "T2", "T3"],
                               item_code=["S", "P", "Q"], qty=[100, 50, 10],
                               due_date=["2026-11-30"] * 3),
        material_issues=pd.concat([base["material_issues"], typed(
            "material_issues", doc_no=["I3"], doc_date=["2026-11-25"], item_code=["P"],
            warehouse_code=["W"], qty=[20], task_no=["T3"])], ignore_index=True),
        cost_objects=typed("cost_objects", cost_object=["T1", "T2", "T3"],
                           cost_centre=["C1", "C2", "C3"], period=[NOV] * 3,
                           method=["none", "none", "weighted"], completed_qty=[0, 0, 6]),
        wip_lines=typed("wip_lines", cost_object=["T3"], wip_qty=[4], completion=[0.5]),
        cost_pools=pd.concat([base["cost_pools"], typed(
            "cost_pools", cost_centre=["C3"], period=[NOV], element=["labour"],
            amount=[80])], ignore_index=True))
    result = commands.run("cost", tables)
    assert result.ok, result.issues
    lines = _by(result.tables["task_material_cost"], "cost_object", "item_code")
    # P costs 40.00 this period: 20 P → 800 (the ledger had them at the standard 30)
    assert lines.loc[("T3", "P"), ["ledger_value", "value"]].tolist() == [600, 800]
    production = _by(result.tables["cost_of_production"], "cost_object", "element")
    # material 800 over 6 + 4 = 10 EU → WIP 320; labour 80 over 6 + 2 = 8 EU → WIP 20
    assert production.loc[("T3", "total"), ["wip_cost", "finished_cost"]].tolist() == [
        340, 540]
    restored = _by(result.tables["cost_restoration"], "cost_object")
    # finished material 480 is all semi-finished P (20 × 40 put in, 6/10 finished);
    # P is restored 1,000 / 600 / 400 of 2,000 → 240 / 144 / 96; + T3's own labour 60
    assert restored.loc["T3", ["semi_finished", "restored_material", "restored_labour",
                               "restored_overhead", "finished_cost"]].tolist() == [
        480, 240, 204, 96, 540]
    composition = result.tables["cost_composition"]
    assert (composition["opening_cost"] + composition["added_cost"]
            - composition["finished_cost"] - composition["wip_cost"]).abs().max() < 0.005


def test_supplements_and_returns_net_at_issue_cost():
    """T1: issue 100 A at 10.00, supplement 10 at 10.00, return 5 → 105 A = 1,050."""
    tables = _two_levels(
        supplements=typed("supplements", doc_no=["SP1"], doc_date=["2026-11-03"],
                          item_code=["A"], warehouse_code=["W"], qty=[10], task_no=["T1"]),
        material_returns=typed("material_returns", doc_no=["RT1"], doc_date=["2026-11-04"],
                               item_code=["A"], warehouse_code=["W"], qty=[5],
                               task_no=["T1"]),
        stock=typed("stock", item_code=["A", "B"], warehouse_code=["W", "W"], qty=[200, 100]))
    result = commands.run("cost", tables)
    assert result.ok, result.issues
    lines = _by(result.tables["task_material_cost"], "cost_object", "item_code")
    assert lines.loc[("T1", "A"), ["qty", "value"]].tolist() == [105, 1050]
    # S = 1,050 + 1,000 = 2,050 / 100 = 20.50; T2's 50 S → 1,025
    assert lines.loc[("T2", "S"), "value"] == 1025


def test_manual_material_is_used_when_there_are_no_documents():
    tables = {k: v for k, v in _two_levels().items()
              if k in ("cost_objects", "cost_pools", "items")}
    tables["cost_objects"] = tables["cost_objects"].assign(material_cost=[1000.0, 1500.0],
                                                           completed_qty=[100.0, 50.0])
    result = commands.run("cost", tables)
    assert result.ok, result.issues
    assert "task_material_cost" not in result.tables
    production = _by(result.tables["cost_of_production"], "cost_object", "element")
    assert production.loc[("T2", "total"), "finished_cost"] == 2000


def _lines(**columns: list) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.assign(ledger_value=frame["value"], unit_cost=0.0)[LINE_COLUMNS]


def test_rework_keeps_the_original_cost_and_is_not_a_producer():
    """T1 makes 100 S for 2,000 (20.00). R1 reworks 10 S: the 10 S issued at their
    original ledger cost 150 stay 150 (not re-priced), + 10 A added + 50 labour → 210
    (21.00 each). T2's 50 S are re-priced at T1's 20.00, not at a mix with the rework."""
    objects = typed("cost_objects", cost_object=["R1", "T1", "T2"], item_code=["S", "S", "P"],
                    cost_centre=["R", "C1", "C2"], period=[NOV] * 3, method=["none"] * 3,
                    completed_qty=[10, 100, 50])
    pools = typed("cost_pools", cost_centre=["R", "C1", "C1"], period=[NOV] * 3,
                  element=["labour", "labour", "overhead"], amount=[50, 600, 400])
    lines = _lines(cost_object=["R1", "R1", "T1", "T2"], item_code=["A", "S", "A", "S"],
                   material_kind=["raw", "rework", "raw", "raw"], qty=[1, 10, 100, 50],
                   value=[10.0, 150.0, 1000.0, 750.0])
    closed, issues = close_period(objects, typed("wip_lines"), pools, lines)
    assert issues == []
    production = _by(closed.result.tables["cost_of_production"], "cost_object", "element")
    assert production.loc[("R1", "total"), ["finished_cost", "finished_unit_cost"]
                          ].tolist() == [210, 21]
    got = _by(closed.lines, "cost_object", "item_code")
    assert got.loc[("R1", "S"), "value"] == 150 and got.loc[("T2", "S"), "value"] == 1000
    assert closed.items.loc["S", "qty"] == 100  # the rework's 10 are not production


def test_customer_material_is_counted_but_never_costed():
    """Consigned processing: 20 K of the customer's sit in the virtual warehouse V. Issued
    to T1 they are traced (qty 20) but add nothing; T1's cost is own material + labour +
    overhead."""
    tables = _two_levels(
        items=typed("items", item_code=["P", "S", "A", "B", "K"], item_name=list("PSABK"),
                    item_type=["manufactured", "manufactured", "purchased", "purchased",
                               "customer_supplied"], standard_cost=[0, 15, 10, 5, 8]),
        warehouses=typed("warehouses", warehouse_code=["W", "V"], warehouse_name=["m", "v"],
                         warehouse_type=["normal", "customer_virtual"],
                         costed=[True, False]),
        stock=typed("stock", item_code=["A", "B", "K"], warehouse_code=["W", "W", "V"],
                    qty=[100, 100, 20]),
        material_issues=typed(
            "material_issues", doc_no=["I1", "I1"], line_no=[1, 2],
            doc_date=["2026-11-02"] * 2, item_code=["A", "K"], warehouse_code=["W", "V"],
            qty=[100, 20], task_no=["T1", "T1"]),
        product_receipts=typed("product_receipts", doc_no=["R1"], doc_date=["2026-11-05"],
                               item_code=["S"], warehouse_code=["W"], qty=[100],
                               task_no=["T1"]))
    tables["cost_objects"] = tables["cost_objects"].iloc[:1]
    tables["cost_pools"] = tables["cost_pools"].iloc[:2]
    result = commands.run("cost", tables)
    assert result.ok, result.issues
    lines = _by(result.tables["task_material_cost"], "cost_object", "item_code")
    assert lines.loc[("T1", "K"), ["material_kind", "qty", "value"]].tolist() == [
        "consigned", 20, 0]
    production = _by(result.tables["cost_of_production"], "cost_object", "element")
    assert production.loc[("T1", "total"), "finished_cost"] == 2000


def test_an_issue_without_cost_is_an_error_and_nothing_is_written():
    """Z has no standard cost and its opening stock no unit cost: issued at 0."""
    tables = _two_levels(
        items=typed("items", item_code=["P", "S", "A", "B"], item_name=list("PSAB"),
                    item_type=["manufactured", "manufactured", "purchased", "purchased"],
                    standard_cost=[0, 15, 0, 5]))
    result = commands.run("cost", tables)
    assert not result.ok and result.tables == {}
    bad = [i for i in result.issues if i.code == "cost_missing_issue_cost"]
    assert [(i.value, i.params["task"]) for i in bad] == [("A", "T1")]
    assert bad[0].message() == ("A issued to task T1 has no cost (issued at 0), so its "
                                "direct material cannot be costed")


def test_a_task_that_is_not_a_cost_object_is_named():
    tables = _two_levels()
    tables["cost_objects"] = tables["cost_objects"].iloc[:1]
    tables["cost_pools"] = tables["cost_pools"].iloc[:2]
    result = commands.run("cost", tables)
    assert result.ok, result.issues
    # 100 B at 5.00 + 50 S at the ledger's 15.00 (T2 is not costed, so not re-priced)
    stray = [i for i in result.issues if i.code == "cost_task_not_costed"]
    assert [(i.value, i.params["amount"], i.severity) for i in stray] == [
        ("T2", "1,250.00", "warning")]


def test_semi_finished_items_consuming_each_other_are_a_loop():
    objects = typed("cost_objects", cost_object=["T1", "T2"], item_code=["S", "P"],
                    cost_centre=["C", "C"], period=[NOV] * 2, completed_qty=[1, 1])
    lines = _lines(cost_object=["T1", "T2"], item_code=["P", "S"],
                   material_kind=["raw", "raw"], qty=[1, 1], value=[5.0, 5.0])
    closed, issues = close_period(objects, typed("wip_lines"), typed("cost_pools"), lines)
    assert closed is None
    assert [(i.code, i.value) for i in issues] == [("cost_transfer_loop", "P → S")]


def test_material_lines_period_and_reversal_of_an_issue():
    """Moves of October are left out of November; reversing an issue gives it back,
    reversing the task's product receipt is output, not material."""
    moves = pd.DataFrame({
        "doc_type": ["material_issue", "material_issue", "reversal", "reversal"],
        "doc_date": pd.to_datetime(["2026-10-30", "2026-11-02", "2026-11-03",
                                    "2026-11-04"]),
        "item_code": ["A", "A", "A", "S"], "warehouse_code": "W",
        "task_no": ["T1"] * 4, "qty": [-7.0, -10.0, 4.0, -1.0],
        "value": [-70.0, -100.0, 40.0, -20.0]})
    lines, issues = material_lines(moves, pd.Series({"T1": "S"}), NOV)
    assert issues == []
    assert lines[["item_code", "qty", "value"]].values.tolist() == [["A", 6.0, 60.0]]
    every, _ = material_lines(moves, pd.Series({"T1": "S"}), "all of it")
    assert every["qty"].tolist() == [13.0]


def test_subcontracted_part_is_transferred_and_restored():
    """DOMAIN's subcontract example as posting books it: receipt of 45 parts at 585
    (90 kg consumed at 5.00 = 450, fee 135). T2 uses 10 parts, issued by the ledger at
    12.00 → re-priced to 13.00 = 130, restored into material 100 + fee 30."""
    objects = typed("cost_objects", cost_object=["T2"], item_code=["P"], cost_centre=["C"],
                    period=[NOV], method=["none"], completed_qty=[10])
    lines = _lines(cost_object=["T2"], item_code=["X"], material_kind=["raw"], qty=[10],
                   value=[120.0])
    bought = pd.DataFrame({"item_code": ["X"], "qty": [45.0], "material": [450.0],
                           "subcontract": [135.0]})
    closed, issues = close_period(objects, typed("wip_lines"), typed("cost_pools"), lines,
                                  bought)
    assert issues == []
    assert closed.lines[["material_kind", "value"]].values.tolist() == [
        ["subcontracted", 130.0]]
    restored = restore(closed.result.tables["cost_of_production"], objects, closed.lines,
                       closed.items, bought, products(objects), np.array([], dtype=object),
                       closed.levels)
    assert restored[["restored_material", "restored_subcontract", "finished_cost"]
                    ].values.tolist() == [[100.0, 30.0, 130.0]]


def test_subcontract_example_through_posting():
    """DOMAIN §6 through `post` and `cost`: 100 kg M at 5.00 to supplier V1; 45 X
    received at 2 kg each → 450 + fee 45 × 3.00 = 585 (13.00); December invoice at 3.20
    → +9 → 13.20 to date. T2 uses 10 X: 130, restored into material 100 + fee 30."""
    tables = {
        "items": typed("items", item_code=["X", "M", "P"], item_name=list("XMP"),
                       item_type=["subcontracted", "purchased", "manufactured"],
                       standard_cost=[12, 5, 0]),
        "warehouses": typed("warehouses", warehouse_code=["W", "SUP"],
                            warehouse_name=["w", "s"], warehouse_type=["normal", "at_supplier"],
                            supplier_code=["", "V1"]),
        "suppliers": typed("suppliers", supplier_code=["V1"], supplier_name=["v"]),
        "stock": typed("stock", item_code=["M"], warehouse_code=["W"], qty=[100]),
        "subcontract_orders": typed("subcontract_orders", order_no=["SC1"],
                                    supplier_code=["V1"], item_code=["X"], qty=[45],
                                    due_date=["2026-11-30"], unit_price=[3]),
        "subcontract_materials": typed("subcontract_materials", order_no=["SC1"],
                                       component_code=["M"], qty_per=[2]),
        "subcontract_issues": typed("subcontract_issues", doc_no=["SI1"],
                                    doc_date=["2026-11-01"], item_code=["M"],
                                    warehouse_code=["W"], qty=[100], order_no=["SC1"]),
        "subcontract_receipts": typed("subcontract_receipts", doc_no=["SR1"],
                                      doc_date=["2026-11-20"], item_code=["X"],
                                      warehouse_code=["W"], qty=[45], order_no=["SC1"]),
        "subcontract_fee_invoices": typed("subcontract_fee_invoices", doc_no=["FI1"],
                                          doc_date=["2026-12-05"], item_code=["X"], qty=[45],
                                          order_no=["SC1"], fee_price=[3.2]),
        "production_tasks": typed("production_tasks", task_no=["T2"], item_code=["P"],
                                  qty=[10], due_date=["2026-11-30"]),
        "material_issues": typed("material_issues", doc_no=["I1"], doc_date=["2026-11-25"],
                                 item_code=["X"], warehouse_code=["W"], qty=[10],
                                 task_no=["T2"]),
        "cost_objects": typed("cost_objects", cost_object=["T2"], cost_centre=["C"],
                              period=[NOV], completed_qty=[10], method=["none"]),
    }
    result = commands.run("cost", tables)
    assert result.ok, result.issues
    sub = result.tables["subcontract_cost"]
    assert sub.drop(columns="unit_cost").values.tolist() == [
        ["SC1", "X", "2026-11", 45, 450, 135, 0, 585],
        ["SC1", "X", "2026-12", 0, 0, 0, 9, 9]]
    assert sub["unit_cost"].tolist() == [13.0, 13.2]
    restored = result.tables["cost_restoration"].iloc[0]
    assert restored[["semi_finished", "restored_material", "restored_subcontract"]
                    ].tolist() == [130, 100, 30]
