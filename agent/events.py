"""Key business events: a load that brings new or changed sales orders (or stock)
triggers a configured command, such as a plan refresh (`--on-orders "xlerp plan
BOOK.xlsx"`), debounced so that a burst of files causes one run, not one per file.

The command runs `debounce` seconds after the last triggering load (trailing debounce),
but never later than `max_wait` after the first one, so a steady stream of orders still
refreshes the plan. Loads during a run trigger one more run after it. The command is
run without a shell; its exit code and output go to the log.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

from agent.ingest import IngestResult

log = logging.getLogger(__name__)

TRIGGER_TABLES = ("sales_orders", "stock")
DEBOUNCE_SECONDS = 10.0
Runner = Callable[[list[str]], int]


def run_command(args: list[str]) -> int:
    """Run the command, log what it printed, return its exit code."""
    try:
        done = subprocess.run(args, capture_output=True, text=True, check=False)
    except OSError as error:
        log.error("--on-orders: cannot run %s: %s", args[0], error)
        return 127
    level = logging.INFO if done.returncode == 0 else logging.ERROR
    log.log(level, "--on-orders %s exited %d\n%s%s", shlex.join(args), done.returncode,
            done.stdout[-2000:], done.stderr[-2000:])
    return done.returncode


def split_command(command: str) -> list[str]:
    return shlex.split(command, posix=os.name != "nt")


class Debounced:
    """Call `action` once after triggers stop arriving for `debounce` seconds."""

    def __init__(self, action: Callable[[], object], debounce: float = DEBOUNCE_SECONDS,
                 max_wait: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._action = action
        self._debounce = debounce
        self._max_wait = max_wait if max_wait is not None else 6 * debounce
        self._clock = clock
        self._first: float | None = None
        self._last: float | None = None
        self._cond = threading.Condition()
        self._closed = False
        self.runs = 0
        self._thread = threading.Thread(target=self._serve, name="on-orders", daemon=True)
        self._thread.start()

    def trigger(self) -> None:
        with self._cond:
            now = self._clock()
            self._first = self._first if self._first is not None else now
            self._last = now
            self._cond.notify()

    def close(self, flush: bool = False) -> None:
        """Stop the worker; with `flush`, run a pending trigger first."""
        with self._cond:
            if not flush:
                self._first = self._last = None
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=60)

    def _due(self) -> float | None:
        if self._last is None or self._first is None:
            return None
        return min(self._last + self._debounce, self._first + self._max_wait)

    def _serve(self) -> None:
        while True:
            with self._cond:
                while True:
                    due = self._due()
                    if due is None and self._closed:
                        return
                    if due is not None and (self._closed or self._clock() >= due):
                        break
                    self._cond.wait(None if due is None else max(0.0, due - self._clock()))
                self._first = self._last = None
            self.runs += 1
            try:
                self._action()
            except Exception:  # a failing command must not end the watcher's trigger
                log.exception("--on-orders command failed")


class OnOrders:
    """The watcher's listener: trigger when a load changed a table in `tables`."""

    def __init__(self, command: str, debounce: float = DEBOUNCE_SECONDS,
                 tables: Sequence[str] = TRIGGER_TABLES, runner: Runner = run_command) -> None:
        args = split_command(command)
        self.tables = tuple(tables)
        self._debounced = Debounced(lambda: runner(args), debounce)

    def __call__(self, result: IngestResult) -> None:
        batch = result.batch
        if result.status == "loaded" and batch is not None and batch.changed \
                and batch.table in self.tables:
            self._debounced.trigger()

    @property
    def runs(self) -> int:
        return self._debounced.runs

    def close(self, flush: bool = True) -> None:
        self._debounced.close(flush)
