"""Replays of many distinct decided slots: dropped before any signature or rate limit.

Issue 10 left this open: a keyless peer holding many *different* old, validly
signed blocks (or votes) could replay them. Each old block not in the
verified cache counted as fresh and spent its honest proposer's block rate
(so the proposer's next real block was ignored); each cached one was relayed
at the per-block replay rate, so honest nodes relayed the lot and spent each
other's replay budgets downstream.
"""

from __future__ import annotations

from node.net.topics import STALE_SLOTS, encode_block_announce
from node.net.verify import Verdict
from protocol.quorum import Certificate
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote
from tests.node.test_net_budget import KEYS, Clock, G, block, certify, msg, validators

V = KEYS[0]
HONEST_FORWARDER = "honest-forwarder"


def _vote(key, b, decision=Decision.ACCEPT):
    h = b.signed.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, key.peer_id, decision, Reason.OK), key, G.id)


async def test_old_blocks_never_seen_do_not_spend_their_proposers_rate() -> None:
    clock = Clock()
    val = validators(clock)
    head = 200
    await certify(val, V, head - 1)  # decided up to here
    assert await val.block(msg(encode_block_announce(block(V, seq=head), 0))) is Verdict.ACCEPT
    # 100 genuine blocks of V from long ago, never seen here (a cache miss each):
    # the old code verified each as fresh and charged V (burst 40).
    old = [encode_block_announce(block(V, seq=s, created=1_600_000_000_000 + s), 0)
           for s in range(1, 101)]
    for data in old:
        assert await val.block(msg(data)) is Verdict.IGNORE
    assert val.stale == 100
    assert len(val.verified_blocks) == 1  # not one old signature was checked
    assert await val.block(msg(encode_block_announce(block(V, seq=head + 1), 0))) is Verdict.ACCEPT


async def test_verified_blocks_are_kept_by_id_not_by_header_bytes() -> None:
    # Review 25: keyed by the header's bytes, the cache's 16,384 entries of signed header-only
    # announces (4,096 scores, a 1,024-entry view) held 16.8 KiB each, 263 MiB in all.
    val = validators(Clock())
    b = block(V, seq=7)
    assert await val.block(msg(encode_block_announce(b, 0))) is Verdict.ACCEPT
    assert len(val.verified_blocks) == 1
    (key,) = list(val.verified_blocks._items)
    assert key == (b.block_id.encode(), b.signed.signature)
    assert len(key[0]) < 100 < len(b.signed.header.canonical_bytes())
    # The same header and signature again: known, its signature not checked twice.
    assert (b.block_id.encode(), b.signed.signature) in val.verified_blocks


async def test_replays_of_certified_blocks_spend_no_forwarders_budget() -> None:
    """An honest forwarder relaying a replayer's copies spent its own replay budget on
    the next node: there, its real re-announces were then ignored."""
    clock = Clock()
    val = validators(clock)
    blocks = [block(V, seq=s) for s in range(1, 61)]
    for b in blocks:  # each seen once, fresh
        assert await val.block(msg(encode_block_announce(b, 0), forwarder="proposer-link")) is Verdict.ACCEPT
        clock.t += 1.0
    for b in blocks:  # and committed: a certificate for every slot
        cert = Certificate(b.block_id, V.peer_id, b.signed.header.seq,
                           tuple(_vote(k, b) for k in KEYS[:3]))
        assert await val.cert(msg(cert.encode())) is Verdict.ACCEPT
    undecided = block(V, seq=61)
    assert await val.block(msg(encode_block_announce(undecided, 0))) is Verdict.ACCEPT
    clock.t += 5.0
    # A replayer's copies of the 60 committed blocks, relayed to us by an honest peer.
    for attempt in (1, 2):
        for b in blocks:
            verdict = await val.block(msg(encode_block_announce(b, attempt), forwarder=HONEST_FORWARDER))
            assert verdict is Verdict.IGNORE
    assert val.stale == 120
    # The honest peer's forwarded re-announce of the undecided block still passes.
    assert await val.block(msg(encode_block_announce(undecided, 1), forwarder=HONEST_FORWARDER)
                           ) is Verdict.ACCEPT


