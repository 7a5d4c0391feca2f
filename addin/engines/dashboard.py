"""KPI dashboard 经营看板 (DOMAIN §6 progress, §9 reports) over a period [start, end].

* **fill rate** = order lines due in the period (due date in [start, end], not
  cancelled) shipped in full by their due date ÷ those lines. With shipments (Shipments
  sheet rows naming the order; reversed and reversing lines left out), a line is filled
  when the order's shipments of its item dated on or before its due date cover it and the
  order's earlier lines of that item (first lines first); without shipments, when the
  order's shipped qty ≥ qty (its date is unknown).
* **stock value** at a date = opening stock value + Σ values of the moves up to that date
  (the moving-average ledger's balance, summed over items and warehouses).
* **value issued** = − Σ values of the consuming moves of the period: material issues,
  supplements, material returns (negative), subcontract consumption, shipments.
* **inventory turns** = value issued ÷ average stock value × 365 ÷ days in the period,
  average stock value = (stock value the day before `start` + at `end`) ÷ 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONSUMING = ("material_issue", "supplement", "material_return", "subcontract_consume",
             "shipment")
DAYS_A_YEAR = 365.0


def fill_rate(orders: pd.DataFrame | None, shipments: pd.DataFrame | None,
              start: pd.Timestamp, end: pd.Timestamp) -> tuple[int, int]:
    """(lines filled by their due date, lines due) in [start, end]."""
    if orders is None or orders.empty:
        return 0, 0
    due = pd.to_datetime(orders["due_date"])
    lines = orders[due.between(pd.Timestamp(start), pd.Timestamp(end))
                   & orders["status"].ne("cancelled")]
    if lines.empty:
        return 0, 0
    lines = lines.sort_values(["order_no", "item_code", "line_no"], kind="stable")
    if shipments is None or shipments.empty:
        filled = lines["shipped_qty"].fillna(0.0) >= lines["qty"] - 1e-9
        return int(filled.sum()), len(lines)
    # every line of the order and item counts towards the cumulative need, due or not
    everything = orders[orders["status"].ne("cancelled")].sort_values(
        ["order_no", "item_code", "line_no"], kind="stable")
    need = everything.assign(need=everything.groupby(["order_no", "item_code"])["qty"]
                             .cumsum())[["order_no", "line_no", "need"]]
    reversed_ = shipments["reverses_doc_no"].fillna("").astype(str)
    live = shipments[reversed_.eq("") & ~shipments["doc_no"].isin(set(reversed_))
                     & shipments["order_no"].fillna("").ne("")]
    pairs = lines[["order_no", "line_no", "item_code", "due_date", "qty"]].merge(
        live[["order_no", "item_code", "doc_date", "qty"]].rename(
            columns={"qty": "shipped"}), on=["order_no", "item_code"], how="left")
    on_time = pd.to_datetime(pairs["doc_date"]) <= pd.to_datetime(pairs["due_date"])
    shipped = pairs.assign(shipped=pairs["shipped"].where(on_time, 0.0).fillna(0.0)).groupby(
        ["order_no", "line_no"], as_index=False)["shipped"].sum()
    judged = shipped.merge(need, on=["order_no", "line_no"], how="left")
    filled = judged["shipped"] >= judged["need"] - 1e-9
    return int(filled.sum()), len(lines)


def stock_values(opening_value: float, moves: pd.DataFrame, dates: list[pd.Timestamp]
                 ) -> np.ndarray:
    """Total stock value at the end of each date (cumulative sums, no loop over moves)."""
    order = np.argsort(moves["doc_date"].to_numpy("datetime64[ns]"), kind="stable")
    when = moves["doc_date"].to_numpy("datetime64[ns]")[order]
    running = np.concatenate([[0.0], np.cumsum(moves["value"].to_numpy(float)[order])])
    upto = np.searchsorted(when, np.array(dates, dtype="datetime64[ns]"), side="right")
    return opening_value + running[upto]


def consumed(moves: pd.DataFrame) -> pd.Series:
    """True for the moves that count as value issued."""
    return moves["doc_type"].isin(CONSUMING)


def issued_value(moves: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    dates = pd.to_datetime(moves["doc_date"])
    period = consumed(moves) & dates.between(pd.Timestamp(start), pd.Timestamp(end))
    return float(-moves.loc[period, "value"].sum())


def inventory_turns(issued: float, opening: float, closing: float, days: int) -> float:
    """Annualised turns; NaN when there is no stock to turn or no period."""
    average = (opening + closing) / 2.0
    if average <= 1e-9 or days <= 0:
        return float("nan")
    return issued / average * DAYS_A_YEAR / days


def week_ends(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """The Sundays in [start, end], and `end` when it is not one."""
    sundays = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="W-SUN")
    ends = list(sundays)
    if not ends or ends[-1] != pd.Timestamp(end):
        ends.append(pd.Timestamp(end))
    return ends


def weekly(opening_value: float, moves: pd.DataFrame, start: pd.Timestamp,
           end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(stock value per week end, value issued and moves per week ending then)."""
    ends = week_ends(start, end)
    stock = pd.DataFrame({"week_end": ends,
                          "stock_value": stock_values(opening_value, moves, ends).round(2)})
    dates = pd.to_datetime(moves["doc_date"])
    use = moves[consumed(moves) & dates.between(pd.Timestamp(start), pd.Timestamp(end))]
    bucket = np.searchsorted(np.array(ends, dtype="datetime64[ns]"),
                             use["doc_date"].to_numpy("datetime64[ns]"), side="left")
    value = np.bincount(bucket, weights=-use["value"].to_numpy(float), minlength=len(ends))
    count = np.bincount(bucket, minlength=len(ends))
    issues = pd.DataFrame({"week_end": ends, "issued_value": value.round(2),
                           "moves": count.astype(int)})
    return stock, issues


_UNITS = {"fill_rate": "percent", "lines_due": "lines", "shortage_lines": "lines",
          "overdue_tasks": "tasks", "stock_value": "money", "issued_value": "money",
          "inventory_turns": "per_year"}


def kpi_table(values: dict[str, float]) -> pd.DataFrame:
    """The dashboard_kpis table, in the fixed order of the KPIs given."""
    kpis = [k for k in _UNITS if k in values]
    return pd.DataFrame({"kpi": kpis, "value": [values[k] for k in kpis],
                         "unit": [_UNITS[k] for k in kpis]})
