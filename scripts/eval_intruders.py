"""Where the model's top tenth goes: the routine records that take the places of important ones.

For each held-out window (``eval_unseen.family_windows``: committed history, 256 records) the records of
the truth's top 10% that the model leaves out, by case, and the records the model puts in its top 10%
instead ("intruders"). A routine intruder is then explained by the numeric field that sets it furthest
from its kind in the window (robust z: distance from the kind's median in MADs), and that field is
classed by the shape of its values over the world's windows (the kind's records pooled):

* ``per-entity``: a text field of the kind (a site, a tank, a device) explains >= 50% of the field's
  variance (each entity holds its own level, so the kind's extremes are one entity's normal);
* ``zero-inflated``: >= 30% of the values are zero (rain, retries, errors);
* ``heavy tail``: (p99 - p50) / (p75 - p50) > 6 (a normal's is 3.5);
* ``few values``: at most 12 distinct values (a step, a count, a level);
* ``plain``: none of these.

A routine intruder with no field 3 MADs from its kind is put down to a priority claim its truth does not
count (a lexicon word or alert colour, a number or flag under a priority name), a kind with at most 3 records in the window, a text value its kind holds once there, or "other".

The same classes are counted over every routine numeric field of the families and of the randomized
training worlds (``--train``), to show which shapes training never draws::

    python scripts/eval_intruders.py --families clinic,aqua,dc --worlds 6
    python scripts/eval_intruders.py --worlds 6 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import family_windows  # noqa: E402

from node.attention.data import Window  # noqa: E402
from node.attention.evaluate import model_method, table_case  # noqa: E402
from node.attention.features import _text_facts, priority_claim  # noqa: E402
from node.attention.scorer import default_checkpoint_path  # noqa: E402
from node.attention.train import load_checkpoint  # noqa: E402
from protocol.record import Record  # noqa: E402

SEVEN = "clinic,aqua,dc,fab,ski,farm,civic"
SHAPES = ("per-entity", "zero-inflated", "heavy tail", "few values", "plain")


def _num(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    x = float(v)
    return x if x == x and abs(x) != float("inf") else None


def _quantile(xs: list[float], q: float) -> float:
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def shape_of(values: list[float], labels: list[dict[str, str]] | None = None) -> str:
    """The class of a field from its pooled values (``labels``: each value's record's text fields)."""
    xs = sorted(values)
    n = len(xs)
    if labels:
        mean = statistics.fmean(values)
        total = sum((v - mean) ** 2 for v in values)
        if total > 0:
            for key in {k for lab in labels for k in lab}:
                by: dict[str, list[float]] = defaultdict(list)
                for v, lab in zip(values, labels, strict=True):
                    by[lab.get(key, "")].append(v)
                if len(by) < 2 or len(by) > n / 2:
                    continue  # a constant, or an id that names nearly every record
                between = sum(len(g) * (statistics.fmean(g) - mean) ** 2 for g in by.values())
                if between / total >= 0.5:
                    return "per-entity"
    if sum(1 for x in xs if x == 0.0) >= 0.3 * n:
        return "zero-inflated"
    p50, p75, p99 = _quantile(xs, 0.5), _quantile(xs, 0.75), _quantile(xs, 0.99)
    if p75 > p50 and (p99 - p50) / (p75 - p50) > 6:
        return "heavy tail"
    if len(set(xs)) <= 12:
        return "few values"
    return "plain"


def _texts(fields: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if isinstance(v, str)}


def _pool(records: Iterable[Record]) -> dict[tuple[str, str], tuple[list[float], list[dict[str, str]]]]:
    """Per (kind, field): the numbers the records hold, each with its record's text fields."""
    pool: dict[tuple[str, str], tuple[list[float], list[dict[str, str]]]] = {}
    for r in records:
        fields = dict(r.items)
        texts = _texts(fields)
        for k, v in fields.items():
            x = _num(v)
            if x is not None:
                vals, labs = pool.setdefault((r.kind, k), ([], []))
                vals.append(x)
                labs.append(texts)
    return pool


def _driver(w: Window, i: int) -> tuple[str, float] | None:
    """The numeric field of record i furthest from its kind's window median, in MADs."""
    rec = w.records[i]
    best: tuple[str, float] | None = None
    for k, v in rec.items:
        x = _num(v)
        if x is None:
            continue
        others = [y for r in w.records if r.kind == rec.kind for kk, vv in r.items if kk == k
                  if (y := _num(vv)) is not None]
        if len(others) < 5:
            continue
        med = statistics.median(others)
        mad = statistics.median(abs(y - med) for y in others) or 1e-9
        z = abs(x - med) / mad
        if best is None or z > best[1]:
            best = (k, z)
    return best


