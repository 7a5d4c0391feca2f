"""The store server: in-process through TestClient, then a real `xlerp serve` process
with a real agent pushing over HTTP."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import LiveServer, orders, provenance, typed, xlerp

from addin.errors import UsageError
from addin.schema import TABLES
from agent import wire
from agent.cli import cli
from agent.push import PushSettings, RemoteStore
from agent.reconcile.demo import load_demo
from agent.server import ServerSettings, auth, create_app
from agent.server.routes_changes import ChangesPage
from agent.server.routes_rows import BatchOut, RowsPage
from agent.server.settings import SETTINGS_HELP
from agent.store import Store

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
KEY = "a" * 64
ORDERS = TABLES["sales_orders"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "central.db"


@pytest.fixture
def tokens(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        auth.ensure_tables(store)
        return {scope: auth.create_token(store, f"{scope}-pc", scope)[1]
                for scope in auth.SCOPES}


@pytest.fixture
def client(db: Path, tokens: dict[str, str]):
    with TestClient(create_app(db, ServerSettings(max_body_bytes=200_000))) as test_client:
        yield test_client


def bearer(secret: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {secret}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def body(numbers: range, qty: float = 1.0, platform: str = "shopify") -> bytes:
    return wire.upload_body(orders(numbers, qty), ORDERS, provenance(platform, "orders.csv"))


def upload(client: TestClient, secret: str, payload: bytes, key: str = KEY,
           table: str = "sales_orders") -> requests.Response:
    return client.post(f"{API}/tables/{table}/batches", content=payload,
                       headers={**bearer(secret, key), "Content-Type": "application/json"})


# -- in-process ----------------------------------------------------------------------------

def test_health_needs_no_token_and_the_openapi_document_lists_every_route(client) -> None:
    assert client.get(f"{API}/health").json() == {"status": "ok", "store_version": 3}
    document = client.get(f"{API}/openapi.json").json()
    assert set(document["paths"]) == {
        f"{API}/health", f"{API}/status", f"{API}/tables", f"{API}/tables/{{table}}/batches",
        f"{API}/tables/{{table}}/rows", f"{API}/tables/{{table}}/columns/{{column}}/values",
        f"{API}/changes", f"{API}/batches", f"{API}/batches/{{batch}}", f"{API}/rejected",
        f"{API}/tokens", f"{API}/tokens/{{name}}", "/xlwings/commands", "/xlwings/{command}"}
    upload_doc = document["paths"][f"{API}/tables/{{table}}/batches"]["post"]
    assert {"200", "201", "401", "403", "413", "422"} <= set(upload_doc["responses"])
    schema = upload_doc["requestBody"]["content"]["application/json"]["schema"]
    assert {"platform", "as_of", "columns"} <= set(schema["properties"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_answers_have_the_shapes_the_openapi_document_declares(client, tokens) -> None:
    """The routes that answer with hand-built JSON (for speed) still match their models."""
    upload(client, tokens["push"], body(range(1, 4)))
    read = bearer(tokens["read"])
    BatchOut.model_validate_json(upload(client, tokens["push"], body(range(1, 4))).content,
                                 strict=True)
    page = client.get(f"{API}/tables/sales_orders/rows", headers=read)
    assert RowsPage.model_validate_json(page.content).count == 3
    feed = client.get(f"{API}/changes", headers=read)
    assert len(ChangesPage.model_validate_json(feed.content).changes) == 3
    document = client.get(f"{API}/openapi.json").json()
    declared = document["paths"][f"{API}/changes"]["get"]["responses"]["200"]
    assert declared["content"]["application/json"]["schema"]["$ref"].endswith("/ChangesPage")


def test_docs_describe_every_route_and_setting() -> None:
    text = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    for route in ("/health", "/status", "/tables/{table}/batches", "/tables/{table}/rows",
                  "/tables/{table}/columns/{column}/values", "/changes", "/batches",
                  "/batches/{batch}", "/rejected", "/tokens", "/tokens/{name}"):
        assert f"`{route}`" in text or f"{route}`" in text, route
    for name in SETTINGS_HELP:
        assert name in text, name


def test_upload_then_retry_is_answered_already_loaded_and_changes_nothing(client, tokens
                                                                          ) -> None:
    first = upload(client, tokens["push"], body(range(1, 4)))
    assert first.status_code == 201
    assert first.json() == {"table": "sales_orders", "batch": 1, "rows": 3,
                                 "inserted": 3, "updated": 0, "unchanged": 0, "stale": 0,
                                 "deleted": 0, "first_seq": 1, "last_seq": 3,
                                 "duplicate": False}
    again = upload(client, tokens["push"], body(range(1, 4)))
    assert again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    read = bearer(tokens["read"])
    assert client.get(f"{API}/status", headers=read).json()["last_seq"] == 3
    assert len(client.get(f"{API}/batches", headers=read).json()) == 1


def test_a_key_reused_with_another_body_is_refused(client, tokens) -> None:
    assert upload(client, tokens["push"], body(range(1, 3))).status_code == 201
    answer = upload(client, tokens["push"], body(range(1, 3), qty=5))
    assert answer.status_code == 422
    assert "used before with a different body" in answer.json()["detail"]


@pytest.mark.parametrize(("case", "status"), [("none", 401), ("garbage", 401),
                                              ("read", 403)])
def test_upload_needs_a_push_token(client, tokens, case: str, status: int) -> None:
    headers = {"Idempotency-Key": KEY}
    if case == "garbage":
        headers["Authorization"] = "Bearer xlerp_nonsense"
    elif case == "read":
        headers.update(bearer(tokens["read"]))
    answer = client.post(f"{API}/tables/sales_orders/batches", content=body(range(1, 2)),
                         headers=headers)
    assert answer.status_code == status
    if status == 401:
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_reading_needs_read_and_tokens_need_admin(client, tokens) -> None:
    assert client.get(f"{API}/changes").status_code == 401
    assert client.get(f"{API}/changes", headers=bearer(tokens["read"])).status_code == 200
    assert client.get(f"{API}/changes", headers=bearer(tokens["push"])).status_code == 200
    assert client.get(f"{API}/tokens", headers=bearer(tokens["push"])).status_code == 403
    names = [t["name"] for t in client.get(f"{API}/tokens",
                                           headers=bearer(tokens["admin"])).json()]
    assert names == ["read-pc", "push-pc", "admin-pc"]


def test_an_admin_issues_and_revokes_tokens_over_http(client, tokens) -> None:
    admin = bearer(tokens["admin"])
    made = client.post(f"{API}/tokens", json={"name": "laptop", "scope": "read"},
                       headers=admin)
    assert made.status_code == 201
    secret = made.json()["token"]
    assert client.get(f"{API}/changes", headers=bearer(secret)).status_code == 200
    gone = client.delete(f"{API}/tokens/laptop", headers=admin)
    assert gone.status_code == 200 and gone.json()["revoked_at"]
    assert client.get(f"{API}/changes", headers=bearer(secret)).status_code == 401
    assert client.delete(f"{API}/tokens/laptop", headers=admin).status_code == 400


def test_bad_uploads_are_refused_with_a_reason(client, tokens) -> None:
    push = tokens["push"]
    assert upload(client, push, b"{not json", key="b" * 64).status_code == 400
    assert upload(client, push, b"[1, 2]", key="c" * 64).status_code == 422
    assert upload(client, push, body(range(1, 2)), table="nope").status_code == 404
    missing_key = client.post(f"{API}/tables/sales_orders/batches", content=body(range(1, 2)),
                              headers=bearer(push))
    assert missing_key.status_code == 422
    payload = json.loads(body(range(1, 4)))
    payload["columns"]["qty"][1] = "1,5"
    payload["columns"]["colour"] = ["red"] * 3
    answer = upload(client, push, json.dumps(payload).encode(), key="d" * 64)
    assert answer.status_code == 422
    issues = answer.json()["detail"]["issues"]
    assert [(i["code"], i["column"]) for i in issues] == [("unknown_column", "colour")]
    del payload["columns"]["colour"]
    answer = upload(client, push, json.dumps(payload).encode(), key="e" * 64)
    (issue,) = answer.json()["detail"]["issues"]
    # the second value of the batch is row 3 (row 1 of a sheet is its header)
    assert (issue["code"], issue["row"], issue["column"], issue["value"]) == (
        "not_a_number", 3, "qty", "1,5")
    read = bearer(tokens["read"])
    assert client.get(f"{API}/status", headers=read).json()["last_seq"] == 0


def test_rows_come_in_key_order_pages_and_filter_by_column(client, tokens) -> None:
    upload(client, tokens["push"], body(range(1, 26)))
    upload(client, tokens["push"], body(range(26, 31), platform="tmall"), key="f" * 64)
    read = bearer(tokens["read"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/tables/sales_orders/rows", params=params, headers=read)
        seen += page.json()["columns"]["order_no"]
        cursor, pages = page.json()["next_cursor"], pages + 1
        if cursor is None:
            break
    assert pages == 3  # 30 rows in pages of 10
    assert seen == [f"SO-{n:06d}" for n in range(1, 31)]
    tmall = client.get(f"{API}/tables/sales_orders/rows", params={"_platform": "tmall"},
                       headers=read).json()
    assert tmall["columns"]["order_no"] == [f"SO-{n:06d}" for n in range(26, 31)]
    assert tmall["columns"]["due_date"][0] == "2026-12-15"
    bad = client.get(f"{API}/tables/sales_orders/rows", params={"cursor": "!!"}, headers=read)
    assert bad.status_code == 400
    unknown = client.get(f"{API}/tables/sales_orders/rows", params={"colour": "red"},
                         headers=read)
    assert unknown.status_code == 400 and "has no column colour" in unknown.json()["detail"]


def test_change_feed_pages_since_a_sequence_number(client, tokens) -> None:
    upload(client, tokens["push"], body(range(1, 6)))
    upload(client, tokens["push"], body(range(1, 3), qty=4, platform="shopify"), key="g" * 64)
    read = bearer(tokens["read"])
    first = client.get(f"{API}/changes", params={"since": 0, "limit": 4}, headers=read).json()
    assert [c["seq"] for c in first["changes"]] == [1, 2, 3, 4] and first["more"]
    rest = client.get(f"{API}/changes", params={"since": first["next_since"]},
                      headers=read).json()
    assert [(c["seq"], c["op"]) for c in rest["changes"]] == [
        (5, "insert"), (6, "update"), (7, "update")]
    assert rest["changes"][1]["old"] == {"qty": 1.0} and rest["changes"][1]["new"] == {"qty": 4.0}
    assert not rest["more"]


def test_rejected_files_are_recorded_once_per_key(client, tokens) -> None:
    rejection = {"file": "bad.csv", "sha256": "9" * 64, "profile": "generic", "issues": 2,
                 "reason": "2 problems", "report": "rejected/bad.csv.errors.xlsx"}
    headers = bearer(tokens["push"], "rejected:" + "9" * 64)
    assert client.post(f"{API}/rejected", json=rejection, headers=headers).status_code == 201
    assert client.post(f"{API}/rejected", json=rejection, headers=headers).status_code == 200
    listed = client.get(f"{API}/rejected", headers=bearer(tokens["read"])).json()
    assert [(r["file"], r["issues"]) for r in listed] == [("bad.csv", 2)]


def test_a_body_over_the_limit_is_413_and_the_server_stays_up(client, tokens) -> None:
    big = body(range(1, 3000))  # ~400 kB against a 200 kB limit
    assert len(big) > 200_000
    assert upload(client, tokens["push"], big).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 50_000):
            yield big[start:start + 50_000]

    chunked = client.post(f"{API}/tables/sales_orders/batches", content=chunks(),
                          headers=bearer(tokens["push"], KEY))
    assert chunked.status_code == 413
    assert client.get(f"{API}/health").status_code == 200


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=20), lambda inner: st.lists(inner, max_size=5)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=5), max_leaves=20)
_columns = st.dictionaries(st.sampled_from(["order_no", "line_no", "qty", "due_date",
                                            "item_code", "status", "_row", "x"]),
                           st.lists(st.none() | st.integers() | st.floats(allow_nan=False)
                                    | st.text(max_size=12) | st.booleans(), max_size=4),
                           max_size=6)


@settings(deadline=None, max_examples=60,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(
    _json.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.builds(lambda cols, platform, as_of: json.dumps(
        {"platform": platform, "as_of": as_of, "columns": cols}).encode(),
        _columns, st.text(max_size=5), st.sampled_from(["2026-12-01T00:00:00Z", "soon", ""]))))
def test_fuzzed_uploads_never_break_the_server(client, tokens, payload: bytes) -> None:
    """Malformed JSON, wrong shapes and wrong values are 4xx; only valid batches load."""
    key = hashlib.sha256(payload).hexdigest()
    answer = upload(client, tokens["push"], payload, key=key)
    assert answer.status_code in (200, 201, 400, 422), answer.text
    assert client.get(f"{API}/health").status_code == 200


# -- a real server process and a real agent ------------------------------------------------

def test_real_server_real_agent_rows_arrive_once(tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    push = xlerp("token", "create", "--name", "shop-pc", "--scope", "push",
                 "--db", str(db)).stdout.strip()
    read = xlerp("token", "create", "--name", "planner", "--scope", "read",
                 "--db", str(db)).stdout.strip()
    assert re.fullmatch(r"xlerp_[A-Za-z0-9_-]{43}", push)
    with LiveServer(db) as server:
        settings_ = PushSettings(url=server.url, token=push, backoff_factor=0.05,
                                 backoff_max=0.5, idle_wait=0.2)
        with RemoteStore.open(server.url, push, tmp_path / "outbox.db", settings_,
                              start=False) as agent:
            first = agent.load_batch("sales_orders", orders(range(1, 101)),
                                     provenance("shopify", "a.csv"))
            again = agent.load_batch("sales_orders", orders(range(1, 101)),
                                     provenance("shopify", "a.csv"))
            assert (first.duplicate, again.duplicate) == (False, True)
            assert agent.pusher.drain(timeout=30)
            entry_key = provenance("shopify", "a.csv").sha256
            # a resend of the very same request (as after a lost reply) is a no-op
            resent = requests.post(
                f"{server.url}{API}/tables/sales_orders/batches", timeout=10,
                data=wire.upload_body(orders(range(1, 101)), ORDERS,
                                      provenance("shopify", "a.csv")),
                headers={**bearer(push, entry_key), "Content-Type": "application/json"})
            assert (resent.status_code, resent.json()["duplicate"]) == (200, True)
        reader = requests.Session()
        reader.headers.update(bearer(read))
        status = reader.get(f"{server.url}{API}/status", timeout=10).json()
        assert status["tables"] == {"sales_orders": 100}
        assert status["last_seq"] == 100 and status["batches"] == 1
        assert reader.post(f"{server.url}{API}/tables/sales_orders/batches", timeout=10,
                           data=b"{}", headers={"Idempotency-Key": KEY}).status_code == 403
        assert requests.get(f"{server.url}{API}/changes", timeout=10).status_code == 401
        xlerp("token", "revoke", "shop-pc", "--db", str(db))
        with RemoteStore.open(server.url, push, tmp_path / "outbox.db", settings_,
                              start=False) as agent:
            agent.load_batch("sales_orders", orders(range(101, 111)),
                             provenance("shopify", "b.csv"))
            assert agent.pusher.push_next() == "unauthorised"
            assert agent.outbox.counts() == {"pending": 1, "sent": 1, "refused": 0}
        assert reader.get(f"{server.url}{API}/status", timeout=10).json()["last_seq"] == 100


def test_reconcile_over_http_finds_what_it_finds_on_the_file(tmp_path: Path) -> None:
    db = load_demo(tmp_path, "en")
    read = xlerp("token", "create", "--name", "planner", "--scope", "read",
                 "--db", str(db)).stdout.strip()
    runner = CliRunner()
    local = runner.invoke(cli, ["reconcile", "--store", str(db), "--out",
                                str(tmp_path / "local.xlsx"), "--lang", "en"])
    with LiveServer(db) as server:
        remote = runner.invoke(cli, ["reconcile", "--store", server.url, "--token", read,
                                     "--out", str(tmp_path / "remote.xlsx"), "--lang", "en"])
        refused = runner.invoke(cli, ["reconcile", "--store", server.url, "--token",
                                      "xlerp_wrong", "--out", str(tmp_path / "x.xlsx")])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout.splitlines()[:-1] == local.stdout.splitlines()[:-1]
    assert len(remote.stdout.splitlines()) == 5
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: the store refused the token (401)")


def test_an_agent_reads_mappings_from_the_server_and_from_its_cache_offline(
        tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    push = xlerp("token", "create", "--name", "shop-pc", "--db", str(db)).stdout.strip()
    server = LiveServer(db).start()
    try:
        settings_ = PushSettings(url=server.url, token=push, retries=1, backoff_factor=0.05,
                                 backoff_max=0.2)
        with RemoteStore.open(server.url, push, tmp_path / "outbox.db", settings_,
                              start=False) as agent:
            agent.load_batch("code_mappings", typed("code_mappings", {
                "platform": ["shopify", "tmall"], "entity": "items",
                "external_code": ["DF30-WHT", "692880"], "canonical_code": "10.01.0001"}),
                provenance("workbook", "mappings.csv"))
            agent.load_batch("items", typed("items", {
                "item_code": ["10.01.0001", "10.01.0002"], "item_name": ["Fan", "Fan 2"],
                "item_type": "manufactured", "stock_unit": ["pcs", "set"]}),
                provenance("kingdee", "items.csv"))
            assert agent.pusher.drain(timeout=30)
            online = (agent.code_map("shopify", "items"),
                      agent.column_values("items", "item_code"),
                      agent.column_map("items", "item_code", "stock_unit"))
            assert online == ({"DF30-WHT": "10.01.0001"}, {"10.01.0001", "10.01.0002"},
                              {"10.01.0001": "pcs", "10.01.0002": "set"})
            tmall = agent.rows("code_mappings", {"platform": "tmall"})
            assert tmall[["external_code", "canonical_code", "_platform"]].values.tolist() \
                == [["692880", "10.01.0001", "workbook"]]
            server.stop()
            offline = (agent.code_map("shopify", "items"),
                       agent.column_values("items", "item_code"),
                       agent.column_map("items", "item_code", "stock_unit"))
            assert offline == online
            with pytest.raises(UsageError, match="cannot reach the store"):
                agent.code_map("jd", "items")
    finally:
        server.stop()
