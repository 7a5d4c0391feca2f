"""Result tables that commands write back into the workbook."""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.master import DATE, QTY
from addin.schema.model import Choice, Table, col

_ISSUE_COLUMNS = (
    col("severity", "choice", "级别", "Severity", choices=ch.SEVERITY, width=9),
    col("sheet", "text", "工作表", "Sheet", width=14),
    col("row", "integer", "行", "Row", width=7),
    col("column", "text", "列", "Column", width=16),
    col("value", "text", "值", "Value", width=18),
    col("code", "text", "问题代码", "Code", width=18),
    col("message", "text", "问题", "Problem", width=60),
    col("fix", "text", "处理建议", "How to fix", width=50),
)

BOM_CHECK = Table(
    "bom_check", "BOM检查", "BOM Check", _ISSUE_COLUMNS, role="output",
    description_zh="BOM与主数据检查结果",
    description_en="Findings of the BOM and master-data checks",
)

MESSAGES = Table(
    "messages", "消息", "Messages", _ISSUE_COLUMNS, role="output",
    description_zh="输入数据问题", description_en="Problems found in the input data",
)

LOW_LEVEL_CODES = Table(
    "low_level_codes", "低层码", "Low-level codes",
    (
        col("item_code", "text", "物料编码", "Item code"),
        col("item_name", "text", "物料名称", "Item name", width=24),
        col("item_type", "choice", "物料属性", "Item type", choices=ch.ITEM_TYPE),
        col("low_level_code", "integer", "低层码", "Low-level code"),
    ),
    key=("item_code",), role="output",
)

WHERE_USED = Table(
    "where_used", "反查", "Where used",
    (
        col("component_code", "text", "子项编码", "Component code"),
        col("component_name", "text", "子项名称", "Component name", width=24),
        col("level", "integer", "层级", "Level"),
        col("parent_code", "text", "父项编码", "Parent code"),
        col("parent_name", "text", "父项名称", "Parent name", width=24),
        col("qty_per", "number", "单位用量", "Qty per", number_format=QTY),
        col("path", "text", "路径", "Path", width=40),
    ),
    role="output",
)

EXPLODED_BOM = Table(
    "exploded_bom", "展开BOM", "Exploded BOM",
    (
        col("root_code", "text", "产品编码", "Product code"),
        col("level", "integer", "层级", "Level"),
        col("parent_code", "text", "父项编码", "Parent code"),
        col("component_code", "text", "子项编码", "Component code"),
        col("component_name", "text", "子项名称", "Component name", width=24),
        col("item_type", "choice", "物料属性", "Item type", choices=ch.ITEM_TYPE),
        col("qty_per", "number", "单位用量", "Qty per", number_format=QTY),
        col("variable_loss_rate", "number", "变动损耗率", "Loss rate", number_format="0.00%"),
        col("accumulated_qty", "number", "累计用量", "Accumulated qty", number_format=QTY),
        col("path", "text", "路径", "Path", width=40),
    ),
    role="output",
)

PLANNED_ORDERS = Table(
    "planned_orders", "计划订单", "Planned orders",
    (
        col("order_id", "text", "计划订单号", "Planned order"),
        col("item_code", "text", "物料编码", "Item code"),
        col("item_name", "text", "物料名称", "Item name", width=22),
        col("order_type", "choice", "订单类型", "Order type", choices=ch.ORDER_TYPE),
        col("qty", "number", "数量", "Qty", number_format=QTY),
        col("release_date", "date", "建议下达日期", "Release date", number_format=DATE),
        col("need_date", "date", "需求日期", "Need date", number_format=DATE),
        col("supplier_code", "text", "供应商", "Supplier"),
        col("unit_price", "number", "单价", "Unit price", number_format="#,##0.00"),
        col("tracking_no", "text", "计划跟踪号", "Tracking no"),
        col("past_due", "bool", "已逾期", "Past due"),
        col("pegged_demands", "text", "需求来源", "Pegged demands", width=40),
        col("need_qty", "number", "净需求", "Net need", number_format=QTY,
            help_zh="批量调整前的净需求；数量减去它即批量余量",
            help_en="Net requirement before lot sizing; qty minus this is lot-size excess"),
        col("release_bucket", "text", "下达时段", "Release bucket"),
        col("need_bucket", "text", "需求时段", "Need bucket"),
        col("past_due_days", "number", "逾期天数", "Days past due"),
    ),
    key=("order_id",), role="output",
)

MRP_RECORD = Table(
    "mrp_record", "MRP明细", "MRP record",
    (
        col("item_code", "text", "物料编码", "Item code"),
        col("tracking_no", "text", "计划跟踪号", "Tracking no"),
        col("bucket", "text", "时段", "Bucket"),
        col("bucket_start", "date", "时段开始", "Bucket start", number_format=DATE),
        col("gross", "number", "毛需求", "Gross requirement", number_format=QTY),
        col("allocated", "number", "已分配", "Allocated", number_format=QTY),
        col("scheduled_receipts", "number", "预计入库", "Scheduled receipts", number_format=QTY),
        col("projected_available", "number", "预计可用", "Projected available",
            number_format=QTY),
        col("net", "number", "净需求", "Net requirement", number_format=QTY),
        col("planned_receipts", "number", "计划入库", "Planned receipts", number_format=QTY),
        col("planned_releases", "number", "计划下达", "Planned releases", number_format=QTY),
        col("safety_stock", "number", "安全库存", "Safety stock", number_format=QTY),
    ),
    role="output",
)

