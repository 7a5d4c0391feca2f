"""Co/by-product cost shares through `xlerp cost`: BOM cost weights in the standard roll-up,
and the fixed-share method 固定比例法 of the actual joint-cost split (the maintainers' cases
of issue #8: Odoo's by-product cost_share, ERPNext's secondary-item allocation %)."""

from __future__ import annotations

import numpy as np
import pytest
from costing_frames import typed
from hypothesis import given, settings
from hypothesis import strategies as st

import addin.commands.cost  # noqa: F401  (registers the command)
from addin.commands import run
from addin.engines.jointcost import split_joint_cost
from addin.engines.rollup import roll_up

ITEMS = typed("items", item_code=["FG", "C", "BP", "TOP"],
              item_name=["Product", "Component", "By-product", "Kit"],
              item_type=["manufactured", "purchased", "manufactured", "manufactured"],
              standard_cost=[0, 100, 7, 0])
# "extra" 100 at FG's level: 1 h labour at 60 + overhead 40 per labour hour
STANDARDS = typed("cost_standards", item_code=["FG"], labour_hours=[1], labour_rate=[60],
                  overhead_rate=[40])


def _bom(weight: float = 20, qty: float = 1, *more: tuple[str, str, float, str, float]):
    """FG = 1 C, yielding `qty` BP per FG for `weight` % of FG's cost (+ `more` lines:
    parent, component, qty, line type, weight)."""
    rows = [("FG", "C", 1, "component", 0), ("FG", "BP", qty, "by_product", weight), *more]
    return typed("bom", parent_code=[r[0] for r in rows], component_code=[r[1] for r in rows],
                 qty_numerator=[r[2] for r in rows], line_type=[r[3] for r in rows],
                 cost_weight=[r[4] for r in rows])


def _standard(bom, standards=STANDARDS, items=ITEMS):
    result = run("cost", {"items": items, "bom": bom, "cost_standards": standards},
                 {"standard": True})
    rollup = result.tables.get("cost_rollup")
    return (None if rollup is None else rollup.set_index("item_code")), result.issues


def test_by_product_takes_its_share_of_component_plus_extra():
    """Component 100 + extra 100 = 200; the by-product's 20 % → BP 40, FG keeps 160, and
    FG's composition scales to 80 %: material 80, labour 48, overhead 32."""
    rollup, issues = _standard(_bom(20))
    assert issues == []
    assert rollup.loc["FG", "unit_cost"] == 160 and rollup.loc["BP", "unit_cost"] == 40
    elements = ["material_cost", "labour_cost", "overhead_cost", "subcontract_cost"]
    assert rollup.loc["FG", elements].tolist() == [80, 48, 32, 0]
    assert rollup.loc["BP", elements].tolist() == [20, 12, 8, 0]
    # levels scale alike: FG's own labour + overhead 100 → 80, its component's 100 → 80
    assert rollup.loc["FG", ["this_level_cost", "lower_level_cost"]].tolist() == [80, 80]
    assert rollup.loc["BP", ["this_level_cost", "lower_level_cost"]].tolist() == [20, 20]


def test_by_product_cost_is_its_share_divided_by_its_qty():
    """Odoo PR 107128: component 100, by-product qty 2 with a 50 % share → FG 50.00, the
    by-product 50 / 2 = 25.00 each (its Items standard cost of 7 is replaced)."""
    rollup, _ = _standard(_bom(50, 2), STANDARDS.iloc[:0])
    assert rollup.loc["FG", "unit_cost"] == 50 and rollup.loc["BP", "unit_cost"] == 25


def test_co_and_by_products_together_and_their_costs_roll_up_further():
    """200 split 20 % BP, 30 % co-product C2 (4 per FG: 60 / 4 = 15), FG keeps 50 % = 100.
    TOP = 1 FG + 2 BP → 100 + 80 = 180: a yielded item is priced before its users."""
    items = typed("items", item_code=[*ITEMS["item_code"], "C2"],
                  item_name=[*ITEMS["item_name"], "Co-product"],
                  item_type=[*ITEMS["item_type"], "manufactured"],
                  standard_cost=[*ITEMS["standard_cost"], 0])
    bom = _bom(20, 1, ("FG", "C2", 4, "co_product", 30), ("TOP", "FG", 1, "component", 0),
               ("TOP", "BP", 2, "component", 0))
    rollup, issues = _standard(bom, items=items)
    assert issues == []
    assert rollup.loc[["FG", "BP", "C2", "TOP"], "unit_cost"].tolist() == [100, 40, 15, 180]


