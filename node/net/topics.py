"""Gossip topics and their envelopes, plus the pubsub validators.

Theory of operation
-------------------
libp2p runs a topic's validator on every message before delivering or
forwarding it. A validator checks only what can never change for those bytes
(well-formedness, membership, signatures), so honest peers agree on it;
everything that depends on state (chain rules, quorum, re-scoring) happens
later in the consensus driver. The order of work is fixed, cheapest first,
and every cost is charged to a peer whose identity is *verified*:

1. (gossip layer, before us) the connected peer that sent the message, the
   *forwarder*, spends message and byte tokens of its budget; a peer over
   budget or in bad standing is dropped unread;
2. decoding, the membership and count checks, and the signature checks run
   in the verification thread (:class:`~node.net.verify.Verifier`), charged
   to the forwarder's verification-CPU budget. Membership and counts are
   checked before any signature;
3. only then does anything spend a *proposer's* tokens: the per-proposer
   block rate keys on the proposer whose signature was just verified, so
   forged headers naming V cost V nothing (finding 2). A re-announce of a
   block already verified (same header and signature, new ``attempt``) is
   charged to the forwarder instead: anyone can replay V's signed header.
   And one block is relayed as a replay at most about once a second
   (``BLOCK_REPLAY_RATE``), whoever forwards it: else one keyless replayer
   makes every node relay its copies at the replayer's own rate;
4. a message that fails 2 is REJECTed: never forwarded, and the forwarder
   loses standing (:mod:`node.net.budget`). A rate-limited one is IGNOREd:
   neither forwarded nor blamed on the forwarder. Rate limits on verified
   authors (blocks per proposer, fresh votes per voter) are what keep a
   byzantine validator's *valid* flood from being relayed by honest nodes,
   and so from spending honest forwarders' budgets downstream.

Verified signatures are remembered (bounded LRU, keyed by signed bytes and
signature), so a vote seen in a batch and again in a certificate, or one
genuine vote repeated, is verified once. Duplicates inside one batch make the
batch malformed. Certificates are verified here in full: a certificate of
junk votes is never forwarded.

Blocks travel in a tiny envelope ``[attempt, block_bytes]``: message ids are
content addresses, so re-announcing an undecided block needs different bytes
for the same signed block.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from node.net.ratelimit import RateLimiter
from node.net.verify import Inbound, OverBudget, Verdict, Verifier
from protocol.block import Block, BlockLimits, SignedHeader, decode_block_parts
from protocol.codec import expect_bytes, expect_int, expect_list, packb, unpackb
from protocol.errors import AttnshareError, ValidationError
from protocol.quorum import Certificate, decode_certificate, verify_certificate
from protocol.validators import Members, ValidatorSet
from protocol.vote import Decision, SignedVote, decode_vote_batch

T = TypeVar("T")

#: the replay budget all non-members share (Validators._replayer)
_STRANGERS = "(strangers)"

#: verified (signed bytes, signature) pairs remembered
VERIFIED_CACHE = 16384
#: blocks per second (burst) one verified proposer may announce: one slot in
#: flight plus re-announces every few seconds is far below this
BLOCK_RATE, BLOCK_BURST = 20.0, 40.0
#: re-announces of already verified blocks, and vote batches holding only
#: already verified votes, per second (burst) one forwarder may send
REANNOUNCE_RATE, REANNOUNCE_BURST = 20.0, 40.0
#: re-announces of one block (same signed header, same payload presence) per
#: second (burst), whoever forwards them: an honest proposer re-announces every
#: 3 s, so this passes every honest re-announce while a keyless peer replaying
#: a verified block with new ``attempt`` numbers gets it relayed network-wide
#: at most once a second, not at its own forwarder rate (20/s) on every node
BLOCK_REPLAY_RATE, BLOCK_REPLAY_BURST = 1.0, 2.0
#: a vote batch holding only already verified votes is relayed only if at least
#: half of its votes were not relayed in the last this many seconds: else a
#: keyless peer recombines verified votes into ever new batches (new message
#: ids) that every node relays at the peer's forwarder rate
VOTE_REPLAY_S = 1.0
#: one certificate per slot is relayed at most this often: a slot has one honest
#: certificate (its proposer publishes it once), but anyone holding its votes can
#: build others (every q-subset of them) and certificates of every past slot,
#: each valid, each a new message id every node would relay with no limit at all
CERT_REPLAY_S = 5.0
#: slots below a decided one whose votes an honest validator may still re-send
#: (protocol.slots.SlotParams.slot_window_behind)
RESEND_WINDOW = 16
#: a block or vote for a slot this far below its proposer's highest verified seq
#: is stale: decided long ago (consensus keeps at most 64 undecided slots per
#: proposer; the store keeps nothing older than head - 64). It is dropped
#: before its signature is checked and before any rate limit is spent
STALE_SLOTS = 64
#: certified slots remembered (their block replays and votes are not news)
CERTIFIED_MEMORY = 16384
#: fresh votes per second (burst) one verified voter may cast: one vote per
#: slot, 100 proposers at 4 blocks/s is 400/s; the burst holds two full batches
VOTE_RATE, VOTE_BURST = 2000.0, 8192.0


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
    return Block(*_decode_announce_parts(data, limits))


def _decode_announce_parts(data: bytes, limits: BlockLimits) -> tuple[SignedHeader, bytes | None]:
    """The announced block's signed header and payload, the payload not yet hashed."""
    obj = unpackb(data, max_bytes=limits.gossip_payload_max + 64 * 1024, max_items=4, max_containers=1)
    attempt, raw = expect_list(obj, 2, "block announce")
    expect_int(attempt, "announce attempt", 0, 1 << 20)
    expect_bytes(raw, "block bytes", max_len=limits.gossip_payload_max + 60 * 1024)
    return decode_block_parts(raw, limits)


