"""Review 37d, D2: the stale mark still makes honest vote batches stale, one slot after a decision.

Fix A caps a block's own signature at (proposer's highest *decided* seq) + STALE_SLOTS, and a slot is
"decided" on a certificate or on f + 1 verified REJECTs. ``_is_old`` is ``seq <= _high - 64``, so with
``_high = c + 64`` the decided slot c itself is "old", and any batch holding a vote of slot c is
dropped WHOLE, unverified (``_check_votes`` raises _Stale before the ``_is_certified`` exemption of
honest re-sends can help). Honest validators re-send votes of decided slots within
slot_window_behind (16) (SlotCore._resend, on a re-announce), batched with fresh votes of other
proposers (the daemon's 5 ms vote flusher), and a slower validator's first vote of slot c comes
after the faster ones decided it.

Also: the f + 1 REJECTs that "decide" the slot may include the byzantine Q's own REJECT, so Q
decides its slot at N with the FIRST honest REJECT (at n = 4, f + 1 = 2), while the slot could still
gather a quorum of ACCEPTs (Q signs both).

Real node.net.topics.Validators (two nodes' worth of state, no network), keys and blocks as in
docs/review37c/a_stale_poison.py. Run from /work/main:
  .venv/bin/python docs/review37d/d2_stale_after_decide.py
"""

from __future__ import annotations

import sys

import trio

sys.path.insert(0, ".")

from node.net.topics import STALE_SLOTS, Validators, encode_block_announce  # noqa: E402
from node.net.verify import Inbound, Verdict  # noqa: E402
from protocol.block import BlockLimits, build_block  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.genesis import Genesis  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.quorum import Certificate  # noqa: E402
from protocol.record import Record  # noqa: E402
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
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None, created_ms=1 + tag,
                       model_id=MODEL, records=recs, scores=[0.6] * 3)


def vote(voter: PrivateKey, b, decision: Decision = Decision.ACCEPT):  # noqa: ANN001, ANN201
    reason = Reason.OK if decision is Decision.ACCEPT else Reason.LOW_IMPORTANCE
    h = b.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, voter.peer_id, decision, reason), voter, G.id)


def msg(data: bytes, forwarder: str, origin: str | None = None) -> Inbound:
    return Inbound(forwarder, origin or forwarder, data)


def node() -> Validators:
    return Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=Clock(),
                      proposers=G.proposer_ids)


async def scenario(q_rejects: bool, poison: bool) -> str:
    """Q's junk slot Q/5: V1 REJECTs first (and Q, if q_rejects); Q then signs a fresh header at
    5 + 64 (if poison); V2's batch [ACCEPT P/5, REJECT Q/5] arrives after."""
    s = 5
    n = node()
    p_blk, q_blk = block(P, s), block(Q, s)
    for b in (p_blk, q_blk):
        assert await n.block(msg(encode_block_announce(b, 0), "link")) is Verdict.ACCEPT
    v1 = await n.votes(msg(VoteBatch((vote(V1, q_blk, Decision.REJECT),)).encode(), V1.peer_id))
    vq = None
    if q_rejects:
        vq = await n.votes(msg(VoteBatch((vote(Q, q_blk, Decision.REJECT),)).encode(), Q.peer_id))
    pv = None
    if poison:
        pv = await n.block(msg(encode_block_announce(block(Q, s + STALE_SLOTS, tag=77), 0), Q.peer_id))
    before = len(n.verified)
    honest = VoteBatch((vote(V2, p_blk), vote(V2, q_blk, Decision.REJECT))).encode()
    v = await n.votes(msg(honest, V2.peer_id))
    return (f"V1 REJECT {v1.name}, Q REJECT {vq.name if vq else '-'}, poison Q/{s + STALE_SLOTS} "
            f"{pv.name if pv else '-'}; certified_high[Q]={n._certified_high.get(Q.peer_id, 0)} "
            f"_high[Q]={n._high.get(Q.peer_id, 0)} -> V2's [ACCEPT P/{s}, REJECT Q/{s}]: {v.name}, "
            f"signatures checked {len(n.verified) - before}, stale {n.stale}")


async def certified_resend() -> str:
    """Q's slot 5 is committed with a certificate (Q proposed a good block). Q re-announces it and
    signs a fresh header at 5 + 64; V2 re-sends its ACCEPT Q/5 (SlotCore._resend) in one flush with
    its fresh ACCEPT P/6."""
    n = node()
    q5 = block(Q, 5)
    p6 = block(P, 6)
    for b in (q5, p6):
        assert await n.block(msg(encode_block_announce(b, 0), "link")) is Verdict.ACCEPT
    cert = Certificate(q5.block_id, Q.peer_id, 5, (vote(P, q5), vote(V1, q5), vote(V2, q5)))
    c = await n.cert(msg(cert.encode(), V1.peer_id))
    pv = await n.block(msg(encode_block_announce(block(Q, 5 + STALE_SLOTS, tag=78), 0), Q.peer_id))
    before = len(n.verified)
    v = await n.votes(msg(VoteBatch((vote(V2, p6), vote(V2, q5))).encode(), V2.peer_id))
    checked = len(n.verified) - before
    v_alone = await n.votes(msg(VoteBatch((vote(V1, p6),)).encode(), V1.peer_id))
    return (f"cert Q/5 {c.name}; poison Q/{5 + STALE_SLOTS} {pv.name}; _high[Q]={n._high[Q.peer_id]} -> "
            f"V2's [ACCEPT P/6 (fresh), ACCEPT Q/5 (re-send)]: {v.name}, signatures checked "
            f"{checked}; control V1's [ACCEPT P/6] alone: {v_alone.name}")


async def main() -> None:
    print(f"n=4, f={G.validators.f}, f+1={G.validators.f + 1}, STALE_SLOTS={STALE_SLOTS}")
    print("control, no Q REJECT, poison:   ", await scenario(q_rejects=False, poison=True))
    print("Q REJECT, no poison:            ", await scenario(q_rejects=True, poison=False))
    print("attack, Q REJECT + poison:      ", await scenario(q_rejects=True, poison=True))
    print("certified slot, re-send:        ", await certified_resend())


trio.run(main)
