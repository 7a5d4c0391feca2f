"""Kitting and shortage analysis (DOMAIN §5): buildable sets, allocation across orders,
shortages with their covering receipts, and the `kit` command."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

from addin import commands
from addin.engines.kitting import KitOptions, buildable, kit
from addin.errors import UsageError
from addin.schema.kitting import KITTING_TABLES

RESULTS = {t.name: t for t in KITTING_TABLES}

DAY = dt.date(2026, 3, 1)


def book(bom: list[tuple], stock: dict[str, float], orders: list[dict] = (),
         loss: dict[str, float] | None = None, **more: list[dict]) -> dict[str, pd.DataFrame]:
    """Items from the BOM's codes (parents made, the rest bought), stock in warehouse W."""
    parents = {p for p, _, _ in bom}
    codes = sorted(parents | {c for _, c, _ in bom} | set(stock))
    items = [{"item_code": c, "item_name": f"Item {c}",
              "item_type": "manufactured" if c in parents else "purchased"} for c in codes]
    lines = [{"parent_code": p, "component_code": c, "qty_numerator": q,
              "variable_loss_rate": (loss or {}).get(c, 0.0)} for p, c, q in bom]
    tables = {"items": typed("items", items), "bom": typed("bom", lines),
              "stock": typed("stock", [{"item_code": c, "warehouse_code": "W", "qty": q}
                                       for c, q in stock.items()]),
              "sales_orders": typed("sales_orders", list(orders))}
    tables.update({name: typed(name, rows) for name, rows in more.items()})
    return tables


P_ABC = [("P", "A", 2), ("P", "B", 1), ("P", "C", 4)]
STOCK_ABC = {"A": 50, "B": 30, "C": 90}


def so(number: str, qty: float, due: str = "2026-03-10", **more: object) -> dict:
    return {"order_no": number, "item_code": "P", "qty": qty, "due_date": due, **more}


# ------------------------------------------------------------------ buildable sets


def test_domain_example_22_sets_bottleneck_c() -> None:
    # A 50/2 = 25, B 30/1 = 30, C 90/4 = 22.5 -> floor 22, C sets the minimum
    assert buildable(book(P_ABC, STOCK_ABC), "P", DAY) == (22.0, "C")


def test_domain_example_with_5_percent_loss_on_c_gives_21() -> None:
    # C per set 4 × 1.05 = 4.2; 90 / 4.2 = 21.43 -> 21
    assert buildable(book(P_ABC, STOCK_ABC, loss={"C": 0.05}), "P", DAY) == (21.0, "C")


def test_floating_point_does_not_lose_a_set() -> None:
    # 42 / (4 × 1.05) is 9.999999999999998 in binary; the rule means 10
    tables = book([("P", "C", 4)], {"C": 42}, loss={"C": 0.05})
    assert buildable(tables, "P", DAY) == (10.0, "C")


def test_shared_component_is_not_counted_twice() -> None:
    # P = 1 S + 2 X; S = 3 X + 1 Y; stock S 2, X 20, Y 10.
    # n sets: S short n − 2, X needed 2n + 3(n − 2) = 5n − 6 ≤ 20 -> n ≤ 5.2 -> 5 sets.
    # Counting X once per parent would claim min(2 + 20 // 3, 20 // 2) = 8.
    tables = book([("P", "S", 1), ("P", "X", 2), ("S", "X", 3), ("S", "Y", 1)],
                  {"S": 2, "X": 20, "Y": 10})
    assert buildable(tables, "P", DAY) == (5.0, "X")


def test_sub_assembly_stock_counts_and_deeper_levels_limit() -> None:
    # P = 2 S; S = 1 T; T = 5 R. Stock S 3, T 1, R 12.
    # n sets: S net 2n − 3, T net 2n − 4, R 5(2n − 4) ≤ 12 -> n ≤ 3.2 -> 3, bottleneck R
    tables = book([("P", "S", 2), ("S", "T", 1), ("T", "R", 5)], {"S": 3, "T": 1, "R": 12})
    assert buildable(tables, "P", DAY) == (3.0, "R")


def test_buildable_counts_receipts_due_by_the_date_only() -> None:
    po = [{"po_no": "PO1", "item_code": "C", "qty": 6, "due_date": "2026-03-15"}]
    tables = book(P_ABC, STOCK_ABC, purchase_orders=po)
    assert buildable(tables, "P", dt.date(2026, 3, 14)) == (22.0, "C")  # 90 / 4
    assert buildable(tables, "P", dt.date(2026, 3, 15)) == (24.0, "C")  # 96 / 4
    assert buildable(tables, "Nope", DAY) == (0.0, "")


