"""Read a platform export (CSV/TSV text or an Excel workbook) into a grid of raw cells.

Text files: encoding by BOM, else strict UTF-8, else GB18030 (a superset of GBK/CP936,
which is what Excel and the Chinese platforms write). A fixed cascade is used rather than
charset-normalizer's guess: the guess is statistical, slow on large files and mistakes
short GBK samples for Big5 or Latin-1, while a strict decode either succeeds or says so.
The delimiter is the one of `, \\t ; |` that splits the header line into most fields.

Workbooks are read with calamine through `addin.workbook.read`, after checking the zip
so that a bomb (a few KB expanding to gigabytes of XML) is refused before parsing.
A file that cannot be read raises `Unreadable`, which ingest turns into an Issue.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from addin.errors import WorkbookError
from addin.schema import TABLES
from addin.workbook.read import check_workbook_file, find_sheet, read_sheet_values

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")
DELIMITERS = ",\t;|"
MAX_FILE_MB = 512           # larger drops are refused with a reason, not read
MAX_UNPACKED_MB = 2048      # a workbook's XML, unpacked
MAX_RATIO = 100             # ... and its compression ratio (real sheets: 5–20)
SAMPLE_RECORDS = 1000       # records looked at to learn the number of fields
HEADER_LINES = 20           # lines looked at to learn the delimiter
_CHUNK = 1 << 20


class Unreadable(Exception):
    """The file cannot be read as an export; `code`/`params` make the Issue."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Grid:
    """Raw cells, positional columns 0..n-1, one row per record; `rows[i]` is the
    row number a person sees (CSV record number or Excel row)."""

    cells: pd.DataFrame
    sheet: str = ""
    encoding: str = ""
    meta: Mapping[str, object] = field(default_factory=dict)
    markers: frozenset[str] | None = None  # anti-Excel decorations present (None: unknown)

    def head(self, n: int = 40) -> list[list[object]]:
        return self.cells.head(n).to_numpy(dtype=object).tolist()


def read_export(path: Path, *, encoding: str = "auto", sheet: str = "",
                max_mb: float = MAX_FILE_MB) -> Grid:
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size == 0:
        raise Unreadable("empty_file")
    if size > max_mb * 1024 * 1024:
        raise Unreadable("too_large", size=round(size / 1048576), limit=max_mb)
    if suffix in TEXT_SUFFIXES:
        return read_text(path, encoding)
    if suffix in BOOK_SUFFIXES:
        return read_book(path, sheet)
    raise Unreadable("unsupported_file", suffix=suffix or path.name)


# -- text ---------------------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """utf-8-sig / utf-16 by BOM, else utf-8 if the whole file decodes, else gb18030."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        if _decodes(path, candidate):
            return candidate
    raise Unreadable("encoding")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_text(path: Path, encoding: str = "auto") -> Grid:
    if encoding == "auto":
        encoding = detect_encoding(path)
    elif not _decodes(path, encoding):
        raise Unreadable("encoding")
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(256 * 1024)
    delimiter = _delimiter(sample)
    width = _width(sample, delimiter)
    try:
        cells = pd.read_csv(path, sep=delimiter, header=None, names=range(width),
                            dtype=object, encoding=encoding, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as error:
        raise Unreadable("ragged_rows", detail=_short(error)) from error
    except UnicodeDecodeError as error:  # pragma: no cover — the strict decode ran first
        raise Unreadable("encoding") from error
    cells.index = pd.RangeIndex(1, len(cells) + 1)  # record number = Excel's row on opening
    return Grid(cells, encoding=encoding, meta={"delimiter": delimiter},
                markers=_markers(path, encoding))


# ="…", a leading ', OOXML's _xHHHH_, and the E+ of a long id Excel turned into a number
_DECORATIONS = ('="', "'", "_x", "E+", "e+")


def _markers(path: Path, encoding: str) -> frozenset[str]:
    """Which markers (see _DECORATIONS) occur anywhere in the file: one pass over the
    bytes spares a per-cell search in the (usual) case that none does."""
    codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)
    needles = {mark: mark.encode(codec) for mark in _DECORATIONS}
    found: set[str] = set()
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            data = tail + chunk
            found |= {mark for mark, needle in needles.items() if needle in data}
            tail = data[-4:]
    return frozenset(found)


def _delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into most fields (a title line above
    the header has none, so one line is not enough); a comma on a tie."""
    lines = sample.splitlines()[:HEADER_LINES]
    def widest(d: str) -> int:
        return max((len(r) for r in csv.reader(lines, delimiter=d)), default=0)
    return max(DELIMITERS, key=lambda d: (widest(d), d == ","))


def _width(sample: str, delimiter: str) -> int:
    """Most fields in the first records; trailing commas (Taobao) make rows wider than
    the header, so the header alone is not enough."""
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    widths = [len(row) for _, row in zip(range(SAMPLE_RECORDS), reader, strict=False)]
    return max(widths, default=1) or 1


def _short(error: Exception) -> str:
    return str(error).strip().splitlines()[-1][:200]


# -- workbooks ----------------------------------------------------------------------------

_MAGIC = {".xls": bytes.fromhex("D0CF11E0A1B11AE1"), ".xlsx": b"PK", ".xlsm": b"PK",
          ".xlsb": b"PK", ".ods": b"PK"}


def _check_magic(path: Path) -> None:
    """ERPs often save a web page or CSV text under an Excel name; say so plainly."""
    expected = _MAGIC.get(path.suffix.lower(), b"")
    with path.open("rb") as handle:
        start = handle.read(len(expected))
    if start != expected:
        raise Unreadable("unreadable", reason=f"it is not a {path.suffix} workbook but "
                         "text or a web page with an Excel name")


def check_zip(path: Path) -> None:
    """Refuse a workbook whose XML would unpack to an unreasonable size."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise Unreadable("unreadable", reason=f"not a complete workbook ({error})") from error
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if unpacked > MAX_UNPACKED_MB * 1048576 or (
            unpacked > 100 * 1048576 and unpacked / packed > MAX_RATIO):
        raise Unreadable("unpacked_too_large", size=round(unpacked / 1048576),
                         ratio=round(unpacked / packed))


def read_book(path: Path, sheet: str = "") -> Grid:
    try:
        check_workbook_file(path)  # missing, locked or password-protected, in its words
    except WorkbookError as error:
        raise Unreadable("unreadable", reason=str(error)) from error
    _check_magic(path)
    if path.suffix.lower() in ZIP_SUFFIXES:
        check_zip(path)
    name = sheet or _default_sheet(path)
    try:
        rows = read_sheet_values(path, name)
    except WorkbookError as error:
        raise Unreadable("unreadable", reason=str(error)) from error
    width = max((len(r) for r in rows), default=0)
    cells = pd.DataFrame(rows, columns=range(width), dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return Grid(cells, sheet=name)


def _default_sheet(path: Path) -> str:
    """The worksheet named after a canonical table (an xlerp-style book), else the first."""
    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    except WorkbookError as error:
        raise Unreadable("unreadable", reason=str(error)) from error
    except (CalamineError, OSError, ValueError) as error:
        raise Unreadable("unreadable", reason=_short(error)) from error
    if not names:
        raise Unreadable("empty_file")
    for spec in TABLES.values():
        if spec.role == "input" and (found := find_sheet(spec, names)) is not None:
            return found
    return names[0]
