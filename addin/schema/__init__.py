"""The canonical schema: the one place that knows every table, column, header and alias.

Later capabilities add their tables to a module here and list them in `TABLES`.
"""

from __future__ import annotations

from addin.schema.alerts import ALERT_TABLES
from addin.schema.costing import COSTING_TABLES
from addin.schema.documents import DOCUMENT_TABLES
from addin.schema.flow import FLOW_TABLES
from addin.schema.invoices import INVOICE_TABLES
from addin.schema.kitting import KITTING_TABLES
from addin.schema.master import MASTER_TABLES
from addin.schema.model import Choice, Column, Lang, Table, fold
from addin.schema.reconcile import RECONCILE_TABLES
from addin.schema.reports import REPORT_TABLES
from addin.schema.results import RESULT_TABLES
from addin.schema.subcontract import SUBCONTRACT_TABLES
from addin.schema.validate import ROW, coerce, empty_frame, map_headers

TABLES: dict[str, Table] = {
    t.name: t for t in (*MASTER_TABLES, *FLOW_TABLES, *DOCUMENT_TABLES, *RESULT_TABLES,
                        *KITTING_TABLES, *COSTING_TABLES, *RECONCILE_TABLES,
                        *ALERT_TABLES, *REPORT_TABLES, *INVOICE_TABLES,
                        *SUBCONTRACT_TABLES)}
INPUT_TABLES = [t.name for t in TABLES.values() if t.role == "input"]


def table(name: str) -> Table:
    """The spec of a canonical table by its canonical name."""
    return TABLES[name]


__all__ = ["INPUT_TABLES", "ROW", "TABLES", "Choice", "Column", "Lang", "Table", "coerce",
           "empty_frame", "fold", "map_headers", "table"]
