"""Review 10 #1: an honest block's view is judged from when the validator first saw it.

n = 4 (f = 1, q = 3), the test genesis's max_view_lag = 4. ME, P, R honest; Q byzantine. P's
block names the view P held (Q = 3) and P re-announces those bytes until the slot is decided: a
signed block's view cannot change. Q withholds its vote on P's slot (P's slot needs ME's ACCEPT),
delays ME's copy of Q/3 (ME waits, then abstains, and does not wait again for it) and meanwhile
commits lag + 1 tiny blocks at P and R. When sync brings ME Q's chain, P's block is lag + 2 behind
ME's view: before the fix ME voted REJECT CHAIN_RULE, Q REJECTs too, and f + 1 REJECTs rejected the
honest slot (P's records then marked kept, never shipped). Now the lag is measured from ME's view
when it first judged the block: ME scores it against the view it names and votes ACCEPT.
"""

from __future__ import annotations

from protocol.block import open_payload
from protocol.vote import Decision, Reason
from tests.node.test_views import (
    G,
    P,
    Q,
    _block,
    _cert,
    _vote,
    records,
    validator,
    view_of,
    views,
)

LAG = G.max_view_lag


async def _extend(c, upto_from: int, upto: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    for seq in range(upto_from, upto + 1):
        recs = records(Q, 16, seed + seq)
        b = _block(Q, seq, c.tips().get(Q.peer_id, (0, None))[1], recs, [0.5] * len(recs), ())
        assert b.payload is not None
        assert await c.submit_synced(b, open_payload(b.header, b.payload), _cert(b))


def _honest_p_block(q_upto: int, seed: int):  # type: ignore[no-untyped-def]
    prop = views()
    for seq in range(1, q_upto + 1):
        prop.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, 16, seed + seq))
    recs = records(P, 24, 4242)
    view = view_of(Q=q_upto)
    return _block(P, 1, None, recs, prop.score_sync(recs, view, P.peer_id), view)


async def test_an_honest_block_reannounced_after_lag_plus_one_commits_is_still_accepted() -> None:
    async with validator() as (c, net, v):
        await _extend(c, 1, 2, 900)
        honest = _honest_p_block(3, 900)  # P holds Q/3; ME does not (Q withholds it from ME)
        c.post_block(honest, "p")
        first = await _vote(net, (P.peer_id, 1), within=v.wait_s + 1.0)
        assert first is None  # waited wait_s, then no vote
        assert (G.proposer_ids.index(Q.peer_id), 3) in v._waited_in_vain
        c.post_block(honest, "p")  # P's re-announce 3 s later: (Q, 3) is not waited for again
        assert await _vote(net, (P.peer_id, 1), within=0.5) is None
        # Q's chain went on at P and R without ME; sync now brings it: Q/3 .. Q/3+lag+1.
        await _extend(c, 3, 3 + LAG + 1, 900)
        assert v.current()[G.proposer_ids.index(Q.peer_id)] == 3 + LAG + 1
        c.post_block(honest, "p")  # P's next re-announce: the same bytes, the same view
        vote = await _vote(net, (P.peer_id, 1))
        assert vote is not None
        assert (vote.vote.decision, vote.vote.reason) == (Decision.ACCEPT, Reason.OK)  # before: REJECT CHAIN_RULE


async def test_control_one_commit_fewer_is_accepted() -> None:
    async with validator() as (c, net, v):
        await _extend(c, 1, 3 + LAG, 900)
        honest = _honest_p_block(3, 900)
        c.post_block(honest, "p")
        vote = await _vote(net, (P.peer_id, 1))
        assert vote is not None
        assert vote.vote.decision is Decision.ACCEPT


async def test_a_block_first_seen_already_stale_is_still_refused() -> None:
    """The rule itself stands: a view more than the lag behind ours when we first see it."""
    async with validator() as (c, net, _v):
        await _extend(c, 1, 3 + LAG + 1, 900)
        honest = _honest_p_block(3, 900)
        c.post_block(honest, "p")
        vote = await _vote(net, (P.peer_id, 1))
        assert vote is not None
        assert (vote.vote.decision, vote.vote.reason) == (Decision.REJECT, Reason.CHAIN_RULE)


def _judged_then_advanced(size: int) -> object:
    v = views()
    for seq in range(1, 4):
        v.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, size, 700 + seq))
    recs = records(P, 8, 4243)
    hdr = _block(P, 1, None, recs, [0.5] * len(recs), view_of(Q=3)).header
    assert v.check(hdr).ready  # first judged while we held Q = 3
    for seq in range(4, 4 + LAG + 3):
        v.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, size, 700 + seq))
    return v.check(hdr)


def test_the_first_judgement_counts_only_while_the_view_can_be_rebuilt_exactly() -> None:
    assert _judged_then_advanced(4).ready  # tiny blocks: every record of view Q = 3 still held
    # Blocks of 60 records: the quota (64) is held above Q = 3 and Q/1..3 were pruned; the view's
    # history cannot be rebuilt, so the lag is measured from our view now, as before.
    assert _judged_then_advanced(60).verdict == (Decision.REJECT, Reason.CHAIN_RULE)
