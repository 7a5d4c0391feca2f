"""Platform import profiles: how one system's export maps onto a canonical table.

A profile is a TOML file (templates/profiles/ ships the common ones; `--profiles DIR`
adds or overrides by name). It renames the platform's headers to canonical column
names and describes the platform's habits (encoding, header row, status words, code
mapping, units, multi-line orders); typing and row checks stay with `addin.schema`.
`generic = true` expands to one profile per canonical input table whose headers are
matched through the schema's own headers and aliases.

A file gets the profile whose `patterns` match its name, else the one whose headers
match best (score = headers recognised; a profile that cannot fill the table's
required columns loses to one that can).
"""

from __future__ import annotations

import fnmatch
import functools
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from importlib.resources import files
from pathlib import Path

from addin.errors import UsageError
from addin.schema import INPUT_TABLES, TABLES, Table, fold, map_headers
from agent.store import ENTITIES

HEADER_SEARCH_ROWS = 20
MIN_SCORE = 2  # fewer recognised headers than this is not a match, just a coincidence
MODES = ("upsert", "snapshot")
SEVERITIES = ("error", "warning", "ignore")
FOLDER = "{folder}"  # platform placeholder: the name of the drop folder


def key(text: object) -> str:
    """Matching key of a header or status word: NFKC (full-width -> ASCII), then the
    schema's fold (case, spaces, brackets), and no commas (some tools strip them)."""
    return fold(unicodedata.normalize("NFKC", str(text))).replace(",", "")


@dataclass(frozen=True)
class UnitRule:
    """Convert `column` to the stock unit, reading each row's unit from `unit_header`."""

    column: str
    unit_header: str
    factors: Mapping[str, float] = field(default_factory=dict)  # unit -> stock-unit factor


@dataclass(frozen=True)
class FlagRule:
    """Set `column` to `value` on rows where the file's `header` cell is filled."""

    header: str
    column: str
    value: str


@dataclass(frozen=True)
class Profile:
    name: str
    table: str
    platform: str = FOLDER
    description: str = ""
    patterns: tuple[str, ...] = ()
    encoding: str = "auto"
    sheet: str = ""
    header_row: int = 0           # 0: find it among the first rows
    skip_after_header: int = 0    # caption rows under the header (Kingdee templates)
    columns: Mapping[str, str] = field(default_factory=dict)  # file header -> canonical
    constants: Mapping[str, object] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    codes: Mapping[str, str] = field(default_factory=dict)    # canonical column -> entity
    scale: Mapping[str, float] = field(default_factory=dict)  # canonical column -> factor
    units: UnitRule | None = None
    flags: tuple[FlagRule, ...] = ()
    fill_down: tuple[str, ...] = ()  # file headers filled from the row above
    fill_group: str = ""             # ... but only within the same value of this header
    line_numbers: tuple[str, ...] = ()  # number line_no 1, 2, … within these columns
    date_formats: tuple[str, ...] = ()
    as_of_column: str = ""           # file header holding the export time; else mtime
    mode: str = "upsert"
    unknown_codes: str = "error"
    lang: str = "auto"
    generic: bool = False
    origin: str = ""                 # the TOML file it came from

    @property
    def spec(self) -> Table:
        return TABLES[self.table]

    def matches_name(self, filename: str) -> bool:
        name = filename.casefold()
        return any(fnmatch.fnmatchcase(name, p.casefold()) for p in self.patterns)

    def header_map(self, headers: Sequence[object]) -> dict[int, str]:
        """{position in the header row: canonical column} for this profile."""
        if self.generic or not self.columns:
            return map_headers(self.spec, headers)[0]
        lookup = {key(h): c for h, c in self.columns.items()}
        found: dict[int, str] = {}
        for position, header in enumerate(headers):
            column = lookup.get(key(header)) if header not in (None, "") else None
            if column is not None and column not in found.values():
                found[position] = column
        return found

    def covers_required(self, mapped: Iterable[str]) -> bool:
        have = {*mapped, *self.constants, *(f.column for f in self.flags)}
        if self.line_numbers:
            have.add("line_no")
        return all(c.name in have for c in self.spec.columns if c.required)

    def platform_for(self, folder: str) -> str:
        return self.platform.replace(FOLDER, folder or "file")


