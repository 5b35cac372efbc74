"""CIDv1 over sha2-256 with the raw codec, by hand.

The ``multiformats`` package builds about 1.2k CIDs/s; this module builds
several hundred thousand per second. A CIDv1 is ``<version varint><codec
varint><multihash>``; for raw + sha2-256 that is ``01 55 12 20 <32-byte
digest>``, 36 bytes. The text form is multibase base32 (RFC 4648 alphabet,
lower case, no padding) with the ``b`` prefix: 1 + 58 characters.

Base32 by hand: CPython's ``base64.b32encode`` is pure Python and cost about
17 us per CID, the largest single cost of decoding a vote. 36 bytes are 288
bits; with two zero bits appended they are 58 groups of 5 bits. Encoding
spreads the groups one per byte with six whole-integer mask-and-shift steps
and renames the bytes with ``bytes.translate`` (all in C, about 1-2 us);
parsing renames the alphabet to base32hex digits for ``int(text, 32)``;
the two padding bits must be zero (that is what makes the text form
canonical). ``tests/protocol/test_cid.py`` checks
both directions against ``base64`` and an independent implementation.
"""

from __future__ import annotations

import hashlib
import re

from protocol.errors import DecodeError

CID_PREFIX = bytes([0x01, 0x55, 0x12, 0x20])
CID_BYTES_LEN = len(CID_PREFIX) + 32
CID_TEXT_LEN = 59  # "b" + base32(36 bytes) without padding


def cid_bytes(data: bytes) -> bytes:
    """Binary CIDv1 (raw, sha2-256) of ``data``."""
    return CID_PREFIX + hashlib.sha256(data).digest()


def cid_of(data: bytes) -> str:
    """Text CIDv1 (raw, sha2-256, base32) of ``data``."""
    return cid_to_text(cid_bytes(data))


_B32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_B32_OF_BYTE = bytes(ord(_B32_ALPHABET[i % 32]) for i in range(256))  # 5-bit value -> its character


def _spread_steps(groups: int = 64) -> tuple[tuple[int, int, int], ...]:
    """Masks that move 5-bit group j of an integer to bits 8j..8j+4, in log2(groups) steps.

    Each step halves the blocks: the upper half of every block of 2k groups
    moves up by 3k bits (the 3 bits per group that a byte has over 5), all
    at once with one mask-and-shift of the whole integer, which runs in C.
    """
    pos = [5 * j for j in range(groups)]
    steps = []
    k = groups // 2
    while k >= 1:
        keep = move = 0
        for j in range(groups):
            if (j // k) % 2:
                move |= 31 << pos[j]
                pos[j] += 3 * k
            else:
                keep |= 31 << pos[j]
        steps.append((keep, move, 3 * k))
        k //= 2
    assert pos == [8 * j for j in range(groups)]
    return tuple(steps)


_SPREAD = _spread_steps()
_TO_BASE32HEX = str.maketrans(_B32_ALPHABET, "0123456789abcdefghijklmnopqrstuv")
_BODY_RE = re.compile(r"[a-z2-7]{58}")


def cid_to_text(raw: bytes) -> str:
    """Text form of a binary CID, after validating it."""
    _check_raw(raw)
    x = int.from_bytes(raw, "big") << 2  # 288 bits + 2 zero bits = 58 groups of 5 bits
    for keep, move, shift in _SPREAD:
        x = (x & keep) | ((x & move) << shift)
    # One group per byte now: the last 58 bytes, most significant first, renamed.
    return "b" + x.to_bytes(64, "big")[6:].translate(_B32_OF_BYTE).decode("ascii")


def cid_from_text(text: str) -> bytes:
    """Parse and validate a text CID; return its binary form."""
    if not isinstance(text, str) or len(text) != CID_TEXT_LEN or text[0] != "b":
        raise DecodeError(f"not a CIDv1 raw/sha2-256 base32 string: {text!r:.80}")
    body = text[1:]
    # Only the 32 lower-case alphabet characters (int() alone would also take
    # '0', '1', '8', '9', upper case, '_' and surrounding spaces).
    if not _BODY_RE.fullmatch(body):
        raise DecodeError(f"bad base32 in CID: {text!r:.80}")
    # Our alphabet renamed to base32hex digits, which int() parses in C.
    n = int(body.translate(_TO_BASE32HEX), 32)
    # Non-canonical text (stray bits in the last character) would name the
    # same bytes as another text: the two padding bits must be zero.
    if n & 3:
        raise DecodeError("non-canonical CID text")
    raw = (n >> 2).to_bytes(CID_BYTES_LEN, "big")
    _check_raw(raw)
    return raw


def validate_cid(text: str) -> str:
    """Return ``text`` if it is a valid CID, else raise DecodeError."""
    cid_from_text(text)
    return text


def cid_digest(text: str) -> bytes:
    """The sha2-256 digest inside a text CID."""
    return cid_from_text(text)[len(CID_PREFIX) :]


def cid_matches(text: str, data: bytes) -> bool:
    """True if ``data`` hashes to the CID ``text``."""
    return cid_digest(text) == hashlib.sha256(data).digest()


def _check_raw(raw: bytes) -> None:
    if not isinstance(raw, bytes | bytearray) or len(raw) != CID_BYTES_LEN:
        raise DecodeError("CID must be 36 bytes (CIDv1 raw sha2-256)")
    if bytes(raw[: len(CID_PREFIX)]) != CID_PREFIX:
        raise DecodeError("unsupported CID: need version 1, raw codec, sha2-256")
