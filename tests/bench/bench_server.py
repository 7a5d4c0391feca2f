"""Benchmark: uploads to a real `xlerp serve` over loopback, and the change-feed read rate.

    python tests/bench/bench_server.py --rows 1000000 --batch 10000 --agents 1,8

For each agent count: a fresh store, a server subprocess on 127.0.0.1, and N agent
threads that each push rows/N sales-order lines in batches of --batch (bodies encoded
before the clock starts: this measures the wire and the store, not the agent's
parsing). Then one reader pages through the whole change feed. Prints markdown rows.
Not collected by pytest (the default run ignores tests/bench).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import requests

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests" / "e2e"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from live_server import LiveServer, xlerp  # noqa: E402

from addin.schema import ROW, TABLES  # noqa: E402
from agent import wire  # noqa: E402
from agent.batch import Provenance  # noqa: E402

SPEC = TABLES["sales_orders"]
URL = "/api/v1/tables/sales_orders/batches"


def frame(start: int, count: int) -> pd.DataFrame:
    """Typed sales-order lines with every column filled, as the reader gives them."""
    n = np.arange(start, start + count)
    return pd.DataFrame({
        "order_no": [f"SO-{i // 4:08d}" for i in n], "line_no": pd.array(n % 4 + 1,
                                                                          dtype="Int64"),
        "customer_code": "C001", "item_code": [f"10.01.{i % 5000:04d}" for i in n],
        "qty": (n % 50 + 1).astype("float64"), "shipped_qty": 0.0,
        "due_date": pd.Timestamp("2026-12-01") + pd.to_timedelta(n % 90, unit="D"),
        "priority": pd.array(np.full(count, 5), dtype="Int64"), "status": "open",
        "tracking_no": "", "pushed_qty": 0.0, "unit_price": 89.5, "bom_version": "",
        "source_platform": "shopify", ROW: n + 2})


def bodies(agent: int, rows: int, batch: int, offset: int) -> list[tuple[str, bytes]]:
    out = []
    for start in range(offset, offset + rows, batch):
        count = min(batch, offset + rows - start)
        key = hashlib.sha256(f"{agent}:{start}".encode()).hexdigest()
        provenance = Provenance(f"pc{agent}", f"orders-{start}.csv", key,
                                "2026-12-01T08:00:00.000000Z")
        out.append((key, wire.upload_body(frame(start, count), SPEC, provenance)))
    return out


def push(url: str, token: str, work: list[tuple[str, bytes]], errors: list[str]) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}",
                            "Content-Type": "application/json"})
    for key, body in work:
        answer = session.post(url + URL, data=body, headers={"Idempotency-Key": key},
                              timeout=600)
        if answer.status_code != 201:
            errors.append(f"{answer.status_code} {answer.text[:200]}")


def read_feed(url: str, token: str, page: int) -> tuple[int, float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    since, seen, start = 0, 0, time.perf_counter()
    while True:
        answer = session.get(url + "/api/v1/changes", params={"since": since, "limit": page},
                             timeout=600).json()
        seen += len(answer["changes"])
        since = answer["next_since"]
        if not answer["more"]:
            return seen, time.perf_counter() - start


def scenario(rows: int, batch: int, agents: int, page: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        token = xlerp("token", "create", "--name", "bench", "--scope", "admin",
                      "--db", str(db)).stdout.strip()
        share = rows // agents
        work = [bodies(k, share, batch, k * share) for k in range(agents)]
        megabytes = sum(len(b) for w in work for _, b in w) / 1e6
        with LiveServer(db, None, "--max-body-mb", "256") as server:
            errors: list[str] = []
            threads = [threading.Thread(target=push, args=(server.url, token, w, errors))
                       for w in work]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            upload = time.perf_counter() - start
            if errors:
                raise SystemExit(f"upload failed: {errors[:3]}")
            changes, feed = read_feed(server.url, token, page)
    return {"rows": share * agents, "seconds": upload, "mb": megabytes,
            "changes": changes, "feed_seconds": feed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--agents", default="1,8")
    parser.add_argument("--page", type=int, default=10_000, help="change-feed page size")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print("| agents | rows | batch | body MB | upload s | rows/s | changes read | "
          "feed s | changes/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for agents in (int(a) for a in args.agents.split(",")):
        runs = [scenario(args.rows, args.batch, agents, args.page) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        upload = statistics.median(r["seconds"] for r in runs)
        feed = statistics.median(r["feed_seconds"] for r in runs)
        print(f"| {agents} | {best['rows']:,} | {args.batch:,} | {best['mb']:.0f} | "
              f"{upload:.1f} | {best['rows'] / upload:,.0f} | {best['changes']:,} | "
              f"{feed:.1f} | {best['changes'] / feed:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