# Pegging also names the part of an order that only the lot rule asked for.
PEGGED_DEMAND_TYPE = (*ch.DEMAND_TYPE,
                      Choice("lot_excess", "批量余量", "Lot-size excess", ("excess",)))

PEGGING = Table(
    "pegging", "需求追溯", "Pegging",
    (
        col("order_id", "text", "计划订单号", "Planned order"),
        col("item_code", "text", "物料编码", "Item code"),
        col("demand_type", "choice", "需求类型", "Demand type", choices=PEGGED_DEMAND_TYPE),
        col("demand_ref", "text", "需求单据", "Demand"),
        col("demand_item", "text", "最终需求物料", "End item"),
        col("demand_date", "date", "需求日期", "Demand date", number_format=DATE),
        col("qty", "number", "数量", "Qty", number_format=QTY),
    ),
    role="output",
)

EXCEPTIONS = Table(
    "exceptions", "例外信息", "Exceptions",
    (
        col("severity", "choice", "级别", "Severity", choices=ch.SEVERITY, width=9),
        col("code", "text", "例外代码", "Code", width=18),
        col("item_code", "text", "物料编码", "Item code"),
        col("reference", "text", "单据", "Reference"),
        col("date", "date", "日期", "Date", number_format=DATE),
        col("qty", "number", "数量", "Qty", number_format=QTY),
        col("days", "number", "天数", "Days"),
        col("message", "text", "说明", "Message", width=60),
        col("tracking_no", "text", "计划跟踪号", "Tracking no"),
    ),
    role="output",
)

GENERATED_TASKS = Table(
    "generated_tasks", "生成的任务", "Generated tasks",
    (
        col("task_no", "text", "任务单号", "Task no"),
        col("order_type", "choice", "订单类型", "Order type", choices=ch.ORDER_TYPE),
        col("item_code", "text", "物料编码", "Item code"),
        col("item_name", "text", "物料名称", "Item name", width=22),
        col("qty", "number", "数量", "Qty", number_format=QTY),
        col("start_date", "date", "计划开工日期", "Start date", number_format=DATE),
        col("due_date", "date", "计划完工日期", "Finish date", number_format=DATE),
        col("past_due", "bool", "已逾期", "Past due",
            help_zh="开工日期早于计划日期，已按计划日期开工",
            help_en="The start fell before the planning date and was moved onto it"),
        col("tracking_no", "text", "计划跟踪号", "Tracking no"),
        col("bom_version", "text", "BOM版本", "BOM version"),
        col("warehouse_code", "text", "入库仓库", "Warehouse"),
        col("supplier_code", "text", "供应商", "Supplier"),
        col("status", "choice", "状态", "Status", choices=ch.TASK_STATUS),
        col("source_orders", "text", "来源订单", "Source orders", width=40),
    ),
    key=("task_no",), role="output",
    description_zh="由销售订单生成的生产任务与委外订单（可复制到生产任务单）",
    description_en="Production tasks and subcontract orders generated from sales orders",
)

MATERIAL_LISTS = Table(
    "material_lists", "投料单", "Material lists",
    (
        col("task_no", "text", "任务单号", "Task no"),
        col("line_no", "integer", "行号", "Line"),
        col("item_code", "text", "产品编码", "Product code"),
        col("component_code", "text", "子项编码", "Component code"),
        col("component_name", "text", "子项名称", "Component name", width=22),
        col("qty_per", "number", "单位用量", "Qty per", number_format=QTY),
        col("variable_loss_rate", "number", "变动损耗率", "Loss rate", number_format="0.00%"),
        col("fixed_loss", "number", "固定损耗", "Fixed loss", number_format=QTY),
        col("required_qty", "number", "应发数量", "Required qty", number_format=QTY),
        col("issue_method", "choice", "发料方式", "Issue method", choices=ch.ISSUE_METHOD),
        col("supply_warehouse", "text", "发料仓库", "Supply warehouse"),
        col("need_date", "date", "需用日期", "Need date", number_format=DATE),
    ),
    key=("task_no", "line_no"), role="output",
)

SALES_ORDER_PUSHED = Table(
    "sales_order_pushed", "销售订单下推", "Pushed quantities",
    (
        col("order_no", "text", "订单编号", "Order no"),
        col("line_no", "integer", "行号", "Line"),
        col("item_code", "text", "物料编码", "Item code"),
        col("qty", "number", "数量", "Qty", number_format=QTY),
        col("pushed_before", "number", "原已下推数量", "Pushed before", number_format=QTY),
        col("pushed_now", "number", "本次下推数量", "Pushed now", number_format=QTY),
        col("pushed_qty", "number", "已下推数量", "Pushed qty", number_format=QTY,
            help_zh="写回销售订单的「已下推数量」", help_en="Written back to the sales orders"),
        col("from_stock", "number", "库存满足", "Covered by stock", number_format=QTY),
        col("task_no", "text", "任务单号", "Task no"),
    ),
    key=("order_no", "line_no"), role="output",
    description_zh="按订单编号+行号写回销售订单的已下推数量",
    description_en="Pushed qty per sales order line, written back by order no + line",
)

RESULT_TABLES = (BOM_CHECK, MESSAGES, LOW_LEVEL_CODES, WHERE_USED, EXPLODED_BOM,
                 PLANNED_ORDERS, MRP_RECORD, PEGGING, EXCEPTIONS, GENERATED_TASKS,
                 MATERIAL_LISTS, SALES_ORDER_PUSHED)
