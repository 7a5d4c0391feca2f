"""The canonical schema: specs are consistent, and coercion types cells and reports bad ones."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from addin.issues import message_codes
from addin.schema import INPUT_TABLES, ROW, TABLES, coerce, empty_frame, fold, map_headers, table


def raw(table_name: str, **columns: list) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    return pd.DataFrame({ROW: range(2, 2 + length), **columns}, dtype="object")


def test_every_domain_entity_has_a_table() -> None:
    expected = {"items", "bom", "warehouses", "locations", "customers", "suppliers", "units",
                "unit_conversions", "calendar", "code_mappings", "stock", "sales_orders",
                "forecasts", "purchase_orders", "production_tasks", "subcontract_orders"}
    assert expected <= set(INPUT_TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_headers_and_aliases_are_unambiguous(name: str) -> None:
    spec = TABLES[name]
    seen: dict[str, str] = {}
    for column in spec.columns:
        assert column.zh and column.en, f"{name}.{column.name} needs both headers"
        for text in (column.name, column.zh, column.en):
            owner = seen.setdefault(fold(text), column.name)
            assert owner == column.name, f"{name}: header {text!r} names {owner} and {column.name}"
    assert all(k in spec.column_names for k in spec.key)


def test_sheet_names_are_unique_across_tables() -> None:
    seen: dict[str, str] = {}
    for spec in TABLES.values():
        for text in (spec.zh, spec.en):
            assert seen.setdefault(fold(text), spec.name) == spec.name, text


def test_headers_match_in_either_language_any_case_and_spacing() -> None:
    mapping, unknown = map_headers(table("items"), ["物料编码", " ITEM name ", "Lead-time (days)",
                                                    "料号", "colour"])
    assert mapping == {0: "item_code", 1: "item_name", 2: "lead_time_days"}
    assert unknown == ["料号", "colour"]  # 料号 is an alias of item_code, already taken


def test_numbers_accept_thousands_and_percent_and_reject_decimal_commas() -> None:
    frame, issues = coerce(table("bom"), raw("bom", parent_code=["A", "A", "A"],
                                             component_code=["B", "C", "D"],
                                             qty_numerator=["1,000", "1,5", "2"],
                                             variable_loss_rate=["5%", 0.1, None]), "BOM", "en")
    assert frame["qty_numerator"].tolist()[::2] == [1000.0, 2.0]
    assert frame["variable_loss_rate"].tolist() == [0.05, 0.1, 0.0]  # blank -> default 0
    [issue] = issues
    assert (issue.code, issue.row, issue.column, issue.value) == ("not_a_number", 3,
                                                                  "Qty numerator", "1,5")
    assert issue.located("en") == ('Sheet "BOM", row 3, column "Qty numerator": "1,5" is not a '
                                   "number — Enter a plain number; use a dot as the decimal "
                                   "separator")


def test_dates_from_cells_serials_and_text() -> None:
    frame, issues = coerce(table("forecasts"), raw(
        "forecasts", item_code=["A"] * 5, qty=[1] * 5,
        forecast_date=[dt.datetime(2026, 12, 1, 8, 30), 46358, "2026/12/03", "20261204",
                       "next week"]), "Forecasts", "en")
    assert frame["forecast_date"].iloc[:4].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert [(i.code, i.row) for i in issues] == [("not_a_date", 6)]


def test_choices_accept_labels_in_both_languages_and_aliases() -> None:
    frame, issues = coerce(table("items"), raw(
        "items", item_code=["A", "B", "C", "D"], item_name=["a", "b", "c", "d"],
        item_type=["外购", "Manufactured", "make", "gadget"]), "Items", "zh")
    assert frame["item_type"].tolist()[:3] == ["purchased", "manufactured", "manufactured"]
    [issue] = issues
    assert issue.code == "not_a_choice" and issue.row == 5
    assert "外购、自制、委外、虚拟件、客供" in issue.fix("zh")


def test_codes_typed_as_numbers_come_back_as_text() -> None:
    frame, _ = coerce(table("items"), raw("items", item_code=[1001.0, "  01.02.0001 "],
                                          item_name=["x", "y"], item_type=["P", "M"]), "I", "en")
    assert frame["item_code"].tolist() == ["1001", "01.02.0001"]


def test_required_blank_minimum_and_duplicates_are_reported_by_row() -> None:
    _, issues = coerce(table("items"), raw(
        "items", item_code=["A", "", "A"], item_name=["a", "b", "c"],
        item_type=["P", "P", "P"], safety_stock=[1, -5, 0]), "Items", "en")
    found = sorted((i.code, i.row) for i in issues)
    assert found == [("below_minimum", 3), ("duplicate_key", 4), ("required_empty", 3)]
    duplicate = next(i for i in issues if i.code == "duplicate_key")
    assert duplicate.params["first_row"] == 2


def test_missing_required_column_is_one_issue_on_the_header_row() -> None:
    frame, issues = coerce(table("items"), raw("items", item_code=["A"], item_type=["P"]),
                           "Items", "en", header_row=3)
    assert [(i.code, i.row, i.column) for i in issues] == [("missing_column", 3, "Item name")]
    assert frame["item_name"].tolist() == [""]


def test_bools_accept_common_spellings() -> None:
    frame, issues = coerce(table("warehouses"), raw(
        "warehouses", warehouse_code=list("ABCDE"), nettable=["是", "否", "Y", 0, "maybe"]),
        "W", "en")
    assert frame["nettable"].tolist() == [True, False, True, False, True]
    assert [(i.code, i.row) for i in issues] == [("not_a_bool", 6)]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_empty_frames_have_every_column(name: str) -> None:
    frame = empty_frame(TABLES[name])
    assert list(frame.columns) == [ROW, *TABLES[name].column_names]
    assert len(frame) == 0


def test_every_validation_code_has_a_message() -> None:
    for code in ("missing_sheet", "missing_column", "required_empty", "not_a_number",
                 "not_an_integer", "not_a_date", "not_a_bool", "not_a_choice", "below_minimum",
                 "duplicate_key", "unknown_column"):
        assert code in message_codes()


@pytest.mark.parametrize("name", INPUT_TABLES)
def test_every_input_table_has_a_business_key(name: str) -> None:
    # the store keys its rows by it and the reader reports duplicates of it
    assert TABLES[name].key
