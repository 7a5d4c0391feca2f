"""Finished goods vs work in progress 完工/在产 (DOMAIN §7): split each cost object's
cost of the period between what was finished and what is still in progress.

A cost object is a production task or a product of one period. Cost elements are
material, labour and overhead; labour and overhead ("conversion") progress together, so
they share the WIP's degree of completion, while material has its own degree (1.0 when
it is issued at the start, the usual case).

Methods (`method` per object):
* ``none``      — 不计在产品成本: the whole cost goes to the finished units.
* ``weighted``  — 约当产量 weighted average: EU = finished + Σ WIP qty × degree;
                  rate = (opening + added) / EU.
* ``fifo``      — 约当产量 FIFO: EU = finished + closing WIP EU − opening WIP EU;
                  rate = added / EU; the opening WIP cost goes to finished units.
* ``standard``  — 在产品按定额材料成本: WIP carries its BOM standard material only
                  (qty × standard material per unit); the rest is finished.

Equivalent coefficients 约当系数 are the degrees on the WIP lines; `operation_degrees`
derives them from standard hours per operation. Money is rounded once, at the edge: the
WIP cost of each element to the cent, and the finished cost is the rest, so finished +
WIP = opening + added to the cent for every element.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from addin.engines.allocation import to_cents
from addin.engines.bomgraph import row_numbers
from addin.issues import Issue, Message, register

ELEMENTS = ("material", "labour", "overhead")
METHODS = ("none", "weighted", "fifo", "standard")
KEY = "cost_object"

register({
    "wip_no_units": Message(
        "{cost_object} 的{element}约当产量为 0，成本 {amount} 无法分摊",
        "{cost_object}: {element} has no equivalent units, so {amount} cannot be spread",
        "填写完工数量或在产品数量", "Enter the finished or the WIP quantity"),
    "wip_unknown_object": Message(
        "在产品行的成本对象 {value} 不在成本计算对象表中，已忽略",
        "WIP line for {value}, which is not a cost object; it was ignored",
        "检查任务单号，或在成本计算对象表中添加该对象",
        "Check the task number, or add the cost object"),
    "wip_bad_degree": Message(
        "{cost_object} 的{what_zh} {value} 不在 0–100% 之间",
        "{cost_object}: {what} {value} is outside 0–100 %",
        "填写 0 到 1 之间的小数（或 0%–100%），例如 0.5 表示完工一半",
        "Enter a fraction from 0 to 1 (or 0 %–100 %), e.g. 0.5 for half done"),
    "wip_bad_method": Message(
        "在产品计价方法「{value}」无法识别", 'WIP method "{value}" is not known',
        "可选：" + "、".join(METHODS), "Choose one of: " + ", ".join(METHODS)),
})


def operation_degrees(hours: np.ndarray, within: float = 0.5) -> np.ndarray:
    """Degree of completion of WIP waiting at each operation, from standard hours:
    (hours of the operations before + within × hours of this one) / total hours."""
    hours = np.asarray(hours, dtype="float64")
    total = hours.sum()
    before = np.cumsum(hours) - hours
    return (before + within * hours) / total if total > 0 else np.zeros_like(hours)


def _wip_units(objects: pd.Index, wip: pd.DataFrame) -> pd.DataFrame:
    """Closing WIP qty and EU per element of every object (0 where it has no WIP lines)."""
    qty = wip["wip_qty"].fillna(0.0).to_numpy(float)
    conversion = wip["completion"].fillna(0.0).to_numpy(float)
    material = wip["material_completion"].fillna(1.0).to_numpy(float)
    frame = pd.DataFrame({KEY: wip[KEY].to_numpy(dtype=object), "wip_qty": qty,
                          "material": qty * material, "labour": qty * conversion,
                          "overhead": qty * conversion})
    return frame.groupby(KEY, sort=False).sum().reindex(objects, fill_value=0.0)


def _opening_units(objects: pd.DataFrame) -> pd.DataFrame:
    qty = objects["opening_wip_qty"].fillna(0.0).to_numpy(float)
    conversion = objects["opening_completion"].fillna(0.0).to_numpy(float)
    material = objects["opening_material_completion"].fillna(1.0).to_numpy(float)
    return pd.DataFrame({"material": qty * material, "labour": qty * conversion,
                         "overhead": qty * conversion}, index=objects.index)


def split_finished_wip(objects: pd.DataFrame, wip: pd.DataFrame, costs: pd.DataFrame
                       ) -> tuple[pd.DataFrame, list[Issue]]:
    """Finished and WIP cost per object and element.

    `objects`: cost_object, method, completed_qty, opening_wip_qty, opening_completion,
    opening_material_completion, standard_material (per unit, for ``standard``).
    `wip`: cost_object, wip_qty, completion, material_completion (blank = 1.0) — one line
    per group of WIP at one degree. `costs`: cost_object, element, opening_cost,
    added_cost. Returns one row per object × element (plus a ``total`` row per object):
    opening, added, total, equivalent_units, unit_cost (per EU), wip_cost, finished_cost,
    finished_unit_cost; sorted by object, element in ELEMENTS order.
    """
    objects, issues = _valid_objects(objects)
    issues += bad_degrees(objects, wip)
    objects = objects.drop_duplicates(KEY).set_index(KEY).sort_index()
    issues += _unknown_wip(wip, objects.index)
    closing = _wip_units(objects.index, wip)
    opening = _opening_units(objects)
    grid = pd.MultiIndex.from_product([objects.index, ELEMENTS], names=[KEY, "element"])
    money = (costs.groupby([KEY, "element"])[["opening_cost", "added_cost"]].sum()
             .reindex(grid, fill_value=0.0))
    out = pd.DataFrame(index=grid).reset_index()
    obj = out[KEY].to_numpy(dtype=object)
    element = out["element"].to_numpy(dtype=object)
    pick = _picker(objects.index, obj, element)
    method = objects["method"].reindex(obj).to_numpy(dtype=object)
    completed = objects["completed_qty"].fillna(0.0).reindex(obj).to_numpy(float)
    open_cost = money["opening_cost"].to_numpy(float)
    added = money["added_cost"].to_numpy(float)
    first_in = method == "fifo"
    eu = completed + pick(closing) - np.where(first_in, pick(opening), 0.0)
    spread = np.where(first_in, added, open_cost + added)
    issues += _no_units(out, eu, spread, method)
    rate = np.divide(spread, eu, out=np.zeros(len(eu)), where=eu > 0)
    standard = (closing["wip_qty"] * objects["standard_material"].fillna(0.0)).reindex(obj)
    wip_cost = to_cents(np.select(
        [np.isin(method, ("weighted", "fifo")), (method == "standard") & (element == "material")],
        [rate * pick(closing), standard.to_numpy(float)], default=0.0)) / 100.0
    total = open_cost + added
    # Without equivalent units the finished units carry everything the WIP does not.
    by_eu = np.isin(method, ("weighted", "fifo"))
    rate = np.where(by_eu, rate, np.divide(total - wip_cost, completed,
                                           out=np.zeros(len(eu)), where=completed > 0))
    out = out.assign(opening_cost=open_cost, added_cost=added, total_cost=total,
                     equivalent_units=np.where(by_eu, eu, completed), unit_cost=rate,
                     wip_cost=wip_cost, finished_cost=to_cents(total - wip_cost) / 100.0,
                     completed_qty=completed)
    return _with_totals(out), issues


def _picker(index: pd.Index, obj: np.ndarray, element: np.ndarray
            ) -> Callable[[pd.DataFrame], np.ndarray]:
    """A reader of frame[element] at row obj, for every cell of the object × element grid."""
    rows = index.get_indexer(obj)
    cols = pd.Index(ELEMENTS).get_indexer(element)

    def pick(frame: pd.DataFrame) -> np.ndarray:
        return frame[list(ELEMENTS)].to_numpy(float)[rows, cols]

    return pick


def _with_totals(out: pd.DataFrame) -> pd.DataFrame:
    """Add a ``total`` row per object; finished unit cost = finished / completed qty."""
    sums = out.groupby(KEY, sort=False)[["opening_cost", "added_cost", "total_cost",
                                         "unit_cost", "wip_cost", "finished_cost"]].sum()
    sums = sums.assign(element="total", equivalent_units=np.nan,
                       completed_qty=out.groupby(KEY, sort=False)["completed_qty"].first()
                       ).reset_index()
    rank = {name: position for position, name in enumerate((*ELEMENTS, "total"))}
    both = pd.concat([out, sums], ignore_index=True)
    both = both.sort_values([KEY, "element"], key=lambda s: s.map(rank) if s.name == "element"
                            else s, kind="stable").reset_index(drop=True)
    qty = both["completed_qty"].to_numpy(float)
    both["finished_unit_cost"] = np.divide(both["finished_cost"].to_numpy(float), qty,
                                           out=np.zeros(len(both)), where=qty > 0)
    return both.drop(columns="completed_qty")


def _valid_objects(objects: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    bad = ~objects["method"].isin(METHODS).to_numpy()
    issues = [Issue("wip_bad_method", sheet="cost_objects", row=int(r), column="method",
                    value=v)
              for r, v in zip(row_numbers(objects)[bad], objects["method"].to_numpy()[bad],
                              strict=True)]
    return objects[~bad], issues


_DEGREES = {"wip_lines": (("completion", "完工程度", "degree of completion"),
                          ("material_completion", "投料程度", "material degree")),
            "cost_objects": (("opening_completion", "期初完工程度", "opening degree"),
                             ("opening_material_completion", "期初投料程度",
                              "opening material degree"))}


def bad_degrees(objects: pd.DataFrame, wip: pd.DataFrame) -> list[Issue]:
    """Degrees of completion outside 0–100 % (a WIP cannot be more than done)."""
    issues = []
    for sheet, frame in (("cost_objects", objects), ("wip_lines", wip)):
        for column, zh, en in _DEGREES[sheet]:
            if column not in frame:
                continue
            value = frame[column].to_numpy(float)
            bad = (value < 0) | (value > 1 + 1e-9)
            issues += [Issue("wip_bad_degree", sheet=sheet, row=int(r), column=column,
                             value=f"{v:.0%}", params={"cost_object": o, "what": en,
                                                        "what_zh": zh})
                       for r, v, o in zip(row_numbers(frame)[bad], value[bad],
                                          frame[KEY].to_numpy()[bad], strict=True)]
    return issues


def _unknown_wip(wip: pd.DataFrame, known: pd.Index) -> list[Issue]:
    stray = ~wip[KEY].isin(known).to_numpy()
    return [Issue("wip_unknown_object", "warning", "wip_lines", int(r), KEY, v)
            for r, v in zip(row_numbers(wip)[stray], wip[KEY].to_numpy()[stray], strict=True)]


def _no_units(out: pd.DataFrame, eu: np.ndarray, spread: np.ndarray, method: np.ndarray
              ) -> list[Issue]:
    """Cost that EU-based methods cannot spread because there are no units to carry it."""
    stuck = (eu <= 0) & (spread != 0) & np.isin(method, ("weighted", "fifo"))
    return [Issue("wip_no_units", sheet="cost_objects", column="completed_qty",
                  params={"cost_object": o, "element": e, "amount": f"{a:,.2f}"})
            for o, e, a in zip(out[KEY].to_numpy()[stuck], out["element"].to_numpy()[stuck],
                               spread[stuck], strict=True)]
