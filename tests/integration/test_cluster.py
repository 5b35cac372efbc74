"""Four validator nodes with real libp2p hosts on 127.0.0.1, in one process."""

from __future__ import annotations

import time

import pytest
import trio

from node.net.topics import encode_block_announce
from node.sim.cluster import open_cluster, open_rogue, wait_until, workload_json
from protocol.admission import check_view
from protocol.block import (
    Block,
    BlockHeader,
    SignedHeader,
    build_block,
    decode_signed_header,
    sign_header,
)
from protocol.cid import cid_of
from protocol.codec import packb
from protocol.quorum import decode_certificate, decode_evidence, verify_certificate
from protocol.record import Record
from protocol.vote import Reason, decode_signed_vote

pytestmark = pytest.mark.slow


def committed_ids(node) -> set[str]:
    return {b.block_id for b in node.store.list_blocks(status="committed", limit=100_000)}


async def test_records_commit_on_all_four_with_same_certificates(tmp_path):
    async with open_cluster(tmp_path) as c:
        n0 = c.nodes[0]
        now = int(time.time() * 1000)
        # Hold the first window in scoring: its records are still pending (not kept, not shipped).
        gate, entered, score = trio.Event(), trio.Event(), n0.pipeline.score

        async def held(*args, **kw):
            entered.set()
            await gate.wait()
            return await score(*args, **kw)

        n0.pipeline.score = held
        res = await n0.ingest(workload_json(600, seed=7, now_ms=now))
        assert not res.errors
        assert len(res.cids) == 600
        with trio.fail_after(30):
            await entered.wait()
        assert n0.status().pending == 600  # 512 in the window being scored + 88 queued
        n0.pipeline.score = score
        gate.set()
        with trio.fail_after(60):
            await n0.consensus.wait_commits(1)
            await wait_until(n0, lambda: n0.status().pending == 0, 60, "pipeline drained")
            target = committed_ids(n0)
            for node in c.nodes:
                await wait_until(node, lambda node=node: committed_ids(node) >= target, 60, "replication")
        # Same committed set, and every certificate verifies against the genesis validators.
        for node in c.nodes:
            assert committed_ids(node) == target
            for bid in target:
                row = node.store.get_block(bid)
                cert = decode_certificate(row.cert)
                verify_certificate(cert, c.genesis.validators, c.genesis.id)
                assert cert.block_id == bid
        counts = n0.store.count_records()
        # Selective sharing: some records stay local, and they never reach the other nodes.
        assert counts.get("kept", 0) > 0
        assert counts.get("shipped", 0) > 0
        kept = n0.store.query_records(status="kept", limit=20)
        for row in kept:
            for other in c.nodes[1:]:
                assert other.store.get_record(row.record.cid) is None
        # Exact duplicates in the workload never ship twice: ids are content addresses.
        shipped = n0.store.query_records(status="shipped", limit=100_000)
        assert len({r.record.cid for r in shipped}) == len(shipped)


def _records(key, n, ts=1_700_000_000_000):
    return [
        Record.create("alert", key.peer_id, ts + i, {"severity": "critical", "value": 1000.0 + 97 * i, "site": f"s{i}"})
        for i in range(n)
    ]


async def _byzantine_publish(rogue_p2p, topics, block: Block, attempt: int = 0):
    await rogue_p2p.publish(topics.blocks, encode_block_announce(block, attempt))


async def test_lying_scores_are_voted_down(tmp_path):
    async with open_cluster(tmp_path) as c:
        liar = c.nodes[3]
        recs = _records(liar.key, 8)
        honest = await liar.score(recs)
        lies = [min(1.0, s + 0.4) if s < 0.6 else s - 0.4 for s in honest]
        block = build_block(liar.key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=1, prev=None,
                            created_ms=int(time.time() * 1000), model_id=liar.model_id, records=recs, scores=lies)
        async with open_rogue(c) as rogue_p2p:
            await _byzantine_publish(rogue_p2p, liar.topics, block)
        with trio.fail_after(30):
            for node in c.nodes[:3]:
                await node.consensus.wait_decided(liar.me, 1)
        reasons = []
        for node in c.nodes[:3]:
            assert node.consensus.decided(liar.me, 1) == "rejected"
            assert block.block_id not in committed_ids(node)
            # A validator whose re-scoring finishes after f+1 REJECTs decided the slot
            # has nothing left to vote on; every vote that was cast names the lie.
            mine = node.store.own_vote(liar.me, 1)
            if mine is not None:
                reasons.append(decode_signed_vote(mine).vote.reason)
        assert len(reasons) >= c.genesis.validators.f + 1
        assert set(reasons) == {Reason.SCORE_MISMATCH}