async def test_old_votes_never_seen_do_not_spend_their_voters_rate() -> None:
    clock = Clock()
    val = validators(clock)
    voter = KEYS[1]
    head = 10_000
    await certify(val, V, head - 1)  # decided up to here
    assert await val.block(msg(encode_block_announce(block(V, seq=head), 0))) is Verdict.ACCEPT
    # 9000 genuine old votes of `voter` (more than its burst of 8192), never seen here.
    old_blocks = [block(V, seq=s) for s in range(1, 36)]
    batches = []
    for start in range(0, 9000, 250):
        votes = []
        for i in range(start, start + 250):
            b = old_blocks[i % len(old_blocks)]
            v = Vote(b.block_id, V.peer_id, 1 + i, voter.peer_id, Decision.ACCEPT, Reason.OK)
            votes.append(sign_vote(v, voter, G.id))
        batches.append(VoteBatch(tuple(votes)).encode())
    for data in batches:
        assert await val.votes(msg(data)) is Verdict.IGNORE
    assert len(val.verified) == 0  # no old signature checked
    new = block(V, seq=head)
    assert await val.votes(msg(VoteBatch((_vote(voter, new),)).encode())) is Verdict.ACCEPT


async def test_a_batch_mixing_decided_and_new_votes_charges_the_voter_only_for_the_new() -> None:
    # Votes of recently certified slots (an honest validator re-sends its vote when a decided
    # block is replayed to it) are verified but charge their voter nothing. Votes of slots
    # decided long ago spoil the whole batch: tests/node/test_old_vote_mix.py.
    clock = Clock()
    val = validators(clock)
    voter = KEYS[3]  # not in the certificates below: its votes there were never verified
    head = STALE_SLOTS + 100
    decided = [block(V, seq=s) for s in range(head - 30, head)]
    for b in decided:
        cert = Certificate(b.block_id, V.peer_id, b.signed.header.seq, tuple(_vote(k, b) for k in KEYS[:3]))
        assert await val.cert(msg(cert.encode())) is Verdict.ACCEPT
    new = block(V, seq=head)
    assert await val.block(msg(encode_block_announce(new, 0))) is Verdict.ACCEPT
    batch = VoteBatch((*(_vote(voter, b) for b in decided), _vote(voter, new))).encode()
    assert await val.votes(msg(batch)) is Verdict.ACCEPT
    bucket_tokens, _ = val.vote_rate._buckets[voter.peer_id]
    assert bucket_tokens == val.vote_rate.burst - 1  # one fresh vote charged, not 31


async def test_our_own_late_vote_is_still_published() -> None:
    """A certificate can form without our vote; our own publish of it is not 'stale'."""
    import trio

    from node.net.budget import Budget
    from node.net.verify import Inbound, Verifier

    me = KEYS[3]
    verifier = Verifier(Budget(), exempt=frozenset({me.peer_id}))
    val = validators(Clock())
    val.verifier = verifier
    b = block(V, seq=1)
    cert = Certificate(b.block_id, V.peer_id, 1, tuple(_vote(k, b) for k in KEYS[:3]))
    assert await val.cert(msg(cert.encode())) is Verdict.ACCEPT
    late = VoteBatch((_vote(me, b),)).encode()
    assert await val.votes(Inbound(me.peer_id, me.peer_id, late)) is Verdict.ACCEPT
    assert await val.votes(msg(late, forwarder="someone")) is Verdict.IGNORE  # from others: stale
    await trio.lowlevel.checkpoint()


async def test_certificates_of_old_slots_are_dropped_before_any_signature() -> None:
    """Anyone can replay the public certificates of long-decided slots: each was verified
    (q signatures), relayed network-wide and handed to consensus."""
    clock = Clock()
    val = validators(clock)
    head = STALE_SLOTS + 100
    await certify(val, V, head - 1)  # decided up to here
    assert await val.block(msg(encode_block_announce(block(V, seq=head), 0))) is Verdict.ACCEPT
    checked = len(val.verified)
    for s in range(1, 41):  # genuine certificates of old slots, never seen here
        b = block(V, seq=s, created=1_600_000_000_000 + s)
        cert = Certificate(b.block_id, V.peer_id, s, tuple(_vote(k, b) for k in KEYS[:3]))
        assert await val.cert(msg(cert.encode())) is Verdict.IGNORE
    assert val.stale == 40
    assert len(val.verified) == checked  # not one of their 120 votes was verified
    recent = block(V, seq=head)
    cert = Certificate(recent.block_id, V.peer_id, head, tuple(_vote(k, recent) for k in KEYS[:3]))
    assert await val.cert(msg(cert.encode())) is Verdict.ACCEPT  # a recent slot's certificate still passes
