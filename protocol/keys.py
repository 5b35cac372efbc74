"""Ed25519 identities, libp2p-compatible peer ids, and domain-separated signing.

A node's libp2p peer id *is* its validator id. libp2p derives it from the
protobuf-encoded public key (``08 01 12 20`` + 32 key bytes for Ed25519) wrapped
in an identity multihash (``00 24``) and printed in base58btc, which gives the
familiar ``12D3KooW...``. Because the id embeds the key, a peer id alone is
enough to verify that peer's signatures.

Every signature covers ``DOMAIN_TAG + message`` with a tag per message type, so
a signature over a vote can never be replayed as a signature over a block.

``cryptography`` accepts small-order public keys (the identity point verifies
a trivial signature over any message), so :func:`load_public_key` rejects any
key whose point has order dividing 8, and any non-canonical encoding.
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

from protocol.errors import DecodeError, LocalError, SignatureError

# Domain tags: one per signed message type. Never reuse one for another type.
DOMAIN_BLOCK = b"attnshare/block/v1\x00"
DOMAIN_VOTE = b"attnshare/vote/v1\x00"
DOMAINS = frozenset({DOMAIN_BLOCK, DOMAIN_VOTE})

_PROTO_ED25519_PREFIX = bytes([0x08, 0x01, 0x12, 0x20])
_IDENTITY_MH_PREFIX = bytes([0x00, 0x24])
PEER_ID_BYTES_LEN = len(_IDENTITY_MH_PREFIX) + len(_PROTO_ED25519_PREFIX) + 32
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
    """Inverse of :func:`b58encode`; raises DecodeError on a bad character."""
    n = 0
    for ch in text:
        try:
            n = n * 58 + _B58_INDEX[ch]
        except KeyError:
            raise DecodeError(f"bad base58 character {ch!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


# --- small-order point check (RFC 8032 arithmetic, run once per key load) ----
_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _decompress(raw: bytes) -> tuple[int, int] | None:
    y = int.from_bytes(raw, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
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


def _double(pt: tuple[int, int]) -> tuple[int, int]:
    x, y = pt
    # Affine twisted Edwards addition with a = -1, specialised to P + P.
    dxy = _D * x * x * y * y % _P
    x3 = (2 * x * y) * pow(1 + dxy, _P - 2, _P) % _P
    y3 = (y * y + x * x) * pow(1 - dxy, _P - 2, _P) % _P
    return x3, y3


def is_small_order(raw: bytes) -> bool:
    """True if the encoded point is invalid or has order dividing 8."""
    pt = _decompress(raw)
    if pt is None:
        return True
    for _ in range(3):
        pt = _double(pt)
    return pt == (0, 1)


# --- keys ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublicKey:
    """A validated Ed25519 public key (32 raw bytes, never small-order)."""

    raw: bytes

    @property
    def peer_id(self) -> str:
        return peer_id_from_public_bytes(self.raw)

    def verify(self, domain: bytes, message: bytes, signature: bytes) -> None:
        """Raise SignatureError unless ``signature`` covers ``domain + message``."""
        if domain not in DOMAINS:
            raise LocalError(f"unknown signing domain {domain!r}")
        if len(signature) != SIGNATURE_LEN:
            raise SignatureError("signature must be 64 bytes")
        try:
            _pub_obj(self.raw).verify(signature, domain + message)
        except InvalidSignature:
            raise SignatureError(f"bad signature from {self.peer_id}") from None


_PUB_CACHE: dict[bytes, Ed25519PublicKey] = {}


def _pub_obj(raw: bytes) -> Ed25519PublicKey:
    # Parsing a key costs about as much as a verify; validators verify the same
    # few keys over and over, so keep the parsed objects (bounded).
    obj = _PUB_CACHE.get(raw)
    if obj is None:
        if len(_PUB_CACHE) > 4096:
            _PUB_CACHE.clear()
        obj = _PUB_CACHE[raw] = Ed25519PublicKey.from_public_bytes(raw)
    return obj


def load_public_key(raw: bytes) -> PublicKey:
    """Validate 32 raw bytes as an acceptable Ed25519 public key."""
    if not isinstance(raw, bytes) or len(raw) != 32:
        raise SignatureError("Ed25519 public key must be 32 bytes")
    if is_small_order(raw):
        raise SignatureError("small-order or invalid Ed25519 public key rejected")
    return PublicKey(raw)


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
        if domain not in DOMAINS:
            raise LocalError(f"unknown signing domain {domain!r}")
        return self._key.sign(domain + message)

    def __repr__(self) -> str:  # never print key material
        return f"PrivateKey(peer_id={self.peer_id})"


# --- peer ids -------------------------------------------------------------------
def peer_id_from_public_bytes(raw: bytes) -> str:
    """libp2p peer id (``12D3KooW...``) of an Ed25519 public key."""
    return b58encode(_IDENTITY_MH_PREFIX + _PROTO_ED25519_PREFIX + raw)


_PEER_KEY_CACHE: dict[str, PublicKey] = {}


def public_key_from_peer_id(peer_id: str) -> PublicKey:
    """Extract and validate the Ed25519 key embedded in a peer id."""
    # Type check first: the cache lookup would raise TypeError on a list.
    if not isinstance(peer_id, str) or not 40 <= len(peer_id) <= 60:
        raise DecodeError(f"not an Ed25519 libp2p peer id: {peer_id!r:.80}")
    cached = _PEER_KEY_CACHE.get(peer_id)
    if cached is not None:
        return cached
    raw = b58decode(peer_id)
    if (
        len(raw) != PEER_ID_BYTES_LEN
        or raw[:2] != _IDENTITY_MH_PREFIX
        or raw[2:6] != _PROTO_ED25519_PREFIX
    ):
        raise DecodeError(f"not an Ed25519 libp2p peer id: {peer_id!r:.80}")
    key = load_public_key(raw[6:])
    if key.peer_id != peer_id:
        raise DecodeError("non-canonical peer id encoding")
    if len(_PEER_KEY_CACHE) > 4096:
        _PEER_KEY_CACHE.clear()
    _PEER_KEY_CACHE[peer_id] = key
    return key


def validate_peer_id(peer_id: str) -> str:
    """Return ``peer_id`` if it is a valid Ed25519 peer id, else raise."""
    public_key_from_peer_id(peer_id)
    return peer_id
