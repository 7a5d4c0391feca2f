"""Production tasks from sales orders (以销定产, DOMAIN §4): `generate_tasks`.

1. Open sales order lines with something left to push (qty − pushed qty > 0), optionally
   only the orders asked for.
2. Optionally net against finished-goods stock first: the nettable stock of the item
   (MTO lines: stock with the line's tracking number; MTS lines: untracked stock) serves
   the lines in due-date order. The part stock covers is not pushed, so the next run,
   seeing the same stock, covers it again and nothing is pushed twice.
3. Purchased, customer-supplied and phantom items never become tasks (an info issue says
   so); manufactured items become production tasks, subcontracted ones subcontract orders.
4. MTO lines get one task each, carrying the tracking number (blank → "ORDER-LINE").
   MTS lines of the same item and BOM version merge while their due dates stay within
   `merge_window_days` after the first line's (0 = the same day only); the task is due
   on the earliest line's date.
5. Due = order due − receiving buffer; start = due − lead time (fixed + variable × qty /
   batch, whole calendar days); a start before the planning date moves onto it, flagged.
6. Material list (投料单): see `taskmaterials`.
7. Pushed quantities: one row per line (order no + line no → new pushed qty), so the front
   end writes one column back; `sales_orders` in the result is the input with pushed_qty
   updated, so running again on it pushes nothing.

Task numbers: "MO-<planning date>-0001" (production) and "SC-<planning date>-0001"
(subcontract), numbered in order of due date, item code and first order line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from addin.engines.bom import bom_in_stock_units
from addin.engines.lotgroups import window_starts
from addin.engines.mrpchecks import check_plan_input, cycle_issues
from addin.engines.mrpdata import Coder, opening_stock, prepare_items
from addin.engines.netting import group_cumsum, runs
from addin.engines.taskmaterials import material_lists
from addin.engines.timeaxis import day_numbers, day_of, to_dates, whole_days
from addin.issues import Issue, Message, has_errors, register
from addin.schema import ROW, TABLES, empty_frame

MADE = {"manufactured": "production", "subcontracted": "subcontract"}
PREFIX = {"production": "MO", "subcontract": "SC"}
INPUTS = ("items", "bom", "sales_orders", "stock", "warehouses", "unit_conversions")
OUTPUTS = ("generated_tasks", "material_lists", "sales_order_pushed")


@dataclass(frozen=True)
class TaskOptions:
    planning_date: date
    orders: tuple[str, ...] | None = None  # order numbers; None = every open line
    net_against_stock: bool = False
    receiving_buffer_days: float = 0.0
    merge_window_days: float = 0.0


@dataclass
class TaskResult:
    tasks: pd.DataFrame         # generated_tasks
    materials: pd.DataFrame     # material_lists
    pushed: pd.DataFrame        # sales_order_pushed: the write-back table
    sales_orders: pd.DataFrame  # the input sales orders with pushed_qty updated
    issues: list[Issue] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(zip(OUTPUTS, (self.tasks, self.materials, self.pushed), strict=True))


def _empty(name: str) -> pd.DataFrame:
    return empty_frame(TABLES[name]).drop(columns=ROW)


def generate_tasks(tables: dict[str, pd.DataFrame], options: TaskOptions) -> TaskResult:
    """Production tasks, material lists and pushed quantities (see module docstring)."""
    tables = {n: tables[n] if tables.get(n) is not None else empty_frame(TABLES[n])
              for n in INPUTS}
    orders = tables["sales_orders"]
    issues = check_plan_input(tables) + cycle_issues(tables["bom"])
    if has_errors(issues):
        return TaskResult(*(_empty(n) for n in OUTPUTS), orders, issues)
    items = prepare_items(tables["items"], tables["bom"])
    lines, skipped = _open_lines(orders, items, options)
    if options.net_against_stock:
        lines["from_stock"] = _from_stock(lines, tables["stock"], tables["warehouses"], items)
    lines["make"] = np.round(lines["open"] - lines["from_stock"], 6)
    tasks, task_of_line = _tasks(lines[lines["make"] > 1e-9], items, options)
    lines["task_no"] = task_of_line.reindex(lines.index).fillna("").astype(object)
    lines.loc[lines["task_no"] == "", "make"] = 0.0
    bom = bom_in_stock_units(tables["bom"], tables["items"], tables["unit_conversions"])
    materials = material_lists(tasks, bom, tables["items"])
    bare = tasks.loc[~tasks["task_no"].isin(set(materials["task_no"])), ["task_no", "item_code"]]
    skipped += [Issue("tasks_no_bom", "warning", "generated_tasks", None, "item_code", code,
                      {"task": task}) for task, code in bare.itertuples(index=False)]
    pushed, updated = _pushed(lines, orders, items)
    return TaskResult(tasks, materials, pushed, updated, issues + skipped)


def _open_lines(orders: pd.DataFrame, items: pd.DataFrame, options: TaskOptions
                ) -> tuple[pd.DataFrame, list[Issue]]:
    """Lines to push with their item, tracking number and open quantity."""
    pending = (orders["qty"] - orders["pushed_qty"].fillna(0.0)).to_numpy(float)
    keep = orders["status"].astype(object).eq("open").to_numpy() & (pending > 1e-9)
    if options.orders is not None:
        keep &= orders["order_no"].astype(str).isin(set(options.orders)).to_numpy()
    picked = orders[keep]
    item = Coder(items).items(picked["item_code"])
    kind = items["kind"].to_numpy(dtype=object)[item]
    made = np.isin(kind, list(MADE))
    rows = picked[ROW].to_numpy() if ROW in picked else np.flatnonzero(keep) + 2
    issues = [Issue("tasks_not_made", "info", "sales_orders", int(r), "item_code", code,
                    {"kind": k}) for r, code, k in zip(
        rows[~made], picked["item_code"].to_numpy()[~made], kind[~made], strict=True)]
    picked, item = picked[made], item[made]
    ref = (picked["order_no"].astype(str) + "-" + picked["line_no"].astype("Int64").astype(str)
           ).to_numpy(dtype=object)
    mto = items["mto"].to_numpy()[item]
    given = picked["tracking_no"].astype(object).fillna("").astype(str).to_numpy(dtype=object)
    lines = pd.DataFrame({
        "order_no": picked["order_no"].to_numpy(dtype=object),
        "line_no": picked["line_no"].to_numpy(), "ref": ref, "item": item, "mto": mto,
        "tracking": np.where(mto, np.where(given == "", ref, given), "").astype(object),
        "bom_version": picked["bom_version"].astype(object).fillna("").to_numpy(dtype=object),
        "due": day_numbers(picked["due_date"]),
        "priority": picked["priority"].astype("Float64").fillna(5).to_numpy(float),
        "open": pending[keep][made], "from_stock": np.zeros(int(made.sum())),
        "source": picked.index.to_numpy()})
    return lines, issues


def _from_stock(lines: pd.DataFrame, stock: pd.DataFrame, warehouses: pd.DataFrame,
                items: pd.DataFrame) -> np.ndarray:
    """How much of each line the item's stock covers, lines served by due date."""
    coder = Coder(items)
    opening = opening_stock(stock, warehouses, coder)
    on_hand = pd.Series(opening["qty"].to_numpy(), index=pd.MultiIndex.from_arrays(
        [opening["item"].to_numpy(), coder.names[opening["trk"].to_numpy()]]))
    key = pd.MultiIndex.from_arrays([lines["item"].to_numpy(), lines["tracking"].to_numpy()])
    available = on_hand.groupby(level=[0, 1]).sum().reindex(key).fillna(0.0).clip(lower=0)
    group = pd.factorize(key)[0]
    order = np.lexsort((lines["line_no"].to_numpy(), lines["order_no"].to_numpy(dtype=str),
                        lines["priority"].to_numpy(), lines["due"].to_numpy(), group))
    grp = group[order]
    lo = runs(grp, int(grp.max(initial=-1)) + 1)[0]
    need = lines["open"].to_numpy()[order]
    covered = np.clip(available.to_numpy()[order] - (group_cumsum(need, lo, grp) - need),
                      0.0, need)
    out = np.zeros(len(lines))
    out[order] = covered
    return np.round(out, 6)


