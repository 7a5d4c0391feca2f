"""One file, start to finish: parse -> validate -> map -> load in one transaction.

`ingest_file` never raises on a bad file: every data problem is an Issue, any error
rejects the whole file (nothing partial reaches the store) and the caller moves it to
rejected/ with the issues as its report. A file whose content hash is journaled is a
no-op, whatever its name.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

import pandas as pd

from addin.issues import Issue, Message, has_errors, register
from addin.schema import Lang, Table, coerce
from addin.schema.validate import duplicate_key_issues
from agent import mapping
from agent.batch import BatchResult, Provenance
from agent.exports import MAX_FILE_MB, Grid, Unreadable, read_export
from agent.profiles import Match, Profile, key, sniff, with_platform
from agent.store import ENTITIES, iso_utc

log = logging.getLogger(__name__)

Status = Literal["loaded", "duplicate", "rejected"]


class LoadTarget(Protocol):
    """What loading a file needs from a store: `agent.store.Store`, or a stand-in that
    queues batches for a remote store (agent.push.RemoteStore)."""

    def loaded_batch(self, sha256: str) -> int | None: ...
    def load_batch(self, table: str, frame: pd.DataFrame,
                   provenance: Provenance) -> BatchResult: ...
    def record_rejection(self, file: str, sha256: str, profile: str, issues: int,
                         reason: str, report: str) -> None: ...
    def code_map(self, platform: str, entity: str) -> dict[str, str]: ...
    def column_values(self, table: str, column: str) -> set[object]: ...
    def column_map(self, table: str, key_column: str, value_column: str) -> dict: ...
    def rows(self, table: str, where: Mapping[str, object] | None = None
             ) -> pd.DataFrame: ...


@dataclass
class IngestResult:
    path: Path
    status: Status
    sha256: str
    lang: Lang = "en"
    profile: str = ""
    table: str = ""
    batch: BatchResult | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(store: LoadTarget, path: Path, profiles: Sequence[Profile], *,
                lang: Lang | None = None, max_mb: float = MAX_FILE_MB) -> IngestResult:
    """Load `path` into `store` with the profile that fits it (see `profiles.sniff`)."""
    sha = file_sha256(path)
    done = store.loaded_batch(sha)
    if done is not None:
        return IngestResult(path, "duplicate", sha, lang or "en",
                            batch=BatchResult("", done, duplicate=True))
    named = [p for p in profiles if p.matches_name(path.name)]
    pinned = named[0] if len(named) == 1 else None
    try:
        grid = read_export(path, encoding=pinned.encoding if pinned else "auto",
                           sheet=pinned.sheet if pinned else "", max_mb=max_mb)
    except Unreadable as problem:
        issue = Issue(problem.code, sheet=path.name, params=problem.params)
        return IngestResult(path, "rejected", sha, lang or "en", issues=[issue])
    match = sniff(profiles, path.name, grid.head())
    if match is None:
        return IngestResult(path, "rejected", sha, lang or _language(grid.head(5)),
                            issues=[_unknown_profile(path, grid)])
    return _load(store, path, sha, grid, match, lang)


def _load(store: LoadTarget, path: Path, sha: str, grid: Grid, match: Match,
          lang: Lang | None) -> IngestResult:
    profile = with_platform(match.profile, path.resolve().parent.name)
    spec = profile.spec
    header = grid.cells.iloc[match.header_at].tolist()
    lang = lang or (profile.lang if profile.lang != "auto" else _language([header]))
    sheet = grid.sheet or path.name
    as_of = export_time(profile, match, grid.cells, path)
    raw, labels = mapping.to_raw(match, grid.cells, as_of, grid.markers)
    issues = mapping.long_id_issues(spec, profile, raw, sheet, grid.markers)
    frame, found = coerce(spec, raw, sheet, lang, header_row=int(grid.cells.index[
        match.header_at]))
    issues += found
    if not has_errors(issues):
        issues += _map(store, profile, frame, raw, sheet, lang)
    issues = _localise(issues, spec, labels, lang)
    result = IngestResult(path, "rejected", sha, lang, profile.name, spec.name,
                          issues=issues)
    if has_errors(issues):
        return result
    provenance = Provenance(profile.platform, path.name, sha, iso_utc(as_of), profile.name,
                            snapshot=profile.mode == "snapshot")
    result.batch = store.load_batch(spec.name, frame, provenance)
    result.status = "duplicate" if result.batch.duplicate else "loaded"
    if result.batch.stale:
        result.issues.append(Issue("older_export", severity="warning", sheet=sheet,
                                   params={"count": result.batch.stale,
                                           "platform": profile.platform}))
    return result


def _map(store: LoadTarget, profile: Profile, frame: pd.DataFrame, raw: pd.DataFrame,
         sheet: str, lang: Lang) -> list[Issue]:
    """Codes and units through the store's master data; re-check keys that mapping may
    have merged (two external codes for one canonical item)."""
    spec = profile.spec
    mapping.scale(profile, frame)
    mappings, known = {}, {}
    for entity in sorted(set(profile.codes.values())):
        table, column = ENTITIES[entity]
        mappings[entity] = store.code_map(profile.platform, entity)
        known[entity] = store.column_values(table, column)
    issues = mapping.map_codes(profile, frame, mappings, known, sheet)
    if profile.units is not None:
        units = raw.get("_unit")
        stock_units = store.column_map("items", "item_code", "stock_unit")
        conversions = store.rows("unit_conversions")
        issues += mapping.convert_units(profile, frame, units, stock_units, conversions, sheet)
    if any(mappings.values()) and set(profile.codes) & set(spec.key):
        issues += duplicate_key_issues(spec, frame, sheet, lang)
    return issues


def export_time(profile: Profile, match: Match, cells: pd.DataFrame, path: Path) -> datetime:
    """When the platform wrote the file: the latest time in the profile's `as_of_column`,
    else the file's modification time (kept by a copy, renewed by an Excel re-save)."""
    if profile.as_of_column:
        header = [key(c) for c in cells.iloc[match.header_at].tolist()]
        wanted = key(profile.as_of_column)
        if wanted in header:
            values = cells.iloc[match.header_at + 1:, header.index(wanted)]
            text = values.astype(str).str.replace(mapping.TZ_SUFFIX, "", regex=True)
            latest = pd.to_datetime(text, errors="coerce", format="mixed").max()
            if pd.notna(latest):
                return latest.to_pydatetime()
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _localise(issues: list[Issue], spec: Table, labels: dict[str, str],
              lang: Lang) -> list[Issue]:
    """Name columns as the file does (its own header text), else in the user's language."""
    by_label = {spec.column(c).header(lang): c for c in spec.column_names}
    out = []
    for issue in issues:
        name = by_label.get(issue.column, issue.column)
        column = labels.get(name) or (spec.column(name).header(lang)
                                      if name in spec.column_names else issue.column)
        out.append(Issue(issue.code, issue.severity, issue.sheet, issue.row, column,
                         issue.value, issue.params))
    return out


