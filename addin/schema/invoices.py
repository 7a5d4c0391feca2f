"""Invoices 发票 (进项 purchase / 销项 sales) and the result sheets of three-way matching.

One line per invoice line, as the e-invoice platform's 全量发票查询导出 lists them. An
invoice is identified by its 数电票号码 or, for a legacy invoice, 发票代码 + 发票号码; the
key adds the line number. A red-letter invoice (是否正数发票 = 否) carries negative
amounts and names the blue invoice it reverses; a voided invoice is never matched.
"""

from __future__ import annotations

from addin.schema.master import DATE, MONEY, QTY
from addin.schema.model import Choice, Column, Table, col

DIRECTION = (
    Choice("in", "进项", "Purchase", ("purchase", "进项发票", "取得发票", "收票", "input")),
    Choice("out", "销项", "Sales", ("sales", "销项发票", "开具发票", "开票", "output")),
)

INVOICE_STATUS = (
    Choice("normal", "正常", "Normal", ("正常发票", "valid", "有效")),
    Choice("voided", "作废", "Voided", ("已作废", "作废发票", "void", "cancelled")),
    Choice("red_letter", "已红冲", "Reversed", ("红冲", "部分红冲", "全额红冲", "红字",
                                                "reversed", "red letter", "red-letter")),
)

SIDE = (
    Choice("purchase", "采购", "Purchase", ("in", "进项")),
    Choice("sales", "销售", "Sales", ("out", "销项")),
)

LINE_KIND = (
    Choice("receipt", "入库", "Receipt", ("purchase receipt", "外购入库")),
    Choice("shipment", "出库", "Shipment", ("销售出库",)),
    Choice("invoice", "发票", "Invoice", ()),
)

MATCH_STATUS = (
    Choice("matched", "相符", "Matched", ()),
    Choice("price_within", "价差在容差内", "Price within tolerance", ()),
    Choice("price_beyond", "价差超容差", "Price beyond tolerance", ()),
)

DIFFERENCE_KIND = (
    Choice("price", "单价差异", "Price", ()),
    Choice("qty", "数量差异", "Quantity", ()),
    Choice("tax_rate", "税率差异", "Tax rate", ()),
    Choice("tax_rounding", "税额尾差", "Tax rounding", ()),
    Choice("tax", "税额差异", "Tax", ()),
)


def _money(name: str, zh: str, en: str, **options: object) -> Column:
    return col(name, "number", zh, en, number_format=MONEY, **options)


def _qty(name: str, zh: str, en: str, **options: object) -> Column:
    return col(name, "number", zh, en, number_format=QTY, **options)


INVOICE_LINES = Table(
    "invoice_lines", "发票明细", "Invoice lines",
    (
        col("direction", "choice", "进销项", "Direction", default="", choices=DIRECTION,
            aliases=("发票方向", "进项/销项", "in/out"),
            help_zh="留空时按本公司税号、供应商/客户税号判断",
            help_en="Blank: told from the company's and the partners' tax ids"),
        col("einvoice_no", "text", "数电票号码", "E-invoice no",
            aliases=("数电发票号码", "全电发票号码", "全电票号码", "invoice no", "发票号"),
            width=22),
        col("invoice_code", "text", "发票代码", "Invoice code", default="",
            aliases=("invoice code",)),
        col("invoice_number", "text", "发票号码", "Invoice number", default="",
            aliases=("invoice number",)),
        col("line_no", "integer", "行号", "Line", default=1, min_value=0, aliases=("line",)),
        col("issue_date", "date", "开票日期", "Issue date", required=True, number_format=DATE,
            aliases=("开具日期", "date", "invoice date")),
        col("seller_tax_id", "text", "销方识别号", "Seller tax id", default="",
            aliases=("销方纳税人识别号", "销售方纳税人识别号", "销售方识别号", "seller tax id")),
        col("seller_name", "text", "销方名称", "Seller name", default="",
            aliases=("销售方名称", "seller"), width=24),
        col("buyer_tax_id", "text", "购方识别号", "Buyer tax id", default="",
            aliases=("购方纳税人识别号", "购买方纳税人识别号", "购买方识别号", "buyer tax id")),
        col("buyer_name", "text", "购买方名称", "Buyer name", default="",
            aliases=("购方名称", "buyer"), width=24),
        col("tax_category_code", "text", "税收分类编码", "Tax category code", default="",
            aliases=("商品和服务税收分类编码",)),
        col("goods_name", "text", "货物或应税劳务名称", "Goods or service",
            default="", aliases=("货物或应税劳务、服务名称", "项目名称", "商品名称", "goods"),
            width=24),
        col("spec", "text", "规格型号", "Specification", default="",
            aliases=("规格", "型号", "spec")),
        col("unit", "text", "单位", "Unit", default=""),
        _qty("qty", "数量", "Qty", default=0.0, aliases=("quantity",)),
        _money("unit_price", "单价", "Unit price", aliases=("price", "不含税单价")),
        _money("amount", "金额", "Amount", required=True,
               aliases=("不含税金额", "net amount")),
        col("tax_rate", "number", "税率", "Tax rate", number_format="0%",
            aliases=("征收率", "税率/征收率", "rate")),
        _money("tax", "税额", "Tax", default=0.0, aliases=("tax amount",)),
        _money("total", "价税合计", "Total", aliases=("gross amount", "含税金额")),
        col("source", "text", "发票来源", "Source", default=""),
        col("invoice_type", "text", "发票票种", "Invoice type", default="",
            aliases=("发票类型", "票种", "type")),
        col("status", "choice", "发票状态", "Status", default="normal",
            choices=INVOICE_STATUS),
        col("positive", "bool", "是否正数发票", "Positive", default=True,
            aliases=("正数发票", "是否蓝字发票")),
        col("original_invoice", "text", "蓝字发票号码", "Reverses invoice", default="",
            aliases=("对应蓝字发票号码", "原发票号码", "被红冲蓝字数电发票号码",
                     "reverses", "original invoice"),
            help_zh="红字发票冲销的蓝字发票；留空时从备注中读取",
            help_en="Red-letter: the invoice it reverses; blank = read from the remarks"),
        col("remarks", "text", "备注", "Remarks", default="", aliases=("note",), width=30),
    ),
    key=("einvoice_no", "invoice_code", "invoice_number", "line_no"),
    aliases=("invoices", "发票", "全量发票", "发票清单"),
    description_zh="进项与销项发票明细（数电票或增值税发票），每张发票每行一条",
    description_en="Purchase and sales invoice lines (digital e-invoices or VAT invoices)",
)

