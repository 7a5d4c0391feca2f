"""BOM lines and the BOM graph: usage, effectivity, explosion, where-used, levels, loops."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.engines.bom import effective_lines, explode_bom, qty_per, usage_lines, where_used
from addin.engines.bomgraph import Cycle, find_cycles, low_level_codes
from addin.schema import ROW, TABLES, coerce


def typed(name: str, **columns: list) -> pd.DataFrame:
    """A table as the reader gives it: raw cells through the schema's coercion."""
    length = len(next(iter(columns.values())))
    raw = pd.DataFrame({ROW: range(2, 2 + length), **columns}, dtype="object")
    return coerce(TABLES[name], raw, name, "en")[0]


def items_of(**kinds: str) -> pd.DataFrame:
    return typed("items", item_code=list(kinds), item_name=[f"name {c}" for c in kinds],
                 item_type=list(kinds.values()))


def bom_of(*lines: tuple, **extra: list) -> pd.DataFrame:
    """Lines as (parent, component, numerator[, denominator[, loss]])."""
    padded = [(*line, *(1, 1, 0)[len(line) - 2:]) for line in lines]
    parents, components, numerators, denominators, losses = zip(*padded, strict=True)
    return typed("bom", parent_code=list(parents), component_code=list(components),
                 qty_numerator=list(numerators), qty_denominator=list(denominators),
                 variable_loss_rate=list(losses), **extra)


# A four-level BOM with losses, worked by hand:
#   P → A  2 per P, loss 10%, fixed loss 5 (per order: not in the per-unit figures)
#   A → B  3 per A, loss 5%        (B is a phantom: exploded through, still listed)
#   B → C  1/2 per B
#   C → D  3/4 per C, loss 20%
#   P → Y  co-product line (an output of P, never exploded)
# accumulated per P:  A = 2×1.1 = 2.2
#                     B = 2.2 × 3×1.05 = 6.93
#                     C = 6.93 × 0.5 = 3.465
#                     D = 3.465 × 0.75×1.2 = 3.1185
ITEMS = items_of(P="manufactured", A="manufactured", B="phantom", C="manufactured",
                 D="purchased", Y="purchased")
FOUR_LEVELS = bom_of(("P", "A", 2, 1, 0.1), ("A", "B", 3, 1, 0.05), ("B", "C", 1, 2),
                     ("C", "D", 3, 4, 0.2), ("P", "Y", 1),
                     fixed_loss=[5, 0, 0, 0, 0],
                     line_type=["component"] * 4 + ["co_product"])


def test_qty_per_is_numerator_over_denominator_and_nan_for_a_bad_denominator() -> None:
    bom = bom_of(("P", "A", 3, 4), ("P", "B", 1, 0), ("P", "C", 2, -1))
    assert qty_per(bom).tolist()[0] == 0.75
    assert qty_per(bom)[1:].isna().all()


def test_four_level_explosion_accumulates_usage_and_loss() -> None:
    exploded = explode_bom(ITEMS, FOUR_LEVELS)
    assert exploded["path"].tolist() == ["P → A", "P → A → B", "P → A → B → C",
                                         "P → A → B → C → D"]
    assert exploded["level"].tolist() == [1, 2, 3, 4]
    assert exploded["accumulated_qty"].tolist() == pytest.approx([2.2, 6.93, 3.465, 3.1185])
    assert exploded["qty_per"].tolist() == pytest.approx([2, 3, 0.5, 0.75])
    assert exploded["item_type"].tolist()[1] == "phantom"
    assert set(exploded["root_code"]) == {"P"}
    assert list(exploded.columns) == TABLES["exploded_bom"].column_names


def test_explosion_is_depth_first_with_siblings_in_code_order() -> None:
    # P → B → X, P → A; A sorts first, and X follows its own parent B.
    exploded = explode_bom(items_of(P="manufactured", A="purchased", B="manufactured",
                                    X="purchased"),
                           bom_of(("P", "B", 1), ("B", "X", 1), ("P", "A", 1)))
    assert exploded["path"].tolist() == ["P → A", "P → B", "P → B → X"]


