"""What a priority field's *name* is worth: a held-out family's worlds of one priority form, scored by
the shipped model as written and with the priority field renamed.

Session 20 asked whether a lexicon of scale field names (deadline, points, score in the families'
languages) would lift the numeric priority forms no training name covers (dc's SLA minutes, aqua's
points and minutes). Renaming the field to one the lexicon reads as priority answers it without a
retrain: the median rank of the priority records moves by what the name gives.

Usage: python scripts/eval_priority_names.py --family dc --form sla --name response_urgency_min
       [--worlds 8] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_unseen import _factory  # noqa: E402

from node.attention.data import TEST_SEEDS, Window, make_windows  # noqa: E402
from node.attention.evaluate import Method, case_ranks, model_method  # noqa: E402
from protocol.record import Record  # noqa: E402


def renamed_factory(family: str, new_name: str | None) -> Callable[[int], Any]:
    """The family's world factory with each record's priority field (``prio_key``) renamed to
    ``new_name`` (None: as written). Everything else, truth included, is the family's own."""
    make = _factory(family)

    class Renamed:
        def __init__(self, seed: int) -> None:
            self.world = make(seed)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.world, name)

        def next_labeled(self, n: int, now_ms: int) -> list[Any]:
            out = []
            key = self.world.prio_key
            for lr in self.world.next_labeled(n, now_ms):
                fields = dict(lr.record.fields)
                if new_name is not None and key in fields and new_name not in fields:
                    fields[new_name] = fields.pop(key)
                rec = Record.create(lr.record.kind, lr.record.origin, lr.record.ts_ms, fields)
                out.append(dataclasses.replace(lr, record=rec))
            return out

    return Renamed


def form_seeds(family: str, form: str, worlds: int) -> list[int]:
    """The first ``worlds`` test seeds whose world writes priority in ``form``."""
    make = _factory(family)
    seeds: list[int] = []
    for s in TEST_SEEDS:  # a world is built to read its form: stop at the ones asked for
        if len(seeds) >= worlds:
            break
        if str(getattr(make(s), "prio_mode", "")) == form:
            seeds.append(s)
    if not seeds:
        raise SystemExit(f"no {family} world writes priority as {form!r}")
    return seeds


def priority_rank(windows: list[Window], method: Method) -> tuple[int, float]:
    """(count, median rank) of the windows' priority records under ``method``."""
    ranks: list[float] = []
    for i, w in enumerate(windows):
        ranks += case_ranks(method(w, i), w).get("priority", [])
    return len(ranks), float(np.median(ranks)) if ranks else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", required=True)
    parser.add_argument("--form", required=True, help="the family's prio_mode to take worlds of")
    parser.add_argument("--name", required=True, help="the name to give the priority field")
    parser.add_argument("--worlds", type=int, default=8)
    parser.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from node.attention.scorer import default_checkpoint_path
    from node.attention.train import load_checkpoint

    method = model_method(load_checkpoint(Path(args.model or default_checkpoint_path()).read_bytes())[0])
    seeds = form_seeds(args.family, args.form, args.worlds)
    report: dict[str, Any] = {"family": args.family, "form": args.form, "worlds": len(seeds)}
    for label, name in (("as written", None), (args.name, args.name)):
        windows = make_windows(seeds, 3, (256,), shuffle_seed=3, family=args.family,
                               factory=renamed_factory(args.family, name), history="committed", warmup=(2,))
        n, med = priority_rank(windows, method)
        report[label] = {"n": n, "median_rank": round(med, 3)}
        if not args.json:
            print(f"{args.family} {args.form}, priority field {label}: {n} priority records, median rank {med:.3f}",
                  flush=True)
    if args.json:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
