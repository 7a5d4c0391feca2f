"""Result tables of kitting and shortage analysis (DOMAIN §5, 齐套分析 / 足缺料分析)."""

from __future__ import annotations

from addin.schema.master import DATE, QTY
from addin.schema.model import Table, col

KIT_ORDERS = Table(
    "kit_orders", "齐套分析", "Kitting",
    (
        col("order_no", "text", "订单编号", "Order no"),
        col("line_no", "integer", "行号", "Line"),
        col("item_code", "text", "产品编码", "Product code"),
        col("item_name", "text", "产品名称", "Product name", width=22),
        col("due_date", "date", "交货日期", "Due date", number_format=DATE),
        col("priority", "integer", "优先级", "Priority"),
        col("need_qty", "number", "需求套数", "Sets needed", number_format=QTY),
        col("buildable_sets", "number", "可齐套数", "Sets buildable", number_format=QTY,
            help_zh="按优先级分配后本订单可齐套的套数",
            help_en="Sets this order can build after the orders served before it"),
        col("short_sets", "number", "缺套数", "Sets short", number_format=QTY),
        col("kitted", "bool", "已齐套", "Fully kitted"),
        col("bottleneck", "text", "瓶颈物料", "Bottleneck",
            help_zh="限制可齐套数的物料", help_en="The component that limits the sets"),
        col("kit_date", "date", "预计齐套日期", "Kit date", number_format=DATE,
            help_zh="缺料全部由在途补足的日期；空白表示在途不足",
            help_en="When open receipts cover every shortage; blank = they never do"),
        col("unblocked_by", "text", "齐套依赖单据", "Unblocked by",
            help_zh="到货后本订单即可齐套的单据", help_en="The receipt that completes the kit"),
    ),
    key=("order_no", "line_no"), role="output",
    description_zh="按优先级、交期、订单号依次分配库存后的各订单齐套情况",
    description_en="Sets each order can build, allocating stock by priority, due date, order",
)

KIT_SHORTAGES = Table(
    "kit_shortages", "缺料明细", "Shortages",
    (
        col("order_no", "text", "订单编号", "Order no"),
        col("line_no", "integer", "行号", "Line"),
        col("item_code", "text", "产品编码", "Product code"),
        col("component_code", "text", "子项编码", "Component code"),
        col("component_name", "text", "子项名称", "Component name", width=22),
        col("need_qty", "number", "需求数量", "Need", number_format=QTY),
        col("available_qty", "number", "可用数量", "Available", number_format=QTY),
        col("short_qty", "number", "缺料数量", "Short", number_format=QTY),
        col("receipt_ref", "text", "补足单据", "Covering receipt",
            help_zh="按到货顺序最早补足缺料的在途单据",
            help_en="The earliest open receipt that covers the shortage"),
        col("receipt_date", "date", "补足日期", "Covering date", number_format=DATE),
    ),
    role="output",
    description_zh="每个订单每个物料的缺料数量及最早补足的在途",
    description_en="Shortage per order and component, with the earliest covering receipt",
)

KIT_UNBLOCKED = Table(
    "kit_unblocked", "到货齐套", "Unblocked by receipt",
    (
        col("receipt_ref", "text", "在途单据", "Receipt"),
        col("component_code", "text", "子项编码", "Component code"),
        col("receipt_date", "date", "到货日期", "Receipt date", number_format=DATE),
        col("order_no", "text", "订单编号", "Order no"),
        col("line_no", "integer", "行号", "Line"),
        col("item_code", "text", "产品编码", "Product code"),
        col("need_qty", "number", "需求套数", "Sets needed", number_format=QTY),
    ),
    role="output",
    description_zh="某张在途到货后即可齐套的订单",
    description_en="Orders that become fully kitted when this receipt arrives",
)

KITTING_TABLES = (KIT_ORDERS, KIT_SHORTAGES, KIT_UNBLOCKED)
