"""Pushing to the central store over HTTP: the client, the outbox sender, and the
`RemoteStore` a watcher loads into when `--store` is a URL.

Retries with exponential backoff are urllib3's `Retry` (POST included: every request
carries an idempotency key, so a retry after a lost reply changes nothing). When a
server stays away longer than one request's retries, the entry simply stays in the
outbox and the `Pusher` tries again later — in order, so the store sees each source's
batches in the order they were loaded.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from addin.errors import UsageError
from addin.schema import INPUT_TABLES, TABLES
from agent import wire
from agent.batch import BatchResult, Provenance
from agent.outbox import Entry, Outbox
from agent.store import Store

log = logging.getLogger(__name__)

TOKEN_ENV = "XLERP_TOKEN"
API = "/api/v1"
RETRY_STATUS = (429, 500, 502, 503, 504)  # the store may answer differently later
AUTH_STATUS = (401, 403)                  # a person must fix the token: keep, pause


@dataclass(frozen=True)
class PushSettings:
    """How an agent talks to the store. Backoff sleeps backoff_factor × 2ⁿ seconds
    between tries, capped at backoff_max."""

    url: str
    token: str
    retries: int = 8
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    connect_timeout: float = 5.0
    read_timeout: float = 300.0  # a 10k-row batch into a busy store can take a while
    idle_wait: float = 5.0       # an idle pusher looks at the outbox this often anyway
    verify: bool | str = True    # TLS: verify the certificate (or: path of a CA bundle)


def make_session(settings: PushSettings, retries: int) -> requests.Session:
    """A session that retries connection failures and 429/5xx answers with backoff."""
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                  backoff_factor=settings.backoff_factor, backoff_max=settings.backoff_max,
                  status_forcelist=RETRY_STATUS,
                  allowed_methods=frozenset({"GET", "POST", "DELETE"}),
                  respect_retry_after_header=True, raise_on_status=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Authorization"] = f"Bearer {settings.token}"
    session.verify = settings.verify
    return session


class PushClient:
    """Requests to one store. Sends retry long; lookups retry once (a load waiting on
    them should fall back to the cache rather than hang)."""

    def __init__(self, settings: PushSettings) -> None:
        self.settings = settings
        self.base = settings.url.rstrip("/") + API
        self.sender = make_session(settings, settings.retries)
        self.reader = make_session(settings, 1)
        self.timeout = (settings.connect_timeout, settings.read_timeout)

    def send(self, entry: Entry) -> requests.Response:
        return self.sender.post(self.base + entry.path, data=entry.body, timeout=self.timeout,
                                headers={"Idempotency-Key": entry.key,
                                         "Content-Type": "application/json"})

    def get(self, path: str, params: dict[str, object] | None = None) -> Any:
        response = self.reader.get(self.base + path, params=params, timeout=self.timeout)
        if response.status_code in AUTH_STATUS:
            raise UsageError(f"the store refused the token ({response.status_code}): "
                             f"{_detail(response)} — check --token")
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.sender.close()
        self.reader.close()


class Pusher:
    """Sends the outbox, oldest entry first, from a background thread."""

    def __init__(self, outbox: Outbox, client: PushClient) -> None:
        self.outbox = outbox
        self.client = client
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sending = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="xlerp-pusher", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Something was queued: send it now rather than at the next idle look."""
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def push_next(self) -> str:
        """Send the oldest pending entry: "empty", "sent", "refused", "failed" (try
        again later) or "unauthorised" (the token needs fixing; try again later)."""
        with self._sending:
            entry = self.outbox.next_pending()
            if entry is None:
                return "empty"
            try:
                response = self.client.send(entry)
            except requests.RequestException as error:
                self.outbox.mark_failed(entry, f"{type(error).__name__}: {error}")
                log.warning("store unreachable, %d queued batch(es) wait: %s",
                            self.outbox.counts()["pending"], error)
                return "failed"
            return self._settle(entry, response)

    def _settle(self, entry: Entry, response: requests.Response) -> str:
        status = response.status_code
        if status < 300:
            self.outbox.mark_sent(entry, status, response.text)
            return "sent"
        detail = _detail(response)
        if status in AUTH_STATUS:
            self.outbox.mark_failed(entry, f"{status}: {detail}")
            log.error("the store refused the token (%d: %s) — fix --token; queued batches "
                      "are kept", status, detail)
            return "unauthorised"
        if status in RETRY_STATUS:
            self.outbox.mark_failed(entry, f"{status}: {detail}")
            return "failed"
        # 400/404/413/422: this request can never succeed; keep it for the user, move on
        self.outbox.mark_refused(entry, status, response.text)
        log.error("the store refused %s (%d): %s", entry.path, status, detail)
        return "refused"

    def drain(self, timeout: float, pause: float | None = None) -> bool:
        """Send until the outbox is empty (True) or `timeout` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        pause = self.client.settings.backoff_max if pause is None else pause
        while time.monotonic() < deadline:
            outcome = self.push_next()
            if outcome == "empty":
                return True
            if outcome in ("failed", "unauthorised"):
                self._stop.wait(min(pause, max(0.0, deadline - time.monotonic())))
        return self.outbox.next_pending() is None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before looking: a batch queued from now on wakes us
            try:
                outcome = self.push_next()
            except Exception:  # the outermost loop of a thread: log, keep the agent alive
                log.exception("pushing failed unexpectedly; trying again later")
                outcome = "failed"
            if outcome == "empty":
                self._wake.wait(self.client.settings.idle_wait)
            elif outcome in ("failed", "unauthorised"):
                self._stop.wait(self.client.settings.backoff_max)


def _detail(response: requests.Response) -> str:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    detail = answer.get("detail", response.text) if isinstance(answer, dict) else response.text
    return str(detail)[:500]


class RemoteStore:
    """Stands in for `agent.store.Store` where the watcher loads files: a load is queued
    in the outbox (one local transaction) and pushed in the background."""

    def __init__(self, outbox: Outbox, client: PushClient, pusher: Pusher) -> None:
        self.outbox = outbox
        self.client = client
        self.pusher = pusher
        self.path = client.settings.url

    @classmethod
    def open(cls, url: str, token: str, outbox_path: str | Path,
             settings: PushSettings | None = None, start: bool = True) -> RemoteStore:
        settings = settings or PushSettings(url=url, token=token)
        outbox = Outbox.open(outbox_path)
        client = PushClient(settings)
        pusher = Pusher(outbox, client)
        if start:
            pusher.start()
        return cls(outbox, client, pusher)

    def close(self) -> None:
        self.pusher.stop(timeout=5)
        if self.pusher.alive:
            # inside a retry's backoff sleep: leave the connections to the process exit;
            # every outbox write is already committed
            log.info("pusher still waiting to retry; queued batches stay in the outbox")
            return
        self.client.close()
        self.outbox.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load_batch(self, table: str, frame: pd.DataFrame,
                   provenance: Provenance) -> BatchResult:
        """Queue the batch under its content hash; `duplicate` if it was queued before.
        The counts of inserts and updates are the store's to tell, later."""
        if table not in INPUT_TABLES:
            raise UsageError(f"the store has no table {table!r}")
        body = wire.upload_body(frame, TABLES[table], provenance)
        new = self.outbox.enqueue(provenance.sha256, "batch", f"/tables/{table}/batches",
                                  body, rows=len(frame))
        self.pusher.wake()
        return BatchResult(table, self.outbox.has(provenance.sha256) or 0, rows=len(frame),
                           duplicate=not new)

    def loaded_batch(self, sha256: str) -> int | None:
        """The outbox entry of this content hash (queued or sent), if any."""
        return self.outbox.has(sha256)

    def record_rejection(self, file: str, sha256: str, profile: str, issues: int,
                         reason: str, report: str) -> None:
        body = wire.dumps({"file": file, "sha256": sha256, "profile": profile,
                           "issues": issues, "reason": reason, "report": report})
        self.outbox.enqueue(f"rejected:{sha256}", "rejected", "/rejected", body)
        self.pusher.wake()

    def code_map(self, platform: str, entity: str) -> dict[str, str]:
        """External -> canonical codes from the store's code-mapping table."""
        rows = self._cached(f"code_map:{platform}:{entity}", lambda: fetch_rows(
            self.client, "code_mappings", {"platform": platform, "entity": entity}))
        return dict(zip(rows.get("external_code", []), rows.get("canonical_code", []),
                        strict=True))

    def column_map(self, table: str, key_column: str, value_column: str) -> dict:
        """{key: value} over two columns of a table (e.g. item code -> stock unit)."""
        rows = self._cached(f"rows:{table}", lambda: fetch_rows(self.client, table))
        return dict(zip(rows.get(key_column, []), rows.get(value_column, []), strict=True))

    def rows(self, table: str, where: Mapping[str, object] | None = None) -> pd.DataFrame:
        """A table typed as `Store.rows` types it, filtered by equality."""
        where = dict(where or {})
        label = "&".join(f"{k}={v}" for k, v in sorted(where.items()))
        columns = self._cached(f"rows:{table}:{label}",
                               lambda: fetch_rows(self.client, table, where))
        return wire.typed_rows(TABLES[table], columns)

    def column_values(self, table: str, column: str) -> set[object]:
        values = self._cached(f"values:{table}:{column}", lambda: self.client.get(
            f"/tables/{table}/columns/{column}/values"))
        return set(values)

    def _cached(self, key: str, fetch: Callable[[], Any]) -> Any:
        """The store's answer, remembered in the outbox file so that loading goes on
        with the last known answer while the store is unreachable."""
        try:
            value = fetch()
        except requests.RequestException as error:
            cached = self.outbox.cached(key)
            if cached is None:
                raise UsageError(f"cannot reach the store at {self.path} ({error}) and "
                                 "no earlier answer is cached — try again when it is up") \
                    from error
            log.warning("store unreachable; using the cached %s", key)
            return cached
        self.outbox.cache(key, value)
        return value


