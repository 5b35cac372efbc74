"""The node: wires store, model, libp2p, consensus, pipeline and sync together.

Every long-lived part runs in a nursery owned by :meth:`Node.run`; shutdown is
cancellation of that nursery, after which the store is closed, the libp2p host
is closed (open_p2p's exit) and the data-dir lock is released.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import trio

from node.config import NodeConfig
from node.core.consensus import Consensus, ConsensusIO
from node.core.pipeline import IngestResult, Pipeline
from node.core.syncsvc import SyncService
from node.core.views import Views, ViewStats
from node.identity import DataDirLock
from node.metrics import Metrics
from node.net import NetError, open_p2p
from node.net.topics import (
    Topics,
    Validators,
    decode_block_announce,
    encode_block_announce,
)
from node.store import Store, StoreFootprint
from node.worker import Worker
from protocol.block import Block, BlockLimits, decode_signed_header, open_payload
from protocol.errors import AttnshareError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import decode_certificate
from protocol.record import Record
from protocol.selection import BudgetStats
from protocol.vote import MAX_BATCH_VOTES, MAX_RESEND, SignedVote, VoteBatch, decode_vote_batch

log = logging.getLogger("attnshare.node")

VOTE_FLUSH_S = 0.005


def wall_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class NodeStatus:
    peer_id: str
    role: str
    addrs: list[str]
    model_id: str
    uptime_s: float
    ingested: int
    shipped: int
    kept: int
    blocks_proposed: int
    committed_blocks: int
    committed_records: int
    rejected_blocks: int
    votes_cast: int
    evidence: int
    pending: int
    peers: int
    heights: dict[str, int]
    commit_latency_ms_p50: float | None
    commit_latency_ms_p99: float | None
    gossip_msgs_out: int
    gossip_msgs_in: int
    gossip_bytes_out: int
    gossip_bytes_in: int
    #: what actually went on the wire (once per peer, forwards and duplicates included)
    wire_msgs_out: int
    wire_bytes_out: int
    wire_msgs_in: int
    wire_bytes_in: int
    #: the shipping budget and its use (None on a node that does not propose)
    ship_budget: BudgetStats | None = None
    #: disk used, its cap, search backlog and refused writes (node/store; docs/store.md)
    store: StoreFootprint | None = None
    #: consensus state, each within a documented bound (docs/consensus.md)
    open_blocks: int = 0
    open_slots: int = 0
    evaluations: int = 0
    fetches: int = 0
    #: gossip events dropped at the consensus queue, and store writes that failed (disk full...)
    dropped_events: int = 0
    store_errors: int = 0
    internal_errors: int = 0
    #: stream memory: our committed view (committed seq per genesis proposer) and its History cache
    committed_view: list[int] | None = None
    view_cache: ViewStats | None = None


class Node:
    """One attnshare daemon. ``await nursery.start(node.run)`` returns once it is serving."""

    def __init__(
        self,
        config: NodeConfig,
        genesis: Genesis,
        key: PrivateKey,
        scorer: Any,
        *,
        now_ms: Callable[[], int] = wall_ms,
        limits: BlockLimits | None = None,
        serve_admin: bool = True,
    ) -> None:
        self.config = config
        self.genesis = genesis
        self.key = key
        self.me = key.peer_id
        self.scorer = scorer
        self.model_id: str = scorer.model_id
        self.now_ms = now_ms
        self.limits = limits or BlockLimits()
        self.serve_admin = serve_admin
        self.metrics = Metrics()
        self.topics = Topics.for_network(genesis.network_id)
        self.db = Worker("store")
        self.model = Worker("model")
        self.started_at = time.monotonic()
        self._votes_out: list[SignedVote] = []
        self._votes_ready = trio.Event()
        self._resends_waiting = False
        # Where the re-send counter starts: at random, so a restart does not number its re-sends
        # as the last run did (the same bytes within the seen window would be dropped again).
        self._resends = secrets.randbelow(MAX_RESEND)
        self.store: Store
        self.consensus: Consensus
        self.pipeline: Pipeline
        self.sync: SyncService
        #: stream memory: our committed view and a History per view blocks name (node/core/views.py)
        self.views = Views(genesis, scorer, self.model)
        self.p2p: Any = None
        self._members: Any = genesis.validators  # replaced by the topic validators' membership at start
        self.ready = trio.Event()

    # ------------------------------------------------------------------ helpers
    async def score(self, records: Sequence[Record]) -> list[float]:
        return await self.model.run(self.scorer.score, list(records))

    def _send_votes(self, votes: list[SignedVote]) -> None:
        self._votes_out.extend(votes)
        self._votes_ready.set()

    def _resend_votes(self, votes: list[SignedVote]) -> None:
        self._resends_waiting = True
        self._send_votes(votes)

    def _next_resend(self) -> int:
        """The next re-send counter (1..MAX_RESEND, then round again)."""
        self._resends = self._resends % MAX_RESEND + 1
        return self._resends

    async def _publish(self, topic: str, data: bytes) -> None:
        try:
            # Bounded: a peer that stops reading must not stall our publishers (finding 14).
            with trio.fail_after(self.p2p.config.publish_timeout_s):
                await self.p2p.publish(topic, data)
        except (NetError, trio.TooSlowError) as exc:
            log.warning("publish on %s failed: %s", topic, str(exc) or "timed out")
            return
        self.metrics.gossip_msgs_out.labels(topic.rsplit("/", 2)[-2]).inc()
        self.metrics.gossip_bytes_out.labels(topic.rsplit("/", 2)[-2]).inc(len(data))

    async def _publish_block(self, block: Block, attempt: int) -> None:
        # Too big for gossip: announce the header alone; peers fetch the payload over sync.
        await self._publish(self.topics.blocks, encode_block_announce(block.for_gossip(self.limits), attempt))

    async def _publish_cert(self, cert: bytes) -> None:
        await self._publish(self.topics.certs, cert)

    # ------------------------------------------------------------------ running
    async def run(self, *, task_status: trio.TaskStatus[Node] = trio.TASK_STATUS_IGNORED) -> None:
        lock = DataDirLock(self.config.data_dir)
        lock.acquire()
        try:
            self.store = await self.db.run(Store.open, self.config.store_path, self.me, params=self.config.store)
            try:
                await self._run_open(task_status)
            finally:
                with trio.CancelScope(shield=True):
                    await self.db.run(self.store.close)
        finally:
            lock.release()

    async def _run_open(self, task_status: trio.TaskStatus[Node]) -> None:
        net_cfg = self.config.net_params
        async with open_p2p(self.key.seed, net_cfg) as p2p:
            self.p2p = p2p
            # Blocks made with `attnshare peer block` survive restarts (finding 14).
            for row in await self.db.run(self.store.list_peers, blocked=True):
                await p2p.block_peer(row.peer_id)
            await self.views.restore(self.store, self.db)
            self.consensus = Consensus(
                key=self.key, genesis=self.genesis, store=self.store, db=self.db, metrics=self.metrics,
                limits=self.limits,
                io=ConsensusIO(
                    score=self.score, send_votes=self._send_votes, resend_votes=self._resend_votes,
                    publish_cert=self._publish_cert,
                    fetch_block=self._fetch_block, now_ms=self.now_ms, views=self.views,
                ),
            )
            await self.consensus.restore()
            self.pipeline = Pipeline(
                key=self.key, genesis=self.genesis, config=self.config.pipeline, store=self.store, db=self.db,
                score=self.score, model_id=self.model_id, consensus=self.consensus,
                publish_block=self._publish_block, metrics=self.metrics, now_ms=self.now_ms, limits=self.limits,
                views=self.views, settle=self._settle,
            )
            self.sync = SyncService(
                p2p=p2p, store=self.store, db=self.db, consensus=self.consensus, genesis=self.genesis,
                metrics=self.metrics, params=self.config.sync, interval_s=self.config.anti_entropy_s,
                limits=self.limits,
            )
            v = Validators(self.genesis.network_id, self.genesis.validators, self.limits, genesis_id=self.genesis.id,
                           verifier=p2p.verifier, proposers=self.genesis.proposer_ids)
            # Votes and certificates name proposers' slots: decode against the same membership
            # the topic validator checked (validators as voters, proposers as slots).
            self._members = v.members
            blocks = await p2p.subscribe(self.topics.blocks, v.block)
            votes = await p2p.subscribe(self.topics.votes, v.votes)
            certs = await p2p.subscribe(self.topics.certs, v.cert)
            async with trio.open_nursery() as nursery:
                await nursery.start(self.consensus.run)
                nursery.start_soon(self._pump, blocks, "blocks", self._on_block_msg)
                nursery.start_soon(self._pump, votes, "votes", self._on_votes_msg)
                nursery.start_soon(self._pump, certs, "certs", self._on_cert_msg)
                nursery.start_soon(self._vote_flusher)
                await nursery.start(self.pipeline.run)
                await nursery.start(self.sync.run)
                nursery.start_soon(self._bootstrap)
                if self.serve_admin:
                    from node.admin.server import serve_admin

                    await nursery.start(serve_admin, self, self.config.admin)
                if self.serve_admin and self.config.admin_tcp_port:
                    from node.admin.server import serve_admin_tcp

                    await nursery.start(serve_admin_tcp, self, self.config.admin_tcp_port, self.config.admin)
                if self.config.metrics_port:
                    from node.metrics_http import serve_metrics

                    await nursery.start(serve_metrics, self.metrics, self.config.metrics_port)
                self.ready.set()
                log.info("node %s up on %s", self.me, ", ".join(p2p.addrs()))
                task_status.started(self)

    async def _settle(self) -> None:
        """Before a proposer's first block of a run: catch up (bounded by
        ``pipeline.startup_sync_s``). Skipped where no other node takes part in the genesis: no
        peer could hold a block we lack, and none is needed for a quorum."""
        limit = self.config.pipeline.startup_sync_s
        if limit <= 0 or not self.genesis.has_others(self.me):
            return
        t0 = trio.current_time()
        if await self.sync.settle(limit):
            log.info("caught up before proposing (%.1f s)", trio.current_time() - t0)
        else:
            log.warning("no catch-up round ended within %.1f s: proposing on the view we hold", limit)

    async def _bootstrap(self) -> None:
        """Keep dialing bootstrap peers that are not connected (they may start later than us)."""
        delay = 0.2
        while True:
            connected = {p.peer_id for p in self.p2p.connected_peers()}
            for addr in self.config.bootstrap:
                pid = addr.rsplit("/p2p/", 1)[-1] if "/p2p/" in addr else None
                if pid == self.me or (pid and pid in connected):
                    continue
                try:
                    with trio.move_on_after(5):
                        await self.p2p.connect(addr)
                except NetError as exc:
                    log.debug("bootstrap %s: %s", addr, exc)
            self.metrics.peers.set(len(self.p2p.connected_peers()))
            await trio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _pump(self, chan: trio.MemoryReceiveChannel[tuple[str, bytes]], name: str,
                    handle: Callable[[str, bytes], None]) -> None:
        async for peer, data in chan:
            if peer == self.me:
                continue  # libp2p hands our own publishes back to us; they are not traffic in
            self.metrics.gossip_msgs_in.labels(name).inc()
            self.metrics.gossip_bytes_in.labels(name).inc(len(data))
            try:
                handle(peer, data)
            except AttnshareError as exc:
                self.metrics.remote_errors.labels(type(exc).__name__).inc()
                log.info("bad %s message from %s: %s", name, peer, exc)

    def _on_block_msg(self, peer: str, data: bytes) -> None:
        self.consensus.post_block(decode_block_announce(data, self.limits), peer)

    def _on_votes_msg(self, peer: str, data: bytes) -> None:
        self.consensus.post_votes(list(decode_vote_batch(data, self._members).votes), peer)

    def _on_cert_msg(self, peer: str, data: bytes) -> None:
        self.consensus.post_certificate(decode_certificate(data, self._members), peer)

    async def _vote_flusher(self) -> None:
        """Batch our votes: one gossip message carries every vote ready within a few ms."""
        while True:
            await self._votes_ready.wait()
            await trio.sleep(VOTE_FLUSH_S)
            self._votes_ready = trio.Event()
            # Every batch of a flush that carries a re-sent vote is marked as a re-send (its bytes
            # then differ from any batch before it: see VoteBatch.resend).
            resend, self._resends_waiting = self._resends_waiting, False
            while self._votes_out:
                # A vote re-sent twice within one flush (or while we publish) would make a
                # batch with a duplicate: malformed.
                self._votes_out = list({sv.vote: sv for sv in self._votes_out}.values())
                batch, self._votes_out = self._votes_out[:MAX_BATCH_VOTES], self._votes_out[MAX_BATCH_VOTES:]
                await self._publish(self.topics.votes,
                                    VoteBatch(tuple(batch), self._next_resend() if resend else 0).encode())

    async def _fetch_block(self, block_id: str, hint: str | None) -> tuple[Block, bytes | None] | None:
        return await self.sync.fetch_block(block_id, hint)

    async def explain_in_block(self, cid: str, top_k: int, block_id: str) -> dict[str, Any] | None:
        """Explain record ``cid`` as validators scored it: among its block's records, in block order,
        against the History of the committed view the block names (``view_history`` False when that
        view is too old to rebuild here). None if we do not hold the block's payload."""
        row = await self.db.run(self.store.get_block, block_id)
        if row is None or row.payload is None:
            return None
        header = decode_signed_header(row.header, self.limits).header
        records = await trio.to_thread.run_sync(open_payload, header, row.payload, self.limits)
        idx = next((i for i, r in enumerate(records) if r.cid == cid), None)
        if idx is None:
            return None
        exp = await self.model.run(self.views.explain_sync, list(records), idx, top_k, header.view, header.proposer)
        return {"context": f"block {block_id}", "context_size": len(records), "view": list(header.view), **exp}

    # ------------------------------------------------------------------ API
    async def ingest(self, objs: Sequence[Any]) -> IngestResult:
        return await self.pipeline.ingest(objs)

    def peer_score(self, peer_id: str) -> float:
        """A peer's standing in its resource budget (0 = good; see node/net/budget.py)."""
        return self.p2p.budget.standing(peer_id, trio.current_time())

    def status(self) -> NodeStatus:
        c = self.consensus.statistics()
        core = self.consensus.core.statistics()
        p = self.pipeline
        wire = self.p2p.statistics().total() if self.p2p else None
        return NodeStatus(
            peer_id=self.me,
            role="validator" if self.me in self.genesis.validators else "observer",
            addrs=self.p2p.addrs() if self.p2p else [],
            model_id=self.model_id,
            uptime_s=round(time.monotonic() - self.started_at, 1),
            ingested=p.stats_ingested,
            shipped=p.stats_shipped,
            kept=p.stats_kept,
            blocks_proposed=p.stats_blocks,
            committed_blocks=c.committed_blocks,
            committed_records=c.committed_records,
            rejected_blocks=c.rejected_blocks,
            votes_cast=c.votes_cast,
            evidence=c.evidence,
            pending=p.pending_count,
            peers=len(self.p2p.connected_peers()) if self.p2p else 0,
            heights={prop: tip[0] for prop, tip in self.consensus.tips().items()},
            commit_latency_ms_p50=_quantile(self.consensus.latencies_ms, 0.5),
            commit_latency_ms_p99=_quantile(self.consensus.latencies_ms, 0.99),
            gossip_msgs_out=int(_total(self.metrics.gossip_msgs_out)),
            gossip_msgs_in=int(_total(self.metrics.gossip_msgs_in)),
            gossip_bytes_out=int(_total(self.metrics.gossip_bytes_out)),
            gossip_bytes_in=int(_total(self.metrics.gossip_bytes_in)),
            wire_msgs_out=wire.messages_out if wire else 0,
            wire_bytes_out=wire.bytes_out if wire else 0,
            wire_msgs_in=wire.messages_in if wire else 0,
            wire_bytes_in=wire.bytes_in if wire else 0,
            ship_budget=p.budget() if p.is_proposer else None,
            store=st.footprint() if (st := getattr(self, "store", None)) is not None else None,
            open_blocks=core.open_blocks,
            open_slots=core.open_slots,
            evaluations=core.evaluations,
            fetches=core.fetches,
            dropped_events=int(_total(self.metrics.dropped_events)),
            store_errors=c.store_errors,
            internal_errors=c.internal_errors,
            committed_view=list(self.views.current()),
            view_cache=self.views.stats,
        )


def _quantile(xs: Sequence[int], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return float(s[min(len(s) - 1, int(q * len(s)))])


def _total(counter: Any) -> float:
    """Sum a labelled prometheus counter over its labels."""
    return sum(s.value for m in counter.collect() for s in m.samples if s.name.endswith("_total"))
