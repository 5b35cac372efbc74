"""The consensus adapter (node/consensus.py) over a real in-memory store, with fakes for net and model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
import trio

from node.core.consensus import Consensus, ConsensusIO, ConsensusParams
from node.core.inbox import event_bytes
from node.metrics import Metrics
from node.store import Store, StoreFull
from node.worker import Worker
from protocol import slots as sl
from protocol.block import Block, build_block, open_payload
from protocol.cid import cid_of
from protocol.errors import LocalError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, SignedVote, Vote, sign_vote

KEYS = [PrivateKey(bytes([0x90 + i]) * 32) for i in range(4)]
MODEL = cid_of(b"consensus test model")
G = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in KEYS), accepted_model_ids=(MODEL,))
ME, P, Q, R = KEYS


def block(key: PrivateKey, seq: int, prev: str | None = None, tag: str = "") -> Block:
    recs = [Record.create("note", key.peer_id, 1000 + i, {"i": i, "t": tag}) for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=prev, created_ms=1,
                       model_id=MODEL, records=recs, scores=[0.6] * 3)


def vote(key: PrivateKey, b: Block) -> SignedVote:
    h = b.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, key.peer_id, Decision.ACCEPT, Reason.OK), key, G.id)


@dataclass
class Net:
    sent: list[SignedVote] = field(default_factory=list)
    certs: list[bytes] = field(default_factory=list)
    fetchable: dict[str, Block] = field(default_factory=dict)
    fetches: list[str] = field(default_factory=list)
    gate: trio.Event | None = None  # scoring waits on it when set

    async def score(self, records: Sequence[Record]) -> list[float]:
        if self.gate is not None:
            await self.gate.wait()
        return [0.6] * len(records)

    async def publish_cert(self, cert: bytes) -> None:
        self.certs.append(cert)

    async def fetch(self, block_id: str, hint: str | None) -> tuple[Block, bytes | None] | None:
        self.fetches.append(block_id)
        b = self.fetchable.get(block_id)
        return (b, None) if b is not None else None


@asynccontextmanager
async def running(store: Store | None = None, params: ConsensusParams | None = None,
                  net: Net | None = None) -> AsyncIterator[tuple[Consensus, Net, Store]]:
    store = store or Store.open(":memory:", ME.peer_id)
    net = net or Net()
    io = ConsensusIO(score=net.score, send_votes=net.sent.extend, publish_cert=net.publish_cert,
                     fetch_block=net.fetch, now_ms=lambda: int(trio.current_time() * 1000))
    c = Consensus(key=ME, genesis=G, store=store, db=Worker("store"), io=io, metrics=Metrics(), params=params)
    await c.restore()
    async with trio.open_nursery() as nursery:
        await nursery.start(c.run)
        yield c, net, store
        nursery.cancel_scope.cancel()


async def wait_for_vote(net: Net, slot: tuple[str, int]) -> SignedVote:
    with trio.fail_after(10):
        while True:
            for sv in net.sent:
                if sv.vote.slot == slot and sv.vote.voter == ME.peer_id:
                    return sv
            await trio.sleep(0.01)


async def test_block_is_voted_and_committed_with_two_more_votes() -> None:
    async with running() as (c, net, store):
        b = block(P, 1)
        c.post_block(b, "peer")
        mine = await wait_for_vote(net, (P.peer_id, 1))
        assert mine.vote.decision is Decision.ACCEPT
        c.post_votes([vote(Q, b), vote(R, b)], "peer")
        with trio.fail_after(10):
            assert await c.wait_decided(P.peer_id, 1) == "committed"
        row = store.get_block(b.block_id)
        assert row is not None
        assert row.status == "committed"
        assert c.statistics().committed_blocks == 1
        assert c.statistics().open_blocks == 0


async def test_submit_synced_reports_whether_new() -> None:
    async with running() as (c, _net, store):
        b = block(P, 1)
        cert = Certificate(b.block_id, P.peer_id, 1, tuple(sorted((vote(k, b) for k in (P, Q, R)),
                                                                   key=lambda sv: sv.vote.voter)))
        assert b.payload is not None
        records = open_payload(b.header, b.payload)
        assert await c.submit_synced(b, records, cert) is True
        assert await c.submit_synced(b, records, cert) is False
        assert c.tips()[P.peer_id] == (1, b.block_id)
        assert store.block_at(P.peer_id, 1) is not None


async def test_internal_completions_survive_a_full_gossip_queue() -> None:
    """Finding 10: an Evaluated that arrives while gossip floods is never dropped.

    The old driver shared one lossy channel: with it full, the evaluation's
    result was dropped and the block was never voted on.
    """
    net = Net(gate=trio.Event())
    async with running(params=ConsensusParams(gossip_queue=4), net=net) as (c, net, _store):
        b = block(P, 1)
        c.post_block(b, "peer")
        await c.wait_idle()  # evaluation started; scoring now waits on the gate
        junk = [block(Q, s, tag="flood") for s in range(2, 40)]
        for j in junk:
            c.post_block(j, "flooder")  # Q's slot 1 is unknown: every one of these waits or is dropped
        assert c.metrics.dropped_events._value.get() > 0
        net.gate.set()
        mine = await wait_for_vote(net, (P.peer_id, 1))
        assert mine.vote.block_id == b.block_id


async def test_store_error_is_counted_and_the_node_keeps_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 6 (adapter side): a full disk must not end Consensus.run."""
    async with running() as (c, net, store):
        def full(*_a: object, **_k: object) -> bool:
            raise StoreFull("disk full")

        monkeypatch.setattr(store, "commit_block", full)
        b = block(P, 1)
        c.post_block(b, "peer")
        await wait_for_vote(net, (P.peer_id, 1))
        c.post_votes([vote(Q, b), vote(R, b)], "peer")
        await c.wait_idle()
        assert c.statistics().store_errors == 1
        monkeypatch.undo()
        # Still serving: the next proposer's block is voted on.
        c.post_block(block(Q, 1), "peer")
        await wait_for_vote(net, (Q.peer_id, 1))


