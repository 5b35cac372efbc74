"""The block format: round trips, signatures, limits, the bomb-proof payload decode, fuzzing."""

from __future__ import annotations

import dataclasses
import random
import struct
import tracemalloc

import msgpack
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from protocol import FORMAT_VERSION
from protocol.block import (
    BLOCK_VERSION,
    CODEC_ZSTD,
    MAX_VIEW_ENTRIES,
    Block,
    BlockHeader,
    BlockLimits,
    SignedHeader,
    build_block,
    decode_block,
    decode_block_parts,
    decode_header,
    decode_signed_header,
    open_payload,
    quantize_score,
    sign_header,
)
from protocol.cid import cid_from_text, cid_of
from protocol.codec import packb
from protocol.errors import ConfigError, DecodeError, LocalError, SignatureError, ValidationError
from protocol.keys import DOMAIN_BLOCK, DOMAIN_VOTE, peer_id_from_public_bytes, signing_domain
from protocol.record import Record
from tests.protocol.conftest import (
    FUZZ,
    GENESIS_ID,
    KEYS,
    MODEL_ID,
    NETWORK,
    ROUNDTRIP,
    blocks,
    mutated,
    only_raises,
    realistic_record,
    zstd_raw_frame,
    zstd_rle_frame,
)

KEY = KEYS[0]
LIMITS = BlockLimits()
MIB = 1024 * 1024


def _records(n: int, seed: int = 1) -> list[Record]:
    rng = random.Random(seed)
    return [realistic_record(rng, KEY.peer_id, 1_700_000_000_000 + i) for i in range(n)]


def _block(n: int = 5, limits: BlockLimits = LIMITS, **kw: object) -> Block:
    args: dict[str, object] = {
        "genesis_id": GENESIS_ID,
        "network": NETWORK,
        "seq": 1,
        "prev": None,
        "created_ms": 1_700_000_000_000,
        "model_id": MODEL_ID,
        "records": _records(n),
        "scores": [i / max(n, 1) for i in range(n)],
        "limits": limits,
    }
    args.update(kw)
    return build_block(KEY, **args)  # type: ignore[arg-type]


BLOCK = _block()
HEADER = BLOCK.header


def _rehead(payload: bytes, count: int | None = None, header: BlockHeader = HEADER) -> BlockHeader:
    """``header`` re-pointed at ``payload`` so the CID check passes and zstd gets to see it."""
    count = header.record_count if count is None else count
    return dataclasses.replace(
        header,
        payload_cid=cid_of(payload),
        payload_len=len(payload),
        record_count=count,
        scores=(0,) * count,
    )


def _raw_payload(records: list[Record]) -> bytes:
    return packb([r.canonical_bytes() for r in records])


# --- round trips ----------------------------------------------------------------


@ROUNDTRIP
@given(blocks())
def test_block_round_trip(block: Block) -> None:
    assert decode_block(block.encode()) == block
    assert decode_signed_header(block.signed.encode()) == block.signed
    header = decode_header(block.header.canonical_bytes())
    assert header == block.header
    assert header.block_id == block.block_id == cid_of(block.header.canonical_bytes())
    block.signed.verify(GENESIS_ID)
    announced = block.header_only()
    assert announced.payload is None
    assert decode_block(announced.encode()) == announced


@ROUNDTRIP
@given(blocks(max_records=8), st.data())
def test_payload_round_trip(block: Block, data: st.DataObject) -> None:
    assert block.payload is not None
    recs = open_payload(block.header, block.payload)
    assert len(recs) == block.header.record_count
    # The payload is the records' canonical bytes, in order, in one frame.
    raw = zstandard.ZstdDecompressor().decompress(block.payload, allow_extra_data=False)
    assert msgpack.unpackb(raw) == [r.canonical_bytes() for r in recs]
    assert zstandard.frame_content_size(block.payload) == len(raw)


def test_open_payload_returns_the_records_given() -> None:
    recs = _records(50)
    block = _block(50, records=recs, scores=[0.5] * 50)
    assert block.payload is not None
    assert open_payload(block.header, block.payload) == tuple(recs)


