"""`kit`: kitting and shortage analysis of the open sales order lines (DOMAIN §5).

Options: ``mode`` — onhand, available (default) or receipts (see `addin.engines.kitting`);
``date`` — BOM effectivity date, default the settings sheet's planning_date, else today;
``orders`` — comma-separated order numbers (blank = every open line); ``lang``.
With any input error nothing is written. Shortages are highlighted: order lines that
cannot be fully kitted, and every shortage line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from addin.commands import Result, Tables, command
from addin.commands.plan import dated_options, option_date
from addin.engines.kitting import INPUTS, MODES, OUTPUTS, KitOptions, KitResult, kit
from addin.errors import UsageError
from addin.issues import has_errors, sort_issues


def kit_options(options: Mapping[str, Any], today: dt.date | None = None) -> KitOptions:
    """KitOptions from command options; a bad option is a usage error."""
    mode = str(options.get("mode") or "available").strip().lower()
    if mode not in MODES:
        raise UsageError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    wanted = options.get("orders")
    if isinstance(wanted, str):
        wanted = tuple(o.strip() for o in wanted.replace("，", ",").split(",") if o.strip())
    elif wanted is not None:
        wanted = tuple(str(o).strip() for o in wanted)
    return KitOptions(date=option_date(options.get("date")) or today or dt.date.today(),
                      mode=mode, orders=wanted or None)


def summary(result: KitResult, lang: str) -> str:
    """"12 of 31 order lines fully kitted; 45 shortage lines"."""
    done, total = int(result.orders["kitted"].sum()), len(result.orders)
    lines = len(result.shortages)
    if lang == "zh":
        return f"订单行 {total} 行中 {done} 行齐套；缺料 {lines} 行"
    return f"{done} of {total} order lines fully kitted; {lines} shortage lines"


@command("kit", "齐套分析", "Kitting", inputs=("items", "bom", "sales_orders"),
         optional=(*(n for n in INPUTS if n not in ("items", "bom", "sales_orders")),
                   "units", "settings"),
         outputs=OUTPUTS, blocks_on_input_errors=True,
         description_zh="按优先级分配库存，计算各订单可齐套数、瓶颈物料、缺料及最早补足的在途",
         description_en="Sets each order can build by priority, bottlenecks, shortages and "
                        "the receipts that cover them")
def run_kit(tables: Tables, options: Mapping[str, Any]) -> Result:
    dated, setting_issues = dated_options(tables.get("settings"), options)
    if has_errors(setting_issues):
        return Result(issues=sort_issues(setting_issues))
    settings = kit_options(dated)
    result = kit(dict(tables), settings)
    issues = sort_issues([*setting_issues, *result.issues])
    if has_errors(issues):
        return Result(issues=issues)
    short = ~result.orders["kitted"].to_numpy(bool)
    return Result(
        tables=result.tables(), issues=issues,
        messages=[summary(result, options.get("lang", "en"))],
        row_styles={
            "kit_orders": pd.Series(np.where(short, "error", ""), dtype=object),
            "kit_shortages": pd.Series(np.full(len(result.shortages), "warning"), dtype=object),
        })
