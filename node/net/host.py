"""The libp2p host: identity, transports, lifecycle, and the :class:`P2P` facade.

Theory of operation
-------------------
:func:`open_p2p` builds one py-libp2p host and everything that hangs off it,
runs it for the duration of the ``async with`` block, and tears it all down
on exit (normal, error or cancellation):

* identity: Ed25519 from the node's 32-byte seed, so the libp2p peer id is
  ``protocol.keys.PrivateKey(seed).peer_id``;
* security: Noise only (py-libp2p also offers plaintext, secio and TLS by
  default; plaintext lets a dialer claim any identity), wrapped by the
  :class:`~node.net.gate.PeerGate` that enforces ``block_peer``;
* muxer: yamux, read through :class:`~node.net.muxgate.StreamGate` (caps
  on new streams, pings, windows and the unread bytes it holds, per
  connection and per node); transport: TCP on ``config.listen_addrs``;
* pubsub: GossipSub as configured in :mod:`node.net.gossip`;
* request/response: :mod:`node.net.streams`;
* libp2p's "auto-connector" is stopped: it dials every peer in the
  peerstore until 150 connections, which would turn a test's line topology
  into a full mesh and redial peers we disconnected on purpose. Which peers
  to dial is the node's decision;
* Happy-Eyeballs delay 0: libp2p waits 250 ms after starting each dial
  before it even looks at the result;
* a task pings every connected peer every ``config.ping_interval_s`` for
  ``PeerInfo.latency_ms``;
* dead connections are closed (py-libp2p keeps a connection until a read or
  write on it fails, and a peer that vanished without closing leaves one that
  answers nothing): when a peer connects again, each of its older connections
  is probed with a ping on that connection and closed if it does not answer,
  and pubsub moves to a live one (:meth:`Gossip.repair`); a peer whose pings
  fail ``config.ping_failures_to_drop`` times in a row is disconnected, so a
  bootstrap peer gets redialled. Why it matters: pubsub stayed on the dead
  connection (``Pubsub._handle_new_peer`` skips a registered peer), so our
  subscriptions never reached the peer's new connection and its messages
  reached nobody, and the swarm's connection choice (libp2p's "best": the
  connection with the most streams) kept sending new streams there;
* libp2p's identify is bounded (:mod:`node.net.identify`): no identify-push
  handler, at most 64 protocols of 256 bytes kept per peer, and a
  stranger's peerstore entry is cleared when its last connection closes;
* the per-peer resource budget (:mod:`node.net.budget`) is shared by the
  gossip gate, the validators' :class:`~node.net.verify.Verifier` and the
  stream server; a task disconnects and refuses a peer whose standing falls
  to ``disconnect_below`` for ``ban_s``, then lets it in again. Those bans
  are separate from ``block_peer``'s manual blocks, which only
  ``unblock_peer`` lifts.

Shutdown order matters (shared/notes/libp2p.md): our tasks are cancelled,
``host.close()`` closes connections and the listener (leaving ``host.run()``
alone leaves the listening socket open), the pubsub services stop, and last
the seen-cache sweeper thread that each Pubsub starts is stopped.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import multiaddr
import trio
from libp2p import new_host
from libp2p.abc import IHost, INetConn, INetStream, INetwork, INotifee
from libp2p.crypto.ed25519 import create_new_key_pair
from libp2p.crypto.x25519 import create_new_key_pair as create_x25519_key_pair
from libp2p.custom_types import TProtocol
from libp2p.network import swarm as libp2p_swarm
from libp2p.network.swarm import Swarm
from libp2p.peer.id import ID
from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.peer.peerstore import PeerStoreError
from libp2p.security.noise.transport import PROTOCOL_ID as NOISE_PROTOCOL_ID
from libp2p.security.noise.transport import Transport as NoiseTransport
from libp2p.stream_muxer.yamux.yamux import PROTOCOL_ID as YAMUX_PROTOCOL_ID
from libp2p.stream_muxer.yamux.yamux import Yamux
from libp2p.tools.anyio_service import background_trio_service

from node.net import identify, inbound, logbridge, muxgate
from node.net.budget import Budget, PeerBudgetView
from node.net.config import NetConfig
from node.net.errors import LIBP2P_ERRORS, MessageTooLarge, NetError, translate_errors
from node.net.gate import PeerGate
from node.net.gossip import _STREAM_DEATHS, Gossip, Validator
from node.net.inbound import InboundGuard, InboundStats
from node.net.inbound import install as install_inbound
from node.net.pulse import Pulse
from node.net.stats import Meter, NetStats, PeerInfo
from node.net.streams import Handler, StreamServer, ping, ping_connection, request
from node.net.verify import Verifier
from protocol.errors import LocalError
from protocol.keys import PrivateKey

log = logging.getLogger(__name__)

_CLOSE_TIMEOUT_S = 10.0  # bound on host.close() (each connection close sleeps 100 ms in libp2p)
_PING_TIMEOUT_S = 5.0
_LATENCY_EWMA = 0.3  # weight of the newest sample
_INBOUND_STALE_S = 15.0  # an admitted inbound connection absent from the swarm this long is over


class _PeerWatch(INotifee):
    """Fires a pulse whenever a connection to any peer opens or closes; ends the
    inbound handler of a connection that closed (:mod:`node.net.inbound`) and
    clears a departed stranger's peerstore entry (:mod:`node.net.identify`)."""

    def __init__(self, pulse: Pulse, guard: InboundGuard | None = None,
                 book: identify.PeerBook | None = None,
                 on_connected: Callable[[INetConn], None] | None = None,
                 on_disconnected: Callable[[INetConn], None] | None = None) -> None:
        self._pulse = pulse
        self._guard = guard
        self._book = book
        self._on_connected = on_connected
        self._on_disconnected = on_disconnected

    async def connected(self, network: INetwork, conn: INetConn) -> None:
        self._pulse.fire()
        if self._on_connected is not None:
            self._on_connected(conn)
        await trio.lowlevel.checkpoint()

    async def disconnected(self, network: INetwork, conn: INetConn) -> None:
        self._pulse.fire()
        secured = getattr(conn.muxed_conn, "secured_conn", None)
        if isinstance(secured, muxgate.StreamGate):
            secured.release()  # yamux dropped its buffers with the connection
        if self._guard is not None:
            self._guard.ended(muxgate.unwrap(secured))
        peer = getattr(conn.muxed_conn, "peer_id", None)
        if self._book is not None and isinstance(peer, ID):
            self._book.forget(peer)  # only a stranger, and only once its last connection is gone
        if self._on_disconnected is not None:
            self._on_disconnected(conn)
        await trio.lowlevel.checkpoint()

    async def opened_stream(self, network: INetwork, stream: INetStream) -> None:
        await trio.lowlevel.checkpoint()

    async def closed_stream(self, network: INetwork, stream: INetStream) -> None:
        await trio.lowlevel.checkpoint()

    async def listen(self, network: INetwork, addr: multiaddr.Multiaddr) -> None:
        await trio.lowlevel.checkpoint()

    async def listen_close(self, network: INetwork, addr: multiaddr.Multiaddr) -> None:
        await trio.lowlevel.checkpoint()


