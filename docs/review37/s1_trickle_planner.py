"""Review 37, finding 1 (planner level): sybils that serve real blocks slowly take over catch-up.

Drives the REAL protocol.catchup.CatchupPlanner (default SyncParams) with a simulated clock.
One genesis proposer P with a committed chain of N blocks; the victim holds none of it.

- honest peers: genesis members; answer Heads and GetBlocks in 20 ms with up to `limit` blocks;
- trickling sybils: strangers (fresh ids) that hold the same real chain (they synced it like anyone)
  and answer Heads at once, but every GetBlocks after 9.9 s (just under request_timeout_ms 10 s)
  with ONE block: the one asked for. Never a lie, never a timeout, never an empty answer.

Each sybil round commits something, so the planner gives the sybil +1 standing and the "useful"
odds (256, against 16 for a member that has not been useful lately), and starts the next round at
once. Prints the simulated time until the victim holds all N blocks.

usage: .venv/bin/python docs/review37/s1_trickle_planner.py
"""

from __future__ import annotations

import random
import statistics
import sys

sys.path.insert(0, ".")

from protocol import catchup as cu  # noqa: E402

P = "P" * 52  # peer-id shaped names are not needed by the planner; members is a plain set
HONEST_LAT = 20
SYBIL_LAT = 9_900
HURRY = "--hurry" in sys.argv  # a proposer starting up (SyncService.settle hurries the planner)
if HURRY:
    sys.argv.remove("--hurry")


def run(n_blocks: int, n_honest: int, n_sybils: int, seed: int, limit_ms: int = 6 * 3600 * 1000) -> tuple[float, dict]:
    params = cu.SyncParams()
    honest = [f"honest{i}" for i in range(n_honest)]
    sybils = [f"sybil{i}" for i in range(n_sybils)]
    members = frozenset([P, *honest])
    pl = cu.CatchupPlanner(params, members, random.Random(seed), 0)
    have: set[int] = set()
    stats = {"rounds_honest": 0, "rounds_sybil": 0, "blocks_from_sybils": 0, "sybil_bans": 0, "penalties": 0}
    now = 0
    pl.handle(cu.Peers(tuple(honest + sybils)), now)
    if HURRY:
        pl.hurry(now)

    def ours() -> dict:
        if not have:
            return {}
        return {P: (max(have), len(have))}

    while len(have) < n_blocks and now < limit_ms:
        now = max(now, pl.next_wake_ms())
        queue = list(pl.tick(now))
        while queue:
            eff = queue.pop(0)
            if isinstance(eff, cu.AskHeads):
                if eff.peer.startswith("sybil"):
                    stats["rounds_sybil"] += 1
                else:
                    stats["rounds_honest"] += 1
                now += HONEST_LAT
                queue += pl.handle(cu.HeadsGot(eff.peer, ((P, n_blocks, "x", n_blocks),), ours()), now)
            elif isinstance(eff, cu.AskBlocks):
                slow = eff.peer.startswith("sybil")
                lat = SYBIL_LAT if slow else HONEST_LAT
                if now + lat > eff.deadline_ms:
                    now = eff.deadline_ms
                    queue += pl.handle(cu.Failed(eff.peer, "timeout"), now)
                    continue
                now += lat
                last = min(n_blocks, eff.from_seq + (1 if slow else eff.limit) - 1)
                seqs = tuple(range(eff.from_seq, last + 1))
                new = sum(1 for s in seqs if s not in have)
                have.update(seqs)
                if slow:
                    stats["blocks_from_sybils"] += new
                queue += pl.handle(cu.BlocksGot(eff.peer, P, eff.from_seq, seqs, new), now)
            elif isinstance(eff, cu.LookupGaps):
                missing = tuple(s for s in range(1, eff.upto + 1) if s not in have)[:4096]
                queue += pl.handle(cu.GapsGot(eff.proposer, missing), now)
            elif isinstance(eff, cu.Penalized):
                stats["penalties"] += 1
                if eff.banned_until_ms and eff.peer.startswith("sybil"):
                    stats["sybil_bans"] += 1
            elif isinstance(eff, cu.RoundEnded):
                pass
        pl.handle(cu.Peers(tuple(honest + sybils)), now)
    if HURRY:
        pl.hurry(now)
    return now / 1000.0, stats


def main() -> None:
    n_blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    seeds = range(int(sys.argv[2]) if len(sys.argv) > 2 else 20)
    print(f"chain of {n_blocks} blocks of one proposer, victim holds none; 3 honest members; default SyncParams")
    print("sybils: strangers answering every GetBlocks after 9.9 s with 1 real block (simulated clock)")
    for k in (0, 1, 4, 16, 60):
        times, fin = [], []
        last_stats = {}
        for s in seeds:
            t, st = run(n_blocks, 3, k, s)
            times.append(t)
            last_stats = st
        times.sort()
        print(f"  sybils={k:3d}: time to catch up median {statistics.median(times):9.1f} s, "
              f"max {times[-1]:9.1f} s over {len(times)} seeds; over 10 s (startup_sync_s) in "
              f"{sum(t > 10 for t in times)}; last seed: {last_stats}")


if __name__ == "__main__":
    main()
