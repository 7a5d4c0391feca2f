"""The reconciliation demo: the fan factory's web shop, warehouse system and ERP, which
disagree in a few planted ways, loaded into an embedded store and reconciled.

`run_demo(directory)` writes the platform exports (CSV, for the user to open), loads
them into `directory/xlerp-demo.db`, runs the built-in rules, writes the report
workbook and returns a one-line summary. Nothing runs in the background.

Planted (and nothing else differs; `PLANTED` lists them for the test):
* shop ↔ ERP orders: one quantity, one price (5 %, beyond the 0.5 % tolerance), one
  due date (4 days, beyond 1), one item the shop sells under an unmapped SKU, one
  order missing in the ERP, one missing in the shop. Within tolerance and therefore
  not reported: a 0.14 % price rounding and a one-day due-date shift.
* WMS ↔ ERP stock: one count differs by 10; one item only in each system. Copper wire
  in two lots sums to the ERP's figure, and an 0.0004 kg rounding is tolerated.
* two codes: the shop's new SKU for the stand fan (same name and spec), a JD barcode
  mapped to a mistyped item code, and a shop customer with the hotel chain's tax ID.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from addin.schema import TABLES, Lang
from agent.batch import Provenance
from agent.reconcile.report import write_report
from agent.reconcile.rules import load_rules
from agent.reconcile.sources import Reconciliation, StoreSource, run
from agent.store import Store
from templates.demo_data import PLANNING_DATE, demo_tables

AS_OF = "2026-12-01T08:00:00.000000Z"
SHOP, ERP, WMS, SHEET = "shopify", "kingdee", "wms", "workbook"
PLANTED = {
    ("sales_orders_shop_erp", "different", "SHOP-10240 | 1", "item_code"),
    ("sales_orders_shop_erp", "different", "SHOP-10241 | 1", "qty"),
    ("sales_orders_shop_erp", "different", "SHOP-10255 | 1", "unit_price"),
    ("sales_orders_shop_erp", "different", "SHOP-10262 | 1", "due_date"),
    ("sales_orders_shop_erp", "only_in_a", "SHOP-10288 | 1", ""),
    ("sales_orders_shop_erp", "only_in_b", "SHOP-10299 | 1", ""),
    ("stock_wms_erp", "different", "30.02.0002 | RM", "qty"),
    ("stock_wms_erp", "only_in_a", "30.04.0006 | RM", ""),
    ("stock_wms_erp", "only_in_b", "40.01.0001 | CV", ""),
    ("items_two_codes", "same_thing", "10.01.0003", "item_name + spec"),
    ("items_two_codes", "same_thing", "10.01.0003", "external_code"),
    ("customers_two_codes", "same_thing", "C003", "customer_name"),
}


def demo_exports(lang: Lang) -> list[tuple[str, str, str, pd.DataFrame]]:
    """(file name, platform, table, typed frame) of every demo export, in load order."""
    tables = demo_tables(lang)
    mappings = tables["code_mappings"].copy()
    planted = mappings.iloc[[0]].assign(platform="jd", external_code="6928800100035",
                                        canonical_code="10.01.0030")
    return [
        ("erp-items.csv", ERP, "items", tables["items"]),
        ("erp-customers.csv", ERP, "customers", tables["customers"]),
        ("code-mappings.csv", SHEET, "code_mappings", pd.concat([mappings, planted])),
        ("shop-products.csv", SHOP, "items", _shop_items(tables)),
        ("shop-customers.csv", SHOP, "customers", _shop_customers(tables)),
        ("erp-sales-orders.csv", ERP, "sales_orders", _erp_orders(tables)),
        ("shop-orders.csv", SHOP, "sales_orders", _shop_orders(tables)),
        ("erp-stock.csv", ERP, "stock", _erp_stock(tables)),
        ("wms-stock.csv", WMS, "stock", _wms_stock(tables)),
    ]


def _shop_skus(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    maps = tables["code_mappings"]
    mine = maps[(maps["platform"] == SHOP) & (maps["entity"] == "items")]
    return dict(zip(mine["canonical_code"], mine["external_code"], strict=True))


def _shop_items(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    skus = _shop_skus(tables)
    items = tables["items"]
    shop = items[items["item_code"].isin(list(skus))].copy()
    shop["item_code"] = shop["item_code"].map(skus)
    new = items[items["item_code"] == "10.01.0003"].assign(item_code="SF40-NEW")  # planted
    return pd.concat([shop, new], ignore_index=True)


def _shop_customers(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    customers = tables["customers"]
    web = customers[customers["customer_code"] == "C004"].assign(customer_code="web-retail")
    hotel = customers[customers["customer_code"] == "C003"].assign(customer_code="C-778")
    return pd.concat([web, hotel], ignore_index=True)


def _shop_lines(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    orders = tables["sales_orders"]
    return orders[orders["source_platform"] == SHOP].reset_index(drop=True)


def _set(frame: pd.DataFrame, order: str, line: int, **values: object) -> None:
    where = (frame["order_no"] == order) & (frame["line_no"] == line)
    for column, value in values.items():
        frame.loc[where, column] = value


def _erp_orders(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ERP's orders: trade orders plus the shop's, keyed SHOP-<n>."""
    orders = tables["sales_orders"]
    erp = orders[orders["source_platform"].isin(["", SHOP])].copy()
    _set(erp, "SHOP-10241", 1, qty=2.0)                      # planted: shop says 3
    _set(erp, "SHOP-10255", 1, unit_price=189.0)             # planted: shop says 199
    _set(erp, "SHOP-10262", 1, due_date=PLANNING_DATE + pd.Timedelta(days=25))  # shop: +21
    _set(erp, "SHOP-10270", 1, due_date=PLANNING_DATE + pd.Timedelta(days=29))  # tolerated
    _set(erp, "SHOP-10232", 1, unit_price=359.5)             # tolerated: 0.14 %
    erp = erp[erp["order_no"] != "SHOP-10288"]               # planted: only in the shop
    extra = erp[erp["order_no"] == "SHOP-10231"].assign(order_no="SHOP-10299")  # only ERP
    return pd.concat([erp, extra], ignore_index=True)


