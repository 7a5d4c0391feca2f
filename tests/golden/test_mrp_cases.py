"""Golden MRP tests through the `plan` command.

1. The outside cases in ../shared/cases (kind "mrp" and "lot_sizing"), converted here into
   canonical tables: periods become Excel serial days (the schema reads period p as serial
   date p), lead times in periods become days, bucket "period". Expected numbers are read
   from the JSON files, never copied into code.
2. Our own hand-worked cases in tests/golden/mrp/<case>/: input tables as CSV, options
   and the hand calculation in case.json, expected planned orders (and optionally
   pegging, MRP record rows, exceptions) as CSV.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from addin import commands
from addin.schema import TABLES, coerce, empty_frame

SHARED = Path(__file__).resolve().parents[3] / "shared" / "cases"
OWN = Path(__file__).resolve().parent / "mrp"
EPOCH = pd.Timestamp("1899-12-30")
LOT_RULES = {  # case lot rule -> item columns
    "LFL": lambda r: {"lot_rule": "LFL"},
    "FOQ_MULTIPLE": lambda r: {"lot_rule": "FOQ", "lot_size": r["qty"], "lot_single": False},
    "FOQ_OR_NET": lambda r: {"lot_rule": "FOQ", "lot_size": r["qty"], "lot_single": True},
    "MIN": lambda r: {"lot_rule": "LFL", "min_order_qty": r["min"]},
    "MULTIPLE": lambda r: {"lot_rule": "LFL", "order_multiple": r["multiple"]},
    "MIN_MAX_MULTIPLE": lambda r: {"lot_rule": "LFL", "min_order_qty": r["min"],
                                   "max_order_qty": r["max"], "order_multiple": r["multiple"]},
    "POQ": lambda r: {"lot_rule": "POQ", "poq_days": r["periods"]},
}


def typed(name: str, rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    if len(rows) == 0:
        return empty_frame(TABLES[name])
    frame, issues = coerce(TABLES[name], pd.DataFrame(rows), name, "en")
    assert not [i for i in issues if i.severity == "error"], issues
    return frame


def run_plan(tables: dict[str, pd.DataFrame], **options: object):
    result = commands.run("plan", tables, options)
    assert result.ok, [i.located() for i in result.issues]
    return result


def _cases(kind: str) -> list[Path]:
    if not SHARED.is_dir():
        return []
    return sorted(p for p in SHARED.glob("*.json") if json.loads(p.read_text())["kind"] == kind)


def _period(dates: pd.Series) -> pd.Series:
    return (dates - EPOCH).dt.days


def case_tables(case: dict) -> dict[str, pd.DataFrame]:
    """The case's items, BOM, on-hand, scheduled receipts and gross demand as tables."""
    parents = {line["parent"] for line in case["bom"]}
    items, stock = [], []
    for item in case["items"]:
        kind = {"make": "manufactured", "buy": "purchased"}.get(
            item.get("make_buy"), "manufactured" if item["id"] in parents else "purchased")
        rule = item.get("lot_rule", {"type": "LFL"})
        items.append({"item_code": item["id"], "item_name": item["id"], "item_type": kind,
                      "lead_time_days": item["lead_time"],
                      "safety_stock": item.get("safety_stock", 0),
                      **LOT_RULES[rule["type"]](rule)})
        if item.get("on_hand"):
            stock.append({"item_code": item["id"], "warehouse_code": "MAIN",
                          "qty": item["on_hand"]})
    # the case's scrap divides (qty / (1 − s)); our loss multiplies (qty × (1 + loss))
    bom = [{"parent_code": b["parent"], "component_code": b["child"],
            "qty_numerator": b["qty_per"],
            "variable_loss_rate": (s := b.get("scrap_pct", 0) / 100) / (1 - s)}
           for b in case["bom"]]
    kinds = {i["item_code"]: i["item_type"] for i in items}
    receipts = case.get("scheduled_receipts", [])
    pos = [{"po_no": f"PO{k}", "item_code": r["item"], "qty": r["qty"], "due_date": r["period"]}
           for k, r in enumerate(receipts) if kinds[r["item"]] == "purchased"]
    tasks = [{"task_no": f"MO{k}", "item_code": r["item"], "qty": r["qty"],
              "due_date": r["period"]}
             for k, r in enumerate(receipts) if kinds[r["item"]] != "purchased"]
    orders = [{"order_no": f"D{k}", "item_code": d["item"], "qty": d["qty"],
               "due_date": d["period"]} for k, d in enumerate(case["gross_demand"])]
    return {"items": typed("items", items), "bom": typed("bom", bom),
            "stock": typed("stock", stock), "purchase_orders": typed("purchase_orders", pos),
            "production_tasks": typed("production_tasks", tasks),
            "sales_orders": typed("sales_orders", orders)}


def _by_period(planned: pd.DataFrame, column: str) -> dict[str, dict[int, float]]:
    frame = planned.assign(period=_period(planned[column]))
    sums = frame.groupby(["item_code", "period"])["qty"].sum()
    out: dict[str, dict[int, float]] = {}
    for (item, period), qty in sums.items():
        out.setdefault(item, {})[int(period)] = round(float(qty), 6)
    return out