@dataclass(frozen=True)
class Match:
    profile: Profile
    header_at: int        # index of the header row in the grid
    mapping: dict[int, str]
    score: int            # headers recognised
    exact: int = 0        # ... of which by a column's own name rather than an alias


def sniff(profiles: Sequence[Profile], filename: str, grid: Sequence[Sequence[object]]
          ) -> Match | None:
    """The profile and header row for a file: by name pattern first, else by headers."""
    named = [p for p in profiles if p.matches_name(filename)]
    candidates = named or list(profiles)
    rows = _header_candidates(grid)
    best: tuple | None = None
    stem = key(Path(filename).stem)
    for order, profile in enumerate(candidates):
        match = _best_row(profile, rows, grid, bool(named))
        # Generic tables share aliases ("Order no" is a sales and a purchase order
        # header): exact header names, then the file's name, settle such ties.
        named_after = profile.generic and any(
            len(k) >= 3 and k in stem for k in map(key, profile.spec.sheet_names()))
        rank = (bool(named) or match.score >= MIN_SCORE,
                profile.covers_required(match.mapping.values()), match.score, match.exact,
                named_after, not profile.generic, -order)
        if best is None or rank > best[0]:
            best = (rank, match)
    if best is None or not best[0][0]:
        return None
    return best[1]


def _header_candidates(grid: Sequence[Sequence[object]]) -> list[tuple[int, frozenset[str]]]:
    """The first non-blank rows with their cells folded both ways (schema and profile
    keys), computed once per file rather than once per profile."""
    rows = []
    for at, row in enumerate(grid):
        texts = [str(c) for c in row if c not in (None, "")]
        if not texts:
            continue
        rows.append((at, frozenset(map(fold, texts)) | frozenset(map(key, texts))))
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


@functools.cache
def _schema_keys(table: str) -> frozenset[str]:
    return frozenset(TABLES[table].header_lookup())


def _profile_keys(profile: Profile) -> frozenset[str]:
    if profile.generic or not profile.columns:
        return _schema_keys(profile.table)
    return frozenset(key(h) for h in profile.columns)


def _best_row(profile: Profile, rows: list[tuple[int, frozenset[str]]],
              grid: Sequence[Sequence[object]], named: bool = False) -> Match:
    """The row that names most of the profile's headers; a quick set intersection
    finds it, then the real header matching maps that one row."""
    if profile.header_row:
        at = profile.header_row - 1
        return _match(profile, at, grid[at] if at < len(grid) else [])
    wanted = _profile_keys(profile)
    best_at, best_hits = None, 0
    for at, cells in rows:
        hits = len(cells & wanted)
        if hits > best_hits:
            best_at, best_hits = at, hits
    if best_at is None or (best_hits < MIN_SCORE and not named):
        return Match(profile, 0, {}, 0)  # cannot win: spare the full header matching
    return _match(profile, best_at, grid[best_at])


def _match(profile: Profile, at: int, row: Sequence[object]) -> Match:
    mapping = profile.header_map(row)
    if not profile.generic:
        return Match(profile, at, mapping, len(mapping), len(mapping))
    spec = profile.spec
    exact = sum(key(row[p]) in {key(spec.column(c).name), key(spec.column(c).zh),
                                key(spec.column(c).en)} for p, c in mapping.items())
    return Match(profile, at, mapping, len(mapping), exact)


# -- loading ------------------------------------------------------------------------------

def shipped_dir() -> Path:
    return Path(str(files("templates") / "profiles"))


def load_profiles(user_dir: Path | None = None) -> list[Profile]:
    """The shipped profiles, then those of `user_dir`, a user profile replacing a shipped
    one of the same name. Sorted by name, so a tie in sniffing is decided the same way
    every time."""
    by_name: dict[str, Profile] = {}
    folders = [shipped_dir()]
    if user_dir is not None:
        if not user_dir.is_dir():
            raise UsageError(f"{user_dir} is not a folder of profile .toml files — "
                             "check --profiles")
        folders.append(user_dir)
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            for profile in parse_profile(path):
                by_name[profile.name] = profile
    return [by_name[name] for name in sorted(by_name)]


