"""Finding 13 at the node's edge: the pubsub validators refuse what was signed for another network.

Two networks with the *same* validators and the same network name differ only
in their genesis id (here: another genesis time). Before signatures were bound
to the genesis id, a block, vote or certificate of one verified on the other.
"""

from __future__ import annotations

import dataclasses

from node.net.topics import Validators, encode_block_announce
from node.net.verify import Inbound, Verdict
from protocol.block import Block, BlockLimits, build_block
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote

KEYS = tuple(PrivateKey(bytes([0x31 + i]) * 32) for i in range(4))
MODEL = cid_of(b"binding model")
OURS = Genesis("bindnet", ValidatorSet(k.peer_id for k in KEYS), (MODEL,), genesis_time_ms=1)
THEIRS = dataclasses.replace(OURS, genesis_time_ms=2)  # same validators, same name, another network
LIMITS = BlockLimits()
PEER = PrivateKey(bytes([0x3F]) * 32).peer_id


def _block(g: Genesis) -> Block:
    key = KEYS[0]
    recs = [Record.create("t", key.peer_id, 1 + i, {"i": i}) for i in range(3)]
    return build_block(key, genesis_id=g.id, network=g.network_id, seq=1, prev=None, created_ms=1,
                       model_id=MODEL, records=recs, scores=[0.5] * 3, limits=LIMITS)


def _cert(g: Genesis, b: Block) -> Certificate:
    h = b.header
    votes = tuple(sign_vote(Vote(b.block_id, h.proposer, h.seq, k.peer_id, Decision.ACCEPT, Reason.OK), k, g.id)
                  for k in KEYS[:3])
    return Certificate(b.block_id, h.proposer, h.seq, votes)


def _validators() -> Validators:
    return Validators(OURS.network_id, OURS.validators, LIMITS, genesis_id=OURS.id)


async def test_messages_signed_for_another_network_are_rejected() -> None:
    assert OURS.id != THEIRS.id
    assert OURS.network_id == THEIRS.network_id
    assert OURS.validators == THEIRS.validators
    v = _validators()
    for g, want in ((THEIRS, Verdict.REJECT), (OURS, Verdict.ACCEPT)):
        b = _block(g)
        assert await v.block(Inbound(PEER, PEER, encode_block_announce(b, 0))) is want
        votes = VoteBatch(tuple(_cert(g, b).votes)).encode()
        assert await v.votes(Inbound(PEER, PEER, votes)) is want
        assert await v.cert(Inbound(PEER, PEER, _cert(g, b).encode())) is want
