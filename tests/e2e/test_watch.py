"""The watcher on a real folder with real watchdog events, and the agent's CLI.

Tests wait on conditions with a timeout (the watcher reports each processed file),
never on fixed sleeps. Settle time is 0.3 s here to keep the suite fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from fixtures import make_exports as mx
from python_calamine import CalamineWorkbook

from addin.schema import TABLES, coerce
from agent import watch as watch_module
from agent.cli import cli
from agent.events import Debounced, OnOrders
from agent.ingest import IngestResult, ingest_file
from agent.profiles import load_profiles
from agent.store import Provenance, Store
from agent.watch import Watcher, WatchSettings, is_candidate

TIMEOUT = 20.0
ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    """Collects the watcher's results and lets a test wait for a condition on them."""

    def __init__(self) -> None:
        self.results: list[IngestResult] = []
        self._cond = threading.Condition()

    def __call__(self, result: IngestResult) -> None:
        with self._cond:
            self.results.append(result)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[list[IngestResult]], bool],
             timeout: float = TIMEOUT) -> list[IngestResult]:
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self.results), timeout), \
                [(r.path.name, r.status) for r in self.results]
            return list(self.results)

    def count(self, n: int, timeout: float = TIMEOUT) -> list[IngestResult]:
        return self.wait(lambda results: len(results) >= n, timeout)


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "xlerp.db") as opened:
        yield opened


@pytest.fixture
def running(drop: Path, store: Store) -> Iterator[Callable[..., Recorder]]:
    """running(**settings) starts a watcher on `drop` in a thread; stopped at teardown."""
    threads: list[tuple[threading.Event, threading.Thread, Watcher]] = []

    def start(on_result: Callable[[IngestResult], None] | None = None,
              **settings: object) -> Recorder:
        recorder = Recorder()

        def both(result: IngestResult) -> None:
            recorder(result)
            if on_result is not None:
                on_result(result)

        options = {"settle": 0.3, "rescan": 60.0, **settings}
        watcher = Watcher(store, load_profiles(), WatchSettings((drop,), **options),
                          on_result=both)
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        threads.append((stop, thread, watcher))
        return recorder

    yield start
    for stop, thread, watcher in threads:
        stop.set()
        watcher.wake.set()
        thread.join(timeout=TIMEOUT)
        assert not thread.is_alive()


def done_dir(drop: Path) -> Path:
    return drop / "done" / date.today().isoformat()


def master_items(store: Store, *codes: str) -> None:
    frame, _ = coerce(TABLES["items"], pd.DataFrame({
        "item_code": list(codes), "item_name": list(codes),
        "item_type": ["purchased"] * len(codes)}), "items", "en")
    store.load_batch("items", frame, Provenance("m", "m", "m", "2000-01-01T00:00:00.000000Z"))


def test_csv_utf8_gbk_and_xlsx_are_loaded_and_archived(drop: Path, store: Store,
                                                       running) -> None:
    recorder = running()
    mx.shopify_csv(drop / "orders_export.csv")
    mx.taobao_csv(drop / "ExportOrderDetailList.csv")
    mx.wms_stock_xlsx(drop / "stock_list.xlsx", [("TEE-BLK-S", 40), ("MUG-01", 12)])
    results = recorder.count(3)
    assert sorted((r.path.name, r.status) for r in results) == [
        ("ExportOrderDetailList.csv", "loaded"), ("orders_export.csv", "loaded"),
        ("stock_list.xlsx", "loaded")]
    assert store.status().tables == {"sales_orders": 7, "stock": 2}  # 4 shopify + 3 taobao
    assert sorted(p.name for p in done_dir(drop).iterdir()) == [
        "ExportOrderDetailList.csv", "orders_export.csv", "stock_list.xlsx"]
    assert [p.name for p in drop.iterdir()] == ["done"]
    assert store.status().journal == 3


