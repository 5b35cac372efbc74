"""Tests for the store's bounds (issue 10 finding 6), slot decisions, chain tips and batched search.

Each test here fails on the store before the package split: it stored every
block and vote, one evidence row per conflicting pair, had no decisions or
``skipped``, no StoreFull, and indexed search inside the commit.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from node.store import (
    CommitItem,
    ForkError,
    SlotDecision,
    Store,
    StoreError,
    StoreFull,
    StoreParams,
)
from node.store.schema import migrate
from protocol.chain import ChainState, Verdict
from protocol.errors import LocalError
from protocol.keys import PrivateKey
from protocol.record import Record

REPO = Path(__file__).resolve().parents[2]
ME = PrivateKey(bytes([1]) * 32).peer_id
ALICE = PrivateKey(bytes([2]) * 32).peer_id
BOB = PrivateKey(bytes([3]) * 32).peer_id
SMALL = StoreParams(slots_ahead=8, retain_slots=4, max_blocks_per_slot=2, max_evidence_per_offender=3)


def rec(i: int, origin: str = ALICE, **fields: object) -> Record:
    return Record.create("reading", origin, 1_000 + i, {"i": i, **fields})


def put(store: Store, bid: str, proposer: str = ALICE, seq: int = 1, n: int = 0, **kw: bool) -> bool:
    return store.put_block(bid, proposer, seq, b"hdr-" + bid.encode(), b"pl-" + bid.encode(), 50, n, 100, **kw)


def commit(store: Store, bid: str, proposer: str = ALICE, seq: int = 1) -> bool:
    put(store, bid, proposer, seq, certified=True)
    return store.commit_block(bid, b"cert-" + bid.encode(), [], [], 200)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "node.db", local_origin=ME, params=SMALL)
    yield s
    s.close()


def count(store: Store, sql: str) -> int:
    conn = store._conn
    assert conn is not None
    return int(conn.execute(sql).fetchone()[0])


# --- params ---------------------------------------------------------------------------
def test_params_validate() -> None:
    assert StoreParams().validate() == StoreParams()
    for bad in (
        StoreParams(slots_ahead=0),
        StoreParams(retain_slots=-1),
        StoreParams(max_blocks_per_slot=0),
        StoreParams(fts_batch=True),
        StoreParams(max_db_bytes=1000),
    ):
        with pytest.raises(LocalError, match="StoreParams"):
            bad.validate()
    with pytest.raises(LocalError, match="slots_ahead"):
        Store.open(":memory:", params=StoreParams(slots_ahead=0))


def test_store_params_come_from_the_store_table_of_config_toml(tmp_path: Path) -> None:
    from node.config import NodeConfig, load_config, write_config
    from protocol.errors import ConfigError

    path = write_config(NodeConfig.default(tmp_path))
    assert load_config(tmp_path).store == StoreParams()
    path.write_text(path.read_text() + "\n[store]\nslots_ahead = 32\nmax_db_bytes = 1073741824\n")
    assert load_config(tmp_path).store == StoreParams(slots_ahead=32, max_db_bytes=1 << 30)
    path.write_text(path.read_text().replace("slots_ahead = 32", "slots_ahead = 0"))
    with pytest.raises(ConfigError, match="store.slots_ahead"):
        load_config(tmp_path)
    path.write_text(path.read_text().replace("slots_ahead = 0", "slots = 1"))
    with pytest.raises(ConfigError, match="unknown key store.slots"):
        load_config(tmp_path)


def test_footprint_needs_no_lock(tmp_path: Path) -> None:
    with Store.open(tmp_path / "f.db", ME, params=StoreParams(max_db_bytes=1 << 30)) as s:
        put(s, "far", ALICE, 10**6)
        with s._lock:  # held by a writer thread, say: footprint still answers
            f = s.footprint()
        assert f.db_bytes > 0
        assert (f.max_db_bytes, f.fts_backlog, f.refused) == (1 << 30, 0, {"block_window": 1})


def test_memory_store() -> None:
    with Store.open(":memory:", ME) as s:
        assert commit(s, "b1")
        assert s.statistics().db_bytes == 0


# --- write window ---------------------------------------------------------------------
def test_uncertified_blocks_only_within_the_window(store: Store) -> None:
    # Head 0: seqs 1..8 fit, 9 and an invented 10**9 are refused cheaply.
    assert put(store, "in", ALICE, 8) is True
    assert put(store, "far", ALICE, 9) is False
    assert put(store, "junk", ALICE, 10**9) is False
    assert store.get_block("far") is None
    assert store.get_block("junk") is None
    # The window follows the head: after a decision at 20, 28 fits and 16 is too old.
    commit(store, "c20", ALICE, 20)
    assert put(store, "late", ALICE, 28) is True
    assert put(store, "old", ALICE, 16) is False
    assert put(store, "recent", ALICE, 17) is True
    # A certified block is never refused, nor is one of ours.
    assert put(store, "cert", ALICE, 10**6, certified=True) is True
    assert put(store, "mine", ME, 10**6) is True
    assert store.statistics().refused == {"block_window": 3}


def test_blocks_per_slot_cap_and_committed_slot(store: Store) -> None:
    assert put(store, "v1", ALICE, 3)
    assert put(store, "v2", ALICE, 3)
    assert put(store, "v3", ALICE, 3) is False  # an equivocator's third variant
    # The certified block of the slot always gets in, even past the cap.
    assert commit(store, "v9", ALICE, 3) is True
    assert store.block_at(ALICE, 3) is not None
    assert put(store, "v4", ALICE, 3) is False  # slot committed to another block
    # Filling the payload of a block already stored is always allowed.
    assert store.put_block("v1", ALICE, 3, b"hdr-v1", None, 50, 0, 100) is False
    assert store.statistics().refused == {"block_slot_full": 1, "block_slot_committed": 1}


def test_uncommitted_bytes_budget_per_proposer(tmp_path: Path) -> None:
    p = StoreParams(retain_slots=10, max_uncommitted_bytes_per_proposer=3000)
    with Store.open(tmp_path / "b.db", ME, params=p) as s:
        big = b"x" * 1000
        assert s.put_block("a1", ALICE, 1, b"h1", big, 1, 0, 1) is True
        assert s.put_block("a2", ALICE, 2, b"h2", big, 1, 0, 1) is True
        assert s.put_block("a3", ALICE, 3, b"h3", big, 1, 0, 1) is False  # 3006 bytes > 3000
        assert s.put_block("b1", BOB, 1, b"h1", big, 1, 0, 1) is True  # another proposer's budget
        # A header-only block fits, but its payload would not: the fill-in is refused too.
        assert s.put_block("a4", ALICE, 4, b"h4", None, 1, 0, 1) is True
        assert s.put_block("a4", ALICE, 4, b"h4", big, 1, 0, 1) is False
        assert s.get_block("a4").payload is None  # type: ignore[union-attr]
        # Certified blocks ignore the budget; committing frees it.
        assert s.put_block("a4", ALICE, 4, b"h4", big, 1, 0, 1, certified=True) is False
        assert s.get_block("a4").payload == big  # type: ignore[union-attr]
        s.commit_block("a4", b"c", [], [], 2)
        assert s.put_block("a3", ALICE, 3, b"h3", big, 1, 0, 1) is False  # 1 and 2 still hold 2004 bytes
        s.reject_block("a1", 3)
        s.mark_decided(ALICE, 13, "rejected", None)  # head 13: slots <= 3 pruned, a1 and a2 freed
        assert s.get_block("a1") is None
        assert s.put_block("a14", ALICE, 14, b"h14", big, 1, 0, 1) is True
        assert s.statistics().refused == {"block_budget": 3}


def test_votes_windowed_and_capped_per_voter_slot(store: Store) -> None:
    rows = [
        ("b1", BOB, ALICE, 1, 1, b"v1"),
        ("b2", BOB, ALICE, 1, 2, b"v2"),  # equivocation: kept as evidence
        ("b3", BOB, ALICE, 1, 1, b"v3"),  # a third block in the slot: capped
        ("b1", BOB, ALICE, 1, 1, b"v1"),  # exact duplicate
        ("bx", BOB, ALICE, 10**9, 1, b"vx"),  # invented slot: outside the window
        ("b1", ME, ALICE, 1, 1, b"m1"),
    ]
    assert store.add_votes(rows) == 3
    assert {v.block_id for v in store.list_votes(voter=BOB)} == {"b1", "b2"}
    assert store.statistics().refused == {"vote_window": 1}
    assert store.add_votes([]) == 0


def test_evidence_one_row_per_offender_slot_and_capped(store: Store) -> None:
    assert store.add_evidence("double_vote", BOB, ALICE, 1, b"pair-1", 5) is True
    # Another conflicting pair in the same slot adds nothing.
    assert store.add_evidence("double_vote", BOB, ALICE, 1, b"pair-2", 6) is False
    assert store.add_evidence("double_block", BOB, BOB, 1, b"blk", 6) is True  # another kind
    assert store.add_evidence("double_vote", BOB, ALICE, 2, b"pair-3", 7) is True
    # The cap (3 per offender) is reached: invented slots store nothing more.
    assert [store.add_evidence("double_vote", BOB, ALICE, s, b"p%d" % s, 8) for s in range(3, 50)] == [False] * 47
    assert store.add_evidence("double_vote", ALICE, BOB, 1, b"other", 9) is True  # per offender
    assert len(store.list_evidence(offender=BOB)) == 3


# --- retention --------------------------------------------------------------------------
def test_retention_prunes_non_committed_blocks_and_votes_of_old_slots(store: Store) -> None:
    put(store, "rej", ALICE, 1)
    put(store, "eq", ALICE, 2)  # an equivocating variant that lost
    commit(store, "c2", ALICE, 2)
    put(store, "mine", ME, 1)  # our own blocks are kept
    store.add_records_new([rec(1, origin=ME)], 1)
    put(store, "held", ALICE, 3)
    store.mark_records([rec(1, origin=ME).cid], "shipped", block_id="held")  # a record points at it
    assert store.reject_block("rej", 10)
    store.add_votes([("rej", BOB, ALICE, 1, 2, b"r"), ("c2", BOB, ALICE, 2, 1, b"c"), ("eq", BOB, ALICE, 2, 1, b"e")])
    # Head 2: nothing is older than retain_slots (4) yet.
    assert {b.block_id for b in store.list_blocks()} == {"rej", "eq", "c2", "mine", "held"}
    commit(store, "c7", ALICE, 7)  # head 7: slots <= 3 are pruned
    assert {b.block_id for b in store.list_blocks()} == {"c2", "mine", "held", "c7"}
    assert count(store, "SELECT count(*) FROM payloads") == 4  # pruned blocks took their payloads along
    assert [v.block_id for v in store.list_votes()] == ["c2"]
    # Decisions and certificates stay.
    assert [(d.seq, d.outcome) for d in store.decided_since(ALICE, 1)] == [(1, "rejected"), (2, "committed"), (7, "committed")]
    assert store.get_block("c2").cert == b"cert-c2"  # type: ignore[union-attr]


def test_attack_invented_slots_leaves_the_store_bounded(tmp_path: Path) -> None:
    """A byzantine proposer and voter spraying every slot: rows stay within the documented bounds."""
    p = StoreParams(slots_ahead=16, retain_slots=8, max_blocks_per_slot=2, max_evidence_per_offender=4)
    with Store.open(tmp_path / "a.db", ME, params=p) as s:
        for head in range(1, 41):
            for seq in range(head, head + 64):  # behind, at and far beyond the head
                for variant in range(3):
                    put(s, f"x{seq}-{variant}", BOB, seq)
            s.add_votes([(f"x{seq}-{v}", ALICE, BOB, seq, 1, b"v") for seq in range(head, head + 64) for v in range(3)])
            s.add_evidence("double_block", BOB, BOB, head, b"e%d" % head, head)
            commit(s, f"c{head}", BOB, head)
        st = s.statistics()
        # Non-committed blocks: only slots in (head - retain, head + ahead], 2 per slot.
        assert st.blocks["pending"] <= (p.retain_slots + p.slots_ahead) * p.max_blocks_per_slot
        assert st.votes <= 40 + (p.retain_slots + p.slots_ahead) * p.max_votes_per_voter_slot
        assert st.evidence == p.max_evidence_per_offender
        assert st.blocks["committed"] == 40


# --- disk full ----------------------------------------------------------------------------
def test_disk_full_is_a_clear_store_full_and_reads_keep_working(tmp_path: Path) -> None:
    path = tmp_path / "full.db"
    cap = StoreParams(max_db_bytes=1 << 20)
    with Store.open(path, ME, params=cap) as s:
        commit(s, "c1")
        acked: list[Record] = []
        full: StoreError | None = None
        for i in range(100_000):
            batch = [rec(i * 50 + k, origin=ME, pad="x" * 400) for k in range(50)]
            try:
                s.add_records_new(batch, 1)
            except StoreError as exc:
                full = exc
                break
            acked.extend(batch)
        assert isinstance(full, StoreFull)
        assert "full" in str(full)
        assert len(acked) > 500
        # The failed batch left nothing behind; everything acknowledged is there.
        assert s.count_records()["pending"] == len(acked)
        assert s.get_record(acked[-1].cid) is not None
        assert s.block_at(ALICE, 1) is not None
        assert s.search("reading") == []  # reads and search still answer
        with pytest.raises(StoreFull):  # a commit does not fit either, and changes nothing
            s.commit_blocks(
                [CommitItem("c2", ALICE, 2, b"h", b"p" * 200_000, 1, 0, b"cert", [], [])], 5
            )
        assert s.get_block("c2") is None
        assert s.statistics().records["pending"] == len(acked)
    # With room again (a bigger cap), writes work and nothing was lost.
    with Store.open(path, ME) as s:
        assert s.add_records_new([rec(10**6, origin=ME)], 1) == [True]
        assert s.count_records()["pending"] == len(acked) + 1
        conn = s._conn
        assert conn is not None
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_commit_is_not_failed_by_the_index_flush_that_follows_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "f.db", ME, params=StoreParams(fts_batch=1)) as s:
        put(s, "b1", BOB, 1, n=1, certified=True)

        def full(conn: object) -> int:
            raise StoreFull("disk full (test)")

        s._flush_fts = full  # type: ignore[method-assign]
        assert s.commit_block("b1", b"c", [rec(1, BOB, w="later")], [0.5], 1) is True
        assert s.statistics().fts_backlog == 1  # still queued, nothing lost
        assert s.search("later") == []  # answers from the index as it stands
        del s._flush_fts  # space again: the next search indexes it
        assert [r.record for r in s.search("later")] == [rec(1, BOB, w="later")]


def test_enospc_oserror_is_store_full() -> None:
    from node.store.errors import wrap

    assert isinstance(wrap(OSError(28, "No space left on device"), "x.db"), StoreFull)
    assert not isinstance(wrap(OSError(13, "Permission denied"), "x.db"), StoreFull)
    assert isinstance(wrap(sqlite3.OperationalError("database or disk is full"), "x.db"), StoreFull)


# --- slot decisions and chain tips -------------------------------------------------------
def test_decisions_survive_reopen_and_follow_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    with Store.open(path, ME) as s:
        assert s.mark_decided(ALICE, 1, "rejected", None) is True
        assert s.mark_decided(ALICE, 1, "rejected", "x") is False
        commit(s, "a2", ALICE, 2)
        put(s, "a3", ALICE, 3)
        assert s.reject_block("a3", 5)
        # A commit learned later replaces a rejection, never the reverse.
        assert s.mark_decided(ALICE, 1, "committed", "a1") is True
        assert s.mark_decided(ALICE, 1, "rejected", None) is False
        with pytest.raises(ForkError):
            s.mark_decided(ALICE, 2, "committed", "other")
        with pytest.raises(LocalError):
            s.mark_decided(ALICE, 4, "maybe", None)
        with pytest.raises(LocalError):
            s.mark_decided(ALICE, 4, "committed", None)
        with pytest.raises(LocalError):
            s.mark_decided(ALICE, 0, "rejected", None)
        s.mark_decided(BOB, 9, "rejected", None)
    with Store.open(path, ME) as s:
        assert s.decided_since(ALICE, 2) == [
            SlotDecision(ALICE, 2, "committed", "a2"),
            SlotDecision(ALICE, 3, "rejected", "a3"),
        ]
        assert s.decided_since(ALICE, 1, limit=1) == [SlotDecision(ALICE, 1, "committed", "a1")]
        assert s.decided_window(1) == [SlotDecision(ALICE, 3, "rejected", "a3"), SlotDecision(BOB, 9, "rejected", None)]
        assert len(s.decided_window()) == 4


@dataclass(frozen=True)
class Hdr:
    proposer: str
    seq: int
    prev: str | None


def test_skipped_survives_restart_so_a_waiting_block_is_not_bad_prev(tmp_path: Path) -> None:
    """Finding 14: slot 2 settled unseen (a reject at 3 jumped it); seq 4 naming slot 2's commit must wait."""
    path = tmp_path / "c.db"
    a1, a2, a3 = (rec(n).cid for n in (1, 2, 3))  # block ids are CIDs
    live = ChainState()
    with Store.open(path, ME) as s:
        commit(s, a1, ALICE, 1)
        live.apply_commit(ALICE, 1, a1)
        put(s, a3, ALICE, 3)
        s.reject_block(a3, 10)
        live.apply_reject(ALICE, 3)
    header = Hdr(ALICE, 4, a2)  # slot 2 committed elsewhere; this block names it
    assert live.classify(header) is Verdict.FUTURE
    restored = ChainState()
    with Store.open(path, ME) as s:
        tips = s.chain_tips()
        for t in tips:
            restored.restore(t.proposer, t.decided, t.committed_seq, t.committed_id, t.skipped)
        assert [(t.decided, t.committed_seq, t.committed_id, t.skipped) for t in tips] == [(3, 1, a1, 2)]
    assert restored.tip(ALICE) == live.tip(ALICE)
    assert restored.classify(header) is Verdict.FUTURE  # not BAD_PREV


