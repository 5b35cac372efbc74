"""Review 37 (consensus), finding A: one far-future header poisons the net layer's stale filter.

node/net/topics.py ``Validators._check_block`` calls ``_saw(proposer, seq)`` for every block whose
proposer signature verifies, whatever its seq. ``_is_old`` then treats every slot of that proposer
``STALE_SLOTS`` (64) below it as "decided long ago", and ``_check_votes`` drops a WHOLE vote batch
(not relayed, not delivered to consensus) if any one vote in it is such a slot (review 6 #2's fix).

So a byzantine proposer Q signs one header at seq = s + 64 (the consensus core refuses it as
"beyond-window"; the net layer believes it). From then on every honest validator's vote batch that
holds its vote for Q's slot s -- next to its votes for honest proposers' slots, all batched within
VOTE_FLUSH_S -- is IGNOREd on every node that saw the header: the honest ACCEPTs in it are lost.

Also shown: the poison is recorded before the per-proposer block rate limit is applied, so a
poison sent while Q's bucket at a node is empty is IGNOREd (never relayed) yet still moves that
node's ``_high``: Q can poison chosen nodes only.

Run from /work/main:  .venv/bin/python docs/review37c/a_stale_poison.py
"""

from __future__ import annotations

import sys
import time

import trio

sys.path.insert(0, ".")

from node.net.topics import STALE_SLOTS, Validators, encode_block_announce  # noqa: E402
from node.net.verify import Inbound, Verdict  # noqa: E402
from protocol.block import BlockLimits, build_block  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.genesis import Genesis  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record  # noqa: E402
from protocol.slots import BlockSeen, SlotCore  # noqa: E402
from protocol.validators import ValidatorSet  # noqa: E402
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote  # noqa: E402

KEYS = [PrivateKey(bytes([0x90 + i]) * 32) for i in range(4)]
P, V1, V2, Q = KEYS  # P, V1, V2 honest; Q byzantine (validator and proposer)
MODEL = cid_of(b"review37 model")
G = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in KEYS), accepted_model_ids=(MODEL,))


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def block(key: PrivateKey, seq: int, tag: int = 0):  # noqa: ANN201
    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + i + tag, {"v": float(i), "t": tag})
            for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None, created_ms=1,
                       model_id=MODEL, records=recs, scores=[0.6] * 3)


def vote(voter: PrivateKey, b, decision: Decision = Decision.ACCEPT):  # noqa: ANN001, ANN201
    reason = Reason.OK if decision is Decision.ACCEPT else Reason.LOW_IMPORTANCE
    h = b.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, voter.peer_id, decision, reason), voter, G.id)


def msg(data: bytes, forwarder: str) -> Inbound:
    return Inbound(forwarder, forwarder, data)


def node(clock: Clock | None = None) -> Validators:
    return Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=clock or Clock(),
                      proposers=G.proposer_ids)


async def main() -> None:
    s = 5
    p_blk, q_blk = block(P, s), block(Q, s)
    poison = block(Q, s + STALE_SLOTS, tag=99)
    # V1's honest batch: ACCEPT on P's block, REJECT on Q's junk block, cast within one 5 ms flush.
    honest_batch = VoteBatch((vote(V1, p_blk), vote(V1, q_blk, Decision.REJECT))).encode()
    honest_batch_p_only = VoteBatch((vote(V1, p_blk),)).encode()

    print("== control: node N without the poison")
    n0 = node()
    for b in (p_blk, q_blk):
        assert await n0.block(msg(encode_block_announce(b, 0), "link")) is Verdict.ACCEPT
    v = await n0.votes(msg(honest_batch, V1.peer_id))
    print(f"  V1's batch [ACCEPT P/{s}, REJECT Q/{s}]: {v.name} (verified sigs: {len(n0.verified)})")

    print("== attack: Q signs one header at seq s+64 (consensus would refuse it)")
    n1 = node()
    for b in (p_blk, q_blk):
        assert await n1.block(msg(encode_block_announce(b, 0), "link")) is Verdict.ACCEPT
    t0 = time.perf_counter()
    pv = await n1.block(msg(encode_block_announce(poison, 0), Q.peer_id))
    t_poison = time.perf_counter() - t0
    print(f"  poison header Q/{s + STALE_SLOTS}: topic verdict {pv.name} (relayed network-wide), "
          f"cost to check {t_poison * 1e3:.2f} ms")
    core = SlotCore(G, V2.peer_id)
    print(f"  the consensus core on the same header: {[type(e).__name__ + ':' + getattr(e, 'what', '') for e in core.handle(BlockSeen(poison, 'q'), 0)]}")
    before = len(n1.verified)
    v = await n1.votes(msg(honest_batch, V1.peer_id))
    print(f"  V1's batch [ACCEPT P/{s}, REJECT Q/{s}]: {v.name}; signatures checked {len(n1.verified) - before}; "
          f"stale-dropped {n1.stale} -> V1's ACCEPT for honest P/{s} is neither delivered nor relayed")
    v = await n1.votes(msg(honest_batch_p_only, V1.peer_id))
    print(f"  control, V1's batch [ACCEPT P/{s}] alone: {v.name}")

    # Every relayer drops it too: the poison was relayed, so every node has the same _high.
    print("== Q keeps going: next junk slot s+1 is still fresh at the net layer; one more poison each")
    q_next = block(Q, s + 1)
    pv2 = await n1.block(msg(encode_block_announce(q_next, 0), Q.peer_id))
    pv3 = await n1.block(msg(encode_block_announce(block(Q, s + 1 + STALE_SLOTS, tag=98), 0), Q.peer_id))
    batch2 = VoteBatch((vote(V2, block(P, s + 1)), vote(V2, q_next, Decision.REJECT))).encode()
    v = await n1.votes(msg(batch2, V2.peer_id))
    print(f"  Q/{s + 1}: {pv2.name}; poison Q/{s + 1 + STALE_SLOTS}: {pv3.name}; "
          f"V2's batch [ACCEPT P/{s + 1}, REJECT Q/{s + 1}]: {v.name}")

    print("== selective poison: Q drains its own block bucket at node N2 first, then sends the poison")
    clock = Clock()
    n2 = node(clock)
    for b in (p_blk, q_blk):
        await n2.block(msg(encode_block_announce(b, 0), "link"))
    burst = 0
    for k in range(60):  # Q's valid variants of slots below s+64: harmless on their own
        burst += await n2.block(msg(encode_block_announce(block(Q, s + 1 + (k % 40), tag=200 + k), 0), Q.peer_id)) \
            is Verdict.ACCEPT
    pv = await n2.block(msg(encode_block_announce(poison, 0), Q.peer_id))
    v = await n2.votes(msg(honest_batch, V1.peer_id))
    print(f"  {burst} of Q's 60 burst blocks accepted; poison verdict {pv.name} (NOT relayed), yet "
          f"N2._high[Q] = {n2._high[Q.peer_id]} and V1's batch is {v.name}")


trio.run(main)
