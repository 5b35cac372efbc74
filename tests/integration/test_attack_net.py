"""Attacks on the networking layer of live nodes (issue 10 findings 2, 11, 14 and the per-peer budget).

Each test attacks a real 4-validator cluster on 127.0.0.1 from a raw libp2p
peer (``open_rogue``: no validators of its own, it publishes anything) and
checks the safe behaviour: the honest network keeps committing, ``status``
answers within 1 s, and the attacker pays (loses standing, is banned).
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import trio
from libp2p.custom_types import TProtocol
from libp2p.peer.id import ID

from node.admin.methods import AdminMethods
from node.core.syncsvc import SYNC_PROTOCOL
from node.net.topics import encode_block_announce
from node.sim.cluster import open_cluster, open_rogue, wait_until, workload_json
from protocol import sync as msg
from protocol.block import Block, SignedHeader, build_block
from protocol.record import Record
from tests.integration.test_attack_support import call_within

pytestmark = pytest.mark.slow

#: Every record ships: these tests are about the network layer, so commits must
#: not depend on how selective the attention model is.
SHIP_ALL = {"ship_share": 1.0, "min_block_importance": 0.0}


def _forged(c, proposer_key, seq: int) -> bytes:
    """A well-formed announce naming ``proposer_key``'s peer id, with a zero signature."""
    recs = [Record.create("alert", proposer_key.peer_id, 1_700_000_000_000 + i, {"v": float(i)})
            for i in range(3)]
    good = build_block(proposer_key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=seq,
                       prev=None, created_ms=1_700_000_000_000 + seq, model_id=c.nodes[0].model_id,
                       records=recs, scores=[0.9] * 3)
    return encode_block_announce(Block(SignedHeader(good.signed.header, bytes(64)), good.payload), 0)


async def _banned_then_cancel(node, peer: str, scope: trio.CancelScope) -> None:
    """Wait until ``node`` refuses ``peer`` (event-driven: wait_peers), then end the race."""
    await node.p2p.wait_peers(lambda _ps: peer in node.p2p.blocked_peers())
    scope.cancel()


async def _read_to_end(stream) -> None:
    """Read a raw stream until the other side closes or resets it."""
    try:
        while await stream.read(4096):
            pass
    except Exception:  # a reset is the expected end here
        pass


async def _status_fast(node) -> None:
    call_within(node.status)  # 1 s of the loop thread's own time (tests/integration/test_attack_support.py)


async def _height(node, proposer: str) -> int:
    return node.status().heights.get(proposer, 0)


async def test_forged_headers_do_not_censor_the_named_proposer(tmp_path):
    """Finding 2: forged headers naming V (and naming the node itself) cost V nothing.

    The old validator spent the *named* proposer's token before checking the
    signature: a sustained flood kept V's bucket (20/s) empty and V's real
    blocks were refused everywhere, for as long as the flood lasted.
    """
    async with open_cluster(tmp_path, genesis_kw=SHIP_ALL) as c:
        victim, me = c.nodes[1], c.nodes[0]
        async with open_rogue(c) as rogue:
            with trio.fail_after(20):
                await rogue.wait_mesh_peers(me.topics.blocks, 3)

            # Mostly V; a few naming the node itself (its own publishes must not fail either).
            forged = [_forged(c, me.key if seq % 8 == 0 else victim.key, seq) for seq in range(1, 800)]

            async def flood(worker: int) -> None:
                i = worker
                while True:  # as fast as the rogue can publish, in distinct messages
                    await rogue.publish(me.topics.blocks, forged[i % len(forged)])
                    i += 4
                    await trio.lowlevel.checkpoint()

            async with trio.open_nursery() as nursery:
                for w in range(4):
                    nursery.start_soon(flood, w)
                await trio.sleep(1.0)  # the flood is on before the victims propose
                now = int(time.time() * 1000)
                await victim.ingest(workload_json(300, seed=11, now_ms=now))
                await me.ingest(workload_json(300, seed=12, now_ms=now + 1))
                for node in c.nodes:
                    await wait_until(node, lambda n=node: n.status().heights.get(victim.me, 0) >= 1
                                     and n.status().heights.get(me.me, 0) >= 1, 60,
                                     "the named proposers still commit")
                for node in c.nodes:
                    await _status_fast(node)
                nursery.cancel_scope.cancel()
            # The rogue lost standing wherever its junk arrived, and a sustained flood gets it cut off.
            now_t = trio.current_time()
            hit = [n for n in c.nodes if n.p2p.budget.view(rogue.peer_id, now_t).invalid]
            assert hit
            for n in hit:
                assert n.p2p.budget.standing(rogue.peer_id, now_t) < n.p2p.budget.params.publish_threshold
            with trio.fail_after(30):  # the rogue is banned by at least one of them
                async with trio.open_nursery() as first:
                    for n in hit:
                        first.start_soon(_banned_then_cancel, n, rogue.peer_id, first.cancel_scope)


