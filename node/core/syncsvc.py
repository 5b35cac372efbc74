"""Sync adapter for ``/attnshare/sync/1.0.0``: serves the store, runs the catch-up planner.

Gossip is lossy; sync is the repair path. This module holds no protocol rule:
- what a request may cost and how much fits in an answer: ServeGate and
  BlocksFitter (protocol/sync.py);
- which peer to ask for what, when to give up, who loses standing:
  CatchupPlanner (protocol/catchup.py);
- whether a certified block may commit, whether a fetched block is the one asked for:
  verify_certified, verify_fetched, check_synced_slot (protocol/certified.py),
  run in a worker thread; verified blocks go into the single consensus task
  through ``Consensus.submit_synced``.
It carries the planner's effects out over streams and the store, and feeds
the results back as events. A peer's error text is sanitized before it is
logged (finding 14).
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Awaitable, Callable

import trio

from node.core.consensus import Consensus
from node.metrics import Metrics
from node.net import P2P, NetError, PeerBusy
from node.net.pulse import Pulse
from node.store import Store
from node.worker import Worker
from protocol import catchup as cu
from protocol import sync as msg
from protocol.block import Block, BlockLimits, decode_block
from protocol.certified import check_synced_slot, verify_certified, verify_fetched
from protocol.codec import packb
from protocol.errors import AttnshareError, DecodeError, LocalError, ValidationError
from protocol.genesis import Genesis
from protocol.sync import BlocksResp, ErrorResp, GetBlocks, HeadsResp, sanitize_text

log = logging.getLogger("attnshare.sync")

SYNC_PROTOCOL = "/attnshare/sync/1.0.0"
_FETCH_TRIES = 4
_NET_FAILURES = (AttnshareError, trio.TooSlowError, NetError)


def _now_ms() -> int:
    return int(trio.current_time() * 1000)


class SyncService:
    """Serves sync requests and runs anti-entropy (``run``) for one node."""

    def __init__(
        self, *, p2p: P2P, store: Store, db: Worker, consensus: Consensus, genesis: Genesis, metrics: Metrics,
        params: cu.SyncParams | None = None, interval_s: float | None = None, rng: random.Random | None = None,
        limits: BlockLimits | None = None, peers: Callable[[], list[str]] | None = None,
    ) -> None:
        params = params or cu.SyncParams()
        if interval_s is not None:  # node.anti_entropy_s in config.toml
            params = dataclasses.replace(params, interval_ms=int(interval_s * 1000))
        params.validate()
        self.p2p, self.store, self.db, self.consensus = p2p, store, db, consensus
        self.genesis, self.metrics, self.params = genesis, metrics, params
        self.rng = rng or random.Random()
        self.limits = limits or BlockLimits()
        self._peers = peers or (lambda: [p.peer_id for p in self.p2p.connected_peers()])
        # Genesis members answer from budgets of their own; everyone else also
        # draws from one strangers' pool, so fresh key pairs do not multiply
        # the answer bytes read from the store (review 7, finding 4).
        members = frozenset(genesis.validators.peer_ids) | frozenset(genesis.proposer_ids)
        self._members = members
        self.gate = msg.ServeGate(params, is_known=members.__contains__)
        self.planner = cu.CatchupPlanner(params, frozenset(genesis.proposer_ids), self.rng, _now_ms())
        self.rounds = 0
        # Set when a round first ends with nothing left to pull from its peer ("done"): the store
        # then holds every block one peer's heads showed (:meth:`settle`).
        self.caught_up = trio.Event()
        self._wake = trio.Event()
        self.changed = Pulse()  # fires after every round and penalty (tests and simulations wait on it)
        # Sync requests are at most 256 bytes: a bigger frame is refused from its length
        # (the stream layer's cap, 1 MiB, let a peer make us read 1 MiB per request first).
        p2p.set_handler(SYNC_PROTOCOL, self._serve, max_request=msg.MAX_REQUEST_BYTES)

    def is_banned(self, peer: str) -> bool:
        """True while ``peer`` is left out of catch-up for lying or failing (see protocol/catchup.py)."""
        return self.planner.is_banned(peer, _now_ms())

    # ------------------------------------------------------------------ serving
    async def _serve(self, peer: str, data: bytes) -> bytes:
        if not self.gate.admit(peer, _now_ms()):
            self.metrics.sync_requests.labels("in", "busy").inc()
            return msg.encode_response(ErrorResp(msg.ERR_BUSY, "busy: too many sync requests from you"))
        resp = b""
        try:
            resp = msg.encode_response(await self._answer(data))
            return resp
        finally:
            self.gate.release(peer, len(resp))  # big answers cost the asker more (serve_bytes_per_s)

    async def _answer(self, data: bytes) -> ErrorResp | HeadsResp | BlocksResp | msg.GetResp:
        try:
            req = msg.decode_request(data)
        except DecodeError as exc:
            # Raised, not answered: the stream layer sends an error frame and
            # charges the peer's budget for a malformed request (finding 1).
            raise DecodeError(f"bad sync request: {sanitize_text(exc)}") from None
        self.metrics.sync_requests.labels("in", type(req).__name__).inc()
        if isinstance(req, msg.Heads):
            return HeadsResp(tuple(await self.db.run(self.store.heads)))
        if isinstance(req, GetBlocks):
            if not self.genesis.is_proposer(req.proposer):  # a set lookup: no curve math
                return ErrorResp(msg.ERR_NOT_FOUND, "not a proposer")
            return await self._serve_blocks(req)
        row = await self.db.run(self.store.get_block, req.cid)
        if row is None or row.payload is None:
            return msg.GetResp(None, None)
        return msg.GetResp(packb([row.header, row.payload]), row.cert)

    async def _serve_blocks(self, req: GetBlocks) -> BlocksResp:
        """Committed blocks from ``req.from_seq`` on, loaded only in chunks sure to fit the answer."""
        # Committed blocks obey the genesis payload cap (validators refuse larger): size chunks by it.
        biggest = min(self.limits.max_block_bytes,
                      self.genesis.max_payload_bytes + self.limits.max_signed_header_bytes + 32)
        fitter = msg.BlocksFitter(min(req.limit, self.params.batch), biggest)
        seq = req.from_seq
        while (n := fitter.chunk()) > 0:
            rows = await self.db.run(self.store.blocks_range, req.proposer, seq, n)
            for r in rows:
                seq = r.seq + 1
                if r.payload is None or r.cert is None:
                    continue
                if not fitter.take(packb([r.header, r.payload]), r.cert):  # Block.encode(), no re-decoding
                    return fitter.response()
            if len(rows) < n:
                break
        return fitter.response()

    # ------------------------------------------------------------------ client
    async def _ask(self, peer: str, req: msg.Get | GetBlocks | msg.Heads, deadline_ms: int) -> object:
        self.metrics.sync_requests.labels("out", type(req).__name__).inc()
        with trio.fail_at(deadline_ms / 1000):
            raw = await self.p2p.request(peer, SYNC_PROTOCOL, msg.encode_request(req), max_response=msg.MAX_RESPONSE_BYTES)
        # A full answer is up to 16 MiB: decode it off the event loop.
        resp = msg.decode_response(raw) if len(raw) < 65536 else await trio.to_thread.run_sync(msg.decode_response, raw)
        if isinstance(resp, ErrorResp):
            if resp.code == msg.ERR_BUSY:
                raise PeerBusy(f"answered busy: {sanitize_text(resp.message)}")
            raise ValidationError(f"answered error {resp.code}: {sanitize_text(resp.message)}")
        return resp

    async def fetch_block(self, block_id: str, hint: str | None) -> tuple[Block, bytes | None] | None:
        """Fetch one block (with its certificate if the peer has one) from ``hint`` or other peers.

        Genesis members are asked first (the hint first among them): validators hold the blocks
        they voted for, and a member's key is not free. The hint is whoever relayed the announce
        or published the certificate, which anyone can be first to do: asked first, sybils holding
        each fetch 10 s made 80% of fetches fail (60 of them) and answered one with 16 MiB of
        empty arrays (review 37, findings 3 and F). A stranger hint comes after the members.
        """
        peers = [p for p in self._peers() if not self.is_banned(p)]
        members = [p for p in peers if p in self._members and p != hint]
        strangers = [p for p in peers if p not in self._members and p != hint]
        self.rng.shuffle(members)
        self.rng.shuffle(strangers)
        if hint is not None and not self.is_banned(hint):
            (members if hint in self._members else strangers).insert(0, hint)
        for peer in (members + strangers)[:_FETCH_TRIES]:
            try:
                resp = await self._ask(peer, msg.Get(block_id), _now_ms() + self.params.request_timeout_ms)
                if not isinstance(resp, msg.GetResp) or resp.block is None:
                    continue
                block = await trio.to_thread.run_sync(verify_fetched, resp.block, block_id, self.genesis, self.limits)
            except _NET_FAILURES as exc:
                self.metrics.remote_errors.labels("sync_block").inc()
                log.info("GET %s from %s failed: %s", block_id, peer, sanitize_text(exc))
                continue
            return block, resp.cert
        return None

    # ------------------------------------------------------------------ anti-entropy
    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Anti-entropy: carry out the planner's rounds, forever."""
        task_status.started()
        while True:
            with trio.move_on_at(max(self.planner.next_wake_ms(), _now_ms() + 10) / 1000):
                await self._wake.wait()  # settle() hurries the planner: look again at once
            self._wake = trio.Event()
            self.planner.handle(cu.Peers(tuple(self._peers())), _now_ms())
            await self._carry(self.planner.tick(_now_ms()))

    async def settle(self, timeout_s: float) -> bool:
        """Catch up before proposing: hurry a round and wait until one ends with nothing left to
        pull from its peer, or ``timeout_s`` passes. True when caught up.

        A proposer restarted after others committed more than ``max_view_lag`` blocks would
        otherwise name its stale view in its first block, and every validator would reject it
        (protocol/admission.py): a slot and its records spent for nothing. A peer that lies about
        its heads can only end the wait early, which is where a node stood without it."""
        if self.caught_up.is_set():
            return True
        with trio.move_on_after(timeout_s):
            self.planner.hurry(_now_ms())
            self._wake.set()
            await self.caught_up.wait()
        return self.caught_up.is_set()

    async def _carry(self, effects: list[cu.Effect]) -> None:
        queue = list(effects)
        while queue:
            eff = queue.pop(0)
            event: cu.Event | None
            match eff:
                case cu.AskHeads(peer, deadline):
                    event = await self._guard(peer, self._heads(peer, deadline))
                case cu.AskBlocks(peer, proposer, from_seq, limit, deadline):
                    event = await self._guard(peer, self._blocks(peer, proposer, from_seq, limit, deadline))
                case cu.LookupGaps(proposer, upto):
                    event = cu.GapsGot(proposer, tuple(await self.db.run(self.store.missing_committed_seqs, proposer,
                                                                      upto)))
                case cu.RoundEnded(peer, new, why):
                    self.rounds += 1
                    if why == "done":
                        self.caught_up.set()
                    if new:
                        log.info("anti-entropy: committed %d blocks from %s (%s)", new, peer, why)
                    self.changed.fire()
                    event = None
                case cu.Penalized(peer, why, standing, banned):
                    self.metrics.remote_errors.labels("sync_peer").inc()
                    log.info("sync peer %s lost standing (now %d%s): %s", peer, standing,
                             ", banned from catch-up" if banned else "", sanitize_text(why))
                    self.changed.fire()
                    event = None
                case _:
                    raise LocalError(f"unknown catch-up effect {eff!r:.80}")
            if event is not None:
                queue += self.planner.handle(event, _now_ms())

    async def _guard(self, peer: str, work: Awaitable[cu.Event]) -> cu.Event:
        """Await one request; any network or protocol failure becomes a Failed event."""
        try:
            return await work
        except PeerBusy as exc:  # its limits, not a fault: the planner holds nothing against it
            return cu.Failed(peer, sanitize_text(exc, 120), busy=True)
        except _NET_FAILURES as exc:
            self.metrics.remote_errors.labels("sync").inc()
            return cu.Failed(peer, sanitize_text(exc, 120))

    async def _heads(self, peer: str, deadline: int) -> cu.Event:
        resp = await self._ask(peer, msg.Heads(), deadline)
        if not isinstance(resp, HeadsResp):
            raise ValidationError("answered Heads with another message")
        return cu.HeadsGot(peer, resp.heads, cu.plan_ours(await self.db.run(self.store.heads)))

    async def _blocks(self, peer: str, proposer: str, from_seq: int, limit: int, deadline: int) -> cu.Event:
        resp = await self._ask(peer, GetBlocks(proposer, from_seq, limit), deadline)
        if not isinstance(resp, BlocksResp):
            raise ValidationError("answered GetBlocks with another message")
        seqs: list[int] = []
        new = 0
        for block_bytes, cert_bytes in resp.items:
            try:
                seq, fresh = await self._commit_synced(block_bytes, cert_bytes, proposer)
            except AttnshareError as exc:
                return cu.BlocksGot(peer, proposer, from_seq, tuple(seqs), new, bad=sanitize_text(exc, 120))
            seqs.append(seq)
            new += fresh
        return cu.BlocksGot(peer, proposer, from_seq, tuple(seqs), new)

    async def _commit_synced(self, block_bytes: bytes, cert_bytes: bytes, proposer: str) -> tuple[int, bool]:
        block = await trio.to_thread.run_sync(decode_block, block_bytes, self.limits)
        h = block.header
        mine = await self.db.run(self.store.block_at, h.proposer, h.seq) if h.proposer == proposer else None
        if check_synced_slot(block, proposer, mine.block_id if mine is not None else None):
            return h.seq, False  # already committed here: skip the signature work
        block, records, cert = await trio.to_thread.run_sync(
            verify_certified, block, cert_bytes, self.genesis, self.limits)
        fresh = await self.consensus.submit_synced(block, records, cert)  # the single consensus task commits
        if fresh:
            self.metrics.sync_blocks.inc()
        return h.seq, fresh

