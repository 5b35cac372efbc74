"""Gossip topics and their envelopes, plus the pubsub validators.

Pubsub validators run inside py-libp2p for every message and their verdict is
cached for minutes per message id, so they check only what can never change:
well-formedness and signatures. Everything that depends on state (chain rules,
quorum, re-scoring) happens later in the consensus driver.

Blocks travel in a tiny envelope ``[attempt, block_bytes]``: message ids are
content addresses, so re-announcing an undecided block needs different bytes
for the same signed block.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.net.ratelimit import RateLimiter
from protocol.block import Block, BlockLimits, decode_block
from protocol.cid import cid_matches
from protocol.codec import expect_bytes, expect_int, expect_list, packb, unpackb
from protocol.errors import AttnshareError
from protocol.quorum import decode_certificate
from protocol.validators import ValidatorSet
from protocol.vote import decode_vote_batch


@dataclass(frozen=True)
class Topics:
    blocks: str
    votes: str
    certs: str

    @classmethod
    def for_network(cls, network_id: str) -> Topics:
        base = f"/attnshare/{network_id}"
        return cls(f"{base}/blocks/1", f"{base}/votes/1", f"{base}/certs/1")


def encode_block_announce(block: Block, attempt: int) -> bytes:
    return packb([attempt, block.encode()])


def decode_block_announce(data: bytes, limits: BlockLimits) -> Block:
    obj = unpackb(data, max_bytes=limits.gossip_payload_max + 64 * 1024, max_items=4)
    attempt, raw = expect_list(obj, 2, "block announce")
    expect_int(attempt, "announce attempt", 0, 1 << 20)
    expect_bytes(raw, "block bytes", max_len=limits.gossip_payload_max + 60 * 1024)
    return decode_block(raw, limits)


class Validators:
    """Cheap, stateless pubsub validators for one network."""

    def __init__(self, network_id: str, validators: ValidatorSet, limits: BlockLimits,
                 block_rate: RateLimiter | None = None) -> None:
        self.network_id = network_id
        self.validators = validators
        self.limits = limits
        self.refused = 0
        # One slot in flight per proposer plus re-announces every few seconds:
        # 20 blocks/s (burst 40) is far above honest use.
        self.block_rate = block_rate or RateLimiter(rate=20.0, burst=40.0)

    def block(self, _peer: str, data: bytes) -> bool:
        try:
            b = decode_block_announce(data, self.limits)
            h = b.signed.header
            if h.network != self.network_id or h.proposer not in self.validators:
                return False
            if not self.block_rate.allow(h.proposer):
                return False
            if b.payload is not None and not cid_matches(h.payload_cid, b.payload):
                return False
            b.signed.verify()
            return True
        except AttnshareError:
            self.refused += 1
            return False

    def votes(self, _peer: str, data: bytes) -> bool:
        try:
            batch = decode_vote_batch(data)
            for sv in batch.votes:
                if sv.vote.voter not in self.validators:
                    return False
                sv.verify()
            return True
        except AttnshareError:
            self.refused += 1
            return False

    def cert(self, _peer: str, data: bytes) -> bool:
        try:
            decode_certificate(data)
            return True  # signatures are checked by verify_certificate in the driver
        except AttnshareError:
            self.refused += 1
            return False

