"""Assemble the MRP's inputs from the typed tables (DOMAIN §2): items, BOM edges, demand
and supply as integer-coded event tables.

Everything here works on whole columns. Items become positions 0..n-1 (sorted by code),
tracking numbers become integers (0 = the untracked pool ""), dates become day numbers.

Decisions the spec leaves open, made here:
* Phantoms: an item is a phantom when its type is phantom or when it is the component of
  a BOM line flagged skip-level. A phantom's own stock is not used (documented choice):
  its requirement passes straight to its components on the same day.
* MTO items net per tracking number (sales order tracking no., blank → "ORDER-LINE").
  Untracked stock and supply of an MTO item stay in the "" pool and never serve a
  tracked order. Safety stock applies to the "" pool only.
* Forecast consumption: a forecast covers the days from its date to the next forecast
  date of the same item (the last one as long as the interval before it — a calendar
  month when that was 28–31 days; a lone forecast its calendar month, or its week or
  period with those buckets). Sales orders due inside that window consume it:
  net forecast = max(0, forecast − orders).
* BOM version: a parent's lines of version "" are used when present, else those of its
  smallest version. Co-product and by-product lines create no demand. Effectivity is
  checked against the parent order's release date.
* `integer_only` items without an order multiple order in whole units (multiple 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.engines.bom import qty_per, usage_lines
from addin.engines.bomgraph import longest_path_levels
from addin.engines.taskprogress import open_allocations, posted_by_task, stock_after
from addin.engines.timeaxis import NO_DAY, TimeAxis, day_numbers
from addin.issues import Issue, Message, register
from addin.schema import ROW

OPEN_TASK = ("planned", "released")
KINDS = ("allocation", "sales_order", "forecast")  # demand type by kind number


@dataclass
class PlanInput:
    """Integer-coded inputs of one run (see module docstring)."""

    items: pd.DataFrame      # one row per item position; derived planning columns
    tracking: np.ndarray     # object array, tracking[0] == ""
    demand: pd.DataFrame     # item, trk, day, qty, end, alloc, order (pegging order)
    ends: pd.DataFrame       # end demands: demand_type, demand_ref, item, day
    receipts: pd.DataFrame   # item, trk, day, qty, ref
    opening: pd.DataFrame    # item, trk, qty
    edges: pd.DataFrame      # parent, component, usage, fixed, eff_from, eff_to


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column as object str with "" for blanks (the reader already strips text)."""
    values = frame[column].astype(object)
    return values.where(values.notna(), "").astype(str).astype(object)


def prepare_items(items: pd.DataFrame, bom: pd.DataFrame) -> pd.DataFrame:
    """Items sorted by code, duplicates dropped, with the planning columns the engine uses."""
    frame = items.assign(item_code=_text(items, "item_code"))
    frame = frame[frame["item_code"] != ""].drop_duplicates("item_code")
    frame = frame.sort_values("item_code", kind="stable").reset_index(drop=True)
    skip = set(_text(bom, "component_code")[bom["skip_level"].astype(bool)]) if len(bom) else set()
    out = pd.DataFrame({"item_code": frame["item_code"].to_numpy(dtype=object)})
    out["item_name"] = _text(frame, "item_name").to_numpy(dtype=object)
    kind = frame["item_type"].astype(object).where(frame["item_type"].notna(), "purchased")
    out["phantom"] = (kind.eq("phantom") | frame["item_code"].isin(skip)).to_numpy()
    out["kind"] = np.where(out["phantom"], "phantom", kind.astype(str))
    # a phantom nets per tracking number so that it hands an MTO parent's tracking number
    # on to its components (it has no stock, so this changes nothing else)
    out["mto"] = frame["planning_mode"].astype(object).eq("MTO").to_numpy() | out["phantom"]
    for source, target in (("safety_stock", "ss"), ("lead_time_days", "lead"),
                           ("variable_lead_days", "vlead"), ("variable_lead_batch", "vbatch"),
                           ("merge_days", "merge"), ("lot_size", "fixed_qty"),
                           ("poq_days", "poq_periods"), ("setup_cost", "setup_cost"),
                           ("holding_cost", "holding_cost"), ("min_order_qty", "minimum"),
                           ("max_order_qty", "maximum"), ("order_multiple", "multiple"),
                           ("purchase_price", "price")):
        out[target] = pd.to_numeric(frame[source], errors="coerce").fillna(0.0).clip(lower=0
                                                                                     ).to_numpy()
    out["rule"] = frame["lot_rule"].astype(object).where(frame["lot_rule"].notna(), "LFL"
                                                         ).astype(str).to_numpy(dtype=object)
    out["foq_single_lot"] = frame["lot_single"].astype(bool).to_numpy()
    out["increment_over_min"] = frame["increment_over_min"].astype(bool).to_numpy()
    whole = frame["integer_only"].astype(bool).to_numpy() & (out["multiple"].to_numpy() <= 0)
    out.loc[whole, "multiple"] = 1.0
    out["supplier"] = _text(frame, "default_supplier").to_numpy(dtype=object)
    out["warehouse"] = _text(frame, "default_warehouse").to_numpy(dtype=object)
    out.loc[out["phantom"], ["ss", "lead", "vlead", "merge"]] = 0.0
    return out


