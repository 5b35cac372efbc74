"""Chain rules per proposer, out-of-order outcomes, and the pending buffer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.block import build_block
from protocol.chain import ChainState, ChainTip, PendingBuffer, Verdict
from protocol.cid import cid_of
from protocol.errors import LocalError, ValidationError
from protocol.keys import PrivateKey
from protocol.record import Record

P = PrivateKey(bytes([7]) * 32).peer_id
Q = PrivateKey(bytes([8]) * 32).peer_id
IDS = [cid_of(bytes([i])) for i in range(20)]


@dataclass(frozen=True)
class H:
    proposer: str
    seq: int
    prev: str | None


def test_classify_every_verdict_from_genesis() -> None:
    c = ChainState()
    assert c.classify(H(P, 1, None)) is Verdict.READY
    assert c.classify(H(P, 1, IDS[0])) is Verdict.BAD_PREV
    assert c.classify(H(P, 2, None)) is Verdict.FUTURE
    assert c.apply_commit(P, 1, IDS[1])
    assert c.classify(H(P, 1, None)) is Verdict.STALE
    assert c.classify(H(P, 2, IDS[1])) is Verdict.READY
    assert c.classify(H(P, 2, None)) is Verdict.BAD_PREV
    assert c.classify(H(P, 3, IDS[1])) is Verdict.FUTURE
    # Proposers are independent.
    assert c.classify(H(Q, 1, None)) is Verdict.READY


def test_classify_accepts_a_real_block_header() -> None:
    key = PrivateKey(bytes([7]) * 32)
    rec = Record.create("note", P, 1, {"x": 1})
    block = build_block(
        key, genesis_id=IDS[0], network="net", seq=1, prev=None, created_ms=0, model_id=IDS[0], records=[rec],
        scores=[0.5],
    )
    assert ChainState().classify(block.header) is Verdict.READY


def test_reject_in_order_keeps_prev() -> None:
    c = ChainState()
    c.apply_commit(P, 1, IDS[1])
    assert c.apply_reject(P, 2)
    # The next block still builds on the latest *committed* block.
    assert c.classify(H(P, 3, IDS[1])) is Verdict.READY
    assert c.classify(H(P, 3, IDS[2])) is Verdict.BAD_PREV
    assert c.classify(H(P, 2, IDS[1])) is Verdict.STALE
    assert not c.apply_reject(P, 2)  # repeated: nothing moves


def test_commit_ahead_jumps_and_late_commit_changes_nothing() -> None:
    c = ChainState()
    assert c.apply_commit(P, 5, IDS[5])
    assert c.tip(P) == ChainTip(decided=5, committed_seq=5, committed_id=IDS[5])
    assert c.classify(H(P, 3, None)) is Verdict.STALE
    assert c.classify(H(P, 6, IDS[5])) is Verdict.READY
    assert not c.apply_commit(P, 3, IDS[3])  # older, learned late
    assert not c.apply_commit(P, 5, IDS[5])  # the same commit again
    assert c.tip(P).committed_id == IDS[5]


def test_conflicting_commit_is_a_validation_error() -> None:
    c = ChainState()
    c.apply_commit(P, 2, IDS[2])
    with pytest.raises(ValidationError, match="conflicting"):
        c.apply_commit(P, 2, IDS[3])


def test_reject_ahead_makes_prev_uncertain_until_the_gap_is_filled() -> None:
    c = ChainState()
    c.apply_commit(P, 1, IDS[1])
    assert c.apply_reject(P, 4)  # we never saw slots 2 and 3 settle
    assert c.tip(P) == ChainTip(decided=4, committed_seq=1, committed_id=IDS[1], skipped=3)
    assert c.tip(P).uncertain
    assert c.classify(H(P, 5, IDS[1])) is Verdict.READY
    # Slot 3 may have committed without us: wait rather than reject.
    assert c.classify(H(P, 5, IDS[3])) is Verdict.FUTURE
    # Sync brings slot 3's certificate: now prev is known exactly.
    assert c.apply_commit(P, 3, IDS[3])
    assert c.tip(P) == ChainTip(decided=4, committed_seq=3, committed_id=IDS[3], skipped=3)
    assert not c.tip(P).uncertain
    assert c.classify(H(P, 5, IDS[3])) is Verdict.READY
    assert c.classify(H(P, 5, IDS[1])) is Verdict.BAD_PREV


def test_gap_commit_below_skipped_stays_uncertain() -> None:
    c = ChainState()
    c.apply_reject(P, 5)  # skipped 1..4
    c.apply_commit(P, 2, IDS[2])
    assert c.tip(P).uncertain  # slots 3 and 4 could still hold a later commit
    assert c.classify(H(P, 6, IDS[9])) is Verdict.FUTURE
    c.apply_commit(P, 7, IDS[7])  # a certificate ahead settles everything
    assert not c.tip(P).uncertain
    assert c.classify(H(P, 8, IDS[9])) is Verdict.BAD_PREV


def test_commit_of_a_slot_we_rejected_moves_committed_not_decided() -> None:
    c = ChainState()
    c.apply_reject(P, 1)
    assert c.apply_commit(P, 1, IDS[1])
    assert c.tip(P) == ChainTip(decided=1, committed_seq=1, committed_id=IDS[1])
    assert c.classify(H(P, 2, IDS[1])) is Verdict.READY


def test_snapshot_and_restore() -> None:
    c = ChainState()
    c.apply_commit(P, 3, IDS[3])
    c.apply_reject(P, 4)
    assert c.snapshot() == {P: (4, IDS[3])}
    d = ChainState()
    d.restore(P, 4, 3, IDS[3])
    assert d.tip(P) == c.tip(P)
    assert d.classify(H(P, 5, IDS[3])) is Verdict.READY


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((2, 3, IDS[3]), "committed"),
        ((3, 0, IDS[3]), "iff"),
        ((3, 2, None), "iff"),
        ((3, 2, "nope"), "CID"),
        ((3, 2, IDS[2], 4), "skipped"),
    ],
)
def test_restore_rejects_inconsistent_tips(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(LocalError, match=match):
        ChainState().restore(P, *args)  # type: ignore[arg-type]


_ops = st.lists(
    st.tuples(st.sampled_from(["commit", "reject"]), st.integers(1, 12)), max_size=40
)


@given(_ops)
@settings(max_examples=200, deadline=None)
def test_chain_invariants_under_any_outcome_order(ops: list[tuple[str, int]]) -> None:
    c = ChainState()
    committed: dict[int, str] = {}
    prev_tip = c.tip(P)
    highest = 0
    for op, seq in ops:
        highest = max(highest, seq)
        if op == "commit":
            c.apply_commit(P, seq, IDS[seq])
            committed[seq] = IDS[seq]
        else:
            c.apply_reject(P, seq)
        t = c.tip(P)
        assert t.committed_seq <= t.decided
        assert t.decided >= prev_tip.decided
        assert t.committed_seq >= prev_tip.committed_seq
        # The committed tip is the highest commit we were told about.
        if committed:
            top = max(committed)
            assert (t.committed_seq, t.committed_id) == (top, committed[top])
        # Every outcome settles its slot and all below it.
        assert t.decided == highest
        # Nothing at or below decided is ever votable again.
        assert c.classify(H(P, t.decided, t.committed_id)) is Verdict.STALE
        assert c.classify(H(P, t.decided + 1, t.committed_id)) is Verdict.READY
        prev_tip = t


# --- pending buffer ------------------------------------------------------------------


def test_pending_per_key_bound_evicts_that_keys_oldest() -> None:
    buf: PendingBuffer[str, str] = PendingBuffer(max_items=10, max_per_key=2, timeout_ms=100)
    assert buf.add("p", "a", 0) == []
    assert buf.add("q", "x", 0) == []
    assert buf.add("p", "b", 1) == []
    assert buf.add("p", "c", 2) == ["a"]
    assert buf.items("p") == ["b", "c"]
    assert buf.items("q") == ["x"]
    assert len(buf) == 3


def test_pending_total_bound_evicts_globally_oldest() -> None:
    buf: PendingBuffer[str, str] = PendingBuffer(max_items=3, max_per_key=3, timeout_ms=100)
    for i, (k, item) in enumerate([("p", "a"), ("q", "x"), ("p", "b")]):
        buf.add(k, item, i)
    assert buf.add("r", "m", 3) == ["a"]
    assert len(buf) == 3
    assert ("p", "a") not in buf
    assert ("r", "m") in buf


def test_pending_duplicate_add_keeps_age_and_pop_is_fifo() -> None:
    buf: PendingBuffer[str, str] = PendingBuffer(max_items=10, max_per_key=10, timeout_ms=100)
    buf.add("p", "a", 0)
    buf.add("p", "b", 50)
    assert buf.add("p", "a", 90) == []  # re-adding does not refresh
    assert buf.tick(99) == []
    assert buf.tick(100) == ["a"]
    assert buf.pop("p") == ["b"]
    assert buf.pop("p") == []
    assert len(buf) == 0


def test_pending_remove_and_timeouts_across_keys() -> None:
    buf: PendingBuffer[str, str] = PendingBuffer(max_items=10, max_per_key=10, timeout_ms=10)
    buf.add("p", "a", 0)
    buf.add("q", "x", 5)
    buf.add("p", "b", 8)
    assert buf.remove("p", "a")
    assert not buf.remove("p", "a")
    assert buf.tick(15) == ["x"]
    assert buf.tick(18) == ["b"]
    assert list(buf.keys()) == []


def test_pending_rejects_bad_bounds() -> None:
    with pytest.raises(LocalError):
        PendingBuffer(max_items=0, max_per_key=1, timeout_ms=1)


@given(
    st.lists(
        st.tuples(st.sampled_from(["add", "pop", "tick"]), st.integers(0, 3), st.integers(0, 15)),
        max_size=80,
    ),
    st.integers(1, 6),
    st.integers(1, 3),
)
@settings(max_examples=200, deadline=None)
def test_pending_is_bounded_and_loses_nothing_silently(
    ops: list[tuple[str, int, int]], max_items: int, max_per_key: int
) -> None:
    buf: PendingBuffer[int, int] = PendingBuffer(max_items, max_per_key, timeout_ms=20)
    held: set[tuple[int, int]] = set()
    now = 0
    for op, key, n in ops:
        now += 3
        item = key * 100 + n  # items name their key, so evictions can be traced
        if op == "add":
            evicted = buf.add(key, item, now)
            out = set()
            for e in evicted:
                match = [h for h in held if h[1] == e]
                assert match  # only held items are ever evicted
                out.add(match[0])
            held -= out
            held.add((key, item))
        elif op == "pop":
            got = buf.pop(key)
            assert {(key, i) for i in got} == {h for h in held if h[0] == key}
            held -= {(key, i) for i in got}
        else:
            for e in buf.tick(now):
                match = [h for h in held if h[1] == e]
                assert match
                held.discard(match[0])
        assert len(buf) == len(held) <= max_items
        for k in range(4):
            assert len(buf.items(k)) <= max_per_key
        assert all(h in buf for h in held)


def test_pending_total_bound_evicts_from_the_largest_group() -> None:
    """Issue 10 left open: >= 16 byzantine proposers parking 64 blocks each filled the
    1024-item buffer, and the globally oldest items (an honest proposer's) went first."""
    buf: PendingBuffer[str, str] = PendingBuffer(max_items=1024, max_per_key=64, timeout_ms=10**9)
    t = 0
    for i in range(5):
        assert buf.add("honest", f"h{i}", t) == []
        t += 1
    evicted: list[str] = []
    for b in range(20):
        for j in range(64):
            evicted += buf.add(f"byz{b:02}", f"b{b}-{j}", t)
            t += 1
    assert buf.items("honest") == [f"h{i}" for i in range(5)]
    assert len(buf) == 1024
    assert evicted
    assert all(e.startswith("b") for e in evicted)
    # The honest proposer still gets in while the buffer is full: a flooder pays.
    assert buf.add("honest", "h5", t)[0].startswith("b")
    assert buf.items("honest")[-1] == "h5"