def test_explosion_of_given_roots_and_a_root_used_twice() -> None:
    # Q uses A directly and through B: two paths, A = 1 + 2×4 = 9 in total.
    bom = bom_of(("Q", "A", 1), ("Q", "B", 2), ("B", "A", 4), ("R", "B", 1))
    items = items_of(Q="manufactured", R="manufactured", B="manufactured", A="purchased")
    exploded = explode_bom(items, bom, roots=["Q"])
    assert exploded.groupby("component_code")["accumulated_qty"].sum().to_dict() == {
        "A": 9.0, "B": 2.0}
    assert set(explode_bom(items, bom)["root_code"]) == {"Q", "R"}  # the top items


def test_lines_outside_their_window_and_other_versions_are_not_exploded() -> None:
    bom = bom_of(("P", "OLD", 1), ("P", "NEW", 1), ("P", "ALT", 1), ("P", "A", 1),
                 effective_to=["2025-12-31", None, None, None],
                 effective_from=[None, "2026-01-01", None, None],
                 bom_version=["", "", "V2", ""])
    items = items_of(P="manufactured", OLD="purchased", NEW="purchased", ALT="purchased",
                     A="purchased")
    on_day = explode_bom(items, bom, as_of=dt.date(2026, 1, 5))
    assert on_day["component_code"].tolist() == ["A", "NEW"]  # V2 is not the default
    assert explode_bom(items, bom)["component_code"].tolist() == ["A", "NEW", "OLD"]
    # Window ends are inclusive: the old line still applies on its last day.
    assert effective_lines(bom, dt.date(2025, 12, 31))["component_code"].tolist() == [
        "OLD", "ALT", "A"]


def test_default_version_is_the_lowest_sorting_one_per_parent() -> None:
    bom = bom_of(("P", "A", 1), ("P", "B", 1), ("Q", "C", 1), ("Q", "D", 1),
                 bom_version=["V2", "V1", "V3", "V3"])
    assert usage_lines(bom)["component_code"].tolist() == ["B", "C", "D"]


def test_where_used_climbs_every_level_with_the_explosion_figures() -> None:
    used = where_used(ITEMS, FOUR_LEVELS)
    d = used[used["component_code"] == "D"]
    assert d["path"].tolist() == ["C → D", "B → C → D", "A → B → C → D", "P → A → B → C → D"]
    assert d["level"].tolist() == [1, 2, 3, 4]
    assert d["parent_code"].tolist() == ["C", "B", "A", "P"]
    # D per C = 0.9; per B = 0.5×0.9 = 0.45; per A = 3.15×0.45 = 1.4175; per P = 3.1185
    assert d["qty_per"].tolist() == pytest.approx([0.9, 0.45, 1.4175, 3.1185])
    assert "Y" not in set(used["component_code"])  # co-products are not used by P
    assert list(used.columns) == TABLES["where_used"].column_names


def test_low_level_code_is_the_deepest_level() -> None:
    # X is used by P (level 1) and by B under A (level 3): its code is 3.
    bom = bom_of(("P", "X", 1), ("P", "A", 1), ("A", "B", 1), ("B", "X", 1))
    items = items_of(P="manufactured", A="manufactured", B="manufactured", X="purchased",
                     Z="purchased")
    codes = low_level_codes(items, bom).set_index("item_code")["low_level_code"].to_dict()
    assert codes == {"P": 0, "A": 1, "B": 2, "X": 3, "Z": 0}  # Z is in no BOM


def test_worked_example_from_the_reference() -> None:
    # kingdee-yonyou.md §1.3: A = 2×B + 1×C and C = 3×B  ⇒  LLC A 0, C 1, B 2.
    bom = bom_of(("A", "B", 2), ("A", "C", 1), ("C", "B", 3))
    items = items_of(A="manufactured", B="purchased", C="manufactured")
    frame = low_level_codes(items, bom)
    assert frame[["item_code", "low_level_code"]].values.tolist() == [
        ["A", 0], ["C", 1], ["B", 2]]


