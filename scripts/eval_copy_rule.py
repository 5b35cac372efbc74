"""The copy rule against committed news sent again in disguise, and what it costs honest nodes.

    python scripts/eval_copy_rule.py                         # every family, 4 worlds each
    python scripts/eval_copy_rule.py --family dc --family ski --worlds 2 --json --out copy.json

Two sections, per held-out family (and the randomized training family on held-out seeds), in
``scripts/eval_unseen.py``'s chain (one proposer's stream, 4 validators, the top 10% of each window
committed, mature views):

* **disguised replays** (the attack): after each honest commit, a block made only of that block's
  records sent again with every label re-typed (keeping only re-types that do not make the record
  novel, so the novelty budget does not catch them; a suffix after a hyphen, which adds a word to a
  text, or joined, which changes its last word) plus one more change: a label dropped, a known
  field added, a measured number written with a unit, two measured numbers nudged across an edge
  of each replay grid, a priority text re-typed, a label turned into 0, a small integer into a
  list. Each block is judged as validators judge it; the pass rate at the genesis bar, and how many
  of its records the History calls copies (``has_replay``) or novel;
* **honest cost**: records of importance >= 0.5 (ground truth) that the History calls copies, with
  the chain's view (realistic) and with a History of every earlier record (worst case); routine
  records likewise; honest blocks passing the bar.

Written for the session-27 revision of the labels-off digests (docs/consensus.md, "Labels off,
whatever else changed"); the transforms are review 26's (docs/review26-findings.md). Compare two
trees by running each (``PYTHONPATH`` is this file's tree).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import eval_unseen as E  # noqa: E402

from node.attention.features import _slog, featurize_record, field_facts, priority_claim  # noqa: E402
from node.attention.history import History  # noqa: E402
from protocol.admission import NOVELTY_MIN_VIEW  # noqa: E402
from protocol.record import Record  # noqa: E402

# The replay grids of node/attention/history.py (bins of about 0.5%; the second offset by half a bin).
_BINS, _SHIFT, _TINY = 200.0, 4144.0, 1.0032711756020369e-09


def _bins(v: float) -> tuple[int, int]:
    num = _slog(float(v))
    a = abs(num)
    y = a * _BINS + _SHIFT if a >= 1.0 else (math.log(a) * _BINS + _SHIFT + _BINS if a >= _TINY else a * (_BINS / _TINY))
    y = -y if num < 0 else y
    return math.floor(y), math.floor(y + 0.5)


def _min_nudge(v: float, grid: int) -> tuple[float, float] | None:
    """The smallest relative change of ``v`` found that moves its bin on ``grid`` and keeps the other."""
    b = _bins(v)
    for e in (10 ** (-7 + i / 20) for i in range(120)):
        for s in (1, -1):
            w: float = v * (1 + s * e)
            if isinstance(v, int):
                w = round(w)
            c = _bins(w)
            if c[grid] != b[grid] and c[1 - grid] == b[1 - grid]:
                return e, w
    return None


def _is_label(k: str, v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, str):
        return False
    x = field_facts(k, v)
    return x[2] is None and not x[5]


def _measured(k: str, v: Any) -> bool:
    x = field_facts(k, v)
    return x[2] is not None and x[4]


def _relabel(f: dict, rng: random.Random, r: Record, h: History, sep: str = "-") -> dict:
    """Re-type every label, keeping only re-types that leave the record not novel. ``sep`` joins the
    suffix: "-" adds a word to a text ("east gate" to "east gate-3af"), "" changes its last one
    ("east gate3af")."""
    for k, v in list(f.items()):
        if _is_label(k, v):
            old = f[k]
            f[k] = f"{v}{sep}{rng.getrandbits(12):03x}"
            if h.novel(featurize_record(Record.create(r.kind, r.origin, r.ts_ms + 7, f))):
                f[k] = old
    return f


Transform = Callable[[dict, Record, random.Random, dict], "dict | None"]


def _t_none(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    return f


def _t_drop(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    ks = ([k for k in f if _is_label(k, r.fields[k])]
          or [k for k, v in f.items() if not isinstance(v, str) and not _measured(k, v) and not priority_claim(k, v)]
          or [k for k, v in f.items() if _measured(k, v)])
    if len(f) <= 3 or not ks:
        return None
    del f[rng.choice(ks)]
    return f


def _t_add_known(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    extra = [n for n in sorted(ctx["names"].get(r.kind, ())) if n not in f]
    if not extra:
        return None
    n = rng.choice(extra)
    f[n] = ctx["vals"][(r.kind, n)]
    return f


def _t_unit(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    ks = [k for k, v in f.items() if isinstance(v, float) and _measured(k, v)]
    if not ks:
        return None
    k = rng.choice(ks)
    f[k] = f"{f[k]} units"
    return f


def _t_nudge2(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    """Break grid 0 with one measured number and grid 1 with another, each by the least it takes."""
    ks = [k for k, v in f.items() if isinstance(v, int | float) and not isinstance(v, bool) and _measured(k, v)]
    best = None
    for a in ks:
        for b in ks:
            if a == b:
                continue
            na, nb = _min_nudge(f[a], 0), _min_nudge(f[b], 1)
            if na and nb and (best is None or max(na[0], nb[0]) < best[0]):
                best = (max(na[0], nb[0]), a, na[1], b, nb[1])
    if best is None:
        return None
    ctx["nudges"].append(best[0])
    f[best[1]], f[best[3]] = best[2], best[4]
    return f


def _t_prio(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    ks = [k for k, v in f.items() if isinstance(v, str) and priority_claim(k, v)]
    if not ks:
        return None
    k = rng.choice(ks)
    f[k] = f"{f[k]}-{rng.getrandbits(8):02x}"
    return f


def _t_label_to_int(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    ks = [k for k, v in r.fields.items() if _is_label(k, v)]
    if not ks:
        return None
    f[rng.choice(ks)] = 0
    return f


def _t_int_to_list(f: dict, r: Record, rng: random.Random, ctx: dict) -> dict | None:
    ks = [k for k, v in f.items() if isinstance(v, int | float) and not isinstance(v, bool) and not _measured(k, v)]
    if not ks:
        return None
    k = rng.choice(ks)
    f[k] = [f[k]]
    return f


#: attack -> (relabel first: the suffix's separator, or None; transform)
ATTACKS: dict[str, tuple[str | None, Transform]] = {
    "labels re-typed": ("-", _t_none),
    "labels re-typed in place": ("", _t_none),  # a text's last word changed, not a word added (session 33)
    "two numbers nudged, labels kept": (None, _t_nudge2),
    "+ a label dropped": ("-", _t_drop),
    "+ a known field added": ("-", _t_add_known),
    "+ a unit on a number": ("-", _t_unit),
    "+ two numbers nudged": ("-", _t_nudge2),
    "+ a priority text re-typed": ("-", _t_prio),
    "+ a label turned into 0": ("-", _t_label_to_int),
    "+ a small integer into a list": ("-", _t_int_to_list),
}


def _disguise(how: str, news: list[Record], origin: str, ts: int, rng: random.Random, chain: Any) -> list[Record]:
    relabel, transform = ATTACKS[how]
    names: dict[str, set[str]] = collections.defaultdict(set)
    vals: dict[tuple[str, str], Any] = {}
    for r in chain.mine:
        for a, v in r.fields.items():
            names[r.kind].add(a)
            vals[(r.kind, a)] = v
    ctx = {"names": names, "vals": vals, "nudges": []}
    out: list[Record] = []
    for j in range(4 * len(news)):
        if len(out) == len(news):
            break
        r = news[j % len(news)]
        f = dict(r.fields)
        if relabel is not None:
            f = _relabel(f, rng, r, chain.view, relabel)
            if f == dict(r.fields):
                continue
        g = transform(f, r, rng, ctx)
        if g is not None:
            out.append(Record.create(r.kind, origin, ts + j, g))
    return out


def run_family(family: str, worlds: int, windows: int, scorer: Any) -> dict[str, Any]:
    rng, crng = random.Random(1), random.Random(2)
    passes: dict[str, list[bool]] = {a: [] for a in ATTACKS}
    counts: dict[str, collections.Counter[str]] = {a: collections.Counter() for a in ATTACKS}
    honest: collections.Counter[str] = collections.Counter()
    bar = E._bar()
    for seed in range(900_000, 900_000 + worlds):
        wl = E._factory(family)(seed)
        chain = E._Chain(scorer, 4)
        every = scorer.history(capacity=4096)
        now, step, measured = 1_700_000_000_000, 0, 0
        while measured < windows:
            warming = step < 2 or len(chain.view) < NOVELTY_MIN_VIEW
            step += 1
            n = rng.choice([64, 128, 256, 512]) if not warming else 256
            batch = wl.next_labeled(n, now)
            now = batch[-1].record.ts_ms + 60_000
            recs = [lr.record for lr in batch]
            window, _ = chain.scores(recs)
            ranked = sorted(range(n), key=lambda i: (-window[i], i))
            block = [recs[i] for i in sorted(ranked[:max(2, round(0.1 * n))])]
            if warming:
                chain.commit(block)
                every.add(recs)
                continue
            measured += 1
            for lr in batch:  # honest cost, before this window commits
                f = scorer.cache.get(lr.record)
                key = "important" if lr.importance >= 0.5 else "routine"
                honest[key] += 1
                honest[key + " called copies (view)"] += chain.view.has_replay(f)
                honest[key + " called copies (every record)"] += every.has_replay(f)
                honest[key + " novel (view)"] += chain.view.novel(f)
            honest["honest blocks"] += 1
            honest["honest blocks passing"] += chain.block_score(block)[0] >= bar
            chain.commit(block)
            every.add(recs)
            origin = recs[ranked[-1]].origin
            for how in ATTACKS:
                fake = _disguise(how, block, origin, now, crng, chain)
                if len(fake) < 2:
                    continue
                passes[how].append(chain.block_score(fake)[0] >= bar)
                _, copies = scorer.score_and_copies(fake, chain.view)
                c = counts[how]
                c["records"] += len(fake)
                c["copies"] += sum(copies)
                c["novel"] += sum(chain.view.novel(scorer.cache.get(r)) for r in fake)
    attacks = {a: {"blocks": len(v), "pass_rate": round(sum(v) / len(v), 3) if v else None, **counts[a]}
               for a, v in passes.items()}
    return {"attacks": attacks, "honest": dict(honest)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", action="append", choices=list(E.FAMILIES), help="repeatable; default every family")
    ap.add_argument("--worlds", type=int, default=4, help="worlds (held-out seeds) per family")
    ap.add_argument("--windows", type=int, default=3, help="measured windows per world")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()
    if args.worlds < 1 or args.windows < 1:
        raise SystemExit("need --worlds >= 1 and --windows >= 1")
    import torch

    from node.attention.scorer import load_scorer

    torch.set_num_threads(1)
    scorer = load_scorer(device="cpu")
    report: dict[str, Any] = {"model_id": scorer.model_id, "worlds": args.worlds, "windows": args.windows, "families": {}}
    for fam in args.family or list(E.FAMILIES):
        report["families"][fam] = run_family(fam, args.worlds, args.windows, scorer)
        print(f"{fam}: done", file=sys.stderr, flush=True)
    fams = report["families"]
    summary: dict[str, Any] = {}
    for how in ATTACKS:
        rows = [v["attacks"][how] for v in fams.values() if v["attacks"][how]["blocks"]]
        blocks = sum(r["blocks"] for r in rows)
        rates = [r["pass_rate"] for r in rows]
        summary[how] = {"blocks": blocks,
                        "pass_rate": round(sum(r["pass_rate"] * r["blocks"] for r in rows) / blocks, 3) if blocks else None,
                        "min": min(rates) if rates else None, "max": max(rates) if rates else None}
    totals: collections.Counter[str] = collections.Counter()
    for v in fams.values():
        totals.update(v["honest"])
    report["summary"] = {"attacks": summary, "honest": dict(totals)}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"model {report['model_id']}, {len(fams)} families x {args.worlds} worlds x {args.windows} windows")
    print(f"\n{'disguised replays of committed news':36s} {'blocks':>7s} {'pass':>7s} {'range':>11s}")
    for how, s in summary.items():
        if s["blocks"]:
            print(f"{how:36s} {s['blocks']:7d} {100 * s['pass_rate']:6.1f}% {100 * s['min']:4.0f}-{100 * s['max']:.0f}%")
    print("\nhonest cost")
    for k in ("important", "important called copies (view)", "important called copies (every record)",
              "important novel (view)", "routine", "routine called copies (view)",
              "routine called copies (every record)", "routine novel (view)", "honest blocks", "honest blocks passing"):
        print(f"  {k:42s} {totals.get(k, 0):8d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