def test_output_lines_follow_the_version_and_dates_of_the_component_lines():
    """FG's default version V1 (the lowest) yields BP at 20 %; V2's 50 % is not used, nor
    V1's 30 % line that expired before the as-of date."""
    bom = typed("bom", parent_code=["FG"] * 5, component_code=["C", "C", "BP", "BP", "X"],
                qty_numerator=[1] * 5, bom_version=["V1", "V2", "V1", "V2", "V1"],
                line_type=["component", "component", "by_product", "by_product",
                           "co_product"],
                cost_weight=[0, 0, 20, 50, 30],
                effective_to=[None, None, None, None, "2026-01-31"])
    result = run("cost", {"items": ITEMS, "bom": bom, "cost_standards": STANDARDS},
                 {"standard": True, "as_of": "2026-11-01"})
    rollup = result.tables["cost_rollup"].set_index("item_code")
    assert rollup.loc[["FG", "BP"], "unit_cost"].tolist() == [160, 40]


def test_shares_over_100_percent_name_the_parent_and_lines_and_write_nothing():
    result = run("cost", {"items": ITEMS, "bom": _bom(60, 1, ("FG", "X", 1, "co_product", 50)),
                          "cost_standards": STANDARDS}, {"standard": True})
    assert result.tables == {}
    [issue] = result.issues
    assert issue.code == "cost_share_over_100" and issue.row == 3
    assert issue.message() == ("FG: the cost weights of its co/by-products add up to 110 %, "
                               "more than 100 % (BP 60, X 50)")


def test_negative_share_is_an_error_naming_the_line():
    result = run("cost", {"items": ITEMS, "bom": _bom(-5), "cost_standards": STANDARDS},
                 {"standard": True})
    assert result.tables == {}
    assert [(i.code, i.value, i.row, i.params["component"]) for i in result.issues] == [
        ("cost_share_invalid", "FG", 3, "BP")]


def test_a_fraction_is_a_percentage_with_a_warning():
    """0.2 means 0.2 %, not 20 %: BP 0.40, FG 199.60, and a warning suggests 20."""
    rollup, issues = _standard(_bom(0.2))
    assert rollup.loc[["FG", "BP"], "unit_cost"].tolist() == pytest.approx([199.6, 0.4])
    assert [(i.code, i.severity) for i in issues] == [("cost_share_fraction", "warning")]
    assert "0.2 means 0.2 %" in issues[0].message()


def test_zero_weight_leaves_everything_to_the_main_product():
    rollup, _ = _standard(_bom(0))
    assert rollup.loc["FG", "unit_cost"] == 200 and rollup.loc["BP", "unit_cost"] == 0


@settings(deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 33), st.integers(1, 5)), min_size=1, max_size=3),
       st.floats(1, 1000, allow_nan=False))
def test_roll_up_shares_conserve_the_parent_cost(lines, component_cost):
    """FG's unit cost + Σ qty × unit cost of what it yields = its whole rolled cost."""
    codes = [f"Y{k}" for k in range(len(lines))]
    items = typed("items", item_code=["FG", "C", *codes], item_name=["FG", "C", *codes],
                  item_type=["manufactured", "purchased", *["manufactured"] * len(codes)],
                  standard_cost=[0, component_cost, *[0] * len(codes)])
    bom = typed("bom", parent_code=["FG"] * (len(codes) + 1), component_code=["C", *codes],
                qty_numerator=[2, *[q for _, q in lines]],
                line_type=["component", *["by_product"] * len(codes)],
                cost_weight=[0, *[w for w, _ in lines]])
    out, issues = roll_up(items, bom, STANDARDS)
    cost = out.set_index("item_code")["unit_cost"]
    yielded = sum(q * cost[c] for c, (_, q) in zip(codes, lines, strict=True))
    assert issues == []
    assert cost["FG"] + yielded == pytest.approx(2 * component_cost + 100, abs=1e-5)


# -- actual cost: the fixed-share method of Joint costs ---------------------------------


