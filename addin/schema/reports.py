"""Report and suggestion tables (DOMAIN §9, 报表与持续优化).

Reports (`report` command): in-out summary 收发存汇总, stock status, stock ageing 库龄,
slow movers 呆滞料. Suggestions (`suggest` command): safety stock, BOM usage and loss,
supplier scorecard and preferred supplier per item. All are results; the small
`*_by_*` tables are the blocks of the Summary sheet.
"""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.master import DATE, MONEY, QTY, RATE
from addin.schema.model import Choice, Table, col

DAYS = "#,##0"

DEMAND_SOURCE = (
    Choice("consumption", "实际领用", "Consumption", ("issues",)),
    Choice("sales_orders", "销售订单", "Sales orders", ("orders",)),
)

USAGE_ACTION = (
    Choice("keep", "保持", "Keep", ()),
    Choice("raise", "调高", "Raise", ("increase",)),
    Choice("lower", "调低", "Lower", ("decrease",)),
    Choice("more_data", "数据不足", "More data needed", ("insufficient",)),
)

_ITEM = (col("item_code", "text", "物料编码", "Item code"),
         col("item_name", "text", "物料名称", "Item name", width=22))


def _qty(name: str, zh: str, en: str, **more: object) -> object:
    return col(name, "number", zh, en, number_format=QTY, **more)


def _money(name: str, zh: str, en: str, **more: object) -> object:
    return col(name, "number", zh, en, number_format=MONEY, **more)


STOCK_LEDGER_SUMMARY = Table(
    "stock_ledger_summary", "收发存汇总", "In-out summary",
    (
        *_ITEM,
        col("warehouse_code", "text", "仓库编码", "Warehouse code"),
        _qty("opening_qty", "期初数量", "Opening qty"),
        _money("opening_value", "期初金额", "Opening value"),
        _qty("in_qty", "本期收入数量", "In qty", help_zh="红字入库（退货、冲销）为负",
             help_en="Purchase returns and reversed receipts count negative"),
        _money("in_value", "本期收入金额", "In value"),
        _qty("out_qty", "本期发出数量", "Out qty", help_zh="退料、冲销领料为负",
             help_en="Material returns and reversed issues count negative"),
        _money("out_value", "本期发出金额", "Out value"),
        _qty("closing_qty", "期末数量", "Closing qty",
             help_zh="期初 + 收入 − 发出", help_en="Opening + in − out"),
        _money("closing_value", "期末金额", "Closing value",
               help_zh="等于存货明细账期末结存金额",
               help_en="Equals the stock ledger's balance value at the period end"),
        _money("unit_cost", "期末单价", "Closing unit cost"),
    ),
    key=("item_code", "warehouse_code"), role="output",
    description_zh="按物料+仓库的期初、收入、发出、结存数量与金额",
    description_en="Opening, in, out and closing per item and warehouse, qty and value",
)

STOCK_STATUS = Table(
    "stock_status", "库存状态", "Stock status",
    (
        *_ITEM,
        _qty("on_hand_qty", "自有库存", "On hand",
             help_zh="自有库存（不含受托虚仓）", help_en="Own stock (not customer material)"),
        _qty("available_qty", "可用库存", "Available",
             help_zh="参与MRP且纳入可用量的仓库", help_en="In nettable and available warehouses"),
        _qty("allocated_qty", "已分配量", "Allocated",
             help_zh="已分配量表 + 未领完的生产投料",
             help_en="Allocations + unissued task materials"),
        _qty("free_qty", "可用余量", "Free", help_zh="可用库存 − 已分配量",
             help_en="Available − allocated"),
        _qty("in_transit_qty", "在途", "In transit", help_zh="未关闭采购订单未入库数量",
             help_en="Open purchase order lines not yet received"),
        _qty("inspection_qty", "待检", "In inspection"),
        _qty("at_supplier_qty", "委外处", "At suppliers"),
        _qty("customer_qty", "受托物料", "Customer-owned"),
        _money("stock_value", "库存金额", "Stock value"),
    ),
    key=("item_code",), role="output",
    description_zh="期末各物料的在库、可用、已分配、在途、待检、委外处与受托数量",
    description_en="On hand, available, allocated, in transit, in inspection, at suppliers "
                   "and customer-owned per item at the period end",
)

