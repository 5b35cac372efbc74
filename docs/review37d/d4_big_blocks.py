"""Review 37d, D4: an honest server of big blocks over a slow link is now cut short every round.

The "slow" round end counts blocks, not bytes: after half a request timeout (5 s) a round whose
pace is under batch/round_timeout (32 per 30 s, 1.07 blocks/s) ends, and the peer loses the
"useful" odds and the stickiness. Blocks near the cap (about 8.4 MiB each: one per 16 MiB answer)
over a 2 MiB/s link come at 0.24 blocks/s: honest, and all the link can carry.

Real protocol.catchup.CatchupPlanner, default SyncParams, simulated clock; ONE honest member,
which answers Heads in 20 ms and every GetBlocks with ONE block after LAT ms. N blocks to fetch.

usage: .venv/bin/python docs/review37d/d4_big_blocks.py [N] [LAT_ms] [--old]
"""

from __future__ import annotations

import random
import sys

OLD = "--old" in sys.argv
if OLD:
    sys.argv.remove("--old")
sys.path.insert(0, "/tmp/old" if OLD else ".")

from protocol import catchup as cu  # noqa: E402

P = "P" * 52


def run(n: int, lat: int, seed: int) -> tuple[float, int, int, dict]:
    pl = cu.CatchupPlanner(cu.SyncParams(), frozenset([P, "honest"]), random.Random(seed), 0)
    pl.handle(cu.Peers(("honest",)), 0)
    have: set[int] = set()
    now = rounds = pens = 0
    whys: dict[str, int] = {}
    while len(have) < n and now < 3_600_000:
        now = max(now, pl.next_wake_ms())
        q = list(pl.tick(now))
        while q:
            e = q.pop(0)
            if isinstance(e, cu.AskHeads):
                rounds += 1
                now += 20
                q += pl.handle(cu.HeadsGot(e.peer, ((P, n, "x", n),), {P: (max(have), len(have))} if have else {}), now)
            elif isinstance(e, cu.AskBlocks):
                if now + lat > e.deadline_ms:
                    now = e.deadline_ms
                    q += pl.handle(cu.Failed(e.peer, "timeout"), now)
                    continue
                now += lat
                seqs = (e.from_seq,)
                new = int(e.from_seq not in have)
                have.add(e.from_seq)
                q += pl.handle(cu.BlocksGot(e.peer, P, e.from_seq, seqs, new), now)
            elif isinstance(e, cu.Penalized):
                pens += 1
            elif isinstance(e, cu.RoundEnded):
                whys[e.why] = whys.get(e.why, 0) + 1
    return now / 1000, rounds, pens, whys


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    lat = int(sys.argv[2]) if len(sys.argv) > 2 else 4_200
    print(f"{'OLD 2d4b29e' if OLD else 'HEAD'}: {n} big blocks, one honest member, 1 block per answer after {lat} ms")
    for seed in range(3):
        t, rounds, pens, whys = run(n, lat, seed)
        print(f"  seed {seed}: {t:7.1f} s ({n / t:.3f} blocks/s), rounds {rounds}, penalties {pens}, round ends {whys}")


if __name__ == "__main__":
    main()
