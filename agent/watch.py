"""Watch drop folders: pick up each file once it has settled, load it, archive it.

Events are hints, not truth: watchdog's handler only notes a path and wakes the loop
(native events miss writes by other machines on SMB/NFS, overflow silently, and fire
"created" when a copy starts). The loop counts a file only after its size and mtime
have stayed the same for `settle` seconds and it opens; a periodic full rescan of the
folders is the safety net for anything the events missed. One failing file is logged
and watching goes on.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from addin.schema import Lang
from agent import archive
from agent.ingest import IngestResult, LoadTarget, ingest_file
from agent.profiles import Profile

log = logging.getLogger(__name__)

SETTLE_SECONDS = 2.0    # chokidar's awaitWriteFinish default; Excel saves finish in less
RESCAN_SECONDS = 30.0   # a scandir of 10k files takes 0.07 s on ext4
POLL_SECONDS = 1.0
MAX_ATTEMPTS = 3        # a file that crashes the loader is retried, then left until changed
GROUP_FILES = 200       # a backlog is committed in groups of at most this many files …
GROUP_SECONDS = 1.0     # … or this much loading, so files keep leaving the folder

_IGNORED_NAMES = {"desktop.ini", "thumbs.db", ".ds_store"}
_TEMP = re.compile(
    r"^(~\$.*|~.*\.tmp|\.~lock\..*#|\..*|[0-9a-f]{8}|.*\.(tmp|part|partial|crdownload|"
    r"download|filepart|lock))$" + "|" + re.escape(archive.REPORT_SUFFIX) + "$",
    re.IGNORECASE)


def is_candidate(path: Path) -> bool:
    """Not a lock, temp, hidden or system file: Excel's ~$book.xlsx lock and the
    8-hex-digit name it saves to before renaming, LibreOffice's .~lock.*#, partial
    downloads, and our own error reports."""
    name = path.name
    return name.casefold() not in _IGNORED_NAMES and not _TEMP.search(name)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time this size/mtime was first seen


@dataclass(frozen=True)
class WatchSettings:
    folders: tuple[Path, ...]
    settle: float = SETTLE_SECONDS
    rescan: float = RESCAN_SECONDS
    poll: bool = False
    poll_interval: float = POLL_SECONDS
    lang: Lang | None = None


class _Handler(FileSystemEventHandler):
    def __init__(self, notice: Callable[[Path], None]) -> None:
        self._notice = notice

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("deleted", "opened", "closed_no_write"):
            return
        target = getattr(event, "dest_path", "") or event.src_path
        self._notice(Path(str(target)))


class Watcher:
    """The loop behind `xlerp watch`. `on_result` sees every processed file (the
    --on-orders trigger listens there)."""

    def __init__(self, store: LoadTarget, profiles: Sequence[Profile], settings: WatchSettings,
                 on_result: Callable[[IngestResult], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.profiles = list(profiles)
        self.settings = settings
        self.on_result = on_result
        self._clock = clock
        self._folders = tuple(f.resolve() for f in settings.folders)
        self._pending: dict[Path, _Seen | None] = {}
        self._failed: dict[tuple[Path, int, int], int] = {}
        self._lock = threading.Lock()
        self.wake = threading.Event()

    def notice(self, path: Path) -> None:
        """A hint that `path` changed (watchdog thread or rescan)."""
        path = path.resolve() if not path.is_absolute() else path
        if path.parent not in self._folders or not is_candidate(path):
            return
        with self._lock:
            self._pending.setdefault(path, None)
        self.wake.set()

    def rescan(self) -> None:
        for folder in self._folders:
            try:
                entries = list(folder.iterdir())
            except OSError as error:  # a share that went away comes back later
                log.warning("cannot list %s: %s", folder, error)
                continue
            for entry in entries:
                if entry.is_file():
                    self.notice(entry)

    def run(self, stop: threading.Event) -> None:
        """Watch until `stop` is set; the file being loaded when it is set finishes."""
        observer = PollingObserver(timeout=self.settings.poll_interval) \
            if self.settings.poll else Observer()
        handler = _Handler(self.notice)
        for folder in self._folders:
            observer.schedule(handler, str(folder), recursive=False)
        observer.start()
        log.info("watching %s (settle %.1f s, %s)", ", ".join(map(str, self._folders)),
                 self.settings.settle, "polling" if self.settings.poll else "native events")
        try:
            self._loop(stop)
        finally:
            observer.stop()
            observer.join(timeout=10)

    def _loop(self, stop: threading.Event) -> None:
        self.rescan()  # the backlog, and files a crash left journaled but not moved
        next_rescan = self._clock() + self.settings.rescan
        while not stop.is_set():
            now = self._clock()
            if now >= next_rescan:
                self.rescan()
                next_rescan = now + self.settings.rescan
            ready = self.settled()
            while ready and not stop.is_set():
                ready = ready[len(self.process_group(ready)):]
            wait = min(next_rescan, self._next_due()) - self._clock()
            self.wake.wait(timeout=max(0.05, min(wait, self.settings.settle)))
            self.wake.clear()

    def _next_due(self) -> float:
        with self._lock:
            times = [s.since for s in self._pending.values() if s is not None]
        return (min(times) + self.settings.settle) if times else float("inf")

    def settled(self) -> list[Path]:
        """Pending files whose size and mtime held for the settle time and that open."""
        now = self._clock()
        ready = []
        with self._lock:
            pending = list(self._pending.items())
        for path, seen in pending:
            state = self._observe(path, seen, now)
            if state == "ready":
                ready.append(path)
        return sorted(ready)

    def _observe(self, path: Path, seen: _Seen | None, now: float) -> str:
        try:
            stat = path.stat()
        except FileNotFoundError:
            self._forget(path)
            return "gone"
        current = (stat.st_size, stat.st_mtime_ns)
        if seen is None or (seen.size, seen.mtime_ns) != current:
            with self._lock:
                self._pending[path] = _Seen(*current, since=now)
            return "changing"
        if now - seen.since < self.settings.settle:
            return "waiting"
        if not _opens(path):  # look again in half a second, not in a tight loop
            with self._lock:
                self._pending[path] = _Seen(*current, since=now - self.settings.settle + 0.5)
            return "waiting"
        if self._failed.get((path, *current), 0) >= MAX_ATTEMPTS:
            self._forget(path)  # until it changes; the rescan brings it back then
            return "failed"
        return "ready"

    def _forget(self, path: Path) -> None:
        with self._lock:
            self._pending.pop(path, None)

    def process_group(self, paths: Sequence[Path]) -> list[Path]:
        """Load files one after the other in one store transaction (see `Store.group`),
        for at most GROUP_SECONDS or GROUP_FILES; then archive them. The paths taken."""
        group = getattr(self.store, "group", None)  # a remote store has none
        started, taken = self._clock(), []
        loaded: list[tuple[Path, IngestResult]] = []
        try:
            with group() if group is not None else contextlib.nullcontext():
                for path in paths:
                    taken.append(path)
                    result = self._ingest(path)
                    if result is not None:
                        loaded.append((path, result))
                    if (len(taken) >= GROUP_FILES
                            or self._clock() - started >= GROUP_SECONDS):
                        break
        except Exception:  # the COMMIT failed (disk full …): nothing moved, retried later
            log.exception("could not commit %d file(s); they stay for a retry", len(taken))
            return taken
        for path, result in loaded:  # only now, after COMMIT, do files leave the folder
            self._finish(path, result)
        return taken

    def _ingest(self, path: Path) -> IngestResult | None:
        """Load one file; an unexpected error is logged and the file stays for a later
        attempt (its writes were rolled back)."""
        seen = self._pending.get(path)
        try:
            result = ingest_file(self.store, path, self.profiles, lang=self.settings.lang)
        except Exception:  # the outermost loop: log it and keep watching
            key = (path, seen.size, seen.mtime_ns) if seen else (path, 0, 0)
            self._failed[key] = self._failed.get(key, 0) + 1
            log.exception("failed to process %s (attempt %d)", path, self._failed[key])
            return None
        if seen is not None and _changed(path, seen):
            log.info("%s changed while it was read; reading it again", path.name)
            return None  # still pending: its new content settles and loads later
        return result

    def _finish(self, path: Path, result: IngestResult) -> None:
        try:
            if result.status == "rejected":
                archive.move_rejected(path, result, self.store)
            else:
                archive.move_done(path, result.sha256, date.today())
        except OSError as error:  # e.g. still open elsewhere on Windows: the journal
            log.warning("cannot move %s yet (%s); will retry", path.name, error)
            return                # makes the retry a plain move
        self._forget(path)
        log.info(archive.summary(result))
        if self.on_result is not None:
            self.on_result(result)


def _opens(path: Path) -> bool:
    """Whether another program still holds the file exclusively (Windows sharing modes:
    a copy or an Excel save in progress)."""
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def _changed(path: Path, seen: _Seen) -> bool:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return False
    return (stat.st_size, stat.st_mtime_ns) != (seen.size, seen.mtime_ns)
