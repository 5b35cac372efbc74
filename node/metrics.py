"""Prometheus metrics, one registry per node (tests run several nodes in one process).

Served as text exposition on an optional loopback port (``--metrics-port``); the
same counters feed ``attnshare status`` and the devnet summary.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Every counter and histogram the node exports."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.records_ingested = Counter("attnshare_records_ingested", "Records durably ingested", registry=r)
        self.records_shipped = Counter("attnshare_records_shipped", "Records packed into our blocks", registry=r)
        self.records_kept = Counter("attnshare_records_kept", "Records scored and kept local", registry=r)
        self.blocks_proposed = Counter("attnshare_blocks_proposed", "Blocks we proposed", registry=r)
        self.blocks_committed = Counter("attnshare_blocks_committed", "Blocks committed here", registry=r)
        self.records_committed = Counter("attnshare_records_committed", "Records in committed blocks", registry=r)
        self.blocks_rejected = Counter("attnshare_blocks_rejected", "Slots rejected by the quorum", registry=r)
        self.votes_cast = Counter("attnshare_votes_cast", "Our votes", ["decision"], registry=r)
        self.evidence = Counter("attnshare_evidence", "Equivocation evidence found", ["kind"], registry=r)
        self.remote_errors = Counter("attnshare_remote_errors", "Refused remote input", ["type"], registry=r)
        self.dropped_events = Counter("attnshare_dropped_events", "Consensus events dropped under overload", registry=r)
        self.gossip_bytes_out = Counter("attnshare_gossip_bytes_out", "Bytes we published", ["topic"], registry=r)
        self.gossip_bytes_in = Counter("attnshare_gossip_bytes_in", "Bytes delivered to us", ["topic"], registry=r)
        self.gossip_msgs_out = Counter("attnshare_gossip_messages_out", "Messages we published", ["topic"], registry=r)
        self.gossip_msgs_in = Counter("attnshare_gossip_messages_in", "Messages delivered to us", ["topic"], registry=r)
        self.sync_requests = Counter("attnshare_sync_requests", "Sync requests", ["direction", "kind"], registry=r)
        self.sync_blocks = Counter("attnshare_sync_blocks", "Blocks committed through sync", registry=r)
        self.commit_latency = Histogram(
            "attnshare_commit_latency_seconds", "Block creation to local commit",
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.score_deviation = Histogram(
            "attnshare_score_deviation", "Worst |claimed - rescored| per block",
            buckets=(1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0), registry=r,
        )
        self.pending_records = Gauge("attnshare_pending_records", "Records waiting to be scored", registry=r)
        self.peers = Gauge("attnshare_peers", "Connected peers", registry=r)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