_SIDE = col("side", "choice", "业务", "Side", choices=SIDE)
_PARTY = col("party_code", "text", "往来单位", "Partner", help_zh="供应商或客户编码",
             help_en="Supplier or customer code")
_ITEM = col("item_code", "text", "物料编码", "Item code",
            help_zh="发票无法对应物料时为货物名称", help_en="Goods name when no item fits")

INVOICE_MATCHES = Table(
    "invoice_matches", "发票匹配", "Invoice matches",
    (
        _SIDE, _PARTY, _ITEM,
        col("doc_no", "text", "单据编号", "Document no"),
        col("doc_line", "integer", "单据行号", "Doc line"),
        col("doc_date", "date", "单据日期", "Doc date", number_format=DATE),
        col("order_no", "text", "订单号", "Order no"),
        col("invoice_no", "text", "发票号码", "Invoice no", width=22),
        col("invoice_line", "integer", "发票行号", "Invoice line"),
        col("issue_date", "date", "开票日期", "Issue date", number_format=DATE),
        _qty("qty", "匹配数量", "Qty matched"),
        _money("order_price", "订单单价", "Order price"),
        _money("invoice_price", "发票单价", "Invoice price"),
        _money("doc_amount", "单据金额", "Document amount", help_zh="匹配数量 × 订单单价",
               help_en="Qty matched × order price"),
        _money("invoice_amount", "发票金额", "Invoice amount", help_zh="不含税",
               help_en="Excluding VAT"),
        _money("difference", "差额", "Difference", help_zh="发票金额 − 单据金额",
               help_en="Invoice amount − document amount"),
        col("status", "choice", "匹配结果", "Result", choices=MATCH_STATUS),
    ),
    role="output",
    description_zh="单据与发票按往来单位、物料、日期顺序逐笔匹配的明细",
    description_en="Each document line matched to each invoice line, by partner, item and date",
)

_OPEN_COLUMNS = (
    _SIDE,
    col("kind", "choice", "类型", "Kind", choices=LINE_KIND),
    _PARTY, _ITEM,
    col("doc_no", "text", "单据/发票号", "Document no", width=22),
    col("line_no", "integer", "行号", "Line"),
    col("doc_date", "date", "日期", "Date", number_format=DATE),
    _qty("qty", "数量", "Qty"),
    _qty("matched_qty", "已匹配数量", "Matched qty"),
    _qty("remaining_qty", "未匹配数量", "Remaining qty"),
    _money("amount", "金额", "Amount"),
    _money("remaining_amount", "未匹配金额", "Remaining amount"),
    col("counterpart", "text", "对应单据", "Matched with", width=30,
        help_zh="已匹配的发票或单据", help_en="Invoices or documents matched so far"),
    col("note", "text", "说明", "Note", width=30),
)