async def test_bad_signature_and_bad_payload_are_refused(tmp_path):
    async with open_cluster(tmp_path) as c:
        rogue = c.nodes[3]
        recs = _records(rogue.key, 4)
        scores = await rogue.score(recs)
        now = int(time.time() * 1000)
        good = build_block(rogue.key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=1, prev=None,
                           created_ms=now, model_id=rogue.model_id, records=recs, scores=scores)
        # 1. A forged signature: the pubsub validator drops it everywhere.
        forged = Block(SignedHeader(good.header, bytes(64)), good.payload)
        # 2. A payload that does not match its CID: not even decodable as a Block.
        tampered = good.payload[:-1] + bytes([good.payload[-1] ^ 1])
        # 3. A payload that matches its (signed) CID but is not a valid zstd record array:
        #    it passes gossip, and every validator votes it down with BAD_PAYLOAD.
        junk = b"\x28\xb5\x2f\xfd" + bytes(60)
        h = replace_header(good.header, payload_cid=cid_of(junk), payload_len=len(junk), created_ms=now + 1)
        bogus = Block(sign_header(rogue.key, h, c.genesis.id), junk)
        async with open_rogue(c) as rp:
            await _byzantine_publish(rp, rogue.topics, forged)
            await rp.publish(rogue.topics.blocks, packb([0, packb([good.signed.encode(), tampered])]))
            await _byzantine_publish(rp, rogue.topics, bogus)
        with trio.fail_after(30):
            for node in c.nodes[:3]:
                await node.consensus.wait_decided(rogue.me, 1)
        reasons = []
        for node in c.nodes[:3]:
            assert node.consensus.decided(rogue.me, 1) == "rejected"
            mine = node.store.own_vote(rogue.me, 1)  # None if the slot was decided first
            if mine is not None:
                reasons.append(decode_signed_vote(mine).vote.reason)
        assert len(reasons) >= c.genesis.validators.f + 1
        assert set(reasons) == {Reason.BAD_PAYLOAD}
        # Nobody crashed: an honest block from another proposer still commits everywhere.
        await c.nodes[1].ingest(workload_json(300, seed=3, now_ms=now))
        with trio.fail_after(60):
            for node in c.nodes:
                await node.consensus.wait_commits(1)
        for node in c.nodes:
            assert good.block_id not in committed_ids(node)
            assert bogus.block_id not in committed_ids(node)


def replace_header(h, **kw):
    from dataclasses import fields

    return BlockHeader(**{f.name: kw.get(f.name, getattr(h, f.name)) for f in fields(h) if f.init})


async def test_proposer_equivocation_leaves_evidence(tmp_path):
    async with open_cluster(tmp_path) as c:
        rogue = c.nodes[3]
        recs = _records(rogue.key, 6)
        scores = await rogue.score(recs)
        now = int(time.time() * 1000)
        a = build_block(rogue.key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=1, prev=None,
                        created_ms=now,
                        model_id=rogue.model_id, records=recs[:3], scores=scores[:3])
        b = build_block(rogue.key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=1, prev=None,
                        created_ms=now + 1,
                        model_id=rogue.model_id, records=recs[3:], scores=scores[3:])
        async with open_rogue(c) as rp:
            await _byzantine_publish(rp, rogue.topics, a)
            await _byzantine_publish(rp, rogue.topics, b)
        with trio.fail_after(30):
            for node in c.nodes[:3]:
                await wait_until(node, lambda node=node: node.store.list_evidence(), 30, "evidence")
        for node in c.nodes[:3]:
            ev = decode_evidence(node.store.list_evidence()[0].body)
            assert ev.kind == "proposer-equivocation"
            assert ev.offender == rogue.me
            ev.verify(c.genesis.validators, c.genesis.id)
        # At most one of the two blocks can ever commit in that slot.
        for node in c.nodes[:3]:
            assert len({a.block_id, b.block_id} & committed_ids(node)) <= 1


