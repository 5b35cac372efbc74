"""Review 37: a lying sync server against the REAL SyncService client (what held).

Real victim SyncService (empty store, default SyncParams), tests/node/test_syncsvc.py's in-memory
Net, trio MockClock. A liar answers Heads truthfully-looking (KEYS[0]'s chain of 5 blocks, or a
claim of 2**40) and answers GetBlocks with a forged item first. For each variant prints: blocks the
victim committed, whether the liar is banned, and the penalty text.

usage: .venv/bin/python docs/review37/s3_lying_server.py
"""

from __future__ import annotations

import logging
import os
import random
import sys
import tempfile

sys.path.insert(0, ".")

import trio  # noqa: E402
import trio.testing  # noqa: E402

from node.core.syncsvc import SyncService  # noqa: E402
from node.metrics import Metrics  # noqa: E402
from node.store import Store  # noqa: E402
from node.worker import Worker  # noqa: E402
from protocol.block import Block, build_block  # noqa: E402
from protocol.catchup import SyncParams  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.codec import packb  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.quorum import Certificate  # noqa: E402
from protocol.record import Record  # noqa: E402
from protocol.sync import (  # noqa: E402
    BlocksResp, ErrorResp, GetBlocks, Heads, HeadsResp, decode_request, encode_response,
)
from protocol.vote import Decision, Reason, SignedVote, Vote, sign_vote  # noqa: E402
from tests.node.test_syncsvc import KEYS, LIMITS, MODEL, FakeConsensus, Net, _certified, _commit, _genesis  # noqa: E402

G = _genesis()
P = KEYS[0].peer_id
CHAIN = [_certified(G, s) for s in range(1, 6)]
OUTSIDER = PrivateKey(b"\x99" * 32)


def item(block: Block, cert: Certificate | bytes) -> tuple[bytes, bytes]:
    return block.encode(), cert if isinstance(cert, bytes) else cert.encode()


def alt_block(seq: int, key: PrivateKey = KEYS[0], genesis=G) -> tuple[Block, Certificate]:
    recs = [Record.create("t", key.peer_id, 777_000 + seq, {"alt": 1})]
    b = build_block(key, genesis_id=genesis.id, network=genesis.network_id, seq=seq, prev=None, created_ms=seq,
                    model_id=MODEL, records=recs, scores=[0.5], limits=LIMITS)
    votes = tuple(sign_vote(Vote(b.block_id, key.peer_id, seq, k.peer_id, Decision.ACCEPT, Reason.OK), k, genesis.id)
                  for k in KEYS[:3])
    return b, Certificate(b.block_id, key.peer_id, seq, votes)


def variants() -> dict[str, list[tuple[bytes, bytes]]]:
    b1, _r1, c1 = CHAIN[0]
    b2, _r2, c2 = CHAIN[1]
    v = {}
    v["under quorum (2 of q=3 votes)"] = [item(b1, Certificate(c1.block_id, P, 1, c1.votes[:2]))]
    v["duplicate voter"] = [item(b1, Certificate(c1.block_id, P, 1, (*c1.votes[:2], c1.votes[0])))]
    rej = sign_vote(Vote(b1.block_id, P, 1, KEYS[2].peer_id, Decision.REJECT, Reason.LOW_IMPORTANCE), KEYS[2], G.id)
    v["a REJECT among the votes"] = [item(b1, Certificate(c1.block_id, P, 1, (*c1.votes[:2], rej)))]
    v["bad vote signature"] = [item(b1, Certificate(c1.block_id, P, 1,
                                                    (*c1.votes[:2], SignedVote(c1.votes[2].vote, b"\x01" * 64))))]
    foreign = tuple(sign_vote(sv.vote, k, cid_of(b"another genesis")) for sv, k in zip(c1.votes, KEYS[:3], strict=True))
    v["votes signed for another genesis id"] = [item(b1, Certificate(c1.block_id, P, 1, foreign))]
    outsider_vote = sign_vote(Vote(b1.block_id, P, 1, OUTSIDER.peer_id, Decision.ACCEPT, Reason.OK), OUTSIDER, G.id)
    v["outsider voter"] = [item(b1, Certificate(c1.block_id, P, 1, (*c1.votes[:2], outsider_vote)))]
    v["cert of another block (seq 2) with block 1"] = [item(b1, c2)]
    # votes for block 2 repackaged in a certificate that names block 1
    v["votes for another block under block 1's id"] = [item(b1, Certificate(c1.block_id, P, 1, c2.votes))]
    v["payload swapped (header of 1, payload of 2)"] = [(packb([b1.signed.encode(), b2.payload]), c1.encode())]
    v["header-only block (no payload)"] = [(packb([b1.signed.encode(), None]), c1.encode())]
    ob, oc = alt_block(1, key=KEYS[1])
    v["another proposer's real certified block"] = [item(ob, oc)]
    v["blocks out of order (2 then 1)"] = [item(b2, c2), item(b1, c1)]
    v["garbage bytes as a block"] = [(b"\x92\xc4\x00\xc0", c1.encode())]
    return v