def _other_reason(w: Window, i: int) -> str:
    """Why a routine record with no numeric extreme may read as news: a priority claim its truth does
    not count (a lexicon word or alert colour in a text, a number or flag under a priority name), a kind with at most 3 records
    in the window, a text value its kind holds once in the window (of >= 10 records), or none of these."""
    rec = w.records[i]
    if any(isinstance(v, str) and max(_text_facts(v)) > 0 for _, v in rec.items):
        return "a priority word or alert colour"
    if any(not isinstance(v, str) and priority_claim(k, v) for k, v in rec.items):
        return "a number or flag under a priority name"
    same = [r for r in w.records if r.kind == rec.kind]
    if len(same) <= 3:
        return "a kind rare in the window"
    if len(same) >= 10:
        for k, v in rec.items:
            if isinstance(v, str) and sum(1 for r in same if dict(r.items).get(k) == v) == 1:
                return "a text value once in the window"
    return "other"


def family_report(family: str, worlds: int, method: Any) -> dict[str, Any]:
    per_world = 3
    ws = family_windows(family, worlds, per_world, 256)
    missed: Counter[str] = Counter()
    intruders: Counter[str] = Counter()
    drivers: Counter[str] = Counter()
    field_shapes: Counter[str] = Counter()
    for wi0 in range(0, len(ws), per_world):
        world = ws[wi0:wi0 + per_world]
        pool = _pool(r for w in world for r in w.records)
        shapes = {key: shape_of(vals, labels=labs) for key, (vals, labs) in pool.items() if len(vals) >= 20}
        field_shapes.update(shapes.values())
        for j, w in enumerate(world):
            scores = method(w, wi0 + j)
            n = len(scores)
            k = max(1, n // 10)
            truth = set(sorted(range(n), key=lambda i: -float(w.target[i]))[:k])
            model = set(sorted(range(n), key=lambda i: -scores[i])[:k])
            details = w.details or ("",) * n
            for i in truth - model:
                missed[table_case(w.cases[i], details[i]) or w.cases[i]] += 1
            for i in model - truth:
                case = table_case(w.cases[i], details[i]) or w.cases[i]
                intruders[case] += 1
                if case == "normal":
                    d = _driver(w, i)
                    if d is None or d[1] < 3.0:
                        drivers["no numeric extreme: " + _other_reason(w, i)] += 1
                    else:
                        drivers[shapes.get((w.records[i].kind, d[0]), "few records")] += 1
    return {"missed": dict(missed.most_common()), "intruders": dict(intruders.most_common()),
            "routine intruders by driving field": dict(drivers.most_common()),
            "numeric fields by shape": dict(field_shapes.most_common())}


def train_shapes(worlds: int) -> dict[str, int]:
    """Numeric fields of the randomized training worlds by shape (routine records only)."""
    from node.workload.randomized import RandomizedWorkload

    out: Counter[str] = Counter()
    for seed in range(worlds):
        wl = RandomizedWorkload(seed)
        pool = _pool(lr.record for lr in wl.next_labeled(768, 0) if lr.case == "routine")
        for vals, labs in pool.values():
            if len(vals) >= 20:
                out[shape_of(vals, labels=labs)] += 1
    return dict(out.most_common())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", default=SEVEN, help=f"comma-separated (default the seven: {SEVEN})")
    ap.add_argument("--worlds", type=int, default=6)
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    ap.add_argument("--train", type=int, default=24, help="randomized worlds whose fields are classed (0: none)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.worlds < 1:
        ap.error("--worlds must be at least 1")
    method = model_method(load_checkpoint(Path(args.model or default_checkpoint_path()).read_bytes())[0])
    rep: dict[str, Any] = {"worlds": args.worlds, "families": {}}
    for fam in args.families.split(","):
        rep["families"][fam] = family_report(fam, args.worlds, method)
        print(f"done {fam}", file=sys.stderr, flush=True)
    if args.train:
        rep["randomized numeric fields by shape"] = train_shapes(args.train)
    if args.json:
        print(json.dumps(rep, indent=1))
        return
    for fam, r in rep["families"].items():
        print(f"== {fam}")
        for key, val in r.items():
            print(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in val.items()))
    if args.train:
        print("randomized numeric fields by shape: "
              + ", ".join(f"{k} {v}" for k, v in rep["randomized numeric fields by shape"].items()))


if __name__ == "__main__":
    main()
