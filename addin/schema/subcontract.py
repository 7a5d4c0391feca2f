"""Subcontracting 委外加工 and consigned processing 受托加工 documents (DOMAIN §6), the
tables that drive them (material lists, price policies) and what posting writes about
them (supplier balances, fee adjustments).

The document sheets share the line layout of `documents` (document no, line, date, item,
warehouse, qty, reverses) so the posting engine stacks them with every other document.
"""

from __future__ import annotations

from addin.schema.documents import _SUPPLIER, _doc
from addin.schema.master import DATE, MONEY, QTY
from addin.schema.model import Table, col

_ORDER = col("order_no", "text", "委外单号", "Subcontract order", default="",
             aliases=("subcontract order no", "委外订单号"))
_ORDER_LINE = col("order_line", "integer", "委外行号", "Order line", default=1, min_value=0,
                  aliases=("subcontract order line",))
_AT_SUPPLIER = col("supplier_warehouse", "text", "委外仓", "Supplier warehouse", default="",
                   aliases=("at-supplier warehouse", "委外仓库"),
                   help_zh="留空为该供应商的委外仓", help_en="Blank = the supplier's warehouse")
_FEE = col("fee_price", "number", "加工单价", "Fee per unit", default=0.0, min_value=0,
           number_format=MONEY, aliases=("processing fee", "加工费单价"),
           help_zh="留空按价格政策或委外订单", help_en="Blank = price policy, else the order")

SUBCONTRACT_ISSUES = _doc(
    "subcontract_issues", "委外发料单", "Subcontract issues", _ORDER, _ORDER_LINE,
    _AT_SUPPLIER, _SUPPLIER, aliases=("subcontract issue", "委外发料"))
SUBCONTRACT_RETURNS = _doc(
    "subcontract_returns", "委外退料单", "Subcontract returns", _ORDER, _ORDER_LINE,
    _AT_SUPPLIER, _SUPPLIER,
    col("scrapped_qty", "number", "供应商处报废", "Scrapped at supplier", default=0.0,
        min_value=0, number_format=QTY, aliases=("scrapped",),
        help_zh="在供应商处报废、不退回的数量",
        help_en="Written off at the supplier, not returned"),
    aliases=("subcontract return", "委外退料"))
SUBCONTRACT_RECEIPTS = _doc(
    "subcontract_receipts", "委外入库单", "Subcontract receipts", _ORDER, _ORDER_LINE,
    _AT_SUPPLIER, _SUPPLIER, _FEE, aliases=("subcontract receipt", "委外入库"))
SUBCONTRACT_FEE_INVOICES = _doc(
    "subcontract_fee_invoices", "委外加工费发票", "Subcontract fee invoices", _ORDER,
    _ORDER_LINE, _SUPPLIER,
    col("fee_price", "number", "发票单价", "Invoice price", default=0.0, min_value=0,
        number_format=MONEY, aliases=("invoice price", "price")),
    aliases=("fee invoices", "加工费发票"))
CONSIGNED_RECEIPTS = _doc(
    "consigned_receipts", "受托加工来料单", "Consigned receipts",
    col("customer_code", "text", "客户编码", "Customer code", default="",
        aliases=("customer",)),
    aliases=("customer material receipts", "受托来料"))

SUBCONTRACT_MATERIALS = Table(
    "subcontract_materials", "委外用料清单", "Subcontract materials",
    (
        col("order_no", "text", "委外单号", "Subcontract order", required=True,
            aliases=("order",)),
        col("order_line", "integer", "委外行号", "Order line", default=1, min_value=0),
        col("component_code", "text", "子项编码", "Component code", required=True,
            aliases=("component",)),
        col("qty_per", "number", "单位用量", "Qty per", default=0.0, min_value=0,
            number_format=QTY, aliases=("usage",)),
        col("variable_loss_rate", "number", "变动损耗率", "Loss rate", default=0.0,
            min_value=0, number_format="0.00%"),
    ),
    key=("order_no", "order_line", "component_code"), aliases=("委外投料单",),
    description_zh="委外入库按 入库数量 × 单位用量 × (1 + 损耗率) 核销供应商处材料",
    description_en="A receipt consumes receipt qty × qty per × (1 + loss) at the supplier",
)

