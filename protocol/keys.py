"""Ed25519 identities, libp2p-compatible peer ids, and domain-separated signing.

A node's libp2p peer id *is* its validator id. libp2p derives it from the
protobuf-encoded public key (``08 01 12 20`` + 32 key bytes for Ed25519) wrapped
in an identity multihash (``00 24``) and printed in base58btc, which gives the
familiar ``12D3KooW...``. Because the id embeds the key, a peer id alone is
enough to verify that peer's signatures.

Signing domains. Every signature covers ``tag + genesis_id + message``: a tag
per message type (so a vote signature can never pass for a block signature)
followed by the 36-byte binary CID of the network's genesis (so a signature
made for one network never verifies on another, even between networks with
the same validators). :func:`signing_domain` builds that prefix; ``sign`` and
``verify`` refuse any other prefix.

Cheap peer-id parsing. Peer ids arrive by the thousand in hostile batches, so
parsing one costs a base58 decode and a few byte comparisons, never curve
arithmetic:

- ``cryptography`` accepts small-order public keys (the identity point
  verifies a trivial signature over any message), so the key bytes are looked
  up in the fixed set of all 14 encodings of the 8 points of order dividing 8,
  canonical and not (the list libsodium blocks), which is O(1);
- an encoding with ``y >= p`` (non-canonical) is refused by one comparison;
- a point *off* the curve is not rejected on this path: OpenSSL fails to
  decode it at verify time, so no signature can ever verify under it.
  :func:`load_public_key_strict` also checks the curve equation (about
  0.3 ms of big-int math) for keys read once from configuration.

Parsed ids and key objects live in bounded LRU caches (:mod:`protocol.lru`),
so a flood of fresh ids cannot flush the validators' entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from protocol.cid import CID_BYTES_LEN, CID_PREFIX, cid_from_text
from protocol.errors import DecodeError, LocalError, SignatureError
from protocol.lru import LruCache

# Signing tags: one per signed message type. Never reuse one for another type.
# v2: the genesis id follows the tag (v1 signatures named no network).
DOMAIN_BLOCK = b"attnshare/block/v2\x00"
DOMAIN_VOTE = b"attnshare/vote/v2\x00"
TAGS = frozenset({DOMAIN_BLOCK, DOMAIN_VOTE})

_PROTO_ED25519_PREFIX = bytes([0x08, 0x01, 0x12, 0x20])
_IDENTITY_MH_PREFIX = bytes([0x00, 0x24])
_PEER_ID_PREFIX = _IDENTITY_MH_PREFIX + _PROTO_ED25519_PREFIX
PEER_ID_BYTES_LEN = len(_PEER_ID_PREFIX) + 32
#: Text length of every Ed25519 peer id (38 bytes in base58btc with one leading '1').
PEER_ID_TEXT_LEN = 52
SIGNATURE_LEN = 64

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


def b58encode(data: bytes) -> str:
    """Bitcoin-alphabet base58 (as libp2p uses for peer ids)."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58_ALPHABET[r])
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises DecodeError on a bad character.

    Injective: the leading '1's are the leading zero bytes and the rest is the
    unique base58 numeral of a number, so ``b58encode(b58decode(t)) == t``
    whenever decoding succeeds (tests check it), and no re-encode is needed.
    """
    n = 0
    for ch in text:
        try:
            n = n * 58 + _B58_INDEX[ch]
        except KeyError:
            raise DecodeError(f"bad base58 character {ch!r:.10}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


# --- small-order and canonical checks -----------------------------------------
_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_Y_MASK = (1 << 255) - 1

#: Every 32-byte encoding of a point whose order divides 8: the 8 points of the
#: torsion subgroup canonically (y in {0, 1, p-1} and the two order-8 y values,
#: with either sign of x), "-0" for the two points with x = 0, and y = p, p+1
#: (0 and 1 spelled the long way) with either sign bit. tests/protocol/test_keys.py
#: re-derives the set with the curve arithmetic below.
SMALL_ORDER_ENCODINGS = frozenset(
    bytes.fromhex(h)
    for h in (
        "0000000000000000000000000000000000000000000000000000000000000000",  # y=0, order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  # y=0, -x
        "0100000000000000000000000000000000000000000000000000000000000000",  # identity
        "0100000000000000000000000000000000000000000000000000000000000080",  # identity, "-0"
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y=-1, order 2
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y=-1, "-0"
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8, -x
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8, -x
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y=p (=0)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y=p, sign bit
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y=p+1 (=1)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y=p+1, sign bit
    )
)


def is_small_order(raw: bytes) -> bool:
    """True if ``raw`` encodes (canonically or not) a point of order dividing 8. O(1)."""
    return raw in SMALL_ORDER_ENCODINGS


def is_canonical(raw: bytes) -> bool:
    """True if the y coordinate of the 32-byte encoding is below p."""
    return int.from_bytes(raw, "little") & _Y_MASK < _P


def decompress_point(raw: bytes) -> tuple[int, int] | None:
    """RFC 8032 point decoding in pure Python (slow: two modular exponentiations).

    Returns None for a non-canonical encoding or a y with no point on the curve.
    Used only where a key is loaded once (configuration) and by tests.
    """
    y = int.from_bytes(raw, "little")
    sign = y >> 255
    y &= _Y_MASK
    if y >= _P:
        return None  # non-canonical y
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x2 = u * pow(v, _P - 2, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None  # not on the curve
    if x == 0 and sign:
        return None  # non-canonical "-0"
    if x & 1 != sign:
        x = _P - x
    return x, y


# --- keys ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key: 32 raw bytes, canonical, never of small order."""

    raw: bytes

    @property
    def peer_id(self) -> str:
        return peer_id_from_public_bytes(self.raw)

    def verify(self, domain: bytes, message: bytes, signature: bytes) -> None:
        """Raise SignatureError unless ``signature`` covers ``domain + message``.

        ``domain`` comes from :func:`signing_domain`; anything else is LocalError.
        """
        _check_domain(domain)
        if not isinstance(signature, bytes) or len(signature) != SIGNATURE_LEN:
            raise SignatureError("signature must be 64 bytes")
        try:
            _pub_obj(self.raw).verify(signature, domain + message)
        except InvalidSignature:
            raise SignatureError(f"bad signature from {self.peer_id}") from None


