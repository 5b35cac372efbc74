"""Votes: one validator's signed ACCEPT or REJECT for one block in one slot.

A vote names the block id, the slot it claims (proposer, seq), the voter, a
decision and a reason code. Its canonical bytes are the msgpack array
``[block_id_cid_bin, proposer, seq, voter, decision, reason]``; the voter signs
``DOMAIN_VOTE + genesis_cid_bin + canonical bytes`` with Ed25519 (see
:func:`protocol.keys.signing_domain`), so a vote made for one network never
verifies on another. Every vote is signed on its own so that a commit
certificate can carry single votes from many voters.

On the wire a :class:`SignedVote` is ``[vote_bytes, signature]`` and a
:class:`VoteBatch` is an array of 1..MAX_BATCH_VOTES of those pairs: gossip
costs 6-9 ms of CPU per delivered message, so a validator sends all the votes
it has ready as one batch. Two entries with the same vote bytes make a batch
malformed (one genuine vote repeated 4096 times would otherwise be a *valid*
batch that every node re-verifies and forwards).

Decoders check sizes before unpacking, require canonical bytes, and raise only
:class:`protocol.errors.DecodeError` (and ValidationError for a vote from
outside ``members`` where the caller passes its validator set). The batch
decoder runs its checks cheapest first: byte and item counts, then shapes and
duplicates over the raw pairs, then membership of every voter and proposer by
string lookup, and only then builds (and parses the peer ids of) any vote.
Constructors validate too, so a Vote that exists is well formed. Signatures
are checked by :meth:`SignedVote.verify`, never implicitly by decoding.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from protocol.cid import CID_BYTES_LEN, cid_from_text, cid_to_text
from protocol.codec import expect_bytes, expect_int, expect_list, expect_str, packb, unpackb
from protocol.errors import DecodeError, LocalError, SignatureError, ValidationError
from protocol.keys import (
    DOMAIN_VOTE,
    SIGNATURE_LEN,
    PrivateKey,
    public_key_from_peer_id,
    signing_domain,
)
from protocol.lru import LruCache

MAX_SEQ = 2**63 - 1
# Peer ids for Ed25519 keys are 52 base58 chars; leave headroom, never unbounded.
_MAX_PEER_ID_LEN = 64
# canonical vote bytes: 36-byte CID + two peer ids + small ints, well under 256.
MAX_VOTE_BYTES = 256
MAX_SIGNED_VOTE_BYTES = MAX_VOTE_BYTES + SIGNATURE_LEN + 8
#: Most votes one VoteBatch may carry (bounded by msgpack's array-length limit
#: before anything is allocated). A batch of votes that name members but carry
#: forged signatures is decoded in full before the first signature fails, so
#: this bounds that work: 256 decodes (~10 us each) per message. Honest
#: validators batch what they voted within a few ms and split larger bursts.
MAX_BATCH_VOTES = 256
#: a re-send counter's range (VoteBatch.resend); it wraps round to 1
MAX_RESEND = (1 << 20) - 1
MAX_BATCH_BYTES = MAX_BATCH_VOTES * MAX_SIGNED_VOTE_BYTES + 8 + 5  # ... and a uint32 resend counter


class Decision(IntEnum):
    """What the voter decided. Numbers are part of the wire format."""

    ACCEPT = 1
    REJECT = 2


class Reason(IntEnum):
    """Why a vote is what it is. Numbers are part of the wire format: never renumber.

    OK (0) is the only reason an ACCEPT may carry; every REJECT carries another.
    """

    OK = 0
    BAD_SIGNATURE = 1  #: the proposer's header signature failed
    BAD_PAYLOAD = 2  #: payload CID, size, decompression or record decoding failed
    CHAIN_RULE = 3  #: seq / prev do not follow the proposer's committed chain
    UNKNOWN_MODEL = 4  #: model_id is not accepted by the network's genesis
    SCORE_MISMATCH = 5  #: a claimed score is outside tolerance of the voter's own
    LOW_IMPORTANCE = 6  #: mean in-block score is below the genesis threshold
    TOO_LARGE = 7  #: more records or payload bytes than genesis allows
    EQUIVOCATION = 8  #: the proposer signed two different blocks for this slot
    OTHER = 9  #: anything else; kept so old nodes can decode new reasons' intent


_DECISION_OF = {int(d): d for d in Decision}
_REASON_OF = {int(r): r for r in Reason}


def expect_peer_id(peer_id: Any, what: str) -> str:
    """Return ``peer_id`` if it is a valid Ed25519 peer id; else raise DecodeError naming ``what``."""
    pid = expect_str(peer_id, what, _MAX_PEER_ID_LEN)
    try:
        public_key_from_peer_id(pid)  # also rejects small-order keys
    except DecodeError as exc:
        raise DecodeError(f"{what}: {exc}") from None
    except SignatureError as exc:  # an unusable key makes the id malformed input
        raise DecodeError(f"{what}: {exc}") from None
    return pid


# Python's base32 dominates vote decoding (~3 conversions per vote), and the
# same few block ids recur across every voter's batch: keep bounded LRU caches
# of both directions. Pure: contents depend only on inputs.
_CID_CACHE_MAX = 8192
_BIN_OF_TEXT: LruCache[str, bytes] = LruCache(_CID_CACHE_MAX)
_TEXT_OF_BIN: LruCache[bytes, str] = LruCache(_CID_CACHE_MAX)


def block_id_to_bin(text: Any, what: str = "block_id") -> bytes:
    """Binary form of a text block id (cached); raises DecodeError naming ``what``."""
    raw = _BIN_OF_TEXT.get(text) if isinstance(text, str) else None
    if raw is None:
        try:
            raw = cid_from_text(text)
        except DecodeError as exc:
            raise DecodeError(f"{what}: {exc}") from None
        _BIN_OF_TEXT.put(text, raw)
    return raw


def block_id_from_bin(raw: Any, what: str = "block_id") -> str:
    """Text form of a 36-byte binary block id (cached); raises DecodeError naming ``what``."""
    text = _TEXT_OF_BIN.get(raw) if isinstance(raw, bytes) else None
    if text is None:
        expect_bytes(raw, what, CID_BYTES_LEN)
        text = cid_to_text(raw)
        _TEXT_OF_BIN.put(raw, text)
        _BIN_OF_TEXT.put(text, raw)  # the Vote built from it converts straight back
    return text


@dataclass(frozen=True, slots=True)
class Vote:
    """One validator's decision on one block in one slot (unsigned).

    Raises DecodeError on construction if any field is malformed, including an
    ACCEPT with a reason other than OK or a REJECT with reason OK.
    """

    block_id: str
    proposer: str
    seq: int
    voter: str
    decision: Decision
    reason: Reason
    _bytes: bytes = field(init=False, repr=False, compare=False, default=b"")

    def __post_init__(self) -> None:
        cid_bin = block_id_to_bin(self.block_id, "vote block_id")
        expect_peer_id(self.proposer, "vote proposer")
        expect_peer_id(self.voter, "vote voter")
        expect_int(self.seq, "vote seq", 1, MAX_SEQ)
        # expect_int first: Enum lookup alone would accept True or 1.0.
        expect_int(self.decision, "vote decision", 0, 255)
        expect_int(self.reason, "vote reason", 0, 255)
        # Dict lookups, not Enum calls (Enum.__call__ costs microseconds per vote).
        decision = _DECISION_OF.get(self.decision)
        reason = _REASON_OF.get(self.reason)
        if decision is None or reason is None:
            raise DecodeError("vote: unknown decision or reason code")
        if (decision is Decision.ACCEPT) != (reason is Reason.OK):
            raise DecodeError("vote: ACCEPT must carry reason OK and REJECT must not")
        # Normalise plain ints to the enums so equality and repr are stable.
        object.__setattr__(self, "decision", decision)
        object.__setattr__(self, "reason", reason)
        raw = packb([cid_bin, self.proposer, self.seq, self.voter, int(decision), int(reason)])
        object.__setattr__(self, "_bytes", raw)

    @property
    def slot(self) -> tuple[str, int]:
        """The slot this vote is for: (proposer, seq)."""
        return (self.proposer, self.seq)

    def canonical_bytes(self) -> bytes:
        """The bytes the voter signs (after the vote signing domain)."""
        return self._bytes


def _check_members(voter: Any, proposer: Any, members: Container[str] | None) -> None:
    # A string lookup: the validator set parsed its members' ids once, so an
    # outsider's id is refused before anything parses it.
    if members is None:
        return
    if not isinstance(voter, str) or voter not in members:
        raise ValidationError(f"vote from non-validator {voter!r:.60}")
    if not isinstance(proposer, str) or proposer not in members:
        raise ValidationError(f"vote names non-validator proposer {proposer!r:.60}")


#: Decoded votes by their canonical bytes: the same vote arrives in a batch,
#: again relayed, in certificates and over sync. Votes are immutable and a
#: hit is only ever a vote decoded from exactly these bytes.
_VOTE_OF_BYTES: LruCache[bytes, Vote] = LruCache(16384)


def decode_vote(data: bytes, members: Container[str] | None = None) -> Vote:
    """Decode canonical vote bytes; raises DecodeError on anything else.

    With ``members``, a voter or proposer outside it raises ValidationError
    before either peer id is parsed.
    """
    key = data if type(data) is bytes else None
    if key is not None:
        cached = _VOTE_OF_BYTES.get(key)
        if cached is not None:
            _check_members(cached.voter, cached.proposer, members)
            return cached
    obj = unpackb(data, max_bytes=MAX_VOTE_BYTES, max_items=6, max_containers=1)
    cid_bin, proposer, seq, voter, decision, reason = expect_list(obj, 6, "vote")
    _check_members(voter, proposer, members)
    vote = Vote(block_id_from_bin(cid_bin, "vote block_id"), proposer, seq, voter, decision, reason)
    if vote.canonical_bytes() != bytes(data):
        raise DecodeError("vote bytes are not canonical")
    if key is not None:
        _VOTE_OF_BYTES.put(key, vote)
    return vote


#: (domain, vote bytes, signature) triples that verified: a vote seen again
#: (relayed, batched, in a certificate) costs a lookup, not a verify. Pure: an
#: entry records a fact about its key alone.
_VERIFIED: LruCache[tuple[bytes, bytes, bytes], bool] = LruCache(16384)


@dataclass(frozen=True, slots=True)
class SignedVote:
    """A vote plus the voter's Ed25519 signature over the vote domain and vote bytes."""

    vote: Vote
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.vote, Vote):
            raise DecodeError("signed vote: vote must be a Vote")
        expect_bytes(self.signature, "vote signature", SIGNATURE_LEN)

    def encode(self) -> bytes:
        """Wire bytes: ``[vote_bytes, signature]``."""
        return packb([self.vote.canonical_bytes(), self.signature])

    def verify(self, genesis_id: str) -> None:
        """Raise SignatureError unless the voter signed this vote for network ``genesis_id``."""
        domain = signing_domain(DOMAIN_VOTE, genesis_id)
        key = (domain, self.vote.canonical_bytes(), self.signature)
        if _VERIFIED.get(key):
            return
        public_key_from_peer_id(self.vote.voter).verify(domain, key[1], self.signature)
        _VERIFIED.put(key, True)


