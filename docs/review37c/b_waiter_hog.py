"""Review 37 (consensus), finding B: one byzantine proposer holds both view waiters by itself.

node/core/views.py ``Views.wait_for`` lets at most ``max_waiting`` (2) evaluations wait for a view
at once; ``_waited_in_vain`` stops one *entry* being waited for twice. Neither stops one proposer Q
from holding both waiters: each of its slots gets a "trap" variant whose view names a fresh entry
ahead of ours (a commit that will not come within the wait), and a second variant with a wrong
prev, which every honest validator REJECTs (CHAIN_RULE) at once -- with Q's own REJECT that is
f + 1 and the slot is rejected, so Q's next slot is READY while the trap still waits (the wait is
not cancelled when its slot is decided). Two slots in a row: both waiters held for ``wait_s``.

Meanwhile an honest block whose view is one commit ahead of ours (the commit lands 0.5 s later)
gets no wait and no vote; it votes only at its proposer's next re-announce (3 s).

Uses the consensus adapter with the real store, views and scorer (tests/node/test_views.py
harness). Run from /work/main:  .venv/bin/python docs/review37c/b_waiter_hog.py
"""

from __future__ import annotations

import sys

import trio

sys.path.insert(0, ".")

from protocol.block import open_payload  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.vote import Decision, Reason, Vote, sign_vote  # noqa: E402
from tests.node.test_views import (  # noqa: E402
    G, P, Q, R, _block, _cert, _vote, records, validator, view_of, views,
)


def q_reject(b):  # noqa: ANN001, ANN201
    h = b.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, Q.peer_id, Decision.REJECT, Reason.CHAIN_RULE), Q, G.id)


async def run(attack: bool) -> tuple[float | None, dict]:
    async with validator() as (c, net, v):
        t0 = trio.current_time()
        if attack:
            for seq, ahead in ((1, 3), (2, 4)):  # fresh entries ahead of ours, within max_view_lag (4)
                recs = records(Q, 8, 900 + seq)
                trap = _block(Q, seq, None, recs, [0.5] * len(recs), view_of(P=ahead))
                bad = _block(Q, seq, cid_of(b"not our commit"), recs, [0.5] * len(recs), ())
                c.post_block(trap, "q")
                await c.wait_idle()
                await trio.sleep(0.05)  # the trap's evaluation is waiting now
                c.post_block(bad, "q")
                c.post_votes([q_reject(bad)], "q")
                await c.wait_idle()
                assert c.decided(Q.peer_id, seq) == "rejected", c.decided(Q.peer_id, seq)
        # An honest block of R whose view is one commit of P ahead of ours.
        p1 = _block(P, 1, None, records(P, 16, 11), [0.5] * 16, ())
        prop = views()
        prop.on_commit(P.peer_id, 1, p1.block_id, open_payload(p1.header, p1.payload))
        recs = records(R, 16, 45)
        near = view_of(P=1)
        honest = _block(R, 1, None, recs, prop.score_sync(recs, near, R.peer_id), near)
        t_honest = trio.current_time()
        c.post_block(honest, "r")
        await trio.sleep(0.5)
        await c.submit_synced(p1, open_payload(p1.header, p1.payload), _cert(p1))  # the commit it names lands
        got = await _vote(net, (R.peer_id, 1), within=2.0)
        took = None if got is None else trio.current_time() - t_honest
        late = None
        if got is None:  # nothing brings the block back by itself: wait past the traps' 3 s, then re-announce
            late_vote = await _vote(net, (R.peer_id, 1), within=3.0)
            c.post_block(honest, "r")  # the proposer's re-announce (pipeline.REANNOUNCE_S = 3 s)
            after = await _vote(net, (R.peer_id, 1), within=3.0)
            late = {"vote_without_reannounce_within_5.5s": late_vote is not None,
                    "vote_after_reannounce_at_s": after and round(trio.current_time() - t_honest, 2)}
        stats = {"waits": v.stats.waits, "wait_timeouts": v.stats.wait_timeouts,
                 "answered_without_wait": v.stats.not_rewaited, "decision": got and got.vote.decision.name,
                 "setup_s": round(t_honest - t0, 2), "late": late}
        return took, stats


async def main() -> None:
    for attack in (False, True):
        took, stats = await run(attack)
        label = "with Q's two trap slots" if attack else "control (no attack)   "
        print(f"{label}: honest R/1 vote {'after %.2f s' % took if took is not None else 'NONE within 2.5 s'}; {stats}")


trio.run(main)
