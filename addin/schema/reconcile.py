"""Result tables of cross-platform reconciliation (DOMAIN §8): a summary per rule, the
differences found, and code mappings suggested for things that have two codes."""

from __future__ import annotations

from addin.schema.master import CODE_MAPPINGS
from addin.schema.model import Choice, Table, col

RECONCILE_STATUS = (
    Choice("only_in_a", "仅A方有", "Only in A", ("missing in b",)),
    Choice("only_in_b", "仅B方有", "Only in B", ("missing in a",)),
    Choice("different", "不一致", "Different", ("mismatch",)),
    Choice("duplicate_a", "A方重复", "Duplicate in A"),
    Choice("duplicate_b", "B方重复", "Duplicate in B"),
    Choice("same_thing", "疑似同一对象", "Same thing, two codes", ("two codes",)),
)

RECONCILE_SUMMARY = Table(
    "reconcile_summary", "对账汇总", "Reconciliation",
    (
        col("rule", "text", "规则", "Rule", width=22),
        col("title", "text", "对账项目", "What is compared", width=30),
        col("table_name", "text", "数据表", "Table", width=14),
        col("a_platforms", "text", "A方平台", "Side A", width=18),
        col("b_platforms", "text", "B方平台", "Side B", width=18),
        col("a_rows", "integer", "A方行数", "Rows in A"),
        col("b_rows", "integer", "B方行数", "Rows in B"),
        col("matched", "integer", "一致", "Matched"),
        col("only_in_a", "integer", "仅A方有", "Only in A"),
        col("only_in_b", "integer", "仅B方有", "Only in B"),
        col("different", "integer", "不一致", "Different"),
        col("duplicates", "integer", "重复", "Duplicates"),
        col("suggestions", "integer", "建议映射", "Suggested mappings"),
        col("changed", "integer", "本次新变动", "Changed since last run"),
    ),
    key=("rule",), role="output",
    description_zh="每条对账规则的结果汇总", description_en="Counts per reconciliation rule",
)

RECONCILE_DIFFERENCES = Table(
    "reconcile_differences", "对账差异", "Differences",
    (
        col("rule", "text", "规则", "Rule", width=18),
        col("status", "choice", "结果", "Result", choices=RECONCILE_STATUS, width=14),
        col("key", "text", "匹配键", "Key", width=24),
        col("field", "text", "字段", "Field", width=14),
        col("a_value", "text", "A方值", "A value", width=16),
        col("b_value", "text", "B方值", "B value", width=16),
        col("difference", "number", "差异(B−A)", "Difference (B−A)", number_format="#,##0.####"),
        col("a_platform", "text", "A方平台", "A platform"),
        col("a_file", "text", "A方文件", "A file", width=20),
        col("a_row", "integer", "A方行号", "A row"),
        col("b_platform", "text", "B方平台", "B platform"),
        col("b_file", "text", "B方文件", "B file", width=20),
        col("b_row", "integer", "B方行号", "B row"),
        col("changed", "bool", "本次新变动", "Changed since last run"),
    ),
    role="output",
    description_zh="对账发现的差异：缺失、不一致（超出容差）、重复、一物多码",
    description_en="What reconciliation found: missing, different beyond tolerance, "
                   "duplicated, one thing with two codes",
)

# The first four columns are the code-mapping table's own, so a user accepts a
# suggestion by copying those cells into the mapping sheet.
SUGGESTED_MAPPINGS = Table(
    "suggested_mappings", "建议编码映射", "Suggested mappings",
    (
        *CODE_MAPPINGS.columns,
        col("rule", "text", "规则", "Rule", width=18),
        col("reason", "text", "依据", "Reason", width=22),
        col("evidence", "text", "相同内容", "Shared values", width=36),
    ),
    key=("platform", "entity", "external_code"), role="output",
    description_zh="复制前四列到「编码映射」即可采纳",
    description_en="Copy the first four columns into Code mappings to accept",
)

RECONCILE_TABLES = (RECONCILE_SUMMARY, RECONCILE_DIFFERENCES, SUGGESTED_MAPPINGS)

__all__ = ["RECONCILE_DIFFERENCES", "RECONCILE_STATUS", "RECONCILE_SUMMARY",
           "RECONCILE_TABLES", "SUGGESTED_MAPPINGS"]
