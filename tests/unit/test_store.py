"""The store: upserts on business keys, change log, as-of guard, journal, transactions."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.errors import UsageError
from addin.schema import TABLES, coerce
from agent import changelog
from agent.migrations import column_ddl
from agent.store import Provenance, Store

T1, T2, T3 = "2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z", \
    "2026-01-03T00:00:00.000000Z"


def typed(table: str, **columns: list) -> pd.DataFrame:
    frame, issues = coerce(TABLES[table], pd.DataFrame(columns), table, "en")
    assert issues == []
    return frame


def orders(qty: list) -> pd.DataFrame:
    return typed("sales_orders", order_no=["A", "A", "B"], line_no=["1", "2", "1"],
                 item_code=["X", "Y", "Z"], qty=qty, due_date=["2026-02-01"] * 3)


def prov(sha: str, as_of: str = T1, platform: str = "shop", **kw) -> Provenance:
    return Provenance(platform, f"{sha}.csv", sha, as_of, **kw)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "xlerp.db") as opened:
        yield opened


def test_open_sets_pragmas_and_migrates(store: Store) -> None:
    pragma = lambda name: store.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") == 10_000
    assert pragma("page_size") == 16_384
    assert pragma("foreign_keys") == 1
    versions = [r[0] for r in store.conn.execute('SELECT "version" FROM "_migrations"')]
    assert versions == [1, 2, 3]
    columns = [r[1] for r in store.conn.execute('PRAGMA table_info("stock")')]
    assert columns[:2] == ["item_code", "warehouse_code"] and "_as_of" in columns


def test_reopen_adds_columns_the_schema_gained(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.db").close()
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute('ALTER TABLE "items" DROP COLUMN "integer_only"')  # an older store
    conn.commit()
    conn.close()
    with Store.open(tmp_path / "s.db") as store:
        columns = [r[1] for r in store.conn.execute('PRAGMA table_info("items")')]
        assert "integer_only" in columns
        assert store.conn.execute('SELECT COUNT(*) FROM "_migrations"').fetchone()[0] == 3


def test_insert_then_rows_round_trip(store: Store) -> None:
    frame = orders(["1", "2", "3"])
    result = store.load_batch("sales_orders", frame, prov("h1"))
    assert (result.inserted, result.updated, result.first_seq, result.last_seq) == (3, 0, 1, 3)
    back = store.rows("sales_orders")
    pd.testing.assert_frame_equal(back[frame.columns].drop(columns="_row"),
                                  frame.drop(columns="_row"), check_dtype=True)
    assert back["_row"].tolist() == [2, 3, 4]  # Excel rows of the data under a header
    assert back["_platform"].unique().tolist() == ["shop"]
    first = store.changes_since(0, limit=1)[0]
    assert (first.op, first.key, first.new["qty"], first.old) == (
        "insert", {"order_no": "A", "line_no": 1, "_platform": "shop"}, 1.0, None)


def test_unchanged_rows_log_nothing_and_changed_log_old_to_new(store: Store) -> None:
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("h1"))
    same = store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("h2", T2))
    assert (same.unchanged, same.changed, same.first_seq) == (3, 0, None)
    changed = store.load_batch("sales_orders", orders(["1", "5", "3"]), prov("h3", T3))
    assert (changed.updated, changed.unchanged) == (1, 2)
    [entry] = store.changes_since(3)
    assert (entry.seq, entry.op, entry.key) == (4, "update", {"order_no": "A", "line_no": 2,
                                                             "_platform": "shop"})
    assert (entry.old, entry.new) == ({"qty": 2.0}, {"qty": 5.0})


def test_same_file_twice_is_a_no_op(store: Store) -> None:
    first = store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("h1"))
    again = store.load_batch("sales_orders", orders(["9", "9", "9"]), prov("h1"))
    assert again.duplicate and again.batch == first.batch
    assert store.rows("sales_orders")["qty"].tolist() == [1.0, 2.0, 3.0]
    assert store.status().batches == 1 and store.loaded_batch("h1") == first.batch


def test_older_export_never_overwrites_newer(store: Store) -> None:
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("new", T2))
    old = store.load_batch("sales_orders", orders(["7", "7", "7"]), prov("old", T1))
    assert (old.stale, old.changed) == (3, 0)
    assert store.rows("sales_orders")["qty"].tolist() == [1.0, 2.0, 3.0]
    # another platform keeps its own copy: the guard only orders one platform's exports
    other = store.load_batch("sales_orders", orders(["7", "7", "7"]),
                             prov("erp", T1, platform="erp"))
    assert (other.inserted, other.updated) == (3, 0)
    rows = store.rows("sales_orders")
    assert rows[["order_no", "line_no", "_platform", "qty"]].values.tolist() == [
        ["A", 1, "erp", 7.0], ["A", 1, "shop", 1.0], ["A", 2, "erp", 7.0],
        ["A", 2, "shop", 2.0], ["B", 1, "erp", 7.0], ["B", 1, "shop", 3.0]]


def test_each_platform_updates_and_deletes_only_its_own_copy(store: Store) -> None:
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("s1", T1))
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("e1", T1, platform="erp"))
    changed = store.load_batch("sales_orders", orders(["1", "9", "3"]),
                               prov("e2", T2, platform="erp"))
    assert (changed.updated, changed.unchanged) == (1, 2)
    [entry] = store.changes_since(changed.first_seq - 1)
    assert (entry.key, entry.old, entry.new) == (
        {"order_no": "A", "line_no": 2, "_platform": "erp"}, {"qty": 2.0}, {"qty": 9.0})
    # the ERP's snapshot without order B deletes the ERP's B, not the shop's
    two = orders(["1", "9", "3"]).iloc[:2]
    gone = store.load_batch("sales_orders", two, prov("e3", T3, platform="erp",
                                                      snapshot=True))
    assert gone.deleted == 1
    rows = store.rows("sales_orders")
    assert rows.loc[rows["order_no"] == "B", "_platform"].tolist() == ["shop"]
    assert rows.loc[rows["line_no"] == 2, "qty"].tolist() == [9.0, 2.0]  # erp, shop


def test_a_version_2_store_keeps_its_rows_when_keyed_by_platform(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with Store.open(path) as store:
        store.load_batch("sales_orders", orders(["4", "2", "3"]), prov("s1", T1))
    # turn it back into a version-2 table: keyed without the platform, with the file,
    # hash and load time in every row
    spec = TABLES["sales_orders"]
    v2 = [column_ddl(c, c.name in spec.key) for c in spec.columns] + [
        '"_platform" TEXT', '"_file" TEXT', '"_row" INTEGER', '"_batch" INTEGER',
        '"_hash" TEXT', '"_loaded_at" TEXT', '"_as_of" TEXT', 'PRIMARY KEY ("order_no", "line_no")']
    conn = sqlite3.connect(path)
    conn.executescript(f'''
        ALTER TABLE "sales_orders" RENAME TO "v3";
        CREATE TABLE "sales_orders" ({", ".join(v2)});
        INSERT INTO "sales_orders" ("order_no", "line_no", "item_code", "qty", "_platform",
            "_file", "_row", "_batch", "_hash", "_loaded_at", "_as_of")
            SELECT "order_no", "line_no", "item_code", "qty", "_platform", 'stale.csv',
            "_row", "_batch", 'x', 'x', "_as_of" FROM "v3";
        DROP TABLE "v3";
        DELETE FROM "_migrations" WHERE "version" = 3;''')
    conn.close()
    with Store.open(path) as store:
        info = store.conn.execute('PRAGMA table_info("sales_orders")').fetchall()
        assert [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] == [
            "order_no", "line_no", "_platform"]
        assert "_file" not in {r[1] for r in info}  # now read from the row's batch
        rows = store.rows("sales_orders")
        assert rows[["order_no", "qty", "_file", "_hash"]].values.tolist() == [
            ["A", 4.0, "s1.csv", "s1"], ["A", 2.0, "s1.csv", "s1"], ["B", 3.0, "s1.csv", "s1"]]
        other = store.load_batch("sales_orders", orders(["1", "2", "3"]),
                                 prov("e1", T2, platform="erp"))
        assert other.inserted == 3


def test_unchanged_rows_still_move_as_of_forward(store: Store) -> None:
    # T1 says 5, T3 says 5 again (no change logged), then T2 (older than T3) says 7:
    # T3 is the newest word, so 7 must not win even though T2 is newer than T1.
    store.load_batch("sales_orders", orders(["5", "5", "5"]), prov("t1", T1))
    store.load_batch("sales_orders", orders(["5", "5", "5"]), prov("t3", T3))
    late = store.load_batch("sales_orders", orders(["7", "7", "7"]), prov("t2", T2))
    assert late.stale == 3
    assert store.rows("sales_orders")["qty"].tolist() == [5.0, 5.0, 5.0]


def test_snapshot_deletes_what_the_platform_no_longer_lists(store: Store) -> None:
    stock = typed("stock", item_code=["X", "Y"], warehouse_code=["W", "W"], qty=["4", "6"])
    store.load_batch("stock", stock, prov("s1", T1, platform="wms", snapshot=True))
    other = typed("stock", item_code=["Z"], warehouse_code=["E"], qty=["1"])
    store.load_batch("stock", other, prov("e1", T1, platform="erp"))
    # a load of another table in between must not leave its keys behind for this one
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("o1"))
    store.load_batch("sales_orders", orders(["1", "2", "4"]), prov("o2", T2))
    result = store.load_batch("stock", stock.iloc[:1],
                              prov("s2", T2, platform="wms", snapshot=True))
    assert (result.deleted, result.unchanged) == (1, 1)
    assert sorted(store.rows("stock")["item_code"]) == ["X", "Z"]  # Z is erp's: kept
    deleted = store.changes_since(result.first_seq - 1)
    assert [(c.op, c.key["item_code"], c.old["qty"]) for c in deleted] == [("delete", "Y", 6.0)]


def test_blank_date_in_key_does_not_duplicate(store: Store) -> None:
    # bom's key includes effective_from; a blank must not act as NULL (NULL != NULL)
    bom = typed("bom", parent_code=["P"], component_code=["C"], qty_numerator=["2"])
    store.load_batch("bom", bom, prov("b1", T1))
    bom2 = typed("bom", parent_code=["P"], component_code=["C"], qty_numerator=["3"])
    result = store.load_batch("bom", bom2, prov("b2", T2))
    assert result.updated == 1
    assert store.rows("bom")["qty_numerator"].tolist() == [3.0]


def test_failure_inside_a_load_leaves_nothing(store: Store, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(changelog, "append", boom)
    with pytest.raises(RuntimeError):
        store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("h1"))
    status = store.status()
    assert (status.tables, status.batches, status.journal, status.last_seq) == ({}, 0, 0, 0)


def test_only_schema_names_reach_sql(store: Store) -> None:
    with pytest.raises(UsageError, match="has no table"):
        store.load_batch('items"; DROP TABLE "items', orders(["1", "2", "3"]), prov("x"))
    with pytest.raises(UsageError, match="has no column"):
        store.rows("items", where={'item_code" OR 1=1 --': "x"})
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("h1"))
    assert store.rows("sales_orders", where={"order_no": "A"})["line_no"].tolist() == [1, 2]


def test_changes_since_pages_in_order(store: Store) -> None:
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("h1"))
    assert [c.seq for c in store.changes_since(0, limit=2)] == [1, 2]
    assert [c.seq for c in store.changes_since(2, limit=2)] == [3]
    assert store.status().last_seq == 3


def test_rejections_are_listed_but_not_journaled(store: Store) -> None:
    store.record_rejection("bad.csv", "h9", "generic_items", 2, "not_a_number", "r.xlsx")
    status = store.status()
    assert (status.rejected, status.journal) == (1, 0)
    assert status.recent_rejected[0]["file"] == "bad.csv"
    assert store.loaded_batch("h9") is None


def test_concurrent_writers_do_not_fail_with_locked(tmp_path: Path) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so writers queue on busy_timeout
    # instead of failing half-way with "database is locked".
    path = tmp_path / "s.db"
    Store.open(path).close()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with Store.open(path) as own:
                for i in range(10):
                    frame = typed("items", item_code=[f"I{n}-{i}"], item_name=["n"],
                                  item_type=["purchased"])
                    own.load_batch("items", frame, prov(f"{n}-{i}"))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with Store.open(path) as store:
        assert store.status().tables == {"items": 40}


@settings(deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "长"]), st.sampled_from(["W1", "W2"]),
                          st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 4))),
                min_size=0, max_size=12, unique_by=lambda t: (t[0], t[1])))
def test_round_trip_and_replay_property(tmp_path_factory, rows) -> None:
    """Whatever is loaded reads back equal, and loading it again changes nothing."""
    with Store.open(tmp_path_factory.mktemp("p") / "s.db") as store:
        frame = typed("stock", item_code=[r[0] for r in rows],
                      warehouse_code=[r[1] for r in rows], qty=[str(r[2]) for r in rows])
        store.load_batch("stock", frame, prov("a", T1))
        again = store.load_batch("stock", frame, prov("b", T2))
        assert again.changed == 0 and again.unchanged == len(rows)
        back = store.rows("stock").sort_values(["item_code", "warehouse_code"])
        expect = frame.sort_values(["item_code", "warehouse_code"])
        assert back["qty"].tolist() == expect["qty"].tolist()
        assert store.status().last_seq == len(rows)


def test_a_group_commits_together_and_a_failing_load_undoes_only_itself(
        store: Store, monkeypatch) -> None:
    real = changelog.append
    with store.group():
        store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("g1"))
        monkeypatch.setattr(changelog, "append", lambda *a: (_ for _ in ()).throw(
            RuntimeError("boom")))
        with pytest.raises(RuntimeError):
            store.load_batch("stock", typed("stock", item_code=["X"], warehouse_code=["W"],
                                            qty=["1"]), prov("g2"))
        monkeypatch.setattr(changelog, "append", real)
        store.load_batch("items", typed("items", item_code=["I"], item_name=["i"],
                                        item_type=["purchased"]), prov("g3"))
        assert store.conn.in_transaction  # nothing is durable before the group's COMMIT
    status = store.status()
    assert status.tables == {"sales_orders": 3, "items": 1}
    assert (status.batches, status.journal) == (2, 2)
    assert store.loaded_batch("g2") is None


def test_master_data_lookups_see_every_write(tmp_path: Path) -> None:
    # cached between loads, but never stale: our loads and other connections' commits
    # (another agent, the server) both refresh it
    with Store.open(tmp_path / "s.db") as store, Store.open(tmp_path / "s.db") as other:
        assert store.column_values("items", "item_code") == set()
        item = typed("items", item_code=["A"], item_name=["a"], item_type=["purchased"])
        store.load_batch("items", item, prov("a"))
        assert store.column_values("items", "item_code") == {"A"}
        item = typed("items", item_code=["B"], item_name=["b"], item_type=["purchased"])
        other.load_batch("items", item, prov("b"))
        assert store.column_values("items", "item_code") == {"A", "B"}
        assert store.column_map("items", "item_code", "stock_unit") == {"A": "pcs",
                                                                       "B": "pcs"}


def test_current_rows_keep_the_newest_copy_of_each_key(store: Store) -> None:
    # A/1 and A/2: the shop exported at T1, the ERP at T2 → the ERP's copies win;
    # B/1: both at T2 → a tie, the platform first by name ("erp" < "shop") wins;
    # C/1: only the shop has it.
    store.load_batch("sales_orders", orders(["1", "2", "3"]), prov("s1", T1))
    store.load_batch("sales_orders", orders(["10", "20", "30"]).iloc[:2],
                     prov("e1", T2, platform="erp"))
    b_erp = typed("sales_orders", order_no=["B"], line_no=["1"], item_code=["Z"], qty=["40"],
                  due_date=["2026-02-01"])
    store.load_batch("sales_orders", b_erp, prov("e2", T2, platform="erp"))
    shop = typed("sales_orders", order_no=["B", "C"], line_no=["1", "1"], item_code=["Z", "Q"],
                 qty=["50", "60"], due_date=["2026-02-01"] * 2)
    store.load_batch("sales_orders", shop, prov("s2", T2))
    assert len(store.rows("sales_orders")) == 7  # every platform's copy is kept
    current = store.current_rows("sales_orders")
    assert current[["order_no", "line_no", "_platform", "qty"]].values.tolist() == [
        ["A", 1, "erp", 10.0], ["A", 2, "erp", 20.0], ["B", 1, "erp", 40.0],
        ["C", 1, "shop", 60.0]]
    assert store.current_rows("items").empty
