"""CIDv1 (raw, sha2-256, base32): golden vectors, an independent implementation, fuzzing."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.cid import (
    CID_BYTES_LEN,
    CID_PREFIX,
    CID_TEXT_LEN,
    cid_bytes,
    cid_digest,
    cid_from_text,
    cid_matches,
    cid_of,
    cid_to_text,
    validate_cid,
)
from protocol.errors import DecodeError
from tests.protocol.conftest import FUZZ, ROUNDTRIP, mutated, only_raises

HELLO_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
EMPTY_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_hello_world_golden_vector() -> None:
    assert cid_of(b"hello world\n") == HELLO_CID
    raw = cid_from_text(HELLO_CID)
    assert raw == CID_PREFIX + hashlib.sha256(b"hello world\n").digest()
    assert cid_digest(HELLO_CID) == hashlib.sha256(b"hello world\n").digest()
    assert cid_matches(HELLO_CID, b"hello world\n")
    assert not cid_matches(HELLO_CID, b"hello world")


def test_empty_input_golden_vector() -> None:
    assert cid_of(b"") == EMPTY_CID
    assert len(EMPTY_CID) == CID_TEXT_LEN
    assert len(cid_from_text(EMPTY_CID)) == CID_BYTES_LEN


@ROUNDTRIP
@given(st.binary(max_size=256))
def test_text_and_binary_forms_round_trip(data: bytes) -> None:
    text = cid_of(data)
    assert validate_cid(text) == text
    assert cid_from_text(text) == cid_bytes(data)
    assert cid_to_text(cid_bytes(data)) == text
    assert cid_matches(text, data)


@ROUNDTRIP
@given(st.binary(max_size=256))
def test_matches_independent_py_cid(data: bytes) -> None:
    cid = pytest.importorskip("cid")
    multihash = pytest.importorskip("multihash")
    mh = multihash.encode(hashlib.sha256(data).digest(), "sha2-256")
    assert cid.make_cid(1, "raw", mh).encode("base32").decode() == cid_of(data)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "b",
        HELLO_CID.upper(),  # multibase "B" is upper-case base32: not our canonical form
        "B" + HELLO_CID[1:],
        "z" + HELLO_CID[1:],
        HELLO_CID[:-1],
        HELLO_CID + "a",
        HELLO_CID[:10] + "1" + HELLO_CID[11:],  # '1' is not in the base32 alphabet
        HELLO_CID[:10] + "é" + HELLO_CID[11:],
        # A CIDv0 (base58 sha2-256 multihash, dag-pb) is not supported.
        "QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u",
        # dag-pb codec (0x70) instead of raw (0x55).
        "bafybeifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
    ],
)
def test_rejects_malformed_text(text: str) -> None:
    with pytest.raises(DecodeError):
        cid_from_text(text)


def test_rejects_non_str() -> None:
    for bad in (None, b"bafk", 42, [HELLO_CID]):
        with pytest.raises(DecodeError):
            cid_from_text(bad)  # type: ignore[arg-type]


def test_rejects_non_canonical_trailing_bits() -> None:
    # 36 bytes fill 288 of the last character's 290 bits: the two spare bits
    # must be zero, or one CID would have four spellings.
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    last = alphabet.index(HELLO_CID[-1])
    assert last & 0b11 == 0
    for spare in (1, 2, 3):
        text = HELLO_CID[:-1] + alphabet[last | spare]
        with pytest.raises(DecodeError, match="non-canonical"):
            cid_from_text(text)


@pytest.mark.parametrize(
    "raw",
    [b"", CID_PREFIX, CID_PREFIX + bytes(31), CID_PREFIX + bytes(33), bytes([1, 0x70, 0x12, 0x20]) + bytes(32)],
)
def test_rejects_malformed_binary(raw: bytes) -> None:
    with pytest.raises(DecodeError):
        cid_to_text(raw)


@FUZZ
@given(st.text(max_size=80))
def test_fuzz_random_text(text: str) -> None:
    only_raises(lambda: cid_from_text(text), (DecodeError,))


@FUZZ
@given(st.data())
def test_fuzz_mutated_text(data: st.DataObject) -> None:
    raw = data.draw(mutated(HELLO_CID.encode()))
    text = raw.decode("latin-1")
    result = only_raises(lambda: cid_from_text(text), (DecodeError,))
    if isinstance(result, bytes):  # a mutation that still parses is a valid CID
        assert cid_to_text(result) == text


@ROUNDTRIP
@given(st.binary(min_size=32, max_size=32))
def test_hand_base32_matches_the_standard_library(digest: bytes) -> None:
    import base64

    raw = CID_PREFIX + digest
    expected = "b" + base64.b32encode(raw).decode("ascii").rstrip("=").lower()
    assert cid_to_text(raw) == expected
    assert cid_from_text(expected) == raw


def test_stray_padding_bits_are_non_canonical() -> None:
    # The last character carries 5 bits of which the low 2 are padding: the
    # three spellings with a padding bit set decode to the same bytes in
    # base64.b32decode and must all be refused.
    import base64

    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    last = alphabet.index(HELLO_CID[-1])
    for stray in (1, 2, 3):
        text = HELLO_CID[:-1] + alphabet[last | stray]
        body = text[1:].upper() + "======"
        assert base64.b32decode(body) == cid_from_text(HELLO_CID)
        with pytest.raises(DecodeError, match="non-canonical"):
            cid_from_text(text)
