"""A two-level factory with a month of documents, for the costing and report CLI tests.

T1 makes 100 S from 100 A at 10.00 (+ 600 labour, 400 overhead) → 20.00 each; T2 makes
50 P for sales order SO1 (tracking no SO1-1) from 50 S and 100 B at 5.00 (+ 300, 200)
→ 2,000 = 40.00 each; SO1 sells the 50 P at 60.00.
"""

from __future__ import annotations

TWO_LEVEL = {
    "Items": [("Item code", "Item name", "Item type", "Standard cost"),
              ("P", "p", "Manufactured", 0), ("S", "s", "Manufactured", 15),
              ("A", "a", "Purchased", 10), ("B", "b", "Purchased", 5)],
    "Warehouses": [("Warehouse code", "Warehouse name"), ("W", "main")],
    "Stock": [("Item code", "Warehouse code", "Qty on hand"), ("A", "W", 100),
              ("B", "W", 100)],
    "Production tasks": [("Task no", "Item code", "Qty", "Finish date", "Tracking no"),
                         ("T1", "S", 100, "2026-11-30", ""),
                         ("T2", "P", 50, "2026-11-30", "SO1-1")],
    "Task materials": [("Task no", "Component code", "Required qty"), ("T1", "A", 100),
                       ("T2", "S", 50), ("T2", "B", 100)],
    "Material issues": [("Document no", "Line", "Date", "Item code", "Warehouse code",
                         "Qty", "Task no"),
                        ("I1", 1, "2026-11-02", "A", "W", 100, "T1"),
                        ("I2", 1, "2026-11-10", "S", "W", 50, "T2"),
                        ("I2", 2, "2026-11-10", "B", "W", 100, "T2")],
    "Product receipts": [("Document no", "Date", "Item code", "Warehouse code", "Qty",
                          "Task no"), ("R1", "2026-11-05", "S", "W", 100, "T1"),
                         ("R2", "2026-11-20", "P", "W", 50, "T2")],
    "Cost objects": [("Cost object", "Cost centre", "Period", "WIP method"),
                     ("T1", "C1", "2026-11", "No WIP cost"),
                     ("T2", "C2", "2026-11", "No WIP cost")],
    "Cost pools": [("Cost centre", "Period", "Cost element", "Amount"),
                   ("C1", "2026-11", "labour", 600), ("C1", "2026-11", "overhead", 400),
                   ("C2", "2026-11", "labour", 300), ("C2", "2026-11", "overhead", 200)],
    "Sales orders": [("Order no", "Item code", "Qty", "Due date", "Unit price"),
                     ("SO1", "P", 50, "2026-11-30", 60)],
}
