"""Build the shipped workbooks: empty templates (zh, en), the fan-factory demos, a broken demo.

    python templates/build_templates.py [OUT_DIR]

Every sheet, header, dropdown label and number format comes from `addin.schema`; the
look comes from `addin.workbook.styles` and the data cells from the same `fill_sheet`
that `xlerp` uses to write results, so a template looks like what the commands write.
Rebuilding gives byte-identical files: fixed document times, fixed zip entry times, no
randomness.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as ListObject
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from addin.schema import INPUT_TABLES, ROW, Column, Lang, Table, table
from addin.workbook import styles
from addin.workbook.read import LIST_OBJECT_PREFIX
from addin.workbook.write import fill_sheet
from templates import demo_data
from templates.demo_data import CODE_PATTERN

OUT_DIR = Path(__file__).resolve().parent
FIXED_TIME = datetime(2026, 12, 1)  # document created/modified: rebuilding changes no byte
ZIP_TIME = (2026, 12, 1, 0, 0, 0)
LAST_ROW = 1000  # dropdowns and checks reach this far, so rows users add are covered too
# Required headers get a dark red instead of the usual blue; the text itself must stay
# exactly the schema header, because reading matches on it.
REQUIRED_FILL = PatternFill(fill_type="solid", start_color="9C0006", end_color="9C0006")
FIRST_SERIAL, LAST_SERIAL = 36526, 73050  # 2000-01-01 .. 2099-12-31 as Excel serial days
BOOL_LABELS = {"zh": ("是", "否"), "en": ("Yes", "No")}
AUTHOR = "xlerp"

# What each input sheet is for, shown on the instructions sheet (zh, en).
TABLE_NOTES: dict[str, tuple[str, str]] = {
    "items": ("每个物料一行：编码、名称、物料属性（{choices}）、提前期、安全库存、批量规则",
              "One row per item: code, name, item type ({choices}), lead time, safety stock, "
              "lot rule"),
    "bom": ("父项—子项用量（分子/分母）、损耗率与固定损耗、跳层、生效与失效日期（含当天）",
            "Parent–component usage (numerator/denominator), loss rate and fixed loss, "
            "skip level, effective from/to (both days included)"),
    "warehouses": ("仓库及其类型（{choices}）：是否参与MRP、纳入可用量、记入成本",
                   "Warehouses and their type ({choices}): nettable in MRP, available, costed"),
    "locations": ("各仓库下的库位", "Locations (bins) inside each warehouse"),
    "customers": ("客户编码与名称", "Customer codes and names"),
    "suppliers": ("供应商编码与名称", "Supplier codes and names"),
    "units": ("计量单位，及是否只能取整数",
              "Units of measure and whether they count in whole units"),
    "unit_conversions": ("单位换算：1 原单位 = 换算率 × 目标单位；物料编码留空表示通用",
                         "Unit conversions: 1 from-unit = factor × to-unit; "
                         "a blank item code applies to all items"),
    "calendar": ("工作日历：列出休息日与节假日即可，未列出的日期按工作日",
                 "Working calendar: list weekends and holidays; unlisted days are working days"),
    "code_mappings": ("其他平台（网店、电商、仓储系统）的编码与本系统标准编码的对照",
                      "Codes of other platforms (web shop, marketplace, warehouse system) "
                      "and the standard code each one means"),
    "settings": ("参数：计划日期、计划时段、物料编码规则等",
                 "Settings: planning date, bucket, item code rule"),
    "stock": ("即时库存：按物料、仓库、库位、批号、计划跟踪号",
              "Stock on hand by item, warehouse, location, lot and tracking number"),
    "allocations": ("已分配量：已下达任务尚未领用的材料等",
                    "Allocations: components of released tasks not yet issued"),
    "sales_orders": ("销售订单明细：数量、已发货、交货日期、来源平台",
                     "Sales order lines: quantity, shipped, due date, source platform"),
    "forecasts": ("预测：物料、期间开始日期、数量", "Forecasts: item, period start date, quantity"),
    "purchase_orders": ("未完成的采购订单：数量、已入库数量、交货日期",
                        "Open purchase orders: quantity, received, due date"),
    "production_tasks": ("生产任务单：数量、已入库、开工与完工日期、状态",
                         "Production tasks: quantity, stocked-in, start and finish dates, status"),
    "subcontract_orders": ("委外订单：加工数量、已入库、交货日期",
                           "Subcontract orders: quantity, received, due date"),
    "material_issues": ("领料单：按任务领料，可配套领料（套数）或多任务合并领料",
                        "Material issues to tasks: direct, kit issue (sets) or merged"),
    "supplements": ("补料单：超出投料单的领料", "Supplements: issues beyond the material list"),
    "material_returns": ("退料单：退回仓库的材料（不超过已领 − 报废）",
                         "Material returns to stock (at most issued − scrapped)"),
    "product_receipts": ("产品入库单：完工入库，倒冲物料随之自动领用",
                         "Product receipts: finished goods in; backflush components follow"),
    "purchase_receipts": ("采购入库单", "Purchase receipts into stock"),
    "purchase_returns": ("采购退货单", "Purchase returns to suppliers"),
    "shipments": ("销售出库单：发给客户的货物及对应的销售订单",
                  "Shipments to customers, with the sales order each one fulfils"),
    "invoice_lines": ("进项与销项发票明细（数电票或增值税发票），可由发票平台全量发票查询导出",
                      "Purchase and sales invoice lines, e.g. the e-invoice platform's export"),
    "receipt_notices": ("收料通知单：采购到货、生产完工（填任务单号）或委外加工件（填委外单号）"
                        "先入待检仓",
                        "Receipt notices: purchased goods, a task's finished goods (task no) "
                        "or subcontracted parts (order no) wait in inspection"),
    "inspections": ("检验单：合格、让步接收、判退、报废数量",
                    "Inspections: passed, concession, rejected and scrapped quantities"),
    "task_materials": ("投料单：每个生产任务的材料、应发数量、发料方式",
                       "Material lists of production tasks: component, required qty, issue method"),
    "subcontract_issues": ("委外发料单：自有材料发往供应商的委外仓（须填委外单号）",
                           "Subcontract issues: own material to the supplier's warehouse "
                           "(order no required)"),
    "subcontract_returns": ("委外退料单：从供应商退回的材料，及在供应商处报废的数量",
                            "Subcontract returns from the supplier, and what was scrapped there"),
    "subcontract_receipts": ("委外入库单：加工件入库，按标准用量核销供应商处材料；"
                             "加工单价留空按价格政策",
                             "Subcontract receipts: consume supplier-held material at standard "
                             "usage; blank fee = price policy"),
    "subcontract_fee_invoices": ("委外加工费发票：与入库单价不同时生成加工费补差",
                                 "Subcontract fee invoices: a different price adjusts the cost"),
    "consigned_receipts": ("受托加工来料：客户材料入受托虚仓，只计数量不计成本",
                           "Consigned receipts: customer material into the virtual warehouse, "
                           "counted but not costed"),
    "subcontract_materials": ("委外用料清单：每个委外订单行的材料及单位用量",
                              "Materials of each subcontract order line, with qty per"),
    "subcontract_prices": ("委外价格政策：供应商 × 物料的数量起点、有效期、加工单价与最高限价",
                           "Subcontract prices per supplier and item: from qty, validity, fee "
                           "and ceiling"),
    "cost_standards": ("每个自制物料一行：单位工时、工资率、机器工时、"
                       "制造费用分配率与分配基础、委外加工费",
                       "One row per made item: labour hours and rate, machine hours, overhead "
                       "rate and basis, subcontract fee"),
    "cost_pools": ("各成本中心、期间、成本项目的费用金额及分配基础",
                   "Cost per cost centre, period and element, with its allocation basis"),
    "cost_objects": ("每个生产任务（或产品）每期一行：完工数量、工时、直接材料、期初在产",
                     "One row per task (or product) and period: completed qty, hours, direct "
                     "material, opening WIP"),
    "wip_lines": ("期末在产品数量及完工程度（约当系数）、投料程度",
                  "Closing WIP qty, degree of completion and material degree"),
    "joint_costs": ("每批联合成本及分配方法", "Joint cost per batch and its split method"),
    "joint_products": ("每批的主/联/副产品：产量、系数、售价、分离后成本",
                       "Main, co- and by-products of each batch: qty, coefficient, price, "
                       "separable cost"),
}

NOTE_CHOICES = {"items": "item_type", "warehouses": "warehouse_type"}
INTRO = {
    "zh": ("xlerp —— 在 Excel 里做计划",
           "xlerp 读取本工作簿的基础数据（物料、BOM、仓库…）和业务数据（库存、订单、预测…），"
           "检查 BOM 与主数据，计算物料需求计划（MRP），并把结果写回新的工作表。"),
    "en": ("xlerp — planning in Excel",
           "xlerp reads this workbook's master data (items, BOM, warehouses…) and business "
           "data (stock, orders, forecasts…), checks the BOM and master data, runs material "
           "requirements planning (MRP) and writes the results back as new sheets."),
}
COMMANDS = (
    ("xlerp check 工作簿.xlsx", "检查 BOM 与主数据，结果写入「{bom_check}」表",
     "xlerp check book.xlsx",
     "Check the BOM and master data; findings go to the {bom_check} sheet"),
    ("xlerp plan 工作簿.xlsx", "运行 MRP，写出计划订单、时段明细与例外信息",
     "xlerp plan book.xlsx",
     "Run MRP; writes planned orders, the time-phased record and exceptions"),
    ("xlerp tasks 工作簿.xlsx", "按销售订单生成生产任务（以销定产）",
     "xlerp tasks book.xlsx", "Generate production tasks from open sales orders"),
)
HOW_TO = {
    "zh": ("每张表第 1 行是表头，请勿修改表头文字；从第 2 行起每行一条记录，表格会自动扩展。",
           "深红色表头为必填列；把鼠标停在表头上可看到填写说明。",
           "带下拉箭头的列请从列表中选择；是/否列填 {yes} 或 {no}。",
           "日期请填 Excel 日期（如 2026-12-31），不要写成文字；数量只填数字，小数点用英文句点。",
           "示例行可以直接改写或删除。"),
    "en": ("Row 1 of every sheet holds the headers — do not change their text; enter one "
           "record per row from row 2 on, and the table grows by itself.",
           "Dark red headers mark required columns; hover over a header to see how to fill it.",
           "Columns with a drop-down arrow take a value from the list; yes/no columns take "
           "{yes} or {no}.",
           "Enter dates as Excel dates (e.g. 2026-12-31), not as text; quantities as plain "
           "numbers with a dot as the decimal separator.",
           "The example rows can be overwritten or deleted."),
}
_HEADINGS = {"zh": ("工作表", "用途", "命令", "如何填写"),
             "en": ("Sheet", "What it holds", "Commands", "How to fill in")}
INSTRUCTIONS_SHEET = {"zh": "说明", "en": "Instructions"}


# ---------------------------------------------------------------- instructions sheet


def table_note(name: str, lang: Lang) -> str:
    """The instructions line of a table; {choices} lists the labels of its type column."""
    text = TABLE_NOTES[name][0 if lang == "zh" else 1]
    column = NOTE_CHOICES.get(name)
    if column is None:
        return text
    labels = [c.label(lang) for c in table(name).column(column).choices]
    return text.format(choices=("、" if lang == "zh" else ", ").join(labels))


def write_instructions(ws: Worksheet, lang: Lang) -> None:
    """What xlerp is, one line per sheet, the commands and how to fill the sheets in."""
    title, intro = INTRO[lang]
    sheet_head, use_head, commands_head, how_head = _HEADINGS[lang]
    ws.append([title])
    ws["A1"].font = Font(name=styles.FONT_NAME, size=16, bold=True)
    ws.append([intro])
    ws.append([])
    _heading_row(ws, (sheet_head, use_head))
    for name in INPUT_TABLES:
        sheet = table(name).sheet_name(lang)
        ws.append([sheet, table_note(name, lang)])
        link = ws.cell(row=ws.max_row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!A1")
        link.style = "Hyperlink"
    ws.append([])
    _heading_row(ws, (commands_head, ""))
    for zh_cmd, zh_text, en_cmd, en_text in COMMANDS:
        text = (zh_text if lang == "zh" else en_text).format(
            bom_check=table("bom_check").sheet_name(lang))
        ws.append([zh_cmd if lang == "zh" else en_cmd, text])
    ws.append([])
    _heading_row(ws, (how_head, ""))
    for number, line in enumerate(HOW_TO[lang], start=1):
        yes, no = BOOL_LABELS[lang]
        ws.append([number, line.format(yes=yes, no=no)])
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(horizontal="left")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2, max_col=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.sheet_view.showGridLines = False


def _heading_row(ws: Worksheet, texts: tuple[str, str]) -> None:
    ws.append(list(texts))
    styles.style_header_row(ws, ws.max_row, 2)
    ws.cell(row=ws.max_row, column=1).alignment = Alignment(horizontal="left")


# ---------------------------------------------------------------- table sheets


def write_table_sheet(book: Workbook, spec: Table, frame: pd.DataFrame, lang: Lang) -> None:
    """One input table: data as an Excel Table, marked headers, dropdowns and checks."""
    ws = book.create_sheet(spec.sheet_name(lang))
    fill_sheet(ws, spec, frame, lang)
    mark_headers(ws, spec, lang)
    for validation in validations(spec, lang):
        ws.add_data_validation(validation)
    ref = f"A1:{get_column_letter(len(spec.columns))}{max(len(frame), 1) + 1}"
    list_object = ListObject(displayName=f"{LIST_OBJECT_PREFIX}_{spec.name}", ref=ref)
    list_object.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=True)
    ws.add_table(list_object)


def mark_headers(ws: Worksheet, spec: Table, lang: Lang) -> None:
    """Required headers in dark red; a header comment carries the column's help text."""
    required = "必填。" if lang == "zh" else "Required. "
    for position, column in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=position)
        if column.required:
            cell.fill = REQUIRED_FILL
        text = (required if column.required else "") + column.help(lang)
        if text:
            cell.comment = Comment(text.strip(), AUTHOR, width=240, height=80)


