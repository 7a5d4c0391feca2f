"""Ingestion benchmarks on generated data (opt-in; not part of the default test run).

    python tests/bench/bench_ingest.py [--parts csv,xlsx,latency,backlog] [--rows 1000000]

- csv: a 1,000,000-row sales-order CSV -> store, end to end (read, map, type, load);
  rows/s, with the time of each stage from a second, instrumented pass.
- xlsx: a 200,000-row stock workbook (read with calamine) -> store; rows/s.
- latency: small files dropped one at a time into a watched folder with the default
  settle time; seconds from the file's last write to its rows being committed, p50/p95.
- backlog: 5,000 small files waiting when the watcher starts; time until all are
  loaded and archived, and the peak memory (RSS) of the process that did it.
- big (not in the default parts): a 200 MB CSV, the bad-file corpus's largest case.

Each part runs in a fresh child process so that memory figures are its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from agent.store import Store  # noqa: E402  (after the path set-up, for a direct run)


def _fresh_store(folder: Path) -> Store:
    return Store.open(folder / "bench.db")


def orders_csv(path: Path, rows: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "Order no": [f"SO{i:08d}" for i in range(rows)],
        "Line": np.ones(rows, dtype=int),
        "Customer code": rng.choice([f"C{i:03d}" for i in range(300)], rows),
        "Item code": [f"IT{i % 50_000:06d}" for i in range(rows)],
        "Qty": rng.integers(1, 500, rows),
        "Due date": rng.choice(pd.date_range("2026-01-01", periods=180).strftime("%Y-%m-%d"),
                               rows),
        "Status": rng.choice(["open", "closed"], rows, p=[0.9, 0.1]),
        "Unit price": rng.integers(100, 100_000, rows) / 100,
    })
    frame.to_csv(path, index=False)
    return path


def stock_xlsx(path: Path, rows: int, seed: int = 0) -> Path:
    import openpyxl

    rng = np.random.default_rng(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("库存")
    sheet.append(["物料编码", "仓库编码", "库位编码", "批号", "库存数量", "锁库数量"])
    qty = rng.integers(0, 10_000, rows)
    for i in range(rows):
        sheet.append([f"IT{i:07d}", f"W{i % 7}", f"L{i % 97:03d}", f"LOT{i % 13}",
                      int(qty[i]), 0])
    book.save(path)
    return path


def _timed_ingest(path: Path, folder: Path) -> dict[str, float]:
    from agent.ingest import ingest_file
    from agent.profiles import load_profiles

    profiles = load_profiles()
    with _fresh_store(folder) as store:
        start = time.perf_counter()
        result = ingest_file(store, path, profiles)
        seconds = time.perf_counter() - start
    assert result.status == "loaded", [i.located() for i in result.issues[:5]]
    rows = result.batch.rows
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "file_mb": round(path.stat().st_size / 1e6, 1), "profile": result.profile}


def _stages(path: Path, folder: Path) -> dict[str, float]:
    """The same load again, stage by stage, to show where the time goes."""
    from addin.schema import coerce
    from agent import mapping
    from agent.batch import Provenance
    from agent.exports import read_export
    from agent.ingest import export_time
    from agent.profiles import load_profiles, sniff, with_platform

    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = round(now - clock, 2)
        clock = now

    grid = read_export(path)
    lap("read")
    match = sniff(load_profiles(), path.name, grid.head())
    profile = with_platform(match.profile, "bench")
    raw, _ = mapping.to_raw(match, grid.cells, export_time(profile, match, grid.cells, path),
                            grid.markers)
    lap("map")
    frame, _ = coerce(profile.spec, raw, path.name, "en")
    lap("coerce")
    with Store.open(folder / "stages.db") as store:
        clock = time.perf_counter()
        store.load_batch(profile.table, frame, Provenance("bench", path.name, "x",
                                                          "2026-01-01T00:00:00.000000Z"))
        lap("load (upsert + change log + commit)")
    return times


def part_csv(rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = orders_csv(Path(folder) / "orders.csv", rows)
        result = _timed_ingest(path, Path(folder))
        result["stages_s"] = _stages(path, Path(folder))
    return result


def part_xlsx(rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = stock_xlsx(Path(folder) / "stock.xlsx", rows)
        made = time.perf_counter() - started
        result = _timed_ingest(path, Path(folder))
        result["stages_s"] = _stages(path, Path(folder))
        result["generate_s"] = round(made, 1)
    return result


def _small(path: Path, index: int, rows: int = 5) -> None:
    lines = "".join(f"S{index:05d}-{r},W1,{r + 1}\n" for r in range(rows))
    path.write_text("物料编码,仓库编码,库存数量\n" + lines, encoding="utf-8")


def part_latency(files: int) -> dict[str, object]:
    from agent.profiles import load_profiles
    from agent.watch import Watcher, WatchSettings

    with tempfile.TemporaryDirectory() as folder:
        drop = Path(folder) / "drop"
        drop.mkdir()
        seen: dict[str, float] = {}
        arrived = threading.Condition()

        with _fresh_store(Path(folder)) as store:
            def committed(result) -> None:  # called after COMMIT (and the move)
                with arrived:
                    seen[result.path.name] = time.perf_counter()
                    arrived.notify_all()

            watcher = Watcher(store, load_profiles(), WatchSettings((drop,)),
                              on_result=committed)
            stop = threading.Event()
            thread = threading.Thread(target=watcher.run, args=(stop,))
            thread.start()
            latencies = []
            for i in range(files):
                name = f"stock_{i:03d}.csv"
                _small(drop / name, i)
                written = time.perf_counter()
                with arrived:
                    assert arrived.wait_for(lambda n=name: n in seen, timeout=30)
                latencies.append(seen[name] - written)
            stop.set()
            watcher.wake.set()
            thread.join()
    values = np.array(latencies)
    return {"files": files, "settle_s": 2.0, "p50_s": round(float(np.percentile(values, 50)), 2),
            "p95_s": round(float(np.percentile(values, 95)), 2),
            "max_s": round(float(values.max()), 2)}


def part_backlog(files: int) -> dict[str, object]:
    from agent.profiles import load_profiles
    from agent.watch import Watcher, WatchSettings

    with tempfile.TemporaryDirectory() as folder:
        drop = Path(folder) / "drop"
        drop.mkdir()
        for i in range(files):
            _small(drop / f"stock_{i:05d}.csv", i)
        done = threading.Event()
        count = [0]

        def counted(result) -> None:
            count[0] += 1
            if count[0] >= files:
                done.set()

        with _fresh_store(Path(folder)) as store:
            watcher = Watcher(store, load_profiles(), WatchSettings((drop,)),
                              on_result=counted)
            stop = threading.Event()
            thread = threading.Thread(target=watcher.run, args=(stop,))
            started = time.perf_counter()
            thread.start()
            assert done.wait(timeout=600)
            seconds = time.perf_counter() - started
            stop.set()
            watcher.wake.set()
            thread.join()
            rows = store.status().tables.get("stock", 0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
    return {"files": files, "rows": rows, "seconds_incl_settle": round(seconds, 1),
            "files_per_s": round(files / seconds), "peak_rss_mb": round(peak)}


def part_big(megabytes: int) -> dict[str, object]:
    """The bad-file corpus's 200 MB CSV: loaded (or refused) cleanly, and at what cost."""
    with tempfile.TemporaryDirectory() as folder:
        rows = megabytes * 1_000_000 // 54  # ~54 bytes per generated order line
        path = orders_csv(Path(folder) / "orders_big.csv", rows, seed=1)
        result = _timed_ingest(path, Path(folder))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


PARTS = {"csv": part_csv, "xlsx": part_xlsx, "latency": part_latency,
         "backlog": part_backlog, "big": part_big}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="csv,xlsx,latency,backlog")
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV rows")
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--latency-files", type=int, default=20)
    parser.add_argument("--backlog-files", type=int, default=5_000)
    parser.add_argument("--big-mb", type=int, default=200, help="size of the 'big' CSV")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = {"csv": args.rows, "xlsx": args.xlsx_rows, "latency": args.latency_files,
             "backlog": args.backlog_files, "big": args.big_mb}
    if args.child:
        print(json.dumps(PARTS[args.child](sizes[args.child])))
        return 0
    results = {}
    for part in args.parts.split(","):
        child = subprocess.run([sys.executable, __file__, "--child", part, *sys.argv[1:]],
                               capture_output=True, text=True, check=False)
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        results[part] = json.loads(child.stdout.strip().splitlines()[-1])
        print(part, json.dumps(results[part]), file=sys.stderr)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
