"""Ed25519 keys, signatures and libp2p peer ids: RFC 8032 vectors, small-order keys, fuzzing."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from protocol.cid import cid_bytes, cid_of
from protocol.errors import DecodeError, LocalError, SignatureError
from protocol.keys import (
    DOMAIN_BLOCK,
    DOMAIN_VOTE,
    SMALL_ORDER_ENCODINGS,
    PrivateKey,
    PublicKey,
    b58decode,
    b58encode,
    decompress_point,
    is_small_order,
    load_public_key,
    load_public_key_strict,
    peer_id_from_public_bytes,
    public_key_from_peer_id,
    signing_domain,
    validate_peer_id,
)
from protocol.lru import LruCache
from tests.protocol.conftest import FUZZ, GENESIS_ID, ROUNDTRIP, mutated, only_raises

GENESIS_BIN = cid_bytes(b"attnshare test genesis")
BLOCK_DOMAIN = signing_domain(DOMAIN_BLOCK, GENESIS_ID)
VOTE_DOMAIN = signing_domain(DOMAIN_VOTE, GENESIS_ID)

# RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
RFC1_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC1_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC1_SIG = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
RFC2_SECRET = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
RFC2_PUBLIC = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
RFC2_MSG = bytes.fromhex("72")
RFC2_SIG = bytes.fromhex(
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
)
# The libp2p peer id of the RFC 8032 TEST 1 key, as go-libp2p and py-libp2p print it.
RFC1_PEER_ID = "12D3KooWQK1wnefoLrcVHbbnf5tLzbopUd3K3bFAoJpA7YJgL5pV"

# Encodings of points of order 1, 2, 4 and 8 (the list libsodium blocks).
SMALL_ORDER_POINTS = [
    bytes(32),  # y = 0, x = sqrt(-1): order 4
    bytes([1]) + bytes(31),  # identity, order 1
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),  # order 8
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),  # order 8
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),  # y = -1, order 2
    bytes(31) + bytes([0x80]),  # y = 0 with the sign bit: the other order-4 point
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),  # order 8, -x
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),  # order 8, -x
]
_P = 2**255 - 19


def test_rfc8032_test1_public_key_and_signature() -> None:
    key = PrivateKey(RFC1_SECRET)
    assert key.public.raw == RFC1_PUBLIC
    assert key.seed == RFC1_SECRET
    # The library underneath reproduces the RFC signature byte for byte...
    assert Ed25519PrivateKey.from_private_bytes(RFC1_SECRET).sign(b"") == RFC1_SIG
    Ed25519PublicKey.from_public_bytes(RFC1_PUBLIC).verify(RFC1_SIG, b"")
    # ...and PrivateKey signs exactly tag + genesis CID + message with that same key.
    for tag in (DOMAIN_BLOCK, DOMAIN_VOTE):
        expected = Ed25519PrivateKey.from_private_bytes(RFC1_SECRET).sign(tag + GENESIS_BIN)
        assert key.sign(signing_domain(tag, GENESIS_ID), b"") == expected


def test_rfc8032_test2() -> None:
    key = PrivateKey(RFC2_SECRET)
    assert key.public.raw == RFC2_PUBLIC
    assert Ed25519PrivateKey.from_private_bytes(RFC2_SECRET).sign(RFC2_MSG) == RFC2_SIG
    assert key.sign(VOTE_DOMAIN, RFC2_MSG) == Ed25519PrivateKey.from_private_bytes(RFC2_SECRET).sign(
        DOMAIN_VOTE + GENESIS_BIN + RFC2_MSG
    )


def test_domain_separation_rejects_undomained_rfc_signature() -> None:
    public = load_public_key(RFC1_PUBLIC)
    # The RFC signature covers the bare empty message; ours always carry a tag.
    for domain in (BLOCK_DOMAIN, VOTE_DOMAIN):
        with pytest.raises(SignatureError):
            public.verify(domain, b"", RFC1_SIG)
    key = PrivateKey(RFC1_SECRET)
    vote_sig = key.sign(VOTE_DOMAIN, b"msg")
    public.verify(VOTE_DOMAIN, b"msg", vote_sig)
    with pytest.raises(SignatureError):
        public.verify(BLOCK_DOMAIN, b"msg", vote_sig)
    with pytest.raises(SignatureError):
        public.verify(VOTE_DOMAIN, b"msh", vote_sig)
    with pytest.raises(SignatureError):
        public.verify(VOTE_DOMAIN, b"msg", vote_sig[:-1])


def test_signatures_are_bound_to_the_genesis_id() -> None:
    key = PrivateKey(RFC1_SECRET)
    other = signing_domain(DOMAIN_VOTE, cid_of(b"another network"))
    assert other != VOTE_DOMAIN
    sig = key.sign(VOTE_DOMAIN, b"msg")
    with pytest.raises(SignatureError):
        key.public.verify(other, b"msg", sig)
    assert VOTE_DOMAIN == DOMAIN_VOTE + GENESIS_BIN


def test_unknown_domain_is_local_misuse() -> None:
    key = PrivateKey(RFC1_SECRET)
    for bad in (
        b"attnshare/other/v1\x00" + GENESIS_BIN,
        DOMAIN_VOTE,  # a bare tag names no network
        DOMAIN_VOTE + bytes(36),  # not a CID
        b"",
    ):
        with pytest.raises(LocalError):
            key.sign(bad, b"x")
        with pytest.raises(LocalError):
            key.public.verify(bad, b"x", bytes(64))
    with pytest.raises(LocalError):
        signing_domain(b"attnshare/other/v1\x00", GENESIS_ID)
    for bad_id in ("", "bafy-not-a-cid", b"x"):
        with pytest.raises(LocalError):
            signing_domain(DOMAIN_VOTE, bad_id)  # type: ignore[arg-type]


def test_private_key_seed_must_be_32_bytes() -> None:
    for bad in (b"", bytes(31), bytes(33), "x" * 32):
        with pytest.raises(LocalError):
            PrivateKey(bad)  # type: ignore[arg-type]
    assert "9d61" not in repr(PrivateKey(RFC1_SECRET))  # no key material in logs


def test_known_peer_id() -> None:
    key = PrivateKey(RFC1_SECRET)
    assert key.peer_id == RFC1_PEER_ID
    assert public_key_from_peer_id(RFC1_PEER_ID).raw == RFC1_PUBLIC
    assert validate_peer_id(RFC1_PEER_ID) == RFC1_PEER_ID


@ROUNDTRIP
@given(st.binary(min_size=32, max_size=32))
def test_peer_id_matches_libp2p(seed: bytes) -> None:
    ed25519 = pytest.importorskip("libp2p.crypto.ed25519")
    peer = pytest.importorskip("libp2p.peer.id")
    theirs = peer.ID.from_pubkey(ed25519.Ed25519PrivateKey.from_bytes(seed).get_public_key()).pretty()
    key = PrivateKey(seed)
    assert key.peer_id == theirs
    assert public_key_from_peer_id(theirs) == key.public


@pytest.mark.parametrize("raw", SMALL_ORDER_POINTS)
def test_small_order_keys_rejected(raw: bytes) -> None:
    assert is_small_order(raw)
    with pytest.raises(SignatureError):
        load_public_key(raw)
    with pytest.raises(SignatureError):
        public_key_from_peer_id(peer_id_from_public_bytes(raw))


def test_identity_key_would_verify_anything_without_the_check() -> None:
    # Why the check exists: cryptography accepts the identity point, and the
    # signature (R = identity, s = 0) then verifies for every message.
    identity = bytes([1]) + bytes(31)
    trivial = identity + bytes(32)
    Ed25519PublicKey.from_public_bytes(identity).verify(trivial, b"any message at all")
    with pytest.raises(SignatureError):
        load_public_key(identity)


def _y_encoding(y: int, sign: int = 0) -> bytes:
    return (y | sign << 255).to_bytes(32, "little")


# --- the old, slow check (RFC 8032 arithmetic), kept as the reference -------------------
_D = (-121665 * pow(121666, _P - 2, _P)) % _P


def _double(pt: tuple[int, int]) -> tuple[int, int]:
    x, y = pt
    dxy = _D * x * x * y * y % _P
    x3 = (2 * x * y) * pow(1 + dxy, _P - 2, _P) % _P
    y3 = (y * y + x * x) * pow(1 - dxy, _P - 2, _P) % _P
    return x3, y3


def slow_is_small_order_or_invalid(raw: bytes) -> bool:
    """The previous implementation: decode, double three times, compare with the identity."""
    pt = decompress_point(raw)
    if pt is None:
        return True
    for _ in range(3):
        pt = _double(pt)
    return pt == (0, 1)


def test_small_order_set_is_exactly_the_torsion_encodings() -> None:
    # Every candidate y with either sign bit: the reference finds exactly the
    # 8 canonical torsion points, and the blocklist adds only encodings the
    # reference refuses as invalid (y >= p or "-0").
    candidates = {_y_encoding(y, s) for y in range(_P - 40, _P) for s in (0, 1)}
    candidates |= {_y_encoding(y, s) for y in range(0, 40) for s in (0, 1)}
    candidates |= {_y_encoding(y, s) for y in range(_P, 2**255) for s in (0, 1)}
    candidates |= SMALL_ORDER_ENCODINGS
    canonical_small = {c for c in candidates if decompress_point(c) is not None and slow_is_small_order_or_invalid(c)}
    assert len(canonical_small) == 8  # the whole 8-torsion subgroup
    assert canonical_small <= SMALL_ORDER_ENCODINGS
    for enc in SMALL_ORDER_ENCODINGS:
        assert slow_is_small_order_or_invalid(enc)
        with pytest.raises(SignatureError):
            load_public_key(enc)
    # libsodium's list: 7 y values, each with the sign bit clear or set.
    assert len(SMALL_ORDER_ENCODINGS) == 14
    assert len({e[:31] + bytes([e[31] & 0x7F]) for e in SMALL_ORDER_ENCODINGS}) == 7


def test_fast_check_agrees_with_the_slow_one_on_random_points() -> None:
    rng_bytes = [os.urandom(32) for _ in range(300)]
    real = [PrivateKey(os.urandom(32)).public.raw for _ in range(100)]
    for raw in rng_bytes + real:
        slow = slow_is_small_order_or_invalid(raw)
        on_curve = decompress_point(raw) is not None
        if on_curve:  # for every point on the curve, both checks say the same
            assert is_small_order(raw) == slow
        if is_small_order(raw):
            assert slow
    for raw in real:
        assert not is_small_order(raw)
        assert load_public_key(raw) == load_public_key_strict(raw)


def test_fast_check_costs_no_curve_math() -> None:
    # The hot path never decodes a point: proven by counting calls.
    import protocol.keys as keys_module

    calls = []
    real = keys_module.decompress_point
    keys_module.decompress_point = lambda raw: calls.append(raw) or real(raw)  # type: ignore[assignment]
    try:
        for i in range(50):
            public_key_from_peer_id(peer_id_from_public_bytes(os.urandom(31) + bytes([i])))
    finally:
        keys_module.decompress_point = real
    assert calls == []


def test_non_canonical_encodings_rejected() -> None:
    # y >= p: p (= 0) and p + 1 (= 1, the identity) spelled the long way.
    assert is_small_order(_y_encoding(_P))
    assert is_small_order(_y_encoding(_P + 1))
    # x = 0 with the sign bit set ("-0") is not a canonical encoding.
    assert is_small_order(_y_encoding(1, sign=1))
    # A full-order point whose y < 19 re-encoded as y + p (still < 2**255).
    full = [y for y in range(2, 19) if not slow_is_small_order_or_invalid(_y_encoding(y))]
    assert full, "some small y must lie on the curve with full order"
    for y in full:
        load_public_key_strict(_y_encoding(y))
        with pytest.raises(SignatureError):
            load_public_key(_y_encoding(y + _P))


def test_points_off_the_curve() -> None:
    off = [y for y in range(2, 40) if decompress_point(_y_encoding(y)) is None]
    assert off  # roughly half of all y values have no x on the curve
    key = PrivateKey(RFC1_SECRET)
    for y in off:
        raw = _y_encoding(y)
        # Configuration loads strictly...
        with pytest.raises(SignatureError):
            load_public_key_strict(raw)
        # ...while the cheap path accepts the id, and no signature can ever verify
        # under it (OpenSSL fails to decode the point).
        public = load_public_key(raw)
        with pytest.raises(SignatureError):
            public.verify(VOTE_DOMAIN, b"", key.sign(VOTE_DOMAIN, b""))
        with pytest.raises(SignatureError):
            public.verify(VOTE_DOMAIN, b"", raw + bytes(32))


def test_real_keys_are_not_small_order() -> None:
    for seed in (RFC1_SECRET, RFC2_SECRET, bytes(32), bytes([255]) * 32):
        assert not is_small_order(PrivateKey(seed).public.raw)


def test_peer_id_cache_is_lru_not_wiped() -> None:
    cache: LruCache[int, int] = LruCache(3)
    for i in range(3):
        cache.put(i, i)
    assert cache.get(0) == 0  # 0 is now the most recent
    cache.put(3, 3)  # evicts 1, the least recently used
    assert 1 not in cache
    assert [k for k in (0, 2, 3) if cache.get(k) is not None] == [0, 2, 3]
    for i in range(100, 200):  # a flood of fresh entries...
        cache.put(i, i)
        assert len(cache) <= 3
    cache2: LruCache[int, int] = LruCache(3)
    cache2.put(0, 0)
    for i in range(100, 200):  # ...keeps an entry that stays in use
        cache2.get(0)
        cache2.put(i, i)
    assert cache2.get(0) == 0


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33), "x" * 32])
def test_public_key_length(raw: bytes) -> None:
    with pytest.raises(SignatureError):
        load_public_key(raw)


@pytest.mark.parametrize(
    "peer_id",
    [
        "",
        "12D3KooW",
        RFC1_PEER_ID[:-1],
        RFC1_PEER_ID + "1",
        "1" + RFC1_PEER_ID[:-1],
        RFC1_PEER_ID.replace("Q", "0"),  # '0' is not base58
        # RSA-style (sha256 multihash) and secp256k1 peer ids are not Ed25519.
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
        "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY",
    ],
)
def test_malformed_peer_ids(peer_id: str) -> None:
    with pytest.raises(DecodeError):
        public_key_from_peer_id(peer_id)


def test_peer_id_of_wrong_type() -> None:
    for bad in (None, 7, b"12D3KooW", [RFC1_PEER_ID]):
        with pytest.raises(DecodeError):
            public_key_from_peer_id(bad)  # type: ignore[arg-type]


@ROUNDTRIP
@given(st.binary(max_size=64))
def test_base58_round_trip(data: bytes) -> None:
    base58 = pytest.importorskip("base58")
    text = b58encode(data)
    assert text == base58.b58encode(data).decode()
    assert b58decode(text) == data


@FUZZ
@given(st.text(max_size=70))
def test_fuzz_peer_id_text(text: str) -> None:
    only_raises(lambda: public_key_from_peer_id(text), (DecodeError, SignatureError))
    only_raises(lambda: b58decode(text), (DecodeError,))


@FUZZ
@given(st.data())
def test_fuzz_mutated_peer_id(data: st.DataObject) -> None:
    text = data.draw(mutated(RFC1_PEER_ID.encode())).decode("latin-1")
    result = only_raises(lambda: public_key_from_peer_id(text), (DecodeError, SignatureError))
    if isinstance(result, PublicKey):
        assert result.peer_id == text  # a mutation parses only if it is canonical


@FUZZ
@given(st.binary(min_size=32, max_size=32))
def test_fuzz_public_key_bytes(raw: bytes) -> None:
    result = only_raises(lambda: load_public_key(raw), (SignatureError,))
    if not isinstance(result, SignatureError):
        # Whatever we accept, cryptography accepts too.
        Ed25519PublicKey.from_public_bytes(raw)
