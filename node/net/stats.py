"""Counters of the networking layer and their frozen snapshots.

The hot path (every pubsub RPC in or out) bumps plain integers on a
:class:`Meter`; :meth:`Meter.snapshot` copies them into frozen dataclasses
for ``P2P.statistics()``. Everything runs on the trio thread, so no locking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass, fields
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class PeerInfo:
    """A connected peer: its id, known addresses and last measured round trip."""

    peer_id: str
    addrs: tuple[str, ...]
    latency_ms: float | None


@dataclass(frozen=True, slots=True)
class TopicStats:
    """Message counters for one pubsub topic.

    ``messages_out``/``bytes_out`` count what went on the wire, once per peer,
    forwarded messages included; ``messages_in``/``bytes_in`` count what came
    off the wire before de-duplication. ``deliveries`` are unique, valid
    messages handed to our subscriber; ``drops`` are messages lost because our
    subscriber fell behind; ``send_drops`` are outbound RPCs libp2p discarded
    (full per-peer queue). Byte counts are payload (``data``) bytes.
    """

    publishes: int = 0
    messages_out: int = 0
    bytes_out: int = 0
    messages_in: int = 0
    bytes_in: int = 0
    deliveries: int = 0
    drops: int = 0
    send_drops: int = 0
    rejected: int = 0


@dataclass(frozen=True, slots=True)
class NetStats:
    """Snapshot of the networking counters (see :class:`TopicStats`)."""

    topics: Mapping[str, TopicStats]
    connected_peers: int
    requests_in: int
    requests_out: int
    request_failures: int
    dead_connections: int = 0  # closed because they answered no ping (node/net/host.py)
    send_stalls: int = 0  # peers stopped being waited for: their queue stayed full (node/net/gossip.py)

    def total(self) -> TopicStats:
        """All topics summed."""
        sums = {f.name: 0 for f in fields(TopicStats)}
        for ts in self.topics.values():
            for name in sums:
                sums[name] += getattr(ts, name)
        return TopicStats(**sums)


@dataclass(slots=True)
class TopicCounters:
    """The mutable twin of :class:`TopicStats`, bumped on the hot path."""

    publishes: int = 0
    messages_out: int = 0
    bytes_out: int = 0
    messages_in: int = 0
    bytes_in: int = 0
    deliveries: int = 0
    drops: int = 0
    send_drops: int = 0
    rejected: int = 0

    def freeze(self) -> TopicStats:
        return TopicStats(*astuple(self))


# freeze() relies on both classes listing the same fields in the same order.
assert [f.name for f in fields(TopicCounters)] == [f.name for f in fields(TopicStats)]


class Meter:
    """Mutable counters, bumped by the gossip and stream adapters."""

    def __init__(self) -> None:
        self._topics: dict[str, TopicCounters] = {}
        self.requests_in = 0
        self.requests_out = 0
        self.request_failures = 0

    def topic(self, name: str) -> TopicCounters:
        """Counters for ``name``, created on first use."""
        counters = self._topics.get(name)
        if counters is None:
            counters = self._topics[name] = TopicCounters()
        return counters

    def snapshot(self, connected_peers: int) -> NetStats:
        """Freeze the current values."""
        return NetStats(
            topics=MappingProxyType({k: v.freeze() for k, v in self._topics.items()}),
            connected_peers=connected_peers,
            requests_in=self.requests_in,
            requests_out=self.requests_out,
            request_failures=self.request_failures,
        )
