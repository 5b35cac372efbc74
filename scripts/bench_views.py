"""What stream memory costs a validator per block: the History of the view a block names.

Plays ``--blocks`` committed blocks of ``--records`` records, round robin over
four proposers (the workload's seven domains), through two validators side by
side in one process (the machine is noisy: alternate, then compare):

* ``cached``: node/core/views.py as shipped (an LRU of 8 views; a new view is
  derived from the largest cached one below it);
* ``rebuild``: the same with a cache of one, so nearly every view is built
  from nothing (each proposer's last quota records), the cost the cache avoids.

For each block, the view it names lags the validator's own by 0-2 seqs on the
other proposers' entries (gossip order). Measured per block, after a warm-up
of half the blocks (so the history holds 4,096 records): building the
History, and scoring the block against it (the first scoring of a new
History computes its near-duplicate digests and per-field statistics).

Usage: python scripts/bench_views.py [--blocks 200] [--records 50] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.core.views import Views  # noqa: E402
from node.sim.cluster import shared_scorer  # noqa: E402
from node.worker import Worker  # noqa: E402
from node.workload import Workload  # noqa: E402
from protocol.genesis import Genesis  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record  # noqa: E402
from protocol.validators import ValidatorSet  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=200)
    ap.add_argument("--records", type=int, default=50)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    scorer = shared_scorer()
    keys = [PrivateKey(bytes([0x30 + i]) * 32) for i in range(4)]
    g = Genesis(network_id="bench", validators=ValidatorSet(k.peer_id for k in keys),
                accepted_model_ids=(scorer.model_id,))
    workloads = {p: Workload(i + 5) for i, p in enumerate(g.proposer_ids)}
    setups = {"cached": Views(g, scorer, Worker("m")), "rebuild": Views(g, scorer, Worker("m"), max_cached=1)}
    spent = {name: {"history_ms": 0.0, "score_ms": 0.0} for name in setups}
    rng = random.Random(0)
    seqs = dict.fromkeys(g.proposer_ids, 0)
    t = 1_700_000_000_000
    measured = 0
    for step in range(args.blocks):
        me = step % len(g.proposer_ids)
        p = g.proposer_ids[me]
        batch = workloads[p].next_labeled(args.records, t)
        t += 10_000
        recs = list({r.cid: r for r in (Record.create(lr.record.kind, p, lr.record.ts_ms, lr.record.fields)
                                        for lr in batch)}.values())
        lags = [0 if i == me else rng.choice([0, 0, 1, 2]) for i in range(len(g.proposer_ids))]
        order = list(setups) if step % 2 else list(reversed(setups))
        for name in order:
            v = setups[name]
            view = tuple(max(0, x - lag) for x, lag in zip(v.current(), lags, strict=True))
            a = time.perf_counter()
            hist = v.history(view)
            b = time.perf_counter()
            scorer.score(recs, hist)
            c = time.perf_counter()
            if step >= args.blocks // 2:
                spent[name]["history_ms"] += 1000 * (b - a)
                spent[name]["score_ms"] += 1000 * (c - b)
        if step >= args.blocks // 2:
            measured += 1
        seqs[p] += 1
        for v in setups.values():
            v.on_commit(p, seqs[p], f"b{step}", recs)
    out: dict = {"blocks_measured": measured, "records_per_block": args.records,
                 "history_records": len(setups["cached"].history(setups["cached"].current()))}
    print(f"{measured} blocks of {args.records} records, history of {out['history_records']} records "
          f"(4 proposers x quota {setups['cached'].quota}); ms per block:")
    for name, s in spent.items():
        st = setups[name].stats
        out[name] = {k: round(x / measured, 2) for k, x in s.items()} | {
            "derived": st.derived, "built": st.built, "hits": st.hits}
        print(f"  {name:8} history {out[name]['history_ms']:7.2f}   score {out[name]['score_ms']:7.2f}   "
              f"(derived {st.derived}, built {st.built}, hits {st.hits})")
    ratio = out["rebuild"]["history_ms"] / max(out["cached"]["history_ms"], 1e-9)
    out["rebuild_over_cached_history"] = round(ratio, 1)
    print(f"  building the History: rebuild / cached = {ratio:.1f}x")
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
