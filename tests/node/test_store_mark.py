"""mark_records in batches (one UPDATE ... FROM VALUES per chunk) changes exactly what the per-record form did."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.store import Store
from node.store import records as records_mod
from protocol.keys import PrivateKey
from protocol.record import Record

ME = PrivateKey(bytes([1]) * 32).peer_id
ALICE = PrivateKey(bytes([2]) * 32).peer_id


def _rec(i: int, origin: str = ME) -> Record:
    return Record.create("reading", origin, 1_000 + i, {"i": i})


def _fill(s: Store) -> list[str]:
    """40 local records, 5 of them then committed in ALICE's block, a block of ours to ship into."""
    local = [_rec(i) for i in range(40)]
    s.add_records_new(local, 1)
    s.put_block("theirs", ALICE, 1, b"h1", b"p1", 50, 5, 100)
    s.commit_block("theirs", b"C", local[:5], [0.5] * 5, 2)
    s.put_block("mine", ME, 1, b"h2", b"p2", 50, 0, 100)
    return [r.cid for r in local] + ["unknown-cid"]


def _rows(s: Store, cids: list[str]) -> list[tuple[object, ...]]:
    out = []
    for c in cids:
        row = s.get_record(c)
        out.append(None if row is None else (row.status, row.score, row.block_id))
    return out


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    a = Store.open(tmp_path / "a.db", local_origin=ME)
    b = Store.open(tmp_path / "b.db", local_origin=ME)
    yield a, b
    a.close()
    b.close()


def test_batches_change_what_one_update_per_record_changed(stores: tuple[Store, Store],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    batched, per_record = stores
    cids = _fill(batched)
    assert _fill(per_record) == cids
    monkeypatch.setattr(records_mod, "_MARK_CHUNK", 3)  # several chunks per call
    rnd = random.Random(5)
    for step in range(30):
        part = rnd.sample(cids, rnd.randint(1, 12))
        status = rnd.choice(["kept", "pending", "shipped"])
        block = "mine" if status == "shipped" else None
        scores = [rnd.random() for _ in part] if rnd.random() < 0.7 else None
        n_batched = batched.mark_records(part, status, scores=scores, block_id=block)
        with monkeypatch.context() as m:  # the per-record form (what SQLite before 3.33 gets)
            m.setattr(records_mod.sqlite3, "sqlite_version_info", (3, 32, 0))
            n_per_record = per_record.mark_records(part, status, scores=scores, block_id=block)
        assert n_batched == n_per_record, step
        assert _rows(batched, cids) == _rows(per_record, cids), step
    # Records of the committed block were never touched (ours, so "shipped" in ALICE's block).
    assert _rows(batched, cids[:5]) == [("shipped", 0.5, "theirs")] * 5


def test_a_repeated_cid_keeps_the_last_score(stores: tuple[Store, Store]) -> None:
    s, _ = stores
    cids = _fill(s)
    assert s.mark_records([cids[7], cids[8], cids[7]], "kept", scores=[0.1, 0.2, 0.3]) == 3
    assert _rows(s, [cids[7], cids[8]]) == [("kept", 0.3, None), ("kept", 0.2, None)]
