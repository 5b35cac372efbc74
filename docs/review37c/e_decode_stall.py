"""Review 37, finding E: keyless junk that costs 70-120 ms to decode stalls every topic validation.

The topic validators unpack the whole message with ``protocol.codec.unpackb`` before any
membership or shape check. ``max_array_len`` bounds each array's length, not how many arrays:
a message of nothing but empty arrays builds one Python list per input byte (about 56 B each):

* a 350 KB block announce (arrays of 4, a 4-ary tree of depth 9)      ~120 ms, ~40 MB
* a 330 KB certificate (1,024 arrays of 320 empty arrays)              ~70 ms, ~21 MB

against "0 inputs over 10 ms" in docs/protocol.md's fuzz table. The verification CPU budget is
checked when a message is ADMITTED (``Budget.cpu_available``) and charged only after it ran, so
a peer with a positive bucket gets ``max_queued_verifications`` (64) messages admitted at once;
all strangers together 128 (``pool_queued_verifications``); each holds up to 4 places in the
FIFO thread queue (``verify_threads`` = 1). An honest validator's vote batch arriving behind them
waits for all of it.

Part 1 times the decoders (thread CPU, best of 3). Part 2 runs the real Validators + Verifier +
Budget (default BudgetParams, genesis validators known, strangers unknown) in trio with the real
worker thread: N strangers each post 4 junk announces, then the honest validator's batch.

Run from /work/main:  .venv/bin/python docs/review37c/e_decode_stall.py [strangers]
"""

from __future__ import annotations

import sys
import time

import msgpack
import trio

sys.path.insert(0, ".")

from node.net.budget import Budget, BudgetParams  # noqa: E402
from node.net.topics import Validators  # noqa: E402
from node.net.verify import Inbound, Verdict, Verifier  # noqa: E402
from protocol.block import BlockLimits  # noqa: E402
from protocol.vote import VoteBatch  # noqa: E402
from tests.node.test_net_budget import KEYS, G, block, vote  # noqa: E402


def four(depth: int) -> list:
    return [] if depth == 0 else [four(depth - 1) for _ in range(4)]


ANNOUNCE = msgpack.packb([0, four(9)])
CERT = msgpack.packb([b"\x01" * 36, "x", 1, [[[] for _ in range(320)] for _ in range(1024)]])
BATCH = msgpack.packb([[[] for _ in range(257)] for _ in range(257)])


def best(f, data) -> float:  # noqa: ANN001
    out = []
    for _ in range(3):
        t = time.thread_time()
        try:
            f(data)
        except Exception:  # noqa: BLE001, S110
            pass
        out.append(time.thread_time() - t)
    return min(out) * 1e3


async def stall(strangers: int) -> None:
    budget = Budget(BudgetParams())
    verifier = Verifier(budget, threads=1, clock=trio.current_time)
    val = Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, verifier=verifier,
                     clock=trio.current_time)
    honest = VoteBatch((vote(KEYS[1], block(KEYS[0], seq=1)),)).encode()
    # Control: the honest batch alone.
    t0 = trio.current_time()
    assert await val.votes(Inbound(KEYS[1].peer_id, KEYS[1].peer_id, honest)) is Verdict.ACCEPT
    alone = trio.current_time() - t0
    honest2 = VoteBatch((vote(KEYS[2], block(KEYS[0], seq=1)),)).encode()
    verdicts: dict[str, int] = {}
    result: dict[str, float] = {}

    async def junk(peer: str) -> None:
        v = await val.block(Inbound(peer, peer, ANNOUNCE))
        verdicts[v.name] = verdicts.get(v.name, 0) + 1

    async def honest_batch() -> None:
        t = trio.current_time()
        v = await val.votes(Inbound(KEYS[2].peer_id, KEYS[2].peer_id, honest2))
        result["latency"] = trio.current_time() - t
        result["verdict"] = v.name  # type: ignore[assignment]

    t_start = trio.current_time()
    async with trio.open_nursery() as nursery:
        for s in range(strangers):
            for _ in range(4):
                nursery.start_soon(junk, f"stranger-{s}")
        await trio.sleep(0.05)  # the junk is queued (4 per stranger in flight, FIFO)
        nursery.start_soon(honest_batch)
    total = trio.current_time() - t_start
    print(f"honest validator's vote batch validated alone in {alone * 1e3:.1f} ms")
    print(f"{strangers} strangers x 4 junk announces ({len(ANNOUNCE)} B each): the honest batch waited "
          f"{result['latency']:.2f} s ({result['verdict']}); junk verdicts {verdicts}; all done in {total:.2f} s")
    print(f"strangers' pool CPU bucket now {budget._pool.cpu_bucket.tokens:.2f} s (rate "
          f"{BudgetParams().cpu_rate * BudgetParams().stranger_pool} s/s): they may start again in "
          f"{max(0.0, -budget._pool.cpu_bucket.tokens) / (BudgetParams().cpu_rate * BudgetParams().stranger_pool):.1f} s")


def main() -> None:
    val = Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id)
    print(f"block announce of empty arrays, {len(ANNOUNCE)} B: {best(val._check_block, ANNOUNCE):.1f} ms thread CPU")
    print(f"certificate of empty arrays, {len(CERT)} B: {best(val._check_cert, CERT):.1f} ms thread CPU")
    print(f"vote batch of empty arrays, {len(BATCH)} B: {best(val._check_votes, BATCH):.1f} ms thread CPU")
    strangers = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    trio.run(stall, strangers)


main()