def validations(spec: Table, lang: Lang) -> list[DataValidation]:
    """A dropdown or a check per column that has one, down to LAST_ROW."""
    found = []
    for position, column in enumerate(spec.columns, start=1):
        validation = column_validation(column, lang)
        if validation is not None:
            letter = get_column_letter(position)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            found.append(validation)
    return found


def column_validation(column: Column, lang: Lang) -> DataValidation | None:
    """Choice and yes/no columns get a list; non-negative numbers and dates a range check.

    Lists warn instead of refusing: the reader also accepts the aliases other systems
    export (e.g. "buy" for purchased), so a stricter list would reject valid input.
    """
    if column.type == "choice":
        labels = [choice.label(lang) for choice in column.choices]
        return _validation("list", f'"{",".join(labels)}"', column, lang, style="warning")
    if column.type == "bool":
        return _validation("list", f'"{",".join(BOOL_LABELS[lang])}"', column, lang,
                           style="warning")
    if column.type == "date":
        return _validation("date", str(FIRST_SERIAL), column, lang, operator="between",
                           formula2=str(LAST_SERIAL))
    if column.type in ("number", "integer") and column.min_value is not None:
        kind = "whole" if column.type == "integer" else "decimal"
        return _validation(kind, _number_text(column.min_value), column, lang,
                           operator="greaterThanOrEqual")
    return None


