"""Review 37: safety fuzz of the pure slot core (held): no two honest nodes commit different blocks
in one slot, whatever a byzantine proposer-validator Q does.

n = 4 (q = 3, f = 1). Honest nodes H0..H2 each run a real ``SlotCore``; Q signs two variants A and
B of its slot 1 (both READY), sends each honest node one or both in random order, and votes
ACCEPT A / ACCEPT B / REJECT to each honest node at random (equivocating freely). Honest nodes
evaluate whatever the core asks (claims honest, so ACCEPT), sign with their own keys, and their
votes and any certificate they build reach each other honest node with probability 0.7, in random
order, over several rounds (re-deliveries). Checks: per slot, every honest commit names one block,
every certificate verifies, and no honest node casts two different votes in a slot.

Run from /work/main:  .venv/bin/python docs/review37c/g_safety_fuzz.py [trials]
"""

from __future__ import annotations

import random
import sys

sys.path.insert(0, ".")

from protocol.block import open_payload  # noqa: E402
from protocol.quorum import verify_certificate  # noqa: E402
from protocol.slots import (  # noqa: E402
    BlockSeen, CastVote, CertificateSeen, Commit, Evaluate, Evaluated, SlotCore, VotesSeen,
)
from protocol.vote import Decision, Reason, Vote, sign_vote  # noqa: E402
from tests.protocol.test_slots import GENESIS, KEYS, block  # noqa: E402

Q = KEYS[3]
HONEST = KEYS[:3]


def trial(rng: random.Random) -> tuple[set[str], int]:
    cores = {k.peer_id: SlotCore(GENESIS, k.peer_id) for k in HONEST}
    a, b = block(Q, 1, variant=1), block(Q, 1, variant=2)
    inbox: dict[str, list[object]] = {k.peer_id: [] for k in HONEST}
    cast: dict[str, set[tuple]] = {k.peer_id: set() for k in HONEST}
    commits: dict[str, str] = {}
    certs_made = 0
    for k in HONEST:
        blocks = rng.sample([a, b], rng.choice([1, 2]))
        inbox[k.peer_id] += [BlockSeen(x, "q") for x in blocks]
        for x in rng.sample([a, b], 2):
            d = rng.choice([Decision.ACCEPT, Decision.ACCEPT, Decision.REJECT])
            r = Reason.OK if d is Decision.ACCEPT else Reason.OTHER
            sv = sign_vote(Vote(x.block_id, Q.peer_id, 1, Q.peer_id, d, r), Q, GENESIS.id)
            if rng.random() < 0.8:
                inbox[k.peer_id].append(VotesSeen((sv,), "q"))
        rng.shuffle(inbox[k.peer_id])
    keys = {k.peer_id: k for k in HONEST}
    now = 0
    for _round in range(30):
        progressed = False
        for me in rng.sample(list(cores), 3):
            while inbox[me]:
                ev = inbox[me].pop(rng.randrange(len(inbox[me])))
                now += 1
                effects = cores[me].handle(ev, now)
                progressed = True
                for eff in effects:
                    if isinstance(eff, Evaluate):
                        blk = eff.block
                        recs = open_payload(blk.header, blk.payload)
                        inbox[me].append(Evaluated(blk.block_id, recs, blk.header.float_scores()))
                    elif isinstance(eff, CastVote):
                        sv = sign_vote(Vote(eff.block_id, eff.proposer, eff.seq, me, eff.decision, eff.reason),
                                       keys[me], GENESIS.id)
                        cast[me].add((eff.block_id, eff.decision))
                        inbox[me].append(VotesSeen((sv,), None))
                        for other in cores:
                            if other != me and rng.random() < 0.7:
                                inbox[other].append(VotesSeen((sv,), me))
                    elif isinstance(eff, Commit):
                        verify_certificate(eff.cert, GENESIS.validators, GENESIS.id)
                        certs_made += 1
                        commits[me] = eff.block.block_id
                        for other in cores:
                            if other != me and rng.random() < 0.7:
                                inbox[other].append(CertificateSeen(eff.cert, me))
                                # a node lacking the payload fetches it: hand it the block too
                                inbox[other].append(BlockSeen(eff.block, me))
        if not progressed:
            break
    for me, votes in cast.items():
        assert len(votes) <= 1, f"{me} voted twice in one slot: {votes}"
    return set(commits.values()), certs_made


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rng = random.Random(37)
    forks = committed = 0
    for _ in range(trials):
        ids, _n = trial(rng)
        forks += len(ids) > 1
        committed += len(ids) == 1
    print(f"{trials} trials: slots committed somewhere {committed}, forks (two blocks committed) {forks}")


main()
