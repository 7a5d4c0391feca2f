"""The data generator: the frePPLe benchmark shape, typed tables, one result per seed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from addin.engines.bomgraph import find_cycles, low_level_codes
from addin.engines.checks import check_master_data
from addin.errors import UsageError
from addin.generate import generate
from addin.schema import TABLES, coerce
from addin.workbook.read import read_tables
from addin.workbook.write import write_tables

N = 2_000


@pytest.fixture(scope="module")
def model() -> dict[str, pd.DataFrame]:
    return generate(N, seed=7)


def level_of(codes: pd.Series) -> pd.Series:
    return codes.str[1].astype(int)  # "L3-000012" -> 3


def test_levels_hold_10_15_20_25_30_percent(model: dict) -> None:
    counts = level_of(model["items"]["item_code"]).value_counts().sort_index().tolist()
    assert counts == [200, 300, 400, 500, 600]
    kinds = model["items"].groupby(level_of(model["items"]["item_code"]))["item_type"]
    assert kinds.unique().map(list).tolist() == [["manufactured"]] * 4 + [["purchased"]]


def test_every_made_item_has_four_distinct_lower_components(model: dict) -> None:
    bom = model["bom"]
    assert len(bom) == 1_400 * 4  # levels 0–3 hold 70 % of the items
    per_parent = bom.groupby("parent_code")["component_code"].agg(["size", "nunique"])
    assert len(per_parent) == 1_400
    assert (per_parent["size"] == 4).all() and (per_parent["nunique"] == 4).all()
    step = level_of(bom["component_code"]) - level_of(bom["parent_code"])
    assert (step >= 1).all()
    # Levels 0–2 (900 parents, 3,600 components) can reach deeper; 80 % = 2,880 of their
    # components are one level down (binomial sd = √(3600×0.8×0.2) = 24: ±100 is 4 sd).
    upper = level_of(bom["parent_code"]) <= 2
    assert abs(int((step[upper] == 1).sum()) - 2_880) < 100
    assert bom["qty_numerator"].between(1, 3).all() and set(bom["qty_denominator"]) == {1.0}


def test_no_cycles_and_low_level_code_never_exceeds_the_level(model: dict) -> None:
    assert find_cycles(model["bom"]) == []
    llc = low_level_codes(model["items"], model["bom"])
    level = level_of(llc["item_code"])
    assert (llc["low_level_code"] <= level).all()
    # An item reached from a level-0 item one level at a time has a path as long as its
    # level, so its low-level code is exactly its level.
    bom = model["bom"]
    step = bom[level_of(bom["component_code"]) - level_of(bom["parent_code"]) == 1]
    chain = set(model["items"]["item_code"][:200])  # level 0
    frontier = chain
    while frontier:
        frontier = set(step.loc[step["parent_code"].isin(frontier), "component_code"])
        chain |= frontier
    on_chain = llc[llc["item_code"].isin(chain)]
    assert (on_chain["low_level_code"] == level_of(on_chain["item_code"])).all()
    assert len(on_chain) > N / 2


def test_lead_times_stock_and_demand(model: dict) -> None:
    items = model["items"]
    bought = items["item_type"] == "purchased"
    assert items.loc[bought, "lead_time_days"].between(5, 30).all()
    assert items.loc[~bought, "lead_time_days"].between(1, 5).all()
    assert set(items["lot_rule"]) == {"LFL"}
    stock = model["stock"]
    assert stock["qty"].between(10, 200).all() and abs(len(stock) - N / 2) < 150
    orders = model["sales_orders"]
    assert len(orders) == 200 and set(orders["item_code"]) == set(
        items.loc[level_of(items["item_code"]) == 0, "item_code"])
    days = (orders["due_date"] - pd.Timestamp("2026-01-05")).dt.days
    assert days.between(14, 180).all() and orders["qty"].between(1, 100).all()
    assert len(generate(N, seed=7, demands_per_top=10)["sales_orders"]) == 2_000


def test_every_table_passes_the_schema_untouched(model: dict) -> None:
    variant = generate(N, seed=3, min_multiple_variant=True, phantom_share=0.1, mto_share=0.2,
                       open_po_share=0.2, forecast_share=0.3)
    for name, frame in [*model.items(), *variant.items()]:
        assert list(frame.columns) == ["_row", *TABLES[name].column_names], name
        # As the reader hands them over: untyped cells, None where blank.
        cells = frame.astype(object).where(frame.notna(), None)
        again, issues = coerce(TABLES[name], cells, name, "en")
        assert issues == [], (name, issues[:3])
        pd.testing.assert_frame_equal(again.astype({"_row": "int64"}), frame)
    assert all(len(variant[n]) > 0 for n in ("forecasts", "purchase_orders",
                                             "production_tasks"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_written_workbook_reads_back_unchanged(tmp_path: Path, lang: str) -> None:
    tables = generate(300, seed=5, open_po_share=0.3, forecast_share=0.3, phantom_share=0.1)
    path = write_tables(tmp_path / f"generated-{lang}.xlsx", tables, lang)
    read = read_tables(path, list(tables))
    assert read.issues == []
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(read.tables[name].reset_index(drop=True)[frame.columns],
                                      frame, obj=name)


def test_the_generated_master_data_has_no_errors(model: dict) -> None:
    issues = check_master_data(model)
    # Some purchased parts are drawn by no parent: they are orphans, reported as info.
    assert {(i.code, i.severity) for i in issues} <= {("item_orphan", "info")}


def test_same_seed_same_frames_other_seed_other_frames(model: dict) -> None:
    again = generate(N, seed=7)
    for name in model:
        pd.testing.assert_frame_equal(model[name], again[name])
    assert not generate(N, seed=8)["bom"].equals(model["bom"])


def test_min_multiple_variant() -> None:
    items = generate(N, min_multiple_variant=True)["items"]
    bought = items["item_type"] == "purchased"
    assert set(items.loc[bought, "min_order_qty"]) == {50.0}
    assert set(items.loc[bought, "order_multiple"]) == {10.0}
    made_multiple = items.loc[~bought, "order_multiple"]
    assert set(made_multiple) == {0.0, 5.0}
    assert abs((made_multiple == 5).mean() - 0.3) < 0.05


def test_fractional_components_per_parent_gives_the_400k_line_ratio() -> None:
    # 5.7 per parent: 5 each, a 6th with probability 0.7 → 1,400 × 5.7 = 7,980 expected.
    bom = generate(N, components_per_parent=5.7)["bom"]
    assert abs(len(bom) - 7_980) < 80
    sizes = bom.groupby("parent_code").size()
    assert set(sizes) == {5, 6}
    assert bom.duplicated(["parent_code", "component_code"]).sum() == 0


def test_tiny_model_still_draws_distinct_components() -> None:
    small = generate(20, seed=1)
    per_parent = small["bom"].groupby("parent_code")["component_code"].nunique()
    assert (per_parent == 4).all() and len(per_parent) == 14
    with pytest.raises(UsageError, match="too few"):
        generate(8)
    with pytest.raises(UsageError, match="level_shares"):
        generate(100, level_shares=(0.5, 0.5))


def test_codes_sort_by_level_then_number() -> None:
    codes = generate(100, seed=0, start=dt.date(2026, 3, 2))["items"]["item_code"]
    assert codes.tolist() == sorted(codes) and codes.iloc[0] == "L0-000001"
    assert np.all(codes.str.fullmatch(r"L\d-\d{6}"))
