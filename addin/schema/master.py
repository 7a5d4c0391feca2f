"""Master data tables (DOMAIN §1): items, BOM, warehouses, locations, partners, units,
calendars, code mappings and workbook settings."""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.model import Table, col

QTY = "#,##0.####"
MONEY = "#,##0.00"
RATE = "0.00%"
DATE = "yyyy-mm-dd"

ITEMS = Table(
    "items", "物料", "Items",
    (
        col("item_code", "text", "物料编码", "Item code", required=True,
            aliases=("code", "item", "物料代码", "料号", "编码", "sku", "part number", "part no"),
            help_zh="唯一编码，如 01.02.0001", help_en="Unique code, e.g. 01.02.0001"),
        col("item_name", "text", "物料名称", "Item name", required=True,
            aliases=("name", "名称", "品名", "description"), width=24),
        col("spec", "text", "规格型号", "Specification", aliases=("规格", "型号", "spec")),
        col("stock_unit", "text", "库存单位", "Stock unit", default="pcs",
            aliases=("unit", "单位", "uom", "计量单位", "基本单位")),
        col("item_type", "choice", "物料属性", "Item type", required=True, choices=ch.ITEM_TYPE,
            aliases=("type", "属性", "make/buy", "make buy")),
        col("planning_mode", "choice", "计划模式", "Planning mode", default="MTS",
            choices=ch.PLANNING_MODE, aliases=("mode", "计划策略")),
        col("lead_time_days", "number", "固定提前期", "Lead time (days)", default=0.0,
            min_value=0, aliases=("lead time", "提前期", "lt", "固定提前期(天)")),
        col("variable_lead_days", "number", "变动提前期", "Variable lead time (days)",
            default=0.0, min_value=0, aliases=("variable lead time",)),
        col("variable_lead_batch", "number", "变动提前期批量", "Variable lead batch",
            default=0.0, min_value=0, aliases=("lead time batch",)),
        col("safety_stock", "number", "安全库存", "Safety stock", default=0.0, min_value=0,
            number_format=QTY, aliases=("ss", "safety stock qty")),
        col("lot_rule", "choice", "批量规则", "Lot rule", default="LFL", choices=ch.LOT_RULE,
            aliases=("lot sizing", "批量法则", "订货策略")),
        col("lot_size", "number", "固定批量", "Fixed lot size", default=0.0, min_value=0,
            number_format=QTY, aliases=("foq", "lot qty", "批量")),
        col("lot_single", "bool", "单批", "Single lot", default=False,
            aliases=("foq single lot", "one lot"),
            help_zh="固定批量：是=一批Q（不足时按净需求）；否=整批数×Q",
            help_en="FOQ: yes = one lot of Q raised to the need; no = whole lots of Q"),
        col("poq_days", "number", "期间天数", "POQ days", default=0.0, min_value=0,
            aliases=("poq periods", "period days", "订货间隔")),
        col("setup_cost", "number", "订货成本", "Setup cost", default=0.0, min_value=0,
            number_format=MONEY, aliases=("order cost", "ordering cost", "准备成本")),
        col("holding_cost", "number", "持有成本", "Holding cost", default=0.0, min_value=0,
            number_format=MONEY, aliases=("carrying cost", "单位持有成本"),
            help_zh="每单位每天（或每期）", help_en="Per unit per day (or per period)"),
        col("min_order_qty", "number", "最小订货量", "Min order qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("moq", "minimum", "最小批量", "最小订货批量")),
        col("max_order_qty", "number", "最大订货量", "Max order qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("maximum", "最大批量", "最大订货批量")),
        col("order_multiple", "number", "批量增量", "Order multiple", default=0.0, min_value=0,
            number_format=QTY, aliases=("multiple", "increment", "倍数", "批量倍数")),
        col("increment_over_min", "bool", "增量基于最小量", "Increment over min", default=False,
            aliases=("increment over minimum",)),
        col("merge_days", "number", "合并天数", "Merge window (days)", default=0.0, min_value=0,
            aliases=("merge window", "合并投放天数")),
        col("default_warehouse", "text", "默认仓库", "Default warehouse",
            aliases=("warehouse", "仓库")),
        col("issue_method", "choice", "发料方式", "Issue method", default="direct",
            choices=ch.ISSUE_METHOD, aliases=("领料方式",)),
        col("inspection", "choice", "检验方式", "Inspection", default="exempt",
            choices=ch.INSPECTION, aliases=("qc", "质检方式")),
        col("standard_cost", "number", "标准成本", "Standard cost", default=0.0, min_value=0,
            number_format=MONEY, aliases=("std cost", "标准单价")),
        col("purchase_price", "number", "采购单价", "Purchase price", default=0.0, min_value=0,
            number_format=MONEY, aliases=("price", "单价", "unit price")),
        col("default_supplier", "text", "默认供应商", "Default supplier",
            aliases=("supplier", "供应商")),
        col("standard_hours", "number", "单位标准工时", "Standard hours", default=0.0,
            min_value=0, aliases=("std hours", "标准工时")),
        col("integer_only", "bool", "整数", "Whole units", default=False,
            aliases=("integer", "whole units only", "只取整数")),
    ),
    key=("item_code",),
    aliases=("item", "物料清单主数据", "物料主数据", "materials", "parts"),
)

BOM = Table(
    "bom", "BOM", "BOM",
    (
        col("parent_code", "text", "父项编码", "Parent code", required=True,
            aliases=("parent", "父项物料编码", "父项", "assembly", "产品编码")),
        col("component_code", "text", "子项编码", "Component code", required=True,
            aliases=("component", "child", "子项物料编码", "子项", "material")),
        col("qty_numerator", "number", "用量分子", "Qty numerator", default=1.0,
            number_format=QTY, aliases=("qty per", "quantity", "用量", "qty", "usage")),
        col("qty_denominator", "number", "用量分母", "Qty denominator", default=1.0,
            number_format=QTY, aliases=("denominator", "分母")),
        col("variable_loss_rate", "number", "变动损耗率", "Variable loss rate", default=0.0,
            number_format=RATE, aliases=("loss rate", "scrap", "scrap rate", "损耗率")),
        col("fixed_loss", "number", "固定损耗", "Fixed loss", default=0.0,
            number_format=QTY, aliases=("fixed scrap", "setup loss")),
        col("unit", "text", "单位", "Unit", aliases=("uom", "用量单位", "bom unit")),
        col("issue_method", "choice", "发料方式", "Issue method", choices=ch.ISSUE_METHOD,
            aliases=("领料方式",)),
        col("skip_level", "bool", "跳层", "Skip level", default=False,
            aliases=("phantom", "skip")),
        col("effective_from", "date", "生效日期", "Effective from", number_format=DATE,
            aliases=("valid from", "start date")),
        col("effective_to", "date", "失效日期", "Effective to", number_format=DATE,
            aliases=("valid to", "end date")),
        col("bom_version", "text", "BOM版本", "BOM version", default="",
            aliases=("version", "版本", "bom no")),
        col("line_type", "choice", "子项类型", "Line type", default="component",
            choices=ch.BOM_LINE_TYPE, aliases=("type",)),
        col("cost_weight", "number", "成本权重", "Cost weight", default=0.0,
            aliases=("coefficient", "系数")),
        col("supply_warehouse", "text", "发料仓库", "Supply warehouse",
            aliases=("backflush warehouse", "倒冲仓库")),
    ),
    key=("parent_code", "component_code", "bom_version", "effective_from"),
    aliases=("bom lines", "物料清单", "bill of materials", "bom物料清单"),
)

WAREHOUSES = Table(
    "warehouses", "仓库", "Warehouses",
    (
        col("warehouse_code", "text", "仓库编码", "Warehouse code", required=True,
            aliases=("code", "warehouse", "仓库代码")),
        col("warehouse_name", "text", "仓库名称", "Warehouse name", aliases=("name",)),
        col("warehouse_type", "choice", "仓库类型", "Warehouse type", default="normal",
            choices=ch.WAREHOUSE_TYPE, aliases=("type",)),
        col("nettable", "bool", "参与MRP", "Nettable", default=True,
            aliases=("mrp", "参与mrp计算", "mrp nettable")),
        col("available", "bool", "纳入可用量", "Available", default=True,
            aliases=("available to promise", "可用")),
        col("costed", "bool", "记入成本", "Costed", default=True, aliases=("cost",)),
        col("supplier_code", "text", "供应商编码", "Supplier code", aliases=("supplier",)),
    ),
    key=("warehouse_code",),
    aliases=("warehouse", "stores"),
)

LOCATIONS = Table(
    "locations", "库位", "Locations",
    (
        col("warehouse_code", "text", "仓库编码", "Warehouse code", required=True,
            aliases=("warehouse",)),
        col("location_code", "text", "库位编码", "Location code", required=True,
            aliases=("location", "bin", "仓位")),
        col("location_name", "text", "库位名称", "Location name", aliases=("name",)),
    ),
    key=("warehouse_code", "location_code"),
    aliases=("bins", "仓位"),
)

CUSTOMERS = Table(
    "customers", "客户", "Customers",
    (
        col("customer_code", "text", "客户编码", "Customer code", required=True,
            aliases=("code", "customer", "客户代码")),
        col("customer_name", "text", "客户名称", "Customer name", required=True,
            aliases=("name",), width=24),
        col("tax_id", "text", "纳税人识别号", "Tax ID", aliases=("税号", "taxpayer id")),
        col("contact", "text", "联系人", "Contact"),
        col("phone", "text", "电话", "Phone", aliases=("tel", "telephone")),
        col("address", "text", "地址", "Address", width=30),
    ),
    key=("customer_code",),
)

SUPPLIERS = Table(
    "suppliers", "供应商", "Suppliers",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code", required=True,
            aliases=("code", "supplier", "供应商代码", "vendor")),
        col("supplier_name", "text", "供应商名称", "Supplier name", required=True,
            aliases=("name", "vendor name"), width=24),
        col("tax_id", "text", "纳税人识别号", "Tax ID", aliases=("税号",)),
        col("contact", "text", "联系人", "Contact"),
        col("phone", "text", "电话", "Phone", aliases=("tel",)),
    ),
    key=("supplier_code",),
    aliases=("vendors",),
)