class P2P:
    """A running libp2p node, as the rest of attnshare sees it.

    Every method raises :class:`~node.net.errors.NetError` (or a subclass) for
    anything the network or a peer did, and ``LocalError`` for API misuse; no
    libp2p type or exception crosses this boundary. Callers bound waits with
    ``trio.fail_after`` at the call site.
    """

    def __init__(self, host: IHost, config: NetConfig, gossip: Gossip, gate: PeerGate,
                 meter: Meter, nursery: trio.Nursery, budget: Budget,
                 book: identify.PeerBook | None = None) -> None:
        self._host = host
        self._swarm: Swarm = host.get_network()  # type: ignore[assignment]
        self._config = config
        #: the parameters this host runs with (read-only)
        self.config = config
        self._gossip = gossip
        self._gate = gate
        self._meter = meter
        self._nursery = nursery
        #: the per-peer resource budget (shared with gossip and streams)
        self.budget = budget
        #: runs topic validators' expensive work on the sending peer's budget
        self.verifier = Verifier(budget, threads=config.verify_threads, clock=trio.current_time,
                                 exempt=frozenset({host.get_id().to_base58()}))
        self._manual_blocks: set[str] = set()
        self._streams = StreamServer(host, config, meter, budget)
        self._latency_ms: dict[str, float] = {}
        self._latency_at: dict[str, float] = {}  # trio clock of the last ping attempt
        self._pinging: set[str] = set()  # peers with a ping in flight (at most one each)
        self._ping_failures: dict[str, int] = {}  # failed pings in a row, per peer
        self._dropping: set[ID] = set()  # peers being disconnected for a gossip queue stuck full
        self._ping_out: dict[str, float] = {}  # peers with a ping attempt out: when it started
        self._probing: set[INetConn] = set()  # connections with a liveness probe in flight
        #: connections closed as dead (no answer to a ping), since start
        self.dead_connections = 0
        self._peers_changed = Pulse()
        self._book = book
        self._swarm.register_notifee(_PeerWatch(self._peers_changed, gate.guard, book,
                                                on_connected=self._on_connected,
                                                on_disconnected=self._on_disconnected))
        self.peer_id: str = host.get_id().to_base58()
        #: unread bytes yamux holds, all connections together (node/net/muxgate.py)
        self.held: muxgate.HeldBytes | None = None

    # ------------------------------------------------------------------ peers
    def addrs(self) -> list[str]:
        """Our listen multiaddrs, each ending in ``/p2p/<our peer id>``."""
        suffix = f"/p2p/{self.peer_id}"
        out = []
        for addr in self._host.get_addrs():
            text = str(addr)
            out.append(text if text.endswith(suffix) else text + suffix)
        return out

    async def connect(self, addr: str) -> str:
        """Dial ``addr`` (a multiaddr ending in ``/p2p/<id>``); return the peer id."""
        try:
            info = info_from_p2p_addr(multiaddr.Multiaddr(addr))
        except (ValueError, multiaddr.exceptions.Error) as exc:
            raise NetError(f"connect {addr!r}: not a /p2p/ multiaddr: {exc}") from None
        peer_id = info.peer_id.to_base58()
        if peer_id == self.peer_id:
            raise NetError(f"connect {addr!r}: that is our own address")
        if self._gate.is_blocked(peer_id):
            raise NetError(f"connect {addr!r}: peer {peer_id} is blocked")
        # A peer we chose to dial gets a budget of its own, not the strangers' pool.
        self.budget.add_known([peer_id])
        # libp2p refuses for 60 s to redial a peer whose last dial failed; an
        # explicit connect is exactly the moment to try again.
        self._swarm.unblock_peer(info.peer_id)
        with translate_errors(f"connect {addr}"), inbound.dialing():
            await self._host.connect(info)
        if peer_id not in self._pinging:  # one ping per peer at a time: two would both count
            self._pinging.add(peer_id)
            self._nursery.start_soon(self._measure_once, info.peer_id)
        return peer_id

    def connected_peers(self) -> list[PeerInfo]:
        """Peers with a live connection, with their addresses and latency."""
        peerstore = self._host.get_peerstore()
        out = []
        for pid in self._host.get_connected_peers():
            try:
                addrs = tuple(str(a) for a in peerstore.addrs(pid))
            except PeerStoreError:
                addrs = ()
            text = pid.to_base58()
            out.append(PeerInfo(text, addrs, self._latency_ms.get(text)))
        return out

    async def wait_peers(self, condition: Callable[[list[PeerInfo]], bool]) -> None:
        """Return once ``condition(self.connected_peers())`` holds.

        Re-checked whenever a connection opens or closes or a latency sample
        arrives, e.g. ``await p2p.wait_peers(lambda ps: len(ps) >= 3)``.
        """
        while not condition(self.connected_peers()):
            await self._peers_changed.wait()

    async def block_peer(self, peer_id: str) -> None:
        """Disconnect ``peer_id`` and refuse it, inbound and outbound, until unblocked."""
        _parse_peer_id(peer_id)
        self._manual_blocks.add(peer_id)
        await self._refuse(peer_id)

    async def _refuse(self, peer_id: str) -> None:
        pid = _parse_peer_id(peer_id)
        self._gate.block(peer_id)
        self._peers_changed.fire()  # blocked_peers() changed: wait_peers re-checks
        with translate_errors(f"disconnect {peer_id}"):
            await self._host.disconnect(pid)
        self._latency_ms.pop(peer_id, None)
        self._latency_at.pop(peer_id, None)
        self._ping_failures.pop(peer_id, None)

    def unblock_peer(self, peer_id: str) -> None:
        """Allow ``peer_id`` again (nothing is redialled automatically)."""
        pid = _parse_peer_id(peer_id)
        self._manual_blocks.discard(peer_id)
        if self.budget.is_banned(peer_id, trio.current_time()):
            return  # still serving a ban for misbehaviour; it ends on its own
        self._gate.unblock(peer_id)
        self._swarm.unblock_peer(pid)

    def add_known_peers(self, peer_ids: list[str] | tuple[str, ...]) -> None:
        """Peers (e.g. the genesis validators) that get budgets and inbound
        connections of their own, outside the strangers' pool and caps."""
        self.budget.add_known(peer_ids)

    def inbound_stats(self) -> InboundStats | None:
        """Counters of the inbound connection caps (:mod:`node.net.inbound`)."""
        return self._gate.guard.stats() if self._gate.guard is not None else None

    def _reconcile_inbound(self, now: float) -> None:
        # Belt and braces for the notifee: an admitted inbound connection that
        # is not in the swarm's table some seconds after its handshake (longer
        # than libp2p's 10 s upgrade timeout) is over; end its handler.
        guard = self._gate.guard
        if guard is None:
            return
        live = {id(muxgate.unwrap(getattr(c.muxed_conn, "secured_conn", None)))
                for conns in self._swarm.connections.values() for c in conns}
        for ticket in guard.live():
            if id(ticket.conn) in live or ticket.seen_live is None:
                ticket.seen_live = now
            elif now - ticket.seen_live > _INBOUND_STALE_S and ticket.scope is not None:
                ticket.scope.cancel()

    async def wait_requests(self, condition: Callable[[], bool]) -> None:
        """Return once ``condition()`` holds, re-checked whenever a served request
        takes or gives back a slot or is answered "busy" (tests, tools)."""
        while True:
            changed = self._streams.changed.event()
            if condition():
                return
            await changed.wait()

    def peer_budgets(self) -> list[PeerBudgetView]:
        """Budget use and standing of every connected or banned peer."""
        now = trio.current_time()
        peers = {p.peer_id for p in self.connected_peers()} | self._gate.blocked()
        return [self.budget.view(p, now) for p in sorted(peers)]

    async def _enforce_budget(self) -> None:
        # Bans are decided by the budget (pure bookkeeping); this task carries
        # them out. Once a second is plenty: over-budget traffic is already
        # dropped unread while the ban is pending.
        while True:
            await trio.sleep(1.0)
            now = trio.current_time()
            self._reconcile_inbound(now)
            if self._book is not None:
                self._book.sweep()  # entries a late identify or peer record left behind
            for peer in self.budget.due_bans(now):
                log.warning("peer %s fell to standing %.0f: disconnected and refused for %.0f s",
                            peer, self.budget.standing(peer, now), self.budget.params.ban_s)
                try:
                    await self._refuse(peer)
                except NetError as exc:
                    log.debug("disconnect %s: %s", peer, exc)
            for peer in self.budget.due_unbans(now):
                if peer not in self._manual_blocks:
                    self._gate.unblock(peer)
                    self._swarm.unblock_peer(_parse_peer_id(peer))

    def blocked_peers(self) -> list[str]:
        """Peers currently refused by :meth:`block_peer`."""
        return sorted(self._gate.blocked())

    # ----------------------------------------------------------------- pubsub
    async def subscribe(self, topic: str, validator: Validator | None = None
                        ) -> trio.MemoryReceiveChannel[tuple[str, bytes]]:
        """Join ``topic`` and return a channel of ``(origin peer id, data)``.

        ``validator(origin, data) -> bool`` runs inside libp2p before a message
        is delivered or forwarded; False stops its propagation. It must be a
        cheap, pure check of the bytes (format, signatures): it runs on the
        event loop, and a message it rejected once may arrive again and is
        re-checked. Our own publishes are delivered to us as well. The channel
        holds ``config.subscription_queue`` messages; a consumer that falls
        further behind loses messages (``TopicStats.drops``) rather than stall
        libp2p. Closing the channel leaves the topic. One subscription per
        topic: a second one raises ``LocalError``.
        """
        return await self._gossip.subscribe(topic, validator)

    async def publish(self, topic: str, data: bytes) -> None:
        """Publish ``data`` on ``topic``.

        Waits while any peer subscribed to the topic has ``config.send_queue``
        messages queued (back-pressure instead of libp2p's silent drops), but
        not for a peer whose queue has stayed full for ``config.send_stall_s``
        without draining to half: what does not fit is dropped for that peer
        alone (``send_drops``). The wait is still worth bounding with
        ``trio.fail_after``.
        Raises ``MessageTooLarge`` beyond the pubsub cap, ``MessageRejected``
        if our own validator for the topic rejects ``data``. Publishing bytes
        identical to a message seen in the last ``seen_ttl_s`` is a no-op:
        the message id is the content's hash.
        """
        await self._gossip.publish(topic, data)

    async def wait_mesh_peers(self, topic: str, count: int) -> None:
        """Return once our GossipSub mesh for ``topic`` has ``count`` peers."""
        await self._gossip.wait_mesh_peers(topic, count)

    def mesh_peers(self, topic: str) -> list[str]:
        """Peer ids in our GossipSub mesh for ``topic``."""
        return self._gossip.mesh_peers(topic)

    # -------------------------------------------------------- request/response
    def set_handler(self, protocol_id: str, handler: Handler, max_request: int | None = None) -> None:
        """Serve ``protocol_id``: ``await handler(peer_id, request) -> response``.

        A handler that raises answers the requester with an error (its
        message, for an AttnshareError); it never harms the host. A request
        over ``max_request`` bytes (default and at most
        ``config.max_request_bytes``) is refused before it is read.
        """
        self._streams.set_handler(protocol_id, handler, max_request)

    async def request(self, peer_id: str, protocol_id: str, data: bytes, *,
                      max_response: int) -> bytes:
        """Send ``data`` to ``peer_id`` on a new ``protocol_id`` stream; return the answer.

        Raises ``MessageTooLarge`` if the request exceeds
        ``config.max_request_bytes`` or the response exceeds ``max_response``
        (refused before it is read), ``NetError`` if the peer is unreachable,
        blocked, has no such protocol or answers with an error.
        """
        pid = _parse_peer_id(peer_id)
        if self._gate.is_blocked(peer_id):
            raise NetError(f"request to {peer_id}: peer is blocked")
        if len(data) > self._config.max_request_bytes:
            raise MessageTooLarge(
                f"request of {len(data)} bytes exceeds {self._config.max_request_bytes}")
        self._meter.requests_out += 1
        ok = False
        try:
            body = await request(self._host, pid, protocol_id, data, max_response=max_response)
            ok = True
            return body
        finally:
            if not ok:
                self._meter.request_failures += 1

    # ------------------------------------------------------------------ stats
    def statistics(self) -> NetStats:
        """A frozen snapshot of the message and request counters."""
        snap = self._meter.snapshot(len(self._host.get_connected_peers()))
        return replace(snap, dead_connections=self.dead_connections, send_stalls=self._gossip.pubsub.send_stalls)

    # ---------------------------------------------------------------- latency
    async def _ping_loop(self) -> None:
        # Wakes often enough that a newly connected peer (inbound ones too)
        # gets its first sample within a second, then every ping_interval_s.
        tick = min(1.0, self._config.ping_interval_s)
        while True:
            await trio.sleep(tick)
            now = trio.current_time()
            connected = self._host.get_connected_peers()
            live = {pid.to_base58() for pid in connected}
            for stale in self._latency_at.keys() - live:
                self._latency_at.pop(stale, None)
                self._latency_ms.pop(stale, None)
                self._ping_failures.pop(stale, None)
            self._drop_stuck_readers(now, set(connected))
            for pid in connected:
                key = pid.to_base58()
                last = self._latency_at.get(key)
                if (last is None or now - last >= self._config.ping_interval_s) and key not in self._pinging:
                    # Each on its own: one after the other, a peer that takes the
                    # ping and never answers held every later one up for 5 s.
                    self._pinging.add(key)
                    self._nursery.start_soon(self._measure_once, pid)

    async def _measure_once(self, pid: ID) -> None:
        try:
            await self._measure(pid)
        finally:
            self._pinging.discard(pid.to_base58())

    async def _measure(self, pid: ID) -> None:
        key = pid.to_base58()
        self._latency_at[key] = trio.current_time()
        # The ping runs in a task of its own, and its silence is timed here: a ping
        # cancelled in its negotiation resets its stream under an unbounded shield
        # (libp2p's basic_host), and that write blocks for as long as the peer reads
        # nothing (a stopped process: its kernel keeps the connection up). Waiting
        # for the task, a stopped peer was never found silent until it woke.
        done = trio.Event()
        outcome: list[float | NetError] = []

        async def attempt() -> None:
            try:
                with trio.move_on_after(_PING_TIMEOUT_S):
                    outcome.append(await ping(self._host, pid))
            except NetError as exc:
                outcome.append(exc)
            finally:
                self._ping_out.pop(key, None)
                done.set()

        if key not in self._ping_out:  # a stuck attempt is still silence; at most one per peer
            self._ping_out[key] = trio.current_time()
            self._nursery.start_soon(attempt)
            with trio.move_on_after(_PING_TIMEOUT_S + 0.5):
                await done.wait()
        if outcome and isinstance(outcome[0], float):
            rtt = outcome[0]
            old = self._latency_ms.get(key)
            self._latency_ms[key] = rtt if old is None else old + _LATENCY_EWMA * (rtt - old)
            self._peers_changed.fire()
        elif outcome:
            # An answer, if not a ping's (a stream refused over a cap, a reset): the
            # connection is alive. Only silence counts toward a disconnect.
            log.debug("ping %s failed: %s", key, outcome[0])
        if outcome:
            self._ping_failures.pop(key, None)
            return
        failures = self._ping_failures[key] = self._ping_failures.get(key, 0) + 1
        limit = self._config.ping_failures_to_drop
        if limit and failures >= limit:
            # Nothing else closes a connection that went silent: with it open we
            # count the peer connected and never redial it (the bootstrap loop
            # dials only peers we are not connected to).
            self._ping_failures.pop(key, None)
            await self._disconnect_dead(pid, f"answered none of {failures} pings in a row")

    async def _disconnect_dead(self, pid: ID, why: str) -> None:
        """Close every connection to ``pid``, each shut at its TCP socket first: libp2p's own close
        writes a GO_AWAY, which blocks on a peer that reads nothing."""
        key = pid.to_base58()
        conns = list(self._host.get_network().get_connections(pid))
        if not conns:
            return
        log.warning("peer %s %s; disconnecting", key, why)
        self.dead_connections += len(conns)
        for conn in conns:
            if not _shut_socket(conn):
                log.warning("cannot reach the socket under a connection to %s; libp2p's close only", key)
        with contextlib.suppress(*LIBP2P_ERRORS), trio.move_on_after(_PING_TIMEOUT_S):
            await self._host.disconnect(pid)
        self._peers_changed.fire()

    def _drop_stuck_readers(self, now: float, connected: set[ID]) -> None:
        """Disconnect peers that have taken none of their queued gossip for ``send_stall_drop_s``.

        Publishing does not wait for them (``Gossip._wait_send_room``), but their connection stays
        open while they answer pings: a peer that reads its ping streams and leaves its pubsub stream
        unread would get nothing and hold its queue (32 RPCs) for good. A frozen peer is dropped by
        its pings first, at the defaults (30-45 s). The clock is ``_Pubsub.unwritten_since``: it runs
        while RPCs wait for the peer and none is written, and a stream re-registered with an empty
        queue does not restart it.
        """
        pubsub = self._gossip.pubsub
        unwritten = pubsub.unwritten_since
        for pid in [p for p in unwritten if p not in connected]:
            pubsub.wrote(pid)  # it left: forget it
        limit = self._config.send_stall_drop_s
        for pid, deaths in list(pubsub.stream_deaths.items()):
            if pid not in connected or not limit or now - deaths[-1] >= limit:
                del pubsub.stream_deaths[pid]
            elif len(deaths) >= _STREAM_DEATHS and now - deaths[0] < limit and pid not in self._dropping:
                del pubsub.stream_deaths[pid]
                self._dropping.add(pid)
                self._nursery.start_soon(self._drop_stuck_reader, pid, now - deaths[0], len(deaths))
        for pid, queue in list(pubsub.peer_queues.items()):
            if len(queue) == 0:
                continue
            since = unwritten.setdefault(pid, now)
            if limit and now - since >= limit and pid not in self._dropping:
                self._dropping.add(pid)
                self._nursery.start_soon(self._drop_stuck_reader, pid, now - since)

    async def _drop_stuck_reader(self, pid: ID, held_s: float, deaths: int = 0) -> None:
        why = (f"lost {deaths} gossip streams in {held_s:.0f} s while connected (it reads none)" if deaths
               else f"has taken none of its queued gossip for {held_s:.0f} s")
        try:
            await self._disconnect_dead(pid, why)
        finally:
            self._dropping.discard(pid)
            if not self._host.get_network().get_connections(pid):
                self._gossip.pubsub.wrote(pid)  # gone: a reconnection starts afresh
                self._peers_changed.fire()

    def _shut_stuck(self) -> None:
        """Shut the sockets of peers whose ping is stuck (at shutdown).

        A stuck ping waits in libp2p's shielded stream reset, which cancelling our
        tasks does not end: the host's shutdown waited on it until the peer woke.
        """
        # Only attempts out past their own bound: one merely in flight is no reason
        # to cut a connection whose last writes (a message just published) may
        # still be on their way out with the host's orderly close.
        late = trio.current_time() - _PING_TIMEOUT_S - 0.5
        for key, since in list(self._ping_out.items()):
            if since > late:
                continue
            for conn in self._host.get_network().get_connections(ID.from_base58(key)):
                _shut_socket(conn)

    # ------------------------------------------------------ dead connections
    def _on_connected(self, conn: INetConn) -> None:
        # Runs inside the swarm's notification: only schedules work.
        pid = getattr(conn.muxed_conn, "peer_id", None)
        if not isinstance(pid, ID):
            return
        older = [c for c in self._host.get_network().get_connections(pid)
                 if c is not conn and c not in self._probing]
        if older:
            try:
                self._nursery.start_soon(self._drop_dead, pid, conn, older)
            except RuntimeError:  # shutting down: the nursery takes no new tasks
                return
            self._probing.update(older)

    def _on_disconnected(self, conn: INetConn) -> None:
        # Any closed connection (ours, the peer's, libp2p trimming a peer's
        # connections, muxgate evicting one) may have carried the peer's pubsub
        # stream while another stays open: libp2p would leave pubsub on it.
        pid = getattr(conn.muxed_conn, "peer_id", None)
        if isinstance(pid, ID) and self._gossip.repair(pid):
            log.info("pubsub with %s moved off a closed connection", pid)

    async def _drop_dead(self, pid: ID, newest: INetConn, conns: list[INetConn]) -> None:
        """Probe ``conns`` (a peer's older connections) and close those that do not answer.

        A peer dials again when it holds no live connection to us: it restarted, or
        its side of an old connection died. The new connection is probed too, in
        the same window: only if it answers is an old one's silence taken for
        death and not for a peer too busy to answer (a stream cap reached, a
        loaded machine). Both answering (two dials that crossed) keeps both.
        """
        answered: dict[INetConn, bool] = {}

        async def probe(conn: INetConn) -> None:
            ok = False
            try:
                with trio.move_on_after(_PING_TIMEOUT_S):
                    await ping_connection(conn)
                    ok = True
            except NetError as exc:
                log.debug("probe of a connection to %s failed: %s", pid, exc)
            answered[conn] = ok

        try:
            async with trio.open_nursery() as nursery:
                for conn in [newest, *conns]:
                    nursery.start_soon(probe, conn)
            if answered.get(newest):
                for conn in conns:
                    if not answered.get(conn) and not getattr(conn, "is_closed", False):
                        log.info("closing a dead connection to %s (it reconnected)", pid)
                        self.dead_connections += 1
                        if not _shut_socket(conn):
                            log.warning("cannot reach the socket under a connection to %s; libp2p's close only", pid)
                        with contextlib.suppress(*LIBP2P_ERRORS), trio.move_on_after(_PING_TIMEOUT_S):
                            await conn.close()
        finally:
            self._probing.difference_update(conns)
        # _on_disconnected repairs when a close completes; a close cut short by its
        # bound may not have told the swarm's notifees yet.
        if self._gossip.repair(pid):
            log.info("pubsub with %s moved off a closed connection", pid)
        self._peers_changed.fire()