STOCK_AGEING = Table(
    "stock_ageing", "库龄分析", "Stock ageing",
    (
        *_ITEM,
        col("warehouse_code", "text", "仓库编码", "Warehouse code"),
        col("age_band", "text", "库龄段", "Age band", help_zh="天", help_en="Days"),
        col("from_days", "integer", "起始天数", "From day", number_format=DAYS),
        col("to_days", "integer", "截止天数", "To day", number_format=DAYS,
            help_zh="空白表示以上", help_en="Blank = and older"),
        _qty("qty", "数量", "Qty"),
        _money("value", "金额", "Value", help_zh="按期末单价", help_en="At the closing unit cost"),
        col("oldest_date", "date", "最早入库日期", "Oldest receipt", number_format=DATE),
    ),
    key=("item_code", "warehouse_code", "age_band"), role="output",
    description_zh="按先进先出分层的库存库龄（各段之和等于期末库存）",
    description_en="Stock on hand by age band, FIFO layers of receipts (bands sum to on hand)",
)

SLOW_MOVERS = Table(
    "slow_movers", "呆滞料", "Slow movers",
    (
        *_ITEM,
        col("warehouse_code", "text", "仓库编码", "Warehouse code"),
        _qty("on_hand_qty", "库存数量", "On hand"),
        _money("value", "库存金额", "Value"),
        col("last_issue", "date", "最后发出日期", "Last issue", number_format=DATE,
            help_zh="空白表示从未发出", help_en="Blank = never issued"),
        col("days_idle", "integer", "呆滞天数", "Days idle", number_format=DAYS,
            help_zh="距最后发出（或最早入库）的天数",
            help_en="Days since the last issue (or the oldest receipt)"),
    ),
    key=("item_code", "warehouse_code"), role="output",
    description_zh="超过设定天数没有发出的库存，按金额从大到小",
    description_en="Stock with no issue for the set number of days, largest value first",
)

LEDGER_BY_WAREHOUSE = Table(
    "ledger_by_warehouse", "收发存（按仓库）", "In-out by warehouse",
    (
        col("warehouse_code", "text", "仓库编码", "Warehouse code"),
        _money("opening_value", "期初金额", "Opening value"),
        _money("in_value", "收入金额", "In value"),
        _money("out_value", "发出金额", "Out value"),
        _money("closing_value", "期末金额", "Closing value"),
    ),
    role="output",
)

AGEING_BY_BAND = Table(
    "ageing_by_band", "库龄分布", "Ageing by band",
    (
        col("age_band", "text", "库龄段", "Age band"),
        _qty("qty", "数量", "Qty"),
        _money("value", "金额", "Value"),
        col("share", "number", "金额占比", "Share of value", number_format=RATE),
    ),
    role="output",
)

STATUS_TOTALS = Table(
    "status_totals", "库存状态合计", "Stock status totals",
    (
        col("measure", "text", "项目", "Measure", width=20),
        _qty("qty", "数量", "Qty"),
    ),
    role="output",
)

SLOW_TOP = Table(
    "slow_top", "呆滞料（金额最大）", "Largest slow movers",
    (
        col("item_code", "text", "物料编码", "Item code"),
        col("warehouse_code", "text", "仓库编码", "Warehouse code"),
        _money("value", "库存金额", "Value"),
        col("days_idle", "integer", "呆滞天数", "Days idle", number_format=DAYS),
    ),
    role="output",
)

QUALITY_TOP = Table(
    "quality_top", "供应商接收率", "Acceptance by supplier",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        _qty("inspected_qty", "检验数量", "Inspected"),
        col("pass_rate", "number", "合格率", "Pass rate", number_format=RATE),
        col("acceptance_rate", "number", "接收率", "Acceptance rate", number_format=RATE),
    ),
    role="output",
)

SAFETY_TOP = Table(
    "safety_top", "安全库存调高最多", "Largest safety stock rises",
    (
        col("item_code", "text", "物料编码", "Item code"),
        _qty("current_safety_stock", "现安全库存", "Current"),
        _qty("suggested_safety_stock", "建议安全库存", "Suggested"),
        col("repeated_shortage", "bool", "反复缺料", "Repeated shortage"),
    ),
    role="output",
)

SCORE_TOP = Table(
    "score_top", "供应商得分", "Supplier scores",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("on_time_rate", "number", "准时率", "On-time rate", number_format=RATE),
        col("acceptance_rate", "number", "接收率", "Acceptance rate", number_format=RATE),
        col("score", "number", "综合得分", "Score", number_format="0.0"),
    ),
    role="output",
)