async def test_late_joiner_catches_up_through_sync(tmp_path):
    async with open_cluster(tmp_path) as c:
        now = int(time.time() * 1000)
        await c.nodes[0].ingest(workload_json(400, seed=11, now_ms=now))
        await c.nodes[2].ingest(workload_json(400, seed=12, now_ms=now))
        with trio.fail_after(60):
            await c.nodes[0].consensus.wait_commits(2)
            await wait_until(c.nodes, lambda: all(n.status().pending == 0 for n in c.nodes), 60, "drained")
            target = committed_ids(c.nodes[0])
            for node in c.nodes:
                await wait_until(node, lambda node=node: committed_ids(node) >= target, 60, "replication")
        from node.sim.cluster import make_keys

        observer = await c.add_node(make_keys(1, salt=9)[0])
        assert observer.status().role == "observer"
        with trio.fail_after(60):
            await wait_until(observer, lambda: committed_ids(observer) >= target, 60, "late joiner sync")
        for bid in target:
            row = observer.store.get_block(bid)
            verify_certificate(decode_certificate(row.cert), c.genesis.validators, c.genesis.id)
        assert observer.consensus.statistics().votes_cast == 0



async def test_big_payload_is_announced_header_only_and_fetched_over_sync(tmp_path):
    from protocol.block import BlockLimits

    tiny = BlockLimits(gossip_payload_max=256)
    async with open_cluster(tmp_path, node_kw=lambda i: {"limits": tiny}) as c:
        n0 = c.nodes[0]
        await n0.ingest(workload_json(500, seed=21, now_ms=int(time.time() * 1000)))
        with trio.fail_after(60):
            for node in c.nodes:
                await node.consensus.wait_commits(1)
        bid = next(iter(committed_ids(n0)))
        assert len(n0.store.get_block(bid).payload) > tiny.gossip_payload_max
        for node in c.nodes[1:]:
            assert node.store.get_block(bid).payload == n0.store.get_block(bid).payload
            assert node.metrics.sync_requests.labels("out", "Get")._value.get() >= 1


async def test_a_restarted_proposer_catches_up_before_its_first_block(tmp_path):
    """A proposer that was down while the others committed more than ``max_view_lag`` blocks
    names the view the validators hold in its first block after the restart: proposing on the
    view it stopped with spent a slot and its records on a block every validator rejects
    (session 33's crash-restart runs)."""
    lag = 2
    small = {"window": 4, "block_max_records": 4, "ship_share": 1.0}  # a block per 4 records
    async with open_cluster(tmp_path, genesis_kw={"max_view_lag": lag, "min_block_importance": 0.0},
                            node_kw=lambda i: {"pipeline": small}) as c:
        n0, down = c.nodes[0], c.nodes[3]
        await c.stop_node(down)
        c.nodes.remove(down)
        await n0.ingest(workload_json(60, seed=21, now_ms=int(time.time() * 1000)))
        with trio.fail_after(60):
            await n0.consensus.wait_commits(3 * lag)
        back = await c.add_node(down.key, pipeline=small)
        await back.ingest(workload_json(8, seed=22, now_ms=int(time.time() * 1000)))
        await wait_until(back, lambda: back.store.latest_own_block(back.me) is not None, 30, "first block")
        row = back.store.latest_own_block(back.me)
        assert row.seq == 1
        header = decode_signed_header(row.header).header
        # What the validators held when it was proposed (they commit nothing of node 0's
        # meanwhile: node 0's records were all decided before the restart).
        ours = n0.views.current()
        assert ours[c.genesis.proposer_ids.index(n0.me)] > lag
        assert check_view(header, ours, c.genesis).verdict is None
        # Its gossip flows again. A node that stayed may hold its old connection open (a
        # cancelled host need not close its sockets) with pubsub on it: probed dead when the
        # new one opens, then pubsub moves (node/net/host.py; on session 34's code this
        # wait timed out in 3 runs of 4, tests/integration/test_net.py shows it every time).
        with trio.fail_after(30):
            await back.p2p.wait_mesh_peers(back.topics.blocks, 1)
