"""Usage and configuration errors: the one exception family front ends turn into messages.

Data problems are never raised (they are `addin.issues.Issue`s); programming errors are
ordinary Python exceptions. What is left — a workbook that cannot be opened or saved, a
wrong argument or setting — is raised as an `XlerpError` whose message says how to fix
it. The CLI prints `Error: <message>` and exits 1; the server answers with a 4xx.
"""

from __future__ import annotations


class XlerpError(Exception):
    """Base of the usage/configuration errors; `str(error)` is the whole user message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WorkbookError(XlerpError):
    """A workbook file cannot be read or written (missing, damaged, protected, locked)."""


class UsageError(XlerpError):
    """A command was called wrongly: unknown table or sheet, bad option or setting."""


__all__ = ["UsageError", "WorkbookError", "XlerpError"]
