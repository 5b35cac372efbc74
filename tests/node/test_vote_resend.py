"""A validator re-sends its stored vote when a proposer re-announces a decided slot, as a re-send.

Session 33: gossip names a message by its content and drops what it saw in the last two minutes
unread, the publisher's own copy too, so a vote re-sent alone was its first batch byte for byte
and never left the node. The daemon publishes what ``ConsensusIO.resend_votes`` gets in batches
with a re-send counter (``protocol.vote.VoteBatch.resend``); this checks the adapter routes the
re-send there, and only the re-send.
"""

from __future__ import annotations

from typing import Any

import trio

from node.core.consensus import Consensus, ConsensusIO
from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol.vote import SignedVote
from tests.node.test_review9_rejected_elsewhere import sv
from tests.node.test_views import G, P, Q, R, _block, records


class _Outbox:
    """What the adapter hands over, and an event per arrival (no polling)."""

    def __init__(self) -> None:
        self.votes: list[SignedVote] = []
        self.arrived = trio.Event()

    def __call__(self, votes: list[SignedVote]) -> None:
        self.votes.extend(votes)
        self.arrived.set()

    async def wait(self) -> None:
        with trio.fail_after(10):
            await self.arrived.wait()


async def test_a_re_announced_decided_slot_gets_our_stored_vote_as_a_re_send() -> None:
    store = Store.open(":memory:", P.peer_id)
    sent, resent = _Outbox(), _Outbox()

    async def score(recs: Any) -> list[float]:
        return [0.5] * len(recs)

    async def publish_cert(_raw: bytes) -> None:
        return None

    async def fetch(_bid: str, _hint: str | None) -> None:
        return None

    io = ConsensusIO(score=score, send_votes=sent, resend_votes=resent, publish_cert=publish_cert,
                     fetch_block=fetch, now_ms=lambda: int(trio.current_time() * 1000), views=None)
    c = Consensus(key=P, genesis=G, store=store, db=Worker("store"), io=io, metrics=Metrics())
    await c.restore()
    async with trio.open_nursery() as nursery:
        await nursery.start(c.run)
        recs = records(Q, 16, 4001)
        a = _block(Q, 1, None, recs, [0.5] * len(recs), ())
        c.post_block(a, "q")
        await sent.wait()
        ours = sent.votes[0]
        assert (ours.vote.voter, ours.vote.block_id) == (P.peer_id, a.block_id)
        c.post_votes([sv(R, a), sv(Q, a)], "gossip")
        with trio.fail_after(10):
            assert await c.wait_decided(Q.peer_id, 1) == "committed"
        assert resent.votes == []
        c.post_block(a, "q")  # the proposer re-announces: it missed the decision
        await resent.wait()
        assert resent.votes == [ours]
        assert sent.votes == [ours]  # cast once; the re-send went the re-send's way
        nursery.cancel_scope.cancel()
    store.close()