class Coder:
    """Maps item codes to positions and tracking numbers to integers (0 = "")."""

    def __init__(self, items: pd.DataFrame) -> None:
        self.index = pd.Index(items["item_code"])
        self.mto = items["mto"].to_numpy()
        # item type ("kind" of `prepare_items`); "" when the caller has none to give
        self.kind = (items["kind"].to_numpy(dtype=object) if "kind" in items
                     else np.full(len(items), "", dtype=object))
        self._tracking: dict[str, int] = {"": 0}

    def items(self, codes: pd.Series) -> np.ndarray:
        """Item positions, -1 for unknown codes (typed tables hold stripped text)."""
        return self.index.get_indexer(np.asarray(codes, dtype=object))

    def tracking(self, item: np.ndarray, numbers: pd.Series) -> np.ndarray:
        """Tracking integers; items that are not MTO always net in the pool (0)."""
        text = numbers.astype(object).where(numbers.notna(), "").astype(str)
        text = text.where(self.mto[item], "")
        codes, uniques = pd.factorize(text.to_numpy(dtype=object), sort=True)
        mapping = np.array([self._tracking.setdefault(u, len(self._tracking)) for u in uniques],
                           dtype=np.int64)
        return mapping[codes] if len(codes) else np.zeros(0, dtype=np.int64)

    @property
    def names(self) -> np.ndarray:
        out = np.empty(len(self._tracking), dtype=object)
        for text, number in self._tracking.items():
            out[number] = text
        return out

    def alphabetical(self) -> np.ndarray:
        """New number of each tracking number so that numbers follow the text ("" = 0)."""
        rank = np.empty(len(self._tracking), dtype=np.int64)
        rank[np.argsort(self.names.astype(str), kind="stable")] = np.arange(rank.size)
        return rank


def _known(frame: pd.DataFrame, item: np.ndarray, days: np.ndarray | None = None) -> np.ndarray:
    keep = item >= 0
    if days is not None:
        keep &= days != NO_DAY
    return keep


def _refs(frame: pd.DataFrame, number: str, line: str | None) -> pd.Series:
    text = _text(frame, number)
    if line is None:
        return text
    lines = frame[line].astype("Int64").astype(str).where(frame[line].notna(), "")
    return text + "-" + lines