def test_cycle_is_reported_as_its_whole_path_on_the_closing_line() -> None:
    bom = bom_of(("A", "C", 1), ("C", "B", 1), ("B", "A", 1))
    [cycle] = find_cycles(bom)
    assert cycle.path() == "A → C → B → A"
    assert cycle.row == 4  # B → A, the third line, is Excel row 4
    assert (cycle.parent, cycle.component) == ("B", "A")


def test_self_loop_and_two_separate_loops_are_each_reported() -> None:
    bom = bom_of(("A", "A", 1), ("X", "Y", 1), ("Y", "X", 1), ("P", "Q", 1))
    assert [c.path() for c in find_cycles(bom)] == ["A → A", "X → Y → X"]


def test_cycles_name_their_loop_group_and_stop_at_the_limit() -> None:
    # One group {N0, N1, N2} with the loops N0⟲, N0→N1→N0 and N0→N2→N1→N0; X⇄Y apart.
    bom = bom_of(("N0", "N0", 1), ("N0", "N1", 1), ("N0", "N2", 1), ("N1", "N0", 1),
                 ("N2", "N1", 1), ("X", "Y", 1), ("Y", "X", 1))
    full = find_cycles(bom)
    assert [(c.group, c.group_items, c.group_lines, c.group_complete) for c in full] == [
        ("N0", 3, 5, True)] * 3 + [("X", 2, 2, True)]
    short = find_cycles(bom, limit=2)
    assert [(c.path(), c.group_complete) for c in short] == [
        ("N0 → N0", False), ("N0 → N1 → N0", False), ("X → Y → X", True)]


def test_co_product_lines_do_not_close_loops() -> None:
    bom = bom_of(("A", "B", 1), ("B", "A", 1), line_type=["component", "by_product"])
    assert find_cycles(bom) == []


def test_levels_below_a_loop_still_count_and_loop_items_get_none() -> None:
    # P → A ⇄ B → C: A and B loop; the loop sits at level 1, so C is at level 2.
    bom = bom_of(("P", "A", 1), ("A", "B", 1), ("B", "A", 1), ("B", "C", 2))
    items = items_of(P="manufactured", A="manufactured", B="manufactured", C="purchased")
    codes = low_level_codes(items, bom).set_index("item_code")["low_level_code"]
    assert codes[["P", "C"]].tolist() == [0, 2] and codes[["A", "B"]].isna().all()
    # Explosion must end: the loop lines are left out, so P → A is all that remains
    # (B is reachable only through the loop).
    assert explode_bom(items, bom)["path"].tolist() == ["P → A"]


def test_a_very_long_loop_is_shortened_in_the_middle() -> None:
    # 100 codes + the return to I000 = 101 steps; a limit of 10 pieces shows the first 5
    # (I000–I004), a marker, and the last 4 (I097, I098, I099, I000): 92 are hidden.
    codes = tuple(f"I{i:03d}" for i in range(100))
    text = Cycle(codes, 2).path(limit=10)
    assert text == "I000 → I001 → I002 → I003 → I004 → …(92)… → I097 → I098 → I099 → I000"


def test_empty_bom_gives_empty_tables() -> None:
    bom = typed("bom", parent_code=[], component_code=[])
    items = items_of(A="purchased")
    assert explode_bom(items, bom).empty and where_used(items, bom).empty
    assert find_cycles(bom) == []
    assert low_level_codes(items, bom)["low_level_code"].tolist() == [0]


# ------------------------------------------------------------------- properties

@st.composite
def dags(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    """Lines (parent, component, qty) that only point from a lower to a higher number."""
    n = draw(st.integers(2, 7))
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12))
    return [(f"N{i}", f"N{j}", draw(st.integers(1, 3))) for i, j in chosen]


def _paths(edges: list[tuple[str, str, int]], node: str, qty: float, path: str) -> list:
    rows = []
    for parent, child, usage in sorted(edges, key=lambda e: e[1]):
        if parent == node:
            here = qty * usage
            rows.append((path + " → " + child, here))
            rows += _paths(edges, child, here, path + " → " + child)
    return rows


