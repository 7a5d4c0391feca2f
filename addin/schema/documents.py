"""Shop-floor and stock documents (DOMAIN §6) and the tables posting writes.

Each document type is its own sheet, as in Kingdee/U8, but all share one line layout so
the posting engine can stack them into one frame. A document is every line with the same
document number; it posts as a whole or not at all. A line whose `reverses_doc_no` is
filled reverses that (earlier posted) document instead of carrying its own quantities.
"""

from __future__ import annotations

from addin.schema.master import DATE, MONEY, QTY
from addin.schema.model import Choice, Column, Table, col

ISSUE_MODE = (
    Choice("direct", "直接领料", "Direct", ("direct issue", "领料")),
    Choice("kit", "配套领料", "Kit", ("kit issue", "配套", "sets")),
    Choice("merged", "合并领料", "Merged", ("merged issue", "多任务合并领料", "合并")),
)

DOC_TYPE = (
    Choice("purchase_receipt", "采购入库", "Purchase receipt", ("外购入库",)),
    Choice("purchase_return", "采购退货", "Purchase return", ("退货",)),
    Choice("material_issue", "生产领料", "Material issue", ("领料",)),
    Choice("supplement", "补料", "Supplement", ("补料单",)),
    Choice("material_return", "生产退料", "Material return", ("退料",)),
    Choice("product_receipt", "产品入库", "Product receipt", ("完工入库",)),
    Choice("transfer_out", "调拨出库", "Transfer out", ()),
    Choice("transfer_in", "调拨入库", "Transfer in", ()),
    Choice("scrap", "报废", "Scrap", ("write-off", "报损")),
    Choice("reversal", "冲销", "Reversal", ("红字", "reverse")),
    Choice("subcontract_issue", "委外发料", "Subcontract issue", ()),
    Choice("subcontract_return", "委外退料", "Subcontract return", ()),
    Choice("subcontract_scrap", "委外报废", "Scrapped at supplier", ()),
    Choice("subcontract_consume", "委外核销", "Consumed at supplier", ()),
    Choice("subcontract_receipt", "委外入库", "Subcontract receipt", ()),
    Choice("fee_adjustment", "委外加工费补差", "Fee adjustment", ()),
    Choice("consigned_receipt", "受托来料", "Consigned receipt", ()),
    Choice("subcontract_reject", "委外判退", "Rejected to subcontractor", ()),
    Choice("qc_rework", "判退返修", "Rejected for rework", ()),
)

# Where the goods of a receipt notice come from (blank: production when a task is
# given, subcontract when an order is, else purchase)
NOTICE_SOURCE = (
    Choice("purchase", "采购", "Purchase", ("采购收料", "外购")),
    Choice("production", "生产", "Production", ("生产入库", "完工", "product receipt")),
    Choice("subcontract", "委外", "Subcontract", ("委外加工", "委外入库")),
)


def _head() -> tuple[Column, ...]:
    return (
        col("doc_no", "text", "单据编号", "Document no", required=True,
            aliases=("document", "单号", "bill no")),
        col("line_no", "integer", "行号", "Line", default=1, min_value=0, aliases=("line",)),
        col("doc_date", "date", "单据日期", "Date", required=True, number_format=DATE,
            aliases=("date", "日期", "业务日期")),
    )


def _place() -> tuple[Column, ...]:
    return (
        col("warehouse_code", "text", "仓库编码", "Warehouse code",
            aliases=("warehouse", "仓库")),
        col("location_code", "text", "库位编码", "Location code", default="",
            aliases=("location", "库位")),
        col("lot", "text", "批号", "Lot", default="", aliases=("batch",)),
    )


def _qty(zh: str = "数量", en: str = "Qty") -> Column:
    return col("qty", "number", zh, en, default=0.0, number_format=QTY,
               aliases=("quantity", "实发数量", "实收数量"))


_ITEM = col("item_code", "text", "物料编码", "Item code", aliases=("item", "物料代码"))
_TASK = col("task_no", "text", "任务单号", "Task no", default="",
            aliases=("task", "生产任务单号"),
            help_zh="合并领料可填多个，用逗号分隔",
            help_en="Merged issue: several, comma-separated")
_COST = col("unit_cost", "number", "单价", "Unit cost", default=0.0, min_value=0,
            number_format=MONEY, aliases=("price", "成本单价"))
_REVERSES = col("reverses_doc_no", "text", "冲销单号", "Reverses document", default="",
                aliases=("reverses", "原单号"),
                help_zh="填写后冲销该单据的全部分录",
                help_en="Reverses every move of that document")
_SUPPLIER = col("supplier_code", "text", "供应商编码", "Supplier code", default="",
                aliases=("supplier",))


def _doc(name: str, zh: str, en: str, *extra: Column, aliases: tuple[str, ...] = ()
         ) -> Table:
    return Table(name, zh, en, (*_head(), _ITEM, *_place(), _qty(), *extra, _REVERSES),
                 key=("doc_no", "line_no"), aliases=aliases)