async def test_junk_flood_is_dropped_unread_and_the_sender_banned(tmp_path):
    """The per-peer budget: junk costs the sender standing until it is disconnected."""
    async with open_cluster(tmp_path, genesis_kw=SHIP_ALL) as c:
        topic = c.nodes[0].topics.votes
        async with open_rogue(c) as rogue:
            with trio.fail_after(20):
                await rogue.wait_mesh_peers(topic, 3)
            with trio.move_on_after(5):
                for i in range(2000):
                    await rogue.publish(topic, b"\x91" + i.to_bytes(2, "big") * 20)
            now_t = trio.current_time()
            hit = [n for n in c.nodes if n.p2p.budget.view(rogue.peer_id, now_t).invalid]
            assert len(hit) >= 3
            with trio.fail_after(30):  # banned by every node it hit
                for n in hit:
                    await n.p2p.wait_peers(lambda _ps, n=n: rogue.peer_id in n.p2p.blocked_peers())
            for n in hit:
                view = n.p2p.budget.view(rogue.peer_id, trio.current_time())
                assert view.banned_until is not None
                with trio.fail_after(15):  # and disconnected
                    await n.p2p.wait_peers(lambda ps: rogue.peer_id not in {p.peer_id for p in ps})
                # Junk was never forwarded: no honest node holds another one at fault.
                for other in c.nodes:
                    assert n.p2p.budget.view(other.me, trio.current_time()).invalid == 0
                # A ban, not a manual block: nothing is persisted, and `peer unblock` does not lift it.
                assert not n.store.list_peers(blocked=True)
                res = await AdminMethods(n).rpc_peer_unblock(rogue.peer_id)
                assert res["still_banned"] is True
                assert rogue.peer_id in n.p2p.blocked_peers()
        now = int(time.time() * 1000)
        await c.nodes[2].ingest(workload_json(300, seed=5, now_ms=now))
        with trio.fail_after(60):
            for node in c.nodes:
                await node.consensus.wait_commits(1)
                await _status_fast(node)


async def test_one_peer_cannot_deny_sync_to_all(tmp_path):
    """Finding 11: a peer holding many silent sync streams gets its own few slots, no more."""
    async with open_cluster(tmp_path, genesis_kw=SHIP_ALL) as c:
        target = c.nodes[0]
        async with open_rogue(c) as rogue:
            host = rogue._host
            streams = []
            for _ in range(80):
                try:
                    streams.append(await host.new_stream(ID.from_base58(target.me),
                                                         [TProtocol(SYNC_PROTOCOL)]))
                except Exception:
                    break
            assert len(streams) >= 10
            await trio.sleep(0.2)
            # Honest peers are still served, at once.
            for node in c.nodes[1:]:
                with trio.fail_after(10):  # "busy" would come at once, as a NetError
                    raw = await node.p2p.request(target.me, SYNC_PROTOCOL, msg.encode_request(msg.Heads()),
                                                 max_response=msg.MAX_RESPONSE_BYTES)
                assert raw
            view = target.p2p.budget.view(rogue.peer_id, trio.current_time())
            assert view.open_requests <= target.p2p.budget.params.max_open_requests
            assert view.over_budget > 0  # the extra streams were answered "busy" and counted
            await _status_fast(target)
            # The silent streams are cut at the read deadline, freeing even the rogue's slots.
            limit = target.p2p.config.request_read_timeout_s
            with trio.fail_after(limit + 5):
                for s in streams:  # each ends (reset or closed) once the target gave its slot back
                    await _read_to_end(s)
            assert target.p2p.budget.view(rogue.peer_id, trio.current_time()).open_requests == 0