def _shut_socket(conn: INetConn) -> bool:
    """Shut down the TCP socket under ``conn``, both ways, so that whatever blocks on it ends.

    A stopped peer's kernel keeps ACKing and advertising a zero window: a write to it
    blocks for ever once the buffers fill, and libp2p's own close writes a yamux
    GO_AWAY first. After a shutdown those writes fail and the reads see EOF, and the
    connection is torn down the usual way. False where the socket cannot be reached
    (another transport), and then only libp2p's close is tried.
    """
    node: object = muxgate.unwrap(getattr(getattr(conn, "muxed_conn", None), "secured_conn", None))
    # SecureSession -> NoiseTransportReadWriter -> RawConnection -> TrioTCPStream -> trio.SocketStream
    for attr in ("conn", "conn", "stream", "stream", "socket"):
        node = getattr(node, attr, None)
        if node is None:
            return False
    try:
        node.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


def _parse_peer_id(peer_id: str) -> ID:
    try:
        return ID.from_base58(peer_id)
    except (ValueError, TypeError) as exc:
        raise NetError(f"not a peer id: {peer_id!r:.80}: {exc}") from None


def _tune_libp2p() -> None:
    # Module-level constant read at each dial: 250 ms of dead time per connect.
    libp2p_swarm._HAPPY_EYEBALLS_DELAY = 0.0


