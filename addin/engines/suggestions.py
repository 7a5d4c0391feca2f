"""Feedback suggestions (DOMAIN §9, PDCA): safety stock and BOM usage from history.

Nothing here changes master data: the results are rows a planner reviews and copies back.

Safety stock. Demand per period over the last N periods of `period_days` ending at
`end` (periods with no demand count as 0): the item's posted consumption (issues +
supplements − returns), or, for an item never issued, its sales orders by due date. With
d̄ and σ_d the mean and sample standard deviation per period, LT the lead time and σ_LT its
standard deviation, both in periods:

    SS = z × √(LT·σ_d² + d̄²·σ_LT²)        (= z × σ_d × √LT when σ_LT is unknown)

z = Φ⁻¹(service level), e.g. 1.645 at 95 %. σ_LT comes from how receipts missed their
purchase order due dates (`scorecard.lateness`). An item is flagged "repeated shortage"
when an issue emptied its stock in two or more periods, or kitting found it short on two or more
order lines.

BOM usage. For every task with a product receipt in the window: consumed per unit of
product, against the material list's standard qty_per × (1 + loss) + fixed loss / qty.
Per parent and component the evidence is summed; the confidence is 2Φ(|m|/(s/√n)) − 1,
m and s the mean and standard deviation over the n tasks of (actual − standard) per unit
— how sure one can be that the variance is not chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from addin.issues import Issue, Message, register

CONSUMING = ("material_issue", "supplement", "material_return")
USAGE_COLUMNS = ["parent_code", "component_code", "component_name", "tasks", "task_list",
                 "completed_qty", "issued_qty", "standard_qty", "qty_per", "loss_rate",
                 "actual_per_unit", "variance_pct", "confidence", "action",
                 "suggested_qty_per", "suggested_loss_rate"]

register({
    "suggest_no_lead_time": Message(
        "{item} 有需求但提前期为 0，建议安全库存为 0",
        "{item} has demand but a lead time of 0, so its suggested safety stock is 0",
        "在物料表填写提前期", "Enter the item's lead time on the Items sheet"),
})


@dataclass(frozen=True)
class History:
    """The window the suggestions look at: `periods` periods of `period_days` up to `end`."""

    end: pd.Timestamp
    periods: int = 6
    period_days: int = 30

    @property
    def start(self) -> pd.Timestamp:
        """The first day inside the window."""
        return self.end - pd.Timedelta(days=self.periods * self.period_days - 1)

    def period(self, dates: pd.Series) -> np.ndarray:
        """Period index per date (0 = oldest), -1 outside the window."""
        days = ((self.end - pd.to_datetime(dates)).dt.days).to_numpy()
        back = np.floor_divide(days, self.period_days)
        inside = (days >= 0) & (back < self.periods)
        return np.where(inside, self.periods - 1 - back, -1).astype(np.int64)


def z_value(service_level: float) -> float:
    """Φ⁻¹(service level): 0.95 → 1.645."""
    return NormalDist().inv_cdf(service_level)


def safety_stock(z: float, sigma_demand: np.ndarray | float, lead_time: np.ndarray | float,
                 mean_demand: np.ndarray | float = 0.0,
                 sigma_lead_time: np.ndarray | float = 0.0) -> np.ndarray:
    """z × √(LT·σ_d² + d̄²·σ_LT²), demand and lead times in the same period unit."""
    return z * np.sqrt(np.asarray(lead_time) * np.square(sigma_demand)
                       + np.square(mean_demand) * np.square(sigma_lead_time))


def demand_matrix(moves: pd.DataFrame, sales_orders: pd.DataFrame | None, window: History
                  ) -> tuple[pd.DataFrame, pd.Series]:
    """(item × period demand, source per item): consumption where the item was ever
    issued in the window, else its open or closed (not cancelled) sales orders."""
    used = moves[moves["doc_type"].isin(CONSUMING)]
    used = used.assign(period=window.period(used["doc_date"]), demand=-used["qty"])
    used = used[used["period"] >= 0]
    consumed = used.pivot_table(index="item_code", columns="period", values="demand",
                                aggfunc="sum", fill_value=0.0)
    frames, source = [consumed], pd.Series("consumption", index=consumed.index, dtype=object)
    if sales_orders is not None and len(sales_orders):
        orders = sales_orders[~sales_orders["status"].fillna("open").eq("cancelled")]
        orders = orders.assign(period=window.period(orders["due_date"]),
                               demand=orders["qty"].astype(float))
        orders = orders[(orders["period"] >= 0) & ~orders["item_code"].isin(consumed.index)]
        ordered = orders.pivot_table(index="item_code", columns="period", values="demand",
                                     aggfunc="sum", fill_value=0.0)
        frames.append(ordered)
        source = pd.concat([source, pd.Series("sales_orders", index=ordered.index,
                                              dtype=object)])
    matrix = pd.concat(frames).reindex(columns=range(window.periods), fill_value=0.0)
    return matrix.fillna(0.0).sort_index(), source.sort_index()


def stockout_periods(ledger: pd.DataFrame, window: History) -> pd.Series:
    """Per item: periods of the window in which an issue left a warehouse's stock at zero
    (transfers out of the inspection warehouse empty it by design and do not count)."""
    out = ledger[ledger["doc_type"].isin(CONSUMING) & (ledger["qty"] < 0)
                 & (ledger["balance_qty"] <= 1e-9)]
    out = out.assign(period=window.period(out["doc_date"]))
    out = out[out["period"] >= 0]
    return out.groupby("item_code")["period"].nunique()


def kit_short_lines(kit_shortages: pd.DataFrame | None) -> pd.Series:
    """Per component: order lines the last kitting run found short."""
    if kit_shortages is None or kit_shortages.empty:
        return pd.Series(dtype=float)
    short = kit_shortages[kit_shortages["short_qty"].fillna(0) > 0]
    return short.drop_duplicates(["order_no", "line_no", "component_code"]).groupby(
        "component_code").size()


def safety_stock_suggestions(matrix: pd.DataFrame, source: pd.Series, items: pd.DataFrame,
                             window: History, service_level: float,
                             lead_time_sigma: pd.Series | None = None,
                             shortages: pd.Series | None = None
                             ) -> tuple[pd.DataFrame, list[Issue]]:
    """One row per item with demand in the window; columns of `SAFETY_STOCK`."""
    z = z_value(service_level)
    master = items.drop_duplicates("item_code").set_index("item_code")
    matrix = matrix[matrix.sum(axis=1) > 0]
    codes = matrix.index
    values = matrix.to_numpy(float)
    mean = values.mean(axis=1)
    sigma = values.std(axis=1, ddof=1) if window.periods > 1 else np.zeros(len(codes))
    lead_days = master["lead_time_days"].reindex(codes).fillna(0.0).to_numpy(float)
    lt_sigma_days = (lead_time_sigma.reindex(codes).fillna(0.0).to_numpy(float)
                     if lead_time_sigma is not None else np.zeros(len(codes)))
    suggested = safety_stock(z, sigma, lead_days / window.period_days, mean,
                             lt_sigma_days / window.period_days)
    whole = master["integer_only"].reindex(codes).fillna(False).astype(bool).to_numpy() if (
        "integer_only" in master) else np.zeros(len(codes), dtype=bool)
    suggested = np.where(whole, np.ceil(suggested - 1e-9), np.round(suggested, 2))
    current = master["safety_stock"].reindex(codes).fillna(0.0).to_numpy(float)
    count = (shortages.reindex(codes).fillna(0).astype(int).to_numpy()
             if shortages is not None else np.zeros(len(codes), dtype=int))
    out = pd.DataFrame({
        "item_code": codes.to_numpy(object),
        "item_name": master["item_name"].reindex(codes).fillna("").to_numpy(object),
        "demand_source": source.reindex(codes).to_numpy(object),
        "periods": window.periods, "mean_demand": np.round(mean, 4),
        "std_demand": np.round(sigma, 4), "lead_time_days": lead_days,
        "lead_time_std_days": np.round(lt_sigma_days, 2), "z": round(z, 4),
        "current_safety_stock": current, "suggested_safety_stock": suggested,
        "change": suggested - current, "shortage_count": count,
        "repeated_shortage": count >= 2})
    issues = [Issue("suggest_no_lead_time", "info", sheet="items", column="lead_time_days",
                    value=0, params={"item": code})
              for code in codes[(lead_days <= 0) & (mean > 0)]]
    return out, issues


# -- BOM usage ----------------------------------------------------------------------------

def task_products(moves: pd.DataFrame, tasks: pd.DataFrame | None) -> pd.Series:
    """task_no -> product item: the Production tasks sheet, else the product receipts."""
    if tasks is not None and len(tasks):
        return tasks.drop_duplicates("task_no").set_index("task_no")["item_code"]
    receipts = moves[moves["doc_type"].eq("product_receipt") & moves["task_no"].ne("")]
    return receipts.drop_duplicates("task_no").set_index("task_no")["item_code"]


def task_usage(moves: pd.DataFrame, materials: pd.DataFrame, tasks: pd.DataFrame | None,
               window: History) -> pd.DataFrame:
    """Per task and component with a product receipt in the window: completed, consumed,
    standard consumption (qty_per × completed × (1 + loss) + fixed loss)."""
    products = task_products(moves, tasks)
    on_task = moves[moves["task_no"].ne("") & (pd.to_datetime(moves["doc_date"]) <= window.end)]
    product = on_task["task_no"].map(products)
    made = on_task[on_task["item_code"].eq(product)
                   & on_task["doc_type"].isin(("product_receipt", "reversal"))]
    completed = made.groupby("task_no")["qty"].sum()
    recent = made.loc[made["doc_type"].eq("product_receipt")
                      & (window.period(made["doc_date"]) >= 0), "task_no"].unique()
    completed = completed[completed.index.isin(recent) & (completed > 0)]
    used = on_task[on_task["doc_type"].isin(CONSUMING) | (
        on_task["doc_type"].eq("reversal") & on_task["item_code"].ne(product))]
    consumed = (-used.groupby(["task_no", "item_code"])["qty"].sum()).rename("issued_qty")
    lists = materials[materials["task_no"].isin(completed.index)]
    index = pd.MultiIndex.from_frame(lists[["task_no", "component_code"]])
    rows = lists.assign(
        parent_code=lists["task_no"].map(products).to_numpy(object),
        completed_qty=lists["task_no"].map(completed).to_numpy(float),
        issued_qty=consumed.reindex(index).fillna(0.0).to_numpy(float))
    loss = rows["variable_loss_rate"].fillna(0.0).astype(float)
    rows["standard_qty"] = (rows["qty_per"].astype(float) * rows["completed_qty"] * (1 + loss)
                            + rows["fixed_loss"].fillna(0.0).astype(float))
    return rows.sort_values(["parent_code", "component_code", "task_no"], kind="stable",
                            ignore_index=True)


def usage_suggestions(rows: pd.DataFrame, names: pd.Series | None = None, *,
                      min_tasks: int = 2, min_variance: float = 0.02,
                      min_confidence: float = 0.9) -> pd.DataFrame:
    """Per parent and component: the evidence, the variance, its confidence and the
    suggested qty_per / loss rate (keeping qty_per and moving the loss rate, unless the
    actual use is below qty_per itself)."""
    key = ["parent_code", "component_code"]
    if rows.empty:
        return pd.DataFrame(columns=USAGE_COLUMNS)
    done = rows["completed_qty"].to_numpy(float)
    gap = (rows["issued_qty"].to_numpy(float) - rows["standard_qty"].to_numpy(float)) / done
    work = rows.assign(gap=gap, weighted_qty_per=rows["qty_per"] * done,
                       weighted_loss=rows["variable_loss_rate"].fillna(0.0) * done,
                       fixed=rows["fixed_loss"].fillna(0.0))
    grouped = work.groupby(key, sort=True)
    out = grouped.agg(tasks=("task_no", "nunique"), completed_qty=("completed_qty", "sum"),
                      issued_qty=("issued_qty", "sum"), standard_qty=("standard_qty", "sum"),
                      qty_per=("weighted_qty_per", "sum"), loss_rate=("weighted_loss", "sum"),
                      fixed=("fixed", "sum"), gap_mean=("gap", "mean"),
                      gap_std=("gap", "std")).reset_index()
    out["task_list"] = grouped["task_no"].agg(lambda t: ", ".join(sorted(set(t))[:5])
                                              + (" …" if t.nunique() > 5 else "")).to_numpy()
    out["qty_per"] = out["qty_per"] / out["completed_qty"]
    out["loss_rate"] = out["loss_rate"] / out["completed_qty"]
    out["actual_per_unit"] = out["issued_qty"] / out["completed_qty"]
    standard = out["standard_qty"] / out["completed_qty"]
    out["variance_pct"] = np.where(standard > 0, out["actual_per_unit"] / standard.where(
        standard > 0, 1.0) - 1.0, np.nan)
    out["confidence"] = _confidence(out["gap_mean"].to_numpy(float),
                                    out["gap_std"].to_numpy(float), out["tasks"].to_numpy())
    enough = out["tasks"] >= min_tasks
    real = enough & (out["variance_pct"].abs() >= min_variance) & (
        out["confidence"] >= min_confidence)
    out["action"] = np.select([~enough, real & (out["variance_pct"] > 0), real],
                              ["more_data", "raise", "lower"], "keep")
    variable = out["actual_per_unit"] - out["fixed"] / out["completed_qty"]
    loss = variable / out["qty_per"].where(out["qty_per"] > 0) - 1.0
    move = out["action"].isin(("raise", "lower"))
    out["suggested_qty_per"] = np.where(move & (loss < 0), variable, out["qty_per"])
    out["suggested_loss_rate"] = np.where(move, loss.clip(lower=0.0), out["loss_rate"])
    for name in ("qty_per", "actual_per_unit", "suggested_qty_per"):
        out[name] = out[name].round(6)
    for name in ("loss_rate", "variance_pct", "confidence", "suggested_loss_rate"):
        out[name] = out[name].round(6)
    out["component_name"] = (out["component_code"].map(names).fillna("")
                             if names is not None else "")
    return out[USAGE_COLUMNS]


def _confidence(mean: np.ndarray, std: np.ndarray, n: np.ndarray) -> np.ndarray:
    """2Φ(|m|/(s/√n)) − 1; 1 when every task shows the same non-zero gap; blank (NaN)
    for a single task."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(mean) / (std / np.sqrt(n))
    t = np.where(np.abs(mean) < 1e-12, 0.0, np.where(std <= 1e-12, np.inf, t))
    phi = np.array([NormalDist().cdf(v) if np.isfinite(v) else 1.0 for v in t])
    return np.where(n >= 2, 2 * phi - 1, np.nan)


__all__ = ["History", "demand_matrix", "kit_short_lines", "safety_stock",
           "safety_stock_suggestions", "stockout_periods", "task_usage", "usage_suggestions",
           "z_value"]
