"""The building blocks of the canonical schema: choices, columns and tables.

A table spec is the only place that knows a column's canonical name, its type, its
Chinese and English headers and the aliases platforms use for it. Readers, writers,
validators and templates all ask the spec instead of spelling column names themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "number", "integer", "date", "bool", "choice"]
Lang = Literal["zh", "en"]

_FOLD = re.compile(r"[\s_\-—./\\()（）\[\]【】:：%％*]+")


def fold(text: object) -> str:
    """Normalise a header or label for matching: case-, space- and punctuation-insensitive."""
    return _FOLD.sub("", str(text)).casefold()


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice column: canonical value, labels, accepted aliases."""

    value: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    zh: str
    en: str
    required: bool = False
    default: object = None
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    min_value: float | None = None
    number_format: str | None = None
    width: float | None = None
    help_zh: str = ""
    help_en: str = ""

    def header(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def help(self, lang: Lang) -> str:
        return self.help_zh if lang == "zh" else self.help_en

    def names(self) -> tuple[str, ...]:
        """Every header text this column answers to."""
        return (self.name, self.zh, self.en, *self.aliases)

    def choice_lookup(self) -> dict[str, str]:
        """Folded label or alias -> canonical value."""
        table: dict[str, str] = {}
        for choice in self.choices:
            for text in (choice.value, choice.zh, choice.en, *choice.aliases):
                table[fold(text)] = choice.value
        return table

    def choice_label(self, value: str, lang: Lang) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label(lang)
        return value


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    role: Literal["input", "output"] = "input"
    aliases: tuple[str, ...] = ()
    description_zh: str = ""
    description_en: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    def sheet_name(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def sheet_names(self) -> tuple[str, ...]:
        return (self.name, self.zh, self.en, *self.aliases)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_lookup(self) -> dict[str, str]:
        """Folded header text -> canonical column name."""
        lookup: dict[str, str] = {}
        for column in self.columns:
            for text in column.names():
                lookup.setdefault(fold(text), column.name)
        return lookup

    def headers(self, lang: Lang) -> list[str]:
        return [c.header(lang) for c in self.columns]


def col(name: str, type: ColumnType, zh: str, en: str, **options: object) -> Column:
    """Shorthand used by the table definitions."""
    return Column(name, type, zh, en, **options)  # type: ignore[arg-type]