SAFETY_STOCK = Table(
    "safety_stock_suggestions", "安全库存建议", "Safety stock",
    (
        *_ITEM,
        col("demand_source", "choice", "需求来源", "Demand source", choices=DEMAND_SOURCE),
        col("periods", "integer", "期数", "Periods"),
        _qty("mean_demand", "期均需求", "Mean demand / period"),
        _qty("std_demand", "需求标准差", "Demand σ / period"),
        col("lead_time_days", "number", "提前期(天)", "Lead time (days)", number_format="0.##"),
        col("lead_time_std_days", "number", "提前期标准差(天)", "Lead time σ (days)",
            number_format="0.##", help_zh="来自到货与采购订单交期之差",
            help_en="From receipt dates against purchase order due dates"),
        col("z", "number", "安全系数z", "z", number_format="0.000"),
        _qty("current_safety_stock", "现安全库存", "Current safety stock"),
        _qty("suggested_safety_stock", "建议安全库存", "Suggested safety stock",
             help_zh="z × √(LT·σd² + d²·σLT²)", help_en="z × √(LT·σd² + d²·σLT²)"),
        _qty("change", "变化", "Change"),
        col("shortage_count", "integer", "缺料次数", "Shortages",
            help_zh="库存耗尽的期数 + 齐套缺料的订单行",
            help_en="Periods the stock ran out + order lines short in kitting"),
        col("repeated_shortage", "bool", "反复缺料", "Repeated shortage"),
    ),
    key=("item_code",), role="output",
    description_zh="按服务水平、需求波动与提前期计算的安全库存建议（不修改物料表）",
    description_en="Safety stock from the service level, demand variability and lead time "
                   "(the Items sheet is not changed)",
)

USAGE_SUGGESTIONS = Table(
    "usage_suggestions", "BOM用量建议", "BOM usage",
    (
        col("parent_code", "text", "父项编码", "Parent code"),
        col("component_code", "text", "子项编码", "Component code"),
        col("component_name", "text", "子项名称", "Component name", width=22),
        col("tasks", "integer", "任务单数", "Tasks"),
        col("task_list", "text", "任务单", "Task list", width=24),
        _qty("completed_qty", "完工数量", "Completed"),
        _qty("issued_qty", "实际耗用", "Consumed", help_zh="领料 + 补料 − 退料",
             help_en="Issues + supplements − returns"),
        _qty("standard_qty", "标准耗用", "Standard consumption"),
        _qty("qty_per", "单位用量", "Qty per"),
        col("loss_rate", "number", "损耗率", "Loss rate", number_format=RATE),
        _qty("actual_per_unit", "实际单耗", "Actual per unit"),
        col("variance_pct", "number", "差异率", "Variance", number_format=RATE),
        col("confidence", "number", "置信度", "Confidence", number_format=RATE,
            help_zh="差异不是偶然波动的把握（按任务单的单耗离散程度）",
            help_en="How sure the variance is not chance (spread of per-task usage)"),
        col("action", "choice", "建议", "Action", choices=USAGE_ACTION),
        _qty("suggested_qty_per", "建议用量", "Suggested qty per"),
        col("suggested_loss_rate", "number", "建议损耗率", "Suggested loss rate",
            number_format=RATE),
    ),
    key=("parent_code", "component_code"), role="output",
    description_zh="实际耗用与投料单标准的对比及建议的用量、损耗率",
    description_en="Actual consumption against the material lists, with suggested usage "
                   "and loss rate",
)

SUPPLIER_SCORECARD = Table(
    "supplier_scorecard", "供应商评分", "Supplier scorecard",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("supplier_name", "text", "供应商名称", "Supplier name", width=22),
        col("receipts", "integer", "到货次数", "Receipts"),
        _qty("received_qty", "到货数量", "Received"),
        col("pass_rate", "number", "合格率", "Pass rate", number_format=RATE),
        col("acceptance_rate", "number", "接收率", "Acceptance rate", number_format=RATE),
        col("on_time_rate", "number", "准时率", "On-time rate", number_format=RATE,
            help_zh="不晚于采购订单交期到货的数量占比",
            help_en="Share of the qty received on or before the PO due date"),
        col("price_variance", "number", "价格差异", "Price variance", number_format=RATE,
            help_zh="(到货金额 − 订单价金额) / 订单价金额",
            help_en="(received value − value at PO price) / value at PO price"),
        col("score", "number", "综合得分", "Score", number_format="0.0"),
        col("rank", "integer", "排名", "Rank"),
    ),
    key=("supplier_code",), role="output",
    description_zh="按质量、准时与价格给供应商打分",
    description_en="Suppliers scored on quality, punctuality and price",
)

PREFERRED_SUPPLIERS = Table(
    "preferred_suppliers", "推荐供应商", "Preferred suppliers",
    (
        *_ITEM,
        col("rank", "integer", "排名", "Rank"),
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("supplier_name", "text", "供应商名称", "Supplier name", width=22),
        col("score", "number", "综合得分", "Score", number_format="0.0"),
        _qty("received_qty", "到货数量", "Received"),
        _money("average_price", "平均到货单价", "Average price"),
        col("on_time_rate", "number", "准时率", "On-time rate", number_format=RATE),
        col("acceptance_rate", "number", "接收率", "Acceptance rate", number_format=RATE),
        col("current_supplier", "text", "现默认供应商", "Current default"),
        col("switch", "bool", "建议更换", "Switch suggested"),
    ),
    key=("item_code", "supplier_code"), role="output",
    description_zh="每个物料按得分排序的供应商，第一名为推荐（不修改物料表）",
    description_en="Suppliers of each item ranked by score; rank 1 is the suggestion "
                   "(the Items sheet is not changed)",
)