def _tasks(made: pd.DataFrame, items: pd.DataFrame, options: TaskOptions
           ) -> tuple[pd.DataFrame, pd.Series]:
    """Group lines into tasks (MTO: one per line; MTS: item, version, due window); the
    tasks and the task number of each line (by line index)."""
    if made.empty:
        return _empty("generated_tasks"), pd.Series(dtype=object)
    made = made.sort_values(["item", "bom_version", "tracking", "due", "priority",
                             "order_no", "line_no"], kind="stable")
    key = pd.MultiIndex.from_arrays([made["item"], made["bom_version"], made["tracking"],
                                     np.where(made["mto"], made["ref"], "")])
    seg = pd.factorize(key)[0]
    bounds = np.flatnonzero(np.concatenate(([True], seg[1:] != seg[:-1], [True])))
    window = np.full(bounds.size - 1, float(options.merge_window_days))
    starts = window_starts(bounds[:-1], bounds[1:], made["due"].to_numpy(), window)
    made = made.assign(task=np.cumsum(starts) - 1)
    grouped = made.groupby("task", sort=True)
    task = pd.DataFrame({
        "item": grouped["item"].first(), "qty": grouped["make"].sum().round(6),
        "due": grouped["due"].min(), "tracking": grouped["tracking"].first(),
        "bom_version": grouped["bom_version"].first(), "first_ref": grouped["ref"].first(),
        "source_orders": grouped["ref"].agg(", ".join)})
    task = _number(_schedule(task, items, options), items, options)
    task_of_line = pd.Series(task["task_no"].reindex(made["task"].to_numpy()).to_numpy(),
                             index=made.index)
    return task.sort_values("task_no", kind="stable").reset_index(drop=True)[
        TABLES["generated_tasks"].column_names], task_of_line


