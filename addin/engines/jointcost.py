"""Joint and by-products 联副产品 (DOMAIN §7): split one process's joint cost.

By-products are valued first — qty × unit value (their standard cost or NRV per unit;
when no unit value is given, NRV = qty × sales price − separable cost) — and deducted.
The rest goes to the main and co-products in proportion to a basis per batch:
* ``coefficient`` 系数法: qty × coefficient,
* ``sales_value`` 售价法: qty × sales price,
* ``physical``    实物量法: qty,
* ``nrv``         可变现净值法: qty × sales price − separable cost.
With ``share`` 固定比例法 nothing is deducted first: every product, by-products included,
gets its fixed percentage (cost_share, 75 = 75 %) of the joint cost; a batch's shares must
add up to 100 %.
Amounts are rounded to the cent once, with the remainder on the batch's last product
(products sorted by kind — main, co, by — then code), so each batch adds up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.allocation import split_cents, to_cents
from addin.engines.bomgraph import row_numbers
from addin.issues import Issue, Message, plain_value, register

METHODS = ("coefficient", "sales_value", "physical", "nrv", "share")
_KIND_ORDER = {"main": 0, "co_product": 1, "by_product": 2}
COLUMNS = ["batch", "product_code", "product_kind", "qty", "basis_value", "share",
           "allocated", "unit_cost"]

register({
    "joint_no_basis": Message(
        "批次 {value} 的主/联产品分配基础合计为 0，联合成本未分配",
        "Batch {value}: the main and co-products' basis adds up to 0, so the joint cost "
        "was not split",
        "按所选方法填写产量、系数或售价", "Enter the quantities, coefficients or prices the "
        "method needs"),
    "joint_share_not_100": Message(
        "批次 {value} 的成本分配比例合计 {total}%，不等于 100%，联合成本未分配",
        "Batch {value}: the cost shares add up to {total} %, not 100 %, so the joint cost "
        "was not split",
        "调整联副产品表中该批次的成本分配比例，使合计为 100",
        "Make the batch's cost shares on Joint products add up to 100"),
    "joint_no_products": Message(
        "批次 {value} 没有联副产品行", "Batch {value} has no joint product lines",
        "在联副产品表中填写该批次的产品", "List the batch's products in Joint products"),
})


def _basis(products: pd.DataFrame, method: np.ndarray) -> np.ndarray:
    qty = products["qty"].fillna(0.0).to_numpy(float)
    sales = qty * products["sales_price"].fillna(0.0).to_numpy(float)
    nrv = sales - products["separable_cost"].fillna(0.0).to_numpy(float)
    coefficient = qty * products["coefficient"].fillna(1.0).to_numpy(float)
    share = (products["cost_share"].fillna(0.0).to_numpy(float) if "cost_share" in products
             else np.zeros(len(products)))
    return np.select([method == "sales_value", method == "physical", method == "nrv",
                      method == "share"], [sales, qty, nrv, share], default=coefficient)


def split_joint_cost(batches: pd.DataFrame, products: pd.DataFrame
                     ) -> tuple[pd.DataFrame, list[Issue]]:
    """One row per product of each batch (COLUMNS), sorted by batch, kind, product code.

    `batches`: batch, joint_cost, method. `products`: batch, product_code, product_kind
    (main / co_product / by_product), qty, coefficient, sales_price, separable_cost,
    unit_value, cost_share. A by-product's basis_value is its deducted value (its share
    under ``share``); a batch whose basis adds up to 0, or whose shares miss 100 %, is
    reported and left out.
    """
    lines = products.merge(batches[["batch", "joint_cost", "method"]], on="batch")
    lines = lines.assign(_kind=lines["product_kind"].map(_KIND_ORDER).fillna(0))
    lines = lines.sort_values(["batch", "_kind", "product_code"],
                              kind="stable").reset_index(drop=True)
    method = lines["method"].to_numpy(dtype=object)
    # Under a fixed share a by-product is one more product to split to, not a deduction.
    by = (lines["product_kind"].to_numpy(dtype=object) == "by_product") & (method != "share")
    qty = lines["qty"].fillna(0.0).to_numpy(float)
    net = (qty * lines["sales_price"].fillna(0.0).to_numpy(float)
           - lines["separable_cost"].fillna(0.0).to_numpy(float))
    unit_value = lines["unit_value"].fillna(0.0).to_numpy(float)
    by_value = to_cents(np.where(unit_value > 0, qty * unit_value, np.maximum(net, 0.0))) / 100.0
    basis = np.where(by, 0.0, _basis(lines, method))
    batch = lines["batch"].to_numpy(dtype=object)
    deducted = pd.Series(np.where(by, by_value, 0.0)).groupby(batch).transform("sum")
    total = pd.Series(basis).groupby(batch).transform("sum").to_numpy(float)
    rest = lines["joint_cost"].to_numpy(float) - deducted.to_numpy(float)
    share = np.divide(basis, total, out=np.zeros(len(basis)), where=total != 0)
    off = (method == "share") & (np.abs(total - 100.0) > 1e-6)
    issues = _unsplit(batches, lines, np.where(off, 1.0, total))  # off: named just below
    issues += _share_totals(batches, lines[off], total[off])
    keep = (total != 0) & ~off
    main = ~by & keep
    allocated = np.where(by, by_value, 0.0)
    group = batch[main]
    allocated[main] = split_cents(group, (rest * share)[main], rest[main])
    out = lines.assign(basis_value=np.where(by, by_value, basis), share=share,
                       allocated=allocated)[keep]
    q = out["qty"].fillna(0.0).to_numpy(float)
    out = out.assign(unit_cost=np.divide(out["allocated"].to_numpy(float), q,
                                         out=np.zeros(len(out)), where=q > 0))
    return out[COLUMNS].reset_index(drop=True), issues


def _share_totals(batches: pd.DataFrame, lines: pd.DataFrame, total: np.ndarray
                  ) -> list[Issue]:
    """Fixed-share batches whose shares do not add up to 100 %, one issue per batch."""
    totals = dict(zip(lines["batch"].to_numpy(), total, strict=True))
    return [Issue("joint_share_not_100", sheet="joint_costs", row=int(row), column="method",
                  value=batch, params={"total": plain_value(round(float(totals[batch]), 6))})
            for row, batch in zip(row_numbers(batches), batches["batch"].to_numpy(),
                                  strict=True) if batch in totals]


def _unsplit(batches: pd.DataFrame, lines: pd.DataFrame, total: np.ndarray) -> list[Issue]:
    split = set(lines.loc[total != 0, "batch"])
    listed = set(lines["batch"])
    issues = []
    for row, batch in zip(row_numbers(batches), batches["batch"].to_numpy(), strict=True):
        if batch not in listed:
            issues.append(Issue("joint_no_products", sheet="joint_costs", row=int(row),
                                column="batch", value=batch))
        elif batch not in split:
            issues.append(Issue("joint_no_basis", sheet="joint_costs", row=int(row),
                                column="method", value=batch))
    return issues
