"""Parameters of the networking layer: one frozen dataclass, with defaults and validate()."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import multiaddr
import multiaddr.exceptions

from node.net.budget import BudgetParams
from node.net.inbound import InboundLimits
from protocol.errors import ConfigError

# py-libp2p 0.8.1 constants we size against (libp2p/pubsub/rpc_queue.py).
PUBSUB_RPC_CAP = 1 << 20  # DefaultMaxMessageSize: hard cap on one pubsub RPC, in and out
OUTBOUND_QUEUE = 32  # OutBoundQueueSize: per-peer outbound RPC queue; a full queue drops
YAMUX_MAX_WINDOW = 16 << 20  # MAX_WINDOW_SIZE: the most a stream's receive window grows to

#: default cap on the bytes yamux holds unread for one connection: twice the
#: largest window one stream can grow to, so one honest stream whose reader
#: fell behind never trips it (node/net/muxgate.py)
MAX_HELD_PER_CONNECTION = 2 * YAMUX_MAX_WINDOW
#: default cap on the bytes yamux holds unread, all connections together
MAX_HELD_PER_NODE = 256 << 20


@dataclass(frozen=True, slots=True)
class NetParams:
    """Settings for :func:`node.net.open_p2p` (``NetConfig`` is the old name).

    Fields:
        listen_addrs: TCP multiaddrs to listen on (port 0 picks a free port).
        heartbeat_s: GossipSub heartbeat (mesh repair, IHAVE gossip). libp2p's
            default is 120 s, far too slow for us.
        degree, degree_low, degree_high: GossipSub mesh degree D and its bounds.
        max_message_bytes: cap on one encoded pubsub RPC (data plus libp2p's
            envelope: signature, key, ids, signed peer record). libp2p silently
            drops anything over its 1 MiB cap, so ``publish`` refuses with
            ``MessageTooLarge`` instead. At most 1 MiB.
        send_queue: back-pressure threshold. ``publish`` waits while any peer
            subscribed to the topic has this many RPCs queued, so libp2p's
            32-entry per-peer queue never overflows from our own publishes.
        send_stall_s: a peer none of whose queued RPCs has been written for
            this long is not waited for: libp2p drops what does not fit its
            queue for it alone, and sync repairs. Without it one subscriber
            that reads nothing (frozen, or hostile while answering pings)
            stalls every publish on its topics.
        send_hold_share: waiting on a slow peer draws on a budget of
            ``2 x send_stall_s`` seconds, refilled at this share of the time,
            each known peer its own and strangers one between them: peers
            that read just enough slow publishing by at most this share.
        send_stall_drop_s: a peer that has taken none of its queued RPCs for
            this long is disconnected (0: never); it may reconnect.
        subscription_queue: capacity of each channel returned by ``subscribe``.
            A consumer that falls this far behind loses messages (counted as
            drops in ``statistics()``), because libp2p must never be blocked.
        seen_ttl_s: how long a message id is remembered for de-duplication.
        max_request_bytes: largest request frame we send or accept.
        max_response_bytes: largest response frame our handlers may send.
        max_concurrent_requests: inbound requests served at once, all peers
            together; more are answered "busy" at once rather than queued.
            Each peer also has its own limit, ``budget.max_open_requests``,
            so one peer cannot take every slot (finding 11).
        request_read_timeout_s: server side: time allowed to receive the
            request frame; a peer that trickles bytes is cut off here.
        request_timeout_s: server side: time allowed to read a request and
            produce the response before the stream is reset.
        ping_interval_s: how often connected peers are pinged for latency.
        ping_failures_to_drop: a peer that answers none of this many pings
            in a row (each bounded by 5 s) is disconnected: its connection
            went silent, and a bootstrap peer is redialled only once we are
            not connected to it. 0 never disconnects.
        publish_timeout_s: bound on one publish's wait for send room; the
            daemon gives up on that message (gossip is repaired by sync).
        validation_timeout_s: libp2p's bound on one async validator; a
            message not verified in time is dropped, not forwarded.
        verify_threads: worker threads for message verification, shared by
            all peers (FIFO). Ed25519 in Python holds the GIL: 1 is enough.
        max_inbound_handshakes, max_inbound_handshakes_per_prefix: inbound
            connections still in their handshake (peer id not yet known), in
            all and per address prefix (IPv4 /24, IPv6 /64); more are closed
            at accept (:mod:`node.net.inbound`).
        prefix_caps_on_loopback: apply the per-prefix caps to 127.0.0.1 and
            ::1 as well. Off by default: every node of a local devnet shares
            that address, and only the totals bound them.
        inbound_handshake_timeout_s: time from accepting an inbound
            connection to an authenticated peer id; at a handshake cap the
            oldest handshake in progress is dropped, not the newcomer.
        max_inbound_strangers, max_inbound_strangers_per_prefix: inbound
            connections from peers that are not known (not a genesis
            validator, not dialled by us), in all and per prefix. Known
            peers are never refused by these caps.
        max_streams_per_connection: yamux streams one connection may hold
            open (both directions); a stream the peer opens beyond it is
            held unread until one closes (an honest peer uses a handful).
        max_new_streams_per_s: streams a peer may open per second on one
            connection (burst ``max_streams_per_connection``); a faster
            peer's connection is read no faster than that.
        max_held_bytes_per_connection: unread bytes yamux may hold for one
            connection, all its streams together; the data frame that would
            go past it closes the connection (:mod:`node.net.muxgate`).
        max_held_bytes: the same, all connections together; the frame that
            would go past it closes the connection holding the most (a
            stranger's before a known peer's).
        budget: the per-peer resource budget (:mod:`node.net.budget`).
    """

    listen_addrs: tuple[str, ...] = ("/ip4/127.0.0.1/tcp/0",)
    heartbeat_s: float = 1.0
    degree: int = 6
    degree_low: int = 4
    degree_high: int = 12
    max_message_bytes: int = PUBSUB_RPC_CAP
    send_queue: int = 16
    send_stall_s: float = 1.0
    send_hold_share: float = 0.25
    send_stall_drop_s: float = 60.0
    subscription_queue: int = 1024
    seen_ttl_s: int = 120
    max_request_bytes: int = 1 << 20
    max_response_bytes: int = 64 << 20
    max_concurrent_requests: int = 64
    request_read_timeout_s: float = 5.0
    request_timeout_s: float = 10.0
    ping_interval_s: float = 10.0
    ping_failures_to_drop: int = 3
    publish_timeout_s: float = 5.0
    validation_timeout_s: float = 5.0
    verify_threads: int = 1
    # the inbound caps are flat config keys; their defaults live in InboundLimits alone
    max_inbound_handshakes: int = InboundLimits().max_inbound_handshakes
    max_inbound_handshakes_per_prefix: int = InboundLimits().max_inbound_handshakes_per_prefix
    max_inbound_strangers: int = InboundLimits().max_inbound_strangers
    max_inbound_strangers_per_prefix: int = InboundLimits().max_inbound_strangers_per_prefix
    inbound_handshake_timeout_s: float = 5.0
    prefix_caps_on_loopback: bool = InboundLimits().prefix_caps_on_loopback
    max_streams_per_connection: int = 256
    max_new_streams_per_s: float = 100.0
    max_held_bytes_per_connection: int = MAX_HELD_PER_CONNECTION
    max_held_bytes: int = MAX_HELD_PER_NODE
    budget: BudgetParams = field(default_factory=BudgetParams)

    @classmethod
    def default(cls) -> NetParams:
        """The defaults: loopback, ephemeral port, 1 s heartbeat, D = 6."""
        return cls()

    def inbound_limits(self) -> InboundLimits:
        """The inbound caps of this config (the fields InboundLimits shares by name)."""
        return InboundLimits(**{f.name: getattr(self, f.name) for f in fields(InboundLimits)})

    def validate(self) -> None:
        """Raise ConfigError naming the first field that is out of range."""
        if not self.listen_addrs:
            raise ConfigError("net.listen_addrs: at least one address is required")
        for addr in self.listen_addrs:
            try:
                parsed = multiaddr.Multiaddr(addr)
            except (multiaddr.exceptions.Error, ValueError, TypeError) as exc:
                raise ConfigError(f"net.listen_addrs: bad multiaddr {addr!r}: {exc}") from None
            if "tcp" not in {p.name for p in parsed.protocols()}:
                raise ConfigError(f"net.listen_addrs: {addr!r} is not a TCP address")
        _positive("heartbeat_s", self.heartbeat_s)
        if not 1 <= self.degree_low <= self.degree <= self.degree_high:
            raise ConfigError("net.degree: need 1 <= degree_low <= degree <= degree_high")
        if not 1024 <= self.max_message_bytes <= PUBSUB_RPC_CAP:
            raise ConfigError(f"net.max_message_bytes: must be in [1024, {PUBSUB_RPC_CAP}]")
        if not 1 <= self.send_queue <= OUTBOUND_QUEUE // 2:
            # Headroom above the threshold absorbs forwarded messages and
            # control RPCs that share the queue with our publishes.
            raise ConfigError(f"net.send_queue: must be in [1, {OUTBOUND_QUEUE // 2}]")
        _positive("send_stall_s", self.send_stall_s)
        if not (isinstance(self.send_hold_share, int | float) and 0.0 <= self.send_hold_share <= 1.0):
            raise ConfigError("net.send_hold_share: must be in [0, 1]")
        if not (isinstance(self.send_stall_drop_s, int | float) and math.isfinite(self.send_stall_drop_s)
                and (self.send_stall_drop_s == 0 or self.send_stall_drop_s >= self.send_stall_s)):
            raise ConfigError("net.send_stall_drop_s: must be 0 (never) or at least send_stall_s")
        if self.subscription_queue < 1:
            raise ConfigError("net.subscription_queue: must be >= 1")
        if self.seen_ttl_s < 1:
            raise ConfigError("net.seen_ttl_s: must be >= 1")
        if self.max_request_bytes < 1 or self.max_response_bytes < 1:
            raise ConfigError("net.max_request_bytes/max_response_bytes: must be >= 1")
        if self.max_request_bytes >= 1 << 32 or self.max_response_bytes >= 1 << 32:
            raise ConfigError("net.max_request_bytes/max_response_bytes: frames are < 4 GiB")
        if self.max_concurrent_requests < 1:
            raise ConfigError("net.max_concurrent_requests: must be >= 1")
        _positive("request_read_timeout_s", self.request_read_timeout_s)
        _positive("request_timeout_s", self.request_timeout_s)
        if self.request_read_timeout_s > self.request_timeout_s:
            raise ConfigError("net.request_read_timeout_s: must not exceed request_timeout_s")
        _positive("ping_interval_s", self.ping_interval_s)
        if isinstance(self.ping_failures_to_drop, bool) or not isinstance(self.ping_failures_to_drop, int) \
                or self.ping_failures_to_drop < 0:
            raise ConfigError("net.ping_failures_to_drop: must be an integer >= 0 (0: never)")
        _positive("publish_timeout_s", self.publish_timeout_s)
        _positive("validation_timeout_s", self.validation_timeout_s)
        if not isinstance(self.verify_threads, int) or not 1 <= self.verify_threads <= 16:
            raise ConfigError("net.verify_threads: must be in [1, 16]")
        for name in ("max_inbound_handshakes", "max_inbound_handshakes_per_prefix",
                     "max_inbound_strangers", "max_inbound_strangers_per_prefix",
                     "max_streams_per_connection"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"net.{name}: must be an integer >= 1")
        _positive("max_new_streams_per_s", self.max_new_streams_per_s)
        for name in ("max_held_bytes_per_connection", "max_held_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1 << 20:
                raise ConfigError(f"net.{name}: must be an integer >= 1 MiB (1048576)")
        if self.max_held_bytes < self.max_held_bytes_per_connection:
            raise ConfigError("net.max_held_bytes: must be >= max_held_bytes_per_connection")
        _positive("inbound_handshake_timeout_s", self.inbound_handshake_timeout_s)
        if not isinstance(self.prefix_caps_on_loopback, bool):
            raise ConfigError("net.prefix_caps_on_loopback: must be true or false")
        if not isinstance(self.budget, BudgetParams):
            raise ConfigError("net.budget: must be a BudgetParams")
        self.budget.validate()


#: The old name of :class:`NetParams`.
NetConfig = NetParams


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ConfigError(f"net.{name}: must be a positive number")