def _schedule(task: pd.DataFrame, items: pd.DataFrame, options: TaskOptions) -> pd.DataFrame:
    item = task["item"].to_numpy()
    batch = items["vbatch"].to_numpy()[item]
    lead = items["lead"].to_numpy()[item] + np.where(
        batch > 0, items["vlead"].to_numpy()[item] * task["qty"].to_numpy()
        / np.where(batch > 0, batch, 1), 0.0)
    due = task["due"].to_numpy() - whole_days(np.full(len(task),
                                                      options.receiving_buffer_days))
    start = due - whole_days(lead)
    today = day_of(options.planning_date)
    return task.assign(due=due, start=np.maximum(start, today), past_due=start < today)


def _number(task: pd.DataFrame, items: pd.DataFrame, options: TaskOptions) -> pd.DataFrame:
    """Task numbers per type in order of due date, item code and first order line."""
    item = task["item"].to_numpy()
    kind = items["kind"].to_numpy(dtype=object)[item]
    task = task.assign(order_type=np.array([MADE[k] for k in kind], dtype=object),
                       item_code=items["item_code"].to_numpy(dtype=object)[item])
    task = task.sort_values(["order_type", "due", "item_code", "first_ref"], kind="stable")
    stamp = options.planning_date.strftime("%Y%m%d")
    number = task.groupby("order_type", sort=False).cumcount() + 1
    subcontract = task["order_type"].to_numpy() == "subcontract"
    item = task["item"].to_numpy()
    return task.assign(
        task_no=[f"{PREFIX[t]}-{stamp}-{n:04d}" for t, n in zip(
            task["order_type"], number, strict=True)],
        item_name=items["item_name"].to_numpy(dtype=object)[item],
        start_date=to_dates(task["start"].to_numpy()), due_date=to_dates(task["due"].to_numpy()),
        tracking_no=task["tracking"], warehouse_code=items["warehouse"].to_numpy(
            dtype=object)[item],
        supplier_code=np.where(subcontract, items["supplier"].to_numpy(dtype=object)[item], ""),
        status="planned")


def _pushed(lines: pd.DataFrame, orders: pd.DataFrame, items: pd.DataFrame
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The write-back table (one row per line) and the sales orders with it applied."""
    before = orders["pushed_qty"].fillna(0.0).to_numpy()[
        orders.index.get_indexer(lines["source"])]
    pushed = pd.DataFrame({
        "order_no": lines["order_no"].to_numpy(dtype=object),
        "line_no": pd.array(lines["line_no"].to_numpy(), dtype="Int64"),
        "item_code": items["item_code"].to_numpy(
            dtype=object)[lines["item"].to_numpy()],
        "qty": orders["qty"].to_numpy()[orders.index.get_indexer(lines["source"])],
        "pushed_before": before, "pushed_now": lines["make"].to_numpy(),
        "pushed_qty": np.round(before + lines["make"].to_numpy(), 6),
        "from_stock": lines["from_stock"].to_numpy(),
        "task_no": lines["task_no"].to_numpy(dtype=object)})
    pushed = pushed.sort_values(["order_no", "line_no"], kind="stable", ignore_index=True)
    updated = orders.copy()
    updated.loc[lines["source"].to_numpy(), "pushed_qty"] = np.round(
        before + lines["make"].to_numpy(), 6)
    return pushed[TABLES["sales_order_pushed"].column_names], updated


register({
    "tasks_no_bom": Message(
        "任务 {task} 的 {value} 没有生效的 BOM，投料单为空",
        "Task {task}: {value} has no BOM lines in effect, so its material list is empty",
        "为 {value} 建立 BOM（或检查 BOM 版本与生效日期）",
        "Add BOM lines for {value} (or check the BOM version and effective dates)"),
    "tasks_not_made": Message(
        "{value} 不是自制或委外件（{kind}），不生成任务",
        "{value} is not made or subcontracted ({kind}): no task is generated",
        "外购件请走采购；如需生产，把物料属性改为自制",
        "Buy it instead; make it manufactured if it is made in-house"),
})
