"""Many writers at once against a real `xlerp serve`: 8 agents pushing overlapping batches
(some sent twice, one sent by two agents; two agents per platform, so both write the
same stored rows) while a local process writes the same store file. Nothing is lost,
nothing is doubled, no client ever sees "database is locked".
And the server survives huge bodies."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import requests
from live_server import LiveServer, orders, provenance, xlerp

from addin.schema import TABLES
from agent import wire
from agent.outbox import Entry, Outbox
from agent.push import PushSettings, RemoteStore
from agent.store import Store

AGENTS = 8
BATCHES = 6
WAIT = 120.0


PLATFORMS = 4  # agents k and k + 4 export the same platform: they write the same rows


def batch(agent: int, number: int):
    """Agent k's batch j: orders 40·j … 40·j + 99 (overlapping its neighbours and the
    other agent of its platform), qty 100·k + j so that each stored value names its
    writer."""
    frame = orders(range(40 * number, 40 * number + 100), qty=float(100 * agent + number))
    return frame, provenance(f"pc{agent % PLATFORMS}", f"orders-{agent}-{number}.csv",
                             as_of=f"2026-12-01T08:{number:02d}:00.000000Z")


def push_all(url: str, token: str, folder: Path, agent: int, start: threading.Barrier,
             errors: list[str]) -> None:
    settings = PushSettings(url=url, token=token, backoff_factor=0.05, backoff_max=0.5)
    with RemoteStore.open(url, token, folder / f"outbox-{agent}.db", settings,
                          start=False) as remote:
        for number in range(BATCHES):
            remote.load_batch("sales_orders", *batch(agent, number))
        # the same content from two agents at once: both queue it, the store loads it once
        shared = orders(range(5000, 5010), qty=1.0)
        remote.load_batch("sales_orders", shared, provenance("shared", "same.csv"))
        start.wait(timeout=WAIT)
        if not remote.pusher.drain(timeout=WAIT, pause=0.2):
            errors.append(f"agent {agent} did not drain")
        # a resend of the first batch, as after a lost reply
        first, origin = batch(agent, 0)
        response = remote.client.send(Entry(0, origin.sha256, "batch",
                                            "/tables/sales_orders/batches",
                                            wire.upload_body(first, TABLES["sales_orders"],
                                                             origin), 100, 0))
        if response.status_code != 200 or not response.json()["duplicate"]:
            errors.append(f"agent {agent}: resend answered {response.status_code}")


def local_writer(db: Path, start: threading.Barrier) -> None:
    """A watcher on the server's own PC writing the same file through the Store."""
    with Store.open(db) as store:
        start.wait(timeout=WAIT)
        for number in range(BATCHES):
            store.load_batch("sales_orders",
                             orders(range(7000 + 50 * number, 7000 + 50 * number + 50)),
                             provenance("local", f"local-{number}.csv"))


def test_eight_agents_and_a_local_writer_lose_and_double_nothing(tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    token = xlerp("token", "create", "--name", "agents", "--db", str(db)).stdout.strip()
    errors: list[str] = []
    start = threading.Barrier(AGENTS + 1)
    with LiveServer(db) as server:
        threads = [threading.Thread(target=push_all, args=(server.url, token, tmp_path, k,
                                                           start, errors))
                   for k in range(AGENTS)]
        threads.append(threading.Thread(target=local_writer, args=(db, start)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=WAIT)
        assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert "locked" not in server.log and "Traceback" not in server.log, server.log
    for agent in range(AGENTS):
        with Outbox.open(tmp_path / f"outbox-{agent}.db") as box:
            assert box.counts() == {"pending": 0, "sent": BATCHES + 1, "refused": 0}
        # every request was answered at its first try: no 503 "busy", no retry
        with sqlite3.connect(tmp_path / f"outbox-{agent}.db") as conn:
            tries = conn.execute('SELECT DISTINCT "attempts", "status" FROM "outbox"').fetchall()
        assert {t for t, _ in tries} == {1} and {s for _, s in tries} <= {200, 201}

    with Store.open(db) as store:
        rows = store.rows("sales_orders")
        batches = store.conn.execute('SELECT "batch", "platform", "file" FROM "_batches"'
                                     ).fetchall()
        changes = store.changes_since(0, limit=1_000_000)
    # 8 × 6 agent batches + 1 shared batch (loaded once) + 6 local ones
    assert len(batches) == AGENTS * BATCHES + 1 + BATCHES
    assert len({(p, f) for _, p, f in batches}) == len(batches)
    # orders 0…299 (per agent platform), 5000…5009 (shared), 7000…7299 (local): each
    # stored once per platform
    assert len(rows) == PLATFORMS * 300 + 10 + 300
    assert not rows.duplicated(["order_no", "_platform"]).any()
    # no lost update: replaying the change log gives exactly the stored quantities, and
    # each row holds the quantity its last writer (the row's batch) sent
    replayed: dict[tuple[str, str], float] = {}
    for change in changes:
        key = (change.key["order_no"], change.key["_platform"])
        if change.op == "delete":
            replayed.pop(key)
        elif "qty" in (change.new or {}):
            replayed[key] = change.new["qty"]
    stored = zip(rows["order_no"], rows["_platform"], rows["qty"], strict=True)
    assert replayed == {(order_no, platform): qty for order_no, platform, qty in stored}
    writer = {number: file for number, _, file in batches}
    agent_rows = rows[rows["_platform"].str.startswith("pc")]
    for order_no, qty, number in zip(agent_rows["order_no"], agent_rows["qty"],
                                     agent_rows["_batch"], strict=True):
        _, agent, number = writer[int(number)].removesuffix(".csv").split("-")
        assert qty == 100 * int(agent) + int(number), order_no


def test_huge_bodies_are_refused_and_the_server_stays_up(tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    token = xlerp("token", "create", "--name", "agents", "--db", str(db)).stdout.strip()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "h" * 64,
               "Content-Type": "application/json"}
    url = "/api/v1/tables/sales_orders/batches"
    with LiveServer(db, None, "--max-body-mb", "1") as server:
        big = b'{"platform": "x", "as_of": "2026-12-01T00:00:00Z", "columns": {"order_no": ["' \
            + b"9" * (2 * 1024 * 1024) + b'"]}}'
        declared = requests.post(server.url + url, data=big, headers=headers, timeout=30)
        assert declared.status_code == 413

        def chunks():
            for start in range(0, len(big), 256 * 1024):
                yield big[start:start + 256 * 1024]

        try:
            chunked = requests.post(server.url + url, data=chunks(), headers=headers,
                                    timeout=30)
            assert chunked.status_code == 413
        except requests.ConnectionError:
            pass  # the server may close the connection while the client still sends
        assert requests.get(server.url + "/api/v1/health", timeout=10).ok
        fine = requests.post(server.url + url, timeout=30, headers=headers,
                             data=b'{"platform": "x", "as_of": "2026-12-01T00:00:00Z", '
                                  b'"columns": {"order_no": ["A"], "item_code": ["I"], '
                                  b'"qty": [1], "due_date": ["2026-12-05"]}}')
        assert fine.status_code == 201