def test_buildable_under_a_bom_loop_gives_no_sets() -> None:
    tables = book([("P", "S", 1), ("S", "T", 1), ("T", "S", 1)], {"S": 5, "T": 5})
    assert buildable(tables, "P", DAY) == (0.0, "")


def test_bom_loop_is_an_error_for_kit() -> None:
    tables = book([("P", "S", 1), ("S", "T", 1), ("T", "S", 1)], {"S": 5}, [so("SO1", 1)])
    result = kit(tables, KitOptions(DAY))
    assert [i.code for i in result.issues] == ["bom_cycle"] and result.orders.empty


# ------------------------------------------------------------- allocation across orders


def orders_frame(tables: dict, mode: str = "onhand", **options: object) -> tuple:
    result = kit(tables, KitOptions(DAY, mode, **options))
    assert not result.issues, result.issues
    return result.orders, result.shortages, result.unblocked


def test_domain_example_so1_15_then_so2_7_short_10_of_c() -> None:
    # SO1 15 sets take A 30, B 15, C 60; left A 20, B 15, C 30 -> SO2 floor(30 / 4) = 7;
    # SO2's 10 sets need 40 C, 30 are left -> short 10 of C (A 20 and B 10 are enough).
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 15), so("SO2", 10, "2026-03-12")])
    out, short, _ = orders_frame(tables)
    assert out[["order_no", "buildable_sets", "short_sets", "kitted", "bottleneck"]
               ].values.tolist() == [["SO1", 15.0, 0.0, True, ""], ["SO2", 7.0, 3.0, False, "C"]]
    assert short[["order_no", "component_code", "need_qty", "available_qty", "short_qty"]
                 ].values.tolist() == [["SO2", "C", 40.0, 30.0, 10.0]]


def test_priority_then_due_date_then_order_no() -> None:
    # SO2 has priority 1 so it is served first and gets its 10 sets (40 C); SO1 then
    # gets floor(50 / 4) = 12. SO3 and SO4 tie on priority 5 and due date: SO3 first.
    orders = [so("SO1", 15), so("SO2", 10, "2026-03-12", priority=1),
              so("SO4", 1, "2026-03-20"), so("SO3", 1, "2026-03-20")]
    out, _, _ = orders_frame(book(P_ABC, STOCK_ABC, orders))
    assert out[["order_no", "buildable_sets"]].values.tolist() == [
        ["SO2", 10.0], ["SO1", 12.0], ["SO3", 0.0], ["SO4", 0.0]]


def test_shipped_closed_and_unasked_lines_are_left_out() -> None:
    orders = [so("SO1", 15, shipped_qty=5), so("SO2", 4, status="closed"), so("SO3", 2)]
    out, _, _ = orders_frame(book(P_ABC, STOCK_ABC, orders))
    assert out[["order_no", "need_qty"]].values.tolist() == [["SO1", 10.0], ["SO3", 2.0]]
    out, _, _ = orders_frame(book(P_ABC, STOCK_ABC, orders), orders=("SO3",))
    assert out["order_no"].tolist() == ["SO3"]


def test_available_mode_subtracts_allocations_of_other_orders_only() -> None:
    # 20 C allocated to task MO7 and 8 to SO1 itself: available C = 90 − 20 = 70 -> 17 sets
    alloc = [{"item_code": "C", "qty": 20, "source_no": "MO7"},
             {"item_code": "C", "qty": 8, "source_no": "SO1"}]
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 30)], allocations=alloc)
    assert orders_frame(tables, "onhand")[0]["buildable_sets"].tolist() == [22.0]
    assert orders_frame(tables, "available")[0]["buildable_sets"].tolist() == [17.0]


def test_receipts_mode_counts_receipts_due_by_each_orders_due_date() -> None:
    # PO1 brings 10 C on 03-11: SO1 (due 03-10) sees 90 C -> 22 sets and takes 88;
    # SO2 (due 03-12) sees 2 + 10 = 12 C -> 3 sets.
    po = [{"po_no": "PO1", "item_code": "C", "qty": 10, "due_date": "2026-03-11"}]
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 25), so("SO2", 5, "2026-03-12")],
                  purchase_orders=po)
    out, _, _ = orders_frame(tables, "receipts")
    assert out["buildable_sets"].tolist() == [22.0, 3.0]