def sales_demand(orders: pd.DataFrame, coder: Coder, axis: TimeAxis) -> pd.DataFrame:
    """Open sales order lines: item, trk, day, qty, ref, priority."""
    open_ = orders[orders["status"].astype(object).eq("open")]
    qty = (open_["qty"] - open_["shipped_qty"].fillna(0.0)).clip(lower=0).to_numpy()
    item = coder.items(open_["item_code"])
    day = day_numbers(open_["due_date"])
    keep = _known(open_, item, day) & (qty > 0)
    ref = _refs(open_, "order_no", "line_no").to_numpy(dtype=object)
    tracking = _text(open_, "tracking_no")
    tracking = tracking.where(tracking != "", pd.Series(ref, index=open_.index))
    return pd.DataFrame({
        "item": item[keep], "trk": coder.tracking(item[keep], tracking[keep]),
        "day": day[keep], "qty": qty[keep], "ref": ref[keep],
        "priority": open_["priority"].astype("Float64").fillna(5).to_numpy(float)[keep],
    })


def _window_ends(item: np.ndarray, day: np.ndarray, axis: TimeAxis) -> np.ndarray:
    """End (exclusive) of each forecast's consumption window; inputs sorted by item, day."""
    same_next = np.append(item[1:] == item[:-1], False)
    same_prev = np.insert(item[1:] == item[:-1], 0, False)
    nxt = np.append(day[1:], 0)
    prev_gap = day - np.insert(day[:-1], 0, 0)
    if axis.bucket == "period":
        lone = day + 1
    elif axis.bucket == "week":
        lone = day - (day + 3) % 7 + 7
    else:  # a lone daily forecast is read as a monthly one
        lone = (day.astype("datetime64[D]").astype("datetime64[M]") + 1).astype(
            "datetime64[D]").astype(np.int64)
    # the last forecast of an item covers as long as the one before it; a month when
    # that one was a month (28–31 days), so monthly forecasts cover whole months
    monthly = same_prev & (prev_gap >= 28) & (prev_gap <= 31)
    next_month = (day.astype("datetime64[D]").astype("datetime64[M]") + 1).astype(
        "datetime64[D]").astype(np.int64) + (day - day.astype("datetime64[D]").astype(
            "datetime64[M]").astype("datetime64[D]").astype(np.int64))
    last = np.where(monthly, next_month, day + prev_gap)
    return np.where(same_next, nxt, np.where(same_prev, last, lone))


def forecast_demand(forecasts: pd.DataFrame, sales: pd.DataFrame, coder: Coder,
                    axis: TimeAxis, consume: bool) -> pd.DataFrame:
    """Net forecasts (after consumption by sales orders in the same window)."""
    item = coder.items(forecasts["item_code"])
    day = day_numbers(forecasts["forecast_date"])
    qty = forecasts["qty"].fillna(0.0).to_numpy(float)
    keep = _known(forecasts, item, day) & (qty > 0)
    ref = _text(forecasts, "forecast_no").to_numpy(dtype=object)
    fc = pd.DataFrame({"item": item[keep], "day": day[keep], "qty": qty[keep], "ref": ref[keep]})
    fc = fc.sort_values(["item", "day", "ref"], kind="stable").reset_index(drop=True)
    end = _window_ends(fc["item"].to_numpy(), fc["day"].to_numpy(), axis)
    if consume and len(fc) and len(sales):
        key = fc["item"].to_numpy() * (1 << 32) + (fc["day"].to_numpy() - axis.start + (1 << 31))
        skey = sales["item"].to_numpy() * (1 << 32) + (sales["day"].to_numpy() - axis.start
                                                      + (1 << 31))
        slot = np.searchsorted(key, skey, side="right") - 1
        inside = (slot >= 0)
        inside[inside] &= (fc["item"].to_numpy()[slot[inside]] == sales["item"].to_numpy()[inside])
        inside[inside] &= sales["day"].to_numpy()[inside] < end[slot[inside]]
        used = np.bincount(slot[inside], weights=sales["qty"].to_numpy()[inside],
                           minlength=len(fc))
        fc["qty"] = np.maximum(fc["qty"].to_numpy() - used, 0.0)
    live = (end > axis.start) & (fc["qty"].to_numpy() > 1e-9)
    fc = fc[live].reset_index(drop=True)
    blank = fc["ref"] == ""
    labels = pd.Series(coder.index.to_numpy()[fc["item"].to_numpy()], dtype=object)
    fc.loc[blank, "ref"] = "FC " + labels[blank] + " " + pd.Series(
        axis.labels(fc["day"].to_numpy()), dtype=object)[blank]
    return fc.assign(trk=np.zeros(len(fc), dtype=np.int64), priority=np.full(len(fc), 9.0))