def test_canonical_header_layout() -> None:
    prev = cid_of(b"previous")
    block = _block(3, prev=prev, seq=7, scores=[0.0, 0.5, 1.0], view=[4, 0, 2**40])
    h = block.header
    assert msgpack.unpackb(h.canonical_bytes()) == [
        BLOCK_VERSION,
        NETWORK,
        KEY.peer_id,
        7,
        cid_from_text(prev),
        1_700_000_000_000,
        cid_from_text(MODEL_ID),
        cid_from_text(h.payload_cid),
        h.payload_len,
        CODEC_ZSTD,
        3,
        struct.pack("<3H", 0, 32768, 65535),
        struct.pack("<3Q", 4, 0, 2**40),
    ]
    assert h.view == (4, 0, 2**40)
    assert decode_header(h.canonical_bytes()) == h
    assert h.slot == (KEY.peer_id, 7)
    assert h.payload_cid == cid_of(block.payload or b"")


def test_build_block_view_defaults_to_empty() -> None:
    h = _block(2).header
    assert h.version == BLOCK_VERSION
    assert h.view == ()
    assert msgpack.unpackb(h.canonical_bytes())[12] == b""
    assert decode_header(h.canonical_bytes()) == h


def test_version_1_header_without_view_still_decodes() -> None:
    """The old 12-item layout is a header with an empty view (and another block id)."""
    v2 = _block(2).header
    v1 = dataclasses.replace(v2, version=FORMAT_VERSION)
    assert len(msgpack.unpackb(v1.canonical_bytes())) == 12
    assert decode_header(v1.canonical_bytes()) == v1
    assert v1.block_id != v2.block_id
    with pytest.raises(DecodeError):
        dataclasses.replace(v1, view=(1,))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda items: items[:12],  # version 2 without its view
        lambda items: [*items, b""],  # 14 items
        lambda items: [*items[:12], b"\x01" * 7],  # not whole uint64s
        lambda items: [*items[:12], [1, 2]],  # not a bin
        lambda items: [*items[:12], b"\x00" * 8 * (MAX_VIEW_ENTRIES + 1)],  # too many entries
        lambda items: [*items[:12], struct.pack("<Q", 2**63)],  # seq beyond int64
        lambda items: [1, *items[1:]],  # version 1 with a view
    ],
)
def test_bad_views_do_not_decode(mutate: object) -> None:
    items = msgpack.unpackb(_block(2, view=[1, 2]).header.canonical_bytes())
    with pytest.raises(DecodeError):
        decode_header(packb(mutate(items)))  # type: ignore[operator]


def test_largest_view_fits_the_header_limit() -> None:
    small = BlockLimits(max_records=64)
    big = _block(64, small, view=[2**63 - 1] * MAX_VIEW_ENTRIES)
    assert len(big.header.canonical_bytes()) <= small.max_header_bytes
    assert decode_block(big.encode(), small).header.view == big.header.view


def test_block_id_ignores_signature_and_payload_presence() -> None:
    other_sig = SignedHeader(HEADER, bytes(64))
    assert other_sig.block_id == BLOCK.block_id == BLOCK.header_only().block_id


def test_block_id_changes_with_any_field() -> None:
    ids = {HEADER.block_id}
    for change in (
        {"seq": 2},
        {"created_ms": 1},
        {"network": "other"},
        {"prev": cid_of(b"x")},
        {"model_id": cid_of(b"m")},
        {"scores": (1,) + HEADER.scores[1:]},
        {"proposer": KEYS[1].peer_id},
        {"view": (1,)},
    ):
        ids.add(dataclasses.replace(HEADER, **change).block_id)  # type: ignore[arg-type]
    assert len(ids) == 9


# --- scores -------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "q"), [(0.0, 0), (1.0, 65535), (0.5, 32768), (1e-9, 0), (0.25, 16384)])
def test_quantize_score(score: float, q: int) -> None:
    assert quantize_score(score) == q


