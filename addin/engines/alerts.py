"""Production progress alerts (生产任务跟踪预警, DOMAIN §6): `progress_alerts`.

Per task (cancelled tasks are left out): completion = stocked-in ÷ planned qty; issue
rate = the average over its materials of (issued + supplements − returns) ÷ required.
Quantities are the sheets' plus the posted documents' (`taskprogress`). Alerts, with
the choices the spec leaves open made here (N = ``close_after_days``, default 7):

* overdue 逾期未完工 — open (planned or released), finish date before the as-of date
  and not fully stocked in; figure = days late; an error once more than N days late.
* not closed 完工未结案 — open, fully stocked in, and more than N days since it finished
  (the later of the finish date and the last posted receipt); figure = those days.
  A fully stocked-in task is done, so it is never "overdue".
* short of material 缺料 — an open task not fully stocked in still has material to
  issue that the stock cannot give: nettable stock after posting (on hand − locked, all
  tracking numbers) is handed to the tasks by start date, finish date, task no.;
  short = what is still to issue beyond what is left; an error when the task should
  have started (start date on or before the as-of date), else a warning.
* over-issued 超领未补料 — issued − returned > required: more went out on issue
  documents than the material list allows, without a supplement for it (closed tasks too).

Materials issued "none" (不领料) count for nothing here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from string import Formatter

import numpy as np
import pandas as pd

from addin.engines.mrpdata import nettable
from addin.engines.taskprogress import OPEN, posted_by_task, stock_after
from addin.issues import Issue, Message, catalogue, register
from addin.schema import ROW
from addin.schema.alerts import ALERT_KIND, COMPLETION_BAND

KINDS = tuple(choice.value for choice in ALERT_KIND)
BANDS = tuple(choice.value for choice in COMPLETION_BAND)
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2, "": 3}
_TOL = 1e-9

register({
    "alert_overdue": Message(
        "任务 {task_no}（{item}）计划 {due} 完工，已逾期 {days} 天，入库 {done}/{qty}",
        "Task {task_no} ({item}) was due on {due}: {days} days late, {done} of {qty} in",
        "催办生产，或修改计划完工日期", "Chase production or move the finish date"),
    "alert_not_closed": Message(
        "任务 {task_no}（{item}）已于 {finished} 完工（入库 {done}/{qty}），{days} 天仍未结案",
        "Task {task_no} ({item}) finished on {finished} ({done} of {qty} in) and is "
        "still open after {days} days",
        "结案该任务单", "Close the task"),
    "alert_short_of_material": Message(
        "任务 {task_no} 还需发 {component} {to_issue}，可用库存只剩 {available}，缺 {short}",
        "Task {task_no} still needs {to_issue} of {component}; only {available} is left "
        "in stock: {short} short",
        "催办采购或调整任务顺序", "Expedite the material or change the order of the tasks"),
    "alert_over_issued": Message(
        "任务 {task_no} 的 {component} 已发 {issued}（扣除退料），超出应发 {required} "
        "共 {over}，没有补料单",
        "Task {task_no}: {issued} of {component} issued (net of returns), {over} over the "
        "required {required}, without a supplement",
        "补开补料单或退回多领的材料", "Enter a supplement or return the excess"),
    "alerts_zero_qty": Message(
        "任务 {value} 的计划数量为 0，无法计算完工率", "Task {value} has a planned qty of 0: "
        "no completion rate", "填写计划数量", "Enter the planned qty"),
    "alerts_unknown_task": Message(
        "投料单的任务 {value} 不在生产任务单中（或已作废），不参与预警",
        "Material list of task {value}: no such task (or it is cancelled); not counted",
        "检查任务单号", "Check the task number"),
})


@dataclass(frozen=True)
class AlertOptions:
    as_of: dt.date
    close_after_days: float = 7.0
    lang: str = "en"


@dataclass
class AlertResult:
    alerts: pd.DataFrame       # production_alerts
    progress: pd.DataFrame     # task_progress
    counts: pd.DataFrame       # alert_counts (every kind)
    bands: pd.DataFrame        # completion_overview (every band)
    issues: list[Issue] = field(default_factory=list)


def fill(code: str, lang: str, values: dict[str, pd.Series], n: int) -> pd.Series:
    """A catalogue message for many rows at once: the template's fields are columns."""
    message = catalogue()[code]
    template = message.zh if lang == "zh" else message.en
    out = pd.Series([""] * n, dtype=object)
    for literal, name, _, _ in Formatter().parse(template):
        out = out + literal
        if name:
            out = out + values[name].astype(str).to_numpy(dtype=object)
    return out


