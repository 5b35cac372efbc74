"""CIDv1 over sha2-256 with the raw codec, by hand.

The ``multiformats`` package builds about 1.2k CIDs/s; this module builds ~90k/s
(see shared/notes). A CIDv1 is ``<version varint><codec varint><multihash>``;
for raw + sha2-256 that is ``01 55 12 20 <32-byte digest>``, 36 bytes. The text
form is multibase base32 (lower case, no padding) with the ``b`` prefix.
"""

from __future__ import annotations

import base64
import hashlib

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


def cid_to_text(raw: bytes) -> str:
    """Text form of a binary CID, after validating it."""
    _check_raw(raw)
    return "b" + base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def cid_from_text(text: str) -> bytes:
    """Parse and validate a text CID; return its binary form."""
    if not isinstance(text, str) or len(text) != CID_TEXT_LEN or text[0] != "b":
        raise DecodeError(f"not a CIDv1 raw/sha2-256 base32 string: {text!r:.80}")
    body = text[1:]
    if body != body.lower():
        raise DecodeError("CID text must be lower-case base32")
    try:
        # b32decode demands padding to a multiple of 8 characters (58 -> 64).
        raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8), casefold=False)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise DecodeError(f"bad base32 in CID: {exc}") from None
    _check_raw(raw)
    # Reject non-canonical encodings (stray bits in the last base32 character).
    if cid_to_text(raw) != text:
        raise DecodeError("non-canonical CID text")
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
