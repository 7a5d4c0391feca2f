"""Time the ribbon backend on a real `xlerp serve`: a Run MRP payload with N order lines.

python tests/bench/bench_ribbon.py --rows 100000 --repeat 3
Prints server time (Server-Timing header) and round trip, median of the runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "e2e"), str(HERE.parents[1])]

from live_server import LiveServer  # noqa: E402
from test_ribbon_backend import big_payload  # noqa: E402

from agent.server import auth  # noqa: E402
from agent.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "store.db"
        with Store.open(db) as store:
            auth.ensure_tables(store)
            token = auth.create_token(store, "bench", "read")[1]
        body = big_payload(args.rows)
        server = LiveServer(db).start()
        try:
            server_s, round_s = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                answer = requests.post(f"{server.url}/xlwings/plan", json=body, timeout=600,
                                       headers={"Authorization": f"Bearer {token}"})
                round_s.append(time.perf_counter() - started)
                answer.raise_for_status()
                server_s.append(float(answer.headers["Server-Timing"].split("dur=")[1]) / 1000)
        finally:
            server.stop()
    print("| order lines | server s (median) | round trip s (median) |")
    print("|---|---|---|")
    print(f"| {args.rows:,} | {statistics.median(server_s):.2f} | "
          f"{statistics.median(round_s):.2f} |")


if __name__ == "__main__":
    main()