class VerifiedCache:
    """Thread-safe bounded set of verified ``(signed bytes, signature)`` pairs (a block's by its id, not its
    header bytes)."""

    def __init__(self, size: int = VERIFIED_CACHE) -> None:
        self._size = size
        self._items: OrderedDict[tuple[bytes, bytes], None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[bytes, bytes]) -> bool:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True
            return False

    def add(self, key: tuple[bytes, bytes]) -> None:
        with self._lock:
            self._items[key] = None
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class _Stale(Exception):
    """A message about slots already decided: ignored, no signature checked, nobody charged."""


def _vote_key(sv: SignedVote) -> tuple[bytes, bytes]:
    return (sv.vote.canonical_bytes(), sv.signature)


class Validators:
    """The pubsub validators of one network (async: see ``P2P.subscribe``).

    ``verifier`` runs the expensive part in a thread on the forwarder's
    budget; without one (unit tests, tools) it runs inline.
    """

    def __init__(self, network_id: str, validators: ValidatorSet, limits: BlockLimits,
                 block_rate: RateLimiter | None = None, *, genesis_id: str, verifier: Verifier | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 proposers: Iterable[str] | None = None) -> None:
        self.network_id = network_id
        self.genesis_id = genesis_id  # every signature checked here is bound to it (finding 13)
        self.validators = validators
        #: who may propose blocks (``Genesis.proposer_ids``; the validators when not given)
        self.proposers = frozenset(validators.peer_ids if proposers is None else proposers)
        #: the container the decoders check votes and certificates against (both roles)
        self.members = Members(validators, self.proposers)
        self.limits = limits
        self.verifier = verifier
        if verifier is not None:
            # The genesis validators are known peers: budgets and inbound
            # connections of their own, never the strangers' shared pool.
            verifier.budget.add_known(validators.peer_ids)
            verifier.budget.add_known(self.proposers)
        self.refused = 0
        self.block_rate = block_rate or RateLimiter(rate=BLOCK_RATE, burst=BLOCK_BURST,
                                                    clock=clock)
        self.reannounce_rate = RateLimiter(rate=REANNOUNCE_RATE, burst=REANNOUNCE_BURST,
                                           clock=clock)
        self.vote_rate = RateLimiter(rate=VOTE_RATE, burst=VOTE_BURST, clock=clock)
        self.block_replay_rate = RateLimiter(rate=BLOCK_REPLAY_RATE, burst=BLOCK_REPLAY_BURST,
                                             clock=clock)
        self.verified = VerifiedCache()
        # Blocks apart: a byzantine voter's fresh votes (2000/s) would otherwise push
        # honest headers out of the cache, and a replay of an evicted header counts as
        # fresh: charged to its (honest) proposer, whose bucket a replayer then drains.
        self.verified_blocks = VerifiedCache()
        self._clock = clock
        #: vote key -> when a batch holding it was last relayed as a replay (bounded, LRU)
        self._relayed: OrderedDict[tuple[bytes, bytes], float] = OrderedDict()
        #: slot -> when a certificate for it was last relayed (bounded, LRU)
        self._cert_relayed: OrderedDict[tuple[str, int], float] = OrderedDict()
        # Replays of decided slots (finding: many distinct old blocks or votes).
        #: proposer -> highest seq seen under a verified signature (members only: bounded), at
        #: most STALE_SLOTS above its highest certified seq for a block's own signature
        self._high: dict[str, int] = {}
        #: proposer -> highest seq decided under verified signatures: a certificate, or f + 1 REJECTs
        self._certified_high: dict[str, int] = {}
        #: open slots -> validators whose verified REJECT of it we hold (bounded, oldest first)
        self._rejecters: OrderedDict[tuple[str, int], set[str]] = OrderedDict()
        #: slots with a verified certificate (bounded, LRU; written in the verifier thread)
        self._certified: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._certified_lock = threading.Lock()
        #: messages dropped as stale, before any signature or rate limit
        self.stale = 0

    async def _verify(self, peer: str, work: Callable[[], T]) -> T:
        if self.verifier is None:
            return work()
        return await self.verifier.run(peer, work)

    # ---------------------------------------------------------- decided slots
    def _own(self, m: Inbound) -> bool:
        """Our own publish: never dropped as stale (a late vote of ours is still ours to send)."""
        return self.verifier is not None and m.forwarder in self.verifier.exempt

    def _replayer(self, m: Inbound) -> str:
        """Whom a replay (a re-announce, a batch of votes already verified) is charged to: the
        peer that published it (gossip signs every message's origin), if a genesis member, else
        all strangers together. Charged to the forwarder, a stranger's replays relayed by an honest
        validator R spent R's budget at R's peers, and R's own re-announces and vote re-sends were
        then ignored there (3 of 4 of each; review 37, finding C)."""
        return m.origin if m.origin in self.members else _STRANGERS

    def _is_old(self, proposer: str, seq: int) -> bool:
        """A slot far below the proposer's highest verified seq: decided long ago."""
        return seq <= self._high.get(proposer, 0) - STALE_SLOTS

    def _is_certified(self, slot: tuple[str, int]) -> bool:
        with self._certified_lock:
            return slot in self._certified

    def _saw(self, proposer: str, seq: int, certified: bool = False) -> None:
        """``seq`` of ``proposer`` carries a verified signature: a quorum's (``certified``) or the
        proposer's own. Its own signature moves the mark at most STALE_SLOTS above its highest
        certified seq, which is as far as consensus keeps undecided slots: else a byzantine
        proposer signing one header 64 slots ahead made every vote of its current slots "stale",
        and an honest batch holding one (honest validators batch votes across proposers) was
        dropped unverified, its other votes with it (review 37, finding A)."""
        if certified:
            if seq > self._certified_high.get(proposer, 0):
                self._certified_high[proposer] = seq
        else:
            # Below STALE_SLOTS above the decided seq by the re-send window and one: the votes an
            # honest validator still sends for the decided slot and the RESEND_WINDOW before it are
            # never stale (at exactly 64 above, the decided slot's own votes were: review 37d, D2).
            seq = min(seq, self._certified_high.get(proposer, 0) + STALE_SLOTS - RESEND_WINDOW - 1)
        if seq > self._high.get(proposer, 0):
            self._high[proposer] = seq

    # ------------------------------------------------------------------ blocks
    async def block(self, m: Inbound) -> Verdict:
        try:
            block, fresh = await self._verify(m.forwarder,
                                              lambda: self._check_block(m.data, self._own(m)))
        except OverBudget:
            return Verdict.IGNORE
        except _Stale:
            # Replays of decided slots cost the sender its message and decode, and
            # nobody anything else: no proposer's or forwarder's tokens, and no
            # relay, so they never reach (and spend) an honest forwarder's budget
            # on the next node.
            self.stale += 1
            return Verdict.IGNORE
        except AttnshareError:
            self.refused += 1
            return Verdict.REJECT
        proposer = block.signed.header.proposer
        # Rate limits key on verified identities only: a fresh signature
        # proves the proposer sent it; a replayed one proves nothing about
        # who sent it, so the forwarder pays.
        if self._own(m):
            # Ours, paced by our consensus: after a restart it re-announces up to 64 undecided
            # slots at once, past any peer's burst (the receivers' limits still apply to us).
            ok = True
        elif fresh:
            ok = self.block_rate.allow(proposer)
        else:
            # The forwarder pays first; then the block itself may be relayed only
            # so often, or one replayer makes every node in the network relay
            # its copies at the replayer's full rate. A replay ignored here
            # carries nothing new: the same content was accepted (and forwarded)
            # within the last second.
            replay = f"{block.block_id}/{int(block.payload is not None)}"
            ok = self.reannounce_rate.allow(self._replayer(m)) and self.block_replay_rate.allow(replay)
        if not ok:
            return Verdict.IGNORE
        return Verdict.ACCEPT

    def _check_block(self, data: bytes, own: bool = False) -> tuple[Block, bool]:
        signed, payload = _decode_announce_parts(data, self.limits)
        h = signed.header
        if h.network != self.network_id:
            raise ValidationError(f"block for network {h.network!r}")
        if h.proposer not in self.proposers:
            raise ValidationError("block proposer is not a genesis proposer")
        if not own and self._is_old(h.proposer, h.seq):
            raise _Stale  # before hashing the payload or any curve math
        # Keyed by the block id (a CID of the header's bytes), not the bytes: a header holds up to
        # 4,096 scores and a 1,024-entry view, 16.8 KiB an entry, 263 MiB at the cache's 16,384
        # entries of signed header-only announces (review 25).
        key = (h.block_id.encode(), signed.signature)
        known = key in self.verified_blocks
        if known and not own and self._is_certified((h.proposer, h.seq)):
            raise _Stale  # a replay of a block whose slot is committed: nothing to relay
        # Only now the payload's length and CID (ValidationError): its one hash here.
        b = Block(signed, payload)
        if known:
            return b, False
        signed.verify(self.genesis_id)
        self.verified_blocks.add(key)
        self._saw(h.proposer, h.seq)
        return b, True

    # ------------------------------------------------------------------- votes
    async def votes(self, m: Inbound) -> Verdict:
        try:
            fresh, keys = await self._verify(m.forwarder,
                                             lambda: self._check_votes(m.data, self._own(m)))
        except OverBudget:
            return Verdict.IGNORE
        except _Stale:  # only votes for decided slots: see block()
            self.stale += 1
            return Verdict.IGNORE
        except AttnshareError:
            self.refused += 1
            return Verdict.REJECT
        if not fresh:  # only replays of votes we hold: the forwarder pays, as for blocks
            if self._own(m):
                # Our own re-send (a proposer re-announced a slot we decided): sent on purpose,
                # and news to the proposer that missed it, which takes its votes as fresh. Held
                # to the replay rule here it failed to publish within VOTE_REPLAY_S of the first.
                self._replay_news(keys)
                return Verdict.ACCEPT
            if not self.reannounce_rate.allow(self._replayer(m)):
                return Verdict.IGNORE
            return Verdict.ACCEPT if self._replay_news(keys) else Verdict.IGNORE
        for voter, count in fresh.items():  # fresh signatures: their voters pay
            if not self.vote_rate.allow(voter, float(count)):
                return Verdict.IGNORE
        self._replay_news(keys)  # relayed now: its recombinations are not news for a while
        return Verdict.ACCEPT

    def _replay_news(self, keys: list[tuple[bytes, bytes]]) -> bool:
        """Whether a batch of verified votes is worth relaying: at least half of it was not
        relayed in the last VOTE_REPLAY_S. If so, all of it counts as relayed now."""
        now = self._clock()
        stale = sum(1 for k in keys if (t := self._relayed.get(k)) is None or now - t >= VOTE_REPLAY_S)
        if stale * 2 < len(keys):
            return False
        for k in keys:
            self._relayed[k] = now
            self._relayed.move_to_end(k)
        while len(self._relayed) > VERIFIED_CACHE:
            self._relayed.popitem(last=False)
        return True

    def _check_votes(self, data: bytes, own: bool = False
                     ) -> tuple[dict[str, int], list[tuple[bytes, bytes]]]:
        """Verify a batch; return how many fresh (not yet verified) votes each voter has in
        it, and the batch's vote keys."""
        batch = decode_vote_batch(data, self.members)  # refuses outsiders before parsing ids
        seen: set[tuple[bytes, bytes]] = set()
        old: set[tuple[bytes, bytes]] = set()
        long_ago = False
        for sv in batch.votes:  # every cheap check before the first signature
            if sv.vote.voter not in self.validators:
                raise ValidationError("vote from a non-validator")
            if sv.vote.proposer not in self.proposers:
                raise ValidationError("vote names a slot of a non-proposer")
            key = _vote_key(sv)
            if key in seen:
                raise ValidationError("the same vote twice in one batch")
            seen.add(key)
            if self._is_old(*sv.vote.slot):
                long_ago = True
                old.add(key)
            elif self._is_certified(sv.vote.slot):
                old.add(key)
        # One vote of a slot decided long ago spoils the batch: a validator publishes only
        # its own votes, cast in open slots or re-sent for slots decided within
        # slot_window_behind (SlotCore._resend) of its decided seq, and its net layer drops
        # blocks of older slots before consensus sees them. Else one current vote made 255
        # archived ones fresh work, verified and relayed on every node (review 6, finding 2).
        # Votes of recently certified slots are honest re-sends: verified, charged to nobody.
        if (long_ago or len(old) == len(seen)) and not own:
            raise _Stale  # not one signature checked
        fresh = self._verify_votes(batch.votes, old)
        self._count_rejects(batch.votes, old)
        return fresh, list(seen)

    def _count_rejects(self, votes: tuple[SignedVote, ...],
                       old: set[tuple[bytes, bytes]]) -> None:
        """Verified REJECTs of q distinct validators, of any variant of the slot, decide it as surely
        as a certificate: the validators left, and the f byzantine ones among the q voting twice,
        are at most 2f < q, no quorum of ACCEPTs for any variant (f + 1 did not rule one out for
        an equivocating proposer's other variant: review 37d, D2). It moves the proposer's stale
        mark like a certificate. A proposer whose slots are all rejected has no certificates."""
        f1 = self.validators.q
        for sv in votes:
            v = sv.vote
            if v.decision is not Decision.REJECT or _vote_key(sv) in old:
                continue
            who = self._rejecters.get(v.slot)
            if who is None:
                who = self._rejecters[v.slot] = set()
                while len(self._rejecters) > CERTIFIED_MEMORY:
                    self._rejecters.popitem(last=False)
            who.add(v.voter)
            if len(who) >= f1:
                del self._rejecters[v.slot]
                self._saw(*v.slot, certified=True)

    def _verify_votes(self, votes: tuple[SignedVote, ...],
                      old: set[tuple[bytes, bytes]] | frozenset[tuple[bytes, bytes]] = frozenset()
                      ) -> dict[str, int]:
        """Verify every vote not verified before; return the fresh ones per voter. Votes
        for decided slots (``old``) are verified but charge their voter nothing: anyone
        can replay a validator's old votes, and its rate is for what it casts now."""
        fresh: dict[str, int] = {}
        for sv in votes:
            key = _vote_key(sv)
            if key not in self.verified:
                sv.verify(self.genesis_id)
                self.verified.add(key)
                if key not in old:
                    fresh[sv.vote.voter] = fresh.get(sv.vote.voter, 0) + 1
        return fresh

    # ------------------------------------------------------------ certificates
    async def cert(self, m: Inbound) -> Verdict:
        try:
            cert = await self._verify(m.forwarder, lambda: self._check_cert(m.data, self._own(m)))
        except OverBudget:
            return Verdict.IGNORE
        except _Stale:  # a certificate of a slot decided long ago: see block()
            self.stale += 1
            return Verdict.IGNORE
        except AttnshareError:
            self.refused += 1
            return Verdict.REJECT
        # A valid certificate of a slot relayed recently is not news, whatever its
        # subset of votes: every valid one names the same block (quorum intersection).
        now = self._clock()
        last = self._cert_relayed.get(cert.slot)
        if last is not None and now - last < CERT_REPLAY_S and not self._own(m):
            return Verdict.IGNORE
        self._cert_relayed[cert.slot] = now
        self._cert_relayed.move_to_end(cert.slot)
        while len(self._cert_relayed) > VERIFIED_CACHE:
            self._cert_relayed.popitem(last=False)
        return Verdict.ACCEPT

    def _check_cert(self, data: bytes, own: bool = False) -> Certificate:
        cert = decode_certificate(data, self.members)  # outsiders refused before parsing
        if cert.proposer not in self.proposers:
            raise ValidationError("certificate names a non-proposer")
        if not own and self._is_old(*cert.slot):
            # Certificates are public: anyone can replay those of old slots, one distinct
            # message per slot. Dropped before any curve math and never relayed, as old
            # blocks and votes are; a node that lacks such a slot gets it by sync, which
            # serves blocks with their certificates.
            raise _Stale
        # At most one vote per validator; verify_certificate runs every cheap
        # rule (count, slot, decision, membership) before the first signature.
        verify_certificate(cert, self.validators, self.genesis_id)
        for sv in cert.votes:
            self.verified.add(_vote_key(sv))
        with self._certified_lock:
            self._certified[cert.slot] = None
            self._certified.move_to_end(cert.slot)
            while len(self._certified) > CERTIFIED_MEMORY:
                self._certified.popitem(last=False)
        self._saw(*cert.slot, certified=True)
        return cert