async def run_one(name: str, items: list[tuple[bytes, bytes]], *, claim: int = 5,
                  pre_commit: list | None = None, answer_fn=None) -> None:
    net = Net()
    tmp = tempfile.mkdtemp(prefix="r37s3")
    store = Store.open(os.path.join(tmp, "v.sqlite"))
    for blk in pre_commit or []:
        _commit(store, *blk)
    victim = SyncService(p2p=net.host("victim", ["liar"]), store=store, db=Worker("db-v"),
                         consensus=FakeConsensus(store), genesis=G, metrics=Metrics(), params=SyncParams(),
                         rng=random.Random(3), limits=LIMITS)
    asked: list[object] = []

    async def liar(peer: str, data: bytes) -> bytes:
        req = decode_request(data)
        asked.append(req)
        if isinstance(req, Heads):
            return encode_response(HeadsResp(((P, claim, CHAIN[-1][0].block_id, claim),)))
        if isinstance(req, GetBlocks):
            if answer_fn is not None:
                return encode_response(answer_fn(req))
            return encode_response(BlocksResp(tuple(items)))
        return encode_response(ErrorResp(404, "no"))

    net.handlers["liar"] = liar
    msgs: list[str] = []

    class H(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            msgs.append(record.getMessage())

    h = H()
    logging.getLogger("attnshare.sync").addHandler(h)
    logging.getLogger("attnshare.sync").setLevel(logging.INFO)
    async with trio.open_nursery() as nursery:
        await nursery.start(victim.run)
        for _ in range(120):  # 60 s simulated, in steps: autojump must not skip past thread work
            await trio.sleep(0.5)
        nursery.cancel_scope.cancel()
    logging.getLogger("attnshare.sync").removeHandler(h)
    heads = store.heads()
    held = heads[0][3] if heads else 0
    pre = len(pre_commit or [])
    pen = [m for m in msgs if "lost standing" in m]
    print(f"- {name}: committed {held - pre} new; liar banned={victim.is_banned('liar')}; "
          f"requests seen by liar {len(asked)}; first penalty: {pen[0][-110:] if pen else None}")


async def main() -> None:
    for name, items in variants().items():
        await run_one(name, items)
    # a fork: the victim committed block 1; the liar serves another block for seq 1 with a full
    # quorum of real votes (only more than f faulty validators can sign that)
    fb, fc = alt_block(1)
    await run_one("fork: another q-certified block in a slot the victim committed", [item(fb, fc)],
                  pre_commit=[CHAIN[0]])
    # a chain that never ends: claims 2**40 blocks, serves the 5 real ones, then nothing
    def endless(req: GetBlocks) -> BlocksResp:
        return BlocksResp(tuple(item(b, c) for b, _r, c in CHAIN if b.header.seq >= req.from_seq)[:req.limit])
    await run_one("claims head 2**40, serves the 5 real blocks, then nothing", [], claim=2**40, answer_fn=endless)
    # answers every GetBlocks with the real block 1, below what was asked (the old restart-forever bug)
    await run_one("answers with block 1 whatever is asked (victim holds 1..2)", [item(CHAIN[0][0], CHAIN[0][2])],
                  pre_commit=CHAIN[:2])
    # answers with the asked seq and skips others it claimed (hole)
    await run_one("asked from 1, answers from 2 (claims count == seq)",
                  [item(b, c) for b, _r, c in CHAIN[1:]])
    # 256 items when 32 were asked: real blocks, 5 of them, repeated? (no: one each) - more than limit
    def over_limit(req: GetBlocks) -> BlocksResp:
        return BlocksResp(tuple(item(b, c) for b, _r, c in CHAIN))
    await run_one("answers 5 blocks to a request whose limit is 32 (sanity)", [], answer_fn=over_limit)


if __name__ == "__main__":
    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0.02))