SUBCONTRACT_PRICES = Table(
    "subcontract_prices", "委外价格政策", "Subcontract prices",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code", required=True,
            aliases=("supplier",)),
        col("item_code", "text", "物料编码", "Item code", required=True, aliases=("item",)),
        col("min_qty", "number", "数量起点", "From qty", default=0.0, min_value=0,
            number_format=QTY, aliases=("quantity break", "起订量"),
            help_zh="委外订单数量达到此数时适用", help_en="Applies from this order qty"),
        col("unit_price", "number", "加工单价", "Fee per unit", default=0.0, min_value=0,
            number_format=MONEY, aliases=("price", "fee")),
        col("valid_from", "date", "生效日期", "Valid from", number_format=DATE,
            aliases=("effective from",)),
        col("valid_to", "date", "失效日期", "Valid to", number_format=DATE,
            aliases=("effective to",)),
        col("ceiling_price", "number", "最高限价", "Ceiling price", default=0.0, min_value=0,
            number_format=MONEY, aliases=("ceiling", "限价"), help_zh="0 为不限",
            help_en="0 = no ceiling"),
    ),
    key=("supplier_code", "item_code", "min_qty", "valid_from"),
    aliases=("price policies", "委外价格"),
)

SUPPLIER_BALANCES = Table(
    "supplier_balances", "供应商处结存", "Supplier balances",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("component_code", "text", "物料编码", "Component code"),
        *(col(name, "number", zh, en, number_format=QTY)
          for name, zh, en in (("opening_qty", "期初", "Opening"),
                               ("issued_qty", "发出", "Issued"),
                               ("returned_qty", "退回", "Returned"),
                               ("consumed_qty", "核销", "Consumed"),
                               ("scrapped_qty", "报废", "Scrapped"),
                               ("balance_qty", "结存", "Balance"),
                               ("over_consumed_qty", "超耗", "Over-consumed"))),
        col("balance_value", "number", "结存金额", "Balance value", number_format=MONEY),
    ),
    key=("supplier_code", "component_code"), role="output",
    description_zh="结存 = 期初 + 发出 − 退回 − 核销 − 报废；超耗 = 标准用量超出供应商处结存的部分",
    description_en="Balance = opening + issued − returned − consumed − scrapped; "
                   "over-consumed = standard usage beyond what the supplier held",
)

FEE_ADJUSTMENTS = Table(
    "fee_adjustments", "委外加工费补差", "Fee adjustments",
    (
        col("doc_no", "text", "发票号", "Invoice no"),
        col("line_no", "integer", "行号", "Line"),
        col("doc_date", "date", "日期", "Date", number_format=DATE),
        col("order_no", "text", "委外单号", "Subcontract order"),
        col("order_line", "integer", "委外行号", "Order line"),
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("item_code", "text", "物料编码", "Item code"),
        col("warehouse_code", "text", "仓库编码", "Warehouse code"),
        col("qty", "number", "数量", "Qty", number_format=QTY),
        col("receipt_price", "number", "入库加工单价", "Receipt fee", number_format=MONEY),
        col("invoice_price", "number", "发票单价", "Invoice price", number_format=MONEY),
        col("adjustment", "number", "补差金额", "Adjustment", number_format=MONEY),
        col("absorbed", "number", "计入库存金额", "Absorbed by stock", number_format=MONEY,
            help_zh="无结存时为 0，差额计入销售成本",
            help_en="0 when none is on hand: book it to cost of sales"),
    ),
    key=("doc_no", "line_no"), role="output",
)

SUBCONTRACT_TABLES = (SUBCONTRACT_ISSUES, SUBCONTRACT_RECEIPTS, SUBCONTRACT_RETURNS,
                      SUBCONTRACT_FEE_INVOICES, CONSIGNED_RECEIPTS, SUBCONTRACT_MATERIALS,
                      SUBCONTRACT_PRICES, SUPPLIER_BALANCES, FEE_ADJUSTMENTS)