@pytest.mark.parametrize("bad", [-0.01, 1.0001, float("nan"), float("inf"), True, "0.5", None])
def test_quantize_rejects(bad: object) -> None:
    with pytest.raises(LocalError):
        quantize_score(bad)  # type: ignore[arg-type]


@ROUNDTRIP
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=20))
def test_float_scores_within_half_a_step(scores: list[float]) -> None:
    block = _block(len(scores), scores=scores)
    for mine, theirs in zip(scores, block.header.float_scores(), strict=True):
        assert abs(mine - theirs) <= 0.5 / 65535 + 1e-12


# --- header validation --------------------------------------------------------------


SMALL_ORDER_PEER = peer_id_from_public_bytes(bytes([1]) + bytes(31))


@pytest.mark.parametrize(
    "change",
    [
        {"version": BLOCK_VERSION + 1},
        {"version": 0},
        {"version": True},
        {"version": 1.0},
        {"network": ""},
        {"network": "n" * 65},
        {"network": b"net"},
        {"network": "\ud800"},
        {"proposer": "12D3KooWnotapeer"},
        {"proposer": SMALL_ORDER_PEER},
        {"seq": 0},
        {"seq": -1},
        {"seq": 2**63},
        {"seq": 1.0},
        {"prev": "bafk"},
        {"prev": b"\x01" * 36},
        {"created_ms": -1},
        {"model_id": "not a cid"},
        {"payload_cid": MODEL_ID.upper()},
        {"payload_len": 0},
        {"codec": 2},
        {"codec": 1.0},
        {"record_count": 0},
        {"record_count": HEADER.record_count + 1},
        {"scores": list(HEADER.scores)},
        {"scores": (65536,) + HEADER.scores[1:]},
        {"scores": (-1,) + HEADER.scores[1:]},
        {"scores": (0.5,) + HEADER.scores[1:]},
        {"scores": (True,) + HEADER.scores[1:]},
        {"view": [1]},
        {"view": (-1,)},
        {"view": (2**63,)},
        {"view": (True,)},
        {"view": (0,) * (MAX_VIEW_ENTRIES + 1)},
    ],
)
def test_header_validated_on_construction(change: dict[str, object]) -> None:
    with pytest.raises(DecodeError):
        dataclasses.replace(HEADER, **change)  # type: ignore[arg-type]


def test_header_limits() -> None:
    block = _block(10)
    data = block.header.canonical_bytes()
    decode_header(data, BlockLimits(max_records=10))
    with pytest.raises(DecodeError):
        decode_header(data, BlockLimits(max_records=9))
    tight = BlockLimits(max_payload_bytes=block.header.payload_len - 1, gossip_payload_max=16)
    with pytest.raises(DecodeError):
        decode_header(data, tight)
    assert len(data) <= LIMITS.max_header_bytes


def test_largest_header_fits_its_bound() -> None:
    n = 4096
    header = dataclasses.replace(
        HEADER,
        network="\U0001f600" * 64,  # 256 bytes of UTF-8
        prev=MODEL_ID,
        seq=2**63 - 1,
        created_ms=2**63 - 1,
        payload_len=LIMITS.max_payload_bytes,
        record_count=n,
        scores=(65535,) * n,
    )
    assert len(header.canonical_bytes()) <= LIMITS.max_header_bytes
    assert decode_header(header.canonical_bytes()) == header
    signed = SignedHeader(header, bytes(64))
    assert len(signed.encode()) <= LIMITS.max_signed_header_bytes
    assert decode_signed_header(signed.encode()) == signed


