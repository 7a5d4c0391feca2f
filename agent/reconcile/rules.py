"""Reconciliation rules as configuration (TOML), checked against the schema on load.

A rule compares one canonical table between two groups of platforms (side A, side B),
or looks inside one table for things that carry two codes. Built-in rule sets live in
templates/reconcile/*.toml; a user's own files are read the same way.

    [[rules]]
    name = "sales_orders_shop_erp"
    title_zh = "销售订单 网店↔ERP"
    title_en = "Sales orders: shop ↔ ERP"
    table = "sales_orders"
    a = ["shopify", "tmall"]            # platforms of side A (the `_platform` of rows)
    b = ["kingdee", "erp"]
    key = ["order_no", "line_no"]       # the matching key, after the two steps below
    codes = { item_code = "items" }     # map through the code-mapping table, per platform
    rewrite.shopify.order_no = ["^#(\\d+)$", "SHOP-\\1"]   # regex, replacement
    where_b = { source_platform = ["shopify", "tmall"] }  # only these rows of side B
    [[rules.fields]]
    column = "qty"                      # tolerance (absolute) / tolerance_pct / tolerance_days
    [[rules.fields]]
    column = "status"
    map_a = { closed = "open" }         # status words mapped before comparing
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from addin.errors import UsageError
from addin.schema import INPUT_TABLES, TABLES, Table

Kind = Literal["compare", "identity"]
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class FieldRule:
    """One compared column and how far the two sides may differ and still agree."""

    column: str
    tolerance: float = 0.0       # absolute, in the column's unit (numbers)
    tolerance_pct: float = 0.0   # percent of the larger of the two values (numbers)
    tolerance_days: int = 0      # dates
    map_a: Mapping[str, str] = field(default_factory=dict)
    map_b: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    name: str
    title_zh: str
    title_en: str
    table: str
    kind: Kind = "compare"
    a: tuple[str, ...] = ()
    b: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    codes: Mapping[str, str] = field(default_factory=dict)
    rewrite: Mapping[str, Mapping[str, tuple[str, str]]] = field(default_factory=dict)
    aggregate: bool = False      # sum the compared numbers over rows sharing the key
    where_a: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # column -> values
    where_b: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fields: tuple[FieldRule, ...] = ()
    code: str = ""               # identity: the code column (item_code, customer_code)
    match: tuple[tuple[str, ...], ...] = ()  # identity: column sets that identify a thing
    external: bool = False       # identity: one external code mapped to two codes
    entity: str = ""             # identity: the code-mapping entity (default: table)

    @property
    def spec(self) -> Table:
        return TABLES[self.table]

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    @property
    def mapping_entity(self) -> str:
        return self.entity or self.table


def builtin_paths() -> list[Path]:
    """The rule sets shipped in templates/reconcile/, in name order."""
    folder = Path(str(files("templates") / "reconcile"))
    return sorted(folder.glob("*.toml"))


def load_rules(paths: list[Path] | None = None) -> list[Rule]:
    """Every rule of the given TOML files (default: the built-in sets); names unique."""
    rules: list[Rule] = []
    for path in paths if paths is not None else builtin_paths():
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise UsageError(f"{path}: cannot read the rule set ({error})") from error
        rules += parse_rules(data, str(path))
    names = [rule.name for rule in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"rule {', '.join(twice)} is defined twice — give each rule its "
                         "own name")
    return rules


def parse_rules(data: Mapping[str, Any], source: str) -> list[Rule]:
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise UsageError(f"{source}: no [[rules]] found")
    return [_rule(entry, f"{source}: rule {i + 1}") for i, entry in enumerate(entries)]


def _rule(entry: Mapping[str, Any], where: str) -> Rule:
    unknown = sorted(set(entry) - set(Rule.__dataclass_fields__))
    if unknown:
        raise UsageError(f"{where}: unknown setting {', '.join(unknown)}")
    name = str(entry.get("name", ""))
    if not _NAME.match(name):
        raise UsageError(f"{where}: name {name!r} must be lower-case letters, digits, _")
    table = str(entry.get("table", ""))
    if table not in INPUT_TABLES:
        raise UsageError(f"{where} ({name}): unknown table {table!r} — tables: "
                         + ", ".join(sorted(INPUT_TABLES)))
    spec = TABLES[table]
    rule = Rule(
        name=name, title_zh=str(entry.get("title_zh", name)),
        title_en=str(entry.get("title_en", name)), table=table,
        kind=entry.get("kind", "compare"), a=_names(entry.get("a", ())),
        b=_names(entry.get("b", ())), key=_names(entry.get("key", ())),
        codes=dict(entry.get("codes", {})), rewrite=_rewrites(entry.get("rewrite", {}), where),
        aggregate=bool(entry.get("aggregate", False)),
        where_a={k: _names(v) for k, v in entry.get("where_a", {}).items()},
        where_b={k: _names(v) for k, v in entry.get("where_b", {}).items()},
        fields=tuple(_field(f, where) for f in entry.get("fields", ())),
        code=str(entry.get("code", "")),
        match=tuple(_names(m) for m in entry.get("match", ())),
        external=bool(entry.get("external", False)), entity=str(entry.get("entity", "")))
    _check(rule, spec, f"{where} ({name})")
    return rule


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)  # type: ignore[union-attr]


def _rewrites(value: Mapping[str, Any], where: str) -> dict[str, dict[str, tuple[str, str]]]:
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for platform, columns in value.items():
        out[platform] = {}
        for column, pair in columns.items():
            if not (isinstance(pair, list) and len(pair) == 2):
                raise UsageError(f"{where}: rewrite.{platform}.{column} must be "
                                 '["pattern", "replacement"]')
            try:
                re.compile(pair[0])
            except re.error as error:
                raise UsageError(f"{where}: rewrite.{platform}.{column}: {error}") from error
            out[platform][column] = (str(pair[0]), str(pair[1]))
    return out


def _field(entry: Mapping[str, Any], where: str) -> FieldRule:
    unknown = sorted(set(entry) - set(FieldRule.__dataclass_fields__))
    if unknown:
        raise UsageError(f"{where}: unknown field setting {', '.join(unknown)}")
    return FieldRule(column=str(entry.get("column", "")),
                     tolerance=float(entry.get("tolerance", 0.0)),
                     tolerance_pct=float(entry.get("tolerance_pct", 0.0)),
                     tolerance_days=int(entry.get("tolerance_days", 0)),
                     map_a=dict(entry.get("map_a", {})), map_b=dict(entry.get("map_b", {})))


def _check(rule: Rule, spec: Table, where: str) -> None:
    """Every column a rule names must be a column of its table."""
    columns = set(spec.column_names)
    named = [*rule.key, *rule.codes, *(f.column for f in rule.fields),
             *(c for m in rule.match for c in m), *([rule.code] if rule.code else []),
             *(c for cols in rule.rewrite.values() for c in cols), *rule.where_a,
             *rule.where_b]
    missing = sorted({c for c in named if c not in columns})
    if missing:
        raise UsageError(f"{where}: {rule.table} has no column {', '.join(missing)}")
    if rule.kind == "compare":
        if not (rule.a and rule.b and rule.key and rule.fields):
            raise UsageError(f"{where}: a compare rule needs a, b, key and [[rules.fields]]")
        if set(rule.a) & set(rule.b):
            raise UsageError(f"{where}: a platform cannot be on both sides")
        keyed = [f.column for f in rule.fields if f.column in rule.key]
        if keyed:
            raise UsageError(f"{where}: {', '.join(keyed)} is part of the key, not a field")
        if any(f.tolerance < 0 or f.tolerance_pct < 0 or f.tolerance_days < 0
               for f in rule.fields):
            raise UsageError(f"{where}: tolerances cannot be negative")
    elif rule.kind == "identity":
        if not rule.code or not (rule.match or rule.external):
            raise UsageError(f"{where}: an identity rule needs code and match (or external)")
    else:
        raise UsageError(f"{where}: kind must be compare or identity, not {rule.kind!r}")


__all__ = ["FieldRule", "Kind", "Rule", "builtin_paths", "load_rules", "parse_rules"]
