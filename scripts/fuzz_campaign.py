"""Fuzz campaign: generated and mutated inputs through every decoder and topic validator.

Not part of CI (a million inputs take minutes); ``tests/node/test_fuzz_campaign.py``
runs a short smoke version. Usage::

    python scripts/fuzz_campaign.py --inputs 1000000 --seed 1 --out fuzz_report.json

What runs. Every wire decoder of ``protocol/`` (record, block header, signed
header, block, payload opening, vote, signed vote, vote batch with and without
the validator set, certificate and its verification, evidence and its
verification, certified-block verification, sync request and response) plus
the genesis parser and the three pubsub topic validators of ``node.net.topics``
(blocks, votes, certificates), which are awaited inside one trio run exactly as
py-libp2p awaits them.

Inputs, per target, drawn from a seeded ``random.Random``:

- *mutated* (most): a valid seed message with 1-6 edits, either byte-level
  (bit flips, interesting bytes, msgpack length headers, cuts, inserts,
  duplicated or spliced ranges) or structure-aware (the msgpack tree is
  unpacked, one node is replaced by a hostile value: huge or negative ints,
  NaN, long strings, deep nesting, maps, wrong types, or a nested encoded
  message is itself mutated, then the tree is re-packed);
- *generated*: random bytes, random msgpack trees, and fresh valid messages
  built from random parameters (so the accept paths are exercised too).

What counts. A *crash* is any exception outside the target's error family
(``RemoteError`` for wire decoders, ``ConfigError`` for the genesis, none at
all for topic validators, which must return a verdict). Every input is timed;
one slower than ``--remeasure-ms`` is run twice more and its cost is the
fastest of the three (this machine is shared and noisy), and any input whose
cost stays above ``--limit-ms`` (10 ms) is reported with its bytes. Peak
memory is the process's peak RSS, plus tracemalloc's peak for one sampled
input in ``--trace-every``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import math
import os
import random
import resource
import sys
import time
import traceback
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgpack
import trio
import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.net.topics import Validators, VerifiedCache, encode_block_announce  # noqa: E402
from node.net.verify import Inbound, Verdict  # noqa: E402
from protocol import keys as keys_module  # noqa: E402
from protocol import vote as vote_module  # noqa: E402
from protocol.block import (  # noqa: E402
    Block,
    BlockHeader,
    BlockLimits,
    build_block,
    decode_block,
    decode_header,
    decode_signed_header,
    open_payload,
)
from protocol.certified import verify_certified  # noqa: E402
from protocol.cid import cid_bytes, cid_of  # noqa: E402
from protocol.codec import packb  # noqa: E402
from protocol.errors import ConfigError, RemoteError  # noqa: E402
from protocol.genesis import Genesis, genesis_to_toml, parse_genesis  # noqa: E402
from protocol.keys import DOMAIN_VOTE, PrivateKey, peer_id_from_public_bytes, signing_domain  # noqa: E402
from protocol.lru import LruCache  # noqa: E402
from protocol.quorum import (  # noqa: E402
    PROPOSER_EQUIVOCATION,
    VOTER_EQUIVOCATION,
    Certificate,
    Evidence,
    decode_certificate,
    decode_evidence,
    verify_certificate,
)
from protocol.record import Record, decode_record  # noqa: E402
from protocol.sync import (  # noqa: E402
    BlocksResp,
    ErrorResp,
    Get,
    GetBlocks,
    GetResp,
    Heads,
    HeadsResp,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from protocol.validators import ValidatorSet  # noqa: E402
from protocol.vote import (  # noqa: E402
    MAX_BATCH_VOTES,
    Decision,
    Reason,
    SignedVote,
    Vote,
    VoteBatch,
    decode_signed_vote,
    decode_vote,
    decode_vote_batch,
    sign_vote,
)

LIMITS = BlockLimits()
KEYS = tuple(PrivateKey(bytes([0x70 + i]) * 32) for i in range(4))
OUTSIDER = PrivateKey(bytes([0x7F]) * 32)
MODEL_ID = cid_of(b"attnshare fuzz model")
GENESIS = Genesis("fuzznet", ValidatorSet(k.peer_id for k in KEYS), (MODEL_ID,))
GID = GENESIS.id
VSET = GENESIS.validators

# --- valid messages from random parameters ------------------------------------------


def _record(rng: random.Random, origin: str, i: int = 0) -> Record:
    fields: dict[str, Any] = {
        "entity": f"e-{rng.randrange(10_000)}",
        "value": round(rng.gauss(100, 20), 3),
        "n": rng.randrange(-(2**40), 2**40),
        "ok": rng.random() < 0.5,
    }
    if rng.random() < 0.5:
        fields["blob"] = rng.randbytes(rng.randrange(0, 40))
    if rng.random() < 0.5:
        fields["tags"] = tuple(rng.choice(["a", "bb", "ccc", "", "ü", "\u2603"]) for _ in range(rng.randrange(0, 5)))
    return Record.create(rng.choice(["trade", "reading", "post"]), origin, rng.randrange(0, 2**41) + i, fields)


def _block(rng: random.Random, key: PrivateKey | None = None, n: int | None = None, seq: int | None = None) -> Block:
    key = key or rng.choice(KEYS)
    n = n or rng.randint(1, 6)
    recs = [_record(rng, key.peer_id, i) for i in range(n)]
    return build_block(
        key, genesis_id=GID, network=GENESIS.network_id, seq=seq or rng.randint(1, 1000),
        prev=rng.choice([None, cid_of(rng.randbytes(8))]), created_ms=rng.randrange(0, 2**42),
        model_id=MODEL_ID, records=recs, scores=[rng.random() for _ in recs], limits=LIMITS,
    )  # fmt: skip


def _vote(rng: random.Random, voter: PrivateKey | None = None, block_id: str | None = None,
          proposer: str | None = None, seq: int | None = None) -> SignedVote:
    voter = voter or rng.choice(KEYS)
    decision = rng.choice(list(Decision))
    reason = Reason.OK if decision is Decision.ACCEPT else rng.choice([r for r in Reason if r is not Reason.OK])
    v = Vote(block_id or cid_of(rng.randbytes(8)), proposer or rng.choice(KEYS).peer_id, seq or rng.randint(1, 2**40),
             voter.peer_id, decision, reason)
    return sign_vote(v, voter, GID)


def _cert(rng: random.Random, block: Block | None = None) -> Certificate:
    block = block or _block(rng)
    h = block.header
    voters = rng.sample(KEYS, rng.randint(VSET.q, VSET.n))
    votes = tuple(
        sign_vote(Vote(block.block_id, h.proposer, h.seq, k.peer_id, Decision.ACCEPT, Reason.OK), k, GID) for k in voters
    )
    return Certificate(block.block_id, h.proposer, h.seq, votes)


def _evidence(rng: random.Random) -> Evidence:
    if rng.random() < 0.5:
        k = rng.choice(KEYS)
        proposer, seq = rng.choice(KEYS).peer_id, rng.randint(1, 100)
        a = _vote(rng, k, cid_of(b"a" + rng.randbytes(4)), proposer, seq)
        b = _vote(rng, k, cid_of(b"b" + rng.randbytes(4)), proposer, seq)
        return Evidence(VOTER_EQUIVOCATION, k.peer_id, (proposer, seq), a.encode(), b.encode())
    k = rng.choice(KEYS)
    seq = rng.randint(1, 100)
    a, b = _block(rng, k, 1, seq), _block(rng, k, 2, seq)
    return Evidence(PROPOSER_EQUIVOCATION, k.peer_id, (k.peer_id, seq), a.signed.encode(), b.signed.encode())


def _request(rng: random.Random) -> bytes:
    req = rng.choice([Heads(), GetBlocks(rng.choice(KEYS).peer_id, rng.randint(1, 1000), rng.randint(1, 256)),
                      Get(cid_of(rng.randbytes(4)))])
    return encode_request(req)


def _response(rng: random.Random) -> bytes:
    pick = rng.randrange(4)
    if pick == 0:
        heads = tuple((k.peer_id, s, cid_of(rng.randbytes(4)), rng.randint(1, s))
                      for k in rng.sample(KEYS, rng.randint(0, 4)) for s in [rng.randint(1, 10**6)])
        return encode_response(HeadsResp(heads))
    if pick == 1:
        items = []
        for _ in range(rng.randint(0, 2)):
            b = _block(rng)
            items.append((b.encode(), _cert(rng, b).encode()))
        return encode_response(BlocksResp(tuple(items)))
    if pick == 2:
        b = _block(rng)
        return encode_response(GetResp(b.encode(), rng.choice([None, _cert(rng, b).encode()])))
    return encode_response(ErrorResp(rng.choice([400, 404, 429, 500]), rng.choice(["busy", "no such block", ""])))


def _genesis_text(rng: random.Random) -> str:
    n = rng.randint(1, 4)
    g = Genesis(rng.choice(["fuzznet", "a", "net-2"]), ValidatorSet(k.peer_id for k in KEYS[:n]), (MODEL_ID,),
                score_tolerance=rng.choice([0.02, 0.1]), genesis_time_ms=rng.randrange(0, 2**40))
    return genesis_to_toml(g)


# --- mutation -------------------------------------------------------------------------

_INTERESTING_BYTES = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9,
                      0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xD3, 0xD4, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD,
                      0xDE, 0xDF, 0x90, 0x9F, 0x80, 0x8F, 0xA0, 0xBF, 0xE0]
_LENGTH_HEADERS = [b"\xdd\xff\xff\xff\xff", b"\xdc\xff\xff", b"\xc6\xff\xff\xff\xff", b"\xdb\xff\xff\xff\xff",
                   b"\xdf\xff\xff\xff\xff", b"\xc9\xff\xff\xff\xff\x01", b"\xc5\xff\xff", b"\xda\xff\xff",
                   b"\xdd\x00\x01\x00\x00", b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff", b"\xd3\x80" + bytes(7)]


def mutate_bytes(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(11)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:
            buf[min(pos, len(buf) - 1)] = rng.choice(_INTERESTING_BYTES)
        elif op == 2 and buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op == 3:
            del buf[pos:]
        elif op == 4:
            buf[pos:pos] = rng.randbytes(rng.randint(1, 8))
        elif op == 5:
            del buf[pos:pos + rng.randint(1, 16)]
        elif op == 6 and buf:
            a = rng.randrange(len(buf))
            chunk = bytes(buf[a:a + rng.randint(1, 64)])
            buf[pos:pos] = chunk * rng.randint(1, 4)
        elif op == 7:
            buf[pos:pos + rng.randint(0, 5)] = rng.choice(_LENGTH_HEADERS)
        elif op == 8 and donors:
            donor = rng.choice(donors)
            a = rng.randrange(len(donor) + 1)
            buf[pos:] = donor[a:a + rng.randint(1, 256)]
        elif op == 9:
            buf += rng.randbytes(rng.randint(1, 32))
        elif op == 10 and buf:
            # increment or decrement a byte: off-by-one lengths and counts
            i = min(pos, len(buf) - 1)
            buf[i] = (buf[i] + rng.choice([1, -1, 2, -2])) % 256
    return bytes(buf)


def _hostile_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(16)
    if pick == 0:
        return rng.choice([0, -1, 1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63), -(2**63) - 1 + 1, 255, 256, 65535, 65536])
    if pick == 1:
        return rng.choice([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308, 5e-324, 0.5])
    if pick == 2:
        return rng.choice(["", "x" * rng.choice([51, 52, 53, 59, 64, 65, 256, 4097]), "\u2603" * 30, "12D3KooW"])
    if pick == 3:
        return rng.randbytes(rng.choice([0, 1, 31, 32, 33, 35, 36, 37, 63, 64, 65, 256]))
    if pick == 4:
        return None
    if pick == 5:
        return rng.choice([True, False])
    if pick == 6 and depth < 3:
        return [_hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    if pick == 7 and depth < 3:
        return {rng.choice(["a", "kind", "", "x" * 70]): _hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if pick == 8:
        # deep nesting
        v: Any = 1
        for _ in range(rng.choice([10, 100, 500])):
            v = [v]
        return v
    if pick == 9:
        return cid_bytes(rng.randbytes(4))
    if pick == 10:
        return cid_of(rng.randbytes(4))
    if pick == 11:
        return rng.choice([k.peer_id for k in KEYS] + [OUTSIDER.peer_id])
    if pick == 12:
        # a fresh valid-curve peer id nobody holds (parse cost, not membership)
        return peer_id_from_public_bytes(rng.randbytes(31) + b"\x01")
    if pick == 13:
        return peer_id_from_public_bytes(bytes([1]) + bytes(31))  # small-order key
    if pick == 14:
        return msgpack.ExtType(rng.randrange(128), rng.randbytes(rng.randint(0, 8)))
    return rng.randrange(-(2**70), 2**70)


def _looks_packed(b: bytes) -> bool:
    return len(b) >= 2 and b[0] in (0x91, 0x92, 0x93, 0x94, 0x96, 0x9C, 0xDC, 0xDD) or (len(b) > 4 and b[:4] == b"\x28\xb5\x2f\xfd")


def mutate_structure(rng: random.Random, data: bytes, depth: int = 0) -> bytes | None:
    """Unpack, replace one node of the tree (or mutate a nested message), re-pack; None if not msgpack."""
    try:
        tree = msgpack.unpackb(data, raw=False, strict_map_key=False, max_bin_len=len(data),
                               max_str_len=len(data), max_array_len=100_000, max_map_len=100_000)
    except Exception:
        return None
    if not isinstance(tree, list) or not tree:
        return None
    # Walk to a random container position.
    parent: list[Any] = tree
    for _ in range(rng.randint(0, 4)):
        kids = [x for x in parent if isinstance(x, list) and x]
        if not kids:
            break
        parent = rng.choice(kids)
    i = rng.randrange(len(parent))
    node = parent[i]
    op = rng.randrange(10)
    if isinstance(node, bytes) and depth < 3 and op < 5:
        if node[:4] == b"\x28\xb5\x2f\xfd":
            # a zstd payload: mutate what is inside and recompress
            try:
                raw = zstandard.ZstdDecompressor().decompress(node, max_output_size=1 << 22)
                inner = mutate_structure(rng, raw, depth + 1) or mutate_bytes(rng, raw, [])
                parent[i] = zstandard.ZstdCompressor(write_content_size=rng.random() < 0.9).compress(inner)
            except zstandard.ZstdError:
                parent[i] = mutate_bytes(rng, node, [])
        elif _looks_packed(node):
            parent[i] = mutate_structure(rng, node, depth + 1) or mutate_bytes(rng, node, [])
        else:
            parent[i] = mutate_bytes(rng, node, [])
    elif op < 7:
        parent[i] = _hostile_value(rng)
    elif op == 7:
        del parent[i]
    elif op == 8:
        parent.insert(i, _hostile_value(rng))
    else:
        parent[i:i + 1] = [node] * rng.randint(2, 300)  # duplicates (finding 4) and count inflation
    try:
        return msgpack.packb(tree, use_bin_type=True)
    except (ValueError, OverflowError, TypeError):
        return None


def mutate_text(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        op = rng.randrange(7)
        pos = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            chars[min(pos, len(chars) - 1)] = chr(rng.choice([0, 0x22, 0x5B, 0x5D, 0x3D, 0x0A, 0x2C, 0xD800, 0x2603,
                                                               rng.randrange(32, 127)]))
        elif op == 1:
            del chars[pos:pos + rng.randint(1, 30)]
        elif op == 2:
            chars[pos:pos] = list(rng.choice(['"', "[", "]", "=", "\n", "x = 1\n", "[[a]]\n", "a.b.c = 1\n",
                                              "validators = []\n", "score_tolerance = nan\n", "max_block_records = 1e400\n",
                                              "[" * 300, "9" * 5000, "\\u0000", "'''", '"""']))
        elif op == 3:
            del chars[pos:]
        elif op == 4 and chars:
            a = rng.randrange(len(chars))
            chars[pos:pos] = chars[a:a + rng.randint(1, 80)]
        elif op == 5:
            chars[pos:pos] = list("x" * rng.choice([10, 1000, 100_000]))
        else:
            chars[pos:pos] = list(rng.choice(["network_id", "genesis_time_ms", "accepted_model_ids", "_id"]) + " = 7\n")
    return "".join(chars)