@pytest.mark.parametrize(
    "kw",
    [
        {"max_records": 0},
        {"max_payload_bytes": -1},
        {"max_decompressed_bytes": 1.5},
        {"gossip_payload_max": True},
        {"max_payload_bytes": 1024, "gossip_payload_max": 2048},
    ],
)
def test_bad_limits_are_config_errors(kw: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        BlockLimits(**kw)  # type: ignore[arg-type]


# --- signatures ------------------------------------------------------------------------


def test_signature_verifies() -> None:
    BLOCK.signed.verify(GENESIS_ID)
    decode_block(BLOCK.encode()).signed.verify(GENESIS_ID)


def test_signature_covers_tag_genesis_id_and_header() -> None:
    # The exact signed message: tag, 36-byte binary genesis CID, header bytes.
    domain = DOMAIN_BLOCK + cid_from_text(GENESIS_ID)
    assert signing_domain(DOMAIN_BLOCK, GENESIS_ID) == domain
    KEY.public.verify(domain, HEADER.canonical_bytes(), BLOCK.signed.signature)


def test_header_signed_for_another_network_fails() -> None:
    # Finding 13: the same validators on another genesis must not be able to
    # replay a header here (nor ours there).
    other = cid_of(b"another genesis")
    elsewhere = sign_header(KEY, HEADER, other)
    elsewhere.verify(other)
    with pytest.raises(SignatureError):
        elsewhere.verify(GENESIS_ID)
    with pytest.raises(SignatureError):
        BLOCK.signed.verify(other)


def test_verify_with_a_malformed_genesis_id_is_local_misuse() -> None:
    with pytest.raises(LocalError):
        BLOCK.signed.verify("not a cid")
    with pytest.raises(LocalError):
        sign_header(KEY, HEADER, "")


def test_tampered_header_fails_verification() -> None:
    forged = dataclasses.replace(HEADER, created_ms=HEADER.created_ms + 1)
    with pytest.raises(SignatureError):
        SignedHeader(forged, BLOCK.signed.signature).verify(GENESIS_ID)


def test_signature_by_another_key_fails() -> None:
    sig = KEYS[1].sign(signing_domain(DOMAIN_BLOCK, GENESIS_ID), HEADER.canonical_bytes())
    with pytest.raises(SignatureError):
        SignedHeader(HEADER, sig).verify(GENESIS_ID)


def test_signature_in_another_domain_fails() -> None:
    sig = KEY.sign(signing_domain(DOMAIN_VOTE, GENESIS_ID), HEADER.canonical_bytes())
    with pytest.raises(SignatureError):
        SignedHeader(HEADER, sig).verify(GENESIS_ID)


def test_decode_does_not_verify() -> None:
    bad = SignedHeader(HEADER, bytes(64))
    decoded = decode_signed_header(bad.encode())
    assert decoded == bad
    with pytest.raises(SignatureError):
        decoded.verify(GENESIS_ID)


def test_only_the_proposer_signs() -> None:
    with pytest.raises(LocalError):
        sign_header(KEYS[1], HEADER, GENESIS_ID)
    assert sign_header(KEY, HEADER, GENESIS_ID) == BLOCK.signed


@pytest.mark.parametrize("sig", [b"", bytes(63), bytes(65), "x" * 64])
def test_signature_length(sig: bytes) -> None:
    with pytest.raises(DecodeError):
        SignedHeader(HEADER, sig)


# --- blocks ------------------------------------------------------------------------


def test_block_rejects_payload_it_did_not_commit_to() -> None:
    assert BLOCK.payload is not None
    with pytest.raises(ValidationError):
        Block(BLOCK.signed, BLOCK.payload + b"\x00")
    flipped = bytes([BLOCK.payload[0] ^ 1]) + BLOCK.payload[1:]
    with pytest.raises(ValidationError):
        Block(BLOCK.signed, flipped)
    wire = packb([BLOCK.signed.encode(), flipped])
    with pytest.raises(ValidationError):
        decode_block(wire)
    # decode_block_parts leaves that check (the payload's hash) to Block: a gossip check drops
    # replays and strangers' blocks on their header first (review 6, finding 7).
    assert decode_block_parts(wire) == (BLOCK.signed, flipped)
    assert decode_block_parts(BLOCK.encode()) == (BLOCK.signed, BLOCK.payload)
    assert decode_block_parts(BLOCK.header_only().encode()) == (BLOCK.signed, None)
    with pytest.raises(DecodeError, match="canonical"):
        decode_block_parts(b"\xdd\x00\x00\x00\x02" + wire[1:])


def test_gossip_sends_big_payloads_header_only() -> None:
    assert BLOCK.payload is not None
    small = BlockLimits(gossip_payload_max=len(BLOCK.payload))
    assert BLOCK.for_gossip(small) is BLOCK
    tiny = BlockLimits(gossip_payload_max=len(BLOCK.payload) - 1)
    announced = BLOCK.for_gossip(tiny)
    assert announced.payload is None
    assert announced.block_id == BLOCK.block_id
    assert announced.header_only() is announced


@pytest.mark.parametrize(
    "wire",
    [
        # header bytes as bin16 where bin8 fits: a second spelling of one block
        b"\x92\xc5" + struct.pack(">H", len(HEADER.canonical_bytes())) + HEADER.canonical_bytes()
        + packb(BLOCK.signed.signature),
        packb([HEADER.canonical_bytes(), BLOCK.signed.signature]) + b"\xc0",
        packb([HEADER.canonical_bytes()]),
        packb([HEADER.canonical_bytes(), BLOCK.signed.signature, None]),
        packb({"h": HEADER.canonical_bytes()}),
        packb([HEADER.canonical_bytes().decode("latin-1"), BLOCK.signed.signature]),
    ],
)
def test_malformed_signed_headers(wire: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_signed_header(wire)


def test_non_canonical_header_bytes() -> None:
    fields = msgpack.unpackb(HEADER.canonical_bytes())
    # seq as a uint64 instead of a positive fixint
    spelled = b"".join(
        [b"\x9d"]  # a fixarray of 13 items
        + [packb(f) for f in fields[:3]]
        + [b"\xcf" + struct.pack(">Q", fields[3])]
        + [packb(f) for f in fields[4:]]
    )
    assert msgpack.unpackb(spelled) == fields
    with pytest.raises(DecodeError, match="not canonical"):
        decode_header(spelled)


@pytest.mark.parametrize(
    "wire",
    [
        packb([BLOCK.signed.encode(), BLOCK.payload]) + b"\x00",
        packb([BLOCK.signed.encode()]),
        packb([BLOCK.signed.encode(), "payload"]),
        packb([BLOCK.signed.encode(), 0]),
        packb([BLOCK.signed.encode(), b"\x00" * (LIMITS.max_payload_bytes + 1)]),
        b"\x92" + packb(BLOCK.signed.encode()) + b"\xc6" + struct.pack(">I", len(BLOCK.payload or b""))
        + (BLOCK.payload or b""),
    ],
)
def test_malformed_blocks(wire: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_block(wire)


# --- building -------------------------------------------------------------------------


def test_build_misuse_is_local_error() -> None:
    recs = _records(3)
    with pytest.raises(LocalError):
        _block(0, records=[], scores=[])
    with pytest.raises(LocalError):
        _block(3, records=recs, scores=[0.5, 0.5])
    with pytest.raises(LocalError):
        _block(3, records=recs, scores=[0.5, 0.5, 1.5])
    with pytest.raises(LocalError):
        _block(3, records=[*recs[:2], "not a record"])
    with pytest.raises(LocalError):
        _block(3, records=recs, limits=BlockLimits(max_records=2))
    with pytest.raises(LocalError):
        _block(3, network="")
    with pytest.raises(LocalError):
        _block(3, network="net\udfff")
    with pytest.raises(LocalError):
        _block(3, seq=0)
    with pytest.raises(LocalError):
        _block(3, prev="nope")


def test_build_respects_size_limits() -> None:
    block = _block(200)
    assert block.payload is not None
    n = len(block.payload)
    _block(200, limits=BlockLimits(max_payload_bytes=n, gossip_payload_max=n))
    with pytest.raises(LocalError, match="compressed payload"):
        _block(200, limits=BlockLimits(max_payload_bytes=n - 1, gossip_payload_max=n - 1))
    raw = len(_raw_payload(_records(200)))
    with pytest.raises(LocalError, match="decompressed"):
        _block(200, limits=BlockLimits(max_decompressed_bytes=raw - 1))


def test_payload_is_one_zstd_frame_with_content_size() -> None:
    block = _block(100)
    assert block.payload is not None
    params = zstandard.get_frame_parameters(block.payload)
    raw = _raw_payload(_records(100))
    assert params.content_size == len(raw)
    assert zstandard.ZstdDecompressor().decompress(block.payload, allow_extra_data=False) == raw
    assert len(block.payload) < len(raw)  # realistic records do compress


# --- opening payloads: the hostile cases -------------------------------------------------


def test_zstd_bomb_rejected_without_allocating() -> None:
    bomb = zstd_rle_frame(declared=1 << 30, actual=1 << 30)
    assert len(bomb) < 64 * 1024
    # It really is a bomb: a decoder that trusts it streams out a GiB of zeros.
    reader = zstandard.ZstdDecompressor(max_window_size=1 << 31).stream_reader(bomb)
    assert reader.read(MIB) == bytes(MIB)
    header = _rehead(bomb, count=1)
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="declares"):
            open_payload(header, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB


def test_frame_declaring_the_cap_plus_one_rejected() -> None:
    cap = 1024
    limits = BlockLimits(max_decompressed_bytes=cap)
    over = zstd_rle_frame(declared=cap + 1, actual=cap + 1)
    with pytest.raises(DecodeError, match="declares"):
        open_payload(_rehead(over, count=1), over, limits)
    raw = _raw_payload(_records(3))
    assert len(raw) <= cap
    exact = zstd_raw_frame(raw, len(raw))
    assert len(open_payload(_rehead(exact, count=3), exact, limits)) == 3


def test_honest_hand_made_frame_opens() -> None:
    # The helper builds valid frames, so the lies below fail for their lie alone.
    raw = _raw_payload(_records(4))
    frame = zstd_raw_frame(raw, len(raw))
    assert open_payload(_rehead(frame, count=4), frame) == tuple(_records(4))


@pytest.mark.parametrize("delta", [-1, -10, 1, 10, 4096])
def test_frame_lying_about_its_size_rejected(delta: int) -> None:
    raw = _raw_payload(_records(4))
    liar = zstd_raw_frame(raw, len(raw) + delta)
    with pytest.raises(DecodeError, match="zstd"):
        open_payload(_rehead(liar, count=4), liar)


def test_frame_without_content_size_rejected() -> None:
    raw = _raw_payload(_records(4))
    for frame in (
        zstd_raw_frame(raw, None),
        zstandard.ZstdCompressor(level=3, write_content_size=False).compress(raw),
    ):
        assert zstandard.frame_content_size(frame) == -1
        with pytest.raises(DecodeError, match="content size"):
            open_payload(_rehead(frame, count=4), frame)


@pytest.mark.parametrize(
    "suffix",
    [b"\x00", b"garbage", zstandard.ZstdCompressor().compress(b""), b"\x50\x2a\x4d\x18\x00\x00\x00\x00"],
)
def test_trailing_data_rejected(suffix: bytes) -> None:
    assert BLOCK.payload is not None
    payload = BLOCK.payload + suffix
    with pytest.raises(DecodeError, match="zstd"):
        open_payload(_rehead(payload), payload)


def test_two_frames_rejected() -> None:
    recs = _records(4)
    payload = zstandard.ZstdCompressor().compress(_raw_payload(recs[:2])) + zstandard.ZstdCompressor().compress(
        _raw_payload(recs[2:])
    )
    with pytest.raises(DecodeError):
        open_payload(_rehead(payload, count=4), payload)


def test_leading_skippable_frame_rejected() -> None:
    assert BLOCK.payload is not None
    skippable = b"\x50\x2a\x4d\x18" + struct.pack("<I", 4) + b"abcd"
    payload = skippable + BLOCK.payload
    with pytest.raises(DecodeError, match="standard zstd frame"):
        open_payload(_rehead(payload), payload)


def test_payload_cid_mismatch_rejected_before_decompression() -> None:
    assert BLOCK.payload is not None
    bomb = zstd_rle_frame(declared=1 << 30, actual=1 << 30)
    # Same length as the bomb, so only the hash can object.
    header = dataclasses.replace(_rehead(bomb, count=1), payload_cid=cid_of(b"something else"))
    with pytest.raises(ValidationError, match="CID"):
        open_payload(header, bomb)
    with pytest.raises(ValidationError, match="bytes"):
        open_payload(HEADER, BLOCK.payload[:-1])


@pytest.mark.parametrize("count", [4, 6, 1])
def test_wrong_record_count_rejected(count: int) -> None:
    payload = zstandard.ZstdCompressor().compress(_raw_payload(_records(5)))
    with pytest.raises(ValidationError, match="records"):
        open_payload(_rehead(payload, count=count), payload)


def test_more_records_than_the_limit_rejected() -> None:
    payload = zstandard.ZstdCompressor().compress(_raw_payload(_records(5)))
    with pytest.raises(DecodeError):
        open_payload(_rehead(payload, count=5), payload, BlockLimits(max_records=4))


def test_oversized_payload_rejected_before_hashing() -> None:
    limits = BlockLimits(max_payload_bytes=100, gossip_payload_max=100)
    payload = b"\x28\xb5\x2f\xfd" + bytes(200)
    with pytest.raises(DecodeError, match="exceeds"):
        open_payload(HEADER, payload, limits)


@pytest.mark.parametrize(
    "raw",
    [
        packb({"records": []}),
        packb(5),
        packb([1, 2, 3, 4, 5]),
        packb(["not bytes"] * 5),
        packb([b"\x00"] * 5),
        # a record whose bytes are not canonical (fields unsorted)
        packb([packb(["k", KEY.peer_id, 1, [["b", 1], ["a", 2]]])] * 5),
        # a record from a small-order origin
        packb([packb(["k", peer_id_from_public_bytes(bytes([1]) + bytes(31)), 1, []])] * 5),
        # five valid records in an array32 where a fixarray fits
        b"\xdd\x00\x00\x00\x05" + b"".join(packb(r.canonical_bytes()) for r in _records(5)),
        # valid records followed by trailing msgpack
        _raw_payload(_records(5)) + b"\xc0",
        b"",
    ],
)
def test_malformed_payload_contents_rejected(raw: bytes) -> None:
    payload = zstandard.ZstdCompressor().compress(raw)
    with pytest.raises(DecodeError):
        open_payload(_rehead(payload, count=5), payload)


@pytest.mark.parametrize("payload", [b"\x00" * 16, b"not zstd at all", b"\x28\xb5\x2f\xfd"])
def test_not_zstd_rejected(payload: bytes) -> None:
    with pytest.raises(ValidationError):
        open_payload(HEADER, b"")  # no payload at all: the length already disagrees
    with pytest.raises(DecodeError, match="zstd"):
        open_payload(_rehead(payload), payload)


# --- fuzzing -------------------------------------------------------------------------------

DECODERS = (decode_header, decode_signed_header, decode_block, decode_block_parts)


@FUZZ
@given(st.binary(max_size=1024), st.sampled_from(DECODERS))
def test_fuzz_random_bytes(data: bytes, decoder) -> None:  # type: ignore[no-untyped-def]
    only_raises(lambda: decoder(data), (DecodeError, ValidationError))


@FUZZ
@given(st.data())
def test_fuzz_mutated_header(data: st.DataObject) -> None:
    block = data.draw(blocks(max_records=3))
    mutant = data.draw(mutated(block.header.canonical_bytes()))
    result = only_raises(lambda: decode_header(mutant), (DecodeError,))
    if isinstance(result, BlockHeader):
        assert result.canonical_bytes() == mutant


@FUZZ
@given(st.data())
def test_fuzz_mutated_signed_header(data: st.DataObject) -> None:
    block = data.draw(blocks(max_records=3))
    mutant = data.draw(mutated(block.signed.encode()))
    result = only_raises(lambda: decode_signed_header(mutant), (DecodeError,))
    if isinstance(result, SignedHeader):
        assert result.encode() == mutant
        only_raises(lambda: result.verify(GENESIS_ID), (SignatureError,))


@FUZZ
@given(st.data())
def test_fuzz_mutated_block(data: st.DataObject) -> None:
    block = data.draw(blocks(max_records=3))
    mutant = data.draw(mutated(block.encode()))
    result = only_raises(lambda: decode_block(mutant), (DecodeError, ValidationError))
    if isinstance(result, Block):
        assert result.encode() == mutant
        if result.payload is not None:
            only_raises(lambda: open_payload(result.header, result.payload), (DecodeError, ValidationError))


@FUZZ
@given(st.data())
def test_fuzz_mutated_payload(data: st.DataObject) -> None:
    block = data.draw(blocks(max_records=4))
    assert block.payload is not None
    mutant = data.draw(mutated(block.payload))
    # Re-point the header at the mutant so the fuzz reaches zstd and msgpack.
    header = only_raises(lambda: _rehead(mutant, header=block.header), (DecodeError,))
    if not isinstance(header, BlockHeader):  # an empty mutant has no valid length
        return
    result = only_raises(lambda: open_payload(header, mutant), (DecodeError, ValidationError))
    if isinstance(result, tuple):
        assert len(result) == header.record_count


@FUZZ
@given(st.data())
def test_fuzz_mutated_uncompressed_payload(data: st.DataObject) -> None:
    block = data.draw(blocks(max_records=4))
    assert block.payload is not None
    raw = zstandard.ZstdDecompressor().decompress(block.payload)
    mutant = zstandard.ZstdCompressor().compress(data.draw(mutated(raw)))
    header = _rehead(mutant, header=block.header)
    result = only_raises(lambda: open_payload(header, mutant), (DecodeError, ValidationError))
    if isinstance(result, tuple):
        assert _raw_payload(list(result)) == zstandard.ZstdDecompressor().decompress(mutant)


def test_block_id_golden_vector() -> None:
    """Pins the version 2 header layout: a change here changes every block id on the wire."""
    recs = [Record.create("sensor", KEY.peer_id, 1_700_000_000_000 + i, {"i": i, "v": 0.5 * i}) for i in range(3)]
    block = build_block(KEY, genesis_id=GENESIS_ID, network=NETWORK, seq=3, prev=cid_of(b"prev"),
                        created_ms=1_700_000_000_123, model_id=MODEL_ID, records=recs, scores=[0.25, 0.5, 1.0],
                        view=[2, 0, 7])
    assert block.block_id == GOLDEN_BLOCK_ID
    assert dataclasses.replace(block.header, view=()).block_id != GOLDEN_BLOCK_ID


GOLDEN_BLOCK_ID = "bafkreihoujr3hwvdkuaklb6t5iabpyotxw6wz7dxwe4uy6is7c5qkbjkgu"  # header version 2 (view)


def test_decoded_scores_share_one_int_per_value() -> None:
    # Review 25: a decoded header of 4,096 scores held 147 KiB of int objects (36 bytes a score),
    # and a validator keeps headers of the slots it has open. Decoded scores are now references into
    # one process-wide table of 0..SCORE_SCALE.
    import sys

    n = 4096
    scores = [(i * 7919) % 65_536 / 65_535 for i in range(n)]
    header = dataclasses.replace(HEADER, record_count=n, scores=tuple(quantize_score(s) for s in scores))
    a = decode_header(header.canonical_bytes())
    b = decode_header(header.canonical_bytes())
    assert a.scores == header.scores
    assert type(a.scores) is tuple
    assert all(x is y for x, y in zip(a.scores, b.scores, strict=True))
    # What separate int objects would have held, beside the tuple's references:
    assert sum(sys.getsizeof(x) for x in header.scores if x > 256) > 100_000
