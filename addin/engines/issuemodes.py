"""Material issue modes (DOMAIN §6): kit issue, backflush and merged issue.

All three turn what a storekeeper types into plain issue lines (one component, one
warehouse, one quantity) that the posting engine then validates and posts like any
other line. Materials are the task material lists (`task_materials`): required, already
issued and scrapped quantities per task and component, before this posting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def kit_qty(qty_per: np.ndarray, loss: np.ndarray, fixed_loss: np.ndarray,
            required: np.ndarray, issued: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Kit issue for N sets: N × usage × (1 + loss), + fixed loss on the first issue,
    capped by what is still to be issued (never negative)."""
    want = sets * qty_per * (1.0 + loss) + np.where(issued <= 0, fixed_loss, 0.0)
    return np.clip(np.minimum(want, required - issued), 0.0, None)


def expand_kits(lines: pd.DataFrame, materials: pd.DataFrame) -> pd.DataFrame:
    """Replace each kit-issue line (task, sets) by one line per direct-issue component.

    The warehouse is the line's own, else the material list's supply warehouse. Kit
    lines of a task missing from the material lists vanish here; the caller reports them.
    """
    kit = lines["issue_mode"].eq("kit").to_numpy()
    if not kit.any():
        return lines
    mats = materials[~materials["issue_method"].isin(("backflush", "none"))]
    head = lines[kit].drop(columns=["item_code"])
    rows = head.merge(mats, on="task_no", how="inner", suffixes=("", "_m"))
    qty = kit_qty(rows["qty_per"].to_numpy(float), rows["variable_loss_rate"].to_numpy(float),
                  rows["fixed_loss"].to_numpy(float), rows["required_qty"].to_numpy(float),
                  rows["issued_qty"].to_numpy(float), rows["sets"].to_numpy(float))
    warehouse = rows["warehouse_code"].where(rows["warehouse_code"].ne(""),
                                             rows["supply_warehouse"])
    rows = rows.assign(item_code=rows["component_code"], qty=qty, warehouse_code=warehouse,
                       issue_mode="direct")
    return pd.concat([lines[~kit], rows[lines.columns]], ignore_index=True)


def backflush_lines(receipts: pd.DataFrame, materials: pd.DataFrame) -> pd.DataFrame:
    """Issue lines that a product receipt triggers: receipt qty × usage × (1 + loss) of
    every backflush component, from its backflush (supply) warehouse.

    They carry the receipt's document number, so reversing the receipt reverses them too.
    """
    mats = materials[materials["issue_method"].eq("backflush")]
    rows = receipts.merge(mats, on="task_no", how="inner", suffixes=("", "_m"))
    qty = rows["qty"].to_numpy(float) * rows["qty_per"].to_numpy(float) * (
        1.0 + rows["variable_loss_rate"].to_numpy(float))
    return rows.assign(doc_type="material_issue", item_code=rows["component_code"], qty=qty,
                       warehouse_code=rows["supply_warehouse"], location_code="", lot="",
                       unit_cost=0.0, auto=True)[receipts.columns]


def allocate_merged(issued: pd.DataFrame, needs: pd.DataFrame) -> pd.DataFrame:
    """Allocate merged issues back to their tasks, earliest start first.

    issued: one row per (doc_no, component_code, task_no) for every task the merged line
    names, with the summed `qty` of that document and component repeated. needs: per
    (task_no, component_code) the `remaining` requirement and the task's `start_date`.
    Each task gets min(remaining, what is left); what exceeds every task's need goes to
    the last task, so the allocation always sums to exactly what was issued.
    """
    rows = issued.merge(needs, on=["task_no", "component_code"], how="left")
    rows["remaining"] = rows["remaining"].fillna(0.0).clip(lower=0.0)
    rows = rows.sort_values(["doc_no", "component_code", "start_date", "task_no"],
                            kind="stable", na_position="last", ignore_index=True)
    group = rows.groupby(["doc_no", "component_code"], sort=False)
    before = group["remaining"].cumsum() - rows["remaining"]
    alloc = np.clip(rows["qty"] - before, 0.0, rows["remaining"])
    last = ~rows.duplicated(["doc_no", "component_code"], keep="last")
    excess = rows["qty"] - group["remaining"].transform("sum")
    alloc = alloc + np.where(last & (excess > 0), excess, 0.0)
    return rows.assign(qty=alloc)[["doc_no", "task_no", "component_code", "qty"]]
