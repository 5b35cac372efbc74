"""Certified-block verification: the one gate for blocks that arrive with a certificate."""

from __future__ import annotations

import pytest

from protocol.block import Block, BlockLimits, SignedHeader, build_block
from protocol.certified import check_synced_slot, verify_certified, verify_fetched
from protocol.cid import cid_of
from protocol.errors import DecodeError, SignatureError, ValidationError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, SignedVote, Vote, sign_vote
from tests.protocol.conftest import KEYS, MODEL_ID, NETWORK

LIMITS = BlockLimits()
GENESIS = Genesis(NETWORK, ValidatorSet(k.peer_id for k in KEYS), (MODEL_ID,))
OUTSIDER = PrivateKey(b"\x99" * 32)


def _block(key: PrivateKey = KEYS[0], *, network: str = NETWORK, seq: int = 1, model: str = MODEL_ID,
           origin: str | None = None, n: int = 3) -> Block:
    recs = [Record.create("t", origin or key.peer_id, 1000 + i, {"i": i}) for i in range(n)]
    return build_block(key, genesis_id=GENESIS.id, network=network, seq=seq, prev=None, created_ms=5, model_id=model,
                       records=recs, scores=[0.5] * n, limits=LIMITS)


def _cert(block: Block, voters: tuple[PrivateKey, ...] = KEYS[:3], *, decision: Decision = Decision.ACCEPT,
          block_id: str | None = None, seq: int | None = None) -> Certificate:
    h = block.header
    reason = Reason.OK if decision is Decision.ACCEPT else Reason.OTHER
    votes = tuple(
        sign_vote(Vote(block_id or block.block_id, h.proposer, seq or h.seq, k.peer_id, decision, reason), k,
                  GENESIS.id)
        for k in voters
    )
    return Certificate(block_id or block.block_id, h.proposer, seq or h.seq, votes)


def test_accepts_a_well_certified_block_as_bytes_or_objects() -> None:
    b = _block()
    c = _cert(b)
    blk, records, cert = verify_certified(b.encode(), c.encode(), GENESIS, LIMITS)
    assert blk == b
    assert cert == c
    assert len(records) == 3
    blk2, records2, _ = verify_certified(b, c, GENESIS, LIMITS)
    assert blk2 == b
    assert records2 == records


def test_refuses_a_block_of_another_network() -> None:
    b = _block(network="othernet")
    with pytest.raises(ValidationError, match="network"):
        verify_certified(b, _cert(b), GENESIS, LIMITS)


def test_refuses_a_proposer_outside_the_validator_set() -> None:
    b = _block(OUTSIDER)
    with pytest.raises(ValidationError, match="not a genesis proposer"):
        verify_certified(b, _cert(b), GENESIS, LIMITS)


def test_refuses_an_unaccepted_model() -> None:
    b = _block(model=cid_of(b"some other model"))
    with pytest.raises(ValidationError, match="UNKNOWN_MODEL"):
        verify_certified(b, _cert(b), GENESIS, LIMITS)


def test_refuses_a_header_only_block() -> None:
    b = _block()
    with pytest.raises(ValidationError, match="payload"):
        verify_certified(b.header_only(), _cert(b), GENESIS, LIMITS)


def test_refuses_a_certificate_for_another_block_or_slot() -> None:
    b, other = _block(seq=1), _block(seq=2)
    with pytest.raises(ValidationError, match="does not match"):
        verify_certified(b, _cert(other), GENESIS, LIMITS)
    with pytest.raises(ValidationError, match="does not match"):
        verify_certified(b, _cert(b, seq=7), GENESIS, LIMITS)


def test_refuses_short_rejecting_or_outsider_certificates() -> None:
    b = _block()
    with pytest.raises(ValidationError, match="quorum"):
        verify_certified(b, _cert(b, KEYS[:2]), GENESIS, LIMITS)
    with pytest.raises(ValidationError, match="ACCEPT"):
        verify_certified(b, _cert(b, decision=Decision.REJECT), GENESIS, LIMITS)
    with pytest.raises(ValidationError, match="non-validator"):
        verify_certified(b, _cert(b, (KEYS[0], KEYS[1], OUTSIDER)), GENESIS, LIMITS)


def test_refuses_a_forged_vote_signature() -> None:
    b = _block()
    good = _cert(b)
    forged = SignedVote(good.votes[0].vote, bytes(64))
    c = Certificate(good.block_id, good.proposer, good.seq, (forged, *good.votes[1:]))
    with pytest.raises(SignatureError):
        verify_certified(b, c, GENESIS, LIMITS)


def test_refuses_a_forged_header_signature() -> None:
    b = _block()
    forged = Block(type(b.signed)(b.header, bytes(64)), b.payload)
    with pytest.raises(SignatureError):
        verify_certified(forged, _cert(forged), GENESIS, LIMITS)


def test_refuses_records_of_another_origin() -> None:
    b = _block(origin=KEYS[1].peer_id)
    with pytest.raises(ValidationError, match="BAD_PAYLOAD"):
        verify_certified(b, _cert(b), GENESIS, LIMITS)


def test_cheap_checks_run_before_any_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    # A mismatched certificate must be refused without verifying a signature.
    calls: list[str] = []
    import protocol.certified as certified

    monkeypatch.setattr(certified, "verify_certificate", lambda *a: calls.append("cert"))
    b, other = _block(seq=1), _block(seq=2)
    with pytest.raises(ValidationError):
        verify_certified(b, _cert(other), GENESIS, LIMITS)
    with pytest.raises(ValidationError):
        verify_certified(_block(network="othernet"), _cert(b), GENESIS, LIMITS)
    assert calls == []