def random_msgpack(rng: random.Random) -> bytes:
    try:
        return msgpack.packb([_hostile_value(rng) for _ in range(rng.randint(0, 14))], use_bin_type=True)
    except (ValueError, OverflowError, TypeError):
        return rng.randbytes(rng.randint(0, 64))


# --- targets ------------------------------------------------------------------------------


@dataclasses.dataclass
class Target:
    name: str
    run: Callable[[Any], Any] | None
    arun: Callable[[Any], Awaitable[Any]] | None
    allowed: tuple[type[BaseException], ...]
    make_valid: Callable[[random.Random], Any]
    kind: str = "bytes"  # bytes | text | pair
    weight: float = 1.0
    #: The 10 ms rule is for what peers send. The genesis is a local file read
    #: once at start (its cost grows with its size, capped at 256 KiB, and the
    #: validator keys are loaded strictly): its time is reported, not judged.
    limit_applies: bool = True
    #: untimed preparation of an input (e.g. a header committing to a payload)
    prepare: Callable[[Any], Any] | None = None
    seeds: list[Any] = dataclasses.field(default_factory=list)
    # results
    count: int = 0
    accepted: int = 0
    total_s: float = 0.0
    slowest_ms: float = 0.0
    slowest_input: bytes | str | None = None
    over_limit: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    crashes: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    trace_peak_bytes: int = 0