_ERRORS = {
    "list": ("请从下拉列表中选择", "Choose a value from the list"),
    "date": ("请填写日期，如 2026-12-31", "Enter a date such as 2026-12-31"),
    "whole": ("请填写不小于 {0} 的整数", "Enter a whole number of at least {0}"),
    "decimal": ("请填写不小于 {0} 的数字", "Enter a number of at least {0}"),
}


def _validation(kind: str, formula1: str, column: Column, lang: Lang, *,
                operator: str | None = None, formula2: str | None = None,
                style: str = "stop") -> DataValidation:
    message = _ERRORS[kind][0 if lang == "zh" else 1].format(formula1)
    validation = DataValidation(type=kind, formula1=formula1, formula2=formula2,
                                operator=operator, allow_blank=True, showErrorMessage=True,
                                errorStyle=style, errorTitle=column.header(lang)[:32],
                                error=message)
    help_text = column.help(lang)
    if help_text:
        validation.showInputMessage = True
        validation.promptTitle = column.header(lang)[:32]
        validation.prompt = help_text[:255]
    return validation


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---------------------------------------------------------------- workbook and file


def build_workbook(tables: dict[str, pd.DataFrame], lang: Lang) -> Workbook:
    """Instructions first, then one sheet per input table in schema order."""
    book = Workbook()
    write_instructions(book.active, lang)
    book.active.title = INSTRUCTIONS_SHEET[lang]
    for name in INPUT_TABLES:
        write_table_sheet(book, table(name), tables[name], lang)
    book.properties.creator = AUTHOR
    book.properties.lastModifiedBy = AUTHOR
    book.properties.title = "xlerp"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    return book


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx as bytes that depend on the content only.

    openpyxl's `save` stamps the current time into the document properties and every zip
    entry; writing through `ExcelWriter` keeps our fixed times, and the entries are then
    copied into a new zip with one fixed timestamp.
    """
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def save(book: Workbook, path: Path) -> Path:
    path.write_bytes(workbook_bytes(book))
    return path


# ---------------------------------------------------------------- broken demo


@dataclass(frozen=True)
class Planted:
    """One deliberate error: where it is (table, 0-based frame row, column) and its code."""

    table: str
    position: int
    column: str
    code: str
    what: str
    severity: str = "error"

    def entry(self) -> dict[str, object]:
        spec = table(self.table)
        return {"sheet": spec.sheet_name("en"), "row": self.position + 2,
                "column": spec.column(self.column).header("en"), "code": self.code,
                "severity": self.severity, "what": self.what}


class Breaker:
    """Plants errors into a copy of the English demo, remembering where each one went."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = {name: frame.copy() for name, frame in tables.items()}
        self.cells: dict[tuple[str, int, str], object] = {}  # raw text typed frames can't hold
        self.planted: list[Planted] = []
        self.incidental: list[Planted] = []  # other findings the planted errors cause

    def find(self, name: str, **match: object) -> int:
        frame = self.tables[name]
        hit = pd.Series(True, index=frame.index)
        for column, value in match.items():
            hit &= frame[column] == value
        return int(hit.to_numpy().nonzero()[0][0])

    def append(self, name: str, **values: object) -> int:
        row = demo_data.typed(name, pd.DataFrame([values], dtype=object), "en")
        frame = pd.concat([self.tables[name], row], ignore_index=True)
        frame[ROW] = range(2, len(frame) + 2)
        self.tables[name] = frame
        return len(frame) - 1

    def set(self, name: str, position: int, column: str, value: object) -> None:
        self.tables[name].loc[position, column] = value

    def plant(self, name: str, position: int, column: str, code: str, what: str,
              severity: str = "error") -> None:
        self.planted.append(Planted(name, position, column, code, what, severity))

    def side_effect(self, name: str, position: int, column: str, code: str, what: str,
                    severity: str = "error") -> None:
        self.incidental.append(Planted(name, position, column, code, what, severity))

    def rename_item(self, old: str, new: str) -> None:
        for name, columns in (("items", ("item_code",)), ("stock", ("item_code",)),
                              ("bom", ("parent_code", "component_code"))):
            for column in columns:
                frame = self.tables[name]
                frame[column] = frame[column].where(frame[column] != old, new)