def test_chain_tips_skipped_is_exact_above_the_commit(store: Store) -> None:
    commit(store, "a1", ALICE, 1)
    store.mark_decided(ALICE, 2, "rejected", None)
    store.mark_decided(ALICE, 3, "rejected", None)
    assert store.chain_tips()[0].skipped == 0  # no gap above the commit
    store.mark_decided(ALICE, 6, "rejected", None)
    assert store.chain_tips()[0].skipped == 5
    commit(store, "a5", ALICE, 5)  # sync fills the gap: no longer uncertain
    t = store.chain_tips()[0]
    assert (t.committed_seq, t.skipped) == (5, 0)


# --- batched commits and search ------------------------------------------------------------
def test_commit_blocks_is_one_atomic_batch(store: Store) -> None:
    items = [
        CommitItem(f"k{i}", BOB, i, b"h%d" % i, b"p", 1, 2, b"cert", [rec(i * 2, BOB, w="kilo"), rec(i * 2 + 1, BOB)], [0.5, 0.6])
        for i in range(1, 4)
    ]
    assert store.commit_blocks(items, 9) == [True, True, True]
    assert store.commit_blocks(items[:1], 9) == [False]
    assert len(store.search("kilo")) == 3
    fork = CommitItem("k2-fork", BOB, 2, b"hf", b"p", 1, 0, b"cert", [], [])
    new = CommitItem("k4", BOB, 4, b"h4", b"p", 1, 0, b"cert", [], [])
    with pytest.raises(ForkError):
        store.commit_blocks([new, fork], 10)
    assert store.get_block("k4") is None  # rolled back with the fork