MATERIAL_ISSUES = _doc(
    "material_issues", "生产领料单", "Material issues", _TASK,
    col("issue_mode", "choice", "领料方式", "Issue mode", default="direct", choices=ISSUE_MODE),
    col("sets", "number", "套数", "Sets", default=0.0, min_value=0, number_format=QTY,
        help_zh="配套领料：按套数计算各子项", help_en="Kit issue: components for this many sets"),
    aliases=("issues", "领料单"))
SUPPLEMENTS = _doc("supplements", "补料单", "Supplements", _TASK)
MATERIAL_RETURNS = _doc(
    "material_returns", "退料单", "Material returns", _TASK,
    col("returns_doc_no", "text", "原领料单号", "Returns issue", default="",
        aliases=("original issue", "领料单号"),
        help_zh="按该领料单的发出成本退回；留空按任务的发出成本",
        help_en="Comes back at that issue's cost; blank = the task's issue cost"))
PRODUCT_RECEIPTS = _doc(
    "product_receipts", "产品入库单", "Product receipts", _TASK, _COST,
    col("conversion_cost", "number", "人工及制造费用", "Labour + overhead", default=0.0,
        min_value=0, number_format=MONEY, aliases=("labour and overhead",),
        help_zh="返修、受托加工任务：每单位人工及制造费用",
        help_en="Rework and consigned tasks: labour + overhead per unit"))
PURCHASE_RECEIPTS = _doc("purchase_receipts", "外购入库单", "Purchase receipts", _SUPPLIER,
                         _COST)
PURCHASE_RETURNS = _doc("purchase_returns", "采购退货单", "Purchase returns", _SUPPLIER)

RECEIPT_NOTICES = _doc(
    "receipt_notices", "收料通知单", "Receipt notices", _SUPPLIER, _COST,
    col("source", "choice", "来源", "Source", default="", choices=NOTICE_SOURCE,
        aliases=("notice source", "来源类型"),
        help_zh="采购、生产或委外；留空时有任务单号为生产，有委外单号为委外，否则为采购",
        help_en="Purchase, production or subcontract; blank = production when a task is "
                "given, subcontract when an order is, else purchase"),
    col("task_no", "text", "任务单号", "Task no", default="", aliases=("task", "生产任务单号"),
        help_zh="生产收料：完工产品的任务单，按产品入库的规则计价并倒冲",
        help_en="Production: the task whose product arrives (costed and backflushed as a "
                "product receipt)"),
    col("order_no", "text", "委外单号", "Subcontract order", default="",
        aliases=("subcontract order no", "委外订单号"),
        help_zh="委外收料：入库时按标准用量核销供应商处材料并计加工费",
        help_en="Subcontract: consumes the supplier-held material and adds the fee on "
                "receipt"),
    col("order_line", "integer", "委外行号", "Order line", default=1, min_value=0,
        aliases=("subcontract order line",)),
    aliases=("receipt notice", "收料通知", "到货通知单"))

INSPECTIONS = Table(
    "inspections", "检验单", "Inspections",
    (*_head(),
     col("notice_no", "text", "收料通知单号", "Receipt notice no", required=True,
         aliases=("notice",)),
     col("notice_line", "integer", "通知单行号", "Notice line", default=1, min_value=0),
     *(col(name, "number", zh, en, default=0.0, min_value=0, number_format=QTY)
       for name, zh, en in (("passed_qty", "合格数量", "Passed"),
                            ("concession_qty", "让步接收数量", "Concession"),
                            ("rejected_qty", "判退数量", "Rejected"),
                            ("scrapped_qty", "报废数量", "Scrapped"))),
     col("stock_warehouse", "text", "入库仓库", "Stock warehouse", aliases=("warehouse",))),
    key=("doc_no", "line_no"), aliases=("qc", "质检单"),
)

TASK_MATERIALS = Table(
    "task_materials", "生产投料单", "Task materials",
    (
        col("task_no", "text", "任务单号", "Task no", required=True, aliases=("task",)),
        col("component_code", "text", "子项编码", "Component code", required=True,
            aliases=("component",)),
        col("qty_per", "number", "单位用量", "Qty per", default=0.0, number_format=QTY),
        col("variable_loss_rate", "number", "变动损耗率", "Loss rate", default=0.0,
            number_format="0.00%"),
        col("fixed_loss", "number", "固定损耗", "Fixed loss", default=0.0, number_format=QTY),
        col("required_qty", "number", "应发数量", "Required qty", default=0.0, min_value=0,
            number_format=QTY),
        col("issued_qty", "number", "已发数量", "Issued qty", default=0.0, min_value=0,
            number_format=QTY, help_zh="本次过账前", help_en="Before this posting"),
        col("scrapped_qty", "number", "报废数量", "Scrapped qty", default=0.0, min_value=0,
            number_format=QTY),
        col("issue_method", "text", "发料方式", "Issue method", default="direct"),
        col("supply_warehouse", "text", "发料仓库", "Supply warehouse", default=""),
    ),
    key=("task_no", "component_code"), aliases=("投料单明细",),
)

