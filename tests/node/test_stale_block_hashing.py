"""Stale replays and strangers' blocks are dropped before their payload is hashed; others hashed once.

Review 6, finding 7. ``decode_block_announce`` -> ``decode_block`` built a ``Block``, whose
``__post_init__`` hashes the payload, before ``Validators._check_block`` looked at the network,
membership or staleness, and ``_check_block`` then hashed it a second time. A keyless replay of a
decided block with a 400 KiB payload cost a SHA-256 of it for an IGNORE that costs the sender no
standing. The gossip check now decodes the block's parts (``protocol.block.decode_block_parts``),
runs the header checks, and only then builds the ``Block``: the payload's one hash.
"""

from __future__ import annotations

import random

import pytest

import node.net.topics as topics
import protocol.block as pblock
import protocol.cid as pcid
from node.net.topics import STALE_SLOTS, Validators, encode_block_announce
from node.net.verify import Verdict
from protocol.block import Block, build_block
from protocol.codec import packb
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.vote import Decision, Reason, Vote, sign_vote
from tests.node.test_net_budget import (
    KEYS,
    MODEL,
    OUTSIDER,
    Clock,
    G,
    block,
    certify,
    msg,
    validators,
)

V = KEYS[0]


def _big_block(seq: int, key: PrivateKey = V, network: str = G.network_id) -> Block:
    # ~400 KiB of incompressible bytes: fits a gossip announce (512 KiB)
    rng = random.Random(seq)
    recs = [Record.create("blob", key.peer_id, 1_700_000_000_000 + i, {"b": rng.randbytes(4000)})
            for i in range(100)]
    b = build_block(key, genesis_id=G.id, network=network, seq=seq, prev=None,
                    created_ms=1_700_000_000_000, model_id=MODEL, records=recs, scores=[0.5] * 100)
    assert b.payload is not None
    assert len(b.payload) > 256 * 1024
    return b


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of every payload hashed (``protocol.block.cid_matches``) from now on."""
    sizes: list[int] = []
    real = pblock.cid_matches

    def counting(cid: str, data: bytes) -> bool:
        sizes.append(len(data))
        return real(cid, data)

    # Every module that hashes a payload by name (node.net.topics did, before the fix).
    for module in (pcid, pblock, topics):
        monkeypatch.setattr(module, "cid_matches", counting, raising=False)
    return sizes


async def _at_head(head: int) -> Validators:
    val = validators(Clock())
    await certify(val, V, head - 1)  # decided up to here
    assert await val.block(msg(encode_block_announce(block(V, seq=head), 0))) is Verdict.ACCEPT
    return val


async def test_a_stale_replay_is_dropped_before_its_payload_is_hashed(hashed: list[int]) -> None:
    val = await _at_head(STALE_SLOTS + 10)
    old = _big_block(1)
    hashed.clear()
    assert await val.block(msg(encode_block_announce(old, 1), forwarder="keyless")) is Verdict.IGNORE
    assert val.stale == 1
    assert hashed == [], f"a stale replay hashed {sum(hashed)} payload bytes before being dropped"


async def test_strangers_blocks_are_refused_before_their_payload_is_hashed(hashed: list[int]) -> None:
    val = validators(Clock())
    outsider = _big_block(1, key=OUTSIDER)
    elsewhere = _big_block(1, network="othernet")
    hashed.clear()
    assert await val.block(msg(encode_block_announce(outsider, 0))) is Verdict.REJECT
    assert await val.block(msg(encode_block_announce(elsewhere, 0))) is Verdict.REJECT
    assert hashed == []


async def test_a_replay_of_a_committed_block_is_dropped_before_its_payload_is_hashed(hashed: list[int]) -> None:
    val = validators(Clock())
    b = _big_block(1)
    assert await val.block(msg(encode_block_announce(b, 0), forwarder="proposer-link")) is Verdict.ACCEPT
    votes = tuple(sign_vote(Vote(b.block_id, V.peer_id, 1, k.peer_id, Decision.ACCEPT, Reason.OK), k, G.id)
                  for k in KEYS[:3])
    assert await val.cert(msg(Certificate(b.block_id, V.peer_id, 1, votes).encode())) is Verdict.ACCEPT
    hashed.clear()
    assert await val.block(msg(encode_block_announce(b, 1), forwarder="keyless")) is Verdict.IGNORE
    assert hashed == []


async def test_a_block_is_hashed_once_and_a_payload_it_did_not_commit_to_still_refused(hashed: list[int]) -> None:
    val = validators(Clock())
    b = _big_block(1)
    hashed.clear()
    assert await val.block(msg(encode_block_announce(b, 0))) is Verdict.ACCEPT
    assert b.payload is not None
    assert hashed == [len(b.payload)]
    # A genuine header with a payload swapped for one of the same length: REJECT, for a
    # fresh header and for one verified before.
    other = _big_block(2)
    assert other.payload is not None
    swapped = packb([b.signed.encode(), other.payload[: len(b.payload)].ljust(len(b.payload), b"\x00")])
    assert await val.block(msg(packb([1, swapped]))) is Verdict.REJECT
    fresh = _big_block(3)
    assert fresh.payload is not None
    swapped = packb([fresh.signed.encode(), bytes(len(fresh.payload))])
    assert await val.block(msg(packb([0, swapped]))) is Verdict.REJECT
    assert val.refused == 2
