"""Result tables of production progress alerts (生产任务跟踪预警, DOMAIN §6).

`production_alerts` lists one row per alert, `task_progress` one row per task; the two
small tables after them fill the dashboard (the run's Summary sheet) and its charts.
"""

from __future__ import annotations

from addin.schema import choices as ch
from addin.schema.master import DATE, QTY, RATE
from addin.schema.model import Choice, Table, col

ALERT_KIND = (
    Choice("overdue", "逾期未完工", "Overdue", ("late", "逾期")),
    Choice("not_closed", "完工未结案", "Not closed", ("open after finish", "未结案")),
    Choice("short_of_material", "缺料", "Short of material", ("short", "shortage")),
    Choice("over_issued", "超领未补料", "Over-issued", ("over issue", "超领")),
)

COMPLETION_BAND = (
    Choice("none", "未入库 (0%)", "Nothing in (0%)"),
    Choice("under_half", "1%–49%", "1%–49%"),
    Choice("over_half", "50%–99%", "50%–99%"),
    Choice("complete", "已完工 (≥100%)", "Complete (≥100%)"),
)

PRODUCTION_ALERTS = Table(
    "production_alerts", "生产预警", "Production alerts",
    (
        col("task_no", "text", "任务单号", "Task no"),
        col("item_code", "text", "产品编码", "Product code"),
        col("component_code", "text", "子项编码", "Component code",
            help_zh="缺料、超领预警的材料；任务级预警留空",
            help_en="Material of a shortage or over-issue; blank for task alerts"),
        col("alert", "choice", "预警类型", "Alert", choices=ALERT_KIND),
        col("severity", "choice", "级别", "Severity", choices=ch.SEVERITY),
        col("figure", "number", "数值", "Figure", number_format=QTY,
            help_zh="逾期/未结案：天数；缺料/超领：数量",
            help_en="Overdue / not closed: days; short / over-issued: quantity"),
        col("due_date", "date", "计划完工日期", "Finish date", number_format=DATE),
        col("message", "text", "说明", "Message", width=70),
    ),
    role="output",
    description_zh="逾期未完工、缺料、超领未补料、完工未结案的生产任务",
    description_en="Tasks that are overdue, short of material, over-issued or not closed",
)

TASK_PROGRESS = Table(
    "task_progress", "任务进度", "Task progress",
    (
        col("task_no", "text", "任务单号", "Task no"),
        col("item_code", "text", "产品编码", "Product code"),
        col("item_name", "text", "产品名称", "Product name", width=22),
        col("status", "choice", "状态", "Status", choices=ch.TASK_STATUS),
        col("start_date", "date", "计划开工日期", "Start date", number_format=DATE),
        col("due_date", "date", "计划完工日期", "Finish date", number_format=DATE),
        col("qty", "number", "计划数量", "Planned qty", number_format=QTY),
        col("stocked_qty", "number", "已入库数量", "Stocked-in qty", number_format=QTY,
            help_zh="任务单的已入库 + 已过账的产品入库", help_en="Task sheet + posted receipts"),
        col("completion", "number", "完工率", "Completion", number_format=RATE,
            help_zh="已入库 ÷ 计划数量", help_en="Stocked-in ÷ planned qty"),
        col("issue_rate", "number", "领料率", "Issued", number_format=RATE,
            help_zh="各材料（已发 + 补料 − 退料）÷ 应发 的平均值",
            help_en="Average over the materials of (issued + supplements − returns) ÷ required"),
        col("short_lines", "integer", "缺料行数", "Materials short"),
        col("alerts", "integer", "预警数", "Alerts"),
        col("severity", "choice", "最高级别", "Worst severity", choices=ch.SEVERITY),
    ),
    role="output",
    description_zh="每个生产任务的完工率、领料率和预警",
    description_en="Completion, issue progress and alerts of every production task",
)

ALERT_COUNTS = Table(
    "alert_counts", "预警统计", "Alerts by kind",
    (
        col("alert", "choice", "预警类型", "Alert", choices=ALERT_KIND, width=18),
        col("count", "integer", "预警数", "Alerts"),
        col("tasks", "integer", "任务数", "Tasks"),
    ),
    role="output",
)

COMPLETION_OVERVIEW = Table(
    "completion_overview", "完工进度分布", "Completion overview",
    (
        col("band", "choice", "完工率", "Completion", choices=COMPLETION_BAND, width=18),
        col("tasks", "integer", "任务数", "Tasks"),
        col("qty", "number", "计划数量", "Planned qty", number_format=QTY),
        col("stocked_qty", "number", "已入库数量", "Stocked-in qty", number_format=QTY),
    ),
    role="output",
)

ALERT_TABLES = (PRODUCTION_ALERTS, TASK_PROGRESS, ALERT_COUNTS, COMPLETION_OVERVIEW)