#: Parsed key objects: validators verify the same few keys over and over, and
#: parsing costs about as much as a verify.
_PUB_CACHE: LruCache[bytes, Ed25519PublicKey] = LruCache(4096)


def _pub_obj(raw: bytes) -> Ed25519PublicKey:
    obj = _PUB_CACHE.get(raw)
    if obj is None:
        obj = Ed25519PublicKey.from_public_bytes(raw)
        _PUB_CACHE.put(raw, obj)
    return obj


def load_public_key(raw: bytes) -> PublicKey:
    """Accept 32 raw bytes as an Ed25519 public key: canonical and not small-order.

    O(1): no curve arithmetic (see the module docstring for why an off-curve
    key is harmless here). Raises SignatureError.
    """
    if not isinstance(raw, bytes) or len(raw) != 32:
        raise SignatureError("Ed25519 public key must be 32 bytes")
    if raw in SMALL_ORDER_ENCODINGS:
        raise SignatureError("small-order Ed25519 public key rejected")
    if not is_canonical(raw):
        raise SignatureError("non-canonical Ed25519 public key rejected")
    return PublicKey(raw)


def load_public_key_strict(raw: bytes) -> PublicKey:
    """:func:`load_public_key`, and the point must lie on the curve (slow: config only)."""
    key = load_public_key(raw)
    if decompress_point(raw) is None:
        raise SignatureError("Ed25519 public key is not a point on the curve")
    return key


