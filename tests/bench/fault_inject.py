"""Fault injection: SIGKILL the watching agent at random moments while files arrive.

A writer thread drops item lists into the inbox the ways real producers do (write to a
temp name and rename, Excel-style 8-hex temp name then rename, slow copy in place) plus
byte-identical duplicates under other names. Meanwhile `xlerp watch` is started and
killed with SIGKILL at a random moment after it is up, `--trials` times; then it runs
until the inbox is empty. Afterwards every row of every file must be in the store
exactly once (one insert in the change log per key, no updates), every distinct file
journaled once with one batch, nothing partial, nothing rejected, every file in done/.

    python tests/bench/fault_inject.py --trials 60 --seed 1 [--workdir DIR]

Exit code 1 when an invariant fails. POSIX only (SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = "物料编码,物料名称,物料属性\n"


@dataclass
class Report:
    trials: int
    files: int
    distinct_files: int
    rows_expected: int
    rows_stored: int = 0
    missing: int = 0
    duplicated: int = 0
    wrong_values: int = 0
    inserts_per_key_not_one: int = 0
    updates: int = 0
    batches: int = 0
    journaled: int = 0
    rejected: int = 0
    left_in_inbox: int = 0
    kills_with_work_pending: int = 0          # files were waiting or loading at the kill
    kills_with_committed_unmoved_file: int = 0  # a committed file still in the inbox after
    #                                             the kill: the restart only moves it
    invariant_breaks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.wrong_values or self.updates
                    or self.inserts_per_key_not_one or self.rejected or self.left_in_inbox
                    or self.batches != self.distinct_files
                    or self.journaled != self.distinct_files or self.invariant_breaks)


def file_text(index: int, rows: int) -> str:
    lines = [f"F{index:03d}-{r:05d},name {index}-{r},外购\n" for r in range(rows)]
    return HEADER + "".join(lines)


def write_files(inbox: Path, indices: range, rows: int, rng: random.Random,
                written: list[tuple[str, str]]) -> None:
    """Drop files `indices` (every 7th a duplicate of an earlier one) into the inbox."""
    pause = threading.Event()
    for i in indices:
        duplicate = i % 7 == 6 and written
        text = rng.choice(written)[1] if duplicate else file_text(i, rows)
        name = f"items_{i:03d}.csv"
        data = text.encode("utf-8")
        how = i % 3
        if how == 0:  # well-behaved producer: temp name, then rename
            (inbox / f".{name}.part").write_bytes(data)
            os.replace(inbox / f".{name}.part", inbox / name)
        elif how == 1:  # Excel: 8-hex-digit temp file, then rename
            temp = inbox / f"{rng.getrandbits(32):08X}"
            temp.write_bytes(data)
            os.replace(temp, inbox / name)
        else:  # a slow copy straight into place
            with (inbox / name).open("wb") as handle:
                step = max(1, len(data) // 4)
                for start in range(0, len(data), step):
                    handle.write(data[start:start + step])
                    handle.flush()
                    pause.wait(0.03)
        written.append((name, text))
        pause.wait(rng.uniform(0.0, 0.08))


def start_agent(inbox: Path, db: Path, settle: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from agent.cli import cli; cli()", "watch", str(inbox),
         "--store", str(db), "--settle", str(settle), "--rescan", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stderr.readline()  # "Watching …": up and scanning
    if "Watching" not in line:
        process.kill()
        raise RuntimeError(f"agent did not start: {line}{process.stderr.read()}")
    return process


def check_consistency(db: Path) -> list[str]:
    """Invariants that must hold after any kill: journal, batches and rows agree."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        problems = []
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        orphans = conn.execute('SELECT COUNT(*) FROM "_batches" b WHERE NOT EXISTS '
                               '(SELECT 1 FROM "_journal" j WHERE j."batch" = b."batch")'
                               ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} batches without a journal entry")
        partial = conn.execute('SELECT COUNT(*) FROM "_batches" b WHERE b."rows" <> '
                               '(SELECT COUNT(*) FROM "items" i WHERE i."_batch" = b."batch")'
                               ).fetchone()[0]
        if partial:
            problems.append(f"{partial} batches whose rows are not all stored")
        return problems
    finally:
        conn.close()