async def test_restart_keeps_decided_slots_closed_and_the_vote_it_cast(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Finding 5: replayed historical blocks are not re-opened after a restart."""
    path = tmp_path / "store.sqlite"
    b1 = block(P, 1)
    b2 = block(P, 2, prev=b1.block_id)
    store = Store.open(path, ME.peer_id)
    async with running(store=store) as (c, net, _):
        c.post_block(b1, "peer")
        await wait_for_vote(net, (P.peer_id, 1))
        c.post_votes([vote(Q, b1), vote(R, b1)], "peer")
        with trio.fail_after(10):
            await c.wait_decided(P.peer_id, 1)
        c.post_block(b2, "peer")
        first = await wait_for_vote(net, (P.peer_id, 2))
    store.close()
    store = Store.open(path, ME.peer_id)
    async with running(store=store) as (c, net, _):
        assert c.decided(P.peer_id, 1) == "committed"
        for _ in range(5):
            c.post_block(b1, "replayer")  # a decided slot: never opened, our vote is re-sent
        await c.wait_idle()
        assert c.statistics().open_blocks == 0
        # Slot 2 was undecided: seen again, the vote sent is the one stored before the restart.
        c.post_block(b2, "peer")
        again = await wait_for_vote(net, (P.peer_id, 2))
        assert again == first
    store.close()


async def test_header_only_announce_uses_the_payload_held_in_the_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Finding 9: a payload we hold is never fetched over the network."""
    path = tmp_path / "store.sqlite"
    b = block(P, 1)
    store = Store.open(path, ME.peer_id)
    async with running(store=store) as (c, net, _):
        c.post_block(b, "peer")
        await wait_for_vote(net, (P.peer_id, 1))
    store.close()
    store = Store.open(path, ME.peer_id)
    async with running(store=store) as (c, net, _):
        c.post_block(b.header_only(), "peer")
        await wait_for_vote(net, (P.peer_id, 1))
        assert net.fetches == []
    store.close()


async def test_unknown_effect_is_an_error() -> None:
    async with running() as (c, _net, _store):
        with pytest.raises(LocalError, match="unknown consensus effect"):
            await c.fx.apply(object())  # type: ignore[arg-type]


def test_params_validate() -> None:
    with pytest.raises(LocalError):
        ConsensusParams(gossip_queue=0).validate()
    with pytest.raises(LocalError):
        ConsensusParams(slots=sl.SlotParams(max_fetches=0)).validate()
    assert ConsensusParams().validate().slots.max_evaluations == 8




async def test_a_vote_dropped_at_a_full_queue_counts_when_it_comes_again() -> None:
    net = Net(gate=trio.Event())
    async with running(params=ConsensusParams(gossip_queue=1), net=net) as (c, net, _store):
        b = block(P, 1)
        c.post_block(b, "peer")
        await c.wait_idle()  # our evaluation waits on the gate
        c.post_block(block(Q, 5), "x")  # fills the one-event queue
        c.post_votes([vote(Q, b), vote(R, b)], "peer")  # dropped
        assert c.metrics.dropped_events._value.get() == 1
        net.gate.set()
        await wait_for_vote(net, (P.peer_id, 1))
        await c.wait_idle()
        c.post_votes([vote(Q, b), vote(R, b)], "peer")  # re-sent by their voters: must count now
        with trio.fail_after(10):
            assert await c.wait_decided(P.peer_id, 1) == "committed"


async def test_an_unforeseen_error_in_one_event_does_not_stop_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug reached by some input is logged and counted; the next block is still voted on."""
    async with running() as (c, net, store):
        real_put = store.put_block
        calls = {"n": 0}

        def put_once_broken(*args: object, **kw: object) -> object:
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("a bug nobody foresaw")
            return real_put(*args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "put_block", put_once_broken)
        c.post_block(block(Q, 1), "peer")
        await c.wait_idle()
        assert c.statistics().internal_errors == 1
        c.post_block(block(P, 1), "peer")
        await wait_for_vote(net, (P.peer_id, 1))


async def test_a_fetch_failing_unexpectedly_is_a_failed_fetch() -> None:
    asked = trio.Event()

    class BrokenNet(Net):
        async def fetch(self, block_id: str, hint: str | None) -> tuple[Block, bytes | None] | None:
            asked.set()
            raise ValueError("a peer's answer broke something")

    async with running(net=BrokenNet()) as (c, net, _store):
        c.post_block(block(P, 1).header_only(), "peer")
        with trio.fail_after(10):
            await asked.wait()
        await c.wait_idle()
        c.post_block(block(P, 1), "peer")  # the payload arrives later on gossip: still voted
        await wait_for_vote(net, (P.peer_id, 1))


async def test_the_gossip_queue_is_bounded_by_payload_bytes_too() -> None:
    """Big blocks queued behind a slow task cannot pile up past gossip_queue_bytes."""
    net = Net(gate=trio.Event())
    one = event_bytes(sl.BlockSeen(block(P, 1), "x"))
    params = ConsensusParams(gossip_queue=4096, gossip_queue_bytes=3 * one)
    async with running(params=params, net=net) as (c, net, _store):
        c.post_block(block(P, 1), "peer")
        await c.wait_idle()  # its evaluation waits on the gate; the task is free again
        # posting is synchronous: the task takes nothing from the queue until we yield
        held, dropped = 0, 0
        for seq in range(2, 12):
            b = block(Q, seq, tag=str(seq))
            size = event_bytes(sl.BlockSeen(b, "x"))
            if held + size <= 3 * one:
                held += size
            else:
                dropped += 1
            c.post_block(b, "x")
        assert dropped >= 6
        assert c.metrics.dropped_events._value.get() == dropped
        assert c.inbox.gossip_bytes == held <= 3 * one
        net.gate.set()
        await wait_for_vote(net, (P.peer_id, 1))
        await c.wait_idle()
        assert c.inbox.gossip_bytes == 0


def test_a_queued_certificate_counts_its_votes_against_the_byte_bound() -> None:
    """Review 37: certificates counted 0 bytes, so a gossip queue of them held more than its byte
    bound said."""
    from node.core.inbox import Inbox

    b = block(P, 1)
    votes = tuple(sign_vote(Vote(b.block_id, P.peer_id, 1, k.peer_id, Decision.ACCEPT, Reason.OK), k, G.id)
                  for k in KEYS[:3])
    seen = sl.CertificateSeen(Certificate(b.block_id, P.peer_id, 1, votes), "x")
    size = event_bytes(seen)
    assert size >= 3 * 400
    inbox = Inbox(max_events=1000, max_bytes=10 * size)
    assert sum(inbox.post_gossip(seen) for _ in range(20)) == 10