def test_search_sees_every_commit_though_indexing_is_batched(tmp_path: Path) -> None:
    p = StoreParams(fts_batch=5)
    with Store.open(tmp_path / "s.db", ME, params=p) as s:
        for b in range(3):
            put(s, f"b{b}", BOB, b + 1, n=2, certified=True)
            s.commit_block(f"b{b}", b"c", [rec(b * 2, BOB, w=f"word{b}"), rec(b * 2 + 1, BOB)], [0.1, 0.2], 1)
            # Commits only queue the text; the third reaches the batch (5) and flushes.
            assert s.statistics().fts_backlog == [2, 4, 0][b]
        for b in range(3, 5):
            put(s, f"b{b}", BOB, b + 1, n=2, certified=True)
            s.commit_block(f"b{b}", b"c", [rec(b * 2, BOB, w=f"word{b}"), rec(b * 2 + 1, BOB)], [0.1, 0.2], 1)
            assert s.statistics().fts_backlog == 2
            # Queued or not, every committed record is found by the next search, once.
            assert len(s.search(f"word{b}")) == 1
            assert len(s.search("reading")) == 2 * (b + 1)
            assert s.statistics().fts_backlog == 0
        assert count(s, "SELECT count(*) FROM records_fts_docsize") == 10  # each indexed once


