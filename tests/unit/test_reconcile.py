"""Reconciliation: rules from TOML, the engine on small hand-worked tables, identity
(two codes), the report workbook, the demo's planted differences, and the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from addin.errors import UsageError
from addin.schema import ROW, TABLES, coerce
from addin.schema.reconcile import SUGGESTED_MAPPINGS
from agent.batch import Provenance
from agent.cli import cli
from agent.reconcile import load_rules, reconcile
from agent.reconcile.demo import PLANTED, load_demo, reconcile_demo, run_demo
from agent.reconcile.identity import folded
from agent.reconcile.report import write_report
from agent.reconcile.rules import parse_rules
from agent.reconcile.sources import Reconciliation, StoreSource, changed_mask, run
from agent.store import Change, Store

NO_MAPPINGS = pd.DataFrame({c: pd.Series(dtype=object) for c in
                            ("platform", "entity", "external_code", "canonical_code")})


def typed(table: str, rows: list[dict[str, object]], platform: str) -> pd.DataFrame:
    raw = pd.DataFrame(rows)
    raw[ROW] = np.arange(2, len(raw) + 2)
    frame, issues = coerce(TABLES[table], raw, table, "en")
    assert not [i for i in issues if i.severity == "error"], issues
    return frame.assign(_platform=platform, _file=f"{platform}.csv")


def rule_from(toml: str):
    (rule,) = parse_rules(tomllib.loads(toml), "test.toml")
    return rule


ORDERS_RULE = """
[[rules]]
name = "orders"
table = "sales_orders"
a = ["shop"]
b = ["erp"]
key = ["order_no", "line_no"]
codes = { item_code = "items" }
rewrite.shop.order_no = ["^#(\\\\d+)$", "SO-\\\\1"]
fields = [
  { column = "item_code" },
  { column = "qty", tolerance = 0.5 },
  { column = "unit_price", tolerance_pct = 1.0 },
  { column = "due_date", tolerance_days = 1 },
  { column = "status", map_a = { cancelled = "closed" } },
]
"""


def order(no: str, qty: float = 10, price: float = 100.0, due: str = "2026-12-10",
          item: str = "FAN", status: str = "open", line: int = 1) -> dict[str, object]:
    return {"order_no": no, "line_no": line, "item_code": item, "qty": qty,
            "unit_price": price, "due_date": due, "status": status}


def findings(result) -> set[tuple[str, str, str]]:
    return {(r.status, r.key, r.field) for r in result.differences.itertuples()}


# -- the engine, hand-worked ---------------------------------------------------------------

def test_tolerances_rewrites_and_code_maps_decide_what_differs() -> None:
    shop = typed("sales_orders", [
        order("#1", qty=10.5),                 # |0.5| ≤ 0.5: agrees
        order("#2", qty=11),                   # |1| > 0.5: differs by +1 (B − A = 10 − 11 = −1)
        order("#3", price=101.0),              # 1 ≤ 1 % of 101 = 1.01: agrees
        order("#4", price=102.5),              # 2.5 > 1.025: differs by −2.5
        order("#5", due="2026-12-11"),         # one day: agrees
        order("#6", due="2026-12-13"),         # three days early in B: −3
        order("#7", item="SKU-FAN"),           # mapped to FAN for the shop: agrees
        order("#8", status="cancelled"),       # cancelled → closed by map_a: agrees
        order("#9"),                           # only in the shop
    ], "shop")
    erp = typed("sales_orders", [
        order(f"SO-{n}", status="closed" if n == 8 else "open") for n in range(1, 9)
    ] + [order("SO-10")], "erp")
    mappings = pd.DataFrame({"platform": ["shop"], "entity": ["items"],
                             "external_code": ["SKU-FAN"], "canonical_code": ["FAN"]})
    result = reconcile(rule_from(ORDERS_RULE), pd.concat([shop, erp]), mappings)
    assert findings(result) == {("different", "SO-2 | 1", "qty"),
                                ("different", "SO-4 | 1", "unit_price"),
                                ("different", "SO-6 | 1", "due_date"),
                                ("only_in_a", "SO-9 | 1", ""), ("only_in_b", "SO-10 | 1", "")}
    diff = result.differences.set_index("field")
    assert diff.loc["qty", "difference"] == -1.0
    assert diff.loc["unit_price", "difference"] == -2.5
    assert diff.loc["due_date", "difference"] == -3.0
    assert (diff.loc["due_date", "a_value"], diff.loc["due_date", "b_value"]) == (
        "2026-12-13", "2026-12-10")
    assert (result.matched, result.only_in_a, result.only_in_b, result.different) == (5, 1, 1, 3)


def test_code_mappings_apply_to_their_own_platform_only() -> None:
    rule = rule_from(ORDERS_RULE)
    shop = typed("sales_orders", [order("#1", item="X")], "shop")
    erp = typed("sales_orders", [order("SO-1", item="X")], "erp")
    mappings = pd.DataFrame({"platform": ["shop"], "entity": ["items"],
                             "external_code": ["X"], "canonical_code": ["FAN"]})
    result = reconcile(rule, pd.concat([shop, erp]), mappings)
    (row,) = result.differences.itertuples()
    assert (row.field, row.a_value, row.b_value) == ("item_code", "FAN", "X")


def test_blanks_agree_with_blanks_only() -> None:
    rule = rule_from(ORDERS_RULE)
    shop = typed("sales_orders", [order("#1"), order("#2")], "shop")
    erp = typed("sales_orders", [order("SO-1"), order("SO-2")], "erp")
    shop.loc[:, "unit_price"] = np.nan
    erp.loc[1, "unit_price"] = np.nan
    result = reconcile(rule, pd.concat([shop, erp]), NO_MAPPINGS)
    (row,) = result.differences.itertuples()
    assert (row.key, row.field, row.a_value, row.b_value) == ("SO-1 | 1", "unit_price", "",
                                                              "100")
    assert np.isnan(row.difference)


STOCK_RULE = """
[[rules]]
name = "stock"
table = "stock"
a = ["wms"]
b = ["erp"]
key = ["item_code", "warehouse_code"]
aggregate = true
fields = [{ column = "qty", tolerance = 0.001 }]
"""


def stock(item: str, qty: float, location: str = "", lot: str = "") -> dict[str, object]:
    return {"item_code": item, "warehouse_code": "RM", "location_code": location,
            "lot": lot, "qty": qty}


def test_stock_is_summed_over_locations_and_lots_before_comparing() -> None:
    wms = typed("stock", [stock("WIRE", 120, "A-01", "L1"), stock("WIRE", 45.5, "A-01", "L2"),
                          stock("BOLT", 2400, "A-02"), stock("NUT", 5, "B-01")], "wms")
    erp = typed("stock", [stock("WIRE", 165.5), stock("BOLT", 2390), stock("NUT", 5.0004)],
                "erp")
    result = reconcile(rule_from(STOCK_RULE), pd.concat([wms, erp]), NO_MAPPINGS)
    # WIRE 120 + 45.5 = 165.5 agrees; NUT differs by 0.0004 ≤ 0.001; BOLT by −10
    assert findings(result) == {("different", "BOLT | RM", "qty")}
    assert result.differences["difference"].tolist() == [-10.0]
    assert (result.a_rows, result.b_rows, result.matched) == (3, 3, 2)


def test_duplicate_keys_on_one_side_are_reported_and_matched_once() -> None:
    shop = typed("sales_orders", [order("#1")], "shop")
    erp = typed("sales_orders", [order("SO-1")], "erp")
    other = typed("sales_orders", [order("SO-1", qty=99)], "erp").assign(_file="erp2.csv")
    # the same key from two erp files: the store would hold one, but a rule may join
    # two platforms into one side — SO-1 then appears twice on side B
    rule = rule_from(ORDERS_RULE.replace('b = ["erp"]', 'b = ["erp", "erp2"]'))
    other["_platform"] = "erp2"
    result = reconcile(rule, pd.concat([shop, erp, other]), NO_MAPPINGS)
    assert findings(result) == {("duplicate_b", "SO-1 | 1", "")}
    assert result.differences["b_file"].tolist() == ["erp2.csv"]


def test_where_filters_a_side_and_changed_rows_are_flagged() -> None:
    rule = rule_from(ORDERS_RULE.replace('key = ["order_no", "line_no"]',
                                         'key = ["order_no", "line_no"]\n'
                                         'where_b = { source_platform = ["shop"] }'))
    shop = typed("sales_orders", [order("#1", qty=1)], "shop")
    erp = typed("sales_orders", [order("SO-1"), order("SO-2")], "erp")
    erp["source_platform"] = ["shop", ""]  # SO-2 is a trade order: not the shop's
    rows = pd.concat([shop, erp], ignore_index=True)
    rows["_changed"] = [False, True, False]
    result = reconcile(rule, rows, NO_MAPPINGS)
    assert findings(result) == {("different", "SO-1 | 1", "qty")}
    assert result.differences["changed"].tolist() == [True]
    assert result.changed == 1


def test_folding_makes_full_width_case_and_spaces_agree() -> None:
    assert folded(pd.Series(["ＳＦ－４０  Fan", "sf-40fan", None])).tolist() == [
        "sf-40fan", "sf-40fan", ""]


IDENTITY_RULE = """
[[rules]]
name = "items_two"
table = "items"
kind = "identity"
b = ["erp"]
code = "item_code"
match = [["item_name", "spec"]]
external = true
"""


def item(code: str, name: str, spec: str = "40 cm") -> dict[str, object]:
    return {"item_code": code, "item_name": name, "spec": spec, "item_type": "purchased"}


def test_two_codes_for_one_thing_become_suggested_mappings() -> None:
    erp = typed("items", [item("10.01", "Stand fan"), item("10.02", "Desk fan"),
                          item("10.03", "Wall fan", "")], "erp")
    shop = typed("items", [item("SF-NEW", "ＳＴＡＮＤ  FAN"),   # same after folding
                           item("DF", "Desk fan"),           # mapped already
                           item("WF", "Wall fan", ""),       # blank spec on both: same
                           item("XX", "Stand fan")], "shop")
    shop.loc[3, "item_name"] = ""  # a row without a name is never matched on its spec
    maps = pd.DataFrame({"platform": ["shop", "tmall", "jd"],
                         "entity": ["items"] * 3,
                         "external_code": ["DF", "692", "692"],
                         "canonical_code": ["10.02", "10.01", "10.09"]})
    result = reconcile(rule_from(IDENTITY_RULE), pd.concat([erp, shop]), maps)
    suggestions = result.suggestions[["platform", "external_code", "canonical_code",
                                      "reason"]].values.tolist()
    assert suggestions == [["jd", "692", "10.01", "external_code"],
                           ["shop", "SF-NEW", "10.01", "item_name + spec"],
                           ["shop", "WF", "10.03", "item_name + spec"]]
    assert list(result.suggestions.columns[:4]) == ["platform", "entity", "external_code",
                                                    "canonical_code"]
    assert set(result.differences["status"]) == {"same_thing"}


# -- rules ---------------------------------------------------------------------------------

def test_the_built_in_rule_sets_load() -> None:
    assert [r.name for r in load_rules()] == [
        "sales_orders_shop_erp", "stock_wms_erp", "items_two_codes", "customers_two_codes"]


@pytest.mark.parametrize(("change", "message"), [
    (('table = "sales_orders"', 'table = "orders"'), "unknown table 'orders'"),
    (('{ column = "qty", tolerance = 0.5 }', '{ column = "colour" }'),
     "sales_orders has no column colour"),
    (('"^#(\\\\d+)$"', '"^#(\\\\d+$"'), "rewrite.shop.order_no"),
    (('b = ["erp"]', 'b = ["shop"]'), "cannot be on both sides"),
    (('{ column = "qty", tolerance = 0.5 }', '{ column = "qty", tolerance = -1 }'),
     "tolerances cannot be negative"),
    (('name = "orders"', 'name = "Orders!"'), "must be lower-case"),
])
def test_bad_rules_are_usage_errors_that_say_where(change: tuple[str, str],
                                                   message: str) -> None:
    text = ORDERS_RULE.replace(*change)
    assert text != ORDERS_RULE
    with pytest.raises(UsageError, match=message):
        parse_rules(tomllib.loads(text), "x.toml")


def test_a_rule_defined_twice_is_refused(tmp_path: Path) -> None:
    one = tmp_path / "one.toml"
    one.write_text(ORDERS_RULE, encoding="utf-8")
    with pytest.raises(UsageError, match="rule orders is defined twice"):
        load_rules([one, one])


# -- incremental -----------------------------------------------------------------------------

def test_changed_mask_matches_change_log_keys_by_their_json_text() -> None:
    rows = pd.concat([typed("sales_orders", [order("A", line=1), order("A", line=2),
                                             order("B")], "x"),
                      typed("sales_orders", [order("A", line=2)], "y")],  # unchanged copy
                     ignore_index=True)
    key = {"order_no": "A", "line_no": 2, "_platform": "x"}
    changes = [Change(5, "sales_orders", key, "update", {}, {}, 1),
               Change(6, "stock", {"item_code": "B", "_platform": "x"}, "insert", None, {}, 2)]
    assert changed_mask(rows, TABLES["sales_orders"], changes).tolist() == [
        False, True, False, False]


# -- the demo, the report and the CLI --------------------------------------------------------

def test_the_demo_finds_every_planted_difference_and_nothing_else(tmp_path: Path) -> None:
    result, report = reconcile_demo(tmp_path, "en")
    found = {(r.rule, r.status, r.key, r.field) for res in result.results
             for r in res.differences.itertuples()}
    assert found == PLANTED
    assert report.exists()


def test_the_report_has_a_summary_chart_rule_sheets_and_mappings(tmp_path: Path) -> None:
    _, report = reconcile_demo(tmp_path, "en")
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Reconciliation", "Sales orders shop-ERP", "Stock WMS-ERP",
                               "Items with two codes", "Customers with two codes",
                               "Suggested mappings"]
    summary = book["Reconciliation"]
    header = [c.value for c in summary[1]]
    counts = dict(zip(header, [c.value for c in summary[2]], strict=True))
    assert (counts["Matched"], counts["Only in A"], counts["Only in B"],
            counts["Different"]) == (5, 1, 1, 4)  # 10 shop lines: 5 + 1 + 4 compared
    assert len(summary._charts) == 1
    orders = book["Sales orders shop-ERP"]
    first = [c.value for c in orders[2]]
    assert first[:6] == ["sales_orders_shop_erp", "Different", "SHOP-10240 | 1", "Item code",
                         "SF40-NEW", "10.01.0003"]
    assert orders["A2"].fill.start_color.rgb.endswith("FFC7CE")   # different: red
    assert orders["A6"].fill.start_color.rgb.endswith("FFEB9C")   # only in A: yellow
    mappings = book["Suggested mappings"]
    headers = [c.value for c in mappings[1]][:4]
    assert headers == [c.header("en") for c in TABLES["code_mappings"].columns]
    assert [c.value for c in mappings[2]][:4] == ["jd", "items", "6928800100035", "10.01.0003"]
    assert len(SUGGESTED_MAPPINGS.columns) == 7


def test_report_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    rule = rule_from(ORDERS_RULE)
    rows = typed("sales_orders", [order("=1+1")], "shop")
    result = reconcile(rule, rows, NO_MAPPINGS)
    path = write_report(tmp_path / "r.xlsx", Reconciliation("x", [result], 0, None), "zh")
    ws = openpyxl.load_workbook(path)["orders"]
    assert ws["C2"].value == "=1+1 | 1" and ws["C2"].data_type == "s"


def test_run_demo_returns_one_line(tmp_path: Path) -> None:
    line = run_demo(tmp_path, "zh")
    assert line.startswith("Reconciliation: 12 findings (sales_orders_shop_erp 6, "
                           "stock_wms_erp 3, items_two_codes 2, customers_two_codes 1) — ")
    assert "\n" not in line and (tmp_path / "xlerp-reconcile-zh.xlsx").exists()


def test_cli_reconcile_then_rerun_marks_what_changed(tmp_path: Path) -> None:
    db = load_demo(tmp_path, "en")
    out = tmp_path / "report.xlsx"
    runner = CliRunner()
    first = runner.invoke(cli, ["reconcile", "--store", str(db), "--out", str(out),
                                "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "sales_orders_shop_erp: 5 matched, 1 only in A, 1 only in B, 4 different",
        "stock_wms_erp: 64 matched, 1 only in A, 1 only in B, 1 different",
        "items_two_codes: 2 suggested code mapping(s)",
        "customers_two_codes: 1 suggested code mapping(s)",
        f"Wrote {out}"]
    state = json.loads((tmp_path / "report.state.json").read_text())
    # the WMS recounts the bolt-like bearing: 2400 → 2395, still not the ERP's 2390
    with Store.open(db) as store:
        assert state["last_seq"] == store.status().last_seq
        recount = store.rows("stock", {"_platform": "wms", "item_code": "30.02.0002"})
        store.load_batch("stock", recount.assign(qty=2395.0), Provenance(
            "wms", "recount.csv", "f" * 64, "2026-12-02T08:00:00.000000Z"))
    second = runner.invoke(cli, ["reconcile", "--store", str(db), "--out", str(out),
                                 "--rule", "stock_wms_erp"])
    assert second.stdout.splitlines()[0] == (
        "stock_wms_erp: 64 matched, 1 only in A, 1 only in B, 1 different, "
        "1 finding(s) changed since the last run")
    unknown = runner.invoke(cli, ["reconcile", "--store", str(db), "--out", str(out),
                                  "--rule", "nope"])
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: no rule named nope — rules: sales_orders_shop_erp")


def test_run_over_a_store_reads_each_table_once(tmp_path: Path) -> None:
    with Store.open(load_demo(tmp_path)) as store:
        source = StoreSource(store)
        calls: list[str] = []
        original = source.rows
        source.rows = lambda table: calls.append(table) or original(table)  # type: ignore[method-assign]
        run(source, load_rules())
    assert sorted(calls) == ["code_mappings", "customers", "items", "sales_orders", "stock"]


def test_two_platforms_with_the_same_keys_are_both_kept_and_compared(tmp_path: Path) -> None:
    # The WMS and the ERP both list WIRE and BOLT in RM with no location: the same business
    # keys. Each keeps its own copy in the store, so the stored rows reconcile.
    with Store.open(tmp_path / "s.db") as store:
        for platform, rows in (("wms", [stock("WIRE", 165.5), stock("BOLT", 2400)]),
                               ("kingdee", [stock("WIRE", 165.5), stock("BOLT", 2390)])):
            frame = typed("stock", rows, platform).drop(columns=["_platform", "_file"])
            store.load_batch("stock", frame, Provenance(platform, f"{platform}.csv",
                                                        platform, "2026-12-01T08:00:00Z"))
        assert len(store.rows("stock")) == 4
        result = run(StoreSource(store), [r for r in load_rules() if r.table == "stock"])
    (stock_result,) = result.results
    assert findings(stock_result) == {("different", "BOLT | RM", "qty")}
    assert stock_result.differences["difference"].tolist() == [-10.0]  # ERP − WMS
    assert (stock_result.a_rows, stock_result.b_rows, stock_result.matched) == (2, 2, 1)
