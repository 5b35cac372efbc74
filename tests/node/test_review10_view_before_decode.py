"""Review 10 #2: the view rule is judged before a block's payload is decoded.

A byzantine proposer signs one block of dense records whose header names a view entry more than
max_view_lag ahead of ours (nobody holds it: no wait, no vote). Before the fix the validator
decoded the whole payload first, learned from the header that it could not vote, and decoded it
again on every re-announce (10 announces: 10 decodes, 4.9-5.4 s of thread CPU for 1,024 dense
records), with no vote, no backoff and no evidence to stop it."""

from __future__ import annotations

import time

import trio

import node.core.consensus_effects as ce
from protocol.record import Record
from protocol.vote import Decision
from tests.node.test_views import G, Q, _block, validator, view_of


def _dense(n: int) -> list[Record]:
    # Four lists of 60: a record holds at most 256 values since review 25 (RecordLimits.max_values).
    return [Record.create("dense", Q.peer_id, 1_700_000_000_000 + i,
                          {**{f"k{j:02d}": [(i + j + t) % 100 for t in range(60)] for j in range(4)}, "i": i})
            for i in range(n)]


async def _announce(view: tuple[int, ...], posts: int) -> tuple[int, list[object]]:
    calls: list[float] = []
    real = ce.open_payload

    def counting(*a: object, **k: object) -> object:
        t = time.thread_time()
        try:
            return real(*a, **k)  # type: ignore[arg-type]
        finally:
            calls.append(time.thread_time() - t)

    ce.open_payload = counting  # type: ignore[assignment]
    try:
        recs = _dense(128)
        blk = _block(Q, 1, None, recs, [0.9] * len(recs), view)
        async with validator() as (c, net, _v):
            for _ in range(posts):
                c.post_block(blk, "q")  # a re-announce
                await c.wait_idle()
                with trio.move_on_after(5):
                    while c.core.statistics().evaluations:  # noqa: ASYNC110 (the core, polled)
                        await trio.sleep(0.01)
            return len(calls), [sv for sv in net.sent if sv.vote.slot == (Q.peer_id, 1)]
    finally:
        ce.open_payload = real


async def test_a_view_out_of_reach_is_never_decoded() -> None:
    decodes, votes = await _announce(view_of(R=G.max_view_lag + 1), 10)
    assert votes == []  # no vote: we do not hold the view and never will by waiting
    assert decodes == 0  # before: 10


async def test_a_refused_view_is_rejected_without_decoding() -> None:
    decodes, votes = await _announce(view_of(Q=1), 3)  # its own entry is not its prev's seq
    assert votes
    assert votes[0].vote.decision is Decision.REJECT  # type: ignore[attr-defined]
    assert decodes == 0  # before: 1
