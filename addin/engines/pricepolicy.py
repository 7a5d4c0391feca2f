"""Subcontract price policies 委外价格政策 (DOMAIN §6): per supplier × item, quantity
breaks, validity dates and a ceiling price.

The fee of a receipt is the one it states; a blank fee takes the policy valid on the
receipt date whose quantity break is the highest one the order quantity reaches (the
latest `valid_from` among equals), else the subcontract order's price. The ceiling is
the lowest positive ceiling of the policies valid on that date, whatever the break: a
fee above it is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_POLICY = {"supplier_code": "", "item_code": "", "min_qty": 0.0, "unit_price": 0.0,
           "valid_from": pd.NaT, "valid_to": pd.NaT, "ceiling_price": 0.0}


def policy_frame(policies: pd.DataFrame | None) -> pd.DataFrame:
    frame = (pd.DataFrame(columns=list(_POLICY)) if policies is None
             else policies.reindex(columns=list(_POLICY)).copy())
    for name in ("supplier_code", "item_code"):
        frame[name] = frame[name].fillna("").astype(object)
    for name in ("min_qty", "unit_price", "ceiling_price"):
        frame[name] = frame[name].fillna(0.0).astype(float)
    for name in ("valid_from", "valid_to"):
        frame[name] = pd.to_datetime(frame[name])
    return frame


def fees(asked: pd.DataFrame, policies: pd.DataFrame | None) -> pd.DataFrame:
    """Fee and ceiling per row of `asked` (supplier_code, item_code, doc_date, order_qty,
    fee_price, order_price), in the same order: columns `fee` and `ceiling` (NaN = none)."""
    table = policy_frame(policies)
    rows = asked.reset_index(drop=True).assign(_id=np.arange(len(asked)))
    both = rows[["_id", "supplier_code", "item_code", "doc_date", "order_qty"]].merge(
        table, on=["supplier_code", "item_code"], how="inner")
    valid = ((both["valid_from"].isna() | (both["valid_from"] <= both["doc_date"]))
             & (both["valid_to"].isna() | (both["valid_to"] >= both["doc_date"])))
    both = both[valid]
    ceiling = both[both["ceiling_price"] > 0].groupby("_id")["ceiling_price"].min()
    reach = both[both["min_qty"] <= both["order_qty"] + 1e-9].sort_values(
        ["_id", "min_qty", "valid_from"], kind="stable", na_position="first")
    price = reach.drop_duplicates("_id", keep="last").set_index("_id")["unit_price"]
    stated = rows["fee_price"].astype(float)
    policy = rows["_id"].map(price)
    fee = np.where(stated > 0, stated, policy.fillna(rows["order_price"].astype(float)))
    return pd.DataFrame({"fee": fee.astype(float),
                         "ceiling": rows["_id"].map(ceiling).to_numpy(float)})
