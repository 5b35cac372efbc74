"""Inputs made of nested empty arrays (review 37, findings E and F).

One byte (0x90) is an empty array, which msgpack builds as a 56-byte Python list, so a message of
nested empty arrays within every array's item bound cost a decoder about 64 bytes and 0.3 us per
input byte before any shape check ran: a 350 KB block announce 90-124 ms of a validator's only
verification thread, a 16 MiB sync answer 3.8 s and 1.1 GiB. Each decoder now bounds how many
arrays and maps its format can hold (``codec.unpackb(max_containers=...)``) and stops at the first
one past it. These tests fail on the old decoders by time (each is given far less than the old cost).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import msgpack
import pytest

from protocol.block import BlockLimits, decode_block, decode_header, decode_signed_header
from protocol.codec import packb, unpackb
from protocol.errors import DecodeError
from protocol.quorum import decode_certificate, decode_evidence
from protocol.record import decode_record
from protocol.sync import MAX_RESPONSE_BYTES, decode_request, decode_response
from protocol.vote import decode_vote_batch


def _tree(fanout: int, depth: int) -> list[Any]:
    """A full tree of empty arrays: fanout ** depth leaves."""
    return [] if depth == 0 else [_tree(fanout, depth - 1) for _ in range(fanout)]


def _refused_fast(decode: Callable[[bytes], Any], data: bytes, budget_ms: float) -> None:
    start = time.process_time()
    with pytest.raises(DecodeError):
        decode(data)
    spent = (time.process_time() - start) * 1000
    assert spent < budget_ms, f"{len(data)} bytes refused in {spent:.1f} ms"


def test_unpackb_counts_arrays_and_maps() -> None:
    data = packb([[[], [[]]], []])  # six arrays
    assert unpackb(data, max_bytes=64, max_containers=6) == [[[], [[]]], []]
    with pytest.raises(DecodeError, match="more than 5 arrays and maps"):
        unpackb(data, max_bytes=64, max_containers=5)
    with pytest.raises(DecodeError, match="more than 2"):
        unpackb(msgpack.packb({"a": [1, {"b": 2}]}), max_bytes=64, max_containers=2)
    assert unpackb(data, max_bytes=64) == [[[], [[]]], []]  # no bound unless asked


def test_a_sync_answer_of_empty_arrays_is_refused_at_once() -> None:
    # 16 MiB within the answer's 1,024 items an array: 1,000 x 1,024 arrays of 15 empty arrays
    # (15.4 million arrays; the old decoder: seconds and over a GiB).
    row = b"\xdc\x04\x00" + (b"\x9f" + b"\x90" * 15) * 1024
    data = b"\x92\x01\xdc\x03\xe8" + row * 1000
    assert len(data) < MAX_RESPONSE_BYTES
    _refused_fast(decode_response, data, 200)


@pytest.mark.parametrize("name", ["announce", "certificate", "vote batch", "request", "record", "header",
                                  "signed header", "block", "evidence"])
def test_every_wire_decoder_refuses_a_tree_of_empty_arrays_at_once(name: str) -> None:
    limits = BlockLimits()
    from node.net.topics import decode_block_announce

    cases: dict[str, tuple[Callable[[bytes], Any], bytes]] = {
        "announce": (lambda d: decode_block_announce(d, limits), msgpack.packb([0, _tree(4, 9)])),
        "certificate": (decode_certificate, msgpack.packb([b"\x01" * 36, "x", 1, _tree(320, 2)[:1]
                                                           + [[[] for _ in range(320)] for _ in range(1023)]])),
        "vote batch": (decode_vote_batch, msgpack.packb([[[] for _ in range(257)] for _ in range(257)])),
        "request": (decode_request, msgpack.packb(_tree(4, 3))),
        "record": (decode_record, msgpack.packb(["k", "o", 1, [[[] for _ in range(64)] for _ in range(64)]])),
        "header": (lambda d: decode_header(d, limits), msgpack.packb(_tree(16, 3))),
        "signed header": (lambda d: decode_signed_header(d, limits), msgpack.packb(_tree(2, 12))),
        "block": (lambda d: decode_block(d, limits), msgpack.packb(_tree(2, 16))),
        "evidence": (decode_evidence, msgpack.packb(_tree(6, 5))),
    }
    decode, data = cases[name]
    _refused_fast(decode, data, 20)
