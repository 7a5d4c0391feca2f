"""SIGKILL the agent at random moments while files arrive: nothing lost, nothing twice.

The full run (≥ 50 kills) is `python tests/bench/fault_inject.py --trials 60`; this test
runs the same harness with 10 kills to stay fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bench.fault_inject import run


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_random_kills_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    report = run(tmp_path, trials=10, seed=7, files=24, rows=3000)
    # 24 files, every 7th a byte copy of an earlier one: items_006 and items_013 and
    # items_020 are duplicates, so 21 distinct files × 3,000 rows = 63,000 rows
    assert (report.files, report.distinct_files, report.rows_expected) == (24, 21, 63_000)
    assert report.rows_stored == 63_000
    assert (report.missing, report.duplicated, report.wrong_values) == (0, 0, 0)
    assert (report.inserts_per_key_not_one, report.updates) == (0, 0)
    assert report.batches == report.journaled == 21
    assert (report.rejected, report.left_in_inbox, report.invariant_breaks) == (0, 0, [])