def _payload_header(data: bytes) -> tuple[BlockHeader, bytes]:
    """A header that commits to ``data`` (untimed), so the CID check passes and zstd sees it.

    Its record count is what the payload holds when that can be read, so the
    record decoders behind the count check are reached too.
    """
    count = 1
    try:
        items = msgpack.unpackb(zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 22))
        if isinstance(items, list) and items:
            count = min(len(items), LIMITS.max_records)
    except Exception:  # noqa: BLE001 - a guess; the timed call decides
        pass
    header = dataclasses.replace(_BASE_HEADER, payload_cid=cid_of(data), payload_len=max(1, len(data)),
                                 record_count=count, scores=(0,) * count)
    return header, data


def _open(prepared: tuple[BlockHeader, bytes]) -> Any:
    return open_payload(prepared[0], prepared[1], LIMITS)


def _payload_seed(rng: random.Random) -> bytes:
    b = _block(rng)
    assert b.payload is not None
    return b.payload


def _cert_and_verify(data: bytes) -> Any:
    cert = decode_certificate(data)
    verify_certificate(cert, VSET, GID)
    return cert


def _evidence_and_verify(data: bytes) -> Any:
    ev = decode_evidence(data)
    ev.verify(VSET, GID, LIMITS)
    return ev


def _certified(pair: tuple[bytes, bytes]) -> Any:
    return verify_certified(pair[0], pair[1], GENESIS, LIMITS)