def test_slow_chunked_write_is_read_once_complete(drop: Path, store: Store, running) -> None:
    recorder = running()
    rows = [[f"I{i:04d}", "n", "外购"] for i in range(400)]
    full = mx.generic_csv(drop.parent / "items.csv", ["物料编码", "物料名称", "物料属性"], rows)
    data = full.read_bytes()
    pause = threading.Event()
    with (drop / "items.csv").open("wb") as handle:  # a slow copy, in place
        for start in range(0, len(data), len(data) // 8):
            handle.write(data[start:start + len(data) // 8])
            handle.flush()
            pause.wait(0.1)  # a writer that pauses, shorter than the settle time
    [result] = recorder.count(1)
    assert (result.status, result.batch.rows) == ("loaded", 400)
    assert store.status().batches == 1


def test_file_renamed_into_place_and_excel_temp_names(drop: Path, store: Store,
                                                      running) -> None:
    recorder = running()
    (drop / "~$orders.xlsx").write_bytes(b"lock")  # Excel's lock file while a book is open
    temp = mx.shopify_csv(drop / "A1B2C3D4")  # Excel saves to a temp name, then renames
    temp.rename(drop / "orders_export.csv")
    partial = mx.taobao_csv(drop / "ExportOrderDetailList.csv.partial")
    partial.rename(drop / "ExportOrderDetailList.csv")
    results = recorder.count(2)
    assert sorted(r.path.name for r in results) == ["ExportOrderDetailList.csv",
                                                    "orders_export.csv"]
    assert (drop / "~$orders.xlsx").exists() and not (drop / "rejected").exists()


def test_temp_and_lock_names_are_not_candidates() -> None:
    ignored = ["~$book.xlsx", "A1B2C3D4", "0f3e9a7c", ".~lock.book.xlsx#", ".hidden.csv",
               "x.csv.crdownload", "x.csv.part", "~WRL0001.tmp", "Thumbs.db", "desktop.ini",
               "book.xlsx.errors.xlsx"]
    assert [n for n in ignored if is_candidate(Path(n))] == []
    assert all(is_candidate(Path(n)) for n in ("orders.csv", "库存.xlsx", "ABCDEFGH1.csv"))


def test_same_file_twice_and_same_content_renamed_load_once(drop: Path, store: Store,
                                                            running) -> None:
    recorder = running()
    first = mx.shopify_csv(drop.parent / "orders_export.csv")
    data = first.read_bytes()
    (drop / "orders_export.csv").write_bytes(data)
    recorder.count(1)
    (drop / "orders_export.csv").write_bytes(data)  # dropped again, same name
    (drop / "copy of orders.csv").write_bytes(data)  # and under another name
    results = recorder.count(3)
    assert [r.status for r in results] == ["loaded", "duplicate", "duplicate"]
    assert store.status().batches == 1 and store.status().tables == {"sales_orders": 4}
    # the second orders_export.csv kept its name apart from the first in done/
    names = sorted(p.name for p in done_dir(drop).iterdir())
    assert len(names) == 3 and names[0] == "copy of orders.csv"


def test_updated_export_is_upserted_with_old_to_new(drop: Path, store: Store,
                                                    running) -> None:
    recorder = running()
    lines = list(mx.SHOPIFY_LINES)
    mx.shopify_csv(drop / "orders_export.csv", lines)
    recorder.count(1)
    seq = store.status().last_seq
    lines[2] = ("#1002", "bob@example.com", "TEE-BLK-S", 5, 9.99, "pending", "")  # 3 -> 5
    mx.shopify_csv(drop / "orders_export_1.csv", lines)
    [_, second] = recorder.count(2)
    assert (second.batch.updated, second.batch.unchanged) == (1, 3)
    [change] = store.changes_since(seq)
    assert (change.op, change.key, change.old, change.new) == (
        "update", {"order_no": "#1002", "line_no": 1, "_platform": "shopify"}, {"qty": 3.0},
        {"qty": 5.0})


def test_rejected_file_gets_a_report_and_watching_goes_on(drop: Path, store: Store,
                                                          running) -> None:
    recorder = running()
    mx.generic_csv(drop / "orders.csv", ["Order no", "Item code", "Qty", "Due date"],
                   [["S1", "A", "2", "2026-05-01"], ["S2", "B", "-3", "2026-05-01"]])
    [bad] = recorder.count(1)
    assert bad.status == "rejected"
    report = drop / "rejected" / "orders.csv.errors.xlsx"
    assert (drop / "rejected" / "orders.csv").exists() and report.exists()
    with CalamineWorkbook.from_path(str(report)) as book:
        rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    header = [str(c) for c in rows[0]]
    assert header == ["Severity", "Sheet", "Row", "Column", "Value", "Code", "Problem",
                      "How to fix"]
    assert rows[1][2:6] == [3, "Qty", "-3", "below_minimum"]  # S2 is CSV row 3
    assert store.status().tables == {} and store.status().rejected == 1
    mx.shopify_csv(drop / "orders_export.csv")  # the agent is still running
    recorder.count(2)
    assert store.status().tables == {"sales_orders": 4}


def test_start_finishes_a_move_a_crash_interrupted(drop: Path, store: Store,
                                                   running) -> None:
    path = mx.shopify_csv(drop / "orders_export.csv")
    loaded = ingest_file(store, path, load_profiles())  # committed, then "killed" pre-move
    assert loaded.status == "loaded" and path.exists()
    recorder = running()
    [again] = recorder.count(1)
    assert again.status == "duplicate" and not path.exists()
    assert (done_dir(drop) / "orders_export.csv").exists()
    assert store.status().batches == 1


def test_rescan_finds_files_the_events_missed(drop: Path, store: Store, running,
                                              monkeypatch) -> None:
    monkeypatch.setattr(watch_module._Handler, "on_any_event", lambda self, event: None)
    recorder = running(rescan=1.0)
    mx.shopify_csv(drop / "orders_export.csv")  # no event reaches the watcher
    [result] = recorder.count(1)
    assert result.status == "loaded"


def test_polling_observer(drop: Path, store: Store, running) -> None:
    recorder = running(poll=True, poll_interval=0.2)
    mx.taobao_csv(drop / "ExportOrderDetailList.csv")
    assert recorder.count(1)[0].status == "loaded"


def test_bad_file_corpus_each_gets_a_clear_outcome(drop: Path, store: Store,
                                                   running) -> None:
    master_items(store, *mx.KNOWN_ITEMS)
    expected = mx.bad_corpus(drop)
    assert len(expected) >= 30
    recorder = running()
    results = recorder.count(len(expected), timeout=60)
    outcome = {}
    for r in results:
        errors = [i for i in r.issues if i.severity == "error"]
        outcome[r.path.name] = errors[0].code if r.status == "rejected" else r.status
        assert all(i.message("en") and i.message("zh") for i in r.issues)
    assert outcome == expected
    rejected = sorted(n for n, o in expected.items() if o != "loaded")
    assert sorted(p.name for p in (drop / "rejected").iterdir()
                  if not p.name.endswith(".errors.xlsx")) == rejected
    assert len(list((drop / "rejected").glob("*.errors.xlsx"))) == len(rejected)
    # nothing partial: exactly the rows of the loaded files (2 master items, S2, and the
    # items of utf16/bom/semicolon/gbk/two-sheet files; header-only adds none)
    assert store.status().tables == {"items": 7, "sales_orders": 1}


def test_on_orders_runs_once_for_a_burst(drop: Path, store: Store, running) -> None:
    ran = threading.Event()
    calls: list[list[str]] = []

    def runner(args: list[str]) -> int:
        calls.append(args)
        ran.set()
        return 0

    trigger = OnOrders('xlerp plan "my book.xlsx"', debounce=0.5, runner=runner)
    recorder = running(on_result=trigger)
    mx.shopify_csv(drop / "orders_export.csv")
    mx.taobao_csv(drop / "ExportOrderDetailList.csv")
    mx.generic_csv(drop / "items.csv", ["物料编码", "物料名称", "物料属性"], [["X", "x", "外购"]])
    recorder.count(3)
    assert ran.wait(TIMEOUT)
    trigger.close(flush=True)
    assert calls == [["xlerp", "plan", "my book.xlsx"]]  # items alone would not trigger


def test_debounce_waits_for_quiet_and_caps_the_wait() -> None:
    fired = threading.Event()
    debounced = Debounced(fired.set, debounce=0.2, max_wait=5.0)
    debounced.trigger()
    debounced.trigger()
    assert fired.wait(TIMEOUT)
    assert debounced.runs == 1
    debounced.close()


# -- the CLI ------------------------------------------------------------------------------

def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_import_loads_reports_and_exits_1_on_a_rejection(tmp_path: Path) -> None:
    good = mx.shopify_csv(tmp_path / "orders_export.csv")
    bad = mx.generic_csv(tmp_path / "orders.csv", ["Order no", "Item code", "Qty", "Due date"],
                         [["S1", "A", "x", "2026-05-01"]])
    db = tmp_path / "s.db"
    code, out, err = run("import", str(good), str(bad), "--store", str(db))
    assert code == 1
    assert out.splitlines()[0] == ("orders_export.csv: 4 rows into sales_orders via "
                                   "shopify_orders — 4 new, 0 changed, 0 unchanged (batch 1)")
    assert 'error: Sheet "orders.csv", row 2, column "Qty": "x" is not a number' in err
    code, out, _ = run("import", str(good), "--store", str(db))
    assert (code, out.strip()) == (0, "orders_export.csv: already loaded (batch 1)")


def test_import_archive_moves_like_the_watcher(tmp_path: Path) -> None:
    path = mx.shopify_csv(tmp_path / "orders_export.csv")
    code, _, _ = run("import", str(path), "--store", str(tmp_path / "s.db"), "--archive")
    assert code == 0 and (done_dir(tmp_path) / "orders_export.csv").exists()


def test_cli_usage_errors(tmp_path: Path) -> None:
    code, _, err = run("import", str(tmp_path / "nope.csv"), "--store", str(tmp_path / "s.db"))
    assert (code, err.strip()) == (1, f"Error: {tmp_path / 'nope.csv'} not found — check "
                                      "the file names")
    code, _, err = run("store", "status", "--store", str(tmp_path / "none.db"))
    assert (code, err.strip()) == (1, f"Error: {tmp_path / 'none.db'} does not exist yet — "
                                      "load a file with `xlerp import` or `xlerp watch`, "
                                      "or pass --store")
    code, _, err = run("watch", str(tmp_path), "--store", "http://server:8765")
    assert code == 1 and err.startswith("Error: --store http://server:8765 needs a token")
    code, _, _ = run("watch", str(tmp_path / "missing"))
    assert code == 2  # click: the folder does not exist


def test_store_status_lists_tables_batches_and_rejections(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    run("import", str(mx.shopify_csv(tmp_path / "orders_export.csv")), "--store", str(db))
    run("import", str(mx.generic_csv(tmp_path / "x.csv", ["colour"], [["red"]])),
        "--store", str(db), "--archive")
    code, out, _ = run("store", "status", "--store", str(db))
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "Change log at seq 4; 1 batches, 1 files journaled, 1 rejected"
    assert lines[2].split() == ["sales_orders", "4", "rows"]
    assert any("x.csv: 1 problem(s), first unknown_profile" in line for line in lines)
    code, out, _ = run("store", "status", "--store", str(db), "--json")
    assert '"last_seq": 4' in out


def test_default_store_comes_from_the_environment(tmp_path: Path) -> None:
    path = mx.shopify_csv(tmp_path / "orders_export.csv")
    code, _, _ = run("import", str(path), env={"XLERP_STORE": str(tmp_path / "env.db")})
    assert code == 0 and (tmp_path / "env.db").exists()


def test_watch_process_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    agent = subprocess.Popen(
        [sys.executable, "-c", "from agent.cli import cli; cli()", "watch", str(drop),
         "--store", str(tmp_path / "s.db"), "--settle", "0.3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "Watching" in agent.stderr.readline()  # blocks until the agent is up
        mx.shopify_csv(drop / "orders_export.csv")
        line = agent.stdout.readline()  # blocks until the file is loaded
        assert line.startswith("orders_export.csv: 4 rows into sales_orders")
        agent.send_signal(signal.SIGINT)
        assert agent.wait(timeout=TIMEOUT) == 0
        assert "Stopped." in agent.stderr.read()
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
