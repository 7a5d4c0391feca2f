"""The MRP's building blocks: time axis, netting, vectorised lot sizing, merging, pegging."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines import lotgroups as lg
from addin.engines import netting as nt
from addin.engines import pegging as pg
from addin.engines.lotsizing import LotPolicy, size_lots
from addin.engines.timeaxis import TimeAxis, day_of, make_axis, whole_days

MONDAY = day_of(dt.date(2026, 3, 2))
SETTINGS = settings(deadline=None, max_examples=150)


# ------------------------------------------------------------------ time axis


def test_week_and_month_floors_clamp_to_the_planning_day():
    wednesday = MONDAY + 2
    week = TimeAxis("week", wednesday)
    # 03-01 (before start) -> start; 03-06 (Fri) -> start (its Monday is before it); 03-10 -> 03-09
    assert (week.floor(np.array([MONDAY - 1, MONDAY + 4, MONDAY + 8])) - MONDAY).tolist() == [
        2, 2, 7]
    month = TimeAxis("month", wednesday)
    assert (month.floor(np.array([MONDAY + 40])) - MONDAY).tolist() == [30]  # 04-01


def test_labels_per_bucket_kind():
    days = np.array([MONDAY, MONDAY + 7])
    assert TimeAxis("day", MONDAY).labels(days).tolist() == ["2026-03-02", "2026-03-09"]
    assert TimeAxis("week", MONDAY).labels(days).tolist() == ["2026-W10", "2026-W11"]
    assert TimeAxis("month", MONDAY).labels(days).tolist() == ["2026-03", "2026-03"]
    period = make_axis("period", None, None, True)
    assert period.labels(np.array([period.start, period.start + 4])).tolist() == ["P1", "P5"]


def test_working_day_offset_skips_the_calendar_days_off():
    calendar = pd.DataFrame({"calendar_date": pd.to_datetime(["2026-03-04", "2026-03-07",
                                                              "2026-03-08"]),
                             "working": [False, False, False]})
    axis = make_axis("day", dt.date(2026, 3, 2), calendar, use_calendar=True)
    # need Mon 03-09, 3 working days back: Fri 06, Thu 05, Tue 03 (Wed 04 is a holiday)
    assert (axis.offset(np.array([MONDAY + 7]), np.array([3])) - MONDAY).tolist() == [1]
    # lead time 0 keeps the need day even when it is a day off
    assert (axis.offset(np.array([MONDAY + 6]), np.array([0])) - MONDAY).tolist() == [6]
    plain = make_axis("day", dt.date(2026, 3, 2), calendar, use_calendar=False)
    assert (plain.offset(np.array([MONDAY + 7]), np.array([3])) - MONDAY).tolist() == [4]


def test_whole_days_round_up_but_ignore_float_noise():
    assert whole_days(np.array([0, 2.2, 3.0000000001, 4.5])).tolist() == [0, 3, 3, 5]


# ------------------------------------------------------------------ netting


def test_lot_for_lot_net_restores_safety_stock():
    # one group: opening 30, SS 15; day 0: receipt 20, alloc 10, gross 100 -> PA0 -60,
    # shortfall 75; day 5: gross 40 -> shortfall 115 -> net 40
    table = nt.build_table(
        0, (np.array([7, 7, 7]), np.array([0, 0, 5]), np.array([100.0, 10.0, 40.0]),
            np.array([False, True, False])),
        (np.array([7]), np.array([0]), np.array([20.0])),
        (np.array([7]), np.array([30.0])), (np.array([7]), np.array([15.0])))
    assert nt.lot_for_lot(table).tolist() == [75.0, 40.0]
    record = nt.record(table, np.array([0, 1]), np.array([80.0, 40.0]), np.array([0, 0]),
                       np.array([0, 3]), None)
    assert record.bucket.tolist() == [0, 3, 5]
    assert record.available.tolist() == [20.0, 20.0, 20.0]  # 30+20-10-100+80; 20+40-40
    assert record.net.tolist() == [75.0, 0.0, 35.0]  # textbook: 15 - (20 - 40) = 35
    assert record.planned_releases.tolist() == [80.0, 40.0, 0.0]


def test_distinct_matches_numpy_unique():
    values = np.array([5, 1, 5, 3, 1, 9])
    assert nt.distinct(values).tolist() == [1, 3, 5, 9]
    assert nt.distinct(np.zeros(0, np.int64)).size == 0


# ------------------------------------------------------------------ lot sizing in rounds

_RULES = st.sampled_from(["LFL", "FOQ", "POQ"])


@st.composite
def _series(draw):
    n = draw(st.integers(1, 12))
    net = draw(st.lists(st.sampled_from([0, 0, 1, 3.5, 7, 10, 25, 40]), min_size=n,
                        max_size=n))
    gaps = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    rule = draw(_RULES)
    minimum = draw(st.sampled_from([0, 0, 5, 12, 50]))
    multiple = draw(st.sampled_from([0, 0, 1, 4, 10]))
    maximum = draw(st.sampled_from([0, 0, 60, 100]))
    policy = dict(rule=rule, fixed_qty=draw(st.sampled_from([8, 20, 45])) if rule == "FOQ"
                  else 0.0, foq_single_lot=draw(st.booleans()),
                  poq_periods=draw(st.integers(1, 6)) if rule == "POQ" else 0.0,
                  minimum=minimum, multiple=multiple, maximum=maximum,
                  increment_over_min=draw(st.booleans()))
    return np.array(net, float), np.cumsum(gaps).astype(float), policy


@SETTINGS
@given(st.lists(_series(), min_size=1, max_size=4))
def test_rounds_equal_size_lots_for_every_group(groups):
    valid = []
    for net, start, policy in groups:
        try:
            valid.append((net, start, LotPolicy(**policy), policy))
        except ValueError:
            continue
    if not valid:
        return
    net = np.concatenate([v[0] for v in valid])
    day = np.concatenate([v[1] for v in valid])
    sizes = np.array([v[0].size for v in valid])
    lo = np.cumsum(sizes) - sizes
    p = {k: np.array([v[3][k] for v in valid]) for k in valid[0][3]}
    p["base"] = np.where(p["increment_over_min"], p["minimum"], 0.0)
    got = lg.size_in_rounds(lo, lo + sizes, day, net, p)
    order = np.lexsort((np.arange(got.row.size), got.row))
    want_row, want_qty, want_need = [], [], []
    for a, (series, start, policy, _) in zip(lo, valid, strict=True):
        lots = size_lots(series, start, policy)
        want_row += (a + lots.bucket).tolist()
        want_qty += lots.qty.tolist()
        want_need += lots.need.tolist()
    assert got.row[order].tolist() == want_row
    np.testing.assert_allclose(got.qty[order], want_qty, atol=2e-6)
    np.testing.assert_allclose(got.need[order], want_need, atol=2e-6)


def test_policy_modes_classify_rules_and_flag_invalid_ones():
    items = pd.DataFrame({"rule": ["LFL", "LFL", "FOQ", "WW", "FOQ"],
                          "fixed_qty": [0, 0, 10, 0, 0], "foq_single_lot": False,
                          "poq_periods": 0.0, "setup_cost": [0, 0, 0, 5, 0],
                          "holding_cost": [0, 0, 0, 1, 0], "minimum": [0, 5, 0, 0, 0],
                          "maximum": 0.0, "multiple": 0.0, "increment_over_min": False})
    mode, invalid = lg.policy_modes(items)
    assert mode.tolist() == [lg.PLAIN, lg.ROUNDS, lg.ROUNDS, lg.LOOP, lg.PLAIN]
    assert invalid.tolist() == [False, False, False, False, True]  # FOQ without a lot size


def test_merge_windows_close_after_window_days():
    # days 10, 12, 17, 18 with window 7: 10..17 merge (45), 18 opens the next window
    day = np.array([10, 12, 17, 18])
    net = np.array([10.0, 15.0, 20.0, 5.0])
    merged = lg.merge_windows(np.array([0]), np.array([4]), day, net, np.array([7.0]))
    assert merged.tolist() == [45.0, 0.0, 0.0, 5.0]


# ------------------------------------------------------------------ pegging


def test_fifo_pegs_in_date_order_and_leaves_excess():
    # group 0: demands 5, 10; supplies 8 (stock), 10 (order) -> (0,0,5) (1,0,3) (1,1,7)
    # and 3 of supply 1 is excess. Group 1: demand 4, no supply -> unpegged.
    micro = nt.MICRO
    pairs = pg.fifo(np.array([0, 0, 1]), np.array([5, 10, 4]) * micro, np.array([0, 0]),
                    np.array([8, 10]) * micro, 2)
    got = list(zip(pairs.demand.tolist(), pairs.supply.tolist(),
                   (pairs.qty / micro).tolist(), strict=True))
    assert got == [(0, 0, 5.0), (1, 0, 3.0), (1, 1, 7.0), (-1, 1, 3.0)]


def test_compose_shares_a_parent_order_between_its_end_demands():
    # parent order 0 (qty 10) serves end 0 with 6 and end 1 with 4; order 1 takes 5 of its
    # dependent demand and 2 of end 2 directly -> 3 to end 0, 2 to end 1, 2 to end 2
    parents = pg.Pegs.of(np.array([0, 0]), np.array([0, 1]), np.array([6.0, 4.0]), 1)
    order, end, qty = pg.compose(np.array([1, 1]), np.array([-1, 2]), np.array([0, -1]),
                                 np.array([5.0, 2.0]), parents, np.array([10.0]))
    assert list(zip(order.tolist(), end.tolist(), qty.tolist(), strict=True)) == [
        (1, 0, 3.0), (1, 1, 2.0), (1, 2, 2.0)]
