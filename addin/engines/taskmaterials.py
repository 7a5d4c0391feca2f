"""Material lists (投料单) of generated tasks: one BOM level, phantoms exploded through.

* Lines: component lines of the task's BOM version when the parent has lines of that
  version, else its default version (the smallest, so blank wins); effective on the
  task's start date.
* required = task qty × qty_per × (1 + variable loss) + fixed loss, rounded up for items
  counted in whole units. A phantom component (item type phantom, or a skip-level line)
  is replaced by its own lines on the same terms, its requirement as their parent qty; the
  qty_per shown is then per unit of the task's item through the phantom.
* Issue method: the line's own, else the component's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.bom import qty_per
from addin.schema import ROW, TABLES

_MAX_PHANTOM_DEPTH = 20  # loops are rejected by the input check; this only bounds the walk


def _lines(bom: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    lines = bom[bom["line_type"].astype(object).fillna("component").eq("component")]
    kinds = items.drop_duplicates("item_code").set_index("item_code")["item_type"]
    phantom = (kinds.reindex(lines["component_code"]).to_numpy() == "phantom") | lines[
        "skip_level"].astype(bool).to_numpy()
    return pd.DataFrame({
        "parent": lines["parent_code"].to_numpy(dtype=object),
        "component": lines["component_code"].to_numpy(dtype=object),
        "version": lines["bom_version"].astype(object).fillna("").to_numpy(dtype=object),
        "qty_per": qty_per(lines).to_numpy(float),
        "loss": lines["variable_loss_rate"].fillna(0.0).to_numpy(float),
        "fixed": lines["fixed_loss"].fillna(0.0).to_numpy(float),
        "issue": lines["issue_method"].astype(object).fillna("").to_numpy(dtype=object),
        "warehouse": lines["supply_warehouse"].astype(object).fillna("").to_numpy(dtype=object),
        "from": lines["effective_from"].to_numpy(), "to": lines["effective_to"].to_numpy(),
        "phantom": phantom, "seq": np.arange(len(lines))})


def _explode(parents: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Lines of each (parent, version, qty, start) row; version falls back to the default."""
    versions = lines[["parent", "version"]].drop_duplicates()
    default = versions.groupby("parent")["version"].min()
    known = pd.MultiIndex.from_frame(versions)
    asked = pd.MultiIndex.from_arrays([parents["parent"], parents["version"]])
    version = np.where(asked.isin(known), parents["version"].to_numpy(dtype=object),
                       default.reindex(parents["parent"]).fillna("").to_numpy(dtype=object))
    rows = parents.assign(version=version).merge(lines, on=["parent", "version"],
                                                 suffixes=("", "_line"))
    start = rows["start"]
    live = (rows["from"].isna() | (rows["from"] <= start)) & (rows["to"].isna()
                                                              | (rows["to"] >= start))
    rows = rows[live.to_numpy()]
    usage = rows["qty_per"] * (1.0 + rows["loss"])
    return rows.assign(required=rows["qty"] * usage + rows["fixed"],
                       shown_qty_per=rows["per_unit"] * rows["qty_per"],
                       next_per_unit=rows["per_unit"] * usage)


def material_lists(tasks: pd.DataFrame, bom: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per task and component (see module docstring)."""
    columns = TABLES["material_lists"].column_names
    if tasks.empty or bom.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
            {c.name: "float64" for c in TABLES["material_lists"].columns if c.type == "number"})
    lines = _lines(bom, items)
    parents = pd.DataFrame({"task_no": tasks["task_no"], "item_code": tasks["item_code"],
                            "parent": tasks["item_code"], "version": tasks["bom_version"],
                            "qty": tasks["qty"], "start": tasks["start_date"],
                            "per_unit": 1.0, "path": ""})
    found = []
    for _ in range(_MAX_PHANTOM_DEPTH):
        rows = _explode(parents, lines)
        rows = rows.assign(path=rows["path"] + rows["seq"].map("{:06d}.".format))
        found.append(rows[~rows["phantom"].to_numpy()])
        deeper = rows[rows["phantom"].to_numpy()]
        if deeper.empty:
            break
        parents = pd.DataFrame({"task_no": deeper["task_no"], "item_code": deeper["item_code"],
                                "parent": deeper["component"], "version": "",
                                "qty": deeper["required"], "start": deeper["start"],
                                "per_unit": deeper["next_per_unit"], "path": deeper["path"]})
    return _shape(pd.concat(found, ignore_index=True), items)


def _shape(rows: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    info = items.drop_duplicates("item_code").set_index("item_code")
    whole = info["integer_only"].reindex(rows["component"]).fillna(False).to_numpy(bool)
    required = np.round(rows["required"].to_numpy(float), 6)
    required = np.where(whole, np.ceil(required - 1e-9), required)
    own = info["issue_method"].reindex(rows["component"]).fillna("direct").to_numpy(dtype=object)
    rows = rows.assign(required_qty=required,
                       issue_method=np.where(rows["issue"] != "", rows["issue"], own))
    rows = rows.sort_values(["task_no", "path"], kind="stable", ignore_index=True)
    return pd.DataFrame({
        "task_no": rows["task_no"].to_numpy(dtype=object),
        "line_no": pd.array(rows.groupby("task_no").cumcount().to_numpy() + 1, dtype="Int64"),
        "item_code": rows["item_code"].to_numpy(dtype=object),
        "component_code": rows["component"].to_numpy(dtype=object),
        "component_name": info["item_name"].reindex(rows["component"]).fillna("").to_numpy(
            dtype=object),
        "qty_per": np.round(rows["shown_qty_per"].to_numpy(float), 6),
        "variable_loss_rate": rows["loss"].to_numpy(float),
        "fixed_loss": rows["fixed"].to_numpy(float),
        "required_qty": rows["required_qty"].to_numpy(float),
        "issue_method": rows["issue_method"].to_numpy(dtype=object),
        "supply_warehouse": rows["warehouse"].to_numpy(dtype=object),
        "need_date": rows["start"].to_numpy(dtype="datetime64[ns]")}).drop(
        columns=[ROW], errors="ignore")
