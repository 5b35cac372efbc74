"""One current vote made a batch of 255 long-decided votes fresh work for every node.

Review 6, finding 2. ``Validators._check_votes`` dropped a batch as stale only when *every* vote
in it was old (a slot ``STALE_SLOTS`` or more below its proposer's highest verified seq) or of a
certified slot. A keyless peer holding genuine old votes (public: every certificate served over
sync carries q of them) added one current, genuine vote (public: gossip) to 255 old ones: every
old vote was signature-checked, the batch was ACCEPTed (the old votes counted as "not relayed in
the last second") and so relayed, and the next node verified the same 255 signatures on the
budget of the honest node that relayed it; a new subset of the archive was a new message id.

No honest validator sends such a batch: it publishes only its own votes, cast in open slots or
re-sent within ``slot_window_behind`` of its decided seq (``SlotCore._resend``; the tolerance for
recently decided slots is ``test_replays.py::test_a_batch_mixing_decided_and_new_votes_...``).
So one old vote makes the batch stale: IGNOREd before any signature, never relayed.
"""

from __future__ import annotations

import trio

from node.net.budget import Budget
from node.net.topics import STALE_SLOTS, encode_block_announce
from node.net.verify import Inbound, Verdict, Verifier
from protocol.vote import Decision, Reason, SignedVote, Vote, VoteBatch, sign_vote
from tests.node.test_net_budget import KEYS, Clock, G, block, certify, msg, validators

V = KEYS[0]
HEAD = STALE_SLOTS + 400


def _vote_at(seq: int, voter_index: int = 1) -> SignedVote:
    voter = KEYS[voter_index]
    b = block(V, seq=HEAD)  # any block id: old votes need only be genuine signatures
    return sign_vote(Vote(b.block_id, V.peer_id, seq, voter.peer_id, Decision.ACCEPT, Reason.OK), voter, G.id)


def _old_votes(first_seq: int, n: int) -> list[SignedVote]:
    return [_vote_at(first_seq + i // 3, 1 + i % 3) for i in range(n)]


async def _validators_at_head():  # noqa: ANN202
    val = validators(Clock())
    await certify(val, V, HEAD - 1)  # decided up to here
    assert await val.block(msg(encode_block_announce(block(V, seq=HEAD), 0))) is Verdict.ACCEPT
    return val


async def test_a_batch_of_old_votes_with_one_current_vote_is_not_verified_or_relayed() -> None:
    val = await _validators_at_head()
    current = _vote_at(HEAD)
    assert await val.votes(msg(VoteBatch((current,)).encode(), forwarder="proposer-link")) is Verdict.ACCEPT
    before = len(val.verified)
    batch = VoteBatch((*_old_votes(1, 255), current)).encode()
    verdict = await val.votes(msg(batch, forwarder="keyless-replayer"))
    checked = len(val.verified) - before
    why = f"verdict {verdict.name}: {checked} signatures of long-decided slots checked, and the batch is relayed"
    assert verdict is Verdict.IGNORE, why
    assert checked == 0, why
    assert val.stale == 1


async def test_the_next_node_verifies_the_relayed_batch_again_on_the_honest_forwarders_budget() -> None:
    # Node Y gets the batch from honest node X, which accepted (and so relayed) it.
    y = await _validators_at_head()
    current = _vote_at(HEAD)
    accepted = 0
    for k in range(4):  # four distinct batches (distinct message ids) from one archive
        batch = VoteBatch((*_old_votes(1 + 85 * k, 255), current)).encode()
        accepted += await y.votes(msg(batch, forwarder="honest-X")) is Verdict.ACCEPT
    assert accepted == 0, f"{accepted} of 4 recombined old-vote batches relayed on, {len(y.verified)} verifies"
    assert len(y.verified) == 0


async def test_one_old_vote_spoils_a_batch_and_the_window_edge_does_not() -> None:
    val = await _validators_at_head()
    edge = HEAD - STALE_SLOTS  # the highest old seq
    current = _vote_at(HEAD)
    assert await val.votes(msg(VoteBatch((_vote_at(edge), current)).encode())) is Verdict.IGNORE
    assert len(val.verified) == 0
    # One slot up is not old (nor certified here): verified, and the batch goes on.
    assert await val.votes(msg(VoteBatch((_vote_at(edge + 1), current)).encode())) is Verdict.ACCEPT
    assert len(val.verified) == 2


async def test_cheap_checks_still_come_first_and_our_own_batch_is_never_stale() -> None:
    val = await _validators_at_head()
    old = _vote_at(1)
    # A malformed batch is the forwarder's fault, old vote or not.
    assert await val.votes(msg(VoteBatch((old, _vote_at(HEAD))).encode()[:-1])) is Verdict.REJECT
    # Our own publish is never dropped as stale (a late vote of ours is still ours to send).
    me = KEYS[1]
    val.verifier = Verifier(Budget(), exempt=frozenset({me.peer_id}))
    own = VoteBatch((old, _vote_at(HEAD))).encode()
    assert await val.votes(Inbound(me.peer_id, me.peer_id, own)) is Verdict.ACCEPT
    await trio.lowlevel.checkpoint()