def _expected(block: dict) -> dict[str, dict[int, float]]:
    return {item: {int(p): float(q) for p, q in periods.items()}
            for item, periods in block.items()}


@pytest.mark.parametrize("path", _cases("mrp"), ids=lambda p: p.stem)
def test_shared_mrp_case(path: Path) -> None:
    case = json.loads(path.read_text())
    result = run_plan(case_tables(case), bucket="period", horizon_days=case["horizon"])
    planned = result.tables["planned_orders"]
    expected = case["expected"]
    for block, column in (("planned_order_releases", "release_date"),
                          ("planned_order_receipts", "need_date")):
        if block in expected:
            got = _by_period(planned, column)
            want = _expected(expected[block])
            assert {item: got.get(item, {}) for item in want} == want, block
    record = result.tables["mrp_record"]
    for item, periods in expected.get("projected_on_hand_end", {}).items():
        rows = record[record["item_code"] == item].set_index("bucket")
        for period, qty in periods.items():
            assert rows.loc[f"P{period}", "projected_available"] == pytest.approx(qty), (
                item, period)


# ------------------------------------------------------------- lot-sizing cases

_RULE_NAMES = {"LFL": "LFL", "EOQ": "EOQ", "POQ": "POQ", "LUC": "LUC", "LTC": "LTC",
               "SM": "SM", "SILVER": "SM", "WW": "WW", "WAGNER": "WW"}


def _lot_case_items(case: dict, name: str, spec: dict) -> dict | None:
    base = {"item_code": "X", "item_name": "X", "item_type": "purchased",
            "setup_cost": case["setup_cost"],
            "holding_cost": case["holding_cost_per_unit_period"]}
    if "rule" in spec:
        return {**base, **LOT_RULES[spec["rule"]["type"]](spec["rule"])}
    rule = _RULE_NAMES.get(name.split("_")[0].upper())
    return None if rule is None else {**base, "lot_rule": rule}


def _lot_cases() -> list[tuple[Path, str]]:
    return [(p, name) for p in _cases("lot_sizing")
            for name in json.loads(p.read_text())["expected"]]


@pytest.mark.parametrize(("path", "name"), _lot_cases(),
                         ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_shared_lot_sizing_case(path: Path, name: str) -> None:
    case = json.loads(path.read_text())
    spec = case["expected"][name]
    item = _lot_case_items(case, name, spec)
    if item is None:
        pytest.skip(f"no product rule for {name}")
    orders = [{"order_no": f"N{p}", "item_code": "X", "qty": q, "due_date": p}
              for p, q in enumerate(case["net_requirements"], start=1) if q > 0]
    tables = {"items": typed("items", [item]), "bom": typed("bom", []),
              "sales_orders": typed("sales_orders", orders)}
    result = run_plan(tables, bucket="period", horizon_days=case["horizon"])
    got = _by_period(result.tables["planned_orders"], "need_date").get("X", {})
    if "coverage" in spec:
        assert got == {int(p): float(q) for p, q in spec["coverage"].items()}
    first = spec.get("coverage_first", {})
    for period, qty in first.items():
        assert min(got) == int(period) and got[int(period)] == pytest.approx(qty)


# ------------------------------------------------------------- our own cases

_EXPECTED = {"expected_planned_orders.csv": "planned_orders",
             "expected_pegging.csv": "pegging", "expected_record.csv": "mrp_record",
             "expected_exceptions.csv": "exceptions"}


def _own_cases() -> list[Path]:
    return sorted(p.parent for p in OWN.glob("*/case.json"))


def _text(values: pd.Series) -> list[str]:
    """Cells as the expectation files write them: 80 not 80.0, dates as 2026-03-02."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return [v.strftime("%Y-%m-%d") if pd.notna(v) else "" for v in values]
    if pd.api.types.is_bool_dtype(values):
        return [str(bool(v)) for v in values]
    if pd.api.types.is_numeric_dtype(values):
        return ["" if pd.isna(v) else f"{round(float(v), 6):g}" for v in values]
    return ["" if pd.isna(v) else str(v) for v in values]


def load_case(folder: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """The case's input tables (every CSV named like a canonical table) and options."""
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        if path.stem in TABLES and not path.name.startswith("expected_"):
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
            tables[path.stem] = typed(path.stem, raw.replace("", None))
    tables.setdefault("bom", typed("bom", []))
    return tables, json.loads((folder / "case.json").read_text())


@pytest.mark.parametrize("folder", _own_cases(), ids=lambda p: p.name)
def test_own_mrp_case(folder: Path) -> None:
    tables, case = load_case(folder)
    result = run_plan(tables, **case["options"])
    for name, table in _EXPECTED.items():
        path = folder / name
        if not path.exists():
            continue
        want = pd.read_csv(path, dtype=str, keep_default_na=False)
        got = result.tables[table]
        rows = [tuple(r) for r in zip(*(_text(got[c]) for c in want.columns), strict=True)]
        assert rows == [tuple(r) for r in want.itertuples(index=False)], name
