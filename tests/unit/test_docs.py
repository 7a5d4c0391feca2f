"""Docs are tests: every command and every message a user can meet is documented."""

from __future__ import annotations

from pathlib import Path

from agent.cli import cli
from agent.messages_doc import messages_markdown

ROOT = Path(__file__).resolve().parents[2]


def docs_text() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_every_subcommand_is_documented() -> None:
    text = docs_text()
    missing = [name for name in cli.commands if f"xlerp {name}" not in text]
    assert missing == []


def test_messages_page_is_up_to_date() -> None:
    page = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    assert page == messages_markdown(), "run: python -m agent.messages_doc"