def _gate_streams(host: IHost, config: NetConfig, budget: Budget) -> muxgate.HeldBytes:
    # libp2p builds its Yamux itself (whatever class muxer_opt names), so the
    # secured connection is wrapped on its way in instead (node/net/muxgate.py).
    node = muxgate.HeldBytes(config.max_held_bytes)

    def make_gate(conn: object, peer_id: object) -> muxgate.StreamGate:
        known = isinstance(peer_id, ID) and budget.is_known(peer_id.to_base58())
        return muxgate.StreamGate(conn, config.max_streams_per_connection,
                                  config.max_new_streams_per_s,
                                  max_held=config.max_held_bytes_per_connection,
                                  node=node, known=known)

    muxers = host.get_network().upgrader.muxer_multistream  # type: ignore[attr-defined]
    muxgate.install(muxers, make_gate)
    return node


def _build_host(seed: bytes, config: NetConfig, gate: PeerGate) -> IHost:
    expected = PrivateKey(seed).peer_id  # LocalError on a bad seed
    key_pair = create_new_key_pair(seed)
    noise = NoiseTransport(key_pair, noise_privkey=create_x25519_key_pair().private_key)
    # Yamux only: py-libp2p also offers mplex, which has no flow control, and a
    # peer picks.
    host = new_host(
        key_pair=key_pair,
        sec_opt={NOISE_PROTOCOL_ID: gate.wrap(noise)},
        muxer_opt={TProtocol(YAMUX_PROTOCOL_ID): Yamux},
        listen_addrs=[multiaddr.Multiaddr(a) for a in config.listen_addrs],
    )
    if host.get_id().to_base58() != expected:
        raise LocalError(f"libp2p derived peer id {host.get_id()} from our seed, expected {expected}")
    return host


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def closed_socket_race(leaves: list[BaseException]) -> bool:
    """Whether every error is a read of a socket that ``host.close()`` has just closed (``OSError``
    EBADF). py-libp2p's gossipsub tasks outlive ``host.close()`` by a moment: one answering a late
    SUBSCRIBE builds a signed envelope, which reads the listeners' addresses off closed sockets
    (``get_addrs`` -> ``getsockname``). Seen once in 4,164 tests under load (session 40): a rogue
    peer's clean exit raised "libp2p host failed" after its block had run."""
    return bool(leaves) and all(isinstance(e, OSError) and e.errno == errno.EBADF for e in leaves)


