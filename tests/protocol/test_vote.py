"""Votes, signed votes and vote batches: round trips, signing, and decoder fuzzing."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.cid import cid_bytes, cid_of
from protocol.errors import DecodeError, LocalError, SignatureError
from protocol.keys import PrivateKey, peer_id_from_public_bytes
from protocol.vote import (
    MAX_BATCH_VOTES,
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
    return sign_vote(vote, KEYS[voter])


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
    back.verify()


@given(st.lists(signed_votes(), min_size=1, max_size=20))
@settings(max_examples=30, deadline=None)
def test_vote_batch_round_trip(votes: list[SignedVote]) -> None:
    batch = VoteBatch(tuple(votes))
    assert decode_vote_batch(batch.encode()) == batch


def test_sign_with_wrong_key_is_local_error() -> None:
    with pytest.raises(LocalError):
        sign_vote(make_vote(voter=0), KEYS[1])


def test_verify_rejects_tampered_signature_and_content() -> None:
    sv = sign_vote(make_vote(), KEYS[0])
    bad_sig = SignedVote(sv.vote, bytes([sv.signature[0] ^ 1]) + sv.signature[1:])
    with pytest.raises(SignatureError):
        bad_sig.verify()
    other = SignedVote(make_vote(block=b"other"), sv.signature)
    with pytest.raises(SignatureError):
        other.verify()


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
    sign_vote(make_vote(), KEYS[0]).encode(),
    VoteBatch((sign_vote(make_vote(), KEYS[0]), sign_vote(make_vote(voter=2), KEYS[2]))).encode(),
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
