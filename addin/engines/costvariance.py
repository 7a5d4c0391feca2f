"""Standard vs actual cost variances 成本差异 per cost object (DOMAIN §7 reports).

Output of the period in equivalent units of work done this period (FIFO units: finished
+ closing WIP × degree − opening WIP × its degree; material with its own degrees), so a
task half built last month is not charged twice. Textbook splits:

* material, per component: price = (AP − SP) × AQ, usage = (AQ − SQ) × SP,
  where SQ = output × qty per × (1 + loss) and SP the component's standard cost;
* labour: rate (price) = (AR − SR) × AH, efficiency = (AH − SH) × SR, SH = output ×
  standard hours per unit, SR the standard labour rate;
* overhead: spending (price) = actual − AH × SR, efficiency = (AH − SH) × SR, on the
  overhead's basis (labour or machine hours) and standard overhead rate.

price + usage (or efficiency) = actual − standard to the cent: the second is the
remainder. Without posted material lines the material row shows the total only.

Example: output 100, standard 2 A at 5.00; 210 A issued for 1,071 → price 21, usage
50; 55 h for 1,155 labour at standard 0.5 h × 20 → rate 55, efficiency 100.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.allocation import to_cents
from addin.engines.wip import ELEMENTS

OUTPUT_COLUMNS = ["cost_object", "item_code", "element", "component_code", "output_qty",
                  "standard_qty", "actual_qty", "standard_price", "actual_price",
                  "standard_cost", "actual_cost", "price_variance", "usage_variance",
                  "efficiency_variance", "total_variance"]


def period_output(objects: pd.DataFrame, wip: pd.DataFrame) -> pd.DataFrame:
    """Equivalent units of work done this period per object: material, conversion."""
    first = objects.drop_duplicates("cost_object").set_index("cost_object")
    qty = wip["wip_qty"].fillna(0.0).to_numpy(float)
    closing = pd.DataFrame({
        "material": qty * wip["material_completion"].fillna(1.0).to_numpy(float),
        "conversion": qty * wip["completion"].fillna(0.0).to_numpy(float)},
        index=wip["cost_object"].to_numpy(dtype=object)).groupby(level=0).sum()
    closing = closing.reindex(first.index, fill_value=0.0)
    opening = first["opening_wip_qty"].fillna(0.0)
    done = first["completed_qty"].fillna(0.0)
    return pd.DataFrame({
        "material": done + closing["material"]
        - opening * first["opening_material_completion"].fillna(1.0),
        "conversion": done + closing["conversion"]
        - opening * first["opening_completion"].fillna(0.0)})


def _cents(values: np.ndarray) -> np.ndarray:
    return to_cents(np.nan_to_num(np.asarray(values, dtype=float))) / 100.0


def _split(frame: pd.DataFrame, second: str) -> pd.DataFrame:
    """Money to cents; the second variance is the rest of the total."""
    actual, standard = _cents(frame["actual_cost"]), _cents(frame["standard_cost"])
    aq, sp = frame["actual_qty"].to_numpy(float), frame["standard_price"].to_numpy(float)
    price = _cents(actual - aq * sp)
    total = actual - standard
    known = ~np.isnan(aq)
    return frame.assign(standard_cost=standard, actual_cost=actual,
                        price_variance=np.where(known, price, np.nan),
                        **{second: np.where(known, np.round(total - price, 2), np.nan)},
                        total_variance=np.round(total, 2))


def material_variances(output: pd.DataFrame, made: pd.Series, usage: pd.DataFrame,
                       prices: pd.Series, lines: pd.DataFrame | None,
                       added: pd.Series) -> pd.DataFrame:
    """Per object and component with posted lines; per object (total only) without."""
    eu = output["material"]
    bom = usage.rename(columns={"parent_code": "item_code"})
    std = pd.DataFrame({"cost_object": made.index.to_numpy(dtype=object),
                        "item_code": made.to_numpy(dtype=object)}).merge(bom, on="item_code")
    std = std.assign(standard_qty=std["cost_object"].map(eu).to_numpy(float)
                     * std["usage"].to_numpy(float))
    if lines is None:
        per = std.assign(standard_cost=std["standard_qty"] * std["component_code"].map(
            prices).fillna(0.0)).groupby("cost_object")["standard_cost"].sum()
        rows = pd.DataFrame({"cost_object": made.index.to_numpy(dtype=object),
                             "item_code": made.to_numpy(dtype=object), "component_code": "",
                             "standard_qty": np.nan, "actual_qty": np.nan,
                             "standard_price": np.nan, "actual_price": np.nan})
        rows["standard_cost"] = rows["cost_object"].map(per).fillna(0.0).to_numpy(float)
        rows["actual_cost"] = rows["cost_object"].map(added).fillna(0.0).to_numpy(float)
        return _split(rows.assign(element="material"), "usage_variance")
    used = lines[lines["cost_object"].isin(made.index)
                 & lines["material_kind"].ne("consigned")].rename(
        columns={"item_code": "component_code", "qty": "actual_qty", "value": "actual_cost"})
    used = used.groupby(["cost_object", "component_code"], as_index=False)[
        ["actual_qty", "actual_cost"]].sum()
    rows = std[["cost_object", "component_code", "standard_qty"]].merge(
        used, on=["cost_object", "component_code"], how="outer").fillna(
        {"standard_qty": 0.0, "actual_qty": 0.0, "actual_cost": 0.0})
    rows["item_code"] = rows["cost_object"].map(made).to_numpy(dtype=object)
    rows["standard_price"] = rows["component_code"].map(prices).fillna(0.0).to_numpy(float)
    rows["standard_cost"] = rows["standard_qty"] * rows["standard_price"]
    aq = rows["actual_qty"].to_numpy(float)
    rows["actual_price"] = np.divide(rows["actual_cost"].to_numpy(float), aq,
                                     out=np.full(len(rows), np.nan), where=aq != 0)
    return _split(rows.assign(element="material"), "usage_variance")


def conversion_variances(objects: pd.DataFrame, output: pd.DataFrame, made: pd.Series,
                         hours: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Labour and overhead rows of objects whose product has standards.

    `hours`: per item — labour_hours, labour_rate, machine_hours, overhead_rate,
    overhead_basis; `actual`: per object, the labour and overhead put in this period."""
    first = objects.drop_duplicates("cost_object").set_index("cost_object")
    keys = made.index[made.isin(hours.index)]
    std = hours.reindex(made.reindex(keys).to_numpy())
    eu = output["conversion"].reindex(keys).to_numpy(float)
    by_machine = std["overhead_basis"].eq("machine_hours").to_numpy()
    labour_h = first["actual_hours"].reindex(keys).fillna(0.0).to_numpy(float)
    machine_h = first["machine_hours"].reindex(keys).fillna(0.0).to_numpy(float)
    frames = []
    for element, per_unit, rate, ah in (
            ("labour", std["labour_hours"], std["labour_rate"], labour_h),
            ("overhead", std["labour_hours"].where(~by_machine, std["machine_hours"]),
             std["overhead_rate"], np.where(by_machine, machine_h, labour_h))):
        cost = actual[element].reindex(keys).fillna(0.0).to_numpy(float)
        sr = rate.fillna(0.0).to_numpy(float)
        sh = eu * per_unit.fillna(0.0).to_numpy(float)
        frames.append(pd.DataFrame({
            "cost_object": keys.to_numpy(dtype=object), "element": element,
            "item_code": made.reindex(keys).to_numpy(dtype=object), "component_code": "",
            "standard_qty": sh, "actual_qty": ah, "standard_price": sr,
            "actual_price": np.divide(cost, ah, out=np.full(len(ah), np.nan), where=ah != 0),
            "standard_cost": sh * sr, "actual_cost": cost}))
    return _split(pd.concat(frames, ignore_index=True), "efficiency_variance")


