"""Where a checkpoint ranks priority records, by the form that carries them, on randomized test worlds.

    python scripts/diag_priority_carriers.py --models Y=/tmp/old.pt,Z=node/attention/model.pt
    python scripts/diag_priority_carriers.py --worlds 40 --json

The held-out families tell how a priority form generalizes; this tells whether the model learned the
form at all, in distribution. It scores randomized worlds of ``TEST_SEEDS`` (never trained on) that
hold at least one priority scale under a made-up name (trial Z, session 41), in windows of 256 against
the committed history (2 warm-up batches, as the held-out families are scored), and prints the median
rank (0 = top) of the priority records of routine, burst-head and novel cases, grouped by what
carries their priority: the kind's priority field (by form), a neutral flag, or a neutral number.
``truth`` ranks by the labels themselves: the best any model could do on the same records (ties and
other important records take places above them too). A form the model ranks far below the truth's
rank, after training on it, is one its features do not expose (session 41: the neutral numbers).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from node.attention.data import TEST_SEEDS, Window, make_windows  # noqa: E402
from node.attention.evaluate import Method, model_method  # noqa: E402
from node.attention.train import load_checkpoint  # noqa: E402
from node.workload.randomized import RandomizedWorkload, _Kind  # noqa: E402

NEWS = ("routine", "burst_head", "novel")
PER_WORLD = 3


def carrier(kind: _Kind) -> str:
    """What carries a kind's priority: a neutral number, its priority field's form, a neutral flag."""
    if any(n.priority for n in kind.scales):
        return "neutral number (trial Z)"
    if kind.prio is not None:
        return f"field: {kind.prio.how}"
    if any(b.priority for b in kind.bools):
        return "neutral flag (trial Y)"
    return "none (burst-head note)"


def worlds_with_neutral_numbers(n: int) -> dict[int, dict[str, _Kind]]:
    """The first ``n`` test seeds whose world holds a neutral priority number, with its kinds by name."""
    out: dict[int, dict[str, _Kind]] = {}
    for seed in TEST_SEEDS:
        kinds = RandomizedWorkload(seed).kinds
        if any(s.priority for k in kinds for s in k.scales):
            out[seed] = {k.name: k for k in kinds}
            if len(out) == n:
                break
    return out


def ranks_by_carrier(windows: list[Window], worlds: dict[int, dict[str, _Kind]],
                     method: Method) -> dict[str, list[float]]:
    """Rank (0 = top) of each priority record of a news case, by carrier; ``windows`` are
    ``PER_WORLD`` per world, in the order of ``worlds``."""
    seeds = list(worlds)
    out: dict[str, list[float]] = {}
    for wi, w in enumerate(windows):
        scores = method(w, wi)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        rank = {i: r / max(1, len(scores) - 1) for r, i in enumerate(order)}
        world = worlds[seeds[wi // PER_WORLD]]
        for i, rec in enumerate(w.records):
            if w.details[i] == "priority" and w.cases[i] in NEWS and rec.kind in world:
                out.setdefault(carrier(world[rec.kind]), []).append(rank[i])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=f"shipped={ROOT / 'node' / 'attention' / 'model.pt'}",
                        help="comma-separated NAME=checkpoint (default: the shipped one)")
    parser.add_argument("--worlds", type=int, default=40, help="test worlds holding a neutral number")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    methods: dict[str, Method] = {"truth": lambda w, _i: w.target.tolist()}
    for item in args.models.split(","):
        name, sep, path = item.partition("=")
        if not sep or not Path(path).is_file():
            parser.error(f"--models: {item!r} is not NAME=an existing checkpoint file")
        methods[name] = model_method(load_checkpoint(Path(path).read_bytes())[0])
    worlds = worlds_with_neutral_numbers(args.worlds)
    seeds = list(worlds)
    print(f"{len(seeds)} test worlds x {PER_WORLD} windows of 256", file=sys.stderr, flush=True)
    windows = make_windows(seeds, PER_WORLD, (256,), family="randomized", history="committed", warmup=(2,),
                           shuffle_seed=3)
    report = {name: {c: {"n": len(v), "median": round(statistics.median(v), 4)}
                     for c, v in sorted(ranks_by_carrier(windows, worlds, m).items())}
              for name, m in methods.items()}
    if args.json:
        print(json.dumps({"worlds": seeds, "report": report}, indent=1))
        return 0
    carriers = sorted({c for r in report.values() for c in r})
    print(f"{'priority carried by':28s} {'n':>5s} " + " ".join(f"{m:>9s}" for m in report))
    for c in carriers:
        n = next(r[c]["n"] for r in report.values() if c in r)
        cells = " ".join(f"{report[m][c]['median']:9.3f}" if c in report[m] else f"{'':9s}" for m in report)
        print(f"{c:28s} {n:5d} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
