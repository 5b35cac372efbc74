"""Review 11 (a helper's review of session 18's consensus fixes; fixed the same session): the view is judged once, before decoding; a commit during the decode can prune the
history the block names, and the validator then scores it against a view it can no longer build."""
from __future__ import annotations

import threading

import trio

import node.core.consensus_effects as ce
from protocol.block import open_payload
from tests.node.test_views import G, P, R, _block, _cert, _vote, records, validator, view_of, views

LAG = G.max_view_lag


async def test_no_block_is_scored_against_a_view_that_cannot_be_built() -> None:
    release = threading.Event()
    entered = threading.Event()
    real = ce.open_payload

    def slow(h, payload, limits=None):  # type: ignore[no-untyped-def]
        if h.proposer == R.peer_id and not release.is_set():
            entered.set()
            release.wait(10)  # a dense payload decoding (0.5 s measured in review 10)
        return real(h, payload, limits) if limits is not None else real(h, payload)

    ce.open_payload = slow  # type: ignore[assignment]
    try:
        async with validator() as (c, net, v):
            seen: list[tuple[bool, tuple[int, ...]]] = []
            real_score = v.score

            async def spy(recs, view, proposer=None, **kw):  # type: ignore[no-untyped-def]
                seen.append((v.can_build(view), tuple(view)))
                return await real_score(recs, view, proposer, **kw)

            v.score = spy  # type: ignore[method-assign]
            blocks, prev = [], None
            for seq in range(1, LAG + 4):  # P/1 .. P/7, 40 records each (quota 64)
                recs = records(P, 40, 7000 + seq)
                b = _block(P, seq, prev, recs, [0.5] * len(recs), ())
                blocks.append((b, recs))
                prev = b.block_id
            for b, _recs in blocks[:LAG + 2]:  # ME holds P = 6
                assert await c.submit_synced(b, open_payload(b.header, b.payload), _cert(b))
            # Honest R names P = 2: exactly max_view_lag behind ME (allowed), claims exact.
            prop = views()
            for seq, (b, recs) in enumerate(blocks[:2], 1):
                prop.on_commit(P.peer_id, seq, b.block_id, recs)
            mine = records(R, 24, 4244)
            view = view_of(P=2)
            honest = _block(R, 1, None, mine, prop.score_sync(mine, view, R.peer_id), view)
            assert v.check(honest.header).ready
            c.post_block(honest, "r")
            with trio.fail_after(5):
                while not entered.is_set():  # noqa: ASYNC110
                    await trio.sleep(0.01)
            b7, r7 = blocks[LAG + 2]  # P/7 commits while R's payload decodes
            assert await c.submit_synced(b7, open_payload(b7.header, b7.payload), _cert(b7))
            assert not v.can_build(view)  # P/1 pruned: the view's history lacks 24 records
            release.set()
            vote = await _vote(net, (R.peer_id, 1))
            print("vote:", vote and (vote.vote.decision.name, vote.vote.reason.name), "scored:", seen)
            assert all(ok for ok, _ in seen), f"scored against an unbuildable view; vote {vote and vote.vote}"
    finally:
        ce.open_payload = real


async def test_control_judging_the_view_again_after_decoding() -> None:
    """The behaviour before 1dbbd2a (the view judged again after the decode), for the measure."""
    orig = ce.Effects._score_in_view

    async def again(self, block, recs, view_checked=False):  # type: ignore[no-untyped-def]
        return await orig(self, block, recs, False)

    ce.Effects._score_in_view = again  # type: ignore[method-assign]
    try:
        await test_no_block_is_scored_against_a_view_that_cannot_be_built()
    finally:
        ce.Effects._score_in_view = orig  # type: ignore[method-assign]