def number_text(values: pd.Series | np.ndarray) -> pd.Series:
    """Numbers as a person reads them in a message: 40 not 40.0, at most 4 decimals."""
    text = pd.Series(np.round(np.asarray(values, dtype=float), 4)).astype(str)
    return text.str.replace(r"\.0$", "", regex=True)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("").reset_index(drop=True)


def _frame(rows: pd.DataFrame, kind: str, severity: np.ndarray, figure: np.ndarray,
           component: pd.Series | None, message: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "task_no": rows["task_no"].to_numpy(dtype=object),
        "item_code": rows["item_code"].to_numpy(dtype=object),
        "component_code": ("" if component is None else component.to_numpy(dtype=object)),
        "alert": kind, "severity": severity, "figure": np.asarray(figure, dtype=float),
        "due_date": pd.to_datetime(rows["due_date"]).to_numpy(),
        "message": message.to_numpy(dtype=object)})


def _task_alerts(tasks: pd.DataFrame, options: AlertOptions) -> list[pd.DataFrame]:
    as_of = pd.Timestamp(options.as_of)
    n = options.close_after_days
    open_ = tasks["status"].isin(OPEN)
    complete = tasks["stocked_total"] >= tasks["qty"] - _TOL
    due = pd.to_datetime(tasks["due_date"])
    late = ((as_of - due).dt.days).fillna(0).to_numpy()
    finished = pd.concat([due, tasks["last_receipt"]], axis=1).max(axis=1)
    since = ((as_of - finished).dt.days).fillna(0).to_numpy()
    lang = options.lang
    out = []
    for kind, mask, days, date in (
            ("overdue", open_ & ~complete & (late > 0), late, due),
            ("not_closed", open_ & complete & (since > n), since, finished)):
        rows = tasks[mask.to_numpy()]
        picked = days[mask.to_numpy()]
        values = {"task_no": rows["task_no"], "item": rows["item_code"],
                  "due": _dates(rows["due_date"]), "finished": _dates(date[mask]),
                  "days": number_text(picked), "done": number_text(rows["stocked_total"]),
                  "qty": number_text(rows["qty"])}
        severity = np.where((kind == "overdue") & (picked > n), "error", "warning")
        out.append(_frame(rows, kind, severity, picked, None,
                          fill(f"alert_{kind}", lang, values, len(rows))))
    return out


def _available(stock: pd.DataFrame, warehouses: pd.DataFrame | None,
               items: pd.DataFrame | None) -> pd.Series:
    """Nettable on hand − locked per item (planning's rules, every tracking no.)."""
    customer = np.zeros(len(stock), dtype=bool)
    if items is not None and len(items):
        kinds = items.drop_duplicates("item_code").set_index("item_code")["item_type"]
        customer = stock["item_code"].map(kinds).eq("customer_supplied").to_numpy()
    usable = nettable(stock, warehouses if warehouses is not None and len(warehouses)
                      else None, customer)
    rows = stock[usable]
    return (rows["qty"] - rows["locked_qty"]).groupby(rows["item_code"]).sum()