@settings(deadline=None, max_examples=40)
@given(dags())
def test_explosion_and_where_used_match_a_recursive_walk(edges: list) -> None:
    nodes = sorted({e[0] for e in edges} | {e[1] for e in edges}) or ["N0"]
    items = items_of(**dict.fromkeys(nodes, "manufactured"))
    bom = bom_of(*edges) if edges else typed("bom", parent_code=[], component_code=[])
    tops = sorted({e[0] for e in edges} - {e[1] for e in edges})
    expected = [(p, *row) for p in tops for row in _paths(edges, p, 1.0, p)]
    exploded = explode_bom(items, bom)
    got = list(zip(exploded["root_code"], exploded["path"], exploded["accumulated_qty"],
                   strict=True))
    assert got == expected  # same rows, same depth-first order
    # Where-used is the explosion of every item, read from the bottom.
    every = sorted((row[0].split(" → ")[-1], row[0], row[1])
                   for p in nodes for row in _paths(edges, p, 1.0, p))
    used = where_used(items, bom)
    assert sorted(zip(used["component_code"], used["path"], used["qty_per"],
                      strict=True)) == every
    # Low-level code = the longest path from a top item.
    depth = {n: max([len(r[0].split(" → ")) - 1 for p in nodes for r in _paths(
        edges, p, 1.0, p) if r[0].endswith(" → " + n)], default=0) for n in nodes}
    codes = low_level_codes(items, bom).set_index("item_code")["low_level_code"].to_dict()
    assert codes == depth


@st.composite
def graphs(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    n = draw(st.integers(1, 6))
    pairs = list(itertools.product(range(n), repeat=2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=14))
    return [(f"N{i}", f"N{j}", 1) for i, j in chosen]


def _acyclic(edges: set[tuple[str, str]]) -> bool:
    nodes = {a for e in edges for a in e}
    while nodes:
        free = [n for n in nodes if not any(c == n and p in nodes for p, c in edges)]
        if not free:
            return False
        nodes -= set(free)
    return True


@settings(deadline=None, max_examples=50)
@given(graphs())
def test_reported_loops_are_real_and_removing_their_closing_lines_leaves_none(
        edges: list) -> None:
    if not edges:
        return
    bom = bom_of(*edges)
    pairs = {(p, c) for p, c, _ in edges}
    cycles = find_cycles(bom)
    assert (cycles == []) == _acyclic(pairs)
    for cycle in cycles:
        ring = [*cycle.codes, cycle.codes[0]]
        assert all(step in pairs for step in itertools.pairwise(ring))
        assert len(set(cycle.codes)) == len(cycle.codes)  # elementary
        assert bom.loc[bom[ROW] == cycle.row, ["parent_code", "component_code"]].values.tolist(
        ) == [[cycle.parent, cycle.component]]
    closing = {(c.parent, c.component) for c in cycles}
    assert _acyclic(pairs - closing)
    codes = low_level_codes(items_of(**dict.fromkeys(sorted({a for e in pairs for a in e}),
                                                     "manufactured")), bom)
    on_loop = {code for c in cycles for code in c.codes}
    assert set(codes.loc[codes["low_level_code"].isna(), "item_code"]) == on_loop


def test_explosion_stays_vectorised_on_a_wide_bom() -> None:
    # 200 tops × 50 components × 20 sub-components: 200k rows, each figure the product.
    tops = np.repeat([f"T{i:03d}" for i in range(200)], 50)
    mids = np.tile([f"M{i:02d}" for i in range(50)], 200)
    subs = [(f"M{i:02d}", f"S{j:02d}", 2) for i in range(50) for j in range(20)]
    bom = bom_of(*zip(tops, mids, [3] * tops.size, strict=True), *subs)
    items = typed("items", item_code=[], item_name=[], item_type=[])
    exploded = explode_bom(items, bom)
    assert len(exploded) == 200 * 50 * 21
    assert set(exploded.loc[exploded["level"] == 2, "accumulated_qty"]) == {6.0}
