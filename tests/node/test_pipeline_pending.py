"""Pending records: every acknowledged one is decided, after a restart too, with bounded memory.

Review 7, finding 1: ``Pipeline.run`` reloaded ``store.pending_records(10_000)`` in a loop that
asked for the same oldest 10,000 rows each time, so records acknowledged beyond them stayed
pending for that whole run; and ``ingest`` queued every new record in memory, without a bound.
The pipeline now holds at most ``memory_records`` in memory and pages the rest back from the
store with a cursor (``Store.pending_page``).
"""

from __future__ import annotations

import os
import random
from typing import Any

import trio

from node.config import PipelineConfig
from node.core.pipeline import Pipeline
from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.validators import ValidatorSet

ME = PrivateKey(b"\x51" * 32)  # an observer: not a proposer, so the pipeline only marks records kept
VALIDATORS = [PrivateKey(bytes([0x60 + i]) * 32) for i in range(4)]
MODEL = cid_of(b"pending model")


class _Consensus:
    def tips(self) -> dict[str, Any]:
        return {}


def _pipeline(store: Store, scored: list[str] | None = None, delay: float = 0.0) -> Pipeline:
    g = Genesis("pending", ValidatorSet(k.peer_id for k in VALIDATORS), (MODEL,))

    async def score(records: Any) -> list[float]:
        if scored is not None:
            scored.extend(r.cid for r in records)
        await trio.sleep(delay)
        return [0.1] * len(records)

    async def publish(block: Any, attempt: int) -> None:
        raise AssertionError("an observer never publishes")

    return Pipeline(key=ME, genesis=g, config=PipelineConfig(window=512, block_interval_ms=10), store=store,
                    db=Worker("store"), score=score, model_id=MODEL, consensus=_Consensus(),  # type: ignore[arg-type]
                    publish_block=publish, metrics=Metrics(), now_ms=lambda: 1_000)


async def _drain(pipe: Pipeline, peak: list[int]) -> None:
    with trio.fail_after(30):
        while pipe.pending_count:
            peak[0] = max(peak[0], len(pipe._pending))
            await pipe.changed.wait()


async def test_every_acknowledged_pending_record_is_decided_after_a_restart(tmp_path: Any) -> None:
    # The old reload stopped at 10,000 (the 500 others stayed pending); memory holds 4,096.
    n = 10_500
    path = os.path.join(tmp_path, "store.sqlite")
    store = Store.open(path, ME.peer_id)
    recs = [Record.create("t", ME.peer_id, i, {"i": i}) for i in range(n)]
    assert all(store.add_records_new(recs, 1))  # the ingest acknowledgement: durable
    store.close()  # the daemon stops (or crashes) before scoring any of them

    store = Store.open(path, ME.peer_id)  # restart
    scored: list[str] = []
    pipe = _pipeline(store, scored)
    peak = [0]
    async with trio.open_nursery() as nursery:
        await nursery.start(pipe.run)
        reloaded = pipe.pending_count
        await _drain(pipe, peak)
        nursery.cancel_scope.cancel()
    left = store.count_records()["pending"]
    store.close()
    assert (reloaded, left) == (n, 0), f"{reloaded} of {n} counted after the restart; {left} still pending"
    assert scored == [r.cid for r in recs]  # each once, in ingest order
    assert peak[0] <= pipe.memory_records < n


async def test_ingest_beyond_memory_waits_in_the_store_and_keeps_its_order() -> None:
    # Bursts faster than the (slowed) scorer spill to the store, drain, spill again: every
    # record is scored once, in ingest order, and memory never holds more than its bound.
    store = Store.open(":memory:", ME.peer_id)
    scored: list[str] = []
    pipe = _pipeline(store, scored, delay=0.02)
    rng = random.Random(7)
    sent: list[str] = []
    peak = [0]
    async with trio.open_nursery() as nursery:
        await nursery.start(pipe.run)
        for burst in range(16):
            recs = [Record.create("t", ME.peer_id, len(sent) + i, {"b": burst}) for i in range(rng.randint(1, 4000))]
            await pipe.ingest_records(recs)
            sent += [r.cid for r in recs]
            peak[0] = max(peak[0], len(pipe._pending))
            assert pipe.pending_count >= store.count_records()["pending"]  # status counts the store's too
            await trio.sleep(rng.choice([0.0, 0.0, 0.01, 0.3]))
        await pipe.ingest_records([Record.create("t", ME.peer_id, 0, {"b": 0})])  # a re-send: stored once
        await _drain(pipe, peak)
        nursery.cancel_scope.cancel()
    left = store.count_records()["pending"]
    store.close()
    assert left == 0
    assert scored == sent
    assert len(sent) > pipe.memory_records >= peak[0]


def test_pending_page_is_a_cursor_over_the_pending_rows() -> None:
    store = Store.open(":memory:", ME.peer_id)
    rs = [Record.create("t", ME.peer_id, i, {"i": i}) for i in range(6)]
    store.add_records_new(rs, 1)
    store.mark_records([rs[1].cid, rs[4].cid], "kept", scores=[0.1, 0.2])
    first = store.pending_page(0, 2)
    assert [r for _, r in first] == [rs[0], rs[2]]
    rest = store.pending_page(first[-1][0], 10)
    assert [r for _, r in rest] == [rs[3], rs[5]]
    assert store.pending_page(rest[-1][0], 10) == []
    assert store.count_pending() == 4
    store.close()