def _material_alerts(tasks: pd.DataFrame, mats: pd.DataFrame, available: pd.Series,
                     options: AlertOptions) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    head = tasks.set_index("task_no")
    mats = mats[mats["issue_method"].ne("none")]
    mats = mats.assign(item_code=mats["task_no"].map(head["item_code"]),
                       due_date=mats["task_no"].map(head["due_date"]),
                       start_date=mats["task_no"].map(head["start_date"]))
    status = mats["task_no"].map(head["status"])
    complete = mats["task_no"].map(head["stocked_total"] >= head["qty"] - _TOL)
    wanting = mats[status.isin(OPEN) & ~complete.astype(bool) & mats["to_issue"].gt(_TOL)]
    wanting = wanting.sort_values(["component_code", "start_date", "due_date", "task_no"],
                                  kind="stable", na_position="last", ignore_index=True)
    stock = wanting["component_code"].map(available).fillna(0.0).clip(lower=0.0)
    claimed = wanting.groupby("component_code")["to_issue"].cumsum() - wanting["to_issue"]
    left = (stock - claimed).clip(lower=0.0)
    short = (wanting["to_issue"] - left).clip(lower=0.0).round(6)
    hit = short.gt(_TOL).to_numpy()
    rows = wanting[hit]
    as_of = pd.Timestamp(options.as_of)
    started = pd.to_datetime(rows["start_date"]).fillna(as_of) <= as_of
    lang = options.lang
    shortage = _frame(rows, "short_of_material",
                      np.where(started, "error", "warning"), short[hit].to_numpy(),
                      rows["component_code"],
                      fill("alert_short_of_material", lang, {
                          "task_no": rows["task_no"], "component": rows["component_code"],
                          "to_issue": number_text(rows["to_issue"]),
                          "available": number_text(left[hit]),
                          "short": number_text(short[hit])}, len(rows)))
    over = (mats["issued"] - mats["returned"] - mats["required_qty"]).round(6)
    rows = mats[over.gt(_TOL).to_numpy()]
    excess = over[over.gt(_TOL)].to_numpy()
    issued = rows["issued"] - rows["returned"]
    over_issued = _frame(rows, "over_issued", np.full(len(rows), "warning"), excess,
                         rows["component_code"],
                         fill("alert_over_issued", lang, {
                             "task_no": rows["task_no"], "component": rows["component_code"],
                             "issued": number_text(issued), "over": number_text(excess),
                             "required": number_text(rows["required_qty"])}, len(rows)))
    return [shortage, over_issued], mats


def _input_issues(tasks: pd.DataFrame, materials: pd.DataFrame | None) -> list[Issue]:
    rows = tasks[ROW] if ROW in tasks else pd.Series(np.arange(len(tasks)) + 2)
    zero = tasks["qty"].fillna(0.0).le(0).to_numpy()
    found = [Issue("alerts_zero_qty", "warning", "production_tasks", int(r), "qty", t)
             for r, t in zip(rows[zero], tasks["task_no"][zero], strict=True)]
    if materials is not None and len(materials):
        unknown = ~materials["task_no"].isin(tasks["task_no"])
        first = materials[unknown].drop_duplicates("task_no")
        rows = first[ROW] if ROW in first else pd.Series(first.index + 2)
        found += [Issue("alerts_unknown_task", "warning", "task_materials", int(r), "task_no",
                        t) for r, t in zip(rows, first["task_no"], strict=True)]
    return found


def progress_alerts(tasks: pd.DataFrame, materials: pd.DataFrame | None,
                    moves: pd.DataFrame | None, reversed_: pd.DataFrame | None,
                    stock: pd.DataFrame | None, warehouses: pd.DataFrame | None,
                    items: pd.DataFrame | None, options: AlertOptions) -> AlertResult:
    """Progress and alerts of every production task (see the module docstring)."""
    tasks = tasks[tasks["status"].ne("cancelled")].reset_index(drop=True)
    issues = _input_issues(tasks, materials)
    tasks, mats = posted_by_task(tasks, materials, moves, reversed_)
    mats = mats[mats["task_no"].isin(tasks["task_no"])].reset_index(drop=True)
    tasks = tasks.assign(qty=tasks["qty"].fillna(0.0).astype(float))
    available = _available(stock_after(stock, moves, tasks), warehouses, items)
    parts = _task_alerts(tasks, options)
    material_parts, mats = _material_alerts(tasks, mats, available, options)
    alerts = pd.concat([*parts, *material_parts], ignore_index=True)
    order = pd.DataFrame({"s": alerts["severity"].map(_SEVERITY_RANK),
                          "k": alerts["alert"].map({k: i for i, k in enumerate(KINDS)})})
    alerts = alerts.assign(**order).sort_values(
        ["s", "due_date", "task_no", "k", "component_code"], kind="stable",
        ignore_index=True).drop(columns=["s", "k"])
    progress = _progress(tasks, mats, alerts, items)
    return AlertResult(alerts, progress, _counts(alerts), _bands(progress), issues)


