"""Review 37, finding A (continued): how often an honest vote shares a batch with a poisoned one.

Drives the daemon's real vote batching (``Node._vote_flusher`` / ``_send_votes`` /
``_resend_votes``, VOTE_FLUSH_S = 5 ms) on trio's autojump clock, with a stub publisher that
takes 1 ms. Honest validator V's votes are fed in at modelled times; the byzantine proposer Q's
junk slots make V cast an immediate REJECT (claims_fall_short: no model run) at times Q picks.
A batch holding any Q-slot vote is what a_stale_poison.py showed every peer IGNOREs after Q's
poison header; an honest vote in such a batch is lost.

The arrival times are a MODEL (not a network measurement): (1) untimed: honest ACCEPTs Poisson at
16/s, Q cycles every 100 ms (its block bucket, 20/s, pays a junk block and a poison header per
cycle); (2) timed on re-sends: P re-announces every 3 s (pipeline.REANNOUNCE_S, a fixed cadence Q
observes), V re-sends its stored vote 0-3 ms after each; Q spends its 40-token burst on 20 cycles
5 ms apart starting 10 ms before each expected re-announce (the bucket refills in 2 s).

Run from /work/main:  .venv/bin/python docs/review37c/a2_cobatch_odds.py
"""

from __future__ import annotations

import random
import sys
from types import SimpleNamespace

import trio
import trio.testing

sys.path.insert(0, ".")

from node.core.daemon import VOTE_FLUSH_S, Node  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote  # noqa: E402
from protocol.cid import cid_of  # noqa: E402

V = PrivateKey(b"\xc1" * 32)
P = PrivateKey(b"\xc2" * 32).peer_id
Q = PrivateKey(b"\xc3" * 32).peer_id
GID = cid_of(b"g")
_seq = iter(range(1, 10**9))


def mk(proposer: str, decision: Decision):  # noqa: ANN201
    reason = Reason.OK if decision is Decision.ACCEPT else Reason.LOW_IMPORTANCE
    s = next(_seq)
    return sign_vote(Vote(cid_of(str(s).encode()), proposer, s, V.peer_id, decision, reason), V, GID)


def stub() -> SimpleNamespace:
    ns = SimpleNamespace(_votes_out=[], _votes_ready=trio.Event(), _resends_waiting=False, _resends=0,
                         topics=SimpleNamespace(votes="votes"), batches=[])

    async def publish(_topic: str, data: bytes) -> None:
        ns.batches.append(data)
        await trio.sleep(0.001)

    ns._publish = publish
    ns._next_resend = lambda: Node._next_resend(ns)
    ns._send_votes = lambda votes: Node._send_votes(ns, votes)
    ns.send = ns._send_votes
    ns.resend = lambda votes: Node._resend_votes(ns, votes)
    return ns


def lost(ns: SimpleNamespace) -> tuple[int, int]:
    from protocol.vote import decode_vote_batch
    honest = lost_n = 0
    for data in ns.batches:
        votes = decode_vote_batch(data).votes
        poisoned = any(sv.vote.proposer == Q for sv in votes)
        k = sum(1 for sv in votes if sv.vote.proposer == P)
        honest += k
        lost_n += k if poisoned else 0
    return lost_n, honest


async def untimed(seconds: float, rng: random.Random) -> tuple[int, int]:
    ns = stub()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(Node._vote_flusher, ns)

        async def honest() -> None:
            while True:
                await trio.sleep(rng.expovariate(16.0))
                ns.send([mk(P, Decision.ACCEPT)])

        async def byz() -> None:
            await trio.sleep(rng.random() * 0.1)
            while True:
                ns.send([mk(Q, Decision.REJECT)])
                await trio.sleep(0.1)

        nursery.start_soon(honest)
        nursery.start_soon(byz)
        await trio.sleep(seconds)
        nursery.cancel_scope.cancel()
    return lost(ns)


async def timed_resends(rounds: int, rng: random.Random) -> tuple[int, int]:
    ns = stub()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(Node._vote_flusher, ns)
        t0 = trio.current_time() + 1.0

        async def honest() -> None:
            for k in range(rounds):
                await trio.sleep_until(t0 + 3.0 * k + rng.uniform(0.0, 0.003))
                ns.resend([mk(P, Decision.ACCEPT)])

        async def byz() -> None:
            for k in range(rounds):
                for c in range(20):
                    await trio.sleep_until(t0 + 3.0 * k - 0.010 + 0.005 * c)
                    ns.send([mk(Q, Decision.REJECT)])

        nursery.start_soon(honest)
        nursery.start_soon(byz)
        await trio.sleep_until(t0 + 3.0 * rounds + 1)
        nursery.cancel_scope.cancel()
    return lost(ns)


def main() -> None:
    rng = random.Random(37)
    clock = trio.testing.MockClock(autojump_threshold=0)
    a, b = trio.run(untimed, 600.0, rng, clock=clock)
    print(f"VOTE_FLUSH_S = {VOTE_FLUSH_S}")
    print(f"untimed (Q cycle every 100 ms, 600 s): honest votes in poisoned batches {a} of {b} ({100 * a / b:.1f}%)")
    clock = trio.testing.MockClock(autojump_threshold=0)
    a, b = trio.run(timed_resends, 200, rng, clock=clock)
    print(f"timed on P's 3 s re-announce (200 rounds): V's re-sent votes in poisoned batches {a} of {b} ({100 * a / b:.1f}%)")


main()