def _plant_bom_errors(b: Breaker) -> None:
    at = b.append("bom", parent_code="20.04.0001", component_code="20.02.0001", qty_numerator=1)
    b.plant("bom", at, "component_code", "bom_cycle",
            "cycle 20.02.0001 → 20.03.0001 → 20.04.0001 → 20.02.0001")
    at = b.append("bom", parent_code="10.01.0005", component_code="30.02.0099", qty_numerator=1)
    b.plant("bom", at, "component_code", "bom_component_unknown", "component not in items")
    at = b.find("bom", parent_code="10.01.0004", component_code="30.04.0005")
    b.set("bom", at, "qty_numerator", 0.0)
    b.plant("bom", at, "qty_numerator", "bom_usage_not_positive", "usage 0")
    at = b.find("bom", parent_code="20.05.0003", component_code="30.01.0004")
    b.set("bom", at, "qty_denominator", 0.0)
    b.plant("bom", at, "qty_denominator", "bom_denominator_not_positive", "denominator 0")
    at = b.find("bom", parent_code="20.03.0002", component_code="30.01.0002")
    b.set("bom", at, "variable_loss_rate", 1.5)
    b.plant("bom", at, "variable_loss_rate", "bom_loss_rate_out_of_range", "loss rate 1.5")
    at = b.find("bom", parent_code="20.05.0005", component_code="30.02.0024")
    b.cells["bom", at, "qty_numerator"] = "1,5"
    b.plant("bom", at, "qty_numerator", "not_a_number", 'decimal comma "1,5"')
    first = b.find("bom", parent_code="10.01.0001", component_code="30.04.0005")
    copy = b.tables["bom"].iloc[first].drop(ROW).to_dict()
    at = b.append("bom", **{k: v for k, v in copy.items() if not pd.isna(v)})
    b.plant("bom", at, "component_code", "bom_duplicate_line", "line pasted twice")
    b.side_effect("bom", at, "parent_code", "duplicate_key", "the reader's duplicate key")
    at = b.find("bom", parent_code="10.01.0005", component_code="30.04.0004")
    b.cells["bom", at, "effective_from"] = "2027-02-30"
    b.plant("bom", at, "effective_from", "not_a_date", 'effective from "2027-02-30"')