def committed_unmoved(inbox: Path, db: Path) -> int:
    """Files still in the inbox whose content is journaled: killed after COMMIT."""
    import hashlib

    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    journal = {r[0] for r in conn.execute('SELECT "sha256" FROM "_journal"')}
    conn.close()
    return sum(hashlib.sha256(p.read_bytes()).hexdigest() in journal
               for p in inbox.glob("items_*.csv"))


def drain(inbox: Path, db: Path, settle: float, timeout: float = 180.0) -> None:
    agent = start_agent(inbox, db, settle)
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while any(inbox.glob("items_*.csv")) and time.monotonic() < deadline:
        pause.wait(0.2)  # polling the folder for the end condition, bounded by the deadline
    agent.send_signal(signal.SIGINT)
    agent.wait(timeout=60)


def verify(report: Report, written: list[tuple[str, str]], inbox: Path, db: Path) -> Report:
    expected: dict[str, str] = {}
    for _, text in written:
        for line in text.splitlines()[1:]:
            code, name, _ = line.split(",")
            expected[code] = name
    conn = sqlite3.connect(db)
    stored = conn.execute('SELECT "item_code", "item_name" FROM "items"').fetchall()
    counts = Counter(code for code, _ in stored)
    report.rows_stored = len(stored)
    report.missing = len(set(expected) - set(counts))
    report.duplicated = sum(n - 1 for n in counts.values() if n > 1)
    report.wrong_values = sum(1 for code, name in stored if expected.get(code) != name)
    ops = Counter(conn.execute('SELECT "key", "op" FROM "_changes"').fetchall())
    inserts = Counter(key for (key, op), n in ops.items() if op == "insert" for _ in range(n))
    report.inserts_per_key_not_one = sum(1 for n in inserts.values() if n != 1) + \
        max(0, len(expected) - len(inserts))
    report.updates = sum(n for (_, op), n in ops.items() if op != "insert")
    report.batches = conn.execute('SELECT COUNT(*) FROM "_batches"').fetchone()[0]
    report.journaled = conn.execute('SELECT COUNT(*) FROM "_journal"').fetchone()[0]
    report.rejected = conn.execute('SELECT COUNT(*) FROM "_rejected"').fetchone()[0]
    conn.close()
    report.left_in_inbox = len(list(inbox.glob("items_*.csv")))
    report.invariant_breaks += check_consistency(db)
    return report


def run(workdir: Path, trials: int = 50, seed: int = 0, files: int | None = None,
        rows: int = 5000, settle: float = 0.2, kill_window: float = 1.5) -> Report:
    """Kill the agent `trials` times while files arrive; then verify the store."""
    started = time.monotonic()
    rng = random.Random(seed)
    inbox, db = workdir / "in", workdir / "xlerp.db"
    inbox.mkdir(parents=True)
    written: list[tuple[str, str]] = []
    files = files or 3 * trials  # enough work that most kills land mid-load
    per_trial = -(-files // trials)
    breaks: list[str] = []
    unmoved = busy = 0
    pause = threading.Event()
    for trial in range(trials):
        indices = range(trial * per_trial, min(files, (trial + 1) * per_trial))
        writer = threading.Thread(target=write_files, args=(
            inbox, indices, rows, random.Random(seed + trial + 1), written))
        writer.start()  # files arrive while the agent starts and works
        agent = start_agent(inbox, db, settle)
        pause.wait(rng.uniform(0.0, kill_window))  # a random moment in its work
        busy += any(inbox.glob("items_*.csv"))
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        writer.join()
        breaks += check_consistency(db)
        unmoved += committed_unmoved(inbox, db) > 0
    drain(inbox, db, settle)
    report = Report(trials, len(written), len({t for _, t in written}),
                    len({line for _, t in written for line in t.splitlines()[1:]}),
                    invariant_breaks=breaks, kills_with_committed_unmoved_file=unmoved,
                    kills_with_work_pending=busy)
    report = verify(report, written, inbox, db)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--files", type=int, help="default: 3 per trial")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="xlerp-fault-"))
    if args.workdir and workdir.exists():
        shutil.rmtree(workdir)
    report = run(workdir, args.trials, args.seed, args.files, args.rows)
    print(json.dumps({**asdict(report), "ok": report.ok}, indent=2, ensure_ascii=False))
    if report.ok and not args.workdir:
        shutil.rmtree(workdir)  # keep the evidence only when something failed
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
