"""node.net against real py-libp2p hosts on 127.0.0.1 (one process, trio)."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
import trio
from libp2p.custom_types import TProtocol
from libp2p.network.stream.exceptions import StreamError
from libp2p.peer.id import ID
from libp2p.pubsub.pb import rpc_pb2
from libp2p.utils.varint import encode_varint_prefixed

from node.net import (
    P2P,
    MessageRejected,
    MessageTooLarge,
    NetConfig,
    NetError,
    open_p2p,
)
from protocol.errors import ConfigError, DecodeError, LocalError
from protocol.keys import PrivateKey

TOPIC = "/attnshare/test/blocks/1"
DEADLINE_S = 20  # generous: the 2-core CI box runs other suites alongside


def seed(i: int) -> bytes:
    return bytes([i + 1]) * 32


@asynccontextmanager
async def open_nodes(n: int, config: NetConfig | None = None) -> AsyncIterator[list[P2P]]:
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(open_p2p(seed(i), config or NetConfig()))
            for i in range(n)
        ]


async def connect_line(nodes: list[P2P]) -> None:
    for a, b in zip(nodes, nodes[1:], strict=False):
        await b.connect(a.addrs()[0])


async def wait_line_mesh(nodes: list[P2P], topic: str = TOPIC) -> None:
    last = len(nodes) - 1
    for i, node in enumerate(nodes):
        await node.wait_mesh_peers(topic, 1 if i in (0, last) else 2)


async def receive_until(chan: trio.MemoryReceiveChannel[tuple[str, bytes]], marker: bytes
                        ) -> list[tuple[str, bytes]]:
    """Everything received up to and including ``marker``."""
    got = []
    while True:
        item = await chan.receive()
        got.append(item)
        if item[1] == marker:
            return got


def port_of(addr: str) -> int:
    parts = addr.split("/")
    return int(parts[parts.index("tcp") + 1])


def port_is_free(port: int) -> bool:
    # SO_REUSEADDR: TIME_WAIT leftovers of closed connections are fine, a
    # listening socket is not.
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
    return True


# ---------------------------------------------------------------- identity
async def test_peer_id_is_derived_from_seed() -> None:
    async with open_p2p(seed(7), NetConfig()) as node:
        assert node.peer_id == PrivateKey(seed(7)).peer_id
        assert node.addrs()
        assert all(a.startswith("/ip4/127.0.0.1/tcp/") for a in node.addrs())
        assert all(a.endswith(f"/p2p/{node.peer_id}") for a in node.addrs())


# ------------------------------------------------------------------ gossip
async def test_gossipsub_runs_with_our_settings_not_libp2p_defaults() -> None:
    # Reaches into the adapter on purpose: these defaults silently lose
    # messages (shared/notes/libp2p.md), so a regression must fail loudly.
    async with open_nodes(2) as (a, b):
        await a.subscribe(TOPIC, None)
        await b.subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            await b.connect(a.addrs()[0])
            await a.wait_mesh_peers(TOPIC, 1)
        router = a._gossip.router
        assert router.heartbeat_interval == 1.0
        assert [str(p) for p in router.protocols] == ["/meshsub/1.1.0", "/meshsub/1.0.0"]
        assert set(map(str, router.peer_protocol.values())) == {"/meshsub/1.1.0"}
        assert not router.spam_protection_enabled
        assert not router.adaptive_gossip_enabled
        assert not router.do_px
        assert a._gossip.pubsub.strict_signing
        # Peer scoring with finite thresholds, driven by the budget's standing.
        params = router.scorer.params
        budget = a.budget.params
        assert (params.gossip_threshold, params.publish_threshold) == (
            budget.gossip_threshold, budget.publish_threshold)
        assert params.graylist_threshold > -1e9
        assert params.p6_appl_slack_weight == 1.0
        assert params.p5_behavior_penalty_weight > 0  # libp2p's GRAFT/IHAVE/IWANT spam penalties count
        # libp2p's default of 10 async validations for the whole node would let
        # one peer's queued messages hold every slot.
        assert a._gossip.pubsub._validator_semaphore.value >= 1024
        assert a._gossip.pubsub.validation_timeout == a.config.validation_timeout_s


async def test_line_of_four_delivers_everything_including_a_burst() -> None:
    burst = 200
    async with open_nodes(4) as nodes:
        chans = [await n.subscribe(TOPIC, None) for n in nodes]
        with trio.fail_after(DEADLINE_S):
            await connect_line(nodes)
            await wait_line_mesh(nodes)

            await nodes[3].publish(TOPIC, b"from the far end")
            for chan in chans:
                assert await chan.receive() == (nodes[3].peer_id, b"from the far end")

            # 1 KiB messages as fast as publish() lets us: back-pressure, not drops.
            sent = [i.to_bytes(4, "big") + bytes(1020) for i in range(burst)]
            for data in sent:
                await nodes[0].publish(TOPIC, data)
            for chan in chans:
                received = [await chan.receive() for _ in range(burst)]
                assert sorted(d for _, d in received) == sent
                assert {origin for origin, _ in received} == {nodes[0].peer_id}

        for node in nodes:
            total = node.statistics().total()
            assert total.deliveries == burst + 1
            assert total.drops == 0
            assert total.send_drops == 0
        assert nodes[0].statistics().topics[TOPIC].publishes == burst
        # The middle nodes forwarded every message once, to their one other neighbour.
        assert nodes[1].statistics().topics[TOPIC].messages_out >= burst


async def test_identical_content_is_delivered_once() -> None:
    async with open_nodes(3) as nodes:
        chans = [await n.subscribe(TOPIC, None) for n in nodes]
        with trio.fail_after(DEADLINE_S):
            await connect_line(nodes)
            await wait_line_mesh(nodes)
            await nodes[0].publish(TOPIC, b"same bytes")
            await nodes[0].publish(TOPIC, b"same bytes")  # same publisher again
            await nodes[1].publish(TOPIC, b"same bytes")  # other publishers: the id is
            await nodes[2].publish(TOPIC, b"same bytes")  # the content, not the sender
            await nodes[0].publish(TOPIC, b"marker")
            for chan in chans:
                got = [data for _, data in await receive_until(chan, b"marker")]
                assert got.count(b"same bytes") == 1
        for node in nodes:
            assert node.statistics().topics[TOPIC].deliveries == 2


async def test_a_restarted_node_is_not_taken_for_an_equivocator() -> None:
    # libp2p 0.8.1 numbers a node's messages from the wall clock in seconds: a node that
    # published more messages than seconds passed before its restart reused its old seqnos with
    # other content, and relays took them for equivocation: not forwarded, the node's score cut
    # by 100 each (session 33: a validator restarted under load never got its next block to the
    # others). Ours start in nanoseconds. b publishes through relay a to listener c.
    async with open_nodes(2) as (a, c):
        await a.subscribe(TOPIC, None)
        chan = await c.subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            await c.connect(a.addrs()[0])
            await c.wait_mesh_peers(TOPIC, 1)
        for run in range(2):
            async with open_p2p(seed(5), NetConfig()) as b:
                await b.subscribe(TOPIC, None)
                with trio.fail_after(DEADLINE_S):
                    await b.connect(a.addrs()[0])
                    await b.wait_mesh_peers(TOPIC, 1)
                    sent = [f"run {run} message {i}".encode() for i in range(50)]
                    for data in sent:
                        await b.publish(TOPIC, data)
                    assert [await chan.receive() for _ in sent] == [(b.peer_id, d) for d in sent]
        assert c.statistics().total().deliveries == 100


async def test_validator_rejection_stops_propagation() -> None:
    def no_bad(origin: str, data: bytes) -> bool:
        return not data.startswith(b"bad")

    async with open_nodes(3) as nodes:
        first = await nodes[0].subscribe(TOPIC, None)
        await nodes[1].subscribe(TOPIC, no_bad)
        last = await nodes[2].subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            await connect_line(nodes)
            await wait_line_mesh(nodes)
            await nodes[0].publish(TOPIC, b"bad block")
            await nodes[0].publish(TOPIC, b"good block")
            got = await receive_until(last, b"good block")
            assert [d for _, d in got] == [b"good block"]
            assert [d for _, d in await receive_until(first, b"good block")] == [
                b"bad block", b"good block"]
        stats = nodes[1].statistics().topics[TOPIC]
        assert stats.rejected == 1
        assert stats.deliveries == 1


async def test_publish_refuses_what_our_own_validator_rejects() -> None:
    async with open_p2p(seed(0), NetConfig()) as node:
        await node.subscribe(TOPIC, lambda origin, data: data != b"nope")
        with pytest.raises(MessageRejected):
            await node.publish(TOPIC, b"nope")
        with pytest.raises(LocalError):
            await node.subscribe(TOPIC, None)


async def test_publish_size_cap_is_ours_not_a_silent_drop() -> None:
    async with open_nodes(2) as nodes:
        await nodes[0].subscribe(TOPIC, None)
        chan = await nodes[1].subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            await connect_line(nodes)
            await wait_line_mesh(nodes)
            with pytest.raises(MessageTooLarge):
                await nodes[0].publish(TOPIC, bytes(1 << 20))
            # Just under the cap once libp2p's envelope is added: delivered.
            big = b"\x01" * ((1 << 20) - 2048)
            await nodes[0].publish(TOPIC, big)
            assert await chan.receive() == (nodes[0].peer_id, big)


async def test_big_messages_replayed_to_a_new_peer_arrive_intact() -> None:
    # On connect libp2p replays its recent-message cache straight onto the new
    # peer's stream while its send loop writes GRAFTs to the same stream; with
    # messages bigger than a yamux window the two used to interleave.
    big = [bytes([i]) * 600_000 for i in (1, 2)]
    async with open_nodes(2) as (a, b):
        await a.subscribe(TOPIC, None)
        chan = await b.subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            for data in big:
                await a.publish(TOPIC, data)
            await b.connect(a.addrs()[0])
            got = {(await chan.receive())[1] for _ in big}
        assert got == set(big)


async def test_garbage_on_a_pubsub_stream_cannot_take_a_host_down() -> None:
    async with open_nodes(3) as (victim, attacker, honest):
        chan = await victim.subscribe(TOPIC, None)
        await honest.subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            await attacker.connect(victim.addrs()[0])
            await honest.connect(victim.addrs()[0])
            await victim.wait_mesh_peers(TOPIC, 1)
            await honest.wait_mesh_peers(TOPIC, 1)
            # Reach under the facade to misbehave: a pubsub RPC that is not protobuf.
            stream = await attacker._host.new_stream(
                ID.from_base58(victim.peer_id), [TProtocol("/meshsub/1.1.0")])
            await stream.write(encode_varint_prefixed(b"\xff" * 64))
            # The victim answers by resetting the stream (it used to crash).
            with pytest.raises(StreamError):
                await stream.read(1)
            await honest.publish(TOPIC, b"still alive")
            assert await chan.receive() == (honest.peer_id, b"still alive")


# -------------------------------------------------------- request/response
PROTO = "/attnshare/test/echo/1.0.0"


async def test_request_response_limits_and_failing_handlers() -> None:
    async def handler(peer: str, data: bytes) -> bytes:
        if data == b"crash":
            raise RuntimeError("handler bug")
        if data == b"refuse":
            raise DecodeError("malformed request")
        if data == b"forge-log":
            raise DecodeError("x\n2026-01-01 INFO attnshare: forged line \x1b[31m")
        if data == b"big":
            return bytes(10_000)
        return peer.encode() + b":" + data.upper()

    async with open_nodes(2) as (server, client):
        server.set_handler(PROTO, handler)
        with trio.fail_after(DEADLINE_S):
            await client.connect(server.addrs()[0])
            answer = await client.request(server.peer_id, PROTO, b"hello", max_response=1024)
            assert answer == client.peer_id.encode() + b":HELLO"

            with pytest.raises(MessageTooLarge):
                await client.request(server.peer_id, PROTO, b"big", max_response=1024)
            assert len(await client.request(server.peer_id, PROTO, b"big",
                                            max_response=10_000)) == 10_000

            with pytest.raises(NetError, match="internal error"):
                await client.request(server.peer_id, PROTO, b"crash", max_response=1024)
            with pytest.raises(NetError, match="malformed request"):
                await client.request(server.peer_id, PROTO, b"refuse", max_response=1024)
            with pytest.raises(NetError) as err:  # a peer's text cannot forge our log lines
                await client.request(server.peer_id, PROTO, b"forge-log", max_response=1024)
            assert "forged line" in str(err.value)
            assert not any(ch in str(err.value) for ch in "\n\r\x1b")
            with pytest.raises(NetError):
                await client.request(server.peer_id, "/attnshare/test/none/1", b"x",
                                     max_response=1024)
            with pytest.raises(MessageTooLarge):
                await client.request(server.peer_id, PROTO, bytes((1 << 20) + 1),
                                     max_response=1024)

            # The host survived all of it.
            assert await client.request(server.peer_id, PROTO, b"again", max_response=1024) \
                == client.peer_id.encode() + b":AGAIN"
            assert [p.peer_id for p in client.connected_peers()] == [server.peer_id]
        stats = client.statistics()
        assert stats.requests_out == 8  # the oversized request never left
        assert stats.request_failures == 5
        assert server.statistics().requests_in == 7


async def test_request_to_unknown_or_malformed_peer_is_a_net_error() -> None:
    async with open_p2p(seed(0), NetConfig()) as node:
        with trio.fail_after(DEADLINE_S):
            with pytest.raises(NetError):
                await node.request(PrivateKey(seed(9)).peer_id, PROTO, b"x", max_response=10)
            with pytest.raises(NetError):
                await node.request("not-a-peer-id", PROTO, b"x", max_response=10)
            with pytest.raises(NetError):
                await node.connect("/ip4/127.0.0.1/tcp/1")  # no /p2p/ part
            with pytest.raises(NetError):
                await node.connect(f"/ip4/127.0.0.1/tcp/1/p2p/{PrivateKey(seed(9)).peer_id}")


# ------------------------------------------------------------------- peers
async def wait_disconnected(a: P2P, b: P2P) -> None:
    await a.wait_peers(lambda peers: b.peer_id not in {p.peer_id for p in peers})


async def test_block_peer_partitions_until_unblocked() -> None:
    async with open_nodes(2) as (a, b):
        a.set_handler(PROTO, lambda peer, data: _echo(data))
        with trio.fail_after(DEADLINE_S):
            assert await b.connect(a.addrs()[0]) == a.peer_id
            await a.block_peer(b.peer_id)
            assert a.blocked_peers() == [b.peer_id]
            await wait_disconnected(a, b)
            await wait_disconnected(b, a)

            with pytest.raises(NetError):
                await a.connect(b.addrs()[0])
            with pytest.raises(NetError):
                await a.request(b.peer_id, PROTO, b"x", max_response=10)
            # Inbound is refused at a's handshake: b's dial or its request fails.
            with pytest.raises(NetError):
                await connect_and_ask(b, a)
            await wait_disconnected(a, b)

            a.unblock_peer(b.peer_id)
            assert await b.connect(a.addrs()[0]) == a.peer_id
            assert await b.request(a.peer_id, PROTO, b"x", max_response=10) == b"x"
            assert b.peer_id in {p.peer_id for p in a.connected_peers()}


async def connect_and_ask(client: P2P, server: P2P) -> bytes:
    await client.connect(server.addrs()[0])
    return await client.request(server.peer_id, PROTO, b"x", max_response=10)


async def _echo(data: bytes) -> bytes:
    await trio.lowlevel.checkpoint()
    return data


async def test_connected_peers_report_latency() -> None:
    async with open_nodes(2, NetConfig(ping_interval_s=0.2)) as (a, b):
        with trio.fail_after(DEADLINE_S):
            await b.connect(a.addrs()[0])
            # Both sides measure, the dialled side through its ping loop.
            for node, other in ((a, b), (b, a)):
                await node.wait_peers(lambda peers, other=other: any(
                    p.peer_id == other.peer_id and p.latency_ms is not None for p in peers))
                (info,) = node.connected_peers()
                assert info.peer_id == other.peer_id
                assert info.latency_ms is not None
                assert 0 < info.latency_ms < DEADLINE_S * 1000
                assert any(a.startswith("/ip4/127.0.0.1/tcp/") for a in info.addrs)


# ------------------------------------------------------- dead connections
class SilentRelay:
    """A TCP relay to ``port`` that can go silent without closing anything.

    What a NAT that dropped the flow, or a frozen machine, looks like from the
    far end: the connection stays open and nothing more comes through.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self._silent = trio.Event()

    def silence(self) -> None:
        self._silent.set()

    async def serve(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        task_status.started(listeners[0].socket.getsockname()[1])
        await trio.serve_listeners(self._relay, listeners)

    async def _relay(self, client: trio.SocketStream) -> None:
        server = await trio.open_tcp_stream("127.0.0.1", self._port)

        async def pump(src: trio.SocketStream, dst: trio.SocketStream) -> None:
            while not self._silent.is_set():
                data = await src.receive_some(65536)
                if not data or self._silent.is_set():
                    break
                await dst.send_all(data)
            await trio.sleep_forever()  # silent: hold both sockets open, pass nothing

        async with client, server, trio.open_nursery() as nursery:
            nursery.start_soon(pump, client, server)
            nursery.start_soon(pump, server, client)


async def test_a_peer_back_on_a_new_connection_gets_gossip_again() -> None:
    # py-libp2p kept pubsub on a peer's first connection: when the peer came back on a
    # new one while the old stayed open (silent), Pubsub._handle_new_peer skipped it as
    # registered, a's subscriptions never reached it, and its messages reached nobody
    # (session 34, a restarted proposer in one process). a now probes the old connection
    # when the new one opens, closes it, and moves pubsub to the live one.
    async with open_nodes(1) as (a,), trio.open_nursery() as nursery:
        at_a = await a.subscribe(TOPIC, None)
        relay = SilentRelay(port_of(a.addrs()[0]))
        port = await nursery.start(relay.serve)
        with trio.fail_after(DEADLINE_S):
            async with open_p2p(seed(5), NetConfig()) as b:
                await b.subscribe(TOPIC, None)
                await b.connect(f"/ip4/127.0.0.1/tcp/{port}/p2p/{a.peer_id}")
                await b.wait_mesh_peers(TOPIC, 1)
                relay.silence()  # a's connection goes silent; b's side closes as b stops
        async with open_p2p(seed(5), NetConfig()) as b:
            at_b = await b.subscribe(TOPIC, None)
            with trio.fail_after(DEADLINE_S):
                await b.connect(a.addrs()[0])
                await b.wait_mesh_peers(TOPIC, 1)  # a's subscription came on the new connection
                await a.wait_mesh_peers(TOPIC, 1)
                await a.publish(TOPIC, b"to b")
                assert await at_b.receive() == (a.peer_id, b"to b")
                await b.publish(TOPIC, b"to a")
                assert (await receive_until(at_a, b"to a"))[-1] == (b.peer_id, b"to a")
            assert a.statistics().dead_connections == 1
            assert len(a._host.get_network().get_connections(ID.from_base58(b.peer_id))) == 1
        nursery.cancel_scope.cancel()


async def test_a_failed_pubsub_write_moves_the_peer_to_a_new_stream() -> None:
    # libp2p's send loop ended quietly on a failed write and left the peer registered on the
    # dead stream: every later message to it was queued for nobody.
    async with open_nodes(2) as (a, b):
        await a.subscribe(TOPIC, None)
        at_b = await b.subscribe(TOPIC, None)
        with trio.fail_after(DEADLINE_S):
            await b.connect(a.addrs()[0])
            await a.wait_mesh_peers(TOPIC, 1)
            await b.wait_mesh_peers(TOPIC, 1)
            pubsub = a._gossip.pubsub
            dead = pubsub.peers[ID.from_base58(b.peer_id)]
            await dead.reset()
            await a.publish(TOPIC, b"lost")  # its write fails: the peer is re-registered
            await a.publish(TOPIC, b"after")
            got = await receive_until(at_b, b"after")
            assert got[-1] == (a.peer_id, b"after")
            assert pubsub.peers[ID.from_base58(b.peer_id)] is not dead


async def test_garbage_in_a_protocol_negotiation_is_a_net_error_not_a_crash() -> None:
    # libp2p decodes a peer's multistream answer unchecked: invalid UTF-8 raised
    # UnicodeDecodeError out of our latency ping's task and took the whole host down
    # (review of session 35); requests and the dead-connection probe negotiate the same way.
    async with open_nodes(2, NetConfig(ping_interval_s=0.2)) as (a, m):
        async def garbage(communicator: object, *_: object) -> None:
            await communicator.read_writer.write(encode_varint_prefixed(b"\xff\xfe\n"))  # type: ignore[attr-defined]
            await trio.sleep(30)

        m._host.multiselect.negotiate = garbage  # m answers every stream a opens with garbage
        with trio.fail_after(DEADLINE_S):
            await m.connect(a.addrs()[0])
            with pytest.raises(NetError, match="negotiation failed"):
                await a.request(m.peer_id, PROTO, b"x", max_response=10)
            await trio.sleep(1.0)  # a's pings meet the garbage too (every 0.2 s)
        assert m.peer_id in {p.peer_id for p in a.connected_peers()}


async def test_a_restarted_peers_old_topics_do_not_linger() -> None:
    # A peer's subscriptions now live with the stream that announced them: kept while any
    # of its streams lived, the restarted b stayed subscribed (and in a's mesh) on a topic
    # only its previous run had (review of session 35).
    old = "/attnshare/test/old-topic/1"
    async with open_nodes(1) as (a,), trio.open_nursery() as nursery:
        await a.subscribe(TOPIC, None)
        await a.subscribe(old, None)
        relay = SilentRelay(port_of(a.addrs()[0]))
        port = await nursery.start(relay.serve)
        with trio.fail_after(DEADLINE_S):
            async with open_p2p(seed(5), NetConfig()) as b:
                await b.subscribe(TOPIC, None)
                await b.subscribe(old, None)
                await b.connect(f"/ip4/127.0.0.1/tcp/{port}/p2p/{a.peer_id}")
                await b.wait_mesh_peers(old, 1)
                relay.silence()
        async with open_p2p(seed(5), NetConfig()) as b:  # back without the old topic
            await b.subscribe(TOPIC, None)
            with trio.fail_after(DEADLINE_S):
                await b.connect(a.addrs()[0])
                # the old connection's probe (5 s) ends with a peers-changed pulse
                await a.wait_peers(lambda _: a.statistics().dead_connections >= 1)
                await a.wait_mesh_peers(TOPIC, 1)
            assert ID.from_base58(b.peer_id) not in a._gossip.pubsub.peer_topics.get(old, set())
            assert a.mesh_peers(old) == []
        nursery.cancel_scope.cancel()


async def test_a_huge_length_prefix_does_not_drain_the_strangers_budget() -> None:
    # An RPC's length prefix is charged to the sender's budget before its body is read; a
    # 10-byte varint claimed about 2^64 bytes, the strangers' shared budget went to -1.8e19
    # and no stranger's message was read again. Charged at most libp2p's cap now.
    async with open_nodes(1) as (a,):
        at_a = await a.subscribe(TOPIC, None)
        async with open_p2p(seed(6), NetConfig()) as b:
            with trio.fail_after(DEADLINE_S):
                await b.connect(a.addrs()[0])
                raw = await b._host.new_stream(ID.from_base58(a.peer_id), [TProtocol("/meshsub/1.1.0")])
                await raw.write(bytes([0xFF] * 9 + [0x01]))  # a length prefix of about 2^63
                await trio.sleep(0.5)
        async with open_p2p(seed(7), NetConfig()) as c:  # another stranger, honest
            await c.subscribe(TOPIC, None)
            with trio.fail_after(DEADLINE_S):
                await c.connect(a.addrs()[0])
                await c.wait_mesh_peers(TOPIC, 1)
                await c.publish(TOPIC, b"hello")
                assert (await receive_until(at_a, b"hello"))[-1] == (c.peer_id, b"hello")


async def test_a_peer_cannot_pin_more_topic_names_than_libp2p_keeps() -> None:
    # Each of a peer's streams remembers the topics it announced (what the peer stays
    # subscribed to while the stream lives); libp2p keeps at most max_subscriptions_per_peer
    # of them, and the stream's set held every name sent (5,000 of 200 bytes: 1 MiB).
    async with open_nodes(2) as (a, b):
        with trio.fail_after(DEADLINE_S):
            await b.connect(a.addrs()[0])
            raw = await b._host.new_stream(ID.from_base58(a.peer_id), [TProtocol("/meshsub/1.1.0")])
            def name(batch: int, i: int) -> str:
                return f"junk-{batch}-{i}-" + "x" * 200

            for batch in range(20):
                rpc = rpc_pb2.RPC(subscriptions=[rpc_pb2.RPC.SubOpts(subscribe=True, topicid=name(batch, i))
                                                 for i in range(100)])
                await raw.write(encode_varint_prefixed(rpc.SerializeToString()))
            # Last on the stream, so read after all of the above: one kept name dropped.
            last = rpc_pb2.RPC(subscriptions=[rpc_pb2.RPC.SubOpts(subscribe=False, topicid=name(0, 0))])
            await raw.write(encode_varint_prefixed(last.SerializeToString()))
            pubsub = a._gossip.pubsub
            pid = ID.from_base58(b.peer_id)

            def kept() -> int:
                return sum(pid in peers for peers in pubsub.peer_topics.values())

            for _ in range(200):  # until the unsubscribe is read (polled: no event tells it)
                if name(0, 0) not in pubsub.peer_topics and kept() == pubsub.max_subscriptions_per_peer - 1:
                    break
                await trio.sleep(0.05)
            assert kept() == pubsub.max_subscriptions_per_peer - 1
            assert sum(len(t) for t in pubsub._inbound[pid]) == kept()


async def test_a_peer_that_answers_no_pings_is_disconnected() -> None:
    # With the silent connection open, a counted b connected and never redialled it.
    config = NetConfig(ping_interval_s=0.2, ping_failures_to_drop=1)
    async with open_nodes(1, config) as (a,), trio.open_nursery() as nursery:
        relay = SilentRelay(port_of(a.addrs()[0]))
        port = await nursery.start(relay.serve)
        async with open_p2p(seed(5), NetConfig()) as b:
            with trio.fail_after(DEADLINE_S):
                await b.connect(f"/ip4/127.0.0.1/tcp/{port}/p2p/{a.peer_id}")
                await a.wait_peers(lambda peers: len(peers) == 1)
                relay.silence()
                await a.wait_peers(lambda peers: not peers)  # 5 s: one ping's bound
            assert a.statistics().dead_connections == 1
        nursery.cancel_scope.cancel()


# -------------------------------------------------------------- lifecycle
async def test_a_peer_that_stops_reading_does_not_stall_publishing_to_the_others() -> None:
    """A subscriber whose connection goes silent (a frozen host; or one that read the code and answers
    pings on another connection). Its outbound queue fills once the TCP buffers do, and publish waited
    for every subscriber's queue to have room: every publish on the topic stalled, for every peer,
    until the silent one was dropped; the daemon's 5 s bound on a publish then dropped each message for
    everyone. Found with a validator paused 60 s under the default ping settings: the other three
    committed nothing for 28 s. Now a queue that stays full for ``send_stall_s`` without draining to
    half is not waited for; libp2p drops what does not fit for that peer alone. One that stays so for
    ``send_stall_drop_s`` is disconnected, whatever its pings say."""
    # Pings never drop c here: only the gossip queue's own rules are tried.
    quiet = NetConfig(ping_failures_to_drop=0, send_stall_drop_s=4.0)
    async with open_nodes(2, quiet) as (a, b), trio.open_nursery() as nursery:
        at_b = await b.subscribe(TOPIC, None)
        await a.subscribe(TOPIC, None)
        relay = SilentRelay(port_of(a.addrs()[0]))
        port = await nursery.start(relay.serve)
        async with open_p2p(seed(7), quiet) as c:
            await c.subscribe(TOPIC, None)
            with trio.fail_after(DEADLINE_S):
                await b.connect(a.addrs()[0])
                await c.connect(f"/ip4/127.0.0.1/tcp/{port}/p2p/{a.peer_id}")
                await a.wait_mesh_peers(TOPIC, 2)
                relay.silence()
                # 24 MiB: far more than the kernel's buffers between a and the silent relay hold.
                sent = [i.to_bytes(4, "big") + bytes(512 * 1024 - 4) for i in range(48)]
                for data in sent:
                    await a.publish(TOPIC, data)
                got = [await at_b.receive() for _ in sent]
                assert [d for _, d in got] == sent
                stats = a.statistics()
                assert stats.send_stalls == 1
                assert stats.total().send_drops > 0  # what c could not take was dropped for c alone
                assert c.peer_id in {p.peer_id for p in a.connected_peers()}
                await a.wait_peers(lambda ps: c.peer_id not in {p.peer_id for p in ps})
            assert a.statistics().dead_connections == 1
            with trio.fail_after(DEADLINE_S):  # its clock goes with it, once the drop is done
                await a.wait_peers(lambda _: not (a._gossip.pubsub.unwritten_since or a._gossip.pubsub.stalled))
        nursery.cancel_scope.cancel()


async def test_clean_shutdown_leaves_no_thread_or_listener() -> None:
    before = set(threading.enumerate())
    async with open_nodes(2) as nodes:
        chans = [await n.subscribe(TOPIC, None) for n in nodes]
        with trio.fail_after(DEADLINE_S):
            await connect_line(nodes)
            await wait_line_mesh(nodes)
            await nodes[0].publish(TOPIC, b"x")
            await chans[1].receive()
        ports = [port_of(n.addrs()[0]) for n in nodes]
        assert not any(port_is_free(p) for p in ports)
        assert len(set(threading.enumerate()) - before) == 2  # one seen-cache sweeper each
    assert set(threading.enumerate()) - before == set()
    assert all(port_is_free(p) for p in ports)


async def test_exception_in_body_propagates_unwrapped() -> None:
    with pytest.raises(KeyError, match="boom"):
        async with open_p2p(seed(0), NetConfig()):
            raise KeyError("boom")


@pytest.mark.parametrize(
    "bad",
    [
        NetConfig(listen_addrs=()),
        NetConfig(listen_addrs=("not a multiaddr",)),
        NetConfig(listen_addrs=("/ip4/127.0.0.1/udp/0",)),
        NetConfig(degree=3, degree_low=4),
        NetConfig(max_message_bytes=(1 << 20) + 1),
        NetConfig(send_queue=32),
        NetConfig(send_stall_s=0),
        NetConfig(send_stall_drop_s=0.5),
        NetConfig(send_stall_drop_s=float("nan")),
        NetConfig(heartbeat_s=0),
        NetConfig(subscription_queue=0),
    ],
)
async def test_bad_config_is_refused_before_anything_starts(bad: NetConfig) -> None:
    with pytest.raises(ConfigError):
        async with open_p2p(seed(0), bad):
            pass


# ---------------------------------------------------------------- shutdown
async def test_a_closed_socket_read_while_the_host_shuts_is_a_clean_exit() -> None:
    """py-libp2p's gossipsub tasks can outlive ``host.close()`` and read a listener's address off a
    socket close() just shut (OSError EBADF). After a block that ran clean, that is no failure; the
    same error while the block runs still is."""
    import errno

    from node.net.host import closed_socket_race

    def racing_close(node: P2P) -> None:
        close = node._host.close

        async def close_then_race() -> None:
            await close()
            raise OSError(errno.EBADF, "Bad file descriptor")

        node._host.close = close_then_race  # type: ignore[method-assign]

    async with open_p2p(seed(3), NetConfig()) as node:
        racing_close(node)
    raised: BaseException | None = None
    try:
        async with open_p2p(seed(3), NetConfig()) as node:
            racing_close(node)
            raise RuntimeError("the block's own")
    except BaseException as exc:  # noqa: BLE001 - what the caller sees, whatever it is
        raised = exc
    assert isinstance(raised, RuntimeError), repr(raised)  # the block's error, as raised, not a group
    assert closed_socket_race([OSError(errno.EBADF, "x")])
    assert not closed_socket_race([OSError(errno.ECONNRESET, "x")])
    assert not closed_socket_race([OSError(errno.EBADF, "x"), RuntimeError()])
    assert not closed_socket_race([])
