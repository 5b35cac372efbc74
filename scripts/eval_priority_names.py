"""What a priority field's *name* is worth: a held-out family's worlds of one priority form, scored by
the shipped model as written and with the priority field renamed.

Session 20 asked whether a lexicon of scale field names (deadline, points, score in the families'
languages) would lift the numeric priority forms no training name covers (dc's SLA minutes, aqua's
points and minutes). Renaming the field to one the lexicon reads as priority answers it without a
retrain: the median rank of the priority records moves by what the name gives.

Session 22 asked the same of a duration's *writing*: lift writes a repair deadline as an ISO 8601
duration (``"PT36H"``, a label to the featurizer), civic's Hungarian response target mixes units
(``"5 nap"``, ``"8 óra"``, ``"30 perc"``: days, hours, minutes, read as 5, 8 and 30). ``--as-seconds``
rewrites the priority field's value as the number of seconds it says (:func:`duration_seconds`), so
the median rank moves by what reading durations would give, again without a retrain. The reader is
this script's, a measurement: its unit words were written knowing the families, so it says what the
reading is worth, not how well a general one would do.

Usage: python scripts/eval_priority_names.py --family dc --form sla --name response_urgency_min
       [--worlds 8] [--json]
       python scripts/eval_priority_names.py --family lift --form deadline --as-seconds
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
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

_ISO = re.compile(r"P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?"
                  r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?")
_CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)")
_NUM_UNIT = re.compile(r"([^\W\d_]+\.?)?\s*(\d+(?:[.,]\d+)?)\s*([^\W\d_]+\.?)?")
# Time units, seconds each: English, the SI symbols, and the words of the families measured here
# (Portuguese, Hungarian, Upper Sorbian, Estonian, Basque, Swahili, Turkish, German, Spanish).
_UNIT_SECONDS = {u: sec for sec, words in (
    (1, "s sec secs second seconds sek sn saniye segundo segundos sekunda sekundy sekund sekundit"),
    (60, "m min mins minute minutes minuto minutos perc minuta minuty minutow minutit minut minutu"
         " dakika dk minutua minutuak"),
    (3600, "h hr hrs hour hours hora horas ora ore óra ora stunde stunden std hodź hodźin godz godzin"
           " tund tundi ordu ordua ordubete saa saat"),
    (86400, "d day days dia dias nap dźeń dnjow dni päev päeva egun egunak siku gün tag tage"),
    (604800, "w wk week weeks semana semanas het hét tydźeń nädal aste wiki hafta woche wochen"),
) for u in words.split()}


def duration_seconds(value: object) -> float | None:
    """The seconds a duration string says: an ISO 8601 duration (``"P1DT12H"``), a clock duration
    (``"48:00"``: hours and minutes), or a number with a time unit before or after it (``"8 óra"``,
    ``"dakika 45"``, ``"45min"``); None for anything else (numbers pass through as they are)."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None
    text = value.strip()
    m = _ISO.fullmatch(text.upper())
    if m and any(m.groups()):
        w, d, h, mi, sec = (float(g.replace(",", ".")) if g else 0.0 for g in m.groups())
        return (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + sec
    m = _CLOCK.fullmatch(text)
    if m:
        return int(m.group(1)) * 3600.0 + int(m.group(2)) * 60.0
    m = _NUM_UNIT.fullmatch(text)
    if m:
        before, num, after = m.groups()
        unit = (after or before or "").rstrip(".").lower()
        if unit in _UNIT_SECONDS and not (before and after):
            return float(num.replace(",", ".")) * _UNIT_SECONDS[unit]
    return None


def renamed_factory(family: str, new_name: str | None, as_seconds: bool = False) -> Callable[[int], Any]:
    """The family's world factory with each record's priority field (``prio_key``) renamed to
    ``new_name`` (None: as written), and with ``as_seconds`` its value rewritten as the number of
    seconds it says when it is a duration (:func:`duration_seconds`). Everything else, truth
    included, is the family's own."""
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
                if as_seconds and key in fields and (sec := duration_seconds(fields[key])) is not None:
                    fields[key] = int(sec) if sec.is_integer() else sec
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
    parser.add_argument("--name", default=None, help="the name to give the priority field")
    parser.add_argument("--as-seconds", action="store_true",
                        help="instead: rewrite the priority field's durations as numbers of seconds")
    parser.add_argument("--worlds", type=int, default=8)
    parser.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from node.attention.scorer import default_checkpoint_path
    from node.attention.train import load_checkpoint

    method = model_method(load_checkpoint(Path(args.model or default_checkpoint_path()).read_bytes())[0])
    seeds = form_seeds(args.family, args.form, args.worlds)
    if (args.name is None) == (not args.as_seconds):
        raise SystemExit("give --name NAME or --as-seconds (one of them)")
    report: dict[str, Any] = {"family": args.family, "form": args.form, "worlds": len(seeds)}
    arms = [("as written", None, False), (args.name, args.name, False)] if args.name else [
        ("as written", None, False), ("as seconds", None, True)]
    for label, name, seconds in arms:
        windows = make_windows(seeds, 3, (256,), shuffle_seed=3, family=args.family,
                               factory=renamed_factory(args.family, name, seconds), history="committed",
                               warmup=(2,))
        n, med = priority_rank(windows, method)
        report[label] = {"n": n, "median_rank": round(med, 3)}
        if not args.json:
            print(f"{args.family} {args.form}, priority field {label}: {n} priority records, median rank {med:.3f}",
                  flush=True)
    if args.json:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
