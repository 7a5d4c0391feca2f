"""Cost composition 成本构成 by product and element (DOMAIN §7 reports).

The period's cost of production summed per product (a cost object's item; its own name
when it has none) and element: opening WIP, input, finished, closing WIP, finished qty,
unit cost and each element's share of the product's finished cost. Every row keeps
opening + input = finished + closing WIP to the cent, because the rows it adds do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.allocation import to_cents
from addin.engines.wip import ELEMENTS

OUTPUT_COLUMNS = ["item_code", "element", "opening_cost", "added_cost", "finished_cost",
                  "wip_cost", "completed_qty", "unit_cost", "share"]
_MONEY = ["opening_cost", "added_cost", "finished_cost", "wip_cost"]
_RANK = {name: position for position, name in enumerate((*ELEMENTS, "total"))}


def product_of(objects: pd.DataFrame) -> pd.Series:
    """Cost object -> the product it is reported under."""
    first = objects.drop_duplicates("cost_object").set_index("cost_object")
    item = first["item_code"].fillna("").astype(str)
    return item.where(item.ne(""), first.index.to_series().astype(str))


def cost_composition(production: pd.DataFrame, objects: pd.DataFrame) -> pd.DataFrame:
    """One row per product × element (material, labour, overhead, total)."""
    product = product_of(objects)
    qty = objects.drop_duplicates("cost_object").set_index("cost_object")["completed_qty"]
    rows = production.assign(item_code=production["cost_object"].map(product),
                             completed_qty=production["cost_object"].map(qty).fillna(0.0))
    sums = rows.groupby(["item_code", "element"], as_index=False, sort=True)[_MONEY].sum()
    # completed qty counts once per object, not once per element row
    done = rows[rows["element"].eq("total")].groupby("item_code")["completed_qty"].sum()
    sums[_MONEY] = to_cents(sums[_MONEY].to_numpy(float)) / 100.0
    sums["completed_qty"] = sums["item_code"].map(done).fillna(0.0).to_numpy(float)
    finished = sums["finished_cost"].to_numpy(float)
    count = sums["completed_qty"].to_numpy(float)
    sums["unit_cost"] = np.divide(finished, count, out=np.zeros(len(sums)), where=count > 0)
    whole = sums["item_code"].map(sums[sums["element"].eq("total")].set_index("item_code")
                                  ["finished_cost"]).to_numpy(float)
    sums["share"] = np.divide(finished, whole, out=np.zeros(len(sums)), where=whole != 0)
    sums = sums.sort_values(["item_code", "element"], key=lambda s: s.map(_RANK)
                            if s.name == "element" else s, kind="stable")
    return sums.reset_index(drop=True)[OUTPUT_COLUMNS]


def finished_by_element(composition: pd.DataFrame) -> pd.DataFrame:
    """The period's finished cost per element over every product (the Summary chart)."""
    rows = composition[composition["element"].isin(ELEMENTS)]
    sums = rows.groupby("element", sort=False)[_MONEY].sum().reindex(list(ELEMENTS))
    total = sums["finished_cost"].sum()
    return sums.reset_index().assign(
        item_code="", completed_qty=np.nan, unit_cost=np.nan,
        share=sums["finished_cost"].to_numpy(float) / total if total else 0.0
    )[OUTPUT_COLUMNS]
