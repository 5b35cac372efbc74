"""Tests for node/store.py: round trips per table, idempotency, forks, durability."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ForkError,
    Store,
    StoreError,
    fts_phrase_query,
)
from protocol.errors import AttnshareError, LocalError
from protocol.keys import PrivateKey
from protocol.record import Record

REPO = Path(__file__).resolve().parents[2]
ME = PrivateKey(bytes([1]) * 32).peer_id
ALICE = PrivateKey(bytes([2]) * 32).peer_id
BOB = PrivateKey(bytes([3]) * 32).peer_id


def rec(i: int, origin: str = ME, **fields: object) -> Record:
    return Record.create("reading", origin, 1_000 + i, {"i": i, **fields})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "node.db", local_origin=ME)
    yield s
    s.close()


def put(store: Store, bid: str, proposer: str = ALICE, seq: int = 1, n: int = 0) -> bool:
    return store.put_block(bid, proposer, seq, b"hdr-" + bid.encode(), b"pl-" + bid.encode(), 50, n, 100)


# --- open / schema -----------------------------------------------------------------
def test_open_sets_pragmas_and_version(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "a.db")
    s.close()
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    with Store.open(tmp_path / "a.db") as s2:
        conn2 = s2._conn
        assert conn2 is not None
        assert conn2.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn2.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn2.execute("PRAGMA mmap_size").fetchone()[0] > 0
        assert conn2.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_open_rejects_garbage_file(tmp_path: Path) -> None:
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(StoreError, match="junk.db"):
        Store.open(p)


def test_open_rejects_foreign_sqlite(tmp_path: Path) -> None:
    p = tmp_path / "other.db"
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not an attnshare store"):
        Store.open(p)


def test_open_rejects_newer_schema(tmp_path: Path) -> None:
    Store.open(tmp_path / "n.db").close()
    conn = sqlite3.connect(tmp_path / "n.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path / "n.db")


def test_open_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(LocalError, match="nowhere"):
        Store.open(tmp_path / "nowhere" / "x.db")


def test_bad_synchronous_and_closed_store(tmp_path: Path) -> None:
    with pytest.raises(LocalError):
        Store.open(tmp_path / "s.db", synchronous="OFF")
    s = Store.open(tmp_path / "s.db")
    s.close()
    s.close()  # idempotent
    with pytest.raises(LocalError, match="closed"):
        s.count_records()


def test_locked_database_is_a_store_error(tmp_path: Path) -> None:
    p = tmp_path / "l.db"
    Store.open(p).close()
    s = Store.open(p, busy_timeout_ms=50)
    other = sqlite3.connect(p, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked"):
            s.add_records_new([rec(1)], 1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert s.add_records_new([rec(1)], 1) == [True]  # usable again afterwards
    s.close()


# --- records -------------------------------------------------------------------------
def test_add_records_roundtrip_and_idempotent(store: Store) -> None:
    rs = [rec(i, note="x" * i) for i in range(5)]
    assert store.add_records_new(rs, now_ms=7) == [True] * 5
    row = store.get_record(rs[2].cid)
    assert row is not None
    assert row.record == rs[2]
    assert row.record.canonical_bytes() == rs[2].canonical_bytes()
    assert (row.status, row.score, row.block_id, row.ingested_ms) == ("pending", None, None, 7)
    store.mark_records([rs[0].cid], "kept", scores=[0.25])
    # Duplicates (mixed with a new one) leave existing rows untouched.
    again = store.add_records_new([rs[0], rec(9), rs[1]], now_ms=99)
    assert again == [False, True, False]
    assert store.add_records_new([rec(20), rec(20)], now_ms=99) == [True, False]  # repeated in one call
    r0 = store.get_record(rs[0].cid)
    assert r0 is not None
    assert (r0.status, r0.score, r0.ingested_ms) == ("kept", 0.25, 7)
    assert store.count_records() == {"pending": 6, "shipped": 0, "kept": 1, "committed": 0}
    assert store.get_record(rec(100).cid) is None
    assert store.add_records_new([], 1) == []


def test_pending_records_fifo(store: Store) -> None:
    # ts_ms order differs from ingest order on purpose: ingest order wins.
    rs = [rec(i) for i in (5, 1, 4, 2, 3)]
    for r in rs:
        store.add_records_new([r], now_ms=1)
    assert store.pending_records(10) == rs
    assert store.pending_records(2) == rs[:2]
    store.mark_records([rs[0].cid, rs[2].cid], "kept", scores=[0.1, 0.2])
    assert store.pending_records(10) == [rs[1], rs[3], rs[4]]
    assert store.pending_records(0) == []
    with pytest.raises(LocalError):
        store.pending_records(-1)


def test_mark_records_rules(store: Store) -> None:
    rs = [rec(i) for i in range(3)]
    store.add_records_new(rs, 1)
    with pytest.raises(LocalError, match="commit_block"):
        store.mark_records([rs[0].cid], "committed")
    with pytest.raises(LocalError):
        store.mark_records([rs[0].cid], "bogus")
    with pytest.raises(LocalError, match="block_id"):
        store.mark_records([rs[0].cid], "shipped")
    with pytest.raises(LocalError, match="put_block"):
        store.mark_records([rs[0].cid], "shipped", block_id="bmissing")
    with pytest.raises(LocalError, match="scores"):
        store.mark_records([rs[0].cid], "kept", scores=[0.1, 0.2])
    put(store, "bown", proposer=ME, n=2)
    n = store.mark_records([rs[0].cid, rs[1].cid, "unknown"], "shipped", scores=[0.9, 0.8, 0.7], block_id="bown")
    assert n == 2
    row = store.get_record(rs[1].cid)
    assert row is not None
    assert (row.status, row.score, row.block_id) == ("shipped", 0.8, "bown")
    # Back to pending (block rejected): the block id is cleared, the score kept.
    store.reject_block("bown", 5)
    store.mark_records([rs[1].cid], "pending")
    row = store.get_record(rs[1].cid)
    assert row is not None
    assert (row.status, row.score, row.block_id) == ("pending", 0.8, None)


def test_query_records_filters(store: Store) -> None:
    a = [Record.create("trade", ME, i, {"i": i}) for i in range(4)]
    b = [Record.create("post", ME, i, {"i": i}) for i in range(3)]
    store.add_records_new(a + b, 1)
    store.mark_records([r.cid for r in a], "kept", scores=[0.1, 0.5, 0.7, 0.9])
    assert [x.record for x in store.query_records(kind="post")] == list(reversed(b))
    assert {x.record for x in store.query_records(min_score=0.6)} == {a[2], a[3]}
    assert [x.record for x in store.query_records(status="kept", limit=2)] == [a[3], a[2]]
    assert [x.record for x in store.query_records(status="kept", limit=2, offset=2)] == [a[1], a[0]]
    assert store.query_records(status="kept", kind="post") == []
    assert len(store.query_records()) == 7
    with pytest.raises(LocalError):
        store.query_records(status="nope")


# --- blocks ----------------------------------------------------------------------------
def test_put_block_roundtrip_and_idempotent(store: Store) -> None:
    assert store.put_block("b1", ALICE, 3, b"H", None, 10, 4, 20) is True
    row = store.get_block("b1")
    assert row is not None
    assert (row.block_id, row.proposer, row.seq, row.header, row.payload) == ("b1", ALICE, 3, b"H", None)
    assert (row.status, row.cert, row.created_ms, row.received_ms, row.committed_ms, row.record_count) == (
        "pending", None, 10, 20, None, 4,
    )
    # Second put fills the payload, keeps everything else.
    assert store.put_block("b1", ALICE, 3, b"H", b"P", 10, 4, 99) is False
    row = store.get_block("b1")
    assert row is not None
    assert (row.payload, row.received_ms) == (b"P", 20)
    # A payload, once there, is never replaced or erased.
    assert store.put_block("b1", ALICE, 3, b"H", None, 10, 4, 99) is False
    assert store.put_block("b1", ALICE, 3, b"H", b"Q", 10, 4, 99) is False
    row = store.get_block("b1")
    assert row is not None
    assert row.payload == b"P"
    # Same header signed again (another valid signature): the first stays, nothing raised.
    assert not store.put_block("b1", ALICE, 3, b"OTHER", None, 10, 4, 99)
    with pytest.raises(LocalError, match="another header"):
        store.put_block("b1", ALICE, 4, b"OTHER", None, 10, 4, 99)
    assert store.get_block("nope") is None


def test_commit_block_records_certificate_and_idempotent(store: Store) -> None:
    theirs = [rec(i, origin=ALICE, word="alpha") for i in range(3)]
    ours = rec(50, origin=ME, word="beta")
    records = [*theirs, ours]
    put(store, "b1", ALICE, 1, n=4)
    assert store.commit_block("b1", b"CERT", records, [0.9, 0.8, 0.7, 0.6], now_ms=500) is True
    blk = store.get_block("b1")
    assert blk is not None
    assert (blk.status, blk.cert, blk.committed_ms) == ("committed", b"CERT", 500)
    assert store.block_at(ALICE, 1) == blk
    r = store.get_record(theirs[1].cid)
    assert r is not None
    assert (r.status, r.score, r.block_id, r.ingested_ms) == ("committed", 0.8, "b1", 500)
    r = store.get_record(ours.cid)
    assert r is not None
    assert r.status == "shipped"  # our own record, committed in a block
    assert store.count_committed() == (1, 4)
    # Same block again: no change, no duplicate FTS rows.
    assert store.commit_block("b1", b"CERT", records, [0.9, 0.8, 0.7, 0.6], now_ms=999) is False
    blk2 = store.get_block("b1")
    assert blk2 is not None
    assert blk2.committed_ms == 500
    assert len(store.search("alpha")) == 3
    assert store.count_committed() == (1, 4)


def test_commit_block_with_a_repeated_record(store: Store) -> None:
    r = rec(1, origin=ALICE, word="delta")
    put(store, "b1", n=2)
    assert store.commit_block("b1", b"C", [r, r], [0.2, 0.3], 1) is True
    assert [x.record for x in store.search("delta")] == [r]
    assert store.count_committed() == (1, 1)


def test_commit_block_argument_checks(store: Store) -> None:
    with pytest.raises(LocalError, match="put_block"):
        store.commit_block("bx", b"C", [], [], 1)
    put(store, "b1", n=2)
    with pytest.raises(LocalError, match="scores"):
        store.commit_block("b1", b"C", [rec(1)], [], 1)
    with pytest.raises(LocalError, match="holds 2 records"):
        store.commit_block("b1", b"C", [rec(1)], [0.5], 1)
    # Nothing was half-done by the failed calls.
    blk = store.get_block("b1")
    assert blk is not None
    assert blk.status == "pending"


def test_commit_header_only_then_fill_records(store: Store) -> None:
    rs = [rec(i, origin=ALICE, word="gamma") for i in range(2)]
    put(store, "b1", n=2)
    assert store.commit_block("b1", b"C", [], [], 10) is True
    assert store.search("gamma") == []
    assert store.commit_block("b1", b"C", rs, [0.5, 0.5], 11) is False
    assert {x.record for x in store.search("gamma")} == set(rs)
    assert store.committed_record_cids([r.cid for r in rs]) == {r.cid for r in rs}


def test_fork_refused(store: Store) -> None:
    put(store, "b1", ALICE, 7)
    put(store, "b2", ALICE, 7)  # an equivocating second block may be stored pending
    store.commit_block("b1", b"C1", [], [], 1)
    with pytest.raises(ForkError) as info:
        store.commit_block("b2", b"C2", [], [], 2)
    assert isinstance(info.value, AttnshareError)
    assert (info.value.proposer, info.value.seq, info.value.existing, info.value.offered) == (
        ALICE, 7, "b1", "b2",
    )
    b2 = store.get_block("b2")
    assert b2 is not None
    assert (b2.status, b2.cert) == ("pending", None)
    b1 = store.block_at(ALICE, 7)
    assert b1 is not None
    assert b1.block_id == "b1"


def test_fork_index_backstops_raw_sql(store: Store) -> None:
    put(store, "b1", ALICE, 7)
    put(store, "b2", ALICE, 7)
    store.commit_block("b1", b"C1", [], [], 1)
    conn = store._conn
    assert conn is not None
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE blocks SET status = 'committed' WHERE block_id = 'b2'")


def test_record_stays_with_first_committed_block(store: Store) -> None:
    r = rec(1, origin=ALICE)
    put(store, "b1", ALICE, 1, n=1)
    put(store, "b2", BOB, 1, n=1)
    store.commit_block("b1", b"C", [r], [0.4], 1)
    store.commit_block("b2", b"C", [r], [0.9], 2)
    row = store.get_record(r.cid)
    assert row is not None
    assert (row.block_id, row.score) == ("b1", 0.4)
    # A committed record is final for mark_records too.
    assert store.mark_records([r.cid], "pending") == 0


def test_reject_block(store: Store) -> None:
    put(store, "b1")
    put(store, "b2", seq=2)
    assert store.reject_block("b1", 5) is True
    assert store.reject_block("b1", 6) is False
    blk = store.get_block("b1")
    assert blk is not None
    assert blk.status == "rejected"
    store.commit_block("b2", b"C", [], [], 1)
    assert store.reject_block("b2", 7) is False  # a certificate is final
    blk = store.get_block("b2")
    assert blk is not None
    assert blk.status == "committed"
    assert store.reject_block("unknown", 1) is False


def test_heads_range_and_list(store: Store) -> None:
    for seq in (1, 2, 3, 5):
        put(store, f"a{seq}", ALICE, seq)
        store.commit_block(f"a{seq}", b"C", [], [], seq)
    put(store, "a6", ALICE, 6)  # pending: not a head
    put(store, "b1", BOB, 1)
    store.commit_block("b1", b"C", [], [], 9)
    assert sorted(store.heads()) == sorted([(ALICE, 5, "a5", 4), (BOB, 1, "b1", 1)])
    assert store.missing_committed_seqs(ALICE, 6) == [4, 6]
    assert [b.seq for b in store.blocks_range(ALICE, 2, 10)] == [2, 3, 5]
    assert [b.seq for b in store.blocks_range(ALICE, 2, 2)] == [2, 3]
    assert store.blocks_range(ALICE, 7, 10) == []
    assert all(b.cert == b"C" for b in store.blocks_range(ALICE, 1, 10))
    assert store.count_committed() == (5, 0)
    listed = store.list_blocks(limit=100)
    assert len(listed) == 6
    assert {b.block_id for b in store.list_blocks(proposer=BOB)} == {"b1"}
    assert {b.block_id for b in store.list_blocks(status="pending")} == {"a6"}
    with pytest.raises(LocalError):
        store.list_blocks(status="maybe")


def test_chain_tips_block_records_latest_own(store: Store) -> None:
    assert store.chain_tips() == []
    assert store.latest_own_block() is None
    put(store, "a1", ALICE, 1)
    store.commit_block("a1", b"C", [], [], 1)
    put(store, "a2", ALICE, 2)
    store.reject_block("a2", 2)
    put(store, "a3", ALICE, 3)  # undecided
    put(store, "b1", BOB, 1)
    store.reject_block("b1", 3)
    assert [(t.proposer, t.committed_seq, t.committed_id, t.decided, t.skipped) for t in store.chain_tips()] == sorted(
        [(ALICE, 1, "a1", 2, 0), (BOB, 0, None, 1, 0)]
    )
    rs = [rec(i) for i in range(3)]
    store.add_records_new(rs, 1)
    put(store, "m1", ME, 1, n=2)
    put(store, "m2", ME, 2, n=1)
    store.mark_records([rs[0].cid, rs[2].cid], "shipped", block_id="m1")
    store.mark_records([rs[1].cid], "shipped", block_id="m2")
    assert [r.record for r in store.block_records("m1")] == [rs[0], rs[2]]
    assert store.block_records("nothing") == []
    latest = store.latest_own_block()
    assert latest is not None
    assert latest.block_id == "m2"
    latest = store.latest_own_block(ALICE)
    assert latest is not None
    assert latest.block_id == "a3"


def test_list_blocks_time_window(store: Store) -> None:
    for i, t in enumerate((100, 200, 300)):
        store.put_block(f"b{i}", ALICE, i + 1, b"H", None, 1, 0, t)
    assert [b.block_id for b in store.list_blocks(since_ms=150)] == ["b2", "b1"]
    assert [b.block_id for b in store.list_blocks(until_ms=300)] == ["b1", "b0"]
    assert [b.block_id for b in store.list_blocks(since_ms=100, until_ms=200)] == ["b0"]


def test_committed_record_cids(store: Store) -> None:
    local = [rec(i) for i in range(4)]
    store.add_records_new(local, 1)
    put(store, "mine", ME, 1, n=2)
    store.mark_records([local[0].cid, local[1].cid], "shipped", block_id="mine")
    # Shipped, not yet committed: not deduplicated yet.
    assert store.committed_record_cids([r.cid for r in local]) == set()
    store.commit_block("mine", b"C", local[:2], [0.5, 0.5], 3)
    many = [r.cid for r in local] + [rec(1000 + i).cid for i in range(1200)]  # crosses chunks
    assert store.committed_record_cids(many) == {local[0].cid, local[1].cid}
    assert store.committed_record_cids([]) == set()
    row = store.get_record(local[0].cid)
    assert row is not None
    assert row.status == "shipped"


# --- search --------------------------------------------------------------------------
def _commit_texts(store: Store, texts: list[dict[str, object]]) -> list[Record]:
    rs = [Record.create("post", ALICE, i, f) for i, f in enumerate(texts)]
    put(store, "bs", ALICE, 1, n=len(rs))
    store.commit_block("bs", b"C", rs, [0.5] * len(rs), 1)
    return rs


def test_search_finds_committed_records_by_field_words(store: Store) -> None:
    rs = _commit_texts(
        store,
        [
            {"title": "Truck delayed at Rotterdam port", "eta": 5},
            {"title": "Container ship arrived", "port": "Hamburg"},
            {"title": "Café crème price rise", "city": "Zürich"},
        ],
    )
    store.add_records_new([Record.create("post", ME, 9, {"title": "Rotterdam local only"})], 1)
    assert [x.record for x in store.search("rotterdam")] == [rs[0]]  # local pending not indexed
    assert [x.record for x in store.search("truck ROTTERDAM")] == [rs[0]]
    assert {x.record for x in store.search("port")} == {rs[0], rs[1]}  # field name and value
    assert [x.record for x in store.search("cafe")] == [rs[2]]  # diacritics folded
    assert [x.record for x in store.search("zürich")] == [rs[2]]
    assert [x.record for x in store.search("contain*")] == [rs[1]]
    assert len(store.search("post", limit=2)) == 2
    assert len(store.search("post", limit=20)) == 3
    assert store.search("rotterdam hamburg") == []  # all words must match


@pytest.mark.parametrize(
    "query",
    [
        '"', '""', "'", 'truck"', "AND", "OR NOT", "truck AND", "NEAR(", "(", ")", "a:b",
        "title:truck", "^truck", "*", "**", "-", "--", "+", "{", "}", "\\", "truck OR",
        "NOT truck", "ünïcödé 東京 🚚", "\x00", "   ", "", "a" * 5000,
    ],
)
def test_search_odd_queries_do_not_crash(store: Store, query: str) -> None:
    _commit_texts(store, [{"title": "truck delayed"}, {"title": "東京 train"}])
    out = store.search(query)
    assert isinstance(out, list)


def test_search_quote_and_operator_words_are_literal(store: Store) -> None:
    rs = _commit_texts(store, [{"title": "truck and trailer"}, {"title": "東京 train"}])
    assert [x.record for x in store.search('"truck')] == [rs[0]]
    assert [x.record for x in store.search("truck AND")] == [rs[0]]  # AND is a word here
    assert [x.record for x in store.search("東京")] == [rs[1]]
    assert [x.record for x in store.search("\x00truck\x01")] == [rs[0]]


def test_search_raw_syntax(store: Store) -> None:
    rs = _commit_texts(store, [{"title": "truck delayed"}, {"title": "ship arrived"}])
    assert {x.record for x in store.search("truck OR ship", syntax=True)} == set(rs)
    for bad in ('"unterminated', "truck AND", "(", "nosuchcol:x"):
        with pytest.raises(LocalError, match="bad search query"):
            store.search(bad, syntax=True)


def test_fts_phrase_query() -> None:
    assert fts_phrase_query('a "b" cde*') == '"a" """b""" "cde"*'
    assert fts_phrase_query("  ") == ""
    assert fts_phrase_query("***") == ""


# --- votes ----------------------------------------------------------------------------
def test_own_vote_never_double_votes_across_reopen(tmp_path: Path) -> None:
    p = tmp_path / "v.db"
    s = Store.open(p)
    assert s.own_vote(ALICE, 4) is None
    assert s.record_own_vote(ALICE, 4, "bA", b"vote-A") == b"vote-A"
    assert s.record_own_vote(ALICE, 4, "bB", b"vote-B") == b"vote-A"
    assert s.record_own_vote(ALICE, 5, "bC", b"vote-C") == b"vote-C"
    s.close()
    s = Store.open(p)
    assert s.record_own_vote(ALICE, 4, "bB", b"vote-B") == b"vote-A"
    assert s.own_vote(ALICE, 4) == b"vote-A"
    assert s.own_vote(ALICE, 5) == b"vote-C"
    assert s.own_vote(BOB, 4) is None
    s.close()


def test_own_vote_is_durable_even_in_normal_mode(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "n.db", synchronous="NORMAL")
    conn = s._conn
    assert conn is not None
    seen: list[int] = []
    # Observe the synchronous level inside the vote transaction.
    conn.set_trace_callback(
        lambda sql: seen.append(conn.execute("PRAGMA synchronous").fetchone()[0])
        if sql.startswith("INSERT INTO own_votes") else None
    )
    s.record_own_vote(ALICE, 1, "b", b"v")
    conn.set_trace_callback(None)
    assert seen == [2]  # FULL while voting
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # back to NORMAL
    s.close()


def test_votes_roundtrip_and_idempotent(store: Store) -> None:
    votes = [
        ("b1", ALICE, BOB, 1, 1, b"va"),
        ("b1", ME, BOB, 1, 0, b"vm"),
        ("b2", ALICE, BOB, 1, 1, b"va-equivocates"),
    ]
    store.add_votes(votes)
    store.add_votes(votes[:1])
    store.add_votes([])
    assert store.votes_for("b1") == sorted([b"va", b"vm"], key=lambda v: {b"va": ALICE, b"vm": ME}[v])
    assert store.votes_for("b2") == [b"va-equivocates"]
    assert store.votes_for("b3") == []
    rows = store.list_votes(voter=ALICE)
    assert [(r.block_id, r.decision, r.vote) for r in rows] == [("b2", 1, b"va-equivocates"), ("b1", 1, b"va")]
    assert len(store.list_votes()) == 3
    assert len(store.list_votes(limit=1)) == 1


# --- evidence -------------------------------------------------------------------------
def test_evidence_roundtrip_and_idempotent(store: Store) -> None:
    assert store.add_evidence("proposer_equivocation", ALICE, ALICE, 3, b"two-headers", 10) is True
    assert store.add_evidence("proposer_equivocation", ALICE, ALICE, 3, b"two-headers", 11) is False
    assert store.add_evidence("voter_equivocation", BOB, ALICE, 3, b"two-votes", 12) is True
    ev = store.list_evidence()
    assert [(e.kind, e.offender, e.proposer, e.seq, e.body, e.found_ms) for e in ev] == [
        ("voter_equivocation", BOB, ALICE, 3, b"two-votes", 12),
        ("proposer_equivocation", ALICE, ALICE, 3, b"two-headers", 10),
    ]
    assert [e.offender for e in store.list_evidence(offender=ALICE)] == [ALICE]
    assert len(store.list_evidence(limit=1)) == 1


# --- peers ----------------------------------------------------------------------------
def test_blocked_peers_roundtrip_and_survive_reopen(tmp_path: Path) -> None:
    p = tmp_path / "peers.db"
    with Store.open(p, ME) as store:
        store.set_peer_blocked(ALICE, True)
        store.set_peer_blocked(BOB, True)
        store.set_peer_blocked(ME, True)
        store.set_peer_blocked(BOB, False)
    with Store.open(p, ME) as store:
        assert {(q.peer_id, q.addrs, q.last_seen_ms) for q in store.list_peers(blocked=True)} == {
            (ALICE, (), None),
            (ME, (), None),
        }
        assert [q.peer_id for q in store.list_peers(blocked=False)] == [BOB]


def test_statistics(store: Store) -> None:
    store.add_records_new([rec(1), rec(2)], 1)
    put(store, "b1")
    store.add_votes([("b1", ALICE, ALICE, 1, 1, b"v")])
    st = store.statistics()
    assert st.records["pending"] == 2
    assert st.blocks == {"pending": 1, "committed": 0, "rejected": 0}
    assert (st.votes, st.own_votes, st.evidence, st.peers) == (1, 0, 0, 0)
    assert st.db_bytes > 0


# --- threads ---------------------------------------------------------------------------
def test_usable_from_several_threads(store: Store) -> None:
    errors: list[BaseException] = []

    def work(base: int) -> None:
        try:
            for i in range(20):
                store.add_records_new([rec(base + i)], 1)
                store.pending_records(5)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert store.count_records()["pending"] == 80


# --- crash durability -------------------------------------------------------------------
_CHILD = r"""
import sys
from node.store import Store
from protocol.keys import PrivateKey
from protocol.record import Record
me = PrivateKey(bytes([1]) * 32).peer_id
s = Store.open(sys.argv[1], local_origin=me)
i = 0
while True:
    batch = [Record.create("reading", me, n, {"n": n, "pad": "x" * 64}) for n in range(i, i + 50)]
    s.add_records_new(batch, 1)
    i += 50
    print("acked", i, flush=True)
"""


@pytest.mark.multiprocess
def test_acked_records_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
        text=True,
    )
    acked = 0
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            word, n = line.split()
            assert word == "acked"
            acked = int(n)
            if acked >= 2000:
                # Kill right after an ack, while the child is already writing
                # the next batch.
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert acked >= 2000
    with Store.open(db, local_origin=ME) as s:
        for n in range(acked):
            cid = Record.create("reading", ME, n, {"n": n, "pad": "x" * 64}).cid
            assert s.get_record(cid) is not None, f"acked record {n} lost"
        conn = s._conn
        assert conn is not None
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.count_records()["pending"] >= acked