def _certified_seed(rng: random.Random) -> tuple[bytes, bytes]:
    b = _block(rng)
    return (b.encode(), _cert(rng, b).encode())


_BASE_HEADER: BlockHeader = _block(random.Random(0)).header
_TOPICS = Validators(GENESIS.network_id, VSET, LIMITS, genesis_id=GID)


def _topic(method: Callable[[Inbound], Awaitable[Verdict]]) -> Callable[[bytes], Awaitable[Any]]:
    async def run(data: bytes) -> Any:
        verdict = await method(Inbound(forwarder=OUTSIDER.peer_id, origin=OUTSIDER.peer_id, data=data))
        if not isinstance(verdict, Verdict):
            raise TypeError(f"topic validator returned {verdict!r}")
        return verdict if verdict is Verdict.ACCEPT else None
    return run


def make_targets() -> list[Target]:
    return [
        Target("record", decode_record, None, (RemoteError,), lambda r: _record(r, r.choice(KEYS).peer_id).canonical_bytes()),
        Target("header", lambda d: decode_header(d, LIMITS), None, (RemoteError,),
               lambda r: _block(r).header.canonical_bytes()),
        Target("signed_header", lambda d: decode_signed_header(d, LIMITS), None, (RemoteError,),
               lambda r: _block(r).signed.encode()),
        Target("block", lambda d: decode_block(d, LIMITS), None, (RemoteError,),
               lambda r: (_block(r) if r.random() < 0.7 else _block(r).header_only()).encode()),
        Target("payload_open", _open, None, (RemoteError,), _payload_seed, prepare=_payload_header),
        Target("vote", decode_vote, None, (RemoteError,), lambda r: _vote(r).vote.canonical_bytes()),
        Target("signed_vote", decode_signed_vote, None, (RemoteError,), lambda r: _vote(r).encode()),
        Target("vote_batch", decode_vote_batch, None, (RemoteError,),
               lambda r: VoteBatch(tuple({sv.vote.canonical_bytes(): sv for sv in
                                          (_vote(r) for _ in range(r.randint(1, 12)))}.values())).encode()),
        Target("vote_batch_members", lambda d: decode_vote_batch(d, VSET), None, (RemoteError,),
               lambda r: VoteBatch(tuple({sv.vote.canonical_bytes(): sv for sv in
                                          (_vote(r) for _ in range(r.randint(1, 12)))}.values())).encode()),
        Target("certificate", _cert_and_verify, None, (RemoteError,), lambda r: _cert(r).encode()),
        Target("evidence", _evidence_and_verify, None, (RemoteError,), lambda r: _evidence(r).encode()),
        Target("certified", _certified, None, (RemoteError,), _certified_seed, kind="pair", weight=0.5),
        Target("sync_request", decode_request, None, (RemoteError,), _request),
        Target("sync_response", decode_response, None, (RemoteError,), _response),
        Target("genesis", parse_genesis, None, (ConfigError,), _genesis_text, kind="text", weight=0.5,
               limit_applies=False),
        Target("topic_blocks", None, _topic(_TOPICS.block), (), lambda r: encode_block_announce(
            _block(r) if r.random() < 0.7 else _block(r).header_only(), r.randint(0, 5))),
        Target("topic_votes", None, _topic(_TOPICS.votes), (),
               lambda r: VoteBatch(tuple({sv.vote.canonical_bytes(): sv for sv in
                                          (_vote(r) for _ in range(r.randint(1, 12)))}.values())).encode()),
        Target("topic_certs", None, _topic(_TOPICS.cert), (), lambda r: _cert(r).encode()),
    ]