_MOVE_COLUMNS = (
    col("seq", "integer", "序号", "Seq"),
    col("doc_type", "choice", "单据类型", "Document type", choices=DOC_TYPE),
    col("doc_no", "text", "单据编号", "Document no"),
    col("line_no", "integer", "行号", "Line"),
    col("doc_date", "date", "日期", "Date", number_format=DATE),
    col("item_code", "text", "物料编码", "Item code"),
    col("warehouse_code", "text", "仓库编码", "Warehouse code"),
    col("location_code", "text", "库位编码", "Location code"),
    col("lot", "text", "批号", "Lot"),
    col("task_no", "text", "任务单号", "Task no"),
    col("qty", "number", "数量", "Qty", number_format=QTY, help_zh="入正出负",
        help_en="In positive, out negative"),
    col("unit_cost", "number", "单价", "Unit cost", number_format=MONEY),
    col("value", "number", "金额", "Value", number_format=MONEY),
    col("concession", "bool", "让步接收", "Concession"),
)
# added after the original columns so that their positions stay as they were
_MOVE_ORDER = col("order_no", "text", "订单号", "Order no", help_zh="委外单号等来源订单",
                  help_en="The subcontract (or other) order of the move")
_MOVE_NOTICE = col("notice_no", "text", "收料通知单号", "Receipt notice",
                   help_zh="经待检仓的收料通知单及其检验分录",
                   help_en="The receipt notice of goods that went through inspection")

STOCK_MOVES = Table("stock_moves", "库存流水", "Stock moves", (*_MOVE_COLUMNS, _MOVE_ORDER,
                                                               _MOVE_NOTICE),
                    key=("seq",), role="output")

STOCK_LEDGER = Table(
    "stock_ledger", "存货明细账", "Stock ledger",
    (*_MOVE_COLUMNS,
     col("balance_qty", "number", "结存数量", "Balance qty", number_format=QTY),
     col("average_cost", "number", "移动平均单价", "Average cost", number_format=MONEY),
     col("balance_value", "number", "结存金额", "Balance value", number_format=MONEY),
     _MOVE_ORDER, _MOVE_NOTICE),
    key=("seq",), role="output",
    description_zh="按物料+仓库的移动加权平均明细账",
    description_en="Moving-average ledger per item and warehouse",
)

def _rates(name: str, zh: str, en: str, first: Column, **more: str) -> Table:
    return Table(
        name, zh, en,
        (
            first,
            *(col(field, "number", label_zh, label_en, number_format=QTY)
              for field, label_zh, label_en in (("inspected_qty", "检验数量", "Inspected"),
                                   ("passed_qty", "合格数量", "Passed"),
                                   ("concession_qty", "让步接收数量", "Concession"),
                                   ("rejected_qty", "判退数量", "Rejected"),
                                   ("scrapped_qty", "报废数量", "Scrapped"))),
            col("pass_rate", "number", "合格率", "Pass rate", number_format="0.00%"),
            col("acceptance_rate", "number", "接收率", "Acceptance rate",
                number_format="0.00%"),
        ),
        key=(first.name,), role="output", **more)


QUALITY_RATES = _rates("quality_rates", "供应商质量", "Supplier quality",
                       col("supplier_code", "text", "供应商编码", "Supplier code"),
                       description_zh="采购及委外收料（委外商即供应商）",
                       description_en="Purchase and subcontract notices (subcontractors "
                                      "are suppliers)")
PRODUCT_QUALITY = _rates("product_quality", "产品质量", "Product quality",
                         col("item_code", "text", "产品编码", "Product"),
                         description_zh="生产收料通知按产品统计：合格率 = 合格 / 检验，"
                                        "接收率 = (合格 + 让步) / 检验",
                         description_en="Production notices per product: pass rate = "
                                        "passed / inspected, acceptance = (passed + "
                                        "concession) / inspected")

DOCUMENT_TABLES = (MATERIAL_ISSUES, SUPPLEMENTS, MATERIAL_RETURNS, PRODUCT_RECEIPTS,
                   PURCHASE_RECEIPTS, PURCHASE_RETURNS, RECEIPT_NOTICES, INSPECTIONS,
                   TASK_MATERIALS, STOCK_MOVES, STOCK_LEDGER, QUALITY_RATES, PRODUCT_QUALITY)

# Sales deliveries 销售出库 (issue #10, invoice matching): stock out to a customer, with the
# sales order it fulfils (blank: matched to the customer's open orders in date order).
SHIPMENTS = _doc(
    "shipments", "销售出库单", "Shipments",
    col("customer_code", "text", "客户编码", "Customer code", default="",
        aliases=("customer", "客户")),
    col("order_no", "text", "销售订单号", "Sales order no", default="",
        aliases=("sales order", "订单编号", "源单单号")),
    col("unit_price", "number", "销售单价", "Unit price", default=0.0, min_value=0,
        number_format=MONEY, aliases=("price", "不含税单价"),
        help_zh="不含税；留空取订单单价", help_en="Excluding VAT; blank = the order's price"),
    aliases=("deliveries", "sales deliveries", "销售出库", "发货单"))
DOCUMENT_TABLES = (*DOCUMENT_TABLES, SHIPMENTS)
