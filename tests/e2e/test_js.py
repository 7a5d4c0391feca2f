"""The ribbon's JavaScript (templates/addin/*.js) under node's own test runner."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed (the ribbon JS tests need it)")
def test_ribbon_javascript_passes_its_node_tests() -> None:
    run = subprocess.run([NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = int(re.search(r"^# pass (\d+)", run.stdout, re.M).group(1))
    assert passed >= 16 and re.search(r"^# fail 0$", run.stdout, re.M)
