"""Helpers for the server tests: a real `xlerp serve` subprocess on 127.0.0.1 and a free
port with a bounded wait until it answers, and small typed batches built in code."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from addin.schema import ROW, TABLES, coerce
from agent.batch import Provenance

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from agent.cli import main; main()"]
START_TIMEOUT = 30.0


def xlerp(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `xlerp` command line in a child process."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, check=check,
                          env=child_env(), timeout=60)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """`xlerp serve --db DB` on 127.0.0.1; start() waits until /health answers."""

    def __init__(self, db: Path, port: int | None = None, *extra: str) -> None:
        self.db = db
        self.port = port or free_port()
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ""  # what the server wrote to stderr, once stopped

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.process = subprocess.Popen(
            [*CLI, "serve", "--db", str(self.db), "--port", str(self.port),
             "--log-level", "warning", *self.extra],
            env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("xlerp serve exited: "
                                   + self.process.stderr.read().decode(errors="replace"))
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass  # not listening yet: poll again until the deadline
            time.sleep(0.05)  # polling a condition with a deadline, not a fixed wait
        self.stop()
        raise TimeoutError(f"xlerp serve did not answer within {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        if self.process.stderr:
            self.log += self.process.stderr.read().decode(errors="replace")
            self.process.stderr.close()
        self.process = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def typed(table: str, columns: dict[str, object]) -> pd.DataFrame:
    """A typed canonical frame (as the workbook reader gives it) from plain columns."""
    raw = pd.DataFrame(columns)
    raw[ROW] = np.arange(2, len(raw) + 2)
    frame, issues = coerce(TABLES[table], raw, table, "en")
    assert not issues, [i.message() for i in issues]
    return frame


def orders(numbers: range, qty: float = 1.0, item: str = "10.01.0001") -> pd.DataFrame:
    """Sales-order lines SO-<n> line 1, one per number."""
    return typed("sales_orders", {
        "order_no": [f"SO-{n:06d}" for n in numbers], "line_no": 1, "item_code": item,
        "qty": qty, "due_date": "2026-12-15", "customer_code": "C001"})


def provenance(platform: str, name: str, as_of: str = "2026-12-01T08:00:00.000000Z",
               content: str | None = None) -> Provenance:
    """Provenance whose content hash is derived from `content` (default: the name)."""
    digest = hashlib.sha256((content or f"{platform}/{name}").encode()).hexdigest()
    return Provenance(platform, name, digest, as_of)