def cost_variances(objects: pd.DataFrame, wip: pd.DataFrame, production: pd.DataFrame,
                   usage: pd.DataFrame, prices: pd.Series, hours: pd.DataFrame,
                   lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every variance row (OUTPUT_COLUMNS), sorted by object, element, component.

    `usage`: parent_code, component_code, usage (per unit, loss included); `prices`:
    standard unit cost per item (the roll-up); `hours`: standards per item (index
    item_code); `lines`: posted material lines (None: material cost was typed in).
    """
    first = objects.drop_duplicates("cost_object")
    item = first["item_code"].fillna("").astype(str)
    made = pd.Series(item.to_numpy(dtype=object), index=first["cost_object"].to_numpy(
        dtype=object))[item.ne("").to_numpy()]
    output = period_output(objects, wip)
    added = production[production["element"].isin(ELEMENTS)].pivot_table(
        index="cost_object", columns="element", values="added_cost", aggfunc="sum"
    ).reindex(columns=list(ELEMENTS), fill_value=0.0)
    parts = [material_variances(output, made, usage, prices, lines, added["material"]),
             conversion_variances(objects, output, made, hours, added)]
    out = pd.concat(parts, ignore_index=True)
    out["output_qty"] = np.where(out["element"].eq("material"),
                                 out["cost_object"].map(output["material"]),
                                 out["cost_object"].map(output["conversion"]))
    rank = {name: position for position, name in enumerate(ELEMENTS)}
    out = out.sort_values(["cost_object", "element", "component_code"],
                          key=lambda s: s.map(rank) if s.name == "element" else s,
                          kind="stable")
    return out.reset_index(drop=True)[OUTPUT_COLUMNS]


def standard_hours(items: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Cost standards per item (index item_code); blank labour hours = the item's
    standard hours, as the roll-up reads them."""
    rows = standards.drop_duplicates("item_code", keep="last").set_index("item_code")
    std_hours = items.drop_duplicates("item_code").set_index("item_code")["standard_hours"]
    return rows.assign(labour_hours=rows["labour_hours"].fillna(
        std_hours.reindex(rows.index)).fillna(0.0),
        overhead_basis=rows["overhead_basis"].replace("", "labour_hours"))
