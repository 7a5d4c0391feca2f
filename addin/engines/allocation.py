"""Cost pool allocation (DOMAIN §7): spread a cost centre's pool over its tasks by a basis.

share_j = pool × basis_j / Σ basis over the pool's targets. The basis is one of
``quantity`` (completed qty × coefficient), ``actual_hours``, ``standard_hours``,
``machine_hours`` or ``material_cost``. Money is rounded once, here at the edge, to
whole cents with the rounding remainder on the last target of the pool (targets sorted
by task), so every pool's shares add up to the pool to the cent.

Also here: predetermined overhead rates (fixed budget / estimated basis + variable rate)
and overhead applied to jobs with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.bomgraph import row_numbers
from addin.issues import Issue, Message, register

BASES = ("quantity", "actual_hours", "standard_hours", "machine_hours", "material_cost")
POOL_KEY = ["cost_centre", "period", "element"]
_BASIS_COLUMN = {"actual_hours": "actual_hours", "standard_hours": "standard_hours",
                 "machine_hours": "machine_hours", "material_cost": "material_cost"}

register({
    "cost_pool_no_basis": Message(
        "费用池 {cost_centre}/{period}/{element} 的分配基础合计为 0，{amount} 未分配",
        "Pool {cost_centre}/{period}/{element}: the allocation basis adds up to 0, "
        "so {amount} was not allocated",
        "为该成本中心和期间的任务填写「{basis}」，或改用其他分配基础",
        'Enter the "{basis}" of the tasks of this cost centre and period, or choose '
        "another basis"),
    "cost_pool_bad_basis": Message(
        "分配基础「{value}」无法识别", 'Allocation basis "{value}" is not known',
        "可选：" + "、".join(BASES), "Choose one of: " + ", ".join(BASES)),
})


def to_cents(money: np.ndarray) -> np.ndarray:
    """Whole cents, half away from zero (np.round would round half to even)."""
    values = np.asarray(money, dtype="float64") * 100.0
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def split_cents(group: np.ndarray, exact: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Round `exact` money to cents so each group adds up to its rounded total.

    `group` labels rows (rows of a group must be contiguous and in their final order);
    `totals` holds each row's group total. Rows are rounded half away from zero, as
    accountants do, and the difference to the rounded group total goes to the group's
    last row: ARCHITECTURE's "remainder on the last line".
    """
    if len(exact) == 0:
        return np.asarray(exact, dtype="float64")
    cents = to_cents(exact)
    total_cents = to_cents(totals)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    last = np.r_[starts[1:], len(group)] - 1
    sums = np.add.reduceat(cents, starts)
    cents[last] += total_cents[last] - sums
    return cents / 100.0


def basis_values(targets: pd.DataFrame, basis: np.ndarray) -> np.ndarray:
    """The basis amount of every target row for the basis named on that row."""
    quantity = (targets["completed_qty"].to_numpy(float)
                * targets["coefficient"].fillna(1.0).to_numpy(float))
    choices = [basis == name for name in _BASIS_COLUMN]
    values = [targets[column].fillna(0.0).to_numpy(float) for column in _BASIS_COLUMN.values()]
    return np.select(choices, values, default=quantity)


