"""Where a processed file goes: done/YYYY-MM-DD/ after its rows are committed, or
rejected/ with `<name>.errors.xlsx` beside it (row, column, value, reason, fix).

A file is moved only after COMMIT, so a crash leaves it in place and the next start
finds its hash in the journal and just finishes the move. Target names come from the
file's own name (never its content) and are checked to stay inside the folder.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

from addin.issues import issues_frame, sort_issues
from addin.workbook.write import new_workbook
from agent.ingest import IngestResult, LoadTarget

log = logging.getLogger(__name__)

DONE = "done"
REJECTED = "rejected"
REPORT_SUFFIX = ".errors.xlsx"


def _free_name(folder: Path, name: str, sha256: str) -> Path:
    """folder/name, or name with the content hash's first 8 digits when taken (the
    platforms reuse names like orders_export.csv every day)."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ValueError(f"{name!r} would leave {folder}")  # programming error: names only
    if not target.exists():
        return target
    stem, dot, suffix = name.rpartition(".")
    tagged = f"{stem}.{sha256[:8]}.{suffix}" if dot else f"{name}.{sha256[:8]}"
    return folder.resolve() / tagged


def move_done(path: Path, sha256: str, today: date) -> Path:
    folder = path.parent / DONE / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, path.name, sha256)
    os.replace(path, target)
    return target


def move_rejected(path: Path, result: IngestResult, store: LoadTarget) -> Path:
    """Write the error report, move the file beside it, note it in the store."""
    folder = path.parent / REJECTED
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, path.name, result.sha256)
    report = target.with_name(target.name + REPORT_SUFFIX)
    write_report(report, result)
    os.replace(path, target)
    first = sort_issues(result.issues)[0] if result.issues else None
    store.record_rejection(path.name, result.sha256, result.profile, len(result.issues),
                           first.code if first else "", str(report))
    return target


def write_report(report: Path, result: IngestResult) -> Path:
    """The issues as the Messages sheet, in the file's language."""
    frame = issues_frame(result.issues, result.lang)
    return new_workbook(report, {"messages": frame}, result.lang)


def summary(result: IngestResult) -> str:
    """One line for the log and the terminal."""
    name = result.path.name
    if result.status == "duplicate":
        return f"{name}: already loaded (batch {result.batch.batch if result.batch else '?'})"
    if result.status == "rejected":
        first = sort_issues(result.issues)[0].located(result.lang) if result.issues else ""
        return f"{name}: rejected, {len(result.issues)} problem(s) — {first}"
    batch = result.batch
    assert batch is not None
    return (f"{name}: {batch.rows} rows into {batch.table} via {result.profile} — "
            f"{batch.inserted} new, {batch.updated} changed, {batch.unchanged} unchanged"
            + (f", {batch.deleted} removed" if batch.deleted else "")
            + (f", {batch.stale} older than the store" if batch.stale else "")
            + f" (batch {batch.batch})")