def _plant_master_errors(b: Breaker) -> None:
    at = b.append("items", item_code="20.05.0006", item_name="Guard clip", spec="steel",
                  stock_unit="pcs", item_type="manufactured", default_warehouse="SF")
    b.append("bom", parent_code="10.01.0003", component_code="20.05.0006", qty_numerator=4)
    b.plant("items", at, "item_type", "item_manufactured_no_bom",
            "manufactured item without a BOM")
    b.append("bom", parent_code="30.02.0007", component_code="30.03.0001", qty_numerator=2)
    b.plant("items", b.find("items", item_code="30.02.0007"), "item_type",
            "item_purchased_has_bom", "purchased gearbox given a BOM line", "warning")
    at = b.append("items", item_code="30.02.0025", item_name="Spinner nut black", spec="PP",
                  stock_unit="pcs", item_type="purchased", default_warehouse="RM")
    b.plant("items", at, "item_code", "duplicate_key", "item code entered twice")
    at = b.append("items", item_code="30.02.0028", item_name="Ball bearing 608", spec="608ZZ",
                  stock_unit="pcs", item_type="purchased", default_warehouse="RM")
    b.plant("items", at, "item_name", "item_name_duplicate", "same name and spec as 30.02.0002",
            "warning")
    b.side_effect("items", at, "item_code", "item_orphan", "the twin is used nowhere", "info")
    b.rename_item("30.04.0006", "30.4.0006")
    at = b.find("items", item_code="30.4.0006")
    b.plant("items", at, "item_code", "item_code_pattern", f"code breaks {CODE_PATTERN}",
            "warning")
    at = b.append("code_mappings", platform="shopify", entity="items", external_code="SF40",
                  canonical_code="10.01.0006")
    b.plant("code_mappings", at, "canonical_code", "mapping_conflict",
            "SF40 already means 10.01.0003")
    b.side_effect("code_mappings", at, "platform", "duplicate_key", "the reader's duplicate key")


