"""A 3 KiB block payload of nested arrays, and the backoff after a payload that does not decode.

Review 6, finding 1. ``open_payload`` bounded the *decompressed* bytes (32 MiB) and then unpacked
them in one ``msgpack.unpackb(raw, max_items=max_records)``: ``max_items`` bounds each array, not
their nesting, so 30 MiB of nested arrays of zero bytes (zstd: 3,391 bytes) became ~270 MiB of
Python lists (0.6 s) before the first item was found not to be ``bytes``. A genesis proposer's
signature and claims over the bar were all it took, on every node, once per slot: BAD_PAYLOAD did
not start the proposer's backoff, so the next slot's bomb was decoded as soon as the last was
rejected. The payload array is now read by hand (its header, then each item's bin header), and
BAD_PAYLOAD backs the proposer off like a junk block.
"""

from __future__ import annotations

import tracemalloc

import pytest
import zstandard

from protocol.block import BLOCK_VERSION, CODEC_ZSTD, Block, BlockHeader, BlockLimits, open_payload
from protocol.cid import cid_of
from protocol.codec import packb
from protocol.errors import DecodeError, ValidationError
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.slots import BlockSeen, CastVote, Evaluate, Evaluated, SlotCore, VotesSeen
from protocol.vote import Decision, Reason
from tests.protocol.test_block import _raw_payload, _records, _rehead
from tests.protocol.test_slots import KEYS, P, block, core, of, records_of
from tests.protocol.test_slots import vote as slot_vote

LIMITS = BlockLimits(max_records=1024)


def _bomb() -> tuple[BlockHeader, bytes]:
    zeros = b"\xdc" + (1024).to_bytes(2, "big") + b"\x00" * 1024  # array16 of 1024 fixint 0
    mid = b"\xdc" + (30).to_bytes(2, "big") + zeros * 30
    raw = b"\xdc" + (1024).to_bytes(2, "big") + mid * 1024  # 1024 "records": ~30 MiB
    payload = zstandard.ZstdCompressor(level=19, write_content_size=True).compress(raw)
    h = BlockHeader(version=BLOCK_VERSION, network="testnet", proposer=PrivateKey(b"\x22" * 32).peer_id, seq=1,
                    prev=None, created_ms=0, model_id=cid_of(b"m"), payload_cid=cid_of(payload),
                    payload_len=len(payload), codec=CODEC_ZSTD, record_count=1024, scores=(40000,) * 1024)
    return h, payload


def test_a_tiny_payload_of_nested_arrays_is_refused_without_building_them() -> None:
    h, payload = _bomb()
    assert len(payload) < 8 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="record 0: expected bytes"):
            open_payload(h, payload, LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The decompressed bytes themselves (30 MiB) are the floor; the nested lists were 272 MiB.
    assert peak < LIMITS.max_decompressed_bytes + 2**20, (
        f"{len(payload)} payload bytes allocated {peak / 2**20:.0f} MiB before being refused")


RECS = _records(5)
ITEMS = b"".join(packb(r.canonical_bytes()) for r in RECS)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        # an item that is an array (of bins) and not bytes
        (b"\x95" + packb([r.canonical_bytes() for r in RECS]) + ITEMS[len(packb(RECS[0].canonical_bytes())):],
         DecodeError),
        # a bin16 header where bin8 fits: the same bytes under a second encoding
        (b"\x95" + b"\xc5" + len(RECS[0].canonical_bytes()).to_bytes(2, "big") + RECS[0].canonical_bytes()
         + ITEMS[len(packb(RECS[0].canonical_bytes())):], DecodeError),
        # an array16 header where a fixarray fits
        (b"\xdc\x00\x05" + ITEMS, DecodeError),
        # a record over the record size limit, refused from its header
        (b"\x95" + b"\xc6" + (1 << 20).to_bytes(4, "big") + bytes(1 << 20) + ITEMS[:-1], DecodeError),
        # the last item cut short, and its header cut short
        (b"\x95" + ITEMS[:-1], DecodeError),
        (b"\x95" + ITEMS[: ITEMS.index(RECS[4].canonical_bytes()) - 1], DecodeError),
        # bytes after the last item, whatever they are
        (b"\x95" + ITEMS + b"\x00", DecodeError),
        (b"\x95" + ITEMS + b"\x90", DecodeError),
        # an array header cut short, a map, a bare bin
        (b"\xdc\x00", DecodeError),
        (b"\x81\xa1a\x00", DecodeError),
        (packb(RECS[0].canonical_bytes()), DecodeError),
        # a count that is not the header's, before any item is read
        (b"\xdd\xff\xff\xff\xff", ValidationError),
        (b"\x94" + ITEMS, ValidationError),
    ],
)
def test_the_payload_array_is_read_strictly(raw: bytes, error: type[Exception]) -> None:
    payload = zstandard.ZstdCompressor().compress(raw)
    with pytest.raises(error):
        open_payload(_rehead(payload, count=5), payload)


