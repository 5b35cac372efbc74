"""The sync protocol ``/attnshare/sync/1.0.0``: serving, fetching, anti-entropy.

Gossip is lossy; this is the repair path. A peer answers three requests from
its store (HEADS, GET_BLOCKS, GET). We use them to:
- fetch one block by id (its payload was too big for gossip, or a certificate
  or votes arrived before the block);
- catch up after a crash, a partition or a late join: every ``anti_entropy_s``
  ask a random peer for its heads and pull the committed blocks we lack, in
  order, each with its certificate.

Nothing learned over sync is trusted: each block's header signature, payload
(bomb-proof decode) and certificate are verified before it is committed, and a
late joiner never votes on what it syncs.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import trio

from node.consensus import Consensus
from node.metrics import Metrics
from node.net import P2P, NetError
from node.store import Store
from node.worker import Worker
from protocol.block import Block, BlockLimits, decode_block, decode_signed_header, open_payload
from protocol.errors import AttnshareError, DecodeError, ValidationError
from protocol.genesis import Genesis
from protocol.quorum import decode_certificate, verify_certificate
from protocol.sync import (
    BlocksResp,
    ErrorResp,
    Get,
    GetBlocks,
    GetResp,
    Heads,
    HeadsResp,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)

log = logging.getLogger("attnshare.sync")

SYNC_PROTOCOL = "/attnshare/sync/1.0.0"
MAX_RESPONSE = 32 << 20
REQUEST_TIMEOUT_S = 10.0
BATCH = 32


class SyncService:
    def __init__(
        self,
        *,
        p2p: P2P,
        store: Store,
        db: Worker,
        consensus: Consensus,
        genesis: Genesis,
        metrics: Metrics,
        interval_s: float,
        rng: random.Random | None = None,
        limits: BlockLimits | None = None,
        peers: Callable[[], list[str]] | None = None,
    ) -> None:
        self.p2p = p2p
        self.store = store
        self.db = db
        self.consensus = consensus
        self.genesis = genesis
        self.metrics = metrics
        self.interval_s = interval_s
        self.rng = rng or random.Random()
        self.limits = limits or BlockLimits()
        self._peers = peers or (lambda: [p.peer_id for p in self.p2p.connected_peers()])
        self.rounds = 0
        p2p.set_handler(SYNC_PROTOCOL, self._serve)

    # ------------------------------------------------------------------ serving
    async def _serve(self, peer: str, data: bytes) -> bytes:
        try:
            req = decode_request(data)
        except DecodeError as exc:
            return encode_response(ErrorResp(400, str(exc)[:200]))
        self.metrics.sync_requests.labels("in", type(req).__name__).inc()
        if isinstance(req, Heads):
            heads = await self.db.run(self.store.heads)
            return encode_response(HeadsResp(tuple(heads)))
        if isinstance(req, GetBlocks):
            rows = await self.db.run(self.store.blocks_range, req.proposer, req.from_seq, min(req.limit, BATCH))
            items = [
                (Block(decode_signed_header(r.header, self.limits), r.payload).encode(), r.cert)
                for r in rows if r.payload is not None and r.cert is not None
            ]
            # Large blocks: send the prefix that fits; the client asks again from the next seq.
            return encode_response(BlocksResp.fitting(items))
        if isinstance(req, Get):
            row = await self.db.run(self.store.get_block, req.cid)
            if row is None or row.payload is None:
                return encode_response(GetResp(None, None))
            block = Block(decode_signed_header(row.header, self.limits), row.payload)
            return encode_response(GetResp(block.encode(), row.cert))
        return encode_response(ErrorResp(400, "unsupported request"))

    # ------------------------------------------------------------------ client
    async def _ask(self, peer: str, req: object) -> object:
        self.metrics.sync_requests.labels("out", type(req).__name__).inc()
        with trio.fail_after(REQUEST_TIMEOUT_S):
            raw = await self.p2p.request(peer, SYNC_PROTOCOL, encode_request(req), max_response=MAX_RESPONSE)
        resp = decode_response(raw)
        if isinstance(resp, ErrorResp):
            raise ValidationError(f"sync peer {peer} answered error {resp.code}: {resp.message}")
        return resp

    async def fetch_block(self, block_id: str, hint: str | None) -> tuple[Block, bytes | None] | None:
        """Fetch one block (with its certificate if the peer has one) from ``hint`` or any peer."""
        candidates = [hint] if hint else []
        others = [p for p in self._peers() if p != hint]
        self.rng.shuffle(others)
        for peer in [*candidates, *others][:4]:
            try:
                resp = await self._ask(peer, Get(block_id))
            except (AttnshareError, trio.TooSlowError, NetError) as exc:
                log.debug("GET %s from %s failed: %s", block_id, peer, exc)
                continue
            if not isinstance(resp, GetResp) or resp.block is None:
                continue
            try:
                block = decode_block(resp.block, self.limits)
                if block.block_id != block_id:
                    raise ValidationError("sync peer returned a different block")
                block.signed.verify()
            except AttnshareError as exc:
                self.metrics.remote_errors.labels("sync_block").inc()
                log.info("bad block from %s: %s", peer, exc)
                continue
            return block, resp.cert
        return None

    async def catch_up_with(self, peer: str) -> int:
        """Pull every committed block ``peer`` has and we lack; returns how many we committed."""
        resp = await self._ask(peer, Heads())
        if not isinstance(resp, HeadsResp):
            return 0
        ours = {p: (s, n) for p, s, _, n in await self.db.run(self.store.heads)}
        total = 0
        for proposer, seq, _bid, count in resp.heads:
            if proposer not in self.genesis.validators:
                continue
            have_seq, have_count = ours.get(proposer, (0, 0))
            # 1. Everything above our head, in order.
            start = have_seq + 1
            while start <= seq:
                got = await self._blocks_from(peer, proposer, start)
                if not got:
                    break
                new = sum(1 for _, fresh in got if fresh)
                total += new
                have_count += new
                start = max(sq for sq, _ in got) + 1
            # 2. Gaps below our head (commits learned live while earlier ones were missed).
            if have_count < count:
                missing = await self.db.run(self.store.missing_committed_seqs, proposer, seq)
                while missing and have_count < count:
                    got = await self._blocks_from(peer, proposer, missing[0])
                    if not got:
                        break
                    covered = max(sq for sq, _ in got)
                    new = sum(1 for _, fresh in got if fresh)
                    total += new
                    have_count += new
                    missing = [m for m in missing if m > covered]
        return total

    async def _blocks_from(self, peer: str, proposer: str, from_seq: int) -> list[tuple[int, bool]]:
        """Fetch committed blocks from ``from_seq`` on; commit the ones we lack.

        Returns (seq, newly committed) per block received.
        """
        got = await self._ask(peer, GetBlocks(proposer, from_seq, BATCH))
        if not isinstance(got, BlocksResp) or not got.items:
            return []
        seqs = []
        for block_bytes, cert_bytes in got.items:
            seqs.append(await self._commit_synced(block_bytes, cert_bytes, proposer))
        return seqs

    async def _commit_synced(self, block_bytes: bytes, cert_bytes: bytes, proposer: str) -> tuple[int, bool]:
        block = decode_block(block_bytes, self.limits)
        h = block.signed.header
        if h.proposer != proposer or block.payload is None:
            raise ValidationError("sync peer sent a block for another proposer or without payload")
        mine = await self.db.run(self.store.block_at, h.proposer, h.seq)
        if mine is not None:
            if mine.block_id != block.block_id:
                # Two certified blocks in one slot: more than f validators are faulty.
                raise ValidationError(f"sync peer's block {block.block_id} conflicts with committed {mine.block_id}")
            return h.seq, False  # already committed here: skip the signature work
        block.signed.verify()
        cert = decode_certificate(cert_bytes)
        if cert.block_id != block.block_id or (cert.proposer, cert.seq) != (h.proposer, h.seq):
            raise ValidationError("certificate does not match the block")
        verify_certificate(cert, self.genesis.validators)
        records = await trio.to_thread.run_sync(open_payload, h, block.payload, self.limits)
        await self.consensus.commit_verified(block, records, cert)
        self.metrics.sync_blocks.inc()
        return h.seq, True

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Anti-entropy: every interval, catch up with one random connected peer."""
        task_status.started()
        while True:
            await trio.sleep(self.interval_s * (0.5 + self.rng.random()))
            peers = self._peers()
            if not peers:
                continue
            peer = self.rng.choice(peers)
            try:
                n = await self.catch_up_with(peer)
                if n:
                    log.info("anti-entropy: committed %d blocks from %s", n, peer)
            except (AttnshareError, trio.TooSlowError) as exc:
                self.metrics.remote_errors.labels("sync").inc()
                log.info("anti-entropy with %s failed: %s", peer, exc)
            self.rounds += 1