def _entries(planted: list[Planted]) -> list[dict[str, object]]:
    return sorted((p.entry() for p in planted),
                  key=lambda e: (str(e["sheet"]), int(e["row"]), str(e["column"])))


def broken_demo() -> Breaker:
    """The English demo with one planted error per check (see demo-broken.json)."""
    breaker = Breaker(demo_data.demo_tables("en"))
    _plant_bom_errors(breaker)
    _plant_master_errors(breaker)
    return breaker


def build_broken(out_dir: Path) -> tuple[Path, Path]:
    breaker = broken_demo()
    book = build_workbook(breaker.tables, "en")
    for (name, position, column), value in breaker.cells.items():
        spec = table(name)
        ws = book[spec.sheet_name("en")]
        cell = ws.cell(row=position + 2, column=spec.column_names.index(column) + 1)
        cell.value = value
        cell.number_format = styles.TEXT_FORMAT  # what a paste from another program leaves
    manifest = {"workbook": "demo-broken-en.xlsx",
                "settings": {"item_code_pattern": demo_data.CODE_PATTERN},
                "planted": _entries(breaker.planted),
                "incidental": _entries(breaker.incidental)}
    json_path = out_dir / "demo-broken.json"
    json_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
                         + "\n", encoding="utf-8")
    return save(book, out_dir / "demo-broken-en.xlsx"), json_path


# ---------------------------------------------------------------- entry point


def build_all(out_dir: Path = OUT_DIR) -> list[Path]:
    """Write the five workbooks and the broken demo's manifest into `out_dir`."""
    written = []
    for lang in ("zh", "en"):
        written.append(save(build_workbook(demo_data.example_tables(lang), lang),
                            out_dir / f"xlerp-{lang}.xlsx"))
        written.append(save(build_workbook(demo_data.demo_tables(lang), lang),
                            out_dir / f"demo-{lang}.xlsx"))
    written.extend(build_broken(out_dir))
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else OUT_DIR
    for path in build_all(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