# --- inputs at the bounds ---------------------------------------------------------------------


def bound_cases(rng: random.Random) -> list[tuple[str, str, Any, str]]:
    """(target, case, input, who can send it): the largest inputs each limit lets through.

    Random mutation rarely builds a maximal message, so these are built on
    purpose and timed once each (min of 3). "anyone" inputs are what a peer
    with no key can make; "validator" inputs need a member's signature (the
    cost is work the protocol asks for, paid once per genuine message).
    """
    def fresh_id() -> str:
        return peer_id_from_public_bytes(rng.randbytes(31) + b"\x01")

    member = [k.peer_id for k in KEYS]
    cases: list[tuple[str, str, Any, str]] = []
    outsiders = packb([[packb([cid_bytes(rng.randbytes(4)), fresh_id(), 1, fresh_id(), 1, 0]), bytes(64)]
                       for _ in range(MAX_BATCH_VOTES)])
    cases.append(("topic_votes", f"{MAX_BATCH_VOTES} votes from fresh outsider ids, zero signatures", outsiders,
                  "anyone"))
    cases.append(("topic_votes", "4096 votes (over the cap)", packb([[b"x", bytes(64)]] * 4096), "anyone"))
    forged = packb([[packb([cid_bytes(rng.randbytes(4)), rng.choice(member), i + 1, rng.choice(member), 1, 0]),
                     bytes(64)] for i in range(MAX_BATCH_VOTES)])
    cases.append(("topic_votes", f"{MAX_BATCH_VOTES} member-named votes, forged signatures", forged, "anyone"))
    honest = VoteBatch(tuple(_vote(rng, seq=i + 1) for i in range(MAX_BATCH_VOTES))).encode()
    cases.append(("topic_votes", f"{MAX_BATCH_VOTES} genuine votes, first sight", honest, "validator"))
    many = packb([cid_bytes(b"x"), member[0], 1, [[packb([cid_bytes(b"x"), member[0], 1, fresh_id(), 1, 0]),
                                                   bytes(64)] for _ in range(1024)]])
    cases.append(("topic_certs", "1024 votes from fresh ids (n = 4)", many, "anyone"))
    cases.append(("topic_certs", "genuine certificate (q..n votes)", _cert(rng).encode(), "validator"))
    big = _block(rng, n=1)
    h = dataclasses.replace(big.header, record_count=LIMITS.max_records, scores=(1,) * LIMITS.max_records)
    cases.append(("header", f"{LIMITS.max_records} scores", h.canonical_bytes(), "anyone"))
    for n in (1024, LIMITS.max_records):
        b = _block(rng, n=n)
        assert b.payload is not None
        cases.append(("payload_open", f"{n} records ({len(b.payload) // 1024} KiB compressed)", b.payload,
                      "validator"))
        cases.append(("certified", f"{n}-record block with its certificate", (b.encode(), _cert(rng, b).encode()),
                      "validator"))
    heads = HeadsResp(tuple((fresh_id(), 5, cid_of(rng.randbytes(4)), 5) for _ in range(1024)))
    cases.append(("sync_response", "1024 heads of fresh ids", encode_response(heads), "anyone"))
    return cases