def allocate_pools(pools: pd.DataFrame, targets: pd.DataFrame
                   ) -> tuple[pd.DataFrame, list[Issue]]:
    """Each pool (cost_centre, period, element, amount, basis) spread over the targets
    (cost_centre, period, cost_object, completed_qty, coefficient, actual_hours,
    standard_hours, machine_hours, material_cost) of the same cost centre and period.

    Returns one row per pool × target: the pool key, cost_object, basis, basis_value, share
    (basis / Σ basis) and amount, sorted by pool then task; plus the issues (unknown
    basis, a pool whose basis adds up to 0 — that pool is left out, not guessed).
    """
    issues = _bad_bases(pools)
    pools = pools[pools["basis"].isin(BASES).to_numpy()]
    lines = pools[[*POOL_KEY, "amount", "basis"]].merge(
        targets, on=["cost_centre", "period"], how="inner", sort=False)
    lines = lines.sort_values([*POOL_KEY, "cost_object"], kind="stable").reset_index(drop=True)
    value = basis_values(lines, lines["basis"].to_numpy(dtype=object))
    pool_id = lines.groupby(POOL_KEY, sort=False).ngroup().to_numpy()
    total = np.bincount(pool_id, weights=value)[pool_id] if len(lines) else value
    issues += _empty_pools(pools, lines, total)
    keep = total != 0
    lines, value, total, pool_id = lines[keep], value[keep], total[keep], pool_id[keep]
    share = value / total
    amount = lines["amount"].to_numpy(float)
    out = lines[[*POOL_KEY, "cost_object", "basis"]].assign(
        basis_value=value, share=share,
        allocated=split_cents(pool_id, amount * share, amount))
    return out.reset_index(drop=True), issues


def _bad_bases(pools: pd.DataFrame) -> list[Issue]:
    bad = ~pools["basis"].isin(BASES).to_numpy()
    rows = row_numbers(pools)[bad]
    return [Issue("cost_pool_bad_basis", sheet="cost_pools", row=int(r), column="basis",
                  value=v) for r, v in zip(rows, pools["basis"].to_numpy()[bad], strict=True)]


def _empty_pools(pools: pd.DataFrame, lines: pd.DataFrame, total: np.ndarray) -> list[Issue]:
    """Pools whose targets have no basis (or that have no targets at all)."""
    covered = lines.loc[total != 0, POOL_KEY].drop_duplicates()
    marked = pools.merge(covered.assign(_covered=True), on=POOL_KEY, how="left")
    orphan = marked["_covered"].isna().to_numpy() & (pools["amount"].to_numpy(float) != 0)
    rows = row_numbers(pools)[orphan]
    return [Issue("cost_pool_no_basis", sheet="cost_pools", row=int(r), column="basis",
                  value=b, params={"cost_centre": c, "period": p, "element": e,
                                   "amount": f"{a:,.2f}", "basis": b})
            for r, c, p, e, a, b in zip(rows, *(pools[k].to_numpy()[orphan] for k in
                                                (*POOL_KEY, "amount", "basis")), strict=True)]


def predetermined_rates(centres: pd.DataFrame) -> pd.Series:
    """Overhead rate per unit of basis of every cost centre: budgeted fixed overhead /
    estimated basis + variable rate (Garrison's predetermined overhead rate)."""
    estimate = centres["estimated_basis"].to_numpy(float)
    fixed = np.divide(centres["fixed_overhead"].to_numpy(float), estimate,
                      out=np.zeros(len(centres)), where=estimate > 0)
    return pd.Series(fixed + centres["variable_rate"].fillna(0.0).to_numpy(float),
                     index=centres["cost_centre"].to_numpy(), name="rate")


def applied_overhead(centres: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    """Overhead applied to each job in each cost centre: rate × the job's basis there.

    `centres`: cost_centre, basis (machine_hours / actual_hours / …), estimated_basis,
    fixed_overhead, variable_rate. `usage`: cost_object, cost_centre and the basis columns.
    """
    rates = predetermined_rates(centres)
    basis = pd.Series(centres["basis"].to_numpy(dtype=object), index=rates.index)
    lines = usage.sort_values(["cost_object", "cost_centre"], kind="stable").reset_index(drop=True)
    centre = lines["cost_centre"]
    value = basis_values(lines.assign(**{c: lines.get(c, np.nan) for c in
                                         ("completed_qty", "coefficient", *_BASIS_COLUMN)}),
                         centre.map(basis).to_numpy(dtype=object))
    rate = centre.map(rates).fillna(0.0).to_numpy(float)
    return lines[["cost_object", "cost_centre"]].assign(
        rate=rate, basis_value=value, applied=to_cents(rate * value) / 100.0)
