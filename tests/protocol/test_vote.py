"""Votes, signed votes and vote batches: round trips, signing, and decoder fuzzing."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import keys as keys_module
from protocol.cid import cid_bytes, cid_of
from protocol.errors import DecodeError, LocalError, SignatureError, ValidationError
from protocol.keys import DOMAIN_VOTE, PrivateKey, peer_id_from_public_bytes, signing_domain
from protocol.validators import ValidatorSet
from protocol.vote import (
    MAX_BATCH_VOTES,
    MAX_RESEND,
    Decision,
    Reason,
    SignedVote,
    Vote,
    VoteBatch,
    decode_signed_vote,
    decode_vote,
    decode_vote_batch,
    sign_vote,
)
from tests.protocol.conftest import GENESIS_ID as GID

KEYS = [PrivateKey(bytes([i + 1]) * 32) for i in range(6)]
# The identity point: cryptography would "verify" anything under it.
SMALL_ORDER_PEER = peer_id_from_public_bytes(bytes([1]) + bytes(31))


def make_vote(
    voter: int = 0,
    proposer: int = 1,
    seq: int = 1,
    block: bytes = b"block",
    decision: Decision = Decision.ACCEPT,
    reason: Reason = Reason.OK,
) -> Vote:
    return Vote(cid_of(block), KEYS[proposer].peer_id, seq, KEYS[voter].peer_id, decision, reason)


@st.composite
def signed_votes(draw: st.DrawFn) -> SignedVote:
    voter = draw(st.integers(0, len(KEYS) - 1))
    decision = draw(st.sampled_from(Decision))
    reason = (
        Reason.OK
        if decision is Decision.ACCEPT
        else draw(st.sampled_from([r for r in Reason if r is not Reason.OK]))
    )
    vote = make_vote(
        voter=voter,
        proposer=draw(st.integers(0, len(KEYS) - 1)),
        seq=draw(st.integers(1, 2**63 - 1)),
        block=draw(st.binary(max_size=16)),
        decision=decision,
        reason=reason,
    )
    return sign_vote(vote, KEYS[voter], GID)


def test_reason_and_decision_numbers_are_stable() -> None:
    # These numbers are on the wire: changing one breaks every stored vote.
    assert {d.name: int(d) for d in Decision} == {"ACCEPT": 1, "REJECT": 2}
    assert [int(r) for r in Reason] == list(range(10))
    assert Reason.OK == 0
    assert Reason.EQUIVOCATION == 8
    assert Reason.OTHER == 9


def test_canonical_bytes_layout() -> None:
    v = make_vote(decision=Decision.REJECT, reason=Reason.LOW_IMPORTANCE, seq=7)
    assert msgpack.unpackb(v.canonical_bytes()) == [
        cid_bytes(b"block"), KEYS[1].peer_id, 7, KEYS[0].peer_id, 2, 6,
    ]


@given(signed_votes())
@settings(max_examples=60, deadline=None)
def test_signed_vote_round_trip(sv: SignedVote) -> None:
    data = sv.encode()
    back = decode_signed_vote(data)
    assert back == sv
    assert back.encode() == data
    assert decode_vote(sv.vote.canonical_bytes()) == sv.vote
    back.verify(GID)


@given(st.lists(signed_votes(), min_size=1, max_size=20, unique_by=lambda sv: sv.vote.canonical_bytes()))
@settings(max_examples=30, deadline=None)
def test_vote_batch_round_trip(votes: list[SignedVote]) -> None:
    batch = VoteBatch(tuple(votes))
    assert decode_vote_batch(batch.encode()) == batch


def test_sign_with_wrong_key_is_local_error() -> None:
    with pytest.raises(LocalError):
        sign_vote(make_vote(voter=0), KEYS[1], GID)


def test_verify_rejects_tampered_signature_and_content() -> None:
    sv = sign_vote(make_vote(), KEYS[0], GID)
    bad_sig = SignedVote(sv.vote, bytes([sv.signature[0] ^ 1]) + sv.signature[1:])
    with pytest.raises(SignatureError):
        bad_sig.verify(GID)
    other = SignedVote(make_vote(block=b"other"), sv.signature)
    with pytest.raises(SignatureError):
        other.verify(GID)


@pytest.mark.parametrize(
    ("decision", "reason"),
    [(Decision.ACCEPT, Reason.LOW_IMPORTANCE), (Decision.REJECT, Reason.OK), (3, 0), (1, 10), (True, 0), (1.0, 0)],
)
def test_decision_reason_rules(decision: object, reason: object) -> None:
    with pytest.raises(DecodeError):
        make_vote(decision=decision, reason=reason)  # type: ignore[arg-type]


def test_plain_ints_normalise_to_enums() -> None:
    v = make_vote(decision=2, reason=5)  # type: ignore[arg-type]
    assert v.decision is Decision.REJECT
    assert v.reason is Reason.SCORE_MISMATCH


@pytest.mark.parametrize(
    "field",
    ["block_id", "proposer", "voter", "seq"],
)
def test_constructor_rejects_bad_fields(field: str) -> None:
    good = {
        "block_id": cid_of(b"x"), "proposer": KEYS[1].peer_id, "seq": 1, "voter": KEYS[0].peer_id,
        "decision": Decision.ACCEPT, "reason": Reason.OK,
    }
    bad = {"block_id": "bafy-not-a-cid", "proposer": "12D3KooWnope", "voter": SMALL_ORDER_PEER, "seq": 0}
    with pytest.raises(DecodeError):
        Vote(**{**good, field: bad[field]})  # type: ignore[arg-type]


def test_decode_rejects_non_canonical_encoding() -> None:
    v = make_vote(seq=5)
    obj = msgpack.unpackb(v.canonical_bytes())
    # seq 5 as a uint64 (0xcf) instead of a positive fixint: same value, other bytes.
    wide_bytes = (
        b"\x96" + msgpack.packb(obj[0], use_bin_type=True) + msgpack.packb(obj[1])
        + b"\xcf" + (5).to_bytes(8, "big") + msgpack.packb(obj[3]) + b"\x01\x00"
    )
    assert msgpack.unpackb(wide_bytes) == obj
    with pytest.raises(DecodeError, match="canonical"):
        decode_vote(wide_bytes)


def test_batch_bounds() -> None:
    with pytest.raises(DecodeError):
        VoteBatch(())
    with pytest.raises(DecodeError):
        decode_vote_batch(msgpack.packb([]))
    # An array header claiming one more vote than allowed fails before allocation.
    header = b"\xdd" + (MAX_BATCH_VOTES + 1).to_bytes(4, "big")
    with pytest.raises(DecodeError):
        decode_vote_batch(header)
    with pytest.raises(DecodeError):
        decode_vote_batch(b"\xdd\xff\xff\xff\xff")


_GOOD = [
    sign_vote(make_vote(), KEYS[0], GID).encode(),
    VoteBatch((sign_vote(make_vote(), KEYS[0], GID), sign_vote(make_vote(voter=2), KEYS[2], GID))).encode(),
]


@given(st.binary(max_size=600))
@settings(max_examples=300, deadline=None)
def test_decoders_fuzz_random_bytes(data: bytes) -> None:
    for decode in (decode_vote, decode_signed_vote, decode_vote_batch):
        with contextlib.suppress(DecodeError):
            decode(data)


@given(st.sampled_from(_GOOD), st.data())
@settings(max_examples=300, deadline=None)
def test_decoders_fuzz_mutated_bytes(good: bytes, data: st.DataObject) -> None:
    buf = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, max(len(buf) - 1, 0)))
        if op == "flip" and buf:
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del buf[pos:]
        else:
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
    for decode in (decode_signed_vote, decode_vote_batch):
        try:
            out = decode(bytes(buf))
        except DecodeError:
            continue
        # Anything that decodes re-encodes to exactly the same bytes.
        assert out.encode() == bytes(buf)


# --- finding 13: votes are bound to one network's genesis -------------------------------

# Ed25519 is deterministic: this pins the signed message layout
# DOMAIN_VOTE + binary genesis CID + vote bytes (a change here breaks every node).
GOLDEN_VOTE_SIG = bytes.fromhex(
    "b93e824ac1769aed014495e37c62bc24f88f610ef02c61bc7e234357b0eade64"
    "91e41474fd315d9407abdb5f43e3234bb35c8bd412fbbc5a5ad561a9e66b7d0d"
)


def test_vote_signature_golden_vector() -> None:
    assert GID == "bafkreifjgmyhkd5epkawbhyjwchxcqsgp3g2jxhdqhul3g2hx2f3ks4d3m"
    sv = sign_vote(make_vote(seq=7), KEYS[0], GID)
    assert sv.signature == GOLDEN_VOTE_SIG
    assert signing_domain(DOMAIN_VOTE, GID) == b"attnshare/vote/v2\x00" + cid_bytes(b"attnshare test genesis")


def test_vote_signed_for_another_network_does_not_verify() -> None:
    other = cid_of(b"another genesis, same validators")
    theirs = sign_vote(make_vote(), KEYS[0], other)
    theirs.verify(other)
    with pytest.raises(SignatureError):
        theirs.verify(GID)
    ours = sign_vote(make_vote(), KEYS[0], GID)
    with pytest.raises(SignatureError):
        ours.verify(other)


def test_verified_votes_are_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    sv = sign_vote(make_vote(block=b"remember me"), KEYS[0], GID)
    sv.verify(GID)
    calls = []
    monkeypatch.setattr(keys_module, "_pub_obj", lambda raw: calls.append(raw))
    sv.verify(GID)  # the same vote again (relayed, batched, in a certificate): no curve work
    assert calls == []
    # The cache is keyed by network and signature too: nothing else is waved through.
    with pytest.raises(AttributeError):  # the patched key loader is reached
        SignedVote(sv.vote, bytes(64)).verify(GID)
    assert len(calls) == 1


# --- finding 4: duplicates inside a batch are malformed -------------------------------------


def test_a_re_sent_batch_differs_from_the_first_and_round_trips() -> None:
    # Gossip names a message by its content and drops what it saw in the last two minutes: a
    # vote re-sent alone must not be its first batch byte for byte (session 33).
    sv = sign_vote(make_vote(), KEYS[0], GID)
    first, again = VoteBatch((sv,)), VoteBatch((sv,), resend=7)
    assert first.encode() != again.encode()
    assert decode_vote_batch(again.encode()) == again
    assert decode_vote_batch(first.encode()).resend == 0
    # A batch without a counter is the same bytes as before the counter existed.
    assert first.encode() == msgpack.packb([[sv.vote.canonical_bytes(), sv.signature]], use_bin_type=True)
    assert decode_vote_batch(VoteBatch((sv,), resend=MAX_RESEND).encode()).resend == MAX_RESEND


@pytest.mark.parametrize("tail", [0, -1, MAX_RESEND + 1, True, 1.0, "1"])
def test_a_bad_resend_counter_is_malformed(tail: object) -> None:
    sv = sign_vote(make_vote(), KEYS[0], GID)
    raw = msgpack.packb([[sv.vote.canonical_bytes(), sv.signature], tail], use_bin_type=True)
    with pytest.raises(DecodeError):
        decode_vote_batch(raw)
    with pytest.raises(DecodeError):
        decode_vote_batch(msgpack.packb([3]))  # a counter and no vote
    if type(tail) is int and tail:  # 0 in the constructor means no counter: never written
        with pytest.raises(DecodeError):
            VoteBatch((sv,), resend=tail)


def test_batch_with_the_same_vote_twice_is_malformed() -> None:
    sv = sign_vote(make_vote(), KEYS[0], GID)
    with pytest.raises(DecodeError, match="twice"):
        VoteBatch((sv, sv))
    wire = msgpack.packb([[sv.vote.canonical_bytes(), sv.signature]] * 2, use_bin_type=True)
    with pytest.raises(DecodeError, match="twice"):
        decode_vote_batch(wire)
    # Same content under another signature is the same vote too (Ed25519 lets a
    # signer make many signatures over one message).
    resigned = SignedVote(sv.vote, bytes(64))
    with pytest.raises(DecodeError, match="twice"):
        VoteBatch((sv, resigned))
    with pytest.raises(DecodeError, match="twice"):
        decode_vote_batch(msgpack.packb([[sv.vote.canonical_bytes(), s] for s in (sv.signature, bytes(64))]))


def test_batch_may_carry_an_equivocation() -> None:
    # Two *different* votes by one voter in one slot are evidence, not malformed.
    a = sign_vote(make_vote(block=b"a"), KEYS[0], GID)
    b = sign_vote(make_vote(block=b"b"), KEYS[0], GID)
    assert decode_vote_batch(VoteBatch((a, b)).encode()).votes == (a, b)


# --- finding 1: membership before any peer id is parsed -------------------------------------

MEMBERS = ValidatorSet(k.peer_id for k in KEYS[:4])


def _fresh_id(i: int) -> str:
    # A valid-curve key nobody holds (any canonical non-small-order bytes do).
    return peer_id_from_public_bytes(i.to_bytes(4, "big") + bytes(27) + b"\x42")


def test_batch_from_outsiders_is_refused_before_any_peer_id_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    votes = [
        [Vote(cid_of(b"x"), KEYS[1].peer_id, 1, KEYS[0].peer_id, Decision.ACCEPT, Reason.OK).canonical_bytes(),
         bytes(64)]
    ]
    outsider = _fresh_id(7)
    raw = msgpack.packb([cid_bytes(b"y"), KEYS[1].peer_id, 1, outsider, 1, 0], use_bin_type=True)
    votes += [[raw, bytes(64)]]
    wire = msgpack.packb(votes, use_bin_type=True)
    parsed: list[str] = []
    real = keys_module.public_key_from_peer_id
    monkeypatch.setattr("protocol.vote.public_key_from_peer_id", lambda p: parsed.append(p) or real(p))
    with pytest.raises(ValidationError, match="non-validator"):
        decode_vote_batch(wire, MEMBERS)
    assert outsider not in parsed  # refused on a string lookup alone
    first = msgpack.packb(votes[::-1], use_bin_type=True)
    parsed.clear()
    with pytest.raises(ValidationError, match="non-validator"):
        decode_vote_batch(first, MEMBERS)
    assert parsed == []  # an outsider first: nothing at all is parsed
    assert len(decode_vote_batch(wire).votes) == 2  # without a set, it is only well formed


def test_max_batch_of_fresh_ids_is_refused_on_membership() -> None:
    bid = cid_bytes(b"x")
    wire = msgpack.packb(
        [[msgpack.packb([bid, _fresh_id(i), 1, _fresh_id(i + 1), 1, 0], use_bin_type=True), bytes(64)]
         for i in range(MAX_BATCH_VOTES)],
        use_bin_type=True,
    )
    with pytest.raises(ValidationError):
        decode_vote_batch(wire, MEMBERS)


def test_members_also_bind_the_proposer() -> None:
    v = Vote(cid_of(b"x"), _fresh_id(3), 1, KEYS[0].peer_id, Decision.ACCEPT, Reason.OK)
    with pytest.raises(ValidationError, match="proposer"):
        decode_vote_batch(VoteBatch((SignedVote(v, bytes(64)),)).encode(), MEMBERS)
    with pytest.raises(ValidationError):
        decode_signed_vote(SignedVote(v, bytes(64)).encode(), MEMBERS)
    ok = sign_vote(make_vote(), KEYS[0], GID)
    assert decode_vote_batch(VoteBatch((ok,)).encode(), MEMBERS).votes == (ok,)


def test_certificate_decode_refuses_outsiders_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    from protocol.quorum import Certificate, decode_certificate

    bid = cid_bytes(b"block")
    outsiders = [[msgpack.packb([bid, KEYS[0].peer_id, 1, _fresh_id(i), 1, 0], use_bin_type=True), bytes(64)]
                 for i in range(3)]
    wire = msgpack.packb([bid, KEYS[0].peer_id, 1, outsiders], use_bin_type=True)
    parsed: list[str] = []
    real = keys_module.public_key_from_peer_id
    monkeypatch.setattr("protocol.vote.public_key_from_peer_id", lambda p: parsed.append(p) or real(p))
    with pytest.raises(ValidationError, match="non-validator"):
        decode_certificate(wire, MEMBERS)
    assert [p for p in parsed if p not in MEMBERS] == []
    # More votes than validators: refused on the count alone.
    many = msgpack.packb([bid, KEYS[0].peer_id, 1, outsiders * 2], use_bin_type=True)
    with pytest.raises(ValidationError, match="validators"):
        decode_certificate(many, MEMBERS)
    # An outsider proposer.
    other = msgpack.packb([bid, _fresh_id(9), 1, outsiders[:1]], use_bin_type=True)
    with pytest.raises(ValidationError, match="proposer"):
        decode_certificate(other, MEMBERS)
    # A good one decodes the same with or without the set.
    votes = tuple(sign_vote(Vote(cid_of(b"block"), KEYS[0].peer_id, 1, k.peer_id, Decision.ACCEPT, Reason.OK), k, GID)
                  for k in KEYS[:3])
    good = Certificate(cid_of(b"block"), KEYS[0].peer_id, 1, votes).encode()
    assert decode_certificate(good, MEMBERS) == decode_certificate(good)
