"""Costing tables (DOMAIN §7): standards for the roll-up, cost pools, cost objects with
their WIP, joint products; and the result tables of the `cost` command.

Actual direct material per cost object comes from the posted documents when the workbook
has them (the Direct material sheet shows it per task and item); the cost objects'
material_cost column is used only without documents.
"""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.master import MONEY, QTY, RATE
from addin.schema.model import Choice, Table, col

UNIT_COST = "#,##0.0000"

OVERHEAD_BASIS = (
    Choice("labour_hours", "人工工时", "Labour hours", ("labor hours", "dlh", "工时")),
    Choice("machine_hours", "机器工时", "Machine hours", ("mh", "机时")),
)

COST_ELEMENT = (
    Choice("material", "直接材料", "Direct material", ("dm", "材料", "materials")),
    Choice("labour", "直接人工", "Direct labour", ("dl", "labor", "人工", "工资")),
    Choice("overhead", "制造费用", "Overhead", ("oh", "moh", "费用", "manufacturing overhead")),
)

ALLOCATION_BASIS = (
    Choice("quantity", "完工数量×系数", "Completed qty × coefficient",
           ("qty", "completed qty", "完工数量", "产量", "系数")),
    Choice("actual_hours", "实际工时", "Actual hours", ("hours", "工时")),
    Choice("standard_hours", "定额工时", "Standard hours", ("std hours", "标准工时")),
    Choice("machine_hours", "机器工时", "Machine hours", ("mh", "机时")),
    Choice("material_cost", "材料成本", "Material cost", ("材料", "dm")),
)

WIP_METHOD = (
    Choice("weighted", "约当产量（加权平均）", "Equivalent units (weighted average)",
           ("weighted average", "wa", "约当产量", "加权平均")),
    Choice("fifo", "约当产量（先进先出）", "Equivalent units (FIFO)",
           ("先进先出", "first in first out")),
    Choice("none", "不计在产品成本", "No WIP cost", ("no wip", "不计算在产品")),
    Choice("standard", "在产品按定额材料", "WIP at standard material",
           ("standard material", "定额成本", "按定额")),
)

JOINT_METHOD = (
    Choice("coefficient", "系数法", "Coefficient", ("coef", "系数", "weight")),
    Choice("sales_value", "售价法", "Sales value", ("sales", "售价", "relative sales value")),
    Choice("physical", "实物量法", "Physical units", ("units", "quantity", "实物量")),
    Choice("nrv", "可变现净值法", "Net realisable value", ("net realizable value", "可变现净值")),
    Choice("share", "固定比例法", "Fixed share", ("cost share", "percentage", "fixed percentage",
                                             "比例", "固定比例", "分配比例")),
)

# Result rows per element end with a total row per cost object.
ELEMENT_OR_TOTAL = (*COST_ELEMENT, Choice("total", "合计", "Total", ("sum",)))

PRODUCT_KIND = (
    Choice("main", "主产品", "Main product", ("main product", "主")),
    Choice("co_product", "联产品", "Co-product", ("co product", "coproduct", "联")),
    Choice("by_product", "副产品", "By-product", ("by product", "byproduct", "副")),
)

COST_STANDARDS = Table(
    "cost_standards", "标准成本参数", "Cost standards",
    (
        col("item_code", "text", "物料编码", "Item code", required=True, aliases=("item",)),
        col("labour_hours", "number", "单位人工工时", "Labour hours", min_value=0,
            aliases=("std hours", "标准工时"),
            help_zh="留空取物料表的单位标准工时", help_en="Blank = the item's standard hours"),
        col("labour_rate", "number", "工资率", "Labour rate", default=0.0, min_value=0,
            number_format=MONEY, aliases=("wage rate", "小时工资率")),
        col("machine_hours", "number", "单位机器工时", "Machine hours", default=0.0, min_value=0,
            aliases=("mh",)),
        col("overhead_rate", "number", "制造费用分配率", "Overhead rate", default=0.0,
            min_value=0, number_format=MONEY, aliases=("oh rate", "费用率")),
        col("overhead_basis", "choice", "费用分配基础", "Overhead basis",
            default="labour_hours", choices=OVERHEAD_BASIS, aliases=("basis",)),
        col("subcontract_fee", "number", "委外加工费", "Subcontract fee", default=0.0,
            min_value=0, number_format=MONEY, aliases=("processing fee", "加工费")),
    ),
    key=("item_code",), aliases=("standard costs", "成本标准"),
)

