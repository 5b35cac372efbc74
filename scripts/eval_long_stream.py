"""A whole stream scored the way `attnshare model score` scores a file, against the ways a node scores it.

`eval_unseen.py` scores windows of 256 against a committed history, as a node does. A user who runs
``attnshare model score stream.jsonl`` on thousands of records gets something else unless the command
carries memory from one window to the next: a re-send of a record from three windows back, or a kind
that was common early on, looks new again at every window boundary. This script writes one long
stream per world of a held-out family (consecutive batches, nothing in between) and scores it in
several ways, then ranks the whole stream at once (NDCG at 10% of the stream's records, and the
median rank of each case over the stream), which is how a user would read a file's scores:

* ``no memory``: contiguous chunks of ``--window`` records, each scored alone (the command before
  session 36, at its own window of the checkpoint's ``max_window``: ``--window 1024``);
* ``own top share``: chunks of ``--window``, each scored against a :class:`History` holding the
  ``--share`` best-scored records of every earlier chunk, by the model's own scores (what a node
  commits when it ships its top share: the history the model was trained against);
* ``all earlier``: each chunk against every earlier record of the stream;

and, for reference, the truth's own ranking and the heuristic+ baseline (per chunk)::

    python scripts/eval_long_stream.py --family dc --worlds 6 --records 4096
    python scripts/eval_long_stream.py --families clinic,aqua --worlds 4 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import FAMILIES, _factory  # noqa: E402

from node.attention.baselines import heuristic_plus_scores  # noqa: E402
from node.attention.data import _EPOCH_MS, TEST_SEEDS  # noqa: E402
from node.attention.evaluate import ndcg_at_k, table_case  # noqa: E402
from node.attention.features import featurize  # noqa: E402
from node.attention.scorer import Scorer, load_scorer, stream_scores  # noqa: E402
from node.workload.domains import LabeledRecord  # noqa: E402

CASES = ("anomaly", "rare kind", "priority", "burst head", "burst tail", "near dup", "exact dup")


def long_stream(family: str, world: int, n: int, batch: int = 256) -> list[LabeledRecord]:
    """``n`` labelled records of one world, generated batch after batch with no pause between."""
    wl = _factory(family)(TEST_SEEDS[world])
    now = _EPOCH_MS + TEST_SEEDS[world] * 10_000_000
    out: list[LabeledRecord] = []
    while len(out) < n:
        got = wl.next_labeled(min(batch, n - len(out)), now)
        out.extend(got)
        now = got[-1].record.ts_ms + 1
    return out


def _ranks(scores: list[float]) -> list[float]:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    r = [0.0] * len(scores)
    for pos, i in enumerate(order):
        r[i] = pos / max(1, len(scores) - 1)
    return r


def stream_metrics(scores: list[float], stream: list[LabeledRecord]) -> dict[str, float]:
    """NDCG at 10% of the whole stream and each case's median rank (0 = top) over the stream."""
    gains = [lr.importance for lr in stream]
    out = {"ndcg@10%": ndcg_at_k(scores, gains, max(1, len(stream) // 10))}
    by: dict[str, list[float]] = defaultdict(list)
    for lr, r in zip(stream, _ranks(scores), strict=True):
        c = table_case(lr.case, lr.detail)
        if c is not None:
            by[c].append(r)
    for c in CASES:
        if by.get(c):
            out[c] = statistics.median(by[c])
    return out


def heuristic_scores(stream: list[LabeledRecord], window: int) -> list[float]:
    """heuristic+ per chunk of ``window`` (it has no memory of its own)."""
    out: list[float] = []
    for a in range(0, len(stream), window):
        recs = tuple(lr.record for lr in stream[a:a + window])
        out.extend(float(x) for x in heuristic_plus_scores(recs, featurize(recs)))
    return out


def score_modes(scorer: Scorer, stream: list[LabeledRecord], window: int, share: float) -> dict[str, list[float]]:
    recs = [lr.record for lr in stream]
    return {
        f"no memory, chunks of {scorer.max_window}": scorer.score(recs),
        f"no memory, chunks of {window}": stream_scores(scorer, recs, window=window, memory="none"),
        f"own top {share:.0%}, chunks of {window}": stream_scores(scorer, recs, window=window, memory="own",
                                                              share=share),
        f"all earlier, chunks of {window}": stream_scores(scorer, recs, window=window, memory="all"),
        f"own top {share:.0%}, chunks of {scorer.max_window}": stream_scores(
            scorer, recs, window=scorer.max_window, memory="own", share=share),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--families", default="dc,clinic,aqua,fab,ski,rail,ledger,hydro",
                    help=f"comma-separated held-out families ({', '.join(FAMILIES)})")
    ap.add_argument("--worlds", type=int, default=4)
    ap.add_argument("--records", type=int, default=4096, help="records per world's stream")
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--share", type=float, default=0.2)
    ap.add_argument("--model", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    scorer = load_scorer(args.model, device="cpu")
    table: dict[str, dict[str, list[dict[str, float]]]] = {}
    for family in args.families.split(","):
        rows: dict[str, list[dict[str, float]]] = defaultdict(list)
        for world in range(args.worlds):
            stream = long_stream(family, world, args.records)
            for name, scores in score_modes(scorer, stream, args.window, args.share).items():
                rows[name].append(stream_metrics(scores, stream))
            rows["heuristic+ (per chunk)"].append(stream_metrics(heuristic_scores(stream, args.window), stream))
            rows["truth"].append(stream_metrics([lr.importance for lr in stream], stream))
            print(f"{family} world {world} done", file=sys.stderr, flush=True)
        table[family] = rows
    summary = {f: {m: {k: statistics.fmean(r[k] for r in rs if k in r) for k in ("ndcg@10%", *CASES)
                       if any(k in r for r in rs)} for m, rs in rows.items()} for f, rows in table.items()}
    methods = list(next(iter(summary.values())))
    mean = {m: {k: statistics.fmean(summary[f][m][k] for f in summary if k in summary[f][m])
                for k in ("ndcg@10%", *CASES) if any(k in summary[f][m] for f in summary)} for m in methods}
    if args.json:
        print(json.dumps({"families": summary, "mean": mean, "worlds": args.worlds, "records": args.records,
                          "window": args.window, "share": args.share, "model": scorer.model_id}, indent=1))
        return 0
    print(f"{args.records} records a stream, {args.worlds} worlds a family; whole-stream ranks; model "
          f"{scorer.model_id[:16]}...")
    head = f"{'method':34s} {'family':8s} {'NDCG@10%':>8s} " + " ".join(f"{c:>10s}" for c in CASES)
    print(head)
    for f in [*summary, "mean"]:
        src = mean if f == "mean" else summary[f]
        for m in methods:
            row = src[m]
            print(f"{m:34s} {f:8s} {row['ndcg@10%']:8.3f} "
                  + " ".join(f"{row[c]:10.3f}" if c in row else f"{'-':>10s}" for c in CASES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
