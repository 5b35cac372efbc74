"""Shared hypothesis strategies, keys and helpers for the protocol tests.

Test modules import from here (``from tests.protocol.conftest import ...``):
hypothesis strategies must exist when a test is decorated, so they cannot be
fixtures. Nothing here changes global hypothesis settings, so other test
folders keep their own.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from protocol.block import BlockLimits, build_block
from protocol.cid import cid_of
from protocol.errors import RemoteError
from protocol.keys import PrivateKey
from protocol.record import Record

# Shared 2-core machines are noisy: hypothesis' per-example deadline would
# flake, so it is off; a pathological slow path still shows as a slow test.
ROUNDTRIP = settings(max_examples=150, deadline=None)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEYS = tuple(PrivateKey(bytes([0x40 + i]) * 32) for i in range(4))
MODEL_ID = cid_of(b"attnshare test model")
NETWORK = "testnet"
#: Genesis id every test signature is bound to (protocol.keys.signing_domain).
GENESIS_ID = cid_of(b"attnshare test genesis")

# --- records -------------------------------------------------------------------
_INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
scalars = st.one_of(
    st.booleans(),
    _INT64,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.binary(max_size=40),
)
field_values = st.one_of(scalars, st.lists(scalars, max_size=6).map(tuple))
field_maps = st.dictionaries(st.text(min_size=1, max_size=16), field_values, max_size=10)
peer_ids = st.sampled_from([k.peer_id for k in KEYS])


@st.composite
def records(draw: st.DrawFn, origin: str | None = None) -> Record:
    """Arbitrary valid records (small enough to stay under the default limits)."""
    return Record.create(
        kind=draw(st.text(min_size=1, max_size=24)),
        origin=origin if origin is not None else draw(peer_ids),
        ts_ms=draw(st.integers(min_value=0, max_value=2**63 - 1)),
        fields=draw(field_maps),
    )


def realistic_record(rng: random.Random, origin: str, ts_ms: int) -> Record:
    """A 100-200 byte multi-field record like the ones nodes ingest."""
    kind = rng.choice(["trade", "listing", "reading", "post", "shipment"])
    fields: dict[str, Any] = {
        "entity": f"{kind}-{rng.randrange(500):04d}",
        "value": round(rng.gauss(100.0, 15.0), 3),
        "count": rng.randrange(1, 10_000),
        "status": rng.choice(["ok", "ok", "ok", "warn", "fail"]),
        "region": rng.choice(["eu-west", "us-east", "ap-south"]),
    }
    if rng.random() < 0.5:
        fields["tags"] = tuple(rng.sample(["urgent", "bulk", "retry", "new", "audit"], 2))
    return Record.create(kind, origin, ts_ms, fields)


# --- blocks ----------------------------------------------------------------------
cids = st.binary(max_size=64).map(cid_of)
unit_scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def blocks(draw: st.DrawFn, max_records: int = 6) -> Any:
    """Valid blocks built and signed by one of :data:`KEYS`."""
    key = draw(st.sampled_from(KEYS))
    recs = draw(st.lists(records(origin=key.peer_id), min_size=1, max_size=max_records))
    return build_block(
        key,
        genesis_id=GENESIS_ID,
        network=draw(st.text(min_size=1, max_size=20)),
        seq=draw(st.integers(min_value=1, max_value=2**63 - 1)),
        prev=draw(st.none() | cids),
        created_ms=draw(st.integers(min_value=0, max_value=2**63 - 1)),
        model_id=draw(cids),
        records=recs,
        scores=draw(st.lists(unit_scores, min_size=len(recs), max_size=len(recs))),
        limits=BlockLimits(),
    )


# --- mutation fuzzing ----------------------------------------------------------------
@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few random edits: flips, overwrites, cuts, inserts, splices."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "append"]))
        pos = draw(st.integers(min_value=0, max_value=max(len(buf) - 1, 0)))
        if op == "flip" and buf:
            buf[pos] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif op == "set" and buf:
            buf[pos] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, 0xC0, 0xC1, 0xC4, 0xDD, 0xDF, 0xCF]))
        elif op == "truncate":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del buf[pos : pos + draw(st.integers(min_value=1, max_value=8))]
        else:
            buf += draw(st.binary(min_size=1, max_size=8))
    return bytes(buf)


def only_raises(fn: Callable[[], object], allowed: tuple[type[RemoteError], ...]) -> object:
    """Run ``fn``; let only ``allowed`` protocol errors out, as the result.

    Any other exception propagates and fails the test with its traceback.
    """
    try:
        return fn()
    except allowed as exc:
        return exc


# --- zstd frames by hand -----------------------------------------------------------------
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZSTD_BLOCK_MAX = 128 * 1024


def zstd_rle_frame(declared: int | None, actual: int, byte: int = 0) -> bytes:
    """A valid-looking zstd frame made of RLE blocks.

    It claims ``declared`` bytes of content (``None``: no size field) and
    really expands to ``actual`` bytes of ``byte``. Each 128 KiB of output
    costs 4 bytes, so 1 GiB fits in 32 KiB: a decompression bomb.
    """
    if declared is None:
        # FCS flag 0, not single-segment: a window descriptor of 2^(10+7) = 128 KiB.
        header = _ZSTD_MAGIC + bytes([0x00, 7 << 3])
    else:
        # FCS flag 3 (8-byte size), single segment (window = content size).
        header = _ZSTD_MAGIC + bytes([0xE0]) + struct.pack("<Q", declared)
    blocks = bytearray()
    remaining = actual
    while True:
        n = min(remaining, _ZSTD_BLOCK_MAX)
        remaining -= n
        last = remaining == 0
        # Block header: 21-bit size, 2-bit type (1 = RLE), 1-bit last-block flag.
        blocks += (n << 3 | 1 << 1 | int(last)).to_bytes(3, "little") + bytes([byte])
        if last:
            return header + bytes(blocks)


def zstd_raw_frame(content: bytes, declared: int | None) -> bytes:
    """A zstd frame storing ``content`` uncompressed (Raw blocks) but claiming ``declared`` bytes.

    With ``declared == len(content)`` it is an honest frame any decoder
    accepts; any other value is a frame that lies about its size.
    """
    if declared is None:
        header = _ZSTD_MAGIC + bytes([0x00, 7 << 3])
    else:
        header = _ZSTD_MAGIC + bytes([0xE0]) + struct.pack("<Q", declared)
    out = bytearray(header)
    chunks = [content[i : i + _ZSTD_BLOCK_MAX] for i in range(0, len(content), _ZSTD_BLOCK_MAX)] or [b""]
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        out += (len(chunk) << 3 | int(last)).to_bytes(3, "little") + chunk  # type 0 = Raw
    return bytes(out)
