"""Review 37d, D1: a stranger trickling just above the "useful pace" keeps every catch-up round.

Drives the REAL protocol.catchup.CatchupPlanner (default SyncParams) on a simulated clock, with the
harness of docs/review37/s1_trickle_planner.py. One proposer P with N committed blocks; the victim
holds none; 3 honest genesis members answer in 20 ms with `limit` blocks.

Sybils (strangers with the real chain) answer Heads at once and every GetBlocks after SYBIL_LAT ms
with ONE real block. The fix of finding 1 counts a round "useful" at >= batch (32) blocks per
round_timeout (30 s), i.e. 1.07 blocks/s, and then sticks with that peer ("again" round, no draw,
the every-other-round-to-a-member rule skipped). At 900 ms a block the sybil is "useful": once it
wins one draw it keeps every round after.

usage: .venv/bin/python docs/review37d/d1_pace_stick.py [N] [seeds] [sybil_lat_ms] [--old]
  --old runs the same against the code of 2d4b29e extracted under /tmp/old (git archive).
"""

from __future__ import annotations

import random
import statistics
import sys

OLD = "--old" in sys.argv
if OLD:
    sys.argv.remove("--old")
sys.path.insert(0, "/tmp/old" if OLD else ".")

from protocol import catchup as cu  # noqa: E402

P = "P" * 52
HONEST_LAT = 20


def run(n_blocks: int, n_honest: int, n_sybils: int, seed: int, sybil_lat: int,
        limit_ms: int = 12 * 3600 * 1000) -> tuple[float, dict]:
    params = cu.SyncParams()
    honest = [f"honest{i}" for i in range(n_honest)]
    sybils = [f"sybil{i}" for i in range(n_sybils)]
    members = frozenset([P, *honest])
    pl = cu.CatchupPlanner(params, members, random.Random(seed), 0)
    have: set[int] = set()
    st = {"rounds_honest": 0, "rounds_sybil": 0, "blocks_from_sybils": 0, "sybil_bans": 0}
    now = 0
    round_start = 0
    pl.handle(cu.Peers(tuple(honest + sybils)), now)

    def ours() -> dict:
        return {P: (max(have), len(have))} if have else {}

    while len(have) < n_blocks and now < limit_ms:
        now = max(now, pl.next_wake_ms())
        queue = list(pl.tick(now))
        while queue:
            eff = queue.pop(0)
            if isinstance(eff, cu.AskHeads):
                st["rounds_sybil" if eff.peer.startswith("sybil") else "rounds_honest"] += 1
                round_start = now  # the sybil knows when the round began (it was asked its heads)
                now += HONEST_LAT
                queue += pl.handle(cu.HeadsGot(eff.peer, ((P, n_blocks, "x", n_blocks),), ours()), now)
            elif isinstance(eff, cu.AskBlocks):
                slow = eff.peer.startswith("sybil")
                lat = HONEST_LAT
                if slow:  # never miss the round's deadline (30 s, a public parameter): answer at once near it
                    lat = max(0, min(sybil_lat, round_start + cu.SyncParams().round_timeout_ms - 5 - now))
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
                    st["blocks_from_sybils"] += new
                queue += pl.handle(cu.BlocksGot(eff.peer, P, eff.from_seq, seqs, new), now)
            elif isinstance(eff, cu.LookupGaps):
                missing = tuple(s for s in range(1, eff.upto + 1) if s not in have)[:4096]
                queue += pl.handle(cu.GapsGot(eff.proposer, missing), now)
            elif isinstance(eff, cu.Penalized):
                if eff.banned_until_ms and eff.peer.startswith("sybil"):
                    st["sybil_bans"] += 1
        pl.handle(cu.Peers(tuple(honest + sybils)), now)
    st["done"] = len(have) >= n_blocks
    return now / 1000.0, st


def main() -> None:
    n_blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    seeds = range(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    lat = int(sys.argv[3]) if len(sys.argv) > 3 else 900
    print(f"{'OLD 2d4b29e' if OLD else 'HEAD'}: chain of {n_blocks} blocks, 3 honest members (20 ms, 32 blocks), "
          f"sybils answer each GetBlocks after {lat} ms with 1 real block")
    for k in (0, 1, 4, 16, 60):
        times, sts = [], []
        for s in seeds:
            t, st = run(n_blocks, 3, k, s, lat)
            times.append(t)
            sts.append(st)
        srt = sorted(times)
        print(f"  sybils={k:3d}: median {statistics.median(srt):9.1f} s, max {srt[-1]:9.1f} s; "
              f"seeds over 10x the no-sybil median: "
              f"{sum(t > 10 * max(1.0, statistics.median(srt)) for t in times) if k == 0 else '-'}; "
              f"per seed {[round(t) for t in times]}; sybil bans {sum(s['sybil_bans'] for s in sts)}, "
              f"blocks from sybils (sum) {sum(s['blocks_from_sybils'] for s in sts)}")


if __name__ == "__main__":
    main()
