"""Red team: replays of old certificates (public data: any peer can send them).

A node keeps the last ``max_decided`` outcomes in memory (and reloads only the store's last
``retain_slots`` = 64 per proposer after a restart). A certificate of an older committed slot
passes every check and is committed again: idempotent in the store, but it used to reach the
stream-memory views as a late block, which dropped every cached History at or above it, so the
next blocks were re-scored against Histories rebuilt from scratch (77 ms instead of 14 ms
derived, docs/consensus.md). One peer replaying old certificates kept every validator rebuilding.

(An adapter test, kept here with the other red-team tests: node/core/consensus_effects.py.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import trio

from node.core.consensus import Consensus, ConsensusIO, ConsensusParams
from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol import slots as sl
from protocol.block import open_payload
from protocol.quorum import Certificate
from protocol.record import Record
from tests.node.test_consensus import ME, G, Net, P, Q, R, block, vote


@dataclass
class RecordingViews:
    """Stands in for node.core.views.Views on the commit path: records what reaches it."""

    commits: list[tuple[str, int]] = field(default_factory=list)

    def on_commit(self, proposer: str, seq: int, block_id: str, records: Sequence[Record]) -> None:
        self.commits.append((proposer, seq))


async def test_a_replayed_old_certificate_does_not_reach_the_views_again() -> None:
    await _replay_old_certificates(count_writes=False)


async def test_a_replayed_old_certificate_is_dropped_on_one_store_read() -> None:
    # ...and costs no certificate check on a thread, no block write, no decode, no commit.
    await _replay_old_certificates(count_writes=True)


async def _replay_old_certificates(*, count_writes: bool) -> None:
    store = Store.open(":memory:", ME.peer_id)
    net, views = Net(), RecordingViews()
    io = ConsensusIO(score=net.score, send_votes=net.sent.extend, publish_cert=net.publish_cert,
                     fetch_block=net.fetch, now_ms=lambda: int(trio.current_time() * 1000),
                     views=views)  # type: ignore[arg-type]
    params = ConsensusParams(slots=sl.SlotParams(max_decided=1))  # slot 1 leaves memory at once
    c = Consensus(key=ME, genesis=G, store=store, db=Worker("store"), io=io, metrics=Metrics(), params=params)
    await c.restore()
    async with trio.open_nursery() as nursery:
        await nursery.start(c.run)
        prev, certs = None, []
        for seq in (1, 2, 3):
            b = block(P, seq, prev=prev, tag=f"r{seq}")
            cert = Certificate(b.block_id, P.peer_id, seq,
                               tuple(sorted((vote(k, b) for k in (P, Q, R)), key=lambda sv: sv.vote.voter)))
            assert b.payload is not None
            assert await c.submit_synced(b, open_payload(b.header, b.payload), cert) is True
            prev = b.block_id
            certs.append(cert)
        assert views.commits == [(P.peer_id, 1), (P.peer_id, 2), (P.peer_id, 3)]
        assert c.core.decided(P.peer_id, 1) is None  # forgotten in memory, as after a restart
        writes: list[str] = []
        if count_writes:
            put, commit = store.put_block, store.commit_block
            store.put_block = lambda *a, **k: writes.append("put") or put(*a, **k)  # type: ignore[method-assign]
            store.commit_block = lambda *a, **k: writes.append("commit") or commit(*a, **k)  # type: ignore[method-assign]
        for _ in range(3):
            c.post_certificate(certs[0], "replayer")
        with trio.fail_after(10):
            await c.wait_idle()
        assert writes == []
        assert views.commits == [(P.peer_id, 1), (P.peer_id, 2), (P.peer_id, 3)]
        assert c.tips()[P.peer_id] == (3, prev)
        assert c.statistics().committed_blocks == 3
        nursery.cancel_scope.cancel()