def _cold_caches() -> None:
    """Forget every decoded vote, CID conversion, parsed id and verified signature."""
    vote_module._VERIFIED = LruCache(16384)
    vote_module._VOTE_OF_BYTES = LruCache(16384)
    vote_module._TEXT_OF_BIN = LruCache(8192)
    vote_module._BIN_OF_TEXT = LruCache(8192)
    keys_module._PEER_KEY_CACHE = LruCache(8192)
    keys_module._PUB_CACHE = LruCache(4096)
    _TOPICS.verified = VerifiedCache()
    _TOPICS.verified_blocks = VerifiedCache()


async def run_bounds(rng: random.Random, limit_ms: float) -> list[dict[str, Any]]:
    targets = {t.name: t for t in make_targets()}
    rows = []
    for name, case, x, who in bound_cases(rng):
        t = targets[name]
        arg = t.prepare(x) if t.prepare is not None else x
        times = []
        outcome = ""
        for _ in range(3):
            _cold_caches()  # first sight: nothing decoded or verified yet
            elapsed, out, err = await _timed(t, arg)
            times.append(elapsed * 1000)
            outcome = type(err).__name__ if err is not None else ("accepted" if out is not None else "refused")
        rows.append({"target": name, "case": case, "sender": who, "ms": round(min(times), 3), "outcome": outcome,
                     "over_limit": min(times) > limit_ms})
    return rows


# --- the campaign -----------------------------------------------------------------------------


