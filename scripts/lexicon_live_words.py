"""Which lexicon words still read as priority in records whose ground truth says routine.

Session 11 found lexicon v5's bugs this way: 11% of port's routine records carried a live priority
word ("Ochi epeigon." is Greek "not urgent", and only Greek-script negators were known), clinic's
"acil servis" (a place) read as critical, and mine's "Žádný plynový poplach" ("no gas alarm") as an
alarm. A live word in a routine record is a misreading, a copy of an important record (copies keep
their words but not their importance), or a family's own choice; the examples tell which::

    python scripts/lexicon_live_words.py --family port --worlds 24
    python scripts/lexicon_live_words.py --family mine --json

Reading a family's records makes it no longer blind: run it on families already read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import FAMILIES, family_windows  # noqa: E402

from node.attention.lexicon import LEXICON_ID, clause_words, priority_words  # noqa: E402

COPIES = frozenset({"dup", "near_dup", "burst_tail", "resend"})


def live_words(family: str, worlds: int, per_world: int, window: int, routine_below: float) -> dict[str, object]:
    """Counts of (field, word) read with weight > 0 in fresh records whose truth is under ``routine_below``."""
    counts: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], str] = {}
    routine = with_word = 0
    for w in family_windows(family, worlds, per_world, window):
        for i, rec in enumerate(w.records):
            if float(w.target[i]) >= routine_below or w.cases[i] in COPIES:
                continue
            routine += 1
            hit = False
            for key, value in rec.items:
                if not isinstance(value, str):
                    continue
                for word, weight in priority_words(clause_words(value)):
                    if weight > 0:
                        counts[(key, word)] += 1
                        example.setdefault((key, word), value[:100])
                        hit = True
            with_word += hit
    return {"family": family, "lexicon": LEXICON_ID, "routine_records": routine, "with_live_word": with_word,
            "share": round(with_word / max(1, routine), 4),
            "words": [{"field": k, "word": wd, "count": c, "example": example[(k, wd)]}
                      for (k, wd), c in counts.most_common()]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", required=True, choices=tuple(FAMILIES))
    ap.add_argument("--worlds", type=int, default=24)
    ap.add_argument("--per-world", type=int, default=2)
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--routine-below", type=float, default=0.1, help="ground truth under this is routine")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    report = live_words(args.family, args.worlds, args.per_world, args.window, args.routine_below)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{report['family']}: {report['with_live_word']} of {report['routine_records']} fresh routine records "
          f"({float(report['share']):.1%}) hold a live priority word; lexicon {report['lexicon']}")
    for row in report["words"][: args.top]:  # type: ignore[index]
        print(f"  {row['count']:5d}  {row['word']!r:22s} field {row['field']!r:24s} e.g. {row['example']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