COST_POOLS = Table(
    "cost_pools", "费用归集", "Cost pools",
    (
        col("cost_centre", "text", "成本中心", "Cost centre", required=True,
            aliases=("cost center", "车间", "department", "部门")),
        col("period", "text", "期间", "Period", required=True, aliases=("month", "会计期间")),
        col("element", "choice", "成本项目", "Cost element", required=True,
            choices=COST_ELEMENT, aliases=("element",)),
        col("amount", "number", "金额", "Amount", required=True, number_format=MONEY),
        col("basis", "choice", "分配基础", "Basis", default="quantity",
            choices=ALLOCATION_BASIS, aliases=("allocation basis", "分配标准")),
    ),
    key=("cost_centre", "period", "element"), aliases=("pools", "费用"),
)

COST_OBJECTS = Table(
    "cost_objects", "成本计算对象", "Cost objects",
    (
        col("cost_object", "text", "成本对象", "Cost object", required=True,
            aliases=("task no", "任务单号", "生产任务单号", "产品")),
        col("item_code", "text", "物料编码", "Item code", aliases=("item", "product")),
        col("cost_centre", "text", "成本中心", "Cost centre", required=True,
            aliases=("cost center", "车间", "department")),
        col("period", "text", "期间", "Period", required=True, aliases=("month",)),
        col("method", "choice", "在产品计价", "WIP method", default="weighted",
            choices=WIP_METHOD, aliases=("method",)),
        col("completed_qty", "number", "完工数量", "Completed qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("finished qty", "完工")),
        col("coefficient", "number", "分配系数", "Coefficient", default=1.0, min_value=0,
            aliases=("coef",)),
        col("actual_hours", "number", "实际工时", "Actual hours", default=0.0, min_value=0),
        col("standard_hours", "number", "定额工时", "Standard hours", default=0.0, min_value=0),
        col("machine_hours", "number", "机器工时", "Machine hours", default=0.0, min_value=0),
        col("material_cost", "number", "直接材料", "Direct material", default=0.0,
            number_format=MONEY, aliases=("material", "dm", "材料成本"),
            help_zh="本期领料成本（领料+补料−退料）；有单据时按单据计算",
            help_en="Issues + supplements − returns; from the documents when there are any"),
        col("opening_wip_qty", "number", "期初在产数量", "Opening WIP qty", default=0.0,
            min_value=0, number_format=QTY),
        col("opening_completion", "number", "期初完工程度", "Opening completion",
            default=0.0, min_value=0, number_format=RATE),
        col("opening_material_completion", "number", "期初投料程度",
            "Opening material completion", default=1.0, min_value=0, number_format=RATE),
        col("opening_material_cost", "number", "期初直接材料", "Opening material",
            default=0.0, number_format=MONEY),
        col("opening_labour_cost", "number", "期初直接人工", "Opening labour",
            default=0.0, number_format=MONEY),
        col("opening_overhead_cost", "number", "期初制造费用", "Opening overhead",
            default=0.0, number_format=MONEY),
        col("standard_material", "number", "单位定额材料", "Standard material per unit",
            default=0.0, min_value=0, number_format=MONEY),
    ),
    key=("cost_object", "period"), aliases=("cost tasks", "成本计算单"),
)

WIP_LINES = Table(
    "wip_lines", "在产品", "WIP",
    (
        col("cost_object", "text", "成本对象", "Cost object", required=True,
            aliases=("task no", "任务单号")),
        col("operation", "text", "工序", "Operation", aliases=("op",)),
        col("wip_qty", "number", "在产数量", "WIP qty", required=True, min_value=0,
            number_format=QTY),
        col("completion", "number", "完工程度", "Completion", default=0.5, min_value=0,
            number_format=RATE, aliases=("degree", "约当系数", "完工率")),
        col("material_completion", "number", "投料程度", "Material completion", default=1.0,
            min_value=0, number_format=RATE, aliases=("投料率",)),
    ),
    # several lines per task at different degrees are fine; the same degree twice is not
    key=("cost_object", "operation", "completion"),
    aliases=("work in progress", "在产品数量"),
)

JOINT_COSTS = Table(
    "joint_costs", "联合成本", "Joint costs",
    (
        col("batch", "text", "批次", "Batch", required=True, aliases=("joint process", "批号")),
        col("joint_cost", "number", "联合成本", "Joint cost", required=True, number_format=MONEY),
        col("method", "choice", "分配方法", "Method", default="coefficient",
            choices=JOINT_METHOD),
    ),
    key=("batch",),
)

JOINT_PRODUCTS = Table(
    "joint_products", "联副产品", "Joint products",
    (
        col("batch", "text", "批次", "Batch", required=True),
        col("product_code", "text", "产品编码", "Product code", required=True,
            aliases=("item code", "product")),
        col("product_kind", "choice", "产品类别", "Kind", default="main", choices=PRODUCT_KIND),
        col("qty", "number", "产量", "Qty", required=True, min_value=0, number_format=QTY),
        col("coefficient", "number", "系数", "Coefficient", default=1.0, min_value=0),
        col("sales_price", "number", "单位售价", "Sales price", default=0.0, min_value=0,
            number_format=MONEY),
        col("separable_cost", "number", "分离后加工成本", "Separable cost", default=0.0,
            min_value=0, number_format=MONEY, aliases=("further processing cost",)),
        col("unit_value", "number", "副产品单位计价", "By-product unit value", default=0.0,
            min_value=0, number_format=MONEY,
            help_zh="副产品按定额成本或可变现净值；留空按售价−分离后成本",
            help_en="By-product at standard or NRV; blank = price − separable cost"),
        col("cost_share", "number", "成本分配比例%", "Cost share %", default=0.0, min_value=0,
            number_format="0.00", aliases=("share", "cost share", "分配比例", "比例"),
            help_zh="固定比例法：该产品分得联合成本的百分比（20 即 20%），一批合计 100",
            help_en="Fixed share method: the product's percentage of the joint cost "
                    "(20 = 20 %); a batch's shares add up to 100"),
    ),
    key=("batch", "product_code"),
)

COST_ROLLUP = Table(
    "cost_rollup", "标准成本卷算", "Cost roll-up",
    (
        col("item_code", "text", "物料编码", "Item code"),
        col("item_name", "text", "物料名称", "Item name", width=24),
        col("item_type", "choice", "物料属性", "Item type", choices=ch.ITEM_TYPE),
        col("low_level_code", "integer", "低层码", "Low-level code"),
        col("material_cost", "number", "直接材料", "Material", number_format=UNIT_COST),
        col("labour_cost", "number", "直接人工", "Labour", number_format=UNIT_COST),
        col("overhead_cost", "number", "制造费用", "Overhead", number_format=UNIT_COST),
        col("subcontract_cost", "number", "委外加工费", "Subcontract", number_format=UNIT_COST),
        col("this_level_cost", "number", "本层成本", "This level", number_format=UNIT_COST),
        col("lower_level_cost", "number", "下层成本", "Lower levels", number_format=UNIT_COST),
        col("unit_cost", "number", "单位标准成本", "Unit cost", number_format=UNIT_COST),
    ),
    key=("item_code",), role="output",
)

COST_ALLOCATION = Table(
    "cost_allocation", "费用分配", "Cost allocation",
    (
        col("cost_centre", "text", "成本中心", "Cost centre"),
        col("period", "text", "期间", "Period"),
        col("element", "choice", "成本项目", "Cost element", choices=COST_ELEMENT),
        col("cost_object", "text", "成本对象", "Cost object"),
        col("basis", "choice", "分配基础", "Basis", choices=ALLOCATION_BASIS),
        col("basis_value", "number", "基础数", "Basis value", number_format=QTY),
        col("share", "number", "分配比例", "Share", number_format="0.0000%"),
        col("allocated", "number", "分配金额", "Allocated", number_format=MONEY),
    ),
    role="output",
)

COST_OF_PRODUCTION = Table(
    "cost_of_production", "完工与在产", "Finished and WIP",
    (
        col("cost_object", "text", "成本对象", "Cost object"),
        col("element", "choice", "成本项目", "Cost element", choices=ELEMENT_OR_TOTAL),
        col("opening_cost", "number", "期初在产", "Opening WIP", number_format=MONEY),
        col("added_cost", "number", "本期投入", "Added", number_format=MONEY),
        col("total_cost", "number", "合计", "Total", number_format=MONEY),
        col("equivalent_units", "number", "约当产量", "Equivalent units", number_format=QTY),
        col("unit_cost", "number", "单位成本", "Cost per unit", number_format=UNIT_COST),
        col("wip_cost", "number", "期末在产", "Closing WIP", number_format=MONEY),
        col("finished_cost", "number", "完工成本", "Finished", number_format=MONEY),
        col("finished_unit_cost", "number", "完工单位成本", "Finished unit cost",
            number_format=UNIT_COST),
    ),
    role="output",
)

JOINT_COST_SPLIT = Table(
    "joint_cost_split", "联副产品成本", "Joint cost split",
    (
        col("batch", "text", "批次", "Batch"),
        col("product_code", "text", "产品编码", "Product code"),
        col("product_kind", "choice", "产品类别", "Kind", choices=PRODUCT_KIND),
        col("qty", "number", "产量", "Qty", number_format=QTY),
        col("basis_value", "number", "分配基础", "Basis value", number_format=MONEY),
        col("share", "number", "分配比例", "Share", number_format="0.0000%"),
        col("allocated", "number", "分配成本", "Allocated cost", number_format=MONEY),
        col("unit_cost", "number", "单位成本", "Unit cost", number_format=UNIT_COST),
    ),
    role="output",
)

COSTING_TABLES = (COST_STANDARDS, COST_POOLS, COST_OBJECTS, WIP_LINES, JOINT_COSTS,
                  JOINT_PRODUCTS, COST_ROLLUP, COST_ALLOCATION, COST_OF_PRODUCTION,
                  JOINT_COST_SPLIT)

# -- period close from the stock ledger, multi-level transfer and the cost reports ------

MATERIAL_KIND = (
    Choice("raw", "原材料", "Raw material", ("material", "原料")),
    Choice("semi_finished", "自制半成品", "Semi-finished", ("semi", "半成品")),
    Choice("subcontracted", "委外半成品", "Subcontracted part", ("subcontract", "委外件")),
    Choice("rework", "返修原件", "Reworked product", ("返修", "original")),
    Choice("consigned", "受托加工料", "Customer material", ("customer material", "客供料", "受托")),
)

VARIANCE_ELEMENT = COST_ELEMENT

TASK_MATERIAL_COST = Table(
    "task_material_cost", "直接材料明细", "Direct material",
    (
        col("cost_object", "text", "成本对象", "Cost object"),
        col("item_code", "text", "物料编码", "Item code"),
        col("material_kind", "choice", "材料类别", "Kind", choices=MATERIAL_KIND),
        col("qty", "number", "耗用数量", "Qty used", number_format=QTY,
            help_zh="领料+补料−退料", help_en="Issues + supplements − returns"),
        col("ledger_value", "number", "出库成本", "Ledger value", number_format=MONEY,
            help_zh="存货明细账的移动平均成本", help_en="At moving average, as posted"),
        col("unit_cost", "number", "单位成本", "Unit cost", number_format=UNIT_COST),
        col("value", "number", "计入成本", "Costed value", number_format=MONEY,
            help_zh="半成品按本期实际成本重新计价", help_en="Semi-finished re-priced at "
            "this period's actual cost"),
    ),
    role="output",
)

COST_COMPOSITION = Table(
    "cost_composition", "成本构成", "Cost composition",
    (
        col("item_code", "text", "产品编码", "Product"),
        col("element", "choice", "成本项目", "Cost element", choices=ELEMENT_OR_TOTAL),
        col("opening_cost", "number", "期初在产", "Opening WIP", number_format=MONEY),
        col("added_cost", "number", "本期投入", "Input", number_format=MONEY),
        col("finished_cost", "number", "完工成本", "Finished", number_format=MONEY),
        col("wip_cost", "number", "期末在产", "Closing WIP", number_format=MONEY),
        col("completed_qty", "number", "完工数量", "Finished qty", number_format=QTY),
        col("unit_cost", "number", "单位成本", "Unit cost", number_format=UNIT_COST),
        col("share", "number", "构成比例", "Share", number_format="0.00%",
            help_zh="占完工成本", help_en="Of the finished cost"),
    ),
    role="output",
)

COST_RESTORATION = Table(
    "cost_restoration", "成本还原", "Cost restoration",
    (
        col("cost_object", "text", "成本对象", "Cost object"),
        col("item_code", "text", "产品编码", "Product"),
        col("completed_qty", "number", "完工数量", "Finished qty", number_format=QTY),
        col("raw_material", "number", "原材料", "Raw material", number_format=MONEY),
        col("semi_finished", "number", "半成品", "Semi-finished", number_format=MONEY),
        col("labour", "number", "直接人工", "Labour", number_format=MONEY),
        col("overhead", "number", "制造费用", "Overhead", number_format=MONEY),
        col("finished_cost", "number", "完工成本", "Finished", number_format=MONEY),
        col("restored_material", "number", "还原后直接材料", "Restored material",
            number_format=MONEY),
        col("restored_labour", "number", "还原后直接人工", "Restored labour",
            number_format=MONEY),
        col("restored_overhead", "number", "还原后制造费用", "Restored overhead",
            number_format=MONEY),
        col("restored_subcontract", "number", "还原后委外加工费", "Restored subcontract fee",
            number_format=MONEY),
        col("unit_cost", "number", "单位成本", "Unit cost", number_format=UNIT_COST),
    ),
    role="output",
)

COST_VARIANCE = Table(
    "cost_variance", "成本差异", "Cost variances",
    (
        col("cost_object", "text", "成本对象", "Cost object"),
        col("item_code", "text", "产品编码", "Product"),
        col("element", "choice", "成本项目", "Cost element", choices=VARIANCE_ELEMENT),
        col("component_code", "text", "子项编码", "Component"),
        col("output_qty", "number", "本期约当产量", "Output (EU)", number_format=QTY),
        col("standard_qty", "number", "标准用量/工时", "Standard qty", number_format=QTY),
        col("actual_qty", "number", "实际用量/工时", "Actual qty", number_format=QTY),
        col("standard_price", "number", "标准单价/费率", "Standard price",
            number_format=UNIT_COST),
        col("actual_price", "number", "实际单价/费率", "Actual price", number_format=UNIT_COST),
        col("standard_cost", "number", "标准成本", "Standard cost", number_format=MONEY),
        col("actual_cost", "number", "实际成本", "Actual cost", number_format=MONEY),
        col("price_variance", "number", "价格差异", "Price variance", number_format=MONEY,
            help_zh="(实际价−标准价)×实际量", help_en="(AP − SP) × AQ"),
        col("usage_variance", "number", "用量差异", "Usage variance", number_format=MONEY,
            help_zh="(实际量−标准量)×标准价", help_en="(AQ − SQ) × SP"),
        col("efficiency_variance", "number", "效率差异", "Efficiency variance",
            number_format=MONEY, help_zh="(实际工时−标准工时)×标准费率",
            help_en="(AH − SH) × SR"),
        col("total_variance", "number", "差异合计", "Total variance", number_format=MONEY),
    ),
    role="output",
)

ORDER_PROFIT = Table(
    "order_profit", "订单利润", "Order profit",
    (
        col("order_no", "text", "订单编号", "Order no"),
        col("line_no", "integer", "行号", "Line"),
        col("customer_code", "text", "客户编码", "Customer code"),
        col("item_code", "text", "物料编码", "Item code"),
        col("tasks", "text", "生产任务", "Tasks", width=20),
        col("qty", "number", "计利数量", "Qty", number_format=QTY,
            help_zh="已发货数量；未发货按完工数量", help_en="Shipped; if none, finished"),
        col("unit_price", "number", "单价", "Unit price", number_format=MONEY),
        col("revenue", "number", "收入", "Revenue", number_format=MONEY),
        col("unit_cost", "number", "单位成本", "Unit cost", number_format=UNIT_COST),
        col("cost", "number", "成本", "Cost", number_format=MONEY),
        col("profit", "number", "毛利", "Profit", number_format=MONEY),
        col("margin", "number", "毛利率", "Margin", number_format="0.00%"),
    ),
    role="output",
)

SUBCONTRACT_COST = Table(
    "subcontract_cost", "委外加工成本", "Subcontract cost",
    (
        col("order_no", "text", "委外单号", "Order no"),
        col("item_code", "text", "物料编码", "Item code"),
        col("period", "text", "期间", "Period"),
        col("received_qty", "number", "入库数量", "Received qty", number_format=QTY),
        col("material_cost", "number", "耗用材料", "Material consumed", number_format=MONEY),
        col("fee", "number", "加工费", "Processing fee", number_format=MONEY),
        col("fee_adjustment", "number", "加工费补差", "Fee adjustment", number_format=MONEY),
        col("total_cost", "number", "本期成本", "Cost of the period", number_format=MONEY),
        col("unit_cost", "number", "累计单位成本", "Unit cost to date", number_format=UNIT_COST),
    ),
    role="output",
)

COST_REROLL = Table(
    "cost_reroll", "成本重算", "Cost re-roll",
    (
        col("item_code", "text", "物料编码", "Item code"),
        col("old_unit_cost", "number", "原单位成本", "Old unit cost", number_format=UNIT_COST),
        col("new_unit_cost", "number", "新单位成本", "New unit cost", number_format=UNIT_COST),
        col("difference", "number", "差额", "Difference", number_format=UNIT_COST),
    ),
    key=("item_code",), role="output",
)

COSTING_TABLES = (*COSTING_TABLES, TASK_MATERIAL_COST,
                  COST_COMPOSITION, COST_RESTORATION, COST_VARIANCE, ORDER_PROFIT,
                  SUBCONTRACT_COST, COST_REROLL)
