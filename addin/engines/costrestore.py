"""Cost restoration 成本还原 (DOMAIN §7): a parent's semi-finished cost expressed back in
material, labour and overhead (and subcontract fee), through every level.

Per cost object, the finished material cost is split into raw material and
semi-finished in proportion to their share of the material put in (opening + added).
Each semi-finished item's share is then replaced by that item's restored composition
this period — the restored costs of the tasks that made it (rework tasks left out) and of
its subcontract receipts (consumed material + fee) — computed bottom-up, so a two-level
product ends up in raw material, labour, overhead and fees only.

Example: S = 1,000 raw + 600 labour + 400 overhead for 100 units (20.00 each); P uses
50 S (1,000) + 500 raw + 300 labour + 200 overhead → P 2,000, of it semi-finished 1,000
= 500 material + 300 labour + 200 overhead → restored: material 1,000, labour 600,
overhead 400.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.allocation import split_cents, to_cents
from addin.engines.autotransfer import PARTS, TRANSFERRED
from addin.engines.wip import ELEMENTS

OUTPUT_COLUMNS = ["cost_object", "item_code", "completed_qty", "raw_material",
                  "semi_finished", "labour", "overhead", "finished_cost", "restored_material",
                  "restored_labour", "restored_overhead", "restored_subcontract", "unit_cost"]
# Rounding remainder goes to material: the last of each object's rows.
_ROUND_ORDER = ("subcontract", "overhead", "labour", "material")


def _by_object(production: pd.DataFrame, column: str) -> pd.DataFrame:
    rows = production[production["element"].isin(ELEMENTS)]
    return rows.pivot_table(index="cost_object", columns="element", values=column,
                            aggfunc="sum", sort=True).reindex(columns=list(ELEMENTS),
                                                              fill_value=0.0).fillna(0.0)


def _fractions(totals: pd.DataFrame) -> pd.DataFrame:
    whole = totals[list(PARTS)].sum(axis=1)
    return totals[list(PARTS)].div(whole.where(whole != 0), axis=0).fillna(0.0)


def restore(production: pd.DataFrame, objects: pd.DataFrame, lines: pd.DataFrame,
            items: pd.DataFrame, bought: pd.DataFrame, made: pd.Series, rework: np.ndarray,
            levels: int) -> pd.DataFrame:
    """One row per cost object (OUTPUT_COLUMNS), sorted by object.

    `items`: the period's finished qty and cost per part of every produced item
    (`autotransfer.item_costs`); `bought`: item_code, material, subcontract of the
    period's subcontract receipts; `made`: object -> item; `rework`: rework objects.
    """
    finished = _by_object(production, "finished_cost")
    put_in = _by_object(production, "total_cost")["material"]
    semi = lines[lines["material_kind"].isin(TRANSFERRED)]
    semi_total = semi.groupby("cost_object")["value"].sum().reindex(finished.index,
                                                                    fill_value=0.0)
    share = np.clip(np.divide(semi_total, put_in, out=np.zeros(len(put_in)),
                              where=put_in.to_numpy() != 0), 0.0, 1.0)
    semi_done = finished["material"] * share
    weight = semi["value"] / semi["cost_object"].map(semi_total).replace(0.0, np.nan)
    semi_part = semi["cost_object"].map(semi_done).to_numpy(float) * weight.fillna(0.0)
    own = pd.DataFrame({"material": finished["material"] - semi_done,
                        "labour": finished["labour"], "overhead": finished["overhead"],
                        "subcontract": 0.0})
    producers = made.reindex(finished.index).dropna()
    producers = producers[~producers.index.isin(rework)]
    outside = (bought.groupby("item_code")[["material", "subcontract"]].sum()
               .reindex(columns=list(PARTS), fill_value=0.0))
    fractions = _fractions(items)
    for _ in range(levels + 1):
        inherited = (fractions.reindex(semi["item_code"].to_numpy()).fillna(0.0)
                     .mul(semi_part.to_numpy(), axis=0))
        restored = own.add(inherited.groupby(semi["cost_object"].to_numpy()).sum(),
                           fill_value=0.0)
        per_item = restored.loc[producers.index].groupby(producers.to_numpy()).sum()
        fractions = _fractions(per_item.add(outside, fill_value=0.0))
    return _table(objects, finished, semi_done, restored)


def _table(objects: pd.DataFrame, finished: pd.DataFrame, semi_done: pd.Series,
           restored: pd.DataFrame) -> pd.DataFrame:
    first = objects.drop_duplicates("cost_object").set_index("cost_object")
    index = finished.index
    total = to_cents(finished.sum(axis=1).to_numpy(float)) / 100.0
    long = restored.reindex(index).fillna(0.0)[list(_ROUND_ORDER)].to_numpy(float)
    cents = split_cents(np.repeat(np.arange(len(index)), len(_ROUND_ORDER)),
                        long.reshape(-1), np.repeat(total, len(_ROUND_ORDER)))
    cents = cents.reshape(-1, len(_ROUND_ORDER))
    semi = to_cents(semi_done.to_numpy(float)) / 100.0
    qty = first["completed_qty"].reindex(index).fillna(0.0).to_numpy(float)
    return pd.DataFrame({
        "cost_object": index.to_numpy(dtype=object),
        "item_code": first["item_code"].reindex(index).fillna("").to_numpy(dtype=object),
        "completed_qty": qty, "raw_material": finished["material"].to_numpy(float) - semi,
        "semi_finished": semi, "labour": finished["labour"].to_numpy(float),
        "overhead": finished["overhead"].to_numpy(float), "finished_cost": total,
        "restored_material": cents[:, 3], "restored_labour": cents[:, 2],
        "restored_overhead": cents[:, 1], "restored_subcontract": cents[:, 0],
        "unit_cost": np.divide(total, qty, out=np.zeros(len(index)), where=qty > 0),
    })[OUTPUT_COLUMNS]