_CHILD = r"""
import sys
from node.store import Store, StoreParams
from protocol.keys import PrivateKey
from protocol.record import Record
bob = PrivateKey(bytes([3]) * 32).peer_id
s = Store.open(sys.argv[1], params=StoreParams(fts_batch=7))
for b in range(1, 100000):
    recs = [Record.create("reading", bob, b * 10 + k, {"tag": f"blk{b}", "k": k}) for k in range(3)]
    s.put_block(f"b{b}", bob, b, b"h%d" % b, b"p", 1, 3, 1, certified=True)
    s.commit_block(f"b{b}", b"cert", recs, [0.5] * 3, 2)
    print("committed", b, flush=True)
"""


@pytest.mark.multiprocess
def test_committed_blocks_and_their_search_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=REPO, env=env, text=True,
    )
    acked = 0
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            acked = int(line.split()[1])
            if acked >= 60:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert acked >= 60
    with Store.open(db) as s:
        backlog = s.statistics().fts_backlog
        assert all(s.block_at(PrivateKey(bytes([3]) * 32).peer_id, b) is not None for b in range(1, acked + 1))
        for b in range(1, acked + 1):
            assert len(s.search(f"blk{b}")) == 3, f"block {b} not searchable after the crash"
        assert s.statistics().fts_backlog == 0
        assert backlog <= 7 + 3  # at most one batch (plus the block that crossed it) was queued
        assert count(s, "SELECT count(*) FROM records_fts_docsize") == 3 * s.count_committed()[0]  # each once


