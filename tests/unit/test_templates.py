"""The shipped workbooks: templates, the fan-factory demo and the broken demo.

One module-scoped build writes all six files once (about two seconds); the tests read
them back with the product's own reader and checker.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin.engines.bomgraph import low_level_codes
from addin.headless import run_on_file
from addin.schema import INPUT_TABLES, table
from addin.workbook.read import read_tables
from templates import build_templates as bt
from templates import demo_data

SHIPPED = Path(bt.__file__).resolve().parent
BOOKS = {"xlerp-zh.xlsx": "zh", "xlerp-en.xlsx": "en", "demo-zh.xlsx": "zh",
         "demo-en.xlsx": "en"}
SOURCES = {"xlerp": demo_data.example_tables, "demo": demo_data.demo_tables}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    bt.build_all(out)
    return out


@functools.cache
def load(path: Path) -> openpyxl.Workbook:
    """Each built book opened once; the tests only look."""
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return demo_data.demo_tables("en")


@pytest.fixture(scope="module")
def demo_zh() -> dict[str, pd.DataFrame]:
    return demo_data.demo_tables("zh")


# ---------------------------------------------------------------- building


def test_build_writes_the_five_workbooks_and_the_manifest(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == sorted(
        [*BOOKS, "demo-broken-en.xlsx", "demo-broken.json"])


def test_rebuilding_gives_identical_bytes(built: Path, demo: dict[str, pd.DataFrame]) -> None:
    # (the shipped-files test below compares all six files across two processes)
    again = bt.workbook_bytes(bt.build_workbook(demo, "en"))
    assert again == (built / "demo-en.xlsx").read_bytes()


def test_shipped_files_are_the_current_build(built: Path) -> None:
    # Fails when the demo or the schema changed and build_templates.py was not re-run.
    for path in built.iterdir():
        shipped = SHIPPED / path.name
        assert shipped.exists(), f"run python templates/build_templates.py ({path.name})"
        assert shipped.read_bytes() == path.read_bytes(), f"{path.name} is stale: rebuild it"


def test_document_times_are_fixed(built: Path) -> None:
    props = load(built / "demo-en.xlsx").properties
    assert (props.created, props.modified) == (bt.FIXED_TIME, bt.FIXED_TIME)


def test_every_input_table_has_an_instructions_line() -> None:
    assert set(bt.TABLE_NOTES) == set(INPUT_TABLES)
    assert "Purchased, Manufactured" in bt.table_note("items", "en")
    assert "待检仓" in bt.table_note("warehouses", "zh")


# ---------------------------------------------------------------- sheet layout


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_instructions_first_then_one_sheet_per_input_table(built: Path, name: str) -> None:
    lang = BOOKS[name]
    book = load(built / name)
    assert book.sheetnames == [bt.INSTRUCTIONS_SHEET[lang],
                               *(table(t).sheet_name(lang) for t in INPUT_TABLES)]


@pytest.mark.parametrize("name", ["xlerp-zh.xlsx", "xlerp-en.xlsx"])
def test_headers_tables_and_required_marks(built: Path, name: str) -> None:
    lang = BOOKS[name]
    book = load(built / name)
    for table_name in INPUT_TABLES:
        spec = table(table_name)
        ws = book[spec.sheet_name(lang)]
        assert [c.value for c in ws[1]] == spec.headers(lang)
        assert ws.freeze_panes == "A2"
        assert list(ws.tables) == [f"xlerp_{table_name}"]
        for cell, column in zip(ws[1], spec.columns, strict=True):
            red = cell.fill.fgColor.rgb.endswith(bt.REQUIRED_FILL.fgColor.rgb[-6:])
            assert red == column.required, (table_name, column.name)
            if column.required:
                assert cell.comment is not None and cell.comment.text.startswith(
                    "必填" if lang == "zh" else "Required")


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    """Column letter -> its data validation (each covers one column from row 2)."""
    found = {}
    for validation in ws.data_validations.dataValidation:
        (ref,) = str(validation.sqref).split()
        found[ref.split(":")[0].rstrip("0123456789")] = validation
        assert ref.endswith(f"{bt.LAST_ROW}") and ref.split(":")[0].endswith("2")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_choice_and_bool_column_has_a_dropdown(built: Path, lang: str) -> None:
    book = load(built / f"xlerp-{lang}.xlsx")
    dropdowns = 0
    for table_name in INPUT_TABLES:
        spec = table(table_name)
        found = _validations(book[spec.sheet_name(lang)])
        for position, column in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(position)
            if column.type == "choice":
                labels = [c.label(lang) for c in column.choices]
                assert found[letter].formula1 == '"' + ",".join(labels) + '"'
                assert len(found[letter].formula1) <= 255  # Excel's limit for a typed list
                assert not any("," in label for label in labels)
                dropdowns += 1
            elif column.type == "bool":
                assert found[letter].formula1 == '"{},{}"'.format(*bt.BOOL_LABELS[lang])
                dropdowns += 1
    # items 5 choices + 3 bools, bom 2 + 1, warehouses 1 + 3, units 0 + 1, calendar 0 + 1,
    # one status each on sales orders, purchase orders, production tasks and subcontract
    # orders: 8 + 3 + 4 + 1 + 1 + 4 = 21; production tasks' kind 1; material issues' issue
    # mode 1; the cost sheets 6 (overhead basis, pool element and basis, WIP method, joint
    # method, product kind); invoice lines' direction, status and positive 3: 32
    assert dropdowns == 33


def test_numbers_and_dates_are_checked(built: Path) -> None:
    book = load(built / "xlerp-en.xlsx")
    items = _validations(book["Items"])
    lead = items["G"]  # Lead time (days), min_value 0
    assert (lead.type, lead.operator, lead.formula1) == ("decimal", "greaterThanOrEqual", "0")
    orders = _validations(book["Sales orders"])
    assert orders["B"].type == "whole"  # Line: integer, min 0
    due = orders["G"]
    assert (due.type, due.formula1, due.formula2) == ("date", "36526", "73050")
    assert "A" not in orders and "D" not in orders  # free text: no check


def test_written_yes_no_labels_are_the_dropdown_labels(built: Path) -> None:
    ws = load(built / "demo-zh.xlsx")["仓库"]
    assert {ws.cell(row=r, column=4).value for r in range(2, 8)} == set(bt.BOOL_LABELS["zh"])


# ---------------------------------------------------------------- reading and checking


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_clean_books_read_back_exactly(built: Path, name: str) -> None:
    lang = BOOKS[name]
    read = read_tables(built / name, INPUT_TABLES)
    assert read.issues == []
    assert read.lang == lang
    expected = SOURCES[name.split("-")[0]](lang)  # typed frames, `_row` = Excel row
    for table_name in INPUT_TABLES:
        pd.testing.assert_frame_equal(read.tables[table_name], expected[table_name])


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_check_finds_nothing_in_the_clean_books(built: Path, name: str) -> None:
    outcome = run_on_file(built / name, "check", write=False)
    assert [i.located("en") for i in outcome.issues] == []


def test_broken_demo_check_finds_exactly_the_planted_errors(built: Path) -> None:
    manifest = json.loads((built / "demo-broken.json").read_text(encoding="utf-8"))
    outcome = run_on_file(built / manifest["workbook"], "check", write=False)
    found = {(i.sheet, i.row, i.column, i.code, i.severity) for i in outcome.issues}
    expected = {(e["sheet"], e["row"], e["column"], e["code"], e["severity"])
                for e in manifest["planted"] + manifest["incidental"]}
    assert found == expected
    planted = manifest["planted"]
    assert len(planted) >= 10
    assert len({e["code"] for e in planted}) == len(planted)  # each a different check


def test_planted_cells_hold_what_a_user_would_type(built: Path) -> None:
    ws = load(built / "demo-broken-en.xlsx")["BOM"]
    manifest = json.loads((built / "demo-broken.json").read_text(encoding="utf-8"))
    rows = {e["code"]: e["row"] for e in manifest["planted"]}
    assert ws.cell(row=rows["not_a_number"], column=3).value == "1,5"
    assert ws.cell(row=rows["not_a_date"], column=10).value == "2027-02-30"


# ---------------------------------------------------------------- the demo factory


def test_demo_size_and_depth(demo: dict[str, pd.DataFrame]) -> None:
    items, bom = demo["items"], demo["bom"]
    assert len(items) == 71 and items["item_code"].is_unique
    llc = low_level_codes(items, bom).set_index("item_code")["low_level_code"]
    # fan 0 → head assembly 1 → motor 2 → stator 3 → stator core 4 → silicon steel 5
    assert [llc[c] for c in ("10.01.0001", "20.01.0001", "20.02.0001", "20.03.0001",
                             "20.04.0001", "30.01.0003")] == [0, 1, 2, 3, 4, 5]
    assert (items["item_code"].str.fullmatch(demo_data.CODE_PATTERN)).all()


def test_demo_covers_every_kind_of_master_data(demo: dict[str, pd.DataFrame]) -> None:
    items, bom, warehouses = demo["items"], demo["bom"], demo["warehouses"]
    assert items["item_type"].value_counts()["customer_supplied"] == 1
    assert set(items["item_type"]) == {"purchased", "manufactured", "subcontracted",
                                       "phantom", "customer_supplied"}
    assert set(items.loc[items["planning_mode"] == "MTO", "item_code"]) == {
        "10.01.0006", "20.05.0004", "30.01.0005"}
    assert {"FOQ", "POQ"} <= set(items["lot_rule"])
    assert (items["min_order_qty"] > 0).any() and (items["order_multiple"] > 0).any()
    assert set(warehouses["warehouse_type"]) == {"normal", "inspection", "customer_virtual",
                                                 "at_supplier"}
    inspection = warehouses.set_index("warehouse_code").loc["QC"]
    assert not inspection["nettable"]
    assert demo["stock"]["warehouse_code"].eq("QC").any()
    copper = bom[bom["component_code"] == "30.01.0001"]
    assert set(copper["variable_loss_rate"]) == {0.02} and set(copper["unit"]) == {"m"}
    assert bom.loc[bom["component_code"] == "30.01.0004", "fixed_loss"].tolist() == [0.5]
    assert bom.loc[bom["skip_level"], "component_code"].str.startswith("20.09.").all()
    assert len(demo["customers"]) >= 3 and len(demo["suppliers"]) >= 5


def test_effectivity_windows_follow_each_other(demo: dict[str, pd.DataFrame]) -> None:
    bom = demo["bom"].set_index(["parent_code", "component_code"])
    old = bom.loc[("20.01.0001", "30.02.0011"), "effective_to"]
    new = bom.loc[("20.01.0001", "30.02.0012"), "effective_from"]
    # both ends inclusive: old blade until 2026-12-31, new blade from 2027-01-01
    assert (old, new) == (pd.Timestamp("2026-12-31"), pd.Timestamp("2027-01-01"))
    wire = bom.loc[("20.03.0001", "30.01.0001")].sort_values("qty_numerator")
    assert wire["qty_numerator"].tolist() == [82.0, 85.0]
    assert wire["effective_from"].iloc[0] == wire["effective_to"].iloc[1] + pd.Timedelta(1, "D")


def test_units_and_conversions(demo: dict[str, pd.DataFrame]) -> None:
    conversions = demo["unit_conversions"].set_index(["item_code", "from_unit", "to_unit"])
    assert conversions.loc[("30.01.0001", "kg", "m"), "factor"] == 1160
    assert conversions.loc[("30.03.0001", "box", "pcs"), "factor"] == 100


def test_demand_and_supply(demo: dict[str, pd.DataFrame]) -> None:
    orders = demo["sales_orders"]
    assert len(orders) == 41
    assert orders["customer_code"].nunique() >= 3
    assert set(orders["source_platform"]) == {"", "shopify", "tmall"}
    weeks = (orders["due_date"].max() - demo_data.PLANNING_DATE).days / 7
    assert 8 <= weeks <= 10  # 2027-02-01 is 62 days = 8.9 weeks after 2026-12-01
    mts_fans = demo["items"].query("item_type == 'manufactured' and planning_mode == 'MTS' "
                                   "and item_code.str.startswith('10.')")["item_code"]
    assert set(demo["forecasts"]["item_code"]) == set(mts_fans)
    assert demo["stock"]["lot"].ne("").any()
    assert demo["stock"]["tracking_no"].eq("SO-2612-003-1").sum() == 1
    assert (demo["production_tasks"]["status"] == "released").all()
    assert len(demo["subcontract_orders"]) >= 1 and len(demo["purchase_orders"]) >= 5
    mapped = demo["code_mappings"]
    assert set(mapped["platform"]) == {"shopify", "tmall"}


def test_due_dates_fall_on_working_days(demo: dict[str, pd.DataFrame]) -> None:
    calendar = demo["calendar"].set_index("calendar_date")["working"]
    assert not calendar[pd.Timestamp("2027-01-01")]  # New Year's Day, a Friday
    assert calendar[demo["sales_orders"]["due_date"]].all()


def test_dates_move_with_the_planning_date(demo: dict[str, pd.DataFrame]) -> None:
    later = demo_data.demo_tables("en", pd.Timestamp("2027-03-01"))
    shift = later["sales_orders"]["due_date"] - demo["sales_orders"]["due_date"]
    assert set(shift) == {pd.Timedelta(90, "D")}  # 2026-12-01 → 2027-03-01 is 90 days


def test_languages_share_codes_not_names(demo: dict[str, pd.DataFrame],
                                        demo_zh: dict[str, pd.DataFrame]) -> None:
    zh, en = demo_zh, demo
    assert zh["items"]["item_code"].tolist() == en["items"]["item_code"].tolist()
    assert zh["items"].loc[0, "item_name"] == "台扇 DF-30 白色"
    assert en["items"].loc[0, "item_name"] == "Desk fan DF-30 white"
