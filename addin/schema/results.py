"""Result tables that commands write back into the workbook."""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.master import DATE, QTY
from addin.schema.model import Table, col

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
        col("scheduled_receipts", "number", "预计入库", "Scheduled receipts", number_format=QTY),
        col("projected_available", "number", "预计可用", "Projected available",
            number_format=QTY),
        col("net", "number", "净需求", "Net requirement", number_format=QTY),
        col("planned_receipts", "number", "计划入库", "Planned receipts", number_format=QTY),
        col("planned_releases", "number", "计划下达", "Planned releases", number_format=QTY),
    ),
    role="output",
)

PEGGING = Table(
    "pegging", "需求追溯", "Pegging",
    (
        col("order_id", "text", "计划订单号", "Planned order"),
        col("item_code", "text", "物料编码", "Item code"),
        col("demand_type", "choice", "需求类型", "Demand type", choices=ch.DEMAND_TYPE),
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
    ),
    role="output",
)

RESULT_TABLES = (BOM_CHECK, MESSAGES, LOW_LEVEL_CODES, WHERE_USED, EXPLODED_BOM,
                 PLANNED_ORDERS, MRP_RECORD, PEGGING, EXCEPTIONS)