def _progress(tasks: pd.DataFrame, mats: pd.DataFrame, alerts: pd.DataFrame,
              items: pd.DataFrame | None) -> pd.DataFrame:
    qty = tasks["qty"].to_numpy(float)
    done = tasks["stocked_total"].to_numpy(float)
    rated = mats[mats["required_qty"].gt(0)]
    rate = (rated["net_issued"] / rated["required_qty"]).groupby(rated["task_no"]).mean()
    names = (pd.Series(dtype=object) if items is None or not len(items)
             else items.drop_duplicates("item_code").set_index("item_code")["item_name"])
    short = alerts[alerts["alert"].eq("short_of_material")].groupby("task_no").size()
    count = alerts.groupby("task_no").size()
    worst = alerts.assign(r=alerts["severity"].map(_SEVERITY_RANK)).sort_values(
        "r", kind="stable").drop_duplicates("task_no").set_index("task_no")["severity"]
    out = pd.DataFrame({
        "task_no": tasks["task_no"], "item_code": tasks["item_code"],
        "item_name": _blank(tasks["item_code"].map(names)),
        "status": tasks["status"], "start_date": pd.to_datetime(tasks["start_date"]),
        "due_date": pd.to_datetime(tasks["due_date"]), "qty": qty, "stocked_qty": done,
        "completion": np.where(qty > 0, done / np.where(qty > 0, qty, 1.0), np.nan),
        "issue_rate": tasks["task_no"].map(rate).astype(float),
        "short_lines": tasks["task_no"].map(short).fillna(0).astype("Int64"),
        "alerts": tasks["task_no"].map(count).fillna(0).astype("Int64"),
        "severity": _blank(tasks["task_no"].map(worst))})
    return out.sort_values(["due_date", "task_no"], kind="stable", ignore_index=True)


def _blank(values: pd.Series) -> pd.Series:
    values = values.astype(object)
    return values.where(values.notna(), "")


def _counts(alerts: pd.DataFrame) -> pd.DataFrame:
    grouped = alerts.groupby("alert")
    count, tasks = grouped.size(), grouped["task_no"].nunique()
    return pd.DataFrame({"alert": list(KINDS),
                         "count": [int(count.get(k, 0)) for k in KINDS],
                         "tasks": [int(tasks.get(k, 0)) for k in KINDS]}).astype(
        {"count": "Int64", "tasks": "Int64"})


def _bands(progress: pd.DataFrame) -> pd.DataFrame:
    """Tasks (with a planned qty) by completion: 0 %, 1–49 %, 50–99 %, ≥ 100 %."""
    rated = progress[progress["qty"].gt(0)]
    share = rated["completion"].to_numpy(float)
    band = np.select([share >= 1 - _TOL, share >= 0.5, share > _TOL], list(BANDS[::-1][:3]),
                     BANDS[0])
    grouped = rated.groupby(band)
    tasks, qty, done = grouped.size(), grouped["qty"].sum(), grouped["stocked_qty"].sum()
    return pd.DataFrame({"band": list(BANDS),
                         "tasks": [int(tasks.get(b, 0)) for b in BANDS],
                         "qty": [float(qty.get(b, 0.0)) for b in BANDS],
                         "stocked_qty": [float(done.get(b, 0.0)) for b in BANDS]}).astype(
        {"tasks": "Int64"})
