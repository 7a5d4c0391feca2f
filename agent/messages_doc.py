"""Write docs/messages.md: every message a user can see, from the one catalogue.

`python -m agent.messages_doc` regenerates it; a test fails when it is out of date.
Lives in agent because it imports every module of both halves to collect their codes.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path

import addin
import agent
from addin.issues import catalogue

HEADER = """# Messages

Every problem xlerp reports about your data, by reason code, in both languages. The code
is in the *Code* column of the BOM Check / Messages sheets and of `.errors.xlsx` reports;
‹…› stands for the value, item or row filled in. Generated from the message catalogue by
`python -m agent.messages_doc`.

| Code | English | 中文 |
|---|---|---|
"""


def load_all_modules() -> None:
    """Import every module, so that each registers its messages."""
    for package in (addin, agent):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)


def _cell(text: str) -> str:
    return re.sub(r"\{(\w+)\}", r"‹\1›", text).replace("|", "\\|")


def messages_markdown() -> str:
    load_all_modules()
    rows = [f"| `{code}` | {_cell(m.en)} — {_cell(m.fix_en)} | {_cell(m.zh)} — {_cell(m.fix_zh)} |"
            for code, m in sorted(catalogue().items())]
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/messages.md")
    path.write_text(messages_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()