def sign_vote(vote: Vote, key: PrivateKey, genesis_id: str) -> SignedVote:
    """Sign ``vote`` for network ``genesis_id``; LocalError if ``key`` is not the voter's."""
    if key.peer_id != vote.voter:
        raise LocalError(f"cannot sign a vote for voter {vote.voter} with key {key.peer_id}")
    return SignedVote(vote, key.sign(signing_domain(DOMAIN_VOTE, genesis_id), vote.canonical_bytes()))


def signed_vote_from_obj(obj: Any, members: Container[str] | None = None) -> SignedVote:
    """Build a SignedVote from an unpacked ``[vote_bytes, signature]`` (for containers)."""
    vote_bytes, sig = expect_list(obj, 2, "signed vote")
    expect_bytes(vote_bytes, "vote bytes", max_len=MAX_VOTE_BYTES)
    expect_bytes(sig, "vote signature", SIGNATURE_LEN)
    return SignedVote(decode_vote(vote_bytes, members), sig)


def decode_signed_vote(data: bytes, members: Container[str] | None = None) -> SignedVote:
    """Decode ``[vote_bytes, signature]``; raises DecodeError. Does not verify."""
    sv = signed_vote_from_obj(unpackb(data, max_bytes=MAX_SIGNED_VOTE_BYTES, max_items=6, max_containers=1), members)
    if sv.encode() != bytes(data):
        raise DecodeError("signed vote bytes are not canonical")
    return sv


