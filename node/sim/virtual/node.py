"""A virtual node: the protocol core's state machines on simulated I/O.

Theory of operation
-------------------
A :class:`VirtualNode` is the virtual engine's adapter, the counterpart of the
daemon's consensus, pipeline and sync adapters. The rules are not here; the
node drives the same pure state machines the daemon drives:

* :class:`protocol.slots.SlotCore`: the per-slot lifecycle (tally, chain
  rules, pending buffer, open blocks, evaluation and fetch limits, admission
  through :func:`protocol.admission.judge_block`);
* :class:`protocol.selection.ShipSelector`: which records of a scored window
  ship (the proposer's budget), with :func:`protocol.admission.proposer_clears`;
* :class:`protocol.catchup.CatchupPlanner`: anti-entropy rounds.

It feeds them typed events with the virtual time and carries out their typed
effects (an unknown effect raises) against the modelled network
(:mod:`node.sim.virtual.net`), an in-memory store and the virtual clock, in
the daemon's order: our vote is stored before it is queued; votes leave in
5 ms batches; slow work (decode, re-scoring on the node's one model thread,
fetches from the store then over sync) answers with an event after its
modelled cost; a proposer scores one window at a time, has one slot in
flight and re-announces it every 3 s until decided.

A crash drops every volatile field; :meth:`VirtualNode.restart` rebuilds the
core from the store (``SlotCore.restore``), as ``Consensus.restore`` does.

Signatures are real (Ed25519 signs every vote and header). Verification of a
signed object, like the daemons' pubsub validators' check, is done once per
object for the whole simulation (:class:`Shared`): every node would get the
same answer for the same bytes.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from node.sim.virtual.clock import Scheduler
from node.sim.virtual.net import VirtualNet
from node.sim.virtual.scoring import SimScorer
from node.sim.virtual.store import MemStore
from protocol import slots as sl
from protocol.admission import check_records, check_view, proposer_clears
from protocol.block import Block, build_block, open_payload
from protocol.catchup import (
    AskBlocks,
    AskHeads,
    BlocksGot,
    CatchupPlanner,
    Failed,
    GapsGot,
    HeadsGot,
    LookupGaps,
    Peers,
    Penalized,
    RoundEnded,
    SyncParams,
    plan_ours,
)
from protocol.errors import AttnshareError, RemoteError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import (
    Certificate,
    decode_certificate,
    verify_certificate,
)
from protocol.record import Record
from protocol.selection import PipelineParams, ShipSelector, best_half
from protocol.vote import SignedVote, Vote, VoteBatch, sign_vote

TICK_MS = 500
VOTE_FLUSH_MS = 5
RESEND_MS = 1000  # our stored vote for a slot is re-sent at most this often (as the daemon)
REANNOUNCE_MS = 3000


@dataclass(frozen=True, slots=True)
class NodeCosts:
    """Modelled processing times of one node (the daemon's CPU work, which the network model omits)."""

    score_ms_base: float = 4.0
    """Fixed cost of one scoring call (model dispatch)."""
    score_ms_per_record: float = 0.05
    """Scoring cost per record in the window."""
    decode_ms_per_kib: float = 0.02
    """Decompress and decode a payload, per KiB."""
    store_ms: float = 1.0
    """A durable store write (own vote, own block, commit)."""
    msg_ms: float = 0.0
    """CPU to receive and handle one gossip message (decode, validate, dispatch); 0: free."""
    host_cores: int = 0
    """0: every node has its own CPU. N > 0: all nodes share one host of N cores (the process engine's
    setting: every daemon on one machine), and message handling and model work queue for them."""
    ingest_ms_per_record: float = 0.0
    """Shared host only: CPU to acknowledge one ingested record (admin JSON, CID, durable write)."""
    propose_ms: float = 0.0
    """A proposer's CPU per window besides the model (the daemon's pipeline step: store queries,
    selection, marking records, building and signing the block); the proposer is busy for it before
    the block is created, on its model thread (and, with a shared host, on the host's cores)."""
    msg_jitter: float = 0.0
    """Shared host only: 0, every message costs ``msg_ms``; up to 1, that share of the cost is drawn
    from an exponential distribution of the same mean (a real handler's cost varies: garbage
    collection, cache misses, other processes); the queue's tail grows with it."""
    other_load: float = 0.0
    """Shared host only: cores kept busy on average by other jobs on the host (the development host
    is shared), arriving at random in bursts of ``other_burst_ms`` on average (exponential)."""
    other_burst_ms: float = 200.0
    idle_ms_per_s: float = 0.0
    """Shared host only: each running node's background CPU per second (its loops and timers, the
    runner's status calls), taken from the host in 100 ms slices."""

    def validate(self) -> None:
        if min(self.score_ms_base, self.score_ms_per_record, self.decode_ms_per_kib, self.store_ms, self.msg_ms,
               self.ingest_ms_per_record, self.idle_ms_per_s, self.propose_ms) < 0:
            raise ValueError("node costs must be >= 0")
        if self.other_load < 0 or self.other_burst_ms <= 0:
            raise ValueError("other_load must be >= 0 and other_burst_ms > 0")
        if not 0 <= self.msg_jitter <= 1:
            raise ValueError("msg_jitter must be in [0, 1]")
        if not 0 <= self.host_cores <= 1024:
            raise ValueError("host_cores must be in [0, 1024]")

    def score_ms(self, records: int) -> float:
        return self.score_ms_base + self.score_ms_per_record * records

    def eval_ms(self, block: Block, rescore: bool) -> float:
        kib = block.header.payload_len / 1024
        t = kib * self.decode_ms_per_kib
        if rescore:
            t += self.score_ms_base + self.score_ms_per_record * block.header.record_count
        return t


class Shared:
    """What every node of one simulation shares: verification and decoding results, by object."""

    def __init__(self, genesis: Genesis, scorer: SimScorer) -> None:
        self.genesis = genesis
        self.scorer = scorer
        self._verified_votes: dict[int, tuple[SignedVote, bool]] = {}
        self._verified_certs: dict[int, tuple[Certificate, bool]] = {}
        self._opened: dict[str, tuple[Record, ...] | None] = {}
        self.index_of: dict[str, int] = {}  # peer id -> node index (set by the engine)
        #: what honest nodes received from rogues (an equivocation lost in transit leaves no evidence)
        self.rogues: frozenset[str] = frozenset()
        self.seen_blocks: set[str] = set()
        self.seen_votes: set[tuple[str, str, int, str]] = set()
        self._header_bytes: dict[str, bytes] = {}
        self._cert_bytes: dict[int, tuple[Certificate, bytes]] = {}
        self._certs_by_bytes: dict[bytes, Certificate | None] = {}
        self.verifications = 0
        #: when each core of the shared host is next free (empty: no shared host)
        self.host: list[float] = []
        #: CPU milliseconds queued on the shared host in all (calibration compares the daemons' CPU)
        self.host_work_ms = 0.0
        #: draws the varying part of message costs on the shared host (a named fork: seeded)
        self.host_rng = random.Random(0)

    def host_delay(self, now: int, not_before: float, cost_ms: float) -> float:
        """Queue ``cost_ms`` on the shared host's earliest-free core; the delay until it is done."""
        host = self.host
        self.host_work_ms += cost_ms
        core = min(range(len(host)), key=host.__getitem__)
        start = max(float(now), not_before, host[core])
        host[core] = start + cost_ms
        return host[core] - now

    def cert_bytes(self, cert: Certificate) -> bytes:
        got = self._cert_bytes.get(id(cert))
        if got is None:
            got = self._cert_bytes[id(cert)] = (cert, cert.encode())
            self._certs_by_bytes.setdefault(got[1], cert)
        return got[1]

    def decoded_cert(self, raw: bytes | None) -> Certificate | None:
        """A stored certificate's object, decoded and verified once; None if it does not verify."""
        if raw is None:
            return None
        if raw not in self._certs_by_bytes:
            try:
                cert: Certificate | None = decode_certificate(raw)
            except RemoteError:
                cert = None
            self._certs_by_bytes[raw] = cert
        got = self._certs_by_bytes[raw]
        return got if got is not None and self.cert_ok(got) else None

    def vote_ok(self, sv: SignedVote) -> bool:
        got = self._verified_votes.get(id(sv))
        if got is None:
            self.verifications += 1
            try:
                sv.verify(self.genesis.id)
                ok = True
            except RemoteError:
                ok = False
            got = self._verified_votes[id(sv)] = (sv, ok)  # the object is kept alive: ids stay unique
        return got[1]

    def cert_ok(self, cert: Certificate) -> bool:
        got = self._verified_certs.get(id(cert))
        if got is None:
            self.verifications += 1
            try:
                verify_certificate(cert, self.genesis.validators, self.genesis.id)
                ok = True
            except RemoteError:
                ok = False
            got = self._verified_certs[id(cert)] = (cert, ok)
        return got[1]

    def open(self, block: Block) -> tuple[Record, ...] | None:
        """The block's records, or None if its payload is malformed (decoded once per block)."""
        bid = block.block_id
        if bid not in self._opened:
            try:
                assert block.payload is not None
                self._opened[bid] = open_payload(block.header, block.payload)
            except AttnshareError:
                self._opened[bid] = None
        return self._opened[bid]

    def header_bytes(self, block: Block) -> bytes:
        hb = self._header_bytes.get(block.block_id)
        if hb is None:
            hb = self._header_bytes[block.block_id] = block.signed.encode()
        return hb


@dataclass(slots=True)
class NodeStats:
    committed_blocks: int = 0
    committed_records: int = 0
    rejected_blocks: int = 0
    votes_cast: int = 0
    evidence: int = 0
    ingested: int = 0
    shipped: int = 0
    blocks_proposed: int = 0
    remote_errors: int = 0
    sync_rounds: int = 0
    sync_penalties: int = 0
    latencies_ms: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NodeConfig:
    block_interval_ms: int = 250
    window: int = 1024
    block_max_records: int = 1024
    anti_entropy_ms: int = 500
    #: a proposer (re)starting holds its first window until a catch-up round ends, at most this
    #: long (the daemon's ``pipeline.startup_sync_s``; 0: no wait)
    startup_sync_ms: int = 10_000


class VirtualNode:
    """One simulated peer; see the module docstring."""

    def __init__(self, index: int, key: PrivateKey, shared: Shared, net: VirtualNet, sched: Scheduler,
                 costs: NodeCosts, config: NodeConfig, rng: random.Random) -> None:
        self.index = index
        self.key = key
        self.me = key.peer_id
        self.sh = shared
        self.genesis = shared.genesis
        self.is_validator = self.me in self.genesis.validators
        #: may cut blocks (the genesis proposers, or the validators when it names none), as the daemon
        self.is_proposer = self.genesis.is_proposer(self.me)
        self.net = net
        self.sched = sched
        self.costs = costs
        self.cfg = config
        self.rng = rng
        self.store = MemStore(track_cids=self.is_proposer)
        self.stats = NodeStats()
        self.nodes: list[VirtualNode] = []  # every node, set by the engine (sync peers by index)
        self.up = True
        self.epoch = 0  # bumped on crash: callbacks from before a crash are dropped
        self.acked: list[str] = []
        #: acknowledged records not yet scored: durable (in the store), so they survive a crash
        self._pending_records: list[Record] = []
        self._reset_volatile()

    # ------------------------------------------------------------------ lifecycle
    def _reset_volatile(self) -> None:
        # The rules: the per-slot lifecycle (tally, chain, pending, open blocks) and the ship budget.
        self.core = sl.SlotCore(self.genesis, self.me, sl.SlotParams())
        self.selector = ShipSelector(PipelineParams(share=self.genesis.ship_share))
        self._votes_out: list[SignedVote] = []
        self._flush_scheduled = False
        self._records: deque[Record] = deque()
        self._own_inflight: Block | None = None
        self._cut_scheduled = False
        self._building = False
        self._model_free_at = 0.0
        self._resent: dict[tuple[str, int], int] = {}
        self.catchup = CatchupPlanner(SyncParams(interval_ms=max(10, self.cfg.anti_entropy_ms)),
                                      frozenset(self.genesis.proposer_ids), self.rng, self.sched.now_ms)
        self._sync_at = 0
        #: while set, a proposer catching up before its first window (when the wait ends at the latest)
        self._settle_until: int | None = None

    def start(self) -> None:
        """First start: timers."""
        self._begin_settle()
        self._timers()

    def _begin_settle(self) -> None:
        """As the daemon's ``Pipeline.run`` awaits ``SyncService.settle``: a proposer hurries a
        catch-up round and cuts no window until one ends ``done`` or ``startup_sync_ms`` passes."""
        if not self.is_proposer or self.cfg.startup_sync_ms <= 0 or not self.genesis.has_others(self.me):
            return
        self._settle_until = self.sched.now_ms + self.cfg.startup_sync_ms
        self.catchup.hurry(self.sched.now_ms)
        self.sched.at(self._settle_until, self._guard(self.epoch, self._settled))

    def _settled(self) -> None:
        if self._settle_until is None:
            return
        self._settle_until = None
        self._schedule_cut()

    def _timers(self) -> None:
        ep = self.epoch
        jitter = self.rng.randrange(TICK_MS)
        self.sched.after(jitter, self._guard(ep, self._tick))
        self._schedule_sync(ep)

    def _guard(self, ep: int, fn: Callable[..., None]) -> Callable[..., None]:
        def run(*args: Any) -> None:
            if self.up and self.epoch == ep:
                fn(*args)
        return run

    def crash(self) -> None:
        self.up = False
        self.epoch += 1
        self._reset_volatile()

    def restart(self) -> None:
        """Start again on the store: chain tips and decisions, like ``Consensus.restore``."""
        self.up = True
        self.epoch += 1
        self._reset_volatile()
        decided = [(p, q, "committed" if o == "committed" else "rejected")
                   for (p, q), o in sorted(self.store.decided.items())]
        self.core.restore(self.store.chain_tips(), decided)
        self._begin_settle()
        # Our own undecided block is re-announced; acknowledged, unshipped records are pending again.
        own = [mb.block for mb in self.store.blocks.values()
               if mb.block.header.proposer == self.me and mb.status == "pending"
               and self.store.decided.get(mb.block.header.slot) is None]
        self._timers()
        if own:
            blk = max(own, key=lambda b: b.header.seq)
            self._own_inflight = blk
            self.on_block(blk, -1)
            self._announce(blk, self.epoch)
        self._records.extend(self._pending_records)
        self._schedule_cut()

    # ------------------------------------------------------------------ ingest and proposing
    def ingest(self, records: list[Record]) -> list[str]:
        """Acknowledge records (durable at once: the in-memory store models the disk)."""
        cids = []
        for r in records:
            if r.cid not in self.store.records:
                self.store.records[r.cid] = "pending"
                self._pending_records.append(r)
                self._records.append(r)
            cids.append(r.cid)
        self.stats.ingested += len(records)
        self.acked.extend(cids)
        if self.sh.host and self.costs.ingest_ms_per_record:
            self.sh.host_delay(self.sched.now_ms, 0.0, self.costs.ingest_ms_per_record * len(records))
        self._schedule_cut()
        return cids

    def _schedule_cut(self) -> None:
        if self._cut_scheduled or not self._records or not self.up:
            return
        self._cut_scheduled = True
        self.sched.after(self.cfg.block_interval_ms, self._guard(self.epoch, self._cut))

    def _cut(self) -> None:
        self._cut_scheduled = False
        if self._own_inflight is not None or self._building or self._settle_until is not None:
            return  # one slot in flight (its decision schedules the next cut), or catching up
        n = min(self.cfg.window, len(self._records))
        window = [self._records.popleft() for _ in range(n)]
        if not window:
            return
        scores = self.sh.scorer.score(window)
        chosen: list[int] = []
        if self.is_proposer:
            done = self.store.committed_cids or set()
            chosen = list(self.selector.select(
                scores, [len(r.canonical_bytes()) for r in window], [r.cid not in done for r in window],
                self.sched.now_ms, min(self.cfg.block_max_records, self.genesis.max_block_records)).indices)
        block_records: list[Record] = []
        claimed: list[float] = []
        # The proposer is busy while it scores (the daemon's pipeline is one sequential loop).
        busy = self.costs.score_ms(len(window)) + (self.costs.propose_ms if self.is_proposer else 0.0)
        if chosen and self.is_proposer:
            same = len(chosen) == len(window)
            if not same:
                busy += self.costs.score_ms(len(chosen))
            block_records, claimed = self._fit([window[i] for i in chosen],
                                               self.sh.scorer.score_block(window) if same else None)
        self._building = True
        self.sched.after(self._model_worker(busy), self._guard(self.epoch, self._scored), window, block_records,
                         claimed)

    def _scored(self, window: list[Record], block_records: list[Record], claimed: list[float]) -> None:
        """Scoring done: mark the window kept or shipped (durable), propose, go on."""
        self._building = False
        in_block = {r.cid for r in block_records}
        for r in window:
            self.store.records[r.cid] = "shipped" if r.cid in in_block else "kept"
        done = {r.cid for r in window}
        self._pending_records = [r for r in self._pending_records if r.cid not in done]
        if block_records:
            self._propose(block_records, claimed)
        self._schedule_cut()

    def _fit(self, records: list[Record], known: list[float] | None) -> tuple[list[Record], list[float]]:
        claimed = known if known is not None else self.sh.scorer.score_block(records)
        if proposer_clears(claimed, self.genesis):
            return records, claimed
        keep = [records[i] for i in best_half(claimed)]
        claimed = self.sh.scorer.score_block(keep)
        if not proposer_clears(claimed, self.genesis):
            return [], []
        return keep, claimed

    def next_seq(self) -> int:
        own = [mb.block.header.seq for mb in self.store.blocks.values() if mb.block.header.proposer == self.me]
        return max(own, default=0) + 1

    def _propose(self, records: list[Record], claimed: list[float]) -> None:
        tip = self.core.tips().get(self.me)
        block = build_block(self.key, genesis_id=self.genesis.id, network=self.genesis.network_id, seq=self.next_seq(),
                            prev=tip[1] if tip else None, created_ms=self.sched.now_ms,
                            model_id=self.sh.scorer.model_id, records=records, scores=claimed,
                            view=self.store.committed_view(self.genesis.proposer_ids))
        self.store.put_block(block, self.sched.now_ms)
        self.stats.blocks_proposed += 1
        self.stats.shipped += len(records)
        self._own_inflight = block
        ep = self.epoch
        self.sched.after(self.costs.store_ms, self._guard(ep, self._submit_own), block)

    def _submit_own(self, block: Block) -> None:
        self.on_block(block, -1)
        self._announce(block, self.epoch)

    def _announce(self, block: Block, ep: int) -> None:
        if not self.up or self.epoch != ep or self._own_inflight is not block:
            return
        if self.core.decided(*block.header.slot) is not None:
            return
        self.publish_block(block)
        self.sched.after(REANNOUNCE_MS, self._announce, block, ep)

    def publish_block(self, block: Block) -> None:
        size = len(self.sh.header_bytes(block)) + (block.header.payload_len if block.payload is not None else 0)
        self.net.publish(self.index, size, lambda i, frm: self.nodes[i].deliver_block(block, frm))

    def _own_decided(self, seq: int, outcome: str) -> None:
        blk = self._own_inflight
        if blk is None or blk.header.seq != seq:
            return
        self._own_inflight = None
        if outcome == "rejected":
            mb = self.store.blocks.get(blk.block_id)
            recs = self.sh.open(blk) if mb else None
            for r in recs or ():
                self.store.records[r.cid] = "kept"
        self._schedule_cut()

    # ------------------------------------------------------------------ deliveries (from the net)
    def _handling(self, fn: Callable[..., None], *args: Any) -> bool:
        """On a shared host, queue the message's handling CPU and run ``fn`` then; True if deferred."""
        if not self.sh.host:
            return False
        cost, j = self.costs.msg_ms, self.costs.msg_jitter
        if j:
            cost *= (1 - j) + j * self.sh.host_rng.expovariate(1.0)
        self.sched.after(self.sh.host_delay(self.sched.now_ms, 0.0, cost), self._guard(self.epoch, fn), *args)
        return True

    def deliver_block(self, block: Block, frm: int) -> None:
        if self.up and not self._handling(self.on_block, block, frm):
            self.on_block(block, frm)

    def deliver_votes(self, votes: tuple[SignedVote, ...], frm: int) -> None:
        if self.up and not self._handling(self.on_votes, votes):
            self.on_votes(votes)

    def deliver_cert(self, cert: Certificate, frm: int) -> None:
        if self.up and not self._handling(self._on_cert, cert, frm):
            self._on_cert(cert, frm)

    def deliver_junk(self, size: int, frm: int) -> None:
        if self.up:
            self.stats.remote_errors += 1  # refused by the decoder; its bytes are already counted

    def _peer(self, frm: int) -> str | None:
        return self.nodes[frm].me if frm >= 0 else None

    def on_block(self, block: Block, frm: int) -> None:
        h = block.header
        if h.proposer in self.sh.rogues and self.me not in self.sh.rogues:
            self.sh.seen_blocks.add(block.block_id)
        self._feed(sl.BlockSeen(block, self._peer(frm)))

    def on_votes(self, votes: tuple[SignedVote, ...] | list[SignedVote]) -> None:
        rogues = self.sh.rogues if self.me not in self.sh.rogues else frozenset()
        ok = self.sh.vote_ok
        good = []
        for sv in votes:
            v = sv.vote
            if v.voter in rogues:
                self.sh.seen_votes.add((v.voter, v.proposer, v.seq, v.block_id))
            # The pubsub validator's check (shared and cached: every node gets the same answer).
            if ok(sv):
                good.append(sv)
            else:
                self.stats.remote_errors += 1
        if good:
            self._feed(sl.VotesSeen(tuple(good)))

    def _on_cert(self, cert: Certificate, frm: int) -> None:
        if self.core.decided(*cert.slot) == "committed":
            return
        if not self.sh.cert_ok(cert):
            self.stats.remote_errors += 1
            return
        self._feed(sl.CertificateSeen(cert, self._peer(frm)))

    def _model_worker(self, cost_ms: float) -> float:
        """Queue ``cost_ms`` of work on the node's one model thread; returns the delay until it is done.

        The daemon scores on a single worker thread, so a validator's re-scoring waits behind its own
        proposer's window: that queue is where loaded nodes get their latency tail.
        """
        now = self.sched.now_ms
        if self.sh.host:
            delay = self.sh.host_delay(now, self._model_free_at, cost_ms)
            self._model_free_at = now + delay
            return delay
        start = max(now, self._model_free_at)
        self._model_free_at = start + cost_ms
        return self._model_free_at - now

    # ------------------------------------------------------------------ the slot core's effects
    def _feed(self, event: sl.Event) -> None:
        """One event into the core; its effects carried out in order (follow-up events included)."""
        todo: deque[sl.Event] = deque([event])
        now = self.sched.now_ms
        handle = self.core.handle
        while todo:
            for eff in handle(todo.popleft(), now):
                follow = self._apply(eff)
                if follow is not None:
                    todo.append(follow)

    def _apply(self, eff: sl.Effect) -> sl.Event | None:
        now = self.sched.now_ms
        match eff:
            case sl.StoreVotes():
                pass  # kept by daemons for `show`; the simulation keeps only what the invariants read
            case sl.StoreBlock(block, received_ms):
                self.store.put_block(block, received_ms)
            case sl.Evaluate(block, score, records):
                cost = 0.0 if records is not None else self.costs.eval_ms(block, False)
                if score:
                    cost += self._model_worker(self.costs.score_ms(block.header.record_count))
                self.sched.after(cost, self._guard(self.epoch, self._evaluated), block, score, records)
            case sl.Fetch(block_id, hint):
                self._fetch(block_id, self.sh.index_of.get(hint, -1) if hint else -1)
            case sl.CastVote():
                if not self.is_validator:
                    return None  # a byzantine proposer's own vote goes out by hand (rogue.py)
                vote = Vote(eff.block_id, eff.proposer, eff.seq, self.me, eff.decision, eff.reason)
                sv = self.store.record_own_vote(sign_vote(vote, self.key, self.genesis.id))
                self.stats.votes_cast += 1
                self.send_votes([sv])
                return sl.VotesSeen((sv,))
            case sl.ResendVote(proposer, seq):
                last = self._resent.get((proposer, seq))
                if self.is_validator and (last is None or now - last >= RESEND_MS):
                    self._resent[(proposer, seq)] = now
                    if len(self._resent) > 4096:
                        self._resent.pop(next(iter(self._resent)))
                    sv = self.store.own_votes.get((proposer, seq))
                    if sv is not None:
                        self.send_votes([sv])
            case sl.Commit(block, records, cert):
                self._commit(block, records, cert)
            case sl.Reject(proposer, seq, block_id):
                if block_id is not None:
                    self.store.reject_block(block_id)
                self.stats.rejected_blocks += 1
                if proposer == self.me:
                    self._own_decided(seq, "rejected")
            case sl.PersistDecided(proposer, seq, outcome, _block_id):
                self.store.decided[(proposer, seq)] = outcome
            case sl.RecordEvidence(ev):
                self.stats.evidence += 1
                self.store.add_evidence(ev.kind, ev.offender, ev.slot[0], ev.slot[1], ev.encode(), now)
            case sl.Refused():
                self.stats.remote_errors += 1
            case sl.Forget() | sl.SlotForgotten():
                pass
            case _:
                raise TypeError(f"unknown slot effect {eff!r:.80}")
        return None

    def _evaluated(self, block: Block, score: bool, records: tuple[Record, ...] | None) -> None:
        recs = records if records is not None else self.sh.open(block)
        own = None
        if recs is not None and score and check_records(block.header, recs) is None:
            # The view rule, as the daemon's evaluation applies it (admission.check_view). Not
            # mirrored: waiting for commits a view names that we lack (scored at once here).
            chk = check_view(block.header, self.store.committed_view(self.genesis.proposer_ids), self.genesis)
            if chk.verdict is not None:
                self._feed(sl.Evaluated(block.block_id, recs, None, chk.verdict))
                return
            own = tuple(self.sh.scorer.score_block(list(recs)))
        self._feed(sl.Evaluated(block.block_id, recs, own))

    def _commit(self, block: Block, records: tuple[Record, ...], cert: Certificate) -> None:
        h = block.header
        now = self.sched.now_ms
        cids = [r.cid for r in records] if self.store.committed_cids is not None else None
        new = self.store.commit_block(block, self.sh.cert_bytes(cert), cids, now)
        if new:
            self.stats.committed_blocks += 1
            self.stats.committed_records += h.record_count
            self.stats.latencies_ms.append(max(0, now - h.created_ms))
        if h.proposer == self.me:
            self.net.publish(self.index, len(self.sh.cert_bytes(cert)),
                             lambda i, frm, c=cert: self.nodes[i].deliver_cert(c, frm))
            self._own_decided(h.seq, "committed")

    def send_votes(self, votes: list[SignedVote]) -> None:
        self._votes_out.extend(votes)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.sched.after(VOTE_FLUSH_MS, self._guard(self.epoch, self._flush_votes))

    def _flush_votes(self) -> None:
        self._flush_scheduled = False
        # A batch may not hold one vote twice (a re-send can meet the first send in the queue).
        self._votes_out = list({(sv.vote, sv.signature): sv for sv in self._votes_out}.values())
        while self._votes_out:
            batch, self._votes_out = tuple(self._votes_out[:4096]), self._votes_out[4096:]
            size = len(VoteBatch(batch).encode())
            self.net.publish(self.index, size, lambda i, frm, b=batch: self.nodes[i].deliver_votes(b, frm))

    # ------------------------------------------------------------------ fetching (the store, then sync)
    def _sync_peers(self) -> list[int]:
        return sorted(j for j in self.net.conns[self.index] if self.net.reachable(self.index, j))

    def _fetch(self, bid: str, hint: int) -> None:
        mb = self.store.blocks.get(bid)
        if mb is not None and mb.block.payload is not None:
            self.sched.after(self.costs.store_ms, self._guard(self.epoch, self._feed), sl.Fetched(mb.block))
            return
        peers = self._sync_peers()
        if hint >= 0 and hint in peers:
            peers.remove(hint)
            peers.insert(0, hint)
        self._fetch_from(bid, peers[:4], self.epoch)

    def _fetch_from(self, bid: str, peers: list[int], ep: int) -> None:
        if self.epoch != ep or not self.up:
            return
        if not peers:
            self._feed(sl.FetchFailed(bid))  # the core must always hear back
            return
        peer = peers[0]

        def respond() -> tuple[int, object]:
            mb = self.nodes[peer].store.blocks.get(bid)
            if mb is None or mb.block.payload is None:
                return 16, None
            size = len(self.sh.header_bytes(mb.block)) + mb.block.header.payload_len + len(mb.cert or b"")
            return size, mb.block

        def on_reply(got: object | None) -> None:
            if self.epoch != ep or not self.up:
                return
            if not isinstance(got, Block):
                self._fetch_from(bid, peers[1:], ep)
                return
            self._feed(sl.Fetched(got))

        self.net.request(self.index, peer, 64, respond, on_reply)

    # ------------------------------------------------------------------ sync
    # Anti-entropy: the pure catch-up planner decides, this carries its effects out.
    def _sync_wake(self) -> None:
        ep = self.epoch
        now = self.sched.now_ms
        peers = tuple(self.nodes[j].me for j in self._sync_peers())
        self.catchup.handle(Peers(peers), now)
        self._sync_effects(self.catchup.tick(now), ep)
        self._schedule_sync(ep)

    def _schedule_sync(self, ep: int) -> None:
        wake = max(self.sched.now_ms + 1, self.catchup.next_wake_ms())
        if wake != self._sync_at:
            self._sync_at = wake
            self.sched.at(wake, self._guard(ep, self._sync_due), wake)

    def _sync_due(self, wake: int) -> None:
        if wake == self._sync_at:
            self._sync_at = 0
            self._sync_wake()

    def _sync_handle(self, event: Any, ep: int) -> None:
        if self.epoch != ep or not self.up:
            return
        self._sync_effects(self.catchup.handle(event, self.sched.now_ms), ep)
        self._schedule_sync(ep)

    def _sync_effects(self, effects: list[Any], ep: int) -> None:
        for eff in effects:
            match eff:
                case AskHeads(peer):
                    self._ask_heads(self.sh.index_of[peer], ep)
                case AskBlocks(peer, proposer, from_seq, limit):
                    self._ask_blocks(self.sh.index_of[peer], proposer, from_seq, limit, ep)
                case LookupGaps(proposer, upto):
                    missing = tuple(self.store.missing_committed_seqs(proposer, upto))
                    self.sched.after(self.costs.store_ms, self._sync_handle, GapsGot(proposer, missing), ep)
                case RoundEnded(_peer, _new, why):
                    self.stats.sync_rounds += 1
                    if why == "done":
                        self._settled()
                case Penalized():
                    self.stats.sync_penalties += 1
                case _:
                    raise TypeError(f"unknown catch-up effect {eff!r}")

    def _ask_heads(self, peer: int, ep: int) -> None:
        pid = self.nodes[peer].me

        def respond() -> tuple[int, object]:
            heads = self.nodes[peer].store.heads()
            return 16 + 90 * len(heads), tuple(heads)

        def on_reply(heads: object | None) -> None:
            if heads is None:
                self._sync_handle(Failed(pid, "timeout"), ep)
                return
            assert isinstance(heads, tuple)
            self._sync_handle(HeadsGot(pid, heads, plan_ours(self.store.heads())), ep)

        self.net.request(self.index, peer, 24, respond, on_reply)

    def _ask_blocks(self, peer: int, proposer: str, from_seq: int, limit: int, ep: int) -> None:
        pid = self.nodes[peer].me

        def respond() -> tuple[int, object]:
            rows = self.nodes[peer].store.blocks_range(proposer, from_seq, limit)
            size = 16 + sum(len(self.sh.header_bytes(mb.block)) + mb.block.header.payload_len + len(mb.cert or b"")
                            for mb in rows)
            return size, [(mb.block, mb.cert) for mb in rows]

        def on_reply(items: object | None) -> None:
            if items is None:
                self._sync_handle(Failed(pid, "timeout"), ep)
                return
            assert isinstance(items, list)
            seqs, new, bad = [], 0, None
            for block, cert_bytes in items:
                cert = self.sh.decoded_cert(cert_bytes)
                recs = self.sh.open(block)
                if cert is None or recs is None or cert.block_id != block.block_id or \
                        block.header.proposer != proposer:
                    bad = block.block_id
                    break
                seqs.append(block.header.seq)
                if self.core.decided(*block.header.slot) == "committed":
                    continue
                before = self.stats.committed_blocks
                self._feed(sl.Synced(block, recs, cert))
                new += self.stats.committed_blocks - before
            self._sync_handle(BlocksGot(pid, proposer, from_seq, tuple(seqs), new, bad), ep)

        self.net.request(self.index, peer, 64, respond, on_reply)

    # ------------------------------------------------------------------ ticking
    def _tick(self) -> None:
        ep = self.epoch
        self.sched.after(TICK_MS, self._guard(ep, self._tick))
        for eff in self.core.tick(self.sched.now_ms):
            follow = self._apply(eff)
            if follow is not None:
                self._feed(follow)

    # ------------------------------------------------------------------ views
    @property
    def pending_count(self) -> int:
        return len(self._records)
