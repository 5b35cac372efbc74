"""The cyclic garbage collector's pauses in a node's process, with and without ``gc.freeze()``.

A daemon's process holds what it loaded at start (torch, libp2p, the model, the daemon's
modules) for its whole life. Python's full collection walks every tracked object, so each one
costs time proportional to that heap, with the event loop stopped. ``node.runner`` freezes the
heap after start-up; this measures what that buys. Each arm runs in a fresh process (the same
imports, the scorer loaded, ``--records`` records featurized as a node's feature cache holds
them), then:

- ``full collect``: the best of three ``gc.collect()`` calls;
- ``flood``: decodes ``--votes`` signed votes from bytes, as a vote flood makes a node do, keeping
  the last ``--keep`` (the caches of seen votes and messages hold tens of thousands), and sums the
  automatic collections' pauses (``gc.callbacks``) and their longest: survivors of that many
  trigger full collections.

Arms alternate ``--repeat`` times (these machines are noisy: trust the ratios)::

    python scripts/bench_gc.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _arm(frozen: bool, records: int, votes: int, keep: int) -> dict[str, float]:
    import gc
    import random

    sys.path.insert(0, str(ROOT))
    import node.core.daemon  # noqa: F401  (the daemon's imports: libp2p, trio, the store, ...)
    from node.attention import load_scorer
    from node.sim.rogue import invented_slot_votes
    from node.workload import Workload
    from protocol.genesis import Genesis
    from protocol.keys import PrivateKey
    from protocol.validators import ValidatorSet
    from protocol.vote import decode_signed_vote

    scorer = load_scorer()
    gc.collect()
    if frozen:
        gc.freeze()  # what node.runner does once the node is built
    w = Workload(1)
    for i in range(0, records, 512):
        batch = [lr.record for lr in w.next_labeled(512, 1_700_000_000_000 + i * 10_000)]
        scorer.score(batch)
    keys = [PrivateKey(bytes([0x40 + i]) * 32) for i in range(4)]
    genesis = Genesis("bench", ValidatorSet(k.peer_id for k in keys), (scorer.model_id,))
    raw = [sv.encode() for sv in invented_slot_votes(keys[3], genesis, random.Random(1), 2048, 8)]
    objects = len(gc.get_objects())

    full = []
    for _ in range(3):
        t = time.perf_counter()
        gc.collect()
        full.append(time.perf_counter() - t)

    pauses: list[float] = []
    started = [0.0]

    def cb(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(cb)
    seen: deque[object] = deque(maxlen=keep)
    t = time.perf_counter()
    for i in range(votes):
        seen.append(decode_signed_vote(raw[i % len(raw)]))
    flood_s = time.perf_counter() - t
    gc.callbacks.remove(cb)
    return {"objects": objects, "full_ms": min(full) * 1000, "flood_s": flood_s,
            "flood_gc_ms": sum(pauses) * 1000, "flood_max_ms": max(pauses, default=0.0) * 1000,
            "collections": len(pauses)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=16_384, help="records featurized before measuring")
    ap.add_argument("--votes", type=int, default=200_000, help="signed votes decoded in the flood")
    ap.add_argument("--keep", type=int, default=32_768, help="decoded votes kept alive (a seen-votes cache)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--arm", choices=("plain", "frozen"), help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if args.arm:
        print(json.dumps(_arm(args.arm == "frozen", args.records, args.votes, args.keep)))
        return
    runs: dict[str, list[dict[str, float]]] = {"plain": [], "frozen": []}
    for i in range(args.repeat):
        for arm in ("plain", "frozen") if i % 2 == 0 else ("frozen", "plain"):
            out = subprocess.run([sys.executable, __file__, "--arm", arm, "--records", str(args.records),
                                  "--votes", str(args.votes), "--keep", str(args.keep)], capture_output=True, text=True, check=True)
            runs[arm].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"run {i + 1}/{args.repeat} {arm}: {runs[arm][-1]}", file=sys.stderr, flush=True)
    med = {arm: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for arm, rs in runs.items()}
    if args.json:
        print(json.dumps(med, indent=2))
        return
    print(f"{'':>16} {'plain':>10} {'frozen':>10} {'frozen/plain':>13}")
    for k, label in (("objects", "tracked objects"), ("full_ms", "full collect ms"), ("flood_gc_ms", "flood GC ms"),
                     ("flood_max_ms", "longest pause ms"), ("collections", "collections"), ("flood_s", "flood s")):
        a, b = med["plain"][k], med["frozen"][k]
        print(f"{label:>16} {a:>10.1f} {b:>10.1f} {b / a if a else float('nan'):>13.3f}")


if __name__ == "__main__":
    main()