def _joint(joint: float, shares: list[float], kinds: list[str] | None = None):
    n = len(shares)
    tables = {
        "joint_costs": typed("joint_costs", batch=["J1"], joint_cost=[joint],
                             method=["Fixed share"]),
        "joint_products": typed("joint_products", batch=["J1"] * n,
                                product_code=[f"P{k}" for k in range(n)],
                                product_kind=kinds or ["main"] + ["co_product"] * (n - 1),
                                qty=[10] * n, cost_share=shares, unit_value=[99] * n)}
    result = run("cost", tables, {})
    split = result.tables.get("joint_cost_split")
    return (None if split is None else dict(zip(split["product_code"], split["allocated"],
                                                strict=True))), result


def test_consumption_split_75_25():
    """ERPNext PR 57738: consumption 1,000, FG 75 %, scrap (a by-product) 25 % → 750 / 250.
    The by-product takes its share; its unit value (99) is not deducted first."""
    allocated, result = _joint(1000, [75, 25], ["main", "by_product"])
    assert result.issues == [] and allocated == {"P0": 750.0, "P1": 250.0}
    assert result.tables["joint_cost_split"]["unit_cost"].tolist() == [75.0, 25.0]


def test_cents_go_to_the_last_product():
    """1,000.01 split 1/3 : 2/3 → 333.34 (333.3367) and the rest 666.67; 100.00 in three
    equal shares → 33.33, 33.33 and 33.34."""
    allocated, _ = _joint(1000.01, [100 / 3, 200 / 3])
    assert allocated == {"P0": 333.34, "P1": 666.67}
    allocated, _ = _joint(100, [100 / 3] * 3)
    assert allocated == {"P0": 33.33, "P1": 33.33, "P2": 33.34}


def test_shares_not_adding_up_to_100_write_nothing():
    allocated, result = _joint(1000, [75, 20])
    assert allocated is None and result.tables == {}
    [issue] = result.issues
    assert (issue.code, issue.value) == ("joint_share_not_100", "J1")
    assert issue.message() == ("Batch J1: the cost shares add up to 95 %, not 100 %, so the "
                               "joint cost was not split")


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 10**10), st.lists(st.integers(1, 1000), min_size=1, max_size=8))
def test_fixed_shares_always_add_up_to_the_joint_cost(cents, weights):
    """Any shares that add up to 100 % split any joint cost exactly, to the cent."""
    n = len(weights)
    products = typed("joint_products", batch=["J"] * n,
                     product_code=[f"P{k}" for k in range(n)], qty=[1] * n,
                     product_kind=["main"] * (n - 1) + ["by_product"],
                     cost_share=[100 * w / sum(weights) for w in weights])
    batches = typed("joint_costs", batch=["J"], joint_cost=[cents / 100], method=["share"])
    out, issues = split_joint_cost(batches, products)
    assert issues == [] and len(out) == n
    assert np.round(out["allocated"].sum() * 100) == cents


def test_workbook_headers_in_chinese(make_book):
    """The same cases typed as a Chinese user would: 子项类型 副产品 with 成本权重 20; 分配方法
    固定比例法 with 成本分配比例% 75 / 25."""
    from click.testing import CliRunner

    from agent.cli.cost import cost

    book = make_book({
        "物料": [("物料编码", "名称", "物料属性", "标准成本"), ("FG", "成品", "自制", 0),
               ("C", "原料", "外购", 100), ("BP", "副产品", "自制", 0)],
        "BOM": [("父项编码", "子项编码", "用量分子", "子项类型", "成本权重"),
                ("FG", "C", 1, "子项", None), ("FG", "BP", 1, "副产品", 20)],
        "标准成本参数": [("物料编码", "单位人工工时", "工资率", "制造费用分配率"),
                   ("FG", 1, 60, 40)],
    })
    result = CliRunner().invoke(cost, [str(book), "--standard", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    rows = {r[0]: r for r in _sheet(book, "标准成本卷算")}
    assert rows["FG"][-1] == 160 and rows["BP"][-1] == 40
    book = make_book({
        "联合成本": [("批次", "联合成本", "分配方法"), ("J1", 1000, "固定比例法")],
        "联副产品": [("批次", "产品编码", "产品类别", "产量", "成本分配比例%"),
                 ("J1", "FG", "主产品", 10, 75), ("J1", "SCRAP", "副产品", 5, 25)],
    }, name="joint.xlsx")
    result = CliRunner().invoke(cost, [str(book), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert [r[6] for r in _sheet(book, "联副产品成本")[1:]] == [750, 250]


def _sheet(book, name):
    import openpyxl

    return list(openpyxl.load_workbook(book)[name].iter_rows(values_only=True))