def _shop_orders(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The shop's export: Shopify order names (#n), SKUs and its own customer id."""
    shop = _shop_lines(tables)
    shop["order_no"] = "#" + shop["order_no"].str.removeprefix("SHOP-")
    shop["item_code"] = shop["item_code"].map(_shop_skus(tables))
    shop["customer_code"] = "web-retail"
    _set(shop, "#10240", 1, item_code="SF40-NEW")            # planted: unmapped SKU
    return shop


def _wms_stock(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    stock = tables["stock"]
    return stock[stock["item_code"] != "40.01.0001"].reset_index(drop=True)  # only ERP


def _erp_stock(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ERP counts per item and warehouse, without locations, lots or tracking."""
    stock = tables["stock"]
    erp = stock.groupby(["item_code", "warehouse_code"], as_index=False, sort=True).agg(
        qty=("qty", "sum"))
    for column in ("location_code", "lot", "tracking_no"):
        erp[column] = ""
    erp["locked_qty"] = 0.0
    erp.loc[erp["item_code"] == "30.02.0002", "qty"] = 2390.0   # planted: WMS 2400
    erp.loc[erp["item_code"] == "30.01.0002", "qty"] += 0.0004  # tolerated rounding
    erp = erp[erp["item_code"] != "30.04.0006"]                 # planted: only in WMS
    return erp.reset_index(drop=True)


def _csv(frame: pd.DataFrame, table: str, lang: Lang) -> bytes:
    spec = TABLES[table]
    out = frame[spec.column_names].rename(columns={c.name: c.header(lang)
                                                   for c in spec.columns})
    return out.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig")


def load_demo(directory: Path, lang: Lang = "en") -> Path:
    """Write the exports into `directory/exports` and load them into the demo store
    (loading twice changes nothing: each file is journaled by its content hash)."""
    exports = directory / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    path = directory / "xlerp-demo.db"
    with Store.open(path) as store:
        for name, platform, table, frame in demo_exports(lang):
            content = _csv(frame, table, lang)
            (exports / name).write_bytes(content)
            rows = frame.reset_index(drop=True).assign(_row=range(2, len(frame) + 2))
            store.load_batch(table, rows, Provenance(
                platform, name, hashlib.sha256(content).hexdigest(), AS_OF, "demo"))
    return path


def reconcile_demo(directory: Path, lang: Lang = "en") -> tuple[Reconciliation, Path]:
    """Load the demo, reconcile it with the built-in rules, write the report."""
    with Store.open(load_demo(directory, lang)) as store:
        result = run(StoreSource(store), load_rules())
    report = write_report(directory / f"xlerp-reconcile-{lang}.xlsx", result, lang)
    return result, report


def run_demo(directory: Path, lang: Lang = "en") -> str:
    """The demo in one call; a one-line summary for `xlerp demo`."""
    result, report = reconcile_demo(Path(directory), lang)
    counts = ", ".join(f"{r.rule.name} {len(r.differences)}" for r in result.results)
    total = sum(len(r.differences) for r in result.results)
    return f"Reconciliation: {total} findings ({counts}) — {report.resolve()}"


__all__ = ["PLANTED", "demo_exports", "load_demo", "reconcile_demo", "run_demo"]
