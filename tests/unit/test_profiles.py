"""Import profiles: the shipped TOML files, user overrides, and picking one for a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.make_exports import KINGDEE_BOM_CAPTIONS, KINGDEE_BOM_KEYS, SHOPIFY_HEADER

from addin.errors import UsageError
from addin.schema import INPUT_TABLES
from agent.profiles import key, load_profiles, parse_profile, sniff

SHIPPED = {"shopify_orders", "taobao_orders", "wms_stock", "kingdee_stock", "kingdee_bom",
           "einvoice"}


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def test_shipped_profiles_load_and_generic_covers_every_input_table(profiles) -> None:
    names = {p.name for p in profiles}
    assert names >= SHIPPED
    assert {f"generic_{t}" for t in INPUT_TABLES} <= names
    assert len(names) == len(SHIPPED) + len(INPUT_TABLES)  # one generic per input table


def test_key_folds_width_case_spaces_and_commas() -> None:
    assert key("商家实收金额（元）") == key("商家实收金额(元)")
    assert key("收货地址 ") == key("收货地址")
    assert key("买家已付款，等待卖家发货") == key("买家已付款等待卖家发货")
    assert key("Lineitem SKU") == key("lineitem sku")


def test_user_profile_overrides_and_extends(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "shopify_orders"\ntable = "sales_orders"\nplatform = "myshop"\n'
        '[columns]\n"Name" = "order_no"\n', encoding="utf-8")
    (tmp_path / "jd.toml").write_text(
        'name = "jd_orders"\ntable = "sales_orders"\nplatform = "jd"\n'
        '[columns]\n"订单号" = "order_no"\n"货号" = "item_code"\n"订购数量" = "qty"\n',
        encoding="utf-8")
    by_name = {p.name: p for p in load_profiles(tmp_path)}
    assert by_name["shopify_orders"].platform == "myshop"
    assert by_name["jd_orders"].columns["货号"] == "item_code"


@pytest.mark.parametrize(("text", "error"), [
    ('name = "x"\ntable = "sales_orders"\ncolour = "red"\n', "unknown setting colour"),
    ('name = "x"\ntable = "orders"\n', "'orders' is not a canonical input table"),
    ('name = "x"\ntable = "stock"\n[columns]\n"Qty" = "quantity"\n',
     "quantity not in table stock"),
    ('name = "x"\ntable = "stock"\nmode = "replace"\n', "mode must be one of upsert, snapshot"),
    ('name = "x"\ntable = "stock"\n[codes]\nitem_code = "sku"\n', "unknown code entity sku"),
    ('table = "stock"\n', "give the profile a name"),
    ('name = "x"\ntable = ', "not valid TOML"),
])
def test_profile_mistakes_name_the_setting(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=error):
        parse_profile(path)


def test_missing_profiles_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a folder of profile"):
        load_profiles(tmp_path / "nope")


def test_pattern_picks_the_profile(profiles) -> None:
    match = sniff(profiles, "orders_export_3.csv", [SHOPIFY_HEADER])
    assert match.profile.name == "shopify_orders"


def test_headers_pick_the_profile_whatever_the_name(profiles) -> None:
    match = sniff(profiles, "download (4).csv", [SHOPIFY_HEADER, ["#1001"] * 79])
    assert (match.profile.name, match.header_at) == ("shopify_orders", 0)
    # 7 of the profile's headers are in the file: Name, Email, Lineitem sku/quantity/price,
    # Created at, Lineitem fulfillment status
    assert match.score == 7


def test_taobao_headers_with_trailing_spaces(profiles) -> None:
    header = ["订单编号 ", "标题", "价格", "购买数量", "外部系统编号", "订单状态 ", "商家编码"]
    match = sniff(profiles, "x.csv", [header])
    assert match.profile.name == "taobao_orders"


def test_generic_header_below_a_title_row(profiles) -> None:
    grid = [["库存表 2026-05-01"], [], ["物料编码", "仓库", "库存数量", "批号"], ["A", "W", 3, ""]]
    match = sniff(profiles, "whatever.xlsx", grid)
    assert (match.profile.name, match.header_at) == ("generic_stock", 2)
    assert sorted(match.mapping.values()) == ["item_code", "lot", "qty", "warehouse_code"]


def test_kingdee_bom_header_is_the_field_key_row(profiles) -> None:
    match = sniff(profiles, "bom.xlsx", [KINGDEE_BOM_KEYS, KINGDEE_BOM_CAPTIONS])
    assert (match.profile.name, match.header_at) == ("kingdee_bom", 0)


def test_nothing_recognisable_is_no_match(profiles) -> None:
    assert sniff(profiles, "notes.csv", [["colour", "smell"], ["red", "sweet"]]) is None


def test_a_profile_that_fills_the_required_columns_wins(profiles) -> None:
    # "sku" and "qty" alone match generic stock's item and qty, but stock also needs a
    # warehouse; the wms profile supplies it as a constant, so it wins on equal footing
    grid = [["商品编码", "实际库存数", "颜色"]]
    assert sniff(profiles, "x.xlsx", grid).profile.name == "wms_stock"