@dataclass(frozen=True, slots=True)
class VoteBatch:
    """Many signed votes in one gossip message: 1..MAX_BATCH_VOTES, no vote twice.

    ``resend`` (0: none; else 1..MAX_RESEND, written after the votes): a counter that sets a batch
    of re-sent votes apart from the batch that carried them first. Gossip names a message by the
    hash of its content and drops what it saw in the last two minutes unread, the publisher's own
    copy included, so a vote re-sent alone was byte for byte its first batch and never left the
    node: a validator re-sends its stored vote when a proposer re-announces a decided slot, and a
    proposer restarted after its slot was rejected waited on that re-send for the whole seen window,
    proposing nothing (session 33). The counter is not signed: it changes no vote, and a peer that
    varies it to re-publish votes is a replayer the topic validator already charges."""

    votes: tuple[SignedVote, ...]
    resend: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.votes, tuple) or not 1 <= len(self.votes) <= MAX_BATCH_VOTES:
            raise DecodeError(f"vote batch must hold 1..{MAX_BATCH_VOTES} votes")
        if not all(isinstance(sv, SignedVote) for sv in self.votes):
            raise DecodeError("vote batch may hold only SignedVote items")
        if len({sv.vote.canonical_bytes() for sv in self.votes}) != len(self.votes):
            raise DecodeError("vote batch holds the same vote twice")
        if type(self.resend) is not int or not 0 <= self.resend <= MAX_RESEND:
            raise DecodeError(f"vote batch resend must be an integer in [0, {MAX_RESEND}]")

    def encode(self) -> bytes:
        """Wire bytes: an array of ``[vote_bytes, signature]`` pairs, then the resend counter if any."""
        items: list[object] = [[sv.vote.canonical_bytes(), sv.signature] for sv in self.votes]
        if self.resend:
            items.append(self.resend)
        return packb(items)


