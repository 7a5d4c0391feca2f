"""Allowed values of the choice columns, with Chinese/English labels and common aliases."""

from __future__ import annotations

from addin.schema.model import Choice

ITEM_TYPE = (
    Choice("purchased", "外购", "Purchased", ("buy", "p", "采购", "外购件")),
    Choice("manufactured", "自制", "Manufactured", ("make", "m", "自制件", "生产")),
    Choice("subcontracted", "委外", "Subcontracted", ("subcontract", "s", "委外加工", "外协")),
    Choice("phantom", "虚拟件", "Phantom", ("虚拟", "phantom assembly", "kit", "跳层")),
    Choice("customer_supplied", "客供", "Customer-supplied", ("客供料", "customer supplied", "cs")),
)

PLANNING_MODE = (
    Choice("MTS", "备货生产", "MTS", ("make to stock", "按库存生产")),
    Choice("MTO", "以销定产", "MTO", ("make to order", "按订单生产", "订单生产")),
)

LOT_RULE = (
    Choice("LFL", "批对批", "Lot-for-lot", ("lot for lot", "l4l", "直接批量")),
    Choice("FOQ", "固定批量", "Fixed order qty", ("fixed", "fixed order quantity")),
    Choice("POQ", "期间订货量", "Period order qty", ("period order quantity", "期间批量")),
    Choice("EOQ", "经济批量", "EOQ", ("economic order quantity",)),
    Choice("SM", "Silver-Meal", "Silver-Meal", ("silver meal", "silvermeal")),
    Choice("WW", "Wagner-Whitin", "Wagner-Whitin", ("wagner whitin", "wagnerwhitin")),
    Choice("LUC", "最小单位成本", "Least unit cost", ("least unit cost",)),
    Choice("LTC", "最小总成本", "Least total cost", ("least total cost", "ppb", "part period")),
)

ISSUE_METHOD = (
    Choice("direct", "直接领料", "Direct issue", ("direct issue", "领料", "manual")),
    Choice("backflush", "倒冲", "Backflush", ("倒冲领料", "倒冲发料")),
    Choice("none", "不领料", "No issue", ("不发料", "no issue")),
)

INSPECTION = (
    Choice("exempt", "免检", "Exempt", ("none", "no", "不检")),
    Choice("sample", "抽检", "Sample", ("sampling", "抽样")),
    Choice("full", "全检", "Full", ("100%", "full inspection")),
)

WAREHOUSE_TYPE = (
    Choice("normal", "普通仓", "Normal", ("普通", "regular", "stock")),
    Choice("inspection", "待检仓", "Inspection", ("待检", "qc", "quality")),
    Choice("customer_virtual", "受托虚仓", "Customer material", ("受托", "consigned", "虚仓")),
    Choice("at_supplier", "委外仓", "At supplier", ("委外", "subcontractor", "at subcontractor")),
)

BOM_LINE_TYPE = (
    Choice("component", "子项", "Component", ("普通件", "standard", "normal")),
    Choice("co_product", "联产品", "Co-product", ("coproduct", "co product")),
    Choice("by_product", "副产品", "By-product", ("byproduct", "by product")),
)

ORDER_STATUS = (
    Choice("open", "未关闭", "Open", ("审核", "已审核", "开立", "confirmed", "active", "进行中")),
    Choice("closed", "已关闭", "Closed", ("关闭", "完成", "done", "completed", "finished")),
    Choice("cancelled", "已作废", "Cancelled", ("作废", "取消", "canceled", "void")),
)

TASK_STATUS = (
    Choice("planned", "计划", "Planned", ("plan", "计划确认")),
    Choice("released", "下达", "Released", ("已下达", "开工", "in progress", "started")),
    Choice("closed", "结案", "Closed", ("已结案", "关闭", "完工", "done", "finished")),
    Choice("cancelled", "作废", "Cancelled", ("已作废", "取消", "canceled", "void")),
)

TASK_KIND = (
    Choice("normal", "普通", "Normal", ("standard", "生产")),
    Choice("rework", "返修", "Rework", ("返工", "repair")),
    Choice("consigned", "受托加工", "Consigned", ("受托", "consigned processing")),
)

SEVERITY = (
    Choice("error", "错误", "Error", ("e",)),
    Choice("warning", "警告", "Warning", ("w", "warn")),
    Choice("info", "提示", "Info", ("i",)),
)

ORDER_TYPE = (
    Choice("purchase", "采购申请", "Purchase requisition", ("po", "purchase")),
    Choice("production", "生产任务", "Production task", ("mo", "make")),
    Choice("subcontract", "委外订单", "Subcontract order", ("sub",)),
)

DEMAND_TYPE = (
    Choice("sales_order", "销售订单", "Sales order", ("so",)),
    Choice("forecast", "预测", "Forecast", ("fc",)),
    Choice("safety_stock", "安全库存", "Safety stock", ("ss",)),
    Choice("allocation", "已分配", "Allocation", ("alloc",)),
    Choice("dependent", "相关需求", "Dependent", ("parent",)),
)

# The KPIs of `report dashboard` (addin/engines/dashboard.py) and their units.
DASHBOARD_KPI = (
    Choice("fill_rate", "订单满足率", "Fill rate", ("otif",)),
    Choice("lines_due", "到期订单行", "Order lines due", ()),
    Choice("shortage_lines", "缺料行", "Shortage lines", ("shortages",)),
    Choice("overdue_tasks", "逾期任务", "Overdue tasks", ("overdue",)),
    Choice("stock_value", "库存金额", "Stock value", ()),
    Choice("issued_value", "本期发出金额", "Value issued", ()),
    Choice("inventory_turns", "存货周转次数（年化）", "Inventory turns (annualised)",
           ("turns",)),
)

KPI_UNIT = (
    Choice("percent", "%", "%", ("%",)),
    Choice("lines", "行", "lines", ()),
    Choice("tasks", "个", "tasks", ()),
    Choice("money", "元", "money", ()),
    Choice("per_year", "次/年", "times a year", ()),
)