UNITS = Table(
    "units", "计量单位", "Units",
    (
        col("unit_code", "text", "单位编码", "Unit code", required=True, aliases=("unit", "code")),
        col("unit_name", "text", "单位名称", "Unit name", aliases=("name",)),
        col("integer_only", "bool", "整数", "Whole units", default=False,
            aliases=("integer",)),
    ),
    key=("unit_code",),
    aliases=("uom", "单位"),
)

UNIT_CONVERSIONS = Table(
    "unit_conversions", "单位换算", "Unit conversions",
    (
        col("item_code", "text", "物料编码", "Item code", default="",
            help_zh="留空表示通用", help_en="Blank = applies to all items"),
        col("from_unit", "text", "原单位", "From unit", required=True, aliases=("from",)),
        col("to_unit", "text", "目标单位", "To unit", required=True, aliases=("to",)),
        col("factor", "number", "换算率", "Factor", required=True, min_value=0,
            aliases=("rate", "conversion rate", "换算系数"),
            help_zh="1 原单位 = 换算率 × 目标单位", help_en="1 from-unit = factor × to-unit"),
    ),
    key=("item_code", "from_unit", "to_unit"),
    aliases=("conversions", "换算率"),
)

CALENDAR = Table(
    "calendar", "工作日历", "Calendar",
    (
        col("calendar_date", "date", "日期", "Date", required=True, number_format=DATE,
            aliases=("date",)),
        col("working", "bool", "工作日", "Working day", default=True,
            aliases=("is working day", "work", "上班")),
        col("note", "text", "备注", "Note", aliases=("remark",)),
    ),
    key=("calendar_date",),
    aliases=("calendars", "work calendar", "日历"),
)

CODE_MAPPINGS = Table(
    "code_mappings", "编码映射", "Code mappings",
    (
        col("platform", "text", "平台", "Platform", required=True, aliases=("source",)),
        col("entity", "text", "对象", "Entity", required=True, aliases=("table",)),
        col("external_code", "text", "外部编码", "External code", required=True,
            aliases=("external", "platform code")),
        col("canonical_code", "text", "标准编码", "Canonical code", required=True,
            aliases=("code", "internal code")),
    ),
    key=("platform", "entity", "external_code"),
    aliases=("mappings", "编码对照"),
)

SETTINGS = Table(
    "settings", "设置", "Settings",
    (
        col("setting", "text", "参数", "Setting", required=True, aliases=("key", "name")),
        col("value", "text", "值", "Value", aliases=("setting value",)),
        col("note", "text", "说明", "Note", width=40),
    ),
    key=("setting",),
    aliases=("parameters", "参数设置"),
)

MASTER_TABLES = (ITEMS, BOM, WAREHOUSES, LOCATIONS, CUSTOMERS, SUPPLIERS, UNITS,
                 UNIT_CONVERSIONS, CALENDAR, CODE_MAPPINGS, SETTINGS)
