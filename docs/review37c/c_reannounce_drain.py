"""Review 37 (consensus), finding C: a keyless peer spends an honest forwarder's re-announce budget.

node/net/topics.py ``Validators.votes``: a vote batch holding only already-verified votes is a
replay; it is charged to its *forwarder*'s ``reannounce_rate`` (20/s, burst 40) -- the same bucket
that the forwarder's own block re-announces and its vote re-sends (``VoteBatch.resend``) are
charged to -- and relayed if at least half of its votes were not relayed in the last second
(``_replay_news``). The resend counter is unsigned, so anyone makes new message ids from genuine
votes at will.

A keyless attacker holding genuine votes of slots that are neither old nor certified (any rejected
slot: e.g. the honest REJECTs on a byzantine proposer's junk slots, 3 per slot at n = 4, up to 64
slots back) sends them, one vote a batch, to honest validator R from two peer ids (each has its
own 20/s bucket at R). R relays every batch it accepts; at R's peer N they are charged to R. R's
own re-sent vote and R's own block re-announce are then IGNOREd at N.

Both nodes are the real topic validators, driven in-process on a simulated clock.
Run from /work/main:  .venv/bin/python docs/review37c/c_reannounce_drain.py
"""

from __future__ import annotations

import sys

import trio

sys.path.insert(0, ".")

from node.net.topics import Validators, encode_block_announce  # noqa: E402
from node.net.verify import Inbound, Verdict  # noqa: E402
from protocol.block import BlockLimits, build_block  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.genesis import Genesis  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record  # noqa: E402
from protocol.validators import ValidatorSet  # noqa: E402
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote  # noqa: E402

KEYS = [PrivateKey(bytes([0xB0 + i]) * 32) for i in range(4)]
P, R, V2, Q = KEYS
MODEL = cid_of(b"review37 model")
G = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in KEYS), accepted_model_ids=(MODEL,))


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def block(key: PrivateKey, seq: int, tag: int = 0):  # noqa: ANN201
    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + i + tag, {"v": float(i)}) for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None, created_ms=1,
                       model_id=MODEL, records=recs, scores=[0.1] * 3)


def vote(voter: PrivateKey, b, decision: Decision):  # noqa: ANN001, ANN201
    reason = Reason.OK if decision is Decision.ACCEPT else Reason.LOW_IMPORTANCE
    h = b.header
    return sign_vote(Vote(b.block_id, h.proposer, h.seq, voter.peer_id, decision, reason), voter, G.id)


def node(clock: Clock) -> Validators:
    return Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=clock,
                      proposers=G.proposer_ids)


async def main() -> None:
    clock = Clock()
    r_node, n_node = node(clock), node(clock)
    # Q's 20 junk slots, each REJECTed by the three honest validators: 60 genuine votes, seen by all.
    pool = []
    for s in range(1, 21):
        qb = block(Q, s, tag=s)
        for nd in (r_node, n_node):
            assert await nd.block(Inbound("q", "q", encode_block_announce(qb, 0))) is Verdict.ACCEPT
        votes = [vote(k, qb, Decision.REJECT) for k in (P, R, V2)]
        for nd in (r_node, n_node):
            assert await nd.votes(Inbound("x", "x", VoteBatch(tuple(votes)).encode())) is Verdict.ACCEPT
        pool += votes
    # R's own block (P/1 style: its own slot) and its own vote on P's open slot, both seen at N before.
    r_blk = block(R, 1, tag=777)
    assert await n_node.block(Inbound(R.peer_id, R.peer_id, encode_block_announce(r_blk, 0))) is Verdict.ACCEPT
    p_blk = block(P, 1, tag=555)
    r_vote = vote(R, p_blk, Decision.ACCEPT)
    assert await n_node.votes(Inbound(R.peer_id, R.peer_id, VoteBatch((r_vote,)).encode())) is Verdict.ACCEPT

    counter = 1
    tally = {"attack_in": 0, "relayed_by_R": 0, "accepted_at_N": 0,
             "R_reannounce_ok": 0, "R_reannounce_ignored": 0, "R_resend_ok": 0, "R_resend_ignored": 0}
    step = 1 / 40  # the attacker's pace: 40 single-vote batches a second, alternating two peer ids
    t_end = clock.t + 12.0
    clock.t += 1.1  # every pool vote is "news" again
    next_r = clock.t + 0.5
    i = 0
    while clock.t < t_end:
        sv = pool[i % len(pool)]
        i += 1
        counter += 1
        data = VoteBatch((sv,), counter).encode()
        tally["attack_in"] += 1
        sybil = "sybil-a" if i % 2 else "sybil-b"
        if await r_node.votes(Inbound(sybil, sybil, data)) is Verdict.ACCEPT:
            tally["relayed_by_R"] += 1
            tally["accepted_at_N"] += await n_node.votes(Inbound(R.peer_id, sybil, data)) is Verdict.ACCEPT
        if clock.t >= next_r:  # R's honest re-announce of its block and re-send of its vote (3 s cadence)
            next_r += 3.0
            ok = await n_node.block(Inbound(R.peer_id, R.peer_id, encode_block_announce(r_blk, counter)))
            tally["R_reannounce_ok" if ok is Verdict.ACCEPT else "R_reannounce_ignored"] += 1
            counter += 1
            ok = await n_node.votes(Inbound(R.peer_id, R.peer_id, VoteBatch((r_vote,), counter).encode()))
            tally["R_resend_ok" if ok is Verdict.ACCEPT else "R_resend_ignored"] += 1
        clock.t += step
    print("12 s, attacker 40 batches/s of genuine REJECT votes of rejected junk slots, two sybil ids -> R -> N")
    for k, v in tally.items():
        print(f"  {k}: {v}")

    # Control: the same R honest traffic with no attacker.
    clock2 = Clock()
    n2 = node(clock2)
    assert await n2.block(Inbound(R.peer_id, R.peer_id, encode_block_announce(r_blk, 0))) is Verdict.ACCEPT
    assert await n2.votes(Inbound(R.peer_id, R.peer_id, VoteBatch((r_vote,)).encode())) is Verdict.ACCEPT
    ok = 0
    for k in range(4):
        clock2.t += 3.0
        ok += await n2.block(Inbound(R.peer_id, R.peer_id, encode_block_announce(r_blk, 10 + k))) is Verdict.ACCEPT
        ok += await n2.votes(Inbound(R.peer_id, R.peer_id, VoteBatch((r_vote,), 20 + k).encode())) is Verdict.ACCEPT
    print(f"control (no attacker): R's 4 re-announces + 4 re-sends accepted at N: {ok} of 8")


trio.run(main)