def decode_vote_batch(data: bytes, members: Container[str] | None = None) -> VoteBatch:
    """Decode a vote batch; raises DecodeError. Signatures are not verified here.

    Cheapest checks first (see the module docstring): msgpack's
    ``max_array_len`` rejects an array header claiming more than
    MAX_BATCH_VOTES entries before any list is allocated; every pair's shape
    and the absence of duplicates are checked on raw bytes; with ``members``,
    every voter and proposer must be in it (ValidationError) before any vote
    is built.
    """
    obj = unpackb(data, max_bytes=MAX_BATCH_BYTES, max_items=MAX_BATCH_VOTES + 1, max_containers=MAX_BATCH_VOTES + 1)
    resend = 0
    if isinstance(obj, list) and obj and type(obj[-1]) is int:
        resend = expect_int(obj.pop(), "vote batch resend", 1, MAX_RESEND)
    if not isinstance(obj, list) or not 1 <= len(obj) <= MAX_BATCH_VOTES:
        raise DecodeError(f"vote batch: expected an array of 1..{MAX_BATCH_VOTES} votes")
    # One pass, each item checked cheapest first, so a batch whose first vote
    # is an outsider's costs one small unpack after the outer one.
    seen: set[bytes] = set()
    votes = []
    for item in obj:
        vote_bytes, sig = expect_list(item, 2, "signed vote")
        expect_bytes(vote_bytes, "vote bytes", max_len=MAX_VOTE_BYTES)
        expect_bytes(sig, "vote signature", SIGNATURE_LEN)
        if vote_bytes in seen:
            raise DecodeError("vote batch holds the same vote twice")
        seen.add(vote_bytes)
        votes.append(SignedVote(decode_vote(vote_bytes, members), sig))
    batch = VoteBatch(tuple(votes), resend)
    if batch.encode() != bytes(data):
        raise DecodeError("vote batch bytes are not canonical")
    return batch
