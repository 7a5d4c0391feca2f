"""Master-data checks: each finding is raised by a minimal case and not by its near miss."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from addin import commands
from addin.commands import check as check_command
from addin.engines.checks import (
    CheckSettings,
    check_master_data,
    settings_from_table,
    settings_issues,
)
from addin.errors import UsageError
from addin.issues import sort_issues
from addin.schema import ROW, TABLES, coerce, empty_frame


def typed(name: str, **columns: list) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    raw = pd.DataFrame({ROW: range(2, 2 + length), **columns}, dtype="object")
    return coerce(TABLES[name], raw, name, "en")[0]


def items_of(*rows: tuple, **extra: list) -> pd.DataFrame:
    """Items as (code, type[, name[, spec]])."""
    return typed("items", item_code=[r[0] for r in rows], item_type=[r[1] for r in rows],
                 item_name=[r[2] if len(r) > 2 else f"name {r[0]}" for r in rows],
                 spec=[r[3] if len(r) > 3 else "" for r in rows], **extra)


def bom_of(*lines: tuple[str, str], **extra: list) -> pd.DataFrame:
    return typed("bom", parent_code=[p for p, _ in lines], component_code=[c for _, c in lines],
                 **extra)


# P (made) uses C (bought): a clean two-item model the cases below spoil one thing at a time.
CLEAN_ITEMS = items_of(("P", "manufactured"), ("C", "purchased"))
CLEAN_BOM = bom_of(("P", "C"))


def findings(items: pd.DataFrame = CLEAN_ITEMS, bom: pd.DataFrame = CLEAN_BOM,
             settings: CheckSettings | None = None, **tables: pd.DataFrame) -> list[tuple]:
    issues = check_master_data({"items": items, "bom": bom, **tables}, settings)
    return [(i.code, i.severity, i.sheet, i.row, i.column) for i in issues]


def codes(items: pd.DataFrame = CLEAN_ITEMS, bom: pd.DataFrame = CLEAN_BOM,
          **kw: object) -> list[str]:
    return [f[0] for f in findings(items, bom, **kw)]


def test_clean_model_and_empty_tables_have_no_findings() -> None:
    assert findings() == []
    empty = {name: empty_frame(TABLES[name]) for name in
             ("items", "bom", "warehouses", "suppliers", "unit_conversions", "code_mappings")}
    assert check_master_data(empty, CheckSettings(r"^\d+$", dt.date(2026, 1, 1))) == []
    assert check_master_data({}) == []


def test_unknown_parent_and_component() -> None:
    bom = bom_of(("P", "C"), ("X", "C"), ("P", "Y"), ("P", ""))  # a blank is the reader's
    assert findings(bom=bom) == [("bom_parent_unknown", "error", "bom", 3, "parent_code"),
                                 ("bom_component_unknown", "error", "bom", 4, "component_code")]


@pytest.mark.parametrize(("column", "bad", "good", "code"), [
    ("qty_numerator", [0, -1], [2, 0.001], "bom_usage_not_positive"),
    ("qty_denominator", [0, -2], [1, 0.5], "bom_denominator_not_positive"),
    ("variable_loss_rate", [1, -0.1], [0, 0.99], "bom_loss_rate_out_of_range"),
    ("fixed_loss", [-1, -0.5], [0, 3], "bom_fixed_loss_negative"),
])
def test_usage_figures(column: str, bad: list, good: list, code: str) -> None:
    items = items_of(("P", "manufactured"), *[(c, "purchased") for c in "ABCD"])
    bom = bom_of(("P", "A"), ("P", "B"), ("P", "C"), ("P", "D"), **{column: bad + good})
    assert findings(items, bom) == [(code, "error", "bom", 2, column),
                                    (code, "error", "bom", 3, column)]


def test_unit_needs_a_conversion_item_specific_or_global_either_way() -> None:
    items = items_of(("P", "manufactured"), *[(c, "purchased") for c in "ABCDE"],
                     stock_unit=["pcs", "g", "g", "g", "m", "pcs"])
    bom = bom_of(*[("P", c) for c in "ABCDE"], unit=["kg", "kg", "kg", "cm", "PCS"])
    conversions = typed("unit_conversions", item_code=["B", "", "A"],
                        from_unit=["kg", "cm", "box"], to_unit=["g", "m", "g"],
                        factor=[1000, 0.01, 50])
    # A: kg→g exists only for B;  B: its own;  C: none;  D: global cm→m;  E: same unit.
    assert findings(items, bom, unit_conversions=conversions) == [
        ("bom_unit_no_conversion", "error", "bom", 2, "unit"),
        ("bom_unit_no_conversion", "error", "bom", 4, "unit")]
    reverse = typed("unit_conversions", item_code=[""], from_unit=["g"], to_unit=["kg"],
                    factor=[0.001])
    assert codes(items, bom, unit_conversions=reverse) == ["bom_unit_no_conversion"]  # D


def test_exact_duplicate_line_names_the_first_row() -> None:
    issues = check_master_data({"items": CLEAN_ITEMS, "bom": bom_of(("P", "C"), ("P", "C"))})
    [issue] = issues
    assert (issue.code, issue.row, issue.params["first_row"]) == ("bom_duplicate_line", 3, 2)
    assert issue.message("en") == "Repeats row 2: C would be counted twice in P"


def windows(*spans: tuple[str | None, str | None], version: str = "") -> pd.DataFrame:
    return bom_of(*[("P", "C")] * len(spans), effective_from=[s for s, _ in spans],
                  effective_to=[e for _, e in spans], bom_version=[version] * len(spans),
                  qty_numerator=list(range(1, len(spans) + 1)))


def test_effectivity_windows_that_meet_are_fine() -> None:
    assert findings(bom=windows((None, "2026-06-30"), ("2026-07-01", None))) == []


def test_effectivity_overlap_and_gap() -> None:
    overlap = check_master_data({"items": CLEAN_ITEMS,
                                 "bom": windows(("2026-01-01", "2026-06-30"),
                                                ("2026-06-01", None))})
    assert [(i.code, i.severity, i.row, i.params["other_row"]) for i in overlap] == [
        ("bom_effectivity_overlap", "warning", 3, 2)]
    gap = check_master_data({"items": CLEAN_ITEMS,
                             "bom": windows(("2026-01-01", "2026-06-30"),
                                            ("2026-07-03", None))})
    [issue] = gap
    assert issue.code == "bom_effectivity_gap"
    assert issue.message("en") == "P → C: no line applies from 2026-07-01 to 2026-07-02"


def test_an_open_ended_window_overlaps_every_later_one() -> None:
    issues = check_master_data({"items": CLEAN_ITEMS,
                                "bom": windows((None, None), ("2030-03-01", None))})
    assert [(i.code, i.row) for i in issues] == [("bom_effectivity_overlap", 3)]


def test_overlap_names_the_line_whose_window_reaches_furthest() -> None:
    # Jan–Dec covers both later windows; Feb–Mar is not the one Apr–May runs into.
    bom = windows(("2026-01-01", "2026-12-31"), ("2026-02-01", "2026-03-31"),
                  ("2026-04-01", "2026-05-31"))
    issues = check_master_data({"items": CLEAN_ITEMS, "bom": bom})
    assert [(i.row, i.params["other_row"]) for i in issues] == [(3, 2), (4, 2)]


def test_other_versions_do_not_overlap_and_reversed_windows_are_errors() -> None:
    two = pd.concat([windows((None, None)), windows((None, None), version="V2")])
    two[ROW] = [2, 3]
    assert findings(bom=two.reset_index(drop=True)) == []
    assert findings(bom=windows(("2026-05-01", "2026-04-30"))) == [
        ("bom_effectivity_reversed", "error", "bom", 2, "effective_to")]


def test_cycle_finding_shows_the_whole_path() -> None:
    items = items_of(("A", "manufactured"), ("B", "manufactured"), ("C", "manufactured"))
    issues = check_master_data({"items": items, "bom": bom_of(("A", "C"), ("C", "B"),
                                                              ("B", "A"))})
    [issue] = [i for i in issues if i.code == "bom_cycle"]
    assert (issue.severity, issue.sheet, issue.row) == ("error", "bom", 4)
    assert issue.message("en") == "BOM loop: A → C → B → A"
    assert issue.fix("zh") == "本行（B → A）使循环闭合；删除或更正环上的一行"


def test_every_line_of_a_loop_is_shown_in_some_reported_cycle() -> None:
    # N0 ⟲, N0 → N1 → N0 and N0 → N2 → N1 → N0: a search alone would never show N2.
    items = items_of(*[(f"N{i}", "manufactured") for i in range(3)])
    bom = bom_of(("N0", "N0"), ("N0", "N1"), ("N0", "N2"), ("N1", "N0"), ("N2", "N1"))
    paths = [i.value for i in check_master_data({"items": items, "bom": bom})
             if i.code == "bom_cycle"]
    assert sorted(paths) == ["N0 → N0", "N0 → N1 → N0", "N2 → N1 → N0 → N2"]


def test_a_tangle_of_loops_lists_fifty_and_says_how_big_it_is() -> None:
    # Every one of 11 items uses every other: 110 lines, 55 back edges for a search alone.
    codes = [f"T{i:02d}" for i in range(11)]
    items = items_of(*[(c, "manufactured") for c in codes])
    bom = bom_of(*[(a, b) for a in codes for b in codes if a != b])
    issues = check_master_data({"items": items, "bom": bom})
    assert sum(i.code == "bom_cycle" for i in issues) == 50
    [tangle] = [i for i in issues if i.code == "bom_loop_group"]
    assert tangle.message("en") == ("11 items and 110 BOM lines loop into each other (around "
                                    "T00); only 50 of the loops are listed")


def test_item_type_against_bom() -> None:
    items = items_of(("P", "manufactured"), ("C", "purchased"), ("M", "manufactured"),
                     ("S", "subcontracted"), ("H", "phantom"), ("B", "purchased"))
    bom = bom_of(("P", "C"), ("B", "C"), ("P", "M"), ("P", "S"), ("P", "H"))
    assert findings(items, bom) == [
        ("item_manufactured_no_bom", "error", "items", 4, "item_type"),
        ("item_phantom_no_bom", "error", "items", 6, "item_type"),
        ("item_subcontracted_no_bom", "warning", "items", 5, "item_type"),
        ("item_purchased_has_bom", "warning", "items", 7, "item_type")]


def test_a_bom_that_ended_before_as_of_is_no_supply_path() -> None:
    bom = bom_of(("P", "C"), effective_to=["2025-12-31"])
    assert codes(bom=bom) == []
    assert codes(bom=bom, settings=CheckSettings(as_of=dt.date(2026, 1, 5))) == [
        "item_manufactured_no_bom"]


def test_orphans_warn_and_bought_orphans_only_inform() -> None:
    items = items_of(("P", "manufactured"), ("C", "purchased"), ("Z", "purchased"),
                     ("W", "subcontracted"), ("K", "customer_supplied"))
    bom = bom_of(("P", "C"))
    assert findings(items, bom) == [
        ("item_orphan", "warning", "items", 5, "item_code"),
        ("item_subcontracted_no_bom", "warning", "items", 5, "item_type"),
        ("item_orphan", "info", "items", 4, "item_code"),
        ("item_orphan", "info", "items", 6, "item_code")]
    sold = typed("sales_orders", order_no=["SO1"], item_code=["Z"], qty=[1],
                 due_date=["2026-02-01"])
    assert "Z" not in [i.params["item"] for i in check_master_data(
        {"items": items, "bom": bom, "sales_orders": sold})]


def test_code_pattern_is_checked_only_when_configured() -> None:
    items = items_of(("01.02.0001", "manufactured"), ("1.2.1", "purchased"))
    bom = bom_of(("01.02.0001", "1.2.1"))
    pattern = CheckSettings(item_code_pattern=r"^\d{2}\.\d{2}\.\d{4}$")
    assert findings(items, bom) == []
    issues = check_master_data({"items": items, "bom": bom}, pattern)
    assert [(i.code, i.severity, i.row, i.value) for i in issues] == [
        ("item_code_pattern", "warning", 3, "1.2.1")]


def test_code_mappings() -> None:
    mappings = typed("code_mappings", platform=["shop", "Shop", "erp", "shop", "crm"],
                     entity=["item", "物料", "item", "item", "customer"],
                     external_code=["X1", "X1", "X1", "X2", "K9"],
                     canonical_code=["P", "C", "C", "Q", "NOBODY"])
    issues = check_master_data({"items": CLEAN_ITEMS, "bom": CLEAN_BOM,
                                "code_mappings": mappings})
    # Row 3 maps shop's X1 (物料 is the items table) to C while row 2 maps it to P; erp's
    # X1 is another platform's code; row 5 maps to an unknown item; customers are not items.
    assert [(i.code, i.row, i.params.get("codes")) for i in issues] == [
        ("mapping_conflict", 3, "C, P"), ("mapping_unknown_item", 5, None)]


def test_near_duplicate_names_ignore_case_spacing_punctuation_and_width() -> None:
    items = items_of(("P", "manufactured", "Bolt M3", "10 mm"),
                     ("C", "purchased", "bolt m3", "10MM"),
                     ("D", "purchased", "Ｂｏｌｔ－M3", "10mm"),
                     ("E", "purchased", "Bolt M3", "12mm"))
    bom = bom_of(("P", "C"), ("P", "D"), ("P", "E"))
    issues = check_master_data({"items": items, "bom": bom})
    assert [(i.code, i.row, i.params["other"], i.params["other_row"]) for i in issues] == [
        ("item_name_duplicate", 3, "P", 2), ("item_name_duplicate", 4, "P", 2)]


def test_default_warehouse_and_supplier_only_when_those_sheets_have_rows() -> None:
    items = items_of(("P", "manufactured"), ("C", "purchased"),
                     default_warehouse=["WH1", "WH9"], default_supplier=["", "S9"])
    warehouses = typed("warehouses", warehouse_code=["WH1"])
    suppliers = typed("suppliers", supplier_code=["S1"], supplier_name=["one"])
    assert findings(items) == []
    assert findings(items, warehouses=warehouses, suppliers=suppliers) == [
        ("item_supplier_unknown", "warning", "items", 3, "default_supplier"),
        ("item_warehouse_unknown", "warning", "items", 3, "default_warehouse")]
    assert findings(items, warehouses=empty_frame(TABLES["warehouses"])) == []


def test_settings_are_read_by_name_in_any_case_or_chinese() -> None:
    table = typed("settings", setting=["Item Code Pattern", "检查日期", "horizon"],
                  value=[r"^\d+$", "2026/1/31", "90"])
    assert settings_from_table(table) == CheckSettings(r"^\d+$", dt.date(2026, 1, 31))
    assert settings_from_table(None) == CheckSettings()
    serial = typed("settings", setting=["as_of"], value=["46053"])  # Excel's 2026-01-31
    assert settings_from_table(serial).as_of == dt.date(2026, 1, 31)


def test_bad_setting_values_are_findings_and_are_left_out() -> None:
    table = typed("settings", setting=["item_code_pattern", "as_of"], value=["([", "soon"])
    assert settings_from_table(table) == CheckSettings()
    assert [(i.code, i.row, i.column, i.value) for i in settings_issues(table)] == [
        ("setting_bad_pattern", 2, "value", "(["), ("setting_bad_date", 3, "value", "soon")]
    with pytest.raises(UsageError, match="not a regular expression"):
        CheckSettings(item_code_pattern="([")


def test_every_finding_renders_in_both_languages() -> None:
    items = items_of(("P", "manufactured", "same"), ("C", "purchased", "same"),
                     ("M", "manufactured"), ("S", "subcontracted"), ("H", "phantom"),
                     ("Z", "purchased"), ("1", "purchased"), default_warehouse=["W"] * 7)
    bom = bom_of(("P", "C"), ("P", "C"), ("C", "P"), ("X", "Y"), ("P", "M"), ("P", "S"),
                 ("P", "H"), ("P", "1"), qty_numerator=[1, 1, 0, 1, 1, 1, 1, 1],
                 qty_denominator=[1, 1, 1, 0, 1, 1, 1, 1], unit=["kg"] + [""] * 7,
                 variable_loss_rate=[0, 0, 2, 0, 0, 0, 0, 0], fixed_loss=[0, 0, -1] + [0] * 5,
                 effective_from=[None] * 6 + ["2026-02-01", None],
                 effective_to=[None] * 6 + ["2026-01-01", None])
    mappings = typed("code_mappings", platform=["s", "s"], entity=["item", "item"],
                     external_code=["e", "e"], canonical_code=["P", "Q"])
    issues = check_master_data({"items": items, "bom": bom, "code_mappings": mappings,
                                "warehouses": typed("warehouses", warehouse_code=["V"])},
                               CheckSettings(item_code_pattern="[A-Z]"))
    issues += settings_issues(typed("settings", setting=["as_of"], value=["x"]))
    assert len({i.code for i in issues}) >= 20
    for issue in issues:
        for lang in ("zh", "en"):
            text = issue.message(lang) + issue.fix(lang)
            assert "{" not in text and issue.fix(lang), (issue.code, lang, text)
    assert issues[:-1] == sort_issues(issues[:-1])  # sorted for display


def test_check_command_returns_tables_findings_and_a_summary() -> None:
    items = items_of(("P", "manufactured"), ("A", "manufactured"), ("C", "purchased"))
    bom = bom_of(("P", "A"), ("A", "C"), ("A", "C"))  # one duplicate line
    result = commands.run("check", {"items": items, "bom": bom}, {"lang": "en"})
    assert set(result.tables) == {"low_level_codes", "where_used", "exploded_bom"}
    assert result.tables["low_level_codes"]["low_level_code"].tolist() == [0, 1, 2]
    assert [i.code for i in result.issues] == ["bom_duplicate_line"]
    assert result.messages == ["1 error, 0 warnings in 3 BOM lines"]
    assert result.row_styles["bom_check"].tolist() == ["error"]
    zh = commands.run("check", {"items": items, "bom": bom}, {"lang": "zh"})
    assert zh.messages == ["3 行BOM：1 个错误，0 个警告"]
    spec = commands.get("check")
    assert (spec.blocks_on_input_errors, spec.inputs) == (False, ("items", "bom"))


def test_check_command_uses_as_of_from_options_before_settings() -> None:
    items = items_of(("P", "manufactured"), ("C", "purchased"))
    bom = bom_of(("P", "C"), effective_to=["2026-01-31"])
    settings = typed("settings", setting=["as_of"], value=["2026-03-01"])
    tables = {"items": items, "bom": bom, "settings": settings}
    assert [i.code for i in commands.run("check", tables, {}).issues] == [
        "item_manufactured_no_bom"]
    assert commands.run("check", tables, {"as_of": "2026-01-15"}).issues == []
    with pytest.raises(UsageError):
        commands.run("check", tables, {"as_of": "mid-March"})


def test_check_command_cuts_tables_that_exceed_a_sheet(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setattr(check_command, "MAX_SHEET_ROWS", 2)
    items = items_of(("P", "manufactured"), ("A", "manufactured"), ("C", "purchased"))
    result = commands.run("check", {"items": items, "bom": bom_of(("P", "A"), ("A", "C"))},
                          {})
    # where-used has 3 rows (A in P, C in A, C in P), low-level codes 3, explosion 2.
    assert len(result.tables["where_used"]) == 2
    assert len(result.tables["exploded_bom"]) == 2
    cut = [i for i in result.issues if i.code == "check_result_cut"]
    assert [(i.sheet, i.value) for i in cut] == [("low_level_codes", 3), ("where_used", 3)]
    assert cut[0].message("en") == ("The result has 3 rows, more than a worksheet holds; "
                                    "only the first 2 were written")