def test_garbage_bytes_are_decode_errors() -> None:
    b = _block()
    with pytest.raises(DecodeError):
        verify_certified(b"\x00junk", _cert(b).encode(), GENESIS, LIMITS)
    with pytest.raises(DecodeError):
        verify_certified(b.encode(), b"\x93junk", GENESIS, LIMITS)


def test_refuses_a_block_signed_for_another_genesis() -> None:
    # Same network name, same keys, another genesis (finding 13): the signatures do not carry over.
    other = Genesis(NETWORK, ValidatorSet(k.peer_id for k in KEYS), (MODEL_ID,), genesis_time_ms=1)
    recs = [Record.create("t", KEYS[0].peer_id, 1000, {"i": 0})]
    b = build_block(KEYS[0], genesis_id=other.id, network=NETWORK, seq=1, prev=None, created_ms=5,
                    model_id=MODEL_ID, records=recs, scores=[0.5], limits=LIMITS)
    with pytest.raises(SignatureError):
        verify_certified(b, _cert(b), GENESIS, LIMITS)


def test_a_fetched_block_must_be_the_one_asked_for_of_this_network_and_signed() -> None:
    b = _block()
    assert verify_fetched(b.encode(), b.block_id, GENESIS, LIMITS).block_id == b.block_id
    other = _block(seq=2)
    with pytest.raises(ValidationError, match="different block"):
        verify_fetched(other.encode(), b.block_id, GENESIS, LIMITS)
    foreign = _block(network="othernet")
    with pytest.raises(ValidationError, match="network"):
        verify_fetched(foreign.encode(), foreign.block_id, GENESIS, LIMITS)
    outsider = _block(OUTSIDER)
    with pytest.raises(ValidationError, match="not a genesis proposer"):
        verify_fetched(outsider.encode(), outsider.block_id, GENESIS, LIMITS)
    with pytest.raises(DecodeError):
        verify_fetched(b"\x00junk", b.block_id, GENESIS, LIMITS)


def test_a_fetched_block_with_a_forged_signature_is_refused() -> None:
    b = _block()
    forged = Block(SignedHeader(b.signed.header, bytes(64)), b.payload)
    with pytest.raises(SignatureError):
        verify_fetched(forged.encode(), forged.block_id, GENESIS, LIMITS)


def test_a_synced_block_against_the_slot_committed_here() -> None:
    b, rival = _block(), _block(n=2)
    me = KEYS[0].peer_id
    assert check_synced_slot(b, me, None) is False  # open here: verify it
    assert check_synced_slot(b, me, b.block_id) is True  # committed already: skip the signature work
    with pytest.raises(ValidationError, match="conflicts"):
        check_synced_slot(rival, me, b.block_id)
    with pytest.raises(ValidationError, match="another proposer"):
        check_synced_slot(b, KEYS[1].peer_id, None)


def test_the_genesis_proposers_may_propose_whether_or_not_they_validate() -> None:
    from dataclasses import replace

    from protocol.certified import check_header_for_genesis

    g = replace(GENESIS, proposers=(OUTSIDER.peer_id, KEYS[0].peer_id))
    check_header_for_genesis(_block(OUTSIDER), g)  # not a validator, but a proposer
    check_header_for_genesis(_block(KEYS[0]), g)
    with pytest.raises(ValidationError, match="not a genesis proposer"):
        check_header_for_genesis(_block(KEYS[1]), g)  # a validator left out of the proposers


def test_a_certified_block_of_a_proposer_that_does_not_vote_verifies() -> None:
    """Review 9 #2: a genesis may name proposers outside the validator set; their certified
    blocks arrive by sync as bytes and must verify as they do on gossip."""
    from dataclasses import replace

    proposer = PrivateKey(b"\x78" * 32)
    g = replace(GENESIS, proposers=(proposer.peer_id, *(k.peer_id for k in KEYS)))
    recs = [Record.create("t", proposer.peer_id, 1000 + i, {"i": i}) for i in range(3)]
    b = build_block(proposer, genesis_id=g.id, network=NETWORK, seq=1, prev=None, created_ms=5, model_id=MODEL_ID,
                    records=recs, scores=[0.5] * 3, limits=LIMITS)
    votes = tuple(sign_vote(Vote(b.block_id, proposer.peer_id, 1, k.peer_id, Decision.ACCEPT, Reason.OK), k, g.id)
                  for k in KEYS[: g.validators.q])
    cert = Certificate(b.block_id, proposer.peer_id, 1, votes)
    blk, records, c = verify_certified(b.encode(), cert.encode(), g, LIMITS)
    assert blk.block_id == b.block_id
    assert len(records) == 3
    assert c == cert
    # Still: the proposer may not vote, and an outsider may not propose.
    own = sign_vote(Vote(b.block_id, proposer.peer_id, 1, proposer.peer_id, Decision.ACCEPT, Reason.OK), proposer,
                    g.id)
    with pytest.raises(ValidationError):
        verify_certified(b.encode(), Certificate(b.block_id, proposer.peer_id, 1, (*votes[:2], own)).encode(), g,
                         LIMITS)
    with pytest.raises(ValidationError):
        verify_certified(b.encode(), cert.encode(), GENESIS, LIMITS)