def allocation_demand(allocations: pd.DataFrame, coder: Coder, axis: TimeAxis) -> pd.DataFrame:
    item = coder.items(allocations["item_code"])
    day = day_numbers(allocations["required_date"])
    day = np.where(day == NO_DAY, axis.start, day)
    qty = allocations["qty"].fillna(0.0).to_numpy(float)
    keep = _known(allocations, item) & (qty > 0)
    ref = _text(allocations, "source_no")
    ref = ref.where(ref != "", "allocation").to_numpy(dtype=object)
    return pd.DataFrame({"item": item[keep],
                         "trk": coder.tracking(item[keep], allocations["tracking_no"][keep]),
                         "day": day[keep], "qty": qty[keep], "ref": ref[keep],
                         "priority": np.zeros(int(keep.sum()))})


_SUPPLY = (  # table, status values that count, done column, number column, line column
    ("purchase_orders", ("open",), "received_qty", "po_no", "line_no"),
    ("production_tasks", OPEN_TASK, "stocked_qty", "task_no", None),
    ("subcontract_orders", ("open",), "received_qty", "order_no", "line_no"),
)


def scheduled_receipts(tables: dict[str, pd.DataFrame], coder: Coder) -> pd.DataFrame:
    """Open supply (qty − received/stocked, never below 0); closed/cancelled lines never count."""
    parts = []
    for name, statuses, done, number, line in _SUPPLY:
        frame = tables.get(name)
        if frame is None or not len(frame):
            continue
        frame = frame[frame["status"].astype(object).isin(statuses)]
        qty = (frame["qty"] - frame[done].fillna(0.0)).clip(lower=0).to_numpy(float)
        item = coder.items(frame["item_code"])
        day = day_numbers(frame["due_date"])
        keep = _known(frame, item, day) & (qty > 0)
        parts.append(pd.DataFrame({
            "item": item[keep], "trk": coder.tracking(item[keep], frame["tracking_no"][keep]),
            "day": day[keep], "qty": qty[keep],
            "ref": _refs(frame, number, line).to_numpy(dtype=object)[keep]}))
    columns = {"item": "int64", "trk": "int64", "day": "int64", "qty": "float64", "ref": object}
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {c: pd.Series(dtype=t) for c, t in columns.items()})
    return out.sort_values(["item", "trk", "day", "ref"], kind="stable", ignore_index=True)


def nettable(stock: pd.DataFrame, warehouses: pd.DataFrame | None,
             customer_item: np.ndarray) -> np.ndarray:
    """Which stock rows planning may use (DOMAIN §2, §6), by their warehouse:

    * its nettable flag is set and it is not an inspection store (never nettable);
    * a customer_virtual store (受托虚仓) holds the customers' own material: it serves
      customer-supplied items only, never as own stock of anything else;
    * at_supplier stock is own stock at a subcontractor: counted when flagged nettable;
    * a warehouse code missing from the warehouses table counts as a normal store.

    `customer_item` flags the rows whose item is customer-supplied.
    """
    counts = np.ones(len(stock), dtype=bool)
    if warehouses is None or not len(warehouses):
        return counts
    codes = _text(warehouses, "warehouse_code")
    first = ~codes.duplicated().to_numpy()  # the reader reports repeated codes
    kind = warehouses["warehouse_type"].astype(object).fillna("normal").to_numpy(
        dtype=object)[first]
    usable = warehouses["nettable"].astype(bool).to_numpy()[first] & (kind != "inspection")
    customers_only = kind == "customer_virtual"
    where = pd.Index(codes[first]).get_indexer(_text(stock, "warehouse_code").to_numpy())
    listed = where >= 0
    at = where[listed]
    counts[listed] = usable[at] & (~customers_only[at] | customer_item[listed])
    return counts