def test_the_payload_array_headers_of_each_width_are_read() -> None:
    # fixarray (<16 records), array16 (>=16); bin8 (<256 bytes) and bin16 record headers.
    for n in (1, 15, 16, 40):
        recs = _records(n) + [Record.create("note", _records(1)[0].origin, 1, {"t": "x" * 300})]
        raw = _raw_payload(recs)
        payload = zstandard.ZstdCompressor().compress(raw)
        assert open_payload(_rehead(payload, count=n + 1), payload) == tuple(recs)


def _reject_by_others(c: SlotCore, b: Block, now: int) -> None:
    c.handle(VotesSeen(tuple(slot_vote(k, b, Decision.REJECT) for k in KEYS[1:3])), now)


def test_an_undecodable_block_starts_the_proposers_backoff_like_a_junk_one() -> None:
    c = core()
    p = c.params
    b1 = block(P, 1)
    c.handle(BlockSeen(b1), 0)
    (cast,) = of(c.handle(Evaluated(b1.block_id, None, None), 10), CastVote)  # the payload did not decode
    assert cast.reason is Reason.BAD_PAYLOAD
    _reject_by_others(c, b1, 11)
    assert c.decided(P.peer_id, 1) == "rejected"
    b2 = block(P, 2)
    assert not of(c.handle(BlockSeen(b2), 12), Evaluate), (
        "the proposer's next block is decoded at once: a bomb per slot, no backoff")
    assert not of(c.tick(10 + p.rescore_backoff_ms - 1), Evaluate)
    (ev,) = of(c.tick(10 + p.rescore_backoff_ms), Evaluate)
    assert ev.block.block_id == b2.block_id
    # Records that decode but are not the proposer's own are BAD_PAYLOAD too: the wait doubles.
    stranger = tuple(Record.create("note", KEYS[2].peer_id, 1, {"i": i}) for i in range(3))
    (cast,) = of(c.handle(Evaluated(b2.block_id, stranger, None), 1000), CastVote)
    assert cast.reason is Reason.BAD_PAYLOAD
    _reject_by_others(c, b2, 1001)
    b3 = block(P, 3)
    assert not of(c.handle(BlockSeen(b3), 1002), Evaluate)
    assert not of(c.tick(1000 + 2 * p.rescore_backoff_ms - 1), Evaluate)
    assert of(c.tick(1000 + 2 * p.rescore_backoff_ms), Evaluate)


def test_a_good_payload_starts_no_backoff() -> None:
    c = core()
    b1 = block(P, 1)
    c.handle(BlockSeen(b1), 0)
    (cast,) = of(c.handle(Evaluated(b1.block_id, records_of(b1), (0.6,) * 3), 10), CastVote)
    assert cast.decision is Decision.ACCEPT
    _reject_by_others(c, b1, 11)  # rejected by the others all the same: not our decode's fault
    assert of(c.handle(BlockSeen(block(P, 2)), 12), Evaluate)
