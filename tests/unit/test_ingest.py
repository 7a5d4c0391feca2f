"""One file through parse -> validate -> map -> load, for each shipped profile."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from fixtures import make_exports as mx

from addin.schema import TABLES, coerce
from agent.ingest import ingest_file
from agent.profiles import load_profiles
from agent.store import Provenance, Store


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "xlerp.db") as opened:
        yield opened


def master(store: Store, table: str, **columns: list) -> None:
    frame, issues = coerce(TABLES[table], pd.DataFrame(columns), table, "en")
    assert issues == []
    store.load_batch(table, frame, Provenance("master", "m", f"m-{table}-{len(frame)}",
                                              "2000-01-01T00:00:00.000000Z"))


def items(store: Store, *codes: str, unit: str = "pcs") -> None:
    master(store, "items", item_code=list(codes), item_name=list(codes),
           item_type=["purchased"] * len(codes), stock_unit=[unit] * len(codes))


def codes_of(result) -> list[tuple]:
    return [(i.code, i.row, i.column, i.value) for i in result.issues]


def test_shopify_orders(tmp_path: Path, store: Store, profiles) -> None:
    path = mx.shopify_csv(tmp_path / "orders_export_1.csv")
    result = ingest_file(store, path, profiles)
    assert (result.status, result.profile, result.lang) == ("loaded", "shopify_orders", "en")
    rows = store.rows("sales_orders")
    got = rows[["order_no", "line_no", "customer_code", "item_code", "qty", "status"]]
    assert got.values.tolist() == [
        ["#1001", 1, "ann@example.com", "TEE-BLK-S", 2.0, "closed"],
        ["#1001", 2, "ann@example.com", "MUG-01", 1.0, "open"],  # Email filled down
        ["#1002", 1, "bob@example.com", "TEE-BLK-S", 3.0, "open"],
        ["#1003", 1, "cy@example.com", "MUG-01", 1.0, "cancelled"],  # Cancelled at set
    ]
    # "2024-05-01 09:58:12 +0800": the date in the shop's own time zone
    assert rows["due_date"].unique().tolist() == [pd.Timestamp("2024-05-01")]
    assert rows["source_platform"].unique().tolist() == ["shopify"]
    assert rows["_row"].tolist() == [2, 3, 4, 5]  # CSV record numbers: header is 1


def test_crlf_and_lf_exports_load_the_same(tmp_path: Path, store: Store, profiles) -> None:
    lf = ingest_file(store, mx.shopify_csv(tmp_path / "orders_export.csv"), profiles)
    crlf = mx.shopify_csv(tmp_path / "orders_export_2.csv", crlf=True)
    again = ingest_file(store, crlf, profiles)
    assert lf.batch.inserted == 4 and again.batch.unchanged == 4


def test_taobao_gbk_with_excel_guards(tmp_path: Path, store: Store, profiles) -> None:
    path = mx.taobao_csv(tmp_path / "ExportOrderDetailList0501.csv")
    os.utime(path, (1_714_540_000, 1_714_540_000))  # 2024-05-01 05:06:40 UTC
    result = ingest_file(store, path, profiles)
    assert (result.status, result.lang) == ("loaded", "zh")
    rows = store.rows("sales_orders")
    assert rows[["order_no", "line_no", "item_code", "qty", "status"]].values.tolist() == [
        ["100000000000000001", 1, "PAN-20", 1.0, "open"],  # ="…" gone, 18 digits kept
        ["100000000000000001", 2, "LID-20", 2.0, "open"],
        ["100000000000000002", 1, "PAN-20", 4.0, "cancelled"],  # 交易关闭
    ]
    # no date column: due on the export date, the file's mtime in local time
    local_day = pd.Timestamp(1_714_540_000, unit="s", tz="UTC").tz_convert(None)
    assert rows["due_date"].iloc[0] in (local_day.normalize(),
                                        local_day.normalize() + pd.Timedelta(days=1),
                                        local_day.normalize() - pd.Timedelta(days=1))


def test_excel_resaved_long_ids_are_rejected(tmp_path: Path, store: Store, profiles) -> None:
    # Opened in Excel and saved as CSV UTF-8: the order numbers became 1E+17
    path = mx.generic_csv(tmp_path / "ExportOrderDetailList.csv",
                          ["订单编号", "商家编码", "购买数量", "订单状态"],
                          [["1E+17", "PAN-20", "1", "交易成功"],
                           ["1E+17", "LID-20", "2", "交易成功"]])
    result = ingest_file(store, path, profiles)
    assert result.status == "rejected"
    assert [c[:3] for c in codes_of(result)] == [("id_as_number", 2, "订单编号"),
                                                 ("id_as_number", 3, "订单编号")]
    assert store.status().tables == {}


def test_kingdee_bom_two_header_rows_and_fill_down(tmp_path: Path, store: Store,
                                                    profiles) -> None:
    path = mx.kingdee_bom_xlsx(tmp_path / "ENG_BOM_0501.xlsx", [
        ("01.01.0001", "V1", [("01.02.0001", 2, 1, 5), ("01.02.0002", 1, 4, 0)]),
        ("01.01.0002", "V2", [("01.02.0001", 3, 1, 0)])])
    result = ingest_file(store, path, profiles)
    assert result.status == "loaded", codes_of(result)
    bom = store.rows("bom")
    assert bom[["parent_code", "component_code", "qty_numerator", "qty_denominator",
                "variable_loss_rate", "bom_version", "_row"]].values.tolist() == [
        ["01.01.0001", "01.02.0001", 2.0, 1.0, 0.05, "V1", 3],  # 5 % -> 0.05; data at row 3
        ["01.01.0001", "01.02.0002", 1.0, 4.0, 0.0, "V1", 4],  # parent filled down
        ["01.01.0002", "01.02.0001", 3.0, 1.0, 0.0, "V2", 5],
    ]


def test_stock_units_converted_to_the_stock_unit(tmp_path: Path, store: Store,
                                                 profiles) -> None:
    items(store, "01.02.0001", "01.02.0002")
    master(store, "unit_conversions", item_code=[""], from_unit=["箱"], to_unit=["PCS"],
           factor=["12"])
    path = mx.kingdee_stock_xlsx(tmp_path / "即时库存.xlsx", [
        ("01.02.0001", "成品仓", "箱", 3), ("01.02.0002", "成品仓", "Pcs", 5)])
    result = ingest_file(store, path, profiles)
    assert result.status == "loaded", codes_of(result)
    assert store.rows("stock")[["item_code", "qty"]].values.tolist() == [
        ["01.02.0001", 36.0], ["01.02.0002", 5.0]]  # 3 boxes × 12; Pcs = pcs


def test_unknown_unit_rejects_with_the_row(tmp_path: Path, store: Store, profiles) -> None:
    items(store, "01.02.0001")
    path = mx.kingdee_stock_xlsx(tmp_path / "即时库存.xlsx", [("01.02.0001", "成品仓", "桶", 3)])
    result = ingest_file(store, path, profiles)
    assert codes_of(result) == [("unknown_unit", 3, "数量", "桶")]  # title row 1, header 2


def test_code_mapping_and_unknown_codes(tmp_path: Path, store: Store, profiles) -> None:
    items(store, "01.02.0001", "01.02.0002")
    master(store, "code_mappings", platform=["shopify"], entity=["物料"],
           external_code=["TEE-BLK-S"], canonical_code=["01.02.0001"])
    result = ingest_file(store, mx.shopify_csv(tmp_path / "orders_export.csv"), profiles)
    assert result.status == "rejected"
    # TEE-BLK-S is mapped; MUG-01 (rows 3 and 5) is neither mapped nor an item
    assert codes_of(result) == [("unknown_code", 3, "Lineitem sku", "MUG-01"),
                                ("unknown_code", 5, "Lineitem sku", "MUG-01")]
    assert "code mappings" in result.issues[0].fix("en")
    master(store, "code_mappings", platform=["shopify", "shopify"], entity=["item", "item"],
           external_code=["TEE-BLK-S", "MUG-01"], canonical_code=["01.02.0001", "01.02.0002"])
    again = ingest_file(store, tmp_path / "orders_export.csv", profiles)
    assert again.status == "loaded"
    assert store.rows("sales_orders")["item_code"].tolist() == [
        "01.02.0001", "01.02.0002", "01.02.0001", "01.02.0002"]


def test_snapshot_stock_list_drops_missing_items(tmp_path: Path, store: Store,
                                                 profiles) -> None:
    first = mx.wms_stock_xlsx(tmp_path / "stock_list_1.xlsx", [("A-1", 5), ("B-1", 7)])
    os.utime(first, (1_700_000_000, 1_700_000_000))
    assert ingest_file(store, first, profiles).batch.inserted == 2
    second = mx.wms_stock_xlsx(tmp_path / "stock_list_2.xlsx", [("A-1", 4)])
    result = ingest_file(store, second, profiles)
    assert (result.batch.updated, result.batch.deleted) == (1, 1)
    assert store.rows("stock")[["item_code", "warehouse_code", "qty"]].values.tolist() == [
        ["A-1", "WMS", 4.0]]


def test_older_export_is_loaded_but_not_applied(tmp_path: Path, store: Store,
                                                profiles) -> None:
    new = mx.wms_stock_xlsx(tmp_path / "stock_list_new.xlsx", [("A-1", 5)])
    old = mx.wms_stock_xlsx(tmp_path / "stock_list_old.xlsx", [("A-1", 9)])
    os.utime(new, (1_700_000_100, 1_700_000_100))
    os.utime(old, (1_700_000_000, 1_700_000_000))
    ingest_file(store, new, profiles)
    result = ingest_file(store, old, profiles)
    assert (result.status, result.batch.stale) == ("loaded", 1)
    assert [(i.code, i.severity, i.params["count"]) for i in result.issues] == [
        ("older_export", "warning", 1)]
    assert store.rows("stock")["qty"].tolist() == [5.0]


def test_same_content_under_another_name_is_a_duplicate(tmp_path: Path, store: Store,
                                                        profiles) -> None:
    first = mx.shopify_csv(tmp_path / "orders_export.csv")
    copy = tmp_path / "orders_export (copy).csv"
    copy.write_bytes(first.read_bytes())
    assert ingest_file(store, first, profiles).status == "loaded"
    again = ingest_file(store, copy, profiles)
    assert (again.status, again.batch.batch) == ("duplicate", 1)
    assert store.status().batches == 1


def test_bad_rows_reject_the_whole_file(tmp_path: Path, store: Store, profiles) -> None:
    path = mx.generic_csv(tmp_path / "orders.csv",
                          ["Order no", "Item code", "Qty", "Due date"],
                          [["S1", "A", "2", "2026-05-01"], ["S2", "B", "-3", "2026-05-01"],
                           ["S3", "C", "1", "next week"]])
    result = ingest_file(store, path, profiles)
    assert (result.status, result.profile) == ("rejected", "generic_sales_orders")
    assert codes_of(result) == [("below_minimum", 3, "Qty", -3),
                                ("not_a_date", 4, "Due date", "next week")]
    assert store.status().tables == {}  # S1 was fine, yet nothing is partial


def test_generic_tsv_with_title_rows(tmp_path: Path, store: Store, profiles) -> None:
    path = tmp_path / "items.txt"
    path.write_text("物料清单\n\n物料编码\t物料名称\t物料属性\n01\t锅\t外购\n02\t盖\t自制\n",
                    encoding="utf-8")
    result = ingest_file(store, path, profiles)
    assert (result.status, result.profile) == ("loaded", "generic_items")
    assert store.rows("items")[["item_code", "item_type", "_row"]].values.tolist() == [
        ["01", "purchased", 4], ["02", "manufactured", 5]]


@pytest.mark.parametrize(("name", "content", "code"), [
    ("empty.csv", b"", "empty_file"),
    ("latin.csv", b"item_code,item_name\nA,\x80\xff\n", "encoding"),
    ("notes.csv", b"colour,smell\nred,sweet\n", "unknown_profile"),
    ("report.pdf", b"%PDF-1.4", "unsupported_file"),
    ("broken.xlsx", b"PK\x03\x04 truncated", "unreadable"),
])
def test_unreadable_files_are_rejected_with_a_reason(tmp_path: Path, store: Store, profiles,
                                                     name: str, content: bytes,
                                                     code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = ingest_file(store, path, profiles)
    assert (result.status, [i.code for i in result.issues]) == ("rejected", [code])
    assert result.issues[0].message("en") and result.issues[0].message("zh")


def test_export_time_from_a_profile_column(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "erp.toml").write_text(
        'name = "erp_stock"\ntable = "stock"\nplatform = "erp"\nmode = "snapshot"\n'
        'as_of_column = "导出时间"\n[columns]\n"物料" = "item_code"\n"仓库" = "warehouse_code"\n'
        '"结存" = "qty"\n', encoding="utf-8")
    profiles = load_profiles(folder)
    header = ["物料", "仓库", "结存", "导出时间"]
    new = mx.generic_csv(tmp_path / "a.csv", header, [["A", "W", "5", "2026-03-02 08:00"]])
    old = mx.generic_csv(tmp_path / "b.csv", header, [["A", "W", "9", "2026-03-01 08:00"]])
    os.utime(old, (2_000_000_000, 2_000_000_000))  # a newer mtime must not matter
    assert ingest_file(store, new, profiles).profile == "erp_stock"
    late = ingest_file(store, old, profiles)
    assert late.batch.stale == 1 and store.rows("stock")["qty"].tolist() == [5.0]
    # 2026-03-02 08:00 local time, stored as UTC text
    assert store.rows("stock")["_as_of"].iloc[0][:10] in ("2026-03-01", "2026-03-02")