# --------------------------------------------------------------- covering receipts


def test_earliest_covering_receipt_and_unblocked_orders() -> None:
    # SO2 is short 10 C. PO1 (6 C, 03-15) alone is not enough; with PO2 (20 C, 03-20)
    # 26 ≥ 10: PO2 covers it, SO2 is kitted on 03-20 and PO2 is the receipt that does it.
    po = [{"po_no": "PO1", "item_code": "C", "qty": 6, "due_date": "2026-03-15"},
          {"po_no": "PO2", "item_code": "C", "qty": 20, "due_date": "2026-03-20"}]
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 15), so("SO2", 10, "2026-03-12")],
                  purchase_orders=po)
    out, short, unblocked = orders_frame(tables, "available")
    assert short[["receipt_ref", "receipt_date"]].values.tolist() == [
        ["PO2-1", pd.Timestamp("2026-03-20")]]
    assert out["kit_date"].tolist()[1] == pd.Timestamp("2026-03-20")
    assert out["unblocked_by"].tolist() == ["", "PO2-1"]
    assert unblocked[["receipt_ref", "component_code", "order_no", "need_qty"]
                     ].values.tolist() == [["PO2-1", "C", "SO2", 10.0]]


def test_earlier_orders_shortages_come_first_from_receipts() -> None:
    # C 0 on hand. SO1 short 8 C (2 sets), SO2 short 4 C (1 set). PO1 8 C on 03-15,
    # PO2 4 C on 03-18: SO1 needs 8 -> PO1; SO2 needs 8 + 4 = 12 in total -> PO2.
    po = [{"po_no": "PO1", "item_code": "C", "qty": 8, "due_date": "2026-03-15"},
          {"po_no": "PO2", "item_code": "C", "qty": 4, "due_date": "2026-03-18"}]
    tables = book(P_ABC, {"A": 50, "B": 30, "C": 0}, [so("SO1", 2), so("SO2", 1, "2026-03-12")],
                  purchase_orders=po)
    _, short, _ = orders_frame(tables)
    assert short[["order_no", "short_qty", "receipt_ref"]].values.tolist() == [
        ["SO1", 8.0, "PO1-1"], ["SO2", 4.0, "PO2-1"]]


def test_a_short_order_claims_its_whole_need_from_receipts() -> None:
    # SO1 takes 60 C; SO2 (10 sets, 40 C) builds 7 with 28 C and is short 10; SO3 (1 set)
    # sees the 2 C SO2 left and is short 2. Receipts must bring 60 + 40 + 4 − 90 = 14 C
    # for SO3, not 12: SO2 claims all 40. PO1 12 C (03-15), PO2 2 C (03-16).
    po = [{"po_no": "PO1", "item_code": "C", "qty": 12, "due_date": "2026-03-15"},
          {"po_no": "PO2", "item_code": "C", "qty": 2, "due_date": "2026-03-16"}]
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 15), so("SO2", 10, "2026-03-12"),
                                     so("SO3", 1, "2026-03-13")], purchase_orders=po)
    out, short, _ = orders_frame(tables)
    assert out["buildable_sets"].tolist() == [15.0, 7.0, 0.0]
    assert short[["order_no", "short_qty", "receipt_ref"]].values.tolist() == [
        ["SO2", 10.0, "PO1-1"], ["SO3", 2.0, "PO2-1"]]


def test_a_shortage_no_receipt_covers_leaves_the_kit_date_blank() -> None:
    tables = book(P_ABC, {"A": 0, "B": 30, "C": 90}, [so("SO1", 5)])
    out, short, unblocked = orders_frame(tables)
    assert short[["component_code", "short_qty", "receipt_ref"]].values.tolist() == [
        ["A", 10.0, ""]]
    assert pd.isna(out["kit_date"].iloc[0]) and out["unblocked_by"].iloc[0] == ""
    assert unblocked.empty


# ------------------------------------------------------------------- edges and input


def test_no_orders_gives_empty_tables_with_every_column() -> None:
    result = kit(book(P_ABC, STOCK_ABC), KitOptions(DAY))
    for name, frame in result.tables().items():
        assert frame.empty
        assert list(frame.columns) == RESULTS[name].column_names, name