MATCH_PARTIAL = Table("match_partial", "部分匹配", "Partially matched", _OPEN_COLUMNS,
                      role="output",
                      description_zh="部分开票的单据、部分对应单据的发票，及剩余数量金额",
                      description_en="Lines only partly matched, with what remains")
MATCH_UNMATCHED = Table("match_unmatched", "未匹配", "Unmatched", _OPEN_COLUMNS,
                        role="output",
                        description_zh="未开票的单据与找不到单据的发票",
                        description_en="Documents with no invoice and invoices with no document")

MATCH_DIFFERENCES = Table(
    "match_differences", "匹配差异", "Match differences",
    (
        col("kind", "choice", "差异类型", "Kind", choices=DIFFERENCE_KIND),
        col("within_tolerance", "bool", "容差内", "Within tolerance"),
        _SIDE, _PARTY, _ITEM,
        col("doc_no", "text", "单据编号", "Document no"),
        col("invoice_no", "text", "发票号码", "Invoice no", width=22),
        col("invoice_line", "integer", "发票行号", "Invoice line"),
        col("expected", "number", "应为", "Expected", number_format="#,##0.00####"),
        col("actual", "number", "实际", "Actual", number_format="#,##0.00####"),
        col("difference", "number", "差异", "Difference", number_format="#,##0.00####"),
        _money("amount", "金额影响", "Amount effect"),
    ),
    role="output",
    description_zh="单价、数量、税率、税额差异，注明是否在容差内及涉及的单据",
    description_en="Price, quantity, tax rate and tax differences, with the documents involved",
)

ESTIMATED_RECEIPTS = Table(
    "estimated_receipts", "暂估入库", "Uninvoiced receipts",
    (
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("item_code", "text", "物料编码", "Item code"),
        col("doc_no", "text", "单据编号", "Document no"),
        col("line_no", "integer", "行号", "Line"),
        col("doc_date", "date", "入库日期", "Receipt date", number_format=DATE),
        col("order_no", "text", "采购单号", "PO no"),
        _qty("qty", "入库数量", "Received"),
        _qty("invoiced_qty", "已开票数量", "Invoiced"),
        _qty("uninvoiced_qty", "暂估数量", "Uninvoiced"),
        _money("order_price", "暂估单价", "Estimate price", help_zh="订单单价",
               help_en="The order price"),
        _money("estimated_amount", "暂估金额", "Estimated amount"),
    ),
    role="output",
    description_zh="期末已入库未取得发票的采购，按订单价暂估",
    description_en="Receipts not invoiced at period end, valued at the order price",
)

COST_ADJUSTMENTS = Table(
    "cost_adjustments", "暂估差异调整", "Cost adjustments",
    (
        col("period", "text", "期间", "Period"),
        col("supplier_code", "text", "供应商编码", "Supplier code"),
        col("item_code", "text", "物料编码", "Item code"),
        col("doc_no", "text", "入库单号", "Receipt no"),
        col("line_no", "integer", "行号", "Line"),
        col("doc_date", "date", "入库日期", "Receipt date", number_format=DATE),
        col("invoice_no", "text", "发票号码", "Invoice no", width=22),
        col("invoice_line", "integer", "发票行号", "Invoice line"),
        col("issue_date", "date", "开票日期", "Issue date", number_format=DATE),
        _qty("qty", "数量", "Qty"),
        _money("order_price", "暂估单价", "Estimate price"),
        _money("invoice_price", "发票单价", "Invoice price"),
        _money("estimated_amount", "暂估金额", "Estimated amount"),
        _money("invoice_amount", "发票金额", "Invoice amount"),
        _money("adjustment", "成本调整", "Cost adjustment",
               help_zh="发票金额 − 暂估金额，计入开票期间",
               help_en="Invoice − estimate, booked in the invoice period"),
    ),
    role="output",
    description_zh="以前期间暂估入库、本期取得发票的价差，调整本期成本",
    description_en="Invoices of this period for receipts estimated in an earlier period",
)

MATCH_OVERVIEW = Table(
    "match_overview", "匹配概览", "Match overview",
    (
        col("outcome", "text", "结果", "Outcome", width=24),
        col("lines", "integer", "行数", "Lines"),
        _qty("qty", "数量", "Qty"),
        _money("amount", "金额", "Amount"),
    ),
    role="output",
)

INVOICE_TABLES = (INVOICE_LINES, INVOICE_MATCHES, MATCH_PARTIAL, MATCH_UNMATCHED,
                  MATCH_DIFFERENCES, ESTIMATED_RECEIPTS, COST_ADJUSTMENTS, MATCH_OVERVIEW)
