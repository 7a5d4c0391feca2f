"""API tokens: stored hashed, scopes as levels, revocation, and the `xlerp token` CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from addin.errors import UsageError
from agent.cli import cli
from agent.server import auth
from agent.store import Store


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "store.db") as opened:
        auth.ensure_tables(opened)
        yield opened


def test_a_token_is_stored_only_as_its_sha256(store: Store, tmp_path: Path) -> None:
    record, secret = auth.create_token(store, "warehouse-pc", "push")
    assert secret.startswith("xlerp_") and len(secret) == 6 + 43  # 32 bytes, base64url
    stored = store.conn.execute('SELECT "hash" FROM "_tokens"').fetchone()[0]
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    store.conn.execute("PRAGMA wal_checkpoint(FULL)")
    raw = (tmp_path / "store.db").read_bytes()
    assert secret.encode() not in raw and secret[6:].encode() not in raw
    assert auth.verify_token(store, secret) == record


def test_verify_refuses_unknown_malformed_and_revoked_tokens(store: Store) -> None:
    _, secret = auth.create_token(store, "shop-pc", "read")
    assert auth.verify_token(store, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert auth.verify_token(store, "not-a-token") is None
    assert auth.verify_token(store, "") is None
    revoked = auth.revoke_token(store, "shop-pc")
    assert revoked.revoked_at is not None
    assert auth.verify_token(store, secret) is None


def test_scopes_are_levels_read_push_admin() -> None:
    table = {(have, need): auth.allows(have, need)
             for have in auth.SCOPES for need in auth.SCOPES}
    assert table == {
        ("read", "read"): True, ("read", "push"): False, ("read", "admin"): False,
        ("push", "read"): True, ("push", "push"): True, ("push", "admin"): False,
        ("admin", "read"): True, ("admin", "push"): True, ("admin", "admin"): True,
    }


def test_one_live_token_per_name_and_a_revoked_name_can_be_reissued(store: Store) -> None:
    auth.create_token(store, "planner", "read")
    with pytest.raises(UsageError, match="exists already"):
        auth.create_token(store, "planner", "push")
    auth.revoke_token(store, "planner")
    _, secret = auth.create_token(store, "planner", "push")
    assert auth.verify_token(store, secret).scope == "push"
    assert [(t.name, t.scope, t.active) for t in auth.list_tokens(store)] == [
        ("planner", "read", False), ("planner", "push", True)]


@pytest.mark.parametrize(("name", "scope", "message"), [
    ("", "read", "not a usable token name"),
    ("bad name", "read", "not a usable token name"),
    ("x" * 65, "read", "not a usable token name"),
    ("pc", "owner", "unknown scope 'owner'"),
])
def test_bad_names_and_scopes_are_usage_errors(store: Store, name: str, scope: str,
                                               message: str) -> None:
    with pytest.raises(UsageError, match=message):
        auth.create_token(store, name, scope)


def test_revoking_an_unknown_token_says_how_to_list_them(store: Store) -> None:
    with pytest.raises(UsageError, match="`xlerp token list`"):
        auth.revoke_token(store, "nobody")


def test_token_cli_create_list_revoke(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    created = runner.invoke(cli, ["token", "create", "--name", "warehouse-pc",
                                  "--scope", "push", "--db", db])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("xlerp_")
    assert "shown only now" in created.stderr
    listed = runner.invoke(cli, ["token", "list", "--db", db])
    assert listed.stdout.startswith("warehouse-pc\tpush\tcreated ")
    assert listed.stdout.rstrip().endswith("active")
    assert secret not in listed.stdout
    revoked = runner.invoke(cli, ["token", "revoke", "warehouse-pc", "--db", db])
    assert (revoked.exit_code, revoked.stdout) == (0, "Revoked warehouse-pc\n")
    again = runner.invoke(cli, ["token", "revoke", "warehouse-pc", "--db", db])
    assert again.exit_code == 1
    assert again.stderr == ("Error: there is no live token named 'warehouse-pc' — "
                            "`xlerp token list` shows the tokens\n")
    with Store.open(db) as store:
        assert auth.verify_token(store, secret) is None