def fetch_rows(client: PushClient, table: str, where: dict[str, object] | None = None,
               page: int = 10_000) -> dict[str, list[Any]]:
    """Every row of `table` matching `where`, as wire columns, following the cursor."""
    columns: dict[str, list[Any]] = {}
    cursor: str | None = None
    while True:
        params = {**(where or {}), "limit": page}
        if cursor:
            params["cursor"] = cursor
        answer = client.get(f"/tables/{table}/rows", params)
        for name, values in answer["columns"].items():
            columns.setdefault(name, []).extend(values)
        cursor = answer["next_cursor"]
        if cursor is None:
            return columns


def open_store(target: str | Path, token: str | None = None,
               outbox: str | Path | None = None) -> Store | RemoteStore:
    """The store a watcher loads into: a local file, or a URL pushed to via an outbox
    (default outbox: xlerp-outbox.db in the current folder)."""
    text = str(target)
    if not text.startswith(("http://", "https://")):
        return Store.open(target)
    token = token or os.environ.get(TOKEN_ENV)
    if not token:
        raise UsageError(f"--store {text} needs a token: pass --token or set {TOKEN_ENV} "
                         "(create one with `xlerp token create` on the server)")
    return RemoteStore.open(text, token, outbox or Path("xlerp-outbox.db"))


__all__ = ["TOKEN_ENV", "PushClient", "PushSettings", "Pusher", "RemoteStore", "fetch_rows",
           "make_session", "open_store"]