def test_extra_columns_are_ignored_and_runs_are_identical() -> None:
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 15), so("SO2", 10, "2026-03-12")])
    tables["stock"] = tables["stock"].assign(note="x")
    first, second = (kit(tables, KitOptions(DAY)).tables() for _ in range(2))
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_unknown_ordered_item_is_an_error_and_nothing_is_computed() -> None:
    tables = book(P_ABC, STOCK_ABC, [{"order_no": "SO9", "item_code": "ZZ", "qty": 1,
                                      "due_date": "2026-03-10"}])
    result = kit(tables, KitOptions(DAY))
    assert [(i.code, i.sheet, i.row, i.column) for i in result.issues] == [
        ("mrp_unknown_item", "sales_orders", 2, "item_code")]
    assert result.orders.empty


def test_made_product_without_bom_is_a_warning() -> None:
    tables = book(P_ABC, {**STOCK_ABC, "Q": 3}, [so("SO1", 5, item_code="Q")])
    tables["items"].loc[tables["items"]["item_code"] == "Q", "item_type"] = "manufactured"
    result = kit(tables, KitOptions(DAY, "onhand"))
    assert [(i.code, i.row) for i in result.issues] == [("kit_product_no_bom", 2)]
    assert result.orders["buildable_sets"].tolist() == [3.0]  # its own stock


# ------------------------------------------------------------------------ properties


@settings(deadline=None, max_examples=20)
@given(usage=st.lists(st.integers(1, 9), min_size=1, max_size=5),
       stock=st.lists(st.integers(0, 500), min_size=5, max_size=5),
       needs=st.lists(st.integers(1, 40), min_size=1, max_size=6))
def test_single_level_rule_and_allocation_never_exceed_stock(usage, stock, needs) -> None:
    codes = [f"C{k}" for k in range(len(usage))]
    tables = book([("P", c, u) for c, u in zip(codes, usage, strict=False)],
                  dict(zip(codes, stock, strict=False)),
                  [so(f"SO{k}", n) for k, n in enumerate(needs)])
    rule = min(s // u for s, u in zip(stock, usage, strict=False))
    assert buildable(tables, "P", DAY)[0] == rule
    out, _, _ = orders_frame(tables)
    built = out["buildable_sets"].to_numpy()
    assert built.sum() == min(rule, sum(needs))  # served in turn, nothing wasted
    for u, s in zip(usage, stock, strict=False):
        assert built.sum() * u <= s
    np.testing.assert_allclose(out["need_qty"] - built, out["short_sets"])


@settings(deadline=None, max_examples=25)
@given(usage=st.lists(st.integers(1, 4), min_size=4, max_size=4),
       stock=st.lists(st.integers(0, 60), min_size=4, max_size=4))
def test_multi_level_sets_are_the_largest_that_explode_without_shortage(usage, stock) -> None:
    # P = u0 S + u1 X; S = u2 X + u3 Y (X shared). n is buildable when S's stock plus
    # what X and Y build covers n: X used u1 n + u2 max(0, u0 n − S) ≤ X, Y likewise.
    u0, u1, u2, u3 = usage
    s, x, y, _ = stock
    tables = book([("P", "S", u0), ("P", "X", u1), ("S", "X", u2), ("S", "Y", u3)],
                  {"S": s, "X": x, "Y": y})

    def fits(n: int) -> bool:
        made = max(0, u0 * n - s)
        return u1 * n + u2 * made <= x and u3 * made <= y

    expected = 0
    while fits(expected + 1):
        expected += 1
    assert buildable(tables, "P", DAY)[0] == expected


# ---------------------------------------------------------------------------- command


def test_command_highlights_shortages_and_summarises() -> None:
    tables = book(P_ABC, STOCK_ABC, [so("SO1", 15), so("SO2", 10, "2026-03-12")])
    result = commands.run("kit", tables, {"date": "2026-03-01", "mode": "onhand"})
    assert result.messages == ["1 of 2 order lines fully kitted; 1 shortage lines"]
    assert result.row_styles["kit_orders"].tolist() == ["", "error"]
    assert result.row_styles["kit_shortages"].tolist() == ["warning"]
    zh = commands.run("kit", tables, {"date": "2026-03-01", "lang": "zh"})
    assert zh.messages == ["订单行 2 行中 1 行齐套；缺料 1 行"]


def test_command_rejects_a_bad_mode() -> None:
    with pytest.raises(UsageError, match="mode 'all' is not one of onhand, available"):
        commands.run("kit", book(P_ABC, STOCK_ABC), {"mode": "all"})