SUBCONTRACT_TRACKING = Table(
    "subcontract_tracking", "委外跟踪", "Subcontract tracking",
    (
        col("order_no", "text", "委外单号", "Order no"),
        col("line_no", "integer", "行号", "Line"),
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("item_code", "text", "物料编码", "Item code"),
        col("due_date", "date", "交货日期", "Due date", number_format=DATE),
        _qty("ordered_qty", "订单数量", "Ordered"),
        _qty("issued_sets", "已发料套数", "Sets issued",
             help_zh="各子项净发料（发料 − 退料）÷ 单位用量×(1+损耗) 的最小值；无用料清单为空",
             help_en="Least over the components of net issued ÷ (qty per × (1 + loss)); "
                     "blank without a materials list"),
        _money("issued_value", "净发料金额", "Issued value",
               help_zh="发往供应商 − 退回", help_en="Sent to the supplier − returned"),
        _qty("received_qty", "已入库数量", "Received",
             help_zh="订单原已入库 + 本簿委外入库单", help_en="Received before + receipts posted"),
        _qty("open_qty", "未入库数量", "Open",
             help_zh="max(0, 订单 − 已入库)；关闭或作废为 0",
             help_en="max(0, ordered − received); 0 when closed or cancelled"),
        col("completion", "number", "完成率", "Completion", number_format=RATE),
        col("overdue", "bool", "逾期", "Overdue",
            help_zh="交货日期早于报表截止日且仍未入库完",
            help_en="Due before the report date and still open"),
    ),
    key=("order_no", "line_no"), role="output",
    description_zh="每个委外订单行的订购、发料、入库与未入库",
    description_en="Ordered, issued, received and open per subcontract order line",
)

DASHBOARD_KPIS = Table(
    "dashboard_kpis", "经营看板", "Dashboard",
    (
        col("kpi", "choice", "指标", "KPI", choices=ch.DASHBOARD_KPI, width=28),
        col("value", "number", "数值", "Value", number_format="#,##0.##", width=16),
        col("unit", "choice", "单位", "Unit", choices=ch.KPI_UNIT),
    ),
    key=("kpi",), role="output",
    description_zh="订单满足率、缺料行、逾期任务、库存金额、存货周转次数",
    description_en="Fill rate, shortage lines, overdue tasks, stock value, inventory turns",
)

STOCK_BY_WEEK = Table(
    "stock_by_week", "每周末库存金额", "Stock value per week",
    (
        col("week_end", "date", "周末日期", "Week ending", number_format=DATE),
        _money("stock_value", "库存金额", "Stock value"),
    ),
    role="output",
)

ISSUES_BY_WEEK = Table(
    "issues_by_week", "每周发出金额", "Value issued per week",
    (
        col("week_end", "date", "周末日期", "Week ending", number_format=DATE),
        _money("issued_value", "发出金额", "Value issued"),
        col("moves", "integer", "发出笔数", "Moves"),
    ),
    role="output",
)

SHORTAGE_BY_COMPONENT = Table(
    "shortage_by_component", "缺料汇总（按子项）", "Shortage by component",
    (
        col("component_code", "text", "子项编码", "Component code"),
        col("component_name", "text", "子项名称", "Component name", width=22),
        _qty("short_qty", "缺料数量", "Short qty"),
        col("order_lines", "integer", "涉及订单行", "Order lines"),
    ),
    role="output",
)

VARIANCE_BY_ELEMENT = Table(
    "variance_by_element", "成本差异（按要素）", "Variance by element",
    (
        col("element", "text", "成本要素", "Element"),
        _money("standard_cost", "标准成本", "Standard cost"),
        _money("actual_cost", "实际成本", "Actual cost"),
        _money("total_variance", "差异", "Variance"),
    ),
    role="output",
)

REPORT_TABLES = (STOCK_LEDGER_SUMMARY, STOCK_STATUS, STOCK_AGEING, SLOW_MOVERS,
                 LEDGER_BY_WAREHOUSE, AGEING_BY_BAND, STATUS_TOTALS, SLOW_TOP, QUALITY_TOP,
                 SAFETY_TOP, SCORE_TOP, SAFETY_STOCK,
                 USAGE_SUGGESTIONS, SUPPLIER_SCORECARD, PREFERRED_SUPPLIERS,
                 SUBCONTRACT_TRACKING, DASHBOARD_KPIS, STOCK_BY_WEEK, ISSUES_BY_WEEK,
                 SHORTAGE_BY_COMPONENT, VARIANCE_BY_ELEMENT)