# --- migration -------------------------------------------------------------------------------
def test_migration_from_v1_fills_decisions_tips_and_dedups_evidence(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, str(path), upto=1)
    ins = "INSERT INTO blocks (block_id, proposer, seq, header, created_ms, record_count, received_ms, status) VALUES (?, ?, ?, x'00', 1, 1, 1, ?)"
    a1, a3, a4 = (rec(n).cid for n in (1, 3, 4))
    conn.execute(ins, (a1, ALICE, 1, "committed"))
    conn.execute(ins, (a3, ALICE, 3, "rejected"))
    conn.execute(ins, (a4, ALICE, 4, "pending"))
    conn.execute("UPDATE blocks SET payload = x'beef' WHERE block_id = ?", (a4,))
    r = rec(7, word="migrated")
    conn.execute(
        "INSERT INTO records (id, cid, kind, origin, ts_ms, body, status, block_id, ingested_ms, indexed) "
        "VALUES (1, ?, 'reading', ?, 1, ?, 'committed', ?, 1, 1)",
        (r.cid, ALICE, r.canonical_bytes(), a1),
    )
    conn.execute("INSERT INTO records_fts (rowid, text) VALUES (1, ?)", (r.text(),))
    for h in (b"1", b"2"):
        conn.execute(
            "INSERT INTO evidence (kind, offender, proposer, seq, body, body_hash, found_ms) VALUES ('double_vote', ?, ?, 1, ?, ?, 1)",
            (BOB, ALICE, h, h),
        )
    conn.close()
    with Store.open(path, ME) as s:
        assert s.decided_since(ALICE, 1) == [SlotDecision(ALICE, 1, "committed", a1), SlotDecision(ALICE, 3, "rejected", a3)]
        assert [(t.decided, t.committed_seq, t.committed_id, t.skipped) for t in s.chain_tips()] == [(3, 1, a1, 2)]
        assert len(s.list_evidence()) == 1
        assert s.heads() == [(ALICE, 1, a1, 1)]  # v3: what sync advertises, from chain_tips
        assert s.get_block(a4).payload == b"\xbe\xef"  # type: ignore[union-attr]  # v4: payloads moved
        assert s.get_block(a1).payload is None  # type: ignore[union-attr]
        # v1 indexed a1's records already: committing them again queues nothing.
        assert s.commit_block(a1, b"c", [r], [0.5], 2) is False
        assert s.statistics().fts_backlog == 0
        assert [x.record for x in s.search("migrated")] == [r]


