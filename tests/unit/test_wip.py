"""Finished vs WIP: equivalent units (weighted average, FIFO), no WIP cost, WIP at
standard material, equivalent coefficients from operation hours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines.wip import operation_degrees, split_finished_wip


def _objects(method: str, completed: float, opening_qty: float = 0.0,
             opening_completion: float = 0.0, standard_material: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"cost_object": ["T1"], "method": [method],
                         "completed_qty": [completed], "opening_wip_qty": [opening_qty],
                         "opening_completion": [opening_completion],
                         "opening_material_completion": [np.nan],
                         "standard_material": [standard_material]})


def _wip(*lines: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame({"cost_object": ["T1"] * len(lines),
                         "wip_qty": [q for q, _ in lines], "completion": [c for _, c in lines],
                         "material_completion": [np.nan] * len(lines)})


def _costs(added: tuple[float, float, float], opening=(0.0, 0.0, 0.0)) -> pd.DataFrame:
    return pd.DataFrame({"cost_object": ["T1"] * 3,
                         "element": ["material", "labour", "overhead"],
                         "opening_cost": list(opening), "added_cost": list(added)})


def _rows(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("element")


def test_domain_example_weighted_average():
    """DM 50,000, DL 20,000, OH 7,200; 800 finished, 200 WIP at 50 %, material at start:
    EU material 1,000, conversion 900 → 50.00, 22.2222, 8.00 per unit; WIP 10,000 +
    2,222.22 + 800 = 13,022.22; finished 77,200 − 13,022.22 = 64,177.78 (80.22 each)."""
    out, issues = split_finished_wip(_objects("weighted", 800), _wip((200, 0.5)),
                                     _costs((50000, 20000, 7200)))
    assert issues == []
    row = _rows(out)
    assert row.loc[["material", "labour", "overhead"], "equivalent_units"].tolist() == [
        1000, 900, 900]
    assert row.loc["material", "unit_cost"] == pytest.approx(50.0)
    assert row.loc["labour", "unit_cost"] == pytest.approx(22.2222, abs=1e-4)
    assert row.loc["overhead", "unit_cost"] == pytest.approx(8.0)
    assert row.loc["total", "wip_cost"] == pytest.approx(13022.22)
    assert row.loc["total", "finished_cost"] == pytest.approx(64177.78)
    assert round(row.loc["total", "finished_unit_cost"], 2) == 80.22
    assert row.loc["total", "wip_cost"] + row.loc["total", "finished_cost"] == pytest.approx(
        77200.0)
    assert out["element"].tolist() == ["material", "labour", "overhead", "total"]


# Opening WIP 200 (material 100 %, conversion 40 %) costing DM 2,000 + DL 1,000; added DM
# 10,000, DL 5,400; 1,000 finished; closing WIP 200 at 50 %.
OPENING = dict(completed=1000, opening_qty=200, opening_completion=0.4)
COSTS = _costs((10000, 5400, 0), opening=(2000, 1000, 0))


def test_fifo_spreads_only_the_added_cost_over_this_periods_work():
    """FIFO EU: material 1,000 + 200 − 200 = 1,000 → 10.00; labour 1,000 + 100 − 80 =
    1,020 → 5.294118. WIP: 2,000 + 529.41; finished: 10,000 and 6,400 − 529.41 = 5,870.59."""
    out, _ = split_finished_wip(_objects("fifo", **OPENING), _wip((200, 0.5)), COSTS)
    row = _rows(out)
    assert row.loc[["material", "labour"], "equivalent_units"].tolist() == [1000, 1020]
    assert row.loc["labour", "unit_cost"] == pytest.approx(5400 / 1020)
    assert row.loc[["material", "labour"], "wip_cost"].tolist() == [2000, 529.41]
    assert row.loc[["material", "labour"], "finished_cost"].tolist() == [10000, 5870.59]


def test_weighted_average_pools_opening_and_added_cost():
    """WA EU: material 1,200 → 12,000 / 1,200 = 10; labour 1,100 → 6,400 / 1,100 = 5.818182;
    WIP labour 100 × 5.818182 = 581.82; finished labour 5,818.18."""
    out, _ = split_finished_wip(_objects("weighted", **OPENING), _wip((200, 0.5)), COSTS)
    row = _rows(out)
    assert row.loc[["material", "labour"], "equivalent_units"].tolist() == [1200, 1100]
    assert row.loc[["material", "labour"], "wip_cost"].tolist() == [2000, 581.82]
    assert row.loc["labour", "finished_cost"] == 5818.18


def test_no_wip_cost_and_wip_at_standard_material():
    none, _ = split_finished_wip(_objects("none", **OPENING), _wip((200, 0.5)), COSTS)
    assert _rows(none).loc["total", ["wip_cost", "finished_cost"]].tolist() == [0, 18400]
    std, _ = split_finished_wip(_objects("standard", standard_material=9, **OPENING),
                                _wip((200, 0.5)), COSTS)
    # WIP carries 200 × 9 = 1,800 of material only; finished 12,000 − 1,800 and all 6,400
    row = _rows(std)
    assert row.loc[["material", "labour"], "wip_cost"].tolist() == [1800, 0]
    assert row.loc[["material", "labour"], "finished_cost"].tolist() == [10200, 6400]
    assert row.loc["material", "unit_cost"] == pytest.approx(10.2)


def test_operation_degrees_and_wip_at_several_operations():
    """Ops of 12 h and 8 h, WIP half-way through its op: (0 + 6) / 20 = 30 %, (12 + 4) / 20
    = 80 %. 100 units at op 1 and 50 at op 2 → 30 + 40 = 70 EU."""
    degrees = operation_degrees(np.array([12.0, 8.0]))
    assert degrees.tolist() == pytest.approx([0.3, 0.8])
    wip = _wip((100, degrees[0]), (50, degrees[1])).assign(
        material_completion=degrees)  # material added continuously: same degree
    out, _ = split_finished_wip(_objects("weighted", 330), wip, _costs((50000, 30000, 0)))
    row = _rows(out)
    # 50,000 / 400 = 125, 30,000 / 400 = 75; WIP 70 × 200 = 14,000; finished 330 × 200
    assert row.loc["labour", "equivalent_units"] == pytest.approx(400)
    assert row.loc["total", ["wip_cost", "finished_cost"]].tolist() == [14000, 66000]


def test_no_units_is_reported_and_bad_method_skipped():
    _, issues = split_finished_wip(_objects("weighted", 0), _wip(), _costs((10, 0, 0)))
    assert [(i.code, i.params["element"]) for i in issues] == [("wip_no_units", "material")]
    bad, issues = split_finished_wip(_objects("lifo", 10), _wip(), _costs((10, 0, 0)))
    assert bad.empty and [i.code for i in issues] == ["wip_bad_method"]


def test_zero_rows():
    out, issues = split_finished_wip(_objects("weighted", 1).iloc[:0], _wip(),
                                     _costs((0, 0, 0)).iloc[:0])
    assert out.empty and issues == []


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(["weighted", "fifo", "none", "standard"]),
       st.floats(1, 1e5), st.floats(0, 1e4), st.floats(0, 1), st.floats(0, 1e4),
       st.lists(st.floats(0, 1e6), min_size=6, max_size=6))
def test_finished_plus_wip_is_opening_plus_added_to_the_cent(method, done, wip_qty, degree,
                                                             opening_qty, money):
    objects = _objects(method, done, opening_qty, 0.5, standard_material=1.0)
    costs = _costs(tuple(money[:3]), opening=tuple(money[3:]))
    out, _ = split_finished_wip(objects, _wip((wip_qty, degree)), costs)
    cents = np.round((out["wip_cost"] + out["finished_cost"] - out["total_cost"]) * 100)
    assert (np.abs(cents) <= 1).all()  # total_cost itself is not rounded


def test_wip_line_of_an_unknown_object_is_a_warning():
    wip = pd.concat([_wip((200, 0.5)), _wip((5, 0.5)).assign(cost_object="T7")],
                    ignore_index=True)
    out, issues = split_finished_wip(_objects("weighted", 800), wip,
                                     _costs((50000, 20000, 7200)))
    # row 3: a frame built in code counts Excel rows from 2
    assert [(i.code, i.severity, i.value, i.row) for i in issues] == [
        ("wip_unknown_object", "warning", "T7", 3)]
    assert _rows(out).loc["total", "wip_cost"] == pytest.approx(13022.22)