def parse_profile(path: Path) -> list[Profile]:
    """The profile(s) of one TOML file; a mistake raises UsageError naming the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"profile {path}: not valid TOML ({error})") from error
    where = f"profile {path.name}"
    if data.get("generic"):
        tables = data.pop("tables", ["*"])
        names = INPUT_TABLES if tables == ["*"] else tables
        base = data.pop("name", "generic")
        codes = data.pop("codes", {})
        return [_build({**data, "name": f"{base}_{t}", "table": t,
                        "codes": _codes_for(t, codes)}, where, path) for t in names]
    return [_build(data, where, path)]


def _codes_for(table: str, codes: Mapping[str, str]) -> dict[str, str]:
    """A generic profile's code checks that apply to one table: its columns that refer
    to master data, but not a master table's own codes (new items are not unknown)."""
    columns = set(TABLES[table].column_names)
    return {c: e for c, e in codes.items()
            if c in columns and ENTITIES.get(e, ("",))[0] != table}


_TUPLES = ("patterns", "fill_down", "line_numbers", "date_formats")


def _build(data: dict, where: str, path: Path) -> Profile:
    known = {f.name for f in fields(Profile)} - {"origin"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise UsageError(f"{where}: unknown setting {', '.join(unknown)} — settings: "
                         + ", ".join(sorted(known)))
    for name in ("name", "table"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise UsageError(f"{where}: give the profile a {name}")
    if data["table"] not in INPUT_TABLES:
        raise UsageError(f"{where}: table {data['table']!r} is not a canonical input table "
                         f"— tables: {', '.join(sorted(INPUT_TABLES))}")
    values = dict(data)
    for name in _TUPLES:
        if name in values:
            values[name] = _strings(values[name], name, where)
    if "units" in values:
        values["units"] = UnitRule(**_table(values["units"], "units", where))
    if "flags" in values:
        values["flags"] = tuple(FlagRule(**_table(f, "flags", where)) for f in values["flags"])
    profile = Profile(**values, origin=str(path))
    _check(profile, where)
    return profile


def _strings(value: object, name: str, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise UsageError(f"{where}: {name} must be a text or a list of texts")
    return tuple(items)


def _table(value: object, name: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise UsageError(f"{where}: {name} must be a table of settings")
    return value


def _check(profile: Profile, where: str) -> None:
    spec = profile.spec
    columns = set(spec.column_names)
    used = [*profile.columns.values(), *profile.constants, *profile.values, *profile.codes,
            *profile.scale, *(f.column for f in profile.flags)]
    if profile.units:
        used.append(profile.units.column)
    wrong = sorted({c for c in used if c not in columns})
    if wrong:
        raise UsageError(f"{where}: {', '.join(wrong)} not in table {spec.name} — its "
                         f"columns: {', '.join(spec.column_names)}")
    if profile.mode not in MODES:
        raise UsageError(f"{where}: mode must be one of {', '.join(MODES)}")
    if profile.unknown_codes not in SEVERITIES:
        raise UsageError(f"{where}: unknown_codes must be one of {', '.join(SEVERITIES)}")
    bad_entities = sorted(set(profile.codes.values()) - set(ENTITIES))
    if bad_entities:
        raise UsageError(f"{where}: unknown code entity {', '.join(bad_entities)} — "
                         f"entities: {', '.join(ENTITIES)}")
    if profile.lang not in ("auto", "zh", "en"):
        raise UsageError(f"{where}: lang must be auto, zh or en")


def with_platform(profile: Profile, folder: str) -> Profile:
    """The profile with its `{folder}` placeholder resolved."""
    return replace(profile, platform=profile.platform_for(folder))


__all__ = ["ENTITIES", "FlagRule", "Match", "Profile", "UnitRule", "key", "load_profiles",
           "parse_profile", "shipped_dir", "sniff", "with_platform"]