def test_missing_committed_seqs_matches_a_scan_and_stays_cheap(tmp_path: Path) -> None:
    """Gaps from chain_tips and SQL edges equal the plain scan's, for any holes, upto and limit."""
    import random

    store = Store.open(tmp_path / "gaps.db")
    try:
        rng = random.Random(7)
        proposer = "12D3KooWGapsGapsGaps"
        committed: set[int] = set()
        seqs = [s for s in range(1, 400) if rng.random() < 0.8]
        for s in seqs:
            store.put_block(f"g{s}", proposer, s, b"H", b"P", 0, 0, 1, certified=True)
            store.commit_block(f"g{s}", b"C", [], [], s)
            committed.add(s)

        def scan(upto: int, limit: int) -> list[int]:
            return [s for s in range(1, upto + 1) if s not in committed][:limit]

        for upto in (0, 1, 5, 57, 398, 399, 450, 10_000):
            for limit in (1, 3, 50, 4096):
                assert store.missing_committed_seqs(proposer, upto, limit) == scan(upto, limit), (upto, limit)
        assert store.missing_committed_seqs("12D3KooWNobodyHere", 5) == [1, 2, 3, 4, 5]
        # The memo follows later commits: old holes filled, new ones opened above the old head.
        for s in [s for s in range(1, 400) if s not in committed][::3] + [405, 407, 420]:
            store.put_block(f"h{s}", proposer, s, b"H", b"P", 0, 0, 1, certified=True)
            store.commit_block(f"h{s}", b"C", [], [], s)
            committed.add(s)
            if s % 2:
                assert store.missing_committed_seqs(proposer, 500, 4096) == scan(500, 4096)
        for upto in (3, 399, 406, 430):
            assert store.missing_committed_seqs(proposer, upto, 7) == scan(upto, 7)
        # A claimed head far past ours costs no scan of 2**40 seqs: only `limit` of them come back.
        assert len(store.missing_committed_seqs(proposer, 2**40, 100)) == 100
        # Review 25: the memo keeps its holes at about 8 bytes each (a list of ints held 44).
        import sys

        holes = store._holes_memo[proposer][2]  # type: ignore[attr-defined]
        assert len(holes) == len([s for s in range(1, 421) if s not in committed])
        assert sys.getsizeof(holes) <= 200 + 10 * len(holes)  # with its growth slack
    finally:
        store.close()