def _language(rows: list[list[object]]) -> Lang:
    text = "".join(str(c) for row in rows for c in row if isinstance(c, str))
    wide = any(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return "zh" if wide else "en"


def _unknown_profile(path: Path, grid: Grid) -> Issue:
    head = grid.head(5)
    first = next((row for row in head if any(c not in (None, "") for c in row)), [])
    headers = ", ".join(str(c) for c in first if c not in (None, ""))[:200]
    return Issue("unknown_profile", sheet=path.name, row=None, value=headers,
                 params={"headers": headers})


register({
    "unknown_profile": Message(
        "没有适用于此文件的导入方案（表头：{headers}）",
        "No import profile fits this file (headers: {headers})",
        "检查是否导出了正确的报表，或在 --profiles 文件夹中为该平台添加方案",
        "Check that the right report was exported, or add a profile for this platform "
        "in the --profiles folder"),
    "encoding": Message(
        "文件编码无法识别（不是 UTF-8，也不是 GBK/GB18030）",
        "The file's text encoding is neither UTF-8 nor GBK/GB18030",
        "在 Excel 中另存为「CSV UTF-8（逗号分隔）」，或在方案中指定 encoding",
        'Save it from Excel as "CSV UTF-8 (Comma delimited)" or set encoding in the profile'),
    "unreadable": Message(
        "无法读取文件：{reason}", "The file cannot be read: {reason}",
        "在 Excel 中打开并重新保存为 .xlsx，或重新导出",
        "Open it in Excel and save it again as .xlsx, or export it again"),
    "empty_file": Message(
        "文件是空的", "The file is empty",
        "重新导出；确认导出完成后再放入文件夹",
        "Export it again and drop it only once the export has finished"),
    "too_large": Message(
        "文件有 {size} MB，超过上限 {limit} MB",
        "The file is {size} MB, above the {limit} MB limit",
        "按日期分批导出，或调高上限", "Export it in smaller date ranges, or raise the limit"),
    "unpacked_too_large": Message(
        "工作簿解压后有 {size} MB（压缩比 {ratio}:1），可能是恶意文件",
        "The workbook unpacks to {size} MB (ratio {ratio}:1) — it may be a zip bomb",
        "确认文件来源；真实数据请另存为 CSV", "Check where it came from; save real data as CSV"),
    "unsupported_file": Message(
        "不导入 {suffix} 类型的文件", "Files of type {suffix} are not imported",
        "放入 CSV、TXT、XLSX、XLSM 或 XLS 文件", "Drop CSV, TXT, XLSX, XLSM or XLS files"),
    "ragged_rows": Message(
        "各行的列数不一致：{detail}", "The rows do not have the same number of fields: {detail}",
        "文件可能被截断或在 Excel 外编辑过；请重新导出",
        "The file may be cut off or hand-edited; export it again"),
    "id_as_number": Message(
        "「{value}」是被 Excel 改写成数字的长编号，后几位已丢失",
        '"{value}" is a long number Excel rounded; its last digits are lost',
        "使用平台的原始导出文件，不要在 Excel 中另存；或把该列设为文本后重新导出",
        "Use the platform's original export, not a copy re-saved by Excel, or format the "
        "column as text"),
    "unknown_code": Message(
        "「{value}」不在「{label_zh}」中，{platform} 也没有它的编码映射",
        '"{value}" is not in {label_en} and has no {platform} code mapping',
        "在「编码映射」中加入 {platform} 的对照，或先在「{label_zh}」中建立该编码",
        "Add a {platform} row to the code mappings, or create the code in {label_en}"),
    "unknown_unit": Message(
        "单位「{value}」无法换算为物料 {item} 的库存单位 {unit}",
        'Unit "{value}" has no conversion to the stock unit {unit} of item {item}',
        "在「单位换算」表中加入换算率", "Add the factor to the unit conversions table"),
    "older_export": Message(
        "{count} 行未更新：{platform} 更新的导出已经写入了这些行",
        "{count} rows were not applied: a newer {platform} export already set them",
        "无需处理；如确需回退，请重新导出最新数据",
        "Nothing to do; to go back, export the current data again"),
})
