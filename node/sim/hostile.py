"""Hostile gossip messages for the rogue flooder (``node.sim.rogue --mode flood``).

Each maker returns ``(topic_kind, bytes)`` where ``topic_kind`` is one of
``"blocks"``, ``"votes"``, ``"certs"``. Every message here must be refused by
an honest node without harm: by the pubsub validator (malformed, forged,
unsigned), or later by the consensus driver with a REJECT vote (a validly
signed block whose payload is a decompression bomb). What each message tests
is in its maker's docstring.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import zstandard

from node.net.topics import encode_block_announce
from protocol import FORMAT_VERSION
from protocol.block import (
    CODEC_ZSTD,
    SCORE_SCALE,
    Block,
    BlockHeader,
    SignedHeader,
    build_block,
    sign_header,
)
from protocol.cid import cid_of
from protocol.codec import packb
from protocol.keys import DOMAIN_BLOCK, PrivateKey, signing_domain
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.vote import Decision, Reason, SignedVote, Vote, VoteBatch, sign_vote

BOMB_CONTENT = 1 << 30  # a 1 GiB frame that compresses to a few tens of KiB
# Over what each topic's decoder accepts (certificates 336 KiB, block announces 576 KiB),
# under libp2p's 1 MiB RPC cap so that the bytes do reach the peers.
OVERSIZED = {"certs": 400 * 1024, "blocks": 600 * 1024}
OVERSIZED_EVERY = 20


def make_bomb_frame(content_size: int = BOMB_CONTENT) -> bytes:
    """One zstd frame of ``content_size`` zero bytes, with that size declared in its header."""
    cobj = zstandard.ZstdCompressor(level=1).compressobj(size=content_size)
    chunk = bytes(1 << 20)
    parts = []
    left = content_size
    while left > 0:
        n = min(left, len(chunk))
        parts.append(cobj.compress(chunk[:n]))
        left -= n
    parts.append(cobj.flush())
    return b"".join(parts)


def make_sizeless_frame(raw: bytes) -> bytes:
    """A zstd frame that does not declare its content size (must be refused before decompression)."""
    return zstandard.ZstdCompressor(level=3, write_content_size=False).compress(raw)


@dataclass
class Flood:
    """State for crafting a stream of hostile messages signed with ``key``.

    ``validators`` are the genesis validators' peer ids, used to forge votes
    that claim to come from them. ``next_seq`` numbers the signed hostile
    blocks (if ``key`` is a validator they pass gossip and reach the quorum,
    where each must be rejected).
    """

    key: PrivateKey
    network: str
    model_id: str
    validators: tuple[str, ...]
    rng: random.Random
    genesis_id: str  # signatures are bound to the network (protocol.keys.signing_domain)
    bomb: bytes = b""
    next_seq: int = 1
    counts: dict[str, int] = field(default_factory=dict)

    def makers(self) -> list[tuple[str, Callable[[], tuple[str, bytes]]]]:
        """Every kind of hostile message, by name."""
        return [
            ("garbage", self.garbage),
            ("msgpack_bomb", self.msgpack_bomb),
            ("truncated_block", self.truncated_block),
            ("forged_votes", self.forged_votes),
            ("bad_cert", self.bad_cert),
            ("zstd_bomb", self.zstd_bomb),
            ("sizeless_frame", self.sizeless_frame),
            ("count_lie", self.count_lie),
            ("invented_slot_votes", self.invented_slot_votes),
            ("amplified_batch", self.amplified_batch),
            ("forged_header", self.forged_header),
            ("oversized", self.oversized),
        ]

    def next(self, i: int) -> tuple[str, str, bytes]:
        """The ``i``-th message of the flood: (name, topic kind, data); oversized ones are rarer."""
        makers = self.makers()
        name, fn = makers[i % (len(makers) - 1)] if i % OVERSIZED_EVERY else makers[-1]
        topic, data = fn()
        self.counts[name] = self.counts.get(name, 0) + 1
        return name, topic, data

    # -- the messages -------------------------------------------------------------
    def garbage(self) -> tuple[str, bytes]:
        """Random bytes on a random topic: every decoder must raise DecodeError, not crash."""
        topic = self.rng.choice(("blocks", "votes", "certs"))
        return topic, self.rng.randbytes(self.rng.randint(1, 4096))

    def msgpack_bomb(self) -> tuple[str, bytes]:
        """An array header claiming 2^32-1 items in 5 bytes: refused before anything is allocated."""
        topic = self.rng.choice(("blocks", "votes", "certs"))
        return topic, b"\xdd\xff\xff\xff\xff" + self.rng.randbytes(16)

    def truncated_block(self) -> tuple[str, bytes]:
        """A well-signed block announce cut short."""
        data = encode_block_announce(self._block(self._records(4)), 0)
        return "blocks", data[: self.rng.randint(1, len(data) - 1)]

    def forged_votes(self) -> tuple[str, bytes]:
        """Votes in a validator's name with a signature that is not theirs."""
        votes = []
        for _ in range(self.rng.randint(1, 8)):
            v = Vote(cid_of(self.rng.randbytes(8)), self.rng.choice(self.validators), self.rng.randint(1, 1000),
                     self.rng.choice(self.validators), Decision.ACCEPT, Reason.OK)
            votes.append(SignedVote(v, self.rng.randbytes(64)))
        return "votes", VoteBatch(tuple(votes)).encode()

    def bad_cert(self) -> tuple[str, bytes]:
        """A certificate of forged votes for a block nobody proposed."""
        bid = cid_of(self.rng.randbytes(8))
        proposer = self.rng.choice(self.validators)
        votes = tuple(SignedVote(Vote(bid, proposer, 1, voter, Decision.ACCEPT, Reason.OK), self.rng.randbytes(64))
                      for voter in self.validators)
        return "certs", Certificate(bid, proposer, 1, votes).encode()

    def zstd_bomb(self) -> tuple[str, bytes]:
        """A signed block whose payload CID matches a frame declaring 1 GiB of content."""
        if not self.bomb:
            self.bomb = make_bomb_frame()
        return "blocks", encode_block_announce(self._raw_block(self.bomb, 1), 0)

    def sizeless_frame(self) -> tuple[str, bytes]:
        """A signed block whose payload frame does not declare its size."""
        payload = make_sizeless_frame(packb([r.canonical_bytes() for r in self._records(2)]))
        return "blocks", encode_block_announce(self._raw_block(payload, 2), 0)

    def count_lie(self) -> tuple[str, bytes]:
        """A signed block whose header claims 4096 records for a payload holding 2."""
        payload = zstandard.ZstdCompressor(level=3, write_content_size=True).compress(
            packb([r.canonical_bytes() for r in self._records(2)]))
        return "blocks", encode_block_announce(self._raw_block(payload, 4096), 0)

    def invented_slot_votes(self) -> tuple[str, bytes]:
        """Genuinely signed votes (ours) for slots nobody proposed, far ahead of each proposer's head.

        Finding 3: a byzantine validator must not fill the open-slot table and push out honest slots.
        From an outsider the same votes are non-member votes, dropped before any curve math.
        """
        votes = []
        for _ in range(self.rng.randint(8, 64)):
            v = Vote(cid_of(self.rng.randbytes(8)), self.rng.choice(self.validators), self.rng.randint(100, 10**6),
                     self.key.peer_id, Decision.ACCEPT, Reason.OK)
            votes.append(sign_vote(v, self.key, self.genesis_id))
        return "votes", VoteBatch(tuple(votes)).encode()

    def amplified_batch(self) -> tuple[str, bytes]:
        """One genuine vote repeated 256 times in one batch (finding 4): malformed, never forwarded."""
        v = Vote(cid_of(self.rng.randbytes(8)), self.rng.choice(self.validators), self.rng.randint(1, 50),
                 self.key.peer_id, Decision.ACCEPT, Reason.OK)
        sv = sign_vote(v, self.key, self.genesis_id)
        # Built by hand: VoteBatch itself refuses duplicates.
        return "votes", packb([[sv.vote.canonical_bytes(), sv.signature]] * 256)

    def forged_header(self) -> tuple[str, bytes]:
        """A block naming an honest proposer, signed with our key (finding 2).

        Its signature fails, so it must not spend that proposer's rate-limit tokens: honest
        blocks of the named proposer keep flowing.
        """
        victims = [p for p in self.validators if p != self.key.peer_id]
        victim = self.rng.choice(victims) if victims else self.key.peer_id
        payload = zstandard.ZstdCompressor(level=3, write_content_size=True).compress(
            packb([r.canonical_bytes() for r in self._records(2)]))
        header = BlockHeader(
            version=FORMAT_VERSION, network=self.network, proposer=victim, seq=self.rng.randint(1, 1000),
            prev=None, created_ms=self.rng.randint(1_600_000_000_000, 1_700_000_000_000), model_id=self.model_id,
            payload_cid=cid_of(payload), payload_len=len(payload), codec=CODEC_ZSTD, record_count=2,
            scores=(SCORE_SCALE,) * 2,
        )
        sig = self.key.sign(signing_domain(DOMAIN_BLOCK, self.genesis_id), header.canonical_bytes())
        forged = Block(SignedHeader(header, sig), payload)
        return "blocks", encode_block_announce(forged, 0)

    def oversized(self) -> tuple[str, bytes]:
        """Noise larger than the topic's decoder accepts: refused on its length, before parsing."""
        topic = self.rng.choice(sorted(OVERSIZED))
        return topic, self.rng.randbytes(OVERSIZED[topic])

    # -- helpers -------------------------------------------------------------------
    def _records(self, n: int) -> list[Record]:
        base = self.rng.randint(1_600_000_000_000, 1_700_000_000_000)
        return [Record.create("flood", self.key.peer_id, base + i, {"junk": self.rng.randbytes(16)})
                for i in range(n)]

    def _block(self, records: list[Record]) -> Block:
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        return build_block(self.key, genesis_id=self.genesis_id, network=self.network, seq=seq, prev=None,
                           created_ms=records[0].ts_ms,
                           model_id=self.model_id, records=records, scores=[1.0] * len(records))

    def _raw_block(self, payload: bytes, record_count: int) -> Block:
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        header = BlockHeader(
            version=FORMAT_VERSION, network=self.network, proposer=self.key.peer_id, seq=seq, prev=None,
            created_ms=self.rng.randint(1_600_000_000_000, 1_700_000_000_000), model_id=self.model_id,
            payload_cid=cid_of(payload), payload_len=len(payload), codec=CODEC_ZSTD,
            record_count=record_count, scores=(SCORE_SCALE,) * record_count,
        )
        return Block(sign_header(self.key, header, self.genesis_id), payload)
