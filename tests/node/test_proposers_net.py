"""The gossip validators with a genesis proposer set wider than the validators."""

from __future__ import annotations

from node.net.budget import Budget
from node.net.topics import Validators, encode_block_announce
from node.net.verify import Verdict, Verifier
from protocol.block import BlockLimits, build_block
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote
from tests.node.test_net_budget import MODEL, Clock, msg

VALS = [PrivateKey(bytes([i + 1]) * 32) for i in range(4)]
FEEDER = PrivateKey(b"\x44" * 32)  # proposes, does not vote
OUTSIDER = PrivateKey(b"\x45" * 32)
G = Genesis(network_id="wide", validators=ValidatorSet([k.peer_id for k in VALS]), accepted_model_ids=(MODEL,),
            proposers=tuple(k.peer_id for k in [*VALS, FEEDER]))


def _block(key: PrivateKey, seq: int = 1):
    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + i, {"v": float(i)}) for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None,
                       created_ms=1_700_000_000_000, model_id=MODEL, records=recs, scores=[0.5] * 3)


def _validators(proposers=G.proposer_ids, verifier=None) -> Validators:
    return Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=Clock(),
                      proposers=proposers, verifier=verifier)


def _vote(voter: PrivateKey, b) -> object:
    h = b.signed.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, voter.peer_id, Decision.ACCEPT, Reason.OK), voter, G.id)


async def test_a_genesis_proposer_that_is_no_validator_gets_its_blocks_votes_and_certs_through() -> None:
    val = _validators()
    b = _block(FEEDER)
    assert await val.block(msg(encode_block_announce(b, 0))) is Verdict.ACCEPT
    votes = tuple(_vote(k, b) for k in VALS[:3])
    assert await val.votes(msg(VoteBatch(votes).encode())) is Verdict.ACCEPT
    cert = Certificate(b.block_id, FEEDER.peer_id, 1, votes)
    assert await val.cert(msg(cert.encode())) is Verdict.ACCEPT
    # Without the proposer set (the old validator-only rule) all three were refused.
    old = _validators(proposers=None)
    assert await old.block(msg(encode_block_announce(b, 1))) is Verdict.REJECT


async def test_outsiders_still_cannot_propose_and_proposers_still_cannot_vote() -> None:
    val = _validators()
    assert await val.block(msg(encode_block_announce(_block(OUTSIDER), 0))) is Verdict.REJECT
    b = _block(FEEDER)
    assert await val.votes(msg(VoteBatch((_vote(FEEDER, b),)).encode())) is Verdict.REJECT
    outsider_slot = _block(OUTSIDER)
    assert await val.votes(msg(VoteBatch((_vote(VALS[0], outsider_slot),)).encode())) is Verdict.REJECT


def test_proposers_are_known_peers() -> None:
    budget = Budget()
    _validators(verifier=Verifier(budget))
    assert budget.is_known(FEEDER.peer_id)
    assert budget.is_known(VALS[0].peer_id)
    assert not budget.is_known(OUTSIDER.peer_id)