def opening_stock(stock: pd.DataFrame, warehouses: pd.DataFrame | None,
                  coder: Coder) -> pd.DataFrame:
    """On hand minus locked of the stock rows planning may use (`nettable`), summed per
    item and tracking no."""
    item = coder.items(stock["item_code"])
    kind = np.where(item >= 0, coder.kind[np.maximum(item, 0)] if len(coder.kind) else "", "")
    keep = (item >= 0) & nettable(stock, warehouses, kind == "customer_supplied")
    qty = (stock["qty"].fillna(0.0) - stock["locked_qty"].fillna(0.0)).to_numpy(float)
    frame = pd.DataFrame({"item": item[keep],
                          "trk": coder.tracking(item[keep], stock["tracking_no"][keep]),
                          "qty": qty[keep]})
    return frame.groupby(["item", "trk"], as_index=False, sort=True)["qty"].sum()


def bom_edges(bom: pd.DataFrame, coder: Coder) -> pd.DataFrame:
    """Component lines of each parent's planning version, usage incl. variable loss.

    Effectivity is kept as day numbers and checked per order at explosion time.
    """
    lines = usage_lines(bom)
    parent = coder.items(lines["parent_code"])
    component = coder.items(lines["component_code"])
    usage = qty_per(lines).to_numpy(float) * (1.0 + lines["variable_loss_rate"].fillna(0.0)
                                              .to_numpy(float))
    keep = (parent >= 0) & (component >= 0) & np.isfinite(usage)
    start = day_numbers(lines["effective_from"])
    end = day_numbers(lines["effective_to"])
    edges = pd.DataFrame({
        "parent": parent, "component": component, "usage": usage,
        "fixed": lines["fixed_loss"].fillna(0.0).to_numpy(float),
        "eff_from": start,  # NO_DAY (int64 min) is already "open to the past"
        "eff_to": np.where(end == NO_DAY, np.iinfo(np.int64).max, end)})[keep]
    return edges.sort_values(["parent", "component"], kind="stable", ignore_index=True)