async def test_manual_blocks_survive_a_restart(tmp_path):
    """Finding 14: blocked peers are re-applied after a restart."""
    async with open_cluster(tmp_path, genesis_kw=SHIP_ALL) as c:
        n0, n3 = c.nodes[0], c.nodes[3]
        await AdminMethods(n0).rpc_peer_block(n3.me)
        assert n3.me in n0.p2p.blocked_peers()
        await c.stop_node(n0)
        again = await c.add_node(n0.key, connect_to=1)
        assert n3.me in again.p2p.blocked_peers()
        assert n3.me not in {p.peer_id for p in again.p2p.connected_peers()}
        peers = await AdminMethods(again).rpc_peers()
        assert any(p["peer_id"] == n3.me and p["blocked"] for p in peers)


async def test_publish_is_bounded_when_a_peer_stops_reading():
    """Finding 14: ``_publish`` gives up after ``publish_timeout_s`` instead of hanging."""
    from node.core.daemon import Node

    class Stuck:
        config = SimpleNamespace(publish_timeout_s=0.2)

        async def publish(self, topic, data):
            await trio.sleep_forever()

    fake = SimpleNamespace(p2p=Stuck(), metrics=None)
    with trio.fail_after(2):
        await Node._publish(fake, "/attnshare/t/blocks/1", b"x")  # returns: logged, not raised


async def test_a_sybil_crowd_shares_one_strangers_budget(tmp_path):
    """Sybils (fresh key pairs, all from 127.0.0.1) once got a full budget each: 16 of
    them holding 4 silent sync streams apiece took all 64 serving slots, and honest
    validators were answered "busy". Now they get a few connections (per /24) and
    share one strangers' pool (8 open requests); validators keep their own."""
    import os
    from contextlib import AsyncExitStack

    from node.net import NetConfig, NetError, open_p2p

    strict = NetConfig(prefix_caps_on_loopback=True)  # everyone here is on 127.0.0.1
    async with open_cluster(tmp_path, genesis_kw=SHIP_ALL, node_kw=lambda i: {"net": strict}) as c, \
            AsyncExitStack() as stack:
        target = c.nodes[0]
        sybils = []
        for _ in range(20):
            sybil = await stack.enter_async_context(open_p2p(os.urandom(32), NetConfig()))
            try:
                await sybil.connect(target.p2p.addrs()[0])
            except NetError:
                continue  # refused at the handshake: too many strangers from 127.0.0.0/24
            sybils.append(sybil)
        assert len(sybils) <= target.p2p.config.max_inbound_strangers_per_prefix

        async def hold_streams(sybil) -> None:
            # Four silent sync streams at all times: each is re-opened as soon as the
            # target cuts it (read deadline) or answers "busy".
            slots = trio.Semaphore(4)

            async def one() -> None:
                try:
                    stream = await sybil._host.new_stream(ID.from_base58(target.me),
                                                          [TProtocol(SYNC_PROTOCOL)])
                    await _read_to_end(stream)
                except Exception:
                    await trio.sleep(0.1)
                finally:
                    slots.release()

            async with trio.open_nursery() as streams:
                while True:
                    await slots.acquire()
                    streams.start_soon(one)

        budget = target.p2p.budget
        async with trio.open_nursery() as flood:
            for sybil in sybils:
                flood.start_soon(hold_streams, sybil)
            with trio.fail_after(20):  # the crowd holds the whole strangers' pool
                await target.p2p.wait_requests(lambda: budget.pool_view(trio.current_time()).open_requests
                                               >= budget.pool_open_requests)
            for node in c.nodes[1:]:  # honest validators are served at once
                with trio.fail_after(10):
                    raw = await node.p2p.request(target.me, SYNC_PROTOCOL, msg.encode_request(msg.Heads()),
                                                 max_response=msg.MAX_RESPONSE_BYTES)
                assert raw
                assert budget.view(node.me, trio.current_time()).over_budget == 0
            assert budget.pool_view(trio.current_time()).over_budget > 0  # the crowd was refused
            now = int(time.time() * 1000)
            await c.nodes[1].ingest(workload_json(300, seed=21, now_ms=now))
            with trio.fail_after(60):
                for node in c.nodes:
                    await node.consensus.wait_commits(1)
            await _status_fast(target)
            flood.cancel_scope.cancel()