def make_input(rng: random.Random, t: Target, donors: list[bytes]) -> Any:
    roll = rng.random()
    if t.kind == "text":
        if roll < 0.05:
            return t.make_valid(rng)
        if roll < 0.10:
            return rng.randbytes(rng.randint(0, 200)).decode("latin-1")
        return mutate_text(rng, rng.choice(t.seeds))
    if t.kind == "pair":
        blk, cert = rng.choice(t.seeds)
        if roll < 0.05:
            return t.make_valid(rng)
        if roll < 0.5:
            return (mutate_structure(rng, blk) or mutate_bytes(rng, blk, donors), cert)
        return (blk, mutate_structure(rng, cert) or mutate_bytes(rng, cert, donors))
    if roll < 0.03:
        return t.make_valid(rng)
    if roll < 0.06:
        return rng.randbytes(rng.choice([0, 1, 2, 5, 16, 64, 300, 4096]))
    if roll < 0.10:
        return random_msgpack(rng)
    seed = rng.choice(t.seeds)
    if roll < 0.55:
        out = mutate_structure(rng, seed)
        if out is not None:
            return out
    return mutate_bytes(rng, seed, donors)


def _raw(x: Any) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8", "surrogatepass")
    return packb(list(x))


def _save(args: argparse.Namespace, target: str, what: str, x: Any) -> str | None:
    """Write an input in full under ``--save-dir`` (for reproduction); returns its path."""
    if args.save_dir is None or x is None:
        return None
    args.save_dir.mkdir(parents=True, exist_ok=True)
    path = args.save_dir / f"{target}.{what}.{cid_of(_raw(x))[-12:]}.bin"
    path.write_bytes(_raw(x))
    return str(path)


def _short(x: Any) -> str:
    raw = x if isinstance(x, bytes) else (x.encode("utf-8", "surrogatepass") if isinstance(x, str) else packb(list(x)))
    return raw[:4096].hex()


async def _call(t: Target, x: Any) -> Any:
    if t.arun is not None:
        return await t.arun(x)
    assert t.run is not None
    return t.run(x)


async def _timed(t: Target, x: Any) -> tuple[float, Any, BaseException | None]:
    start = time.perf_counter()
    try:
        out = await _call(t, x)
        err = None
    except BaseException as exc:  # noqa: BLE001 - classifying is the point
        if isinstance(exc, KeyboardInterrupt | trio.Cancelled):
            raise
        out, err = None, exc
    return time.perf_counter() - start, out, err


def reference_verify_us() -> float:
    """One raw Ed25519 verify, best of 5 loops: a yardstick for how loaded the machine is.

    About 50-70 us on an idle core of this machine; report figures scale with it.
    """
    key = PrivateKey(bytes(32))
    domain = signing_domain(DOMAIN_VOTE, GID)
    sig = key.sign(domain, bytes(150))
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(50):
            key.public.verify(domain, bytes(150), sig)
        best = min(best, (time.perf_counter() - start) / 50)
    return round(best * 1e6, 1)


async def run_campaign(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    targets = [t for t in make_targets() if not args.only or t.name in args.only]
    for t in targets:
        t.seeds = [t.make_valid(rng) for _ in range(args.seeds)]
    donors = [s for t in targets if t.kind == "bytes" for s in t.seeds]
    weights = [t.weight for t in targets]
    gc.collect()
    gc.freeze()  # setup objects never need scanning again: fewer, shorter collections
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    verify_us_start = reference_verify_us()
    started = time.perf_counter()
    done = 0
    next_report = args.report_every
    while done < args.inputs:
        t = rng.choices(targets, weights)[0]
        x = make_input(rng, t, donors)
        arg = t.prepare(x) if t.prepare is not None else x
        traced = args.trace_every and done % args.trace_every == 0
        if traced:
            # Net peak of this one call: what was allocated beyond what was
            # already live when it started.
            tracemalloc.start()
            live = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
        elapsed, out, err = await _timed(t, arg)
        if traced:
            t.trace_peak_bytes = max(t.trace_peak_bytes, tracemalloc.get_traced_memory()[1] - live)
            tracemalloc.stop()
        if elapsed * 1000 > args.remeasure_ms:
            for _ in range(2):
                again, _o, _e = await _timed(t, arg)
                elapsed = min(elapsed, again)
        t.count += 1
        t.total_s += elapsed
        ms = elapsed * 1000
        if ms > t.slowest_ms:
            t.slowest_ms, t.slowest_input = ms, x
        if ms > args.limit_ms and t.limit_applies and len(t.over_limit) < 20:
            t.over_limit.append({"ms": round(ms, 3), "input_hex": _short(x), "file": _save(args, t.name, "slow", x)})
        if err is None:
            if out is not None:
                t.accepted += 1
        elif not isinstance(err, t.allowed):
            tb = traceback.extract_tb(err.__traceback__)
            where = f"{tb[-1].filename}:{tb[-1].lineno}" if tb else "?"
            key = f"{type(err).__name__} at {where}"
            entry = t.crashes.setdefault(key, {"count": 0, "message": str(err)[:300], "input_hex": _short(x),
                                               "file": _save(args, t.name, "crash", x),
                                               "traceback": traceback.format_exception(err)[-6:]})
            entry["count"] += 1
        done += 1
        if done >= next_report:
            next_report += args.report_every
            rate = done / (time.perf_counter() - started)
            crashes = sum(c["count"] for t2 in targets for c in t2.crashes.values())
            print(f"  {done:>9,} inputs  {rate:,.0f}/s  crashes {crashes}", file=sys.stderr, flush=True)
        if done % 1000 == 0:
            await trio.lowlevel.checkpoint()
    wall = time.perf_counter() - started
    rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "meta": {"inputs": done, "seed": args.seed, "wall_s": round(wall, 2), "inputs_per_s": round(done / wall, 1),
                 "limit_ms": args.limit_ms, "remeasure_ms": args.remeasure_ms, "python": sys.version.split()[0],
                 "peak_rss_mib_start": round(rss_start / 1024, 1), "peak_rss_mib": round(rss_end / 1024, 1),
                 "pid": os.getpid(), "reference_verify_us": [verify_us_start, reference_verify_us()]},
        "crashes": sum(c["count"] for t in targets for c in t.crashes.values()),
        "over_limit": sum(len(t.over_limit) for t in targets),
        "limit_exempt": [t.name for t in targets if not t.limit_applies],
        "targets": {
            t.name: {
                "inputs": t.count,
                "accepted": t.accepted,
                "mean_us": round(t.total_s / max(t.count, 1) * 1e6, 1),
                "slowest_ms": round(t.slowest_ms, 3),
                "slowest_input_hex": _short(t.slowest_input) if t.slowest_input is not None else None,
                "slowest_input_file": _save(args, t.name, "slowest", t.slowest_input),
                "over_limit": t.over_limit,
                "trace_peak_kib": round(t.trace_peak_bytes / 1024, 1),
                "crashes": t.crashes,
            }
            for t in targets
        },
    }