def independent_demand(tables: dict[str, pd.DataFrame], coder: Coder, axis: TimeAxis,
                       horizon_end: int, consume: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales orders, net forecasts and allocations in pegging order, and the end-demand
    catalogue (one end demand per row, id = row position)."""
    sales = sales_demand(tables["sales_orders"], coder, axis)
    parts = [sales.assign(kind=1),
             forecast_demand(tables["forecasts"], sales, coder, axis, consume).assign(kind=2),
             allocation_demand(tables["allocations"], coder, axis).assign(kind=0)]
    demand = pd.concat(parts, ignore_index=True)
    demand = demand[demand["day"].to_numpy() < horizon_end]
    # within a day: allocations (committed) first, then orders by priority, then forecasts
    demand = demand.sort_values(["item", "trk", "day", "kind", "priority", "ref"],
                                kind="stable", ignore_index=True)
    ends = pd.DataFrame({
        "demand_type": np.asarray(KINDS, dtype=object)[demand["kind"].to_numpy(np.int64)],
        "demand_ref": demand["ref"].to_numpy(dtype=object),
        "item": demand["item"].to_numpy(np.int64), "day": demand["day"].to_numpy(np.int64),
        "order": np.full(len(demand), -1, dtype=np.int64)})
    out = pd.DataFrame({"item": demand["item"].to_numpy(np.int64),
                        "trk": demand["trk"].to_numpy(np.int64),
                        "day": np.maximum(demand["day"].to_numpy(np.int64), axis.start),
                        "qty": demand["qty"].to_numpy(float),
                        "alloc": demand["kind"].to_numpy() == 0,
                        "end": np.arange(len(demand), dtype=np.int64)})
    return out, ends


def assemble(tables: dict[str, pd.DataFrame], axis: TimeAxis, horizon_days: int | None,
             consume: bool) -> PlanInput:
    """Every input of the run, integer-coded (see PlanInput).

    items["llc"] is the low-level code on the BOM lines planning explodes (the parents'
    planning versions): the longest path from a top item, −1 for items on or below a loop.
    """
    items = prepare_items(tables["items"], tables["bom"])
    coder = Coder(items)
    edges = bom_edges(tables["bom"], coder)
    items["llc"] = longest_path_levels(edges["parent"].to_numpy(),
                                       edges["component"].to_numpy(), len(items))
    horizon_end = (np.iinfo(np.int64).max if horizon_days is None
                   else axis.start + int(horizon_days))
    demand, ends = independent_demand(tables, coder, axis, horizon_end, consume)
    receipts = scheduled_receipts(tables, coder)
    receipts = receipts[receipts["day"].to_numpy() < horizon_end].reset_index(drop=True)
    opening = opening_stock(tables["stock"], tables.get("warehouses"), coder)
    # renumber tracking numbers alphabetically: sorting by number then sorts by text
    rank = coder.alphabetical()
    tracking = np.empty(rank.size, dtype=object)
    tracking[rank] = coder.names
    demand["trk"] = rank[demand["trk"].to_numpy()]
    receipts = receipts.assign(trk=rank[receipts["trk"].to_numpy()]).sort_values(
        ["item", "trk", "day", "ref"], kind="stable", ignore_index=True)
    opening = opening.assign(trk=rank[opening["trk"].to_numpy()]).sort_values(
        ["item", "trk"], kind="stable", ignore_index=True)
    return PlanInput(items, tracking, demand, ends, receipts, opening, edges)


register({"plan_material_unknown_item": Message(
    "投料单：任务 {task_no} 的子项 {value} 不在物料表中，其未发数量不计入已分配量",
    "Task materials: component {value} of task {task_no} is not in Items; what is still "
    "to issue of it is not allocated", "先在物料表中建立该物料", "Add the item to Items first")})


def posted_inputs(tables: dict[str, pd.DataFrame], moves: pd.DataFrame,
                  reversed_: pd.DataFrame | None) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """The planning tables once the workbook's documents are posted (DOMAIN §2, §6):

    * stock = the stock after posting (`taskprogress.stock_after`), netted as any stock;
    * a production task's scheduled receipt = qty − (stocked-in + posted receipts);
    * allocations: for open tasks with a material list, what is still to issue of each
      component (required − (issued + supplements − returns)), needed on the task's
      start date; they replace the Allocations rows whose source no. is such a task.
    """
    tasks, materials = tables.get("production_tasks"), tables.get("task_materials")
    out = dict(tables)
    out["stock"] = stock_after(tables.get("stock"), moves, tasks)
    if tasks is None or not len(tasks):
        return out, []
    done, mats = posted_by_task(tasks, materials, moves, reversed_)
    out["production_tasks"] = tasks.assign(stocked_qty=done["stocked_total"].to_numpy())
    if materials is None or not len(materials):
        return out, []
    known = mats["component_code"].isin(_text(tables["items"], "item_code"))
    bad = materials[~known.to_numpy()]
    issues = [Issue("plan_material_unknown_item", "warning", "task_materials",
                    int(row) if pd.notna(row) else None, "component_code", code,
                    {"task_no": task})
              for row, code, task in zip(bad[ROW] if ROW in bad else [None] * len(bad),
                                         bad["component_code"], bad["task_no"], strict=True)]
    computed = open_allocations(done, mats[known.to_numpy()])
    given = tables.get("allocations")
    if given is not None and len(given):
        given = given[~_text(given, "source_no").isin(mats["task_no"]).to_numpy()]
        computed = pd.concat([given, computed.assign(**{ROW: 0})], ignore_index=True)
    out["allocations"] = computed.assign(**{ROW: computed.get(ROW, 0)}).fillna({ROW: 0})
    return out, issues
