"""Demand and supply tables (DOMAIN §2): stock, allocations, sales orders, forecasts,
purchase orders, production tasks and subcontract orders."""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.master import DATE, MONEY, QTY
from addin.schema.model import Table, col

STOCK = Table(
    "stock", "即时库存", "Stock",
    (
        col("item_code", "text", "物料编码", "Item code", required=True,
            aliases=("item", "物料代码", "sku")),
        col("warehouse_code", "text", "仓库编码", "Warehouse code", required=True,
            aliases=("warehouse", "仓库")),
        col("location_code", "text", "库位编码", "Location code", default="",
            aliases=("location", "库位", "bin")),
        col("lot", "text", "批号", "Lot", default="", aliases=("batch", "lot no")),
        col("tracking_no", "text", "计划跟踪号", "Tracking no", default="",
            aliases=("tracking number", "跟踪号")),
        col("qty", "number", "库存数量", "Qty on hand", required=True, number_format=QTY,
            aliases=("on hand", "quantity", "数量", "库存", "结存数量")),
        col("locked_qty", "number", "锁库数量", "Locked qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("locked", "锁库")),
    ),
    key=("item_code", "warehouse_code", "location_code", "lot", "tracking_no"),
    aliases=("inventory", "on hand", "库存"),
)

ALLOCATIONS = Table(
    "allocations", "已分配量", "Allocations",
    (
        col("item_code", "text", "物料编码", "Item code", required=True, aliases=("item",)),
        col("qty", "number", "分配数量", "Qty", required=True, min_value=0, number_format=QTY,
            aliases=("allocated", "quantity", "已分配")),
        col("required_date", "date", "需用日期", "Required date", number_format=DATE,
            aliases=("date", "need date")),
        col("source_type", "text", "来源类型", "Source type", aliases=("source",)),
        col("source_no", "text", "来源单号", "Source no", aliases=("document", "单号")),
        col("tracking_no", "text", "计划跟踪号", "Tracking no", default=""),
    ),
    key=("item_code", "source_type", "source_no", "tracking_no", "required_date"),
    aliases=("allocated", "reservations"),
)

SALES_ORDERS = Table(
    "sales_orders", "销售订单", "Sales orders",
    (
        col("order_no", "text", "订单编号", "Order no", required=True,
            aliases=("order", "so", "单据编号", "订单号", "sales order")),
        col("line_no", "integer", "行号", "Line", default=1, min_value=0,
            aliases=("line", "序号", "分录号")),
        col("customer_code", "text", "客户编码", "Customer code", aliases=("customer", "客户")),
        col("item_code", "text", "物料编码", "Item code", required=True,
            aliases=("item", "sku", "商家编码")),
        col("qty", "number", "数量", "Qty", required=True, min_value=0, number_format=QTY,
            aliases=("quantity", "订单数量", "销售数量")),
        col("shipped_qty", "number", "已发货数量", "Shipped qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("shipped", "已出库数量", "发货数量")),
        col("due_date", "date", "交货日期", "Due date", required=True, number_format=DATE,
            aliases=("delivery date", "交期", "要货日期", "date")),
        col("priority", "integer", "优先级", "Priority", default=5, min_value=0,
            help_zh="数字越小越优先", help_en="Lower number = served first"),
        col("status", "choice", "状态", "Status", default="open", choices=ch.ORDER_STATUS),
        col("tracking_no", "text", "计划跟踪号", "Tracking no", default="",
            help_zh="以销定产物料留空时用 订单号-行号", help_en="MTO: blank = order-line"),
        col("pushed_qty", "number", "已下推数量", "Pushed qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("pushed", "已生成任务数量"),
            help_zh="已生成生产任务的数量", help_en="Already turned into production tasks"),
        col("unit_price", "number", "单价", "Unit price", default=0.0, min_value=0,
            number_format=MONEY, aliases=("price",)),
        col("bom_version", "text", "BOM版本", "BOM version", default=""),
        col("source_platform", "text", "来源平台", "Source platform", default="",
            aliases=("platform", "source")),
    ),
    key=("order_no", "line_no"),
    aliases=("orders", "sales", "销售订单明细"),
)

FORECASTS = Table(
    "forecasts", "预测单", "Forecasts",
    (
        col("item_code", "text", "物料编码", "Item code", required=True, aliases=("item",)),
        col("forecast_date", "date", "预测日期", "Forecast date", required=True,
            number_format=DATE, aliases=("date", "period start", "期间开始")),
        col("qty", "number", "预测数量", "Qty", required=True, min_value=0, number_format=QTY,
            aliases=("quantity", "forecast")),
        col("forecast_no", "text", "预测单号", "Forecast no", default="",
            aliases=("document",)),
    ),
    key=("item_code", "forecast_date", "forecast_no"),
    aliases=("forecast", "预测"),
)

_OPEN_SUPPLY_COMMON = (
    col("item_code", "text", "物料编码", "Item code", required=True, aliases=("item", "sku")),
    col("qty", "number", "数量", "Qty", required=True, min_value=0, number_format=QTY,
        aliases=("quantity", "订货数量", "计划数量")),
)

PURCHASE_ORDERS = Table(
    "purchase_orders", "采购订单", "Purchase orders",
    (
        col("po_no", "text", "采购单号", "PO no", required=True,
            aliases=("order no", "po", "单据编号", "订单编号")),
        col("line_no", "integer", "行号", "Line", default=1, min_value=0, aliases=("line",)),
        col("supplier_code", "text", "供应商编码", "Supplier code", aliases=("supplier",)),
        *_OPEN_SUPPLY_COMMON,
        col("received_qty", "number", "已入库数量", "Received qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("received", "已收货数量", "累计入库数量")),
        col("due_date", "date", "交货日期", "Due date", required=True, number_format=DATE,
            aliases=("delivery date", "到货日期", "date")),
        col("status", "choice", "状态", "Status", default="open", choices=ch.ORDER_STATUS),
        col("unit_price", "number", "单价", "Unit price", default=0.0, min_value=0,
            number_format=MONEY, aliases=("price",)),
        col("tracking_no", "text", "计划跟踪号", "Tracking no", default=""),
    ),
    key=("po_no", "line_no"),
    aliases=("po", "purchases", "purchase order lines"),
)

PRODUCTION_TASKS = Table(
    "production_tasks", "生产任务单", "Production tasks",
    (
        col("task_no", "text", "任务单号", "Task no", required=True,
            aliases=("task", "mo", "work order", "生产任务单号", "单据编号")),
        *_OPEN_SUPPLY_COMMON,
        col("stocked_qty", "number", "已入库数量", "Stocked-in qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("completed", "入库数量", "完工入库数量")),
        col("start_date", "date", "计划开工日期", "Start date", number_format=DATE,
            aliases=("start", "开工日期")),
        col("due_date", "date", "计划完工日期", "Finish date", required=True,
            number_format=DATE, aliases=("finish date", "完工日期", "due")),
        col("status", "choice", "状态", "Status", default="released", choices=ch.TASK_STATUS),
        col("tracking_no", "text", "计划跟踪号", "Tracking no", default=""),
        col("bom_version", "text", "BOM版本", "BOM version", default=""),
        col("warehouse_code", "text", "入库仓库", "Warehouse", aliases=("warehouse",)),
        col("source_order_no", "text", "来源订单", "Source order", default=""),
        col("source_line_no", "integer", "来源行号", "Source line", default=0),
        col("task_kind", "choice", "任务类型", "Task kind", default="normal",
            choices=ch.TASK_KIND, aliases=("kind", "生产类型"),
            help_zh="返修：领用产品本身再入库；受托加工：客供料不计成本",
            help_en="Rework: issues the product itself; consigned: customer material at 0"),
    ),
    key=("task_no",),
    aliases=("tasks", "work orders", "生产任务"),
)

SUBCONTRACT_ORDERS = Table(
    "subcontract_orders", "委外订单", "Subcontract orders",
    (
        col("order_no", "text", "委外单号", "Order no", required=True,
            aliases=("order", "单据编号")),
        col("line_no", "integer", "行号", "Line", default=1, min_value=0, aliases=("line",)),
        col("supplier_code", "text", "供应商编码", "Supplier code", aliases=("supplier",)),
        *_OPEN_SUPPLY_COMMON,
        col("received_qty", "number", "已入库数量", "Received qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("received",)),
        col("due_date", "date", "交货日期", "Due date", required=True, number_format=DATE,
            aliases=("date",)),
        col("status", "choice", "状态", "Status", default="open", choices=ch.ORDER_STATUS),
        col("unit_price", "number", "加工单价", "Fee per unit", default=0.0, min_value=0,
            number_format=MONEY, aliases=("price", "fee")),
        col("tracking_no", "text", "计划跟踪号", "Tracking no", default=""),
    ),
    key=("order_no", "line_no"),
    aliases=("subcontract", "委外"),
)

FLOW_TABLES = (STOCK, ALLOCATIONS, SALES_ORDERS, FORECASTS, PURCHASE_ORDERS,
               PRODUCTION_TASKS, SUBCONTRACT_ORDERS)