def print_report(r: dict[str, Any]) -> None:
    m = r["meta"]
    print(f"fuzz campaign: {m['inputs']:,} inputs in {m['wall_s']:.0f} s ({m['inputs_per_s']:,.0f}/s), seed {m['seed']},"
          f" peak RSS {m['peak_rss_mib']} MiB; one raw Ed25519 verify took {m['reference_verify_us'][0]} us at the"
          f" start, {m['reference_verify_us'][1]} us at the end (machine load)")
    print(f"{'target':<20} {'inputs':>9} {'accepted':>9} {'mean us':>8} {'slowest ms':>10} {'>limit':>6}"
          f" {'trace KiB':>9} {'crashes':>7}")
    for name, t in r["targets"].items():
        crashes = sum(c["count"] for c in t["crashes"].values())
        print(f"{name:<20} {t['inputs']:>9,} {t['accepted']:>9,} {t['mean_us']:>8.1f} {t['slowest_ms']:>10.3f}"
              f" {len(t['over_limit']):>6} {t['trace_peak_kib']:>9.1f} {crashes:>7}")
        for key, c in t["crashes"].items():
            print(f"    CRASH {key} x{c['count']}: {c['message'][:120]}")
    print(f"crashes: {r['crashes']}   inputs over {m['limit_ms']} ms: {r['over_limit']}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--inputs", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seeds", type=int, default=24, help="valid seed messages per target")
    p.add_argument("--limit-ms", type=float, default=10.0, help="an input costing more is reported")
    p.add_argument("--remeasure-ms", type=float, default=2.0, help="re-time inputs slower than this (min of 3)")
    p.add_argument("--trace-every", type=int, default=2000, help="tracemalloc one input in N (0: never)")
    p.add_argument("--report-every", type=int, default=50_000)
    p.add_argument("--only", nargs="*", help="target names to run (default: all)")
    p.add_argument("--out", type=Path, default=None, help="JSON report path")
    p.add_argument("--save-dir", type=Path, default=None, help="write crashing, slow and slowest inputs here")
    p.add_argument("--bounds", action="store_true", help="also time hand-built inputs at every limit")
    args = p.parse_args(argv)
    result = trio.run(run_campaign, args)
    print_report(result)
    if args.bounds:
        result["bounds"] = trio.run(run_bounds, random.Random(args.seed), args.limit_ms)
        print("\ninputs at the bounds (min of 3):")
        for row in result["bounds"]:
            print(f"  {row['target']:<14} {row['case']:<52} {row['sender']:<9} {row['ms']:>9.3f} ms  {row['outcome']}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 1 if result["crashes"] or result["over_limit"] else 0


if __name__ == "__main__":
    sys.exit(main())