@asynccontextmanager
async def open_p2p(seed: bytes, config: NetConfig) -> AsyncIterator[P2P]:
    """Start a libp2p host for the node with Ed25519 ``seed``; see the module docstring.

    On exit every connection, listener, task and thread it started is closed.
    An exception raised in the ``async with`` body propagates unchanged (not
    wrapped in the exception groups of the nurseries underneath).
    """
    config.validate()
    logbridge.install()
    _tune_libp2p()
    budget = Budget(config.budget)
    gate = PeerGate(InboundGuard(config.inbound_limits(), budget.is_known,
                                 handshake_timeout_s=config.inbound_handshake_timeout_s))
    host = _build_host(seed, config, gate)
    held = _gate_streams(host, config, budget)
    assert gate.guard is not None
    install_inbound(host.get_network(), gate.guard)  # before host.run() listens
    book = identify.install(host, budget.is_known)
    meter = Meter()
    gossip = Gossip(host, config, meter, budget, trio.current_time)
    body_error: BaseException | None = None
    closing = False  # set once the caller's block is over and the host is being shut
    quiet = logbridge.ShutdownQuiet()
    try:
        listen = [multiaddr.Multiaddr(a) for a in config.listen_addrs]
        async with (
            host.run(listen),
            background_trio_service(gossip.pubsub),
            background_trio_service(gossip.router),
            trio.open_nursery() as nursery,
        ):
            await gossip.pubsub.wait_until_ready()
            await host.get_network().auto_connector.stop()  # type: ignore[attr-defined]
            gossip.start(nursery)
            p2p = P2P(host, config, gossip, gate, meter, nursery, budget, book)
            p2p.held = held
            nursery.start_soon(p2p._ping_loop)
            nursery.start_soon(p2p._enforce_budget)
            try:
                yield p2p
            except BaseException as exc:
                body_error = exc
                raise
            finally:
                # Quiet from here until every libp2p service has stopped.
                quiet.__enter__()
                closing = True
                p2p._shut_stuck()
                nursery.cancel_scope.cancel()
                with trio.CancelScope(shield=True), trio.move_on_after(_CLOSE_TIMEOUT_S) as scope:
                    await host.close()
                if scope.cancelled_caught:
                    log.warning("libp2p host.close() took over %.0f s; abandoned", _CLOSE_TIMEOUT_S)
    except BaseException as exc:
        leaves = _leaves(exc)
        others = [e for e in leaves if e is not body_error]
        # (a closed-socket read while the host shuts may ride along, or replace it: closed_socket_race;
        # not when the block was cancelled, which is how a libp2p task's crash mid-run reaches it)
        if body_error is not None and (not others or closing and not isinstance(body_error, trio.Cancelled)
                                       and closed_socket_race(others)):
            if exc is body_error:
                raise
            # Unwrap: the caller sees what its own block raised, as raised.
            raise body_error from body_error.__cause__
        if body_error is None and closing and closed_socket_race(leaves):
            # The caller's block ran clean and the host is down, as asked: not a failure.
            log.debug("libp2p task read a closed socket while the host shut: %r", leaves[0])
            return
        if body_error is None and all(isinstance(e, LIBP2P_ERRORS) for e in leaves):
            raise NetError(f"libp2p host failed: {leaves[0]!r}") from exc
        raise
    finally:
        gossip.stop()
        quiet.__exit__()