class PrivateKey:
    """An Ed25519 signing key. Generation from the OS RNG lives in node/."""

    __slots__ = ("_key", "public")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or len(seed) != 32:
            raise LocalError("Ed25519 private key seed must be 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = PublicKey(self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    @property
    def seed(self) -> bytes:
        return self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def peer_id(self) -> str:
        return self.public.peer_id

    def sign(self, domain: bytes, message: bytes) -> bytes:
        """Sign ``domain + message``; ``domain`` comes from :func:`signing_domain`."""
        _check_domain(domain)
        return self._key.sign(domain + message)

    def __repr__(self) -> str:  # never print key material
        return f"PrivateKey(peer_id={self.peer_id})"


# --- signing domains ------------------------------------------------------------
_DOMAIN_CACHE: LruCache[tuple[bytes, str], bytes] = LruCache(64)


def signing_domain(tag: bytes, genesis_id: str) -> bytes:
    """The prefix every signature of type ``tag`` covers on network ``genesis_id``.

    ``tag`` is :data:`DOMAIN_BLOCK` or :data:`DOMAIN_VOTE`; ``genesis_id`` is the
    text CID of the genesis (``protocol.genesis.genesis_id``). Result: ``tag``
    followed by the 36-byte binary genesis CID. Raises LocalError on misuse.
    """
    if not isinstance(genesis_id, str):
        raise LocalError("genesis id must be a text CID")
    cache_key = (tag, genesis_id)
    domain = _DOMAIN_CACHE.get(cache_key)
    if domain is None:
        if tag not in TAGS:
            raise LocalError(f"unknown signing tag {tag!r:.60}")
        try:
            domain = tag + cid_from_text(genesis_id)
        except DecodeError:
            raise LocalError(f"genesis id is not a CID: {genesis_id!r:.80}") from None
        _DOMAIN_CACHE.put(cache_key, domain)
    return domain


def _check_domain(domain: bytes) -> None:
    if (
        not isinstance(domain, bytes)
        or domain[:-CID_BYTES_LEN] not in TAGS
        or domain[-CID_BYTES_LEN:][: len(CID_PREFIX)] != CID_PREFIX
    ):
        raise LocalError(f"not a signing domain: {domain!r:.80}")


# --- peer ids -------------------------------------------------------------------
def peer_id_from_public_bytes(raw: bytes) -> str:
    """libp2p peer id (``12D3KooW...``) of an Ed25519 public key."""
    return b58encode(_PEER_ID_PREFIX + raw)


#: Parsed peer ids (only successes are cached: a failure is cheap to repeat).
_PEER_KEY_CACHE: LruCache[str, PublicKey] = LruCache(8192)


def public_key_from_peer_id(peer_id: str) -> PublicKey:
    """Extract and accept the Ed25519 key embedded in a peer id.

    Costs one base58 decode (a few microseconds) on a cache miss; raises
    DecodeError for a malformed id and SignatureError for an unusable key.
    """
    # Type and length first: the cache lookup would raise TypeError on a list,
    # and every Ed25519 peer id is exactly 52 characters.
    if not isinstance(peer_id, str) or len(peer_id) != PEER_ID_TEXT_LEN:
        raise DecodeError(f"not an Ed25519 libp2p peer id: {peer_id!r:.80}")
    cached = _PEER_KEY_CACHE.get(peer_id)
    if cached is not None:
        return cached
    raw = b58decode(peer_id)
    if len(raw) != PEER_ID_BYTES_LEN or raw[:6] != _PEER_ID_PREFIX:
        raise DecodeError(f"not an Ed25519 libp2p peer id: {peer_id!r:.80}")
    key = load_public_key(raw[6:])
    _PEER_KEY_CACHE.put(peer_id, key)
    return key


def validate_peer_id(peer_id: str) -> str:
    """Return ``peer_id`` if it is a valid Ed25519 peer id, else raise."""
    public_key_from_peer_id(peer_id)
    return peer_id
