"""Which open receipt covers a shortage, and when an order's kit is complete (DOMAIN §5).

Receipts are taken per item in due-date order (then by number). A shortage line carries
`ahead`: how much receipt quantity must have arrived, counting what the orders served
before it still owe, before it is covered. Its covering receipt is the first one whose
running total per item reaches `ahead`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.engines.timeaxis import NO_DAY

_TOL = 1e-9


def covering_receipts(receipts: pd.DataFrame, item: np.ndarray, ahead: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Reference and due day of the covering receipt of each shortage line ("" / NO_DAY
    when the open receipts never reach it). `receipts` sorted by item, day, ref."""
    r_item = receipts["item"].to_numpy(np.int64)
    running = receipts.groupby("item", sort=False)["qty"].cumsum().to_numpy(float)
    n_r = r_item.size
    # one sort of receipts and queries; a query sorts before a receipt of equal total
    keys_item = np.concatenate([r_item, item.astype(np.int64)])
    keys_value = np.concatenate([running, ahead - _TOL * np.maximum(ahead, 1.0)])
    kind = np.concatenate([np.ones(n_r, np.int8), np.zeros(item.size, np.int8)])
    order = np.lexsort((kind, keys_value, keys_item))
    # position (in receipts) of the next receipt at or after each sorted entry
    mark = np.where(order < n_r, order, n_r)
    after = np.minimum.accumulate(mark[::-1])[::-1]
    found = np.empty(item.size, dtype=np.int64)
    found[order[order >= n_r] - n_r] = after[order >= n_r]
    hit = found < n_r
    hit[hit] &= r_item[found[hit]] == item[hit]
    ref = np.full(item.size, "", dtype=object)
    day = np.full(item.size, NO_DAY, dtype=np.int64)
    ref[hit] = receipts["ref"].to_numpy(dtype=object)[found[hit]]
    day[hit] = receipts["day"].to_numpy(np.int64)[found[hit]]
    return ref, day


def kit_dates(n_lines: int, line: np.ndarray, day: np.ndarray, ref: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per order line: the latest covering day of its shortages and that receipt's ref
    (NO_DAY and "" when it has no shortage or one that no receipt covers)."""
    kit_day = np.full(n_lines, NO_DAY, dtype=np.int64)
    by = np.full(n_lines, "", dtype=object)
    if not line.size:
        return kit_day, by
    frame = pd.DataFrame({"line": line, "day": day, "ref": ref})
    never = frame.loc[frame["day"] == NO_DAY, "line"].unique()
    last = frame.sort_values(["line", "day", "ref"], kind="stable").drop_duplicates(
        "line", keep="last")
    last = last[~last["line"].isin(never)]
    kit_day[last["line"].to_numpy()] = last["day"].to_numpy()
    by[last["line"].to_numpy()] = last["ref"].to_numpy(dtype=object)
    return kit_day, by
