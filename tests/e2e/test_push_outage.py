"""Outage: the store server stops while an agent loads 20 files; the agent is killed too.

When both come back, the outbox drains: every row is stored exactly once and the
store received the files in the order the agent loaded them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from live_server import LiveServer, child_env, orders, provenance, xlerp

from agent.outbox import Outbox
from agent.push import Pusher, PushSettings, RemoteStore
from agent.store import Store

HERE = Path(__file__).resolve().parent
FILES = 20
ROWS = 100   # per file; file i holds orders 50·i … 50·i + 99, so files overlap by half
WAIT = 60.0  # seconds any condition below may take before the test fails


def file_frame(i: int) -> pd.DataFrame:
    return orders(range(50 * i, 50 * i + ROWS), qty=float(i))


def file_provenance(i: int):
    return provenance("shop", f"orders-{i:02d}.csv", as_of=f"2026-12-01T08:{i:02d}:00.000000Z")


def agent(url: str, token: str, outbox: str, first: int, last: int) -> None:
    """An agent process: load files first..last, then keep pushing until killed."""
    settings = PushSettings(url=url, token=token, retries=2, backoff_factor=0.05,
                            backoff_max=0.3, idle_wait=0.2)
    store = RemoteStore.open(url, token, outbox, settings)
    for i in range(first, last + 1):
        store.load_batch("sales_orders", file_frame(i), file_provenance(i))
    store.pusher.drain(timeout=3600)


def spawn_agent(url: str, token: str, outbox: Path, first: int, last: int) -> subprocess.Popen:
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); "
            f"from test_push_outage import agent; "
            f"agent({url!r}, {token!r}, {str(outbox)!r}, {first}, {last})")
    return subprocess.Popen([sys.executable, "-c", code], env=child_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling a condition with a deadline


def outbox_counts(path: Path) -> dict[str, int]:
    if not path.exists():
        return {"pending": 0, "sent": 0, "refused": 0}
    with Outbox.open(path) as box:
        return box.counts()


def test_outbox_survives_a_server_outage_and_an_agent_kill(tmp_path: Path) -> None:
    db, outbox = tmp_path / "central.db", tmp_path / "outbox.db"
    token = xlerp("token", "create", "--name", "shop-pc", "--db", str(db)).stdout.strip()
    server = LiveServer(db).start()
    try:
        # files 1-5 while the server is up
        first = spawn_agent(server.url, token, outbox, 1, 5)
        wait_for(lambda: outbox_counts(outbox)["sent"] == 5, "files 1-5 to be sent")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=WAIT)

        # the server goes away; the agent loads files 6-20 and is killed mid-retry
        server.stop()
        second = spawn_agent(server.url, token, outbox, 6, FILES)
        wait_for(lambda: outbox_counts(outbox)["pending"] == 15, "files 6-20 to be queued")
        with Outbox.open(outbox) as box:
            wait_for(lambda: box.next_pending() is not None
                     and _attempts(box) > 0, "a failed push to the stopped server")
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=WAIT)
        assert second.returncode == -signal.SIGKILL

        # both come back: a fresh agent on the same outbox drains it
        server.start()
        settings = PushSettings(url=server.url, token=token, backoff_factor=0.05,
                                backoff_max=0.3, idle_wait=0.2)
        with RemoteStore.open(server.url, token, outbox, settings, start=False) as third:
            assert third.pusher.drain(timeout=WAIT)
            assert third.outbox.counts() == {"pending": 0, "sent": FILES, "refused": 0}
    finally:
        server.stop()

    with Store.open(db) as store:
        rows = store.rows("sales_orders")
        batches = store.conn.execute('SELECT "file" FROM "_batches" ORDER BY "batch"')
        loaded = [name for (name,) in batches]
        changes = store.changes_since(0, limit=100_000)
    # exactly once: 50·20 + 50 distinct orders, each once, from 20 batches
    assert len(rows) == 50 * FILES + 50
    assert rows["order_no"].is_unique
    assert loaded == [f"orders-{i:02d}.csv" for i in range(1, FILES + 1)]
    # every order holds the quantity of the last file that listed it: order 50·i+k
    # (k < 50) is in files i-1 and i, so its qty is i (order 50..99 → 1, 1050..1099 → 20)
    number = rows["order_no"].str[3:].astype(int)
    expected = (number // 50).clip(upper=FILES).astype(float)
    assert (rows["qty"] == expected).all()
    # per source, the change log follows the files: each order inserted once, then
    # updated by the next file — never an older value after a newer one
    inserts = [c for c in changes if c.op == "insert"]
    updates = [c for c in changes if c.op == "update"]
    assert len(inserts) == 50 * FILES + 50 and len(updates) == 50 * (FILES - 1)
    qty_by_seq = [c.new["qty"] for c in updates]
    assert qty_by_seq == sorted(qty_by_seq)
    assert [c.batch for c in changes] == sorted(c.batch for c in changes)


def _attempts(box: Outbox) -> int:
    entry = box.next_pending()
    return 0 if entry is None else entry.attempts


class _Answer:
    def __init__(self, status: int, body: dict) -> None:
        self.status_code, self._body = status, body
        self.text = json.dumps(body)

    def json(self) -> dict:
        return self._body


class _Store:
    """Stands in for the server: refuses entries whose key starts with "bad"."""

    settings = PushSettings(url="http://unused", token="t", backoff_max=0.01)

    def __init__(self) -> None:
        self.received: list[str] = []

    def send(self, entry):
        self.received.append(entry.key)
        if entry.key.startswith("bad"):
            return _Answer(422, {"detail": "2 problems in the batch"})
        return _Answer(201, {"batch": len(self.received)})


def test_the_queue_keeps_its_order_dedupes_and_moves_past_a_refused_batch(
        tmp_path: Path) -> None:
    store = _Store()
    with Outbox.open(tmp_path / "outbox.db") as box:
        for key in ("k1-aaaaaaaa", "bad-bbbbbbbb", "k3-cccccccc", "k1-aaaaaaaa"):
            box.enqueue(key, "batch", "/tables/stock/batches", b'{"x": 1}')
        pusher = Pusher(box, store)
        assert pusher.drain(timeout=WAIT)
        assert store.received == ["k1-aaaaaaaa", "bad-bbbbbbbb", "k3-cccccccc"]
        assert box.counts() == {"pending": 0, "sent": 2, "refused": 1}
        (refused,) = box.refused()
        assert (refused["key"], refused["status"]) == ("bad-bbbbbbbb", 422)
        assert "2 problems" in refused["response"]
        assert box.entry("k1-aaaaaaaa").body == b""         # sent: body dropped
        assert box.entry("bad-bbbbbbbb").body == b'{"x": 1}'  # refused: kept to look at
        assert not box.enqueue("k1-aaaaaaaa", "batch", "/x", b"{}")  # still known
