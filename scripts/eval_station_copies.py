"""Honest records the copy rule calls copies on a fixed-site station stream (review 30, row 4).

A kind of records from fixed stations: a station label, its latitude and longitude (the same in every
record of the station), a slowly drifting water temperature, a flow reading on 85% of records, and
rare ice and turbidity readings. Every record carries new readings; each is judged against a History of
every earlier record (the worst case: a node that holds everything), the first 500 only held::

    python scripts/eval_station_copies.py                 # 3,000 records, 40 stations
    python scripts/eval_station_copies.py --records 1200 --json

Prints how many judged records ``History.has_replay`` calls copies, split by whether the record carries
a flow reading and a rare reading. The stations' coordinates count as evidence (review 30 row 4, open):
770 of 2,500 called copies at 548a9b4, 818 since session 31's dropped + moved probe. Taking fixed values
out of the evidence brought it to 387, and let re-typed copies of important records through (review 31,
docs/review31-findings.md), so it was reverted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.attention.features import featurize_record  # noqa: E402
from node.attention.history import History  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record  # noqa: E402

WARMUP = 500


def run(records: int, stations: int, seed: int = 7) -> dict[str, dict[str, int]]:
    """{group: {"records": n, "copies": called copies}} for the judged records (after the first 500)."""
    origin = PrivateKey(b"\x09" * 32).peer_id
    rng = random.Random(seed)
    sites = {f"ST-{i:03d}": (round(rng.uniform(59, 61), 4), round(rng.uniform(23, 26), 4)) for i in range(stations)}
    water = {s: rng.uniform(4, 16) for s in sites}
    history = History(4096)
    n: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    batch: list[Record] = []
    for i in range(records):
        site = rng.choice(list(sites))
        lat, lon = sites[site]
        water[site] += rng.gauss(0, 0.3)
        fields: dict[str, object] = {"site": site, "lat": lat, "lon": lon, "water_c": round(water[site], 2)}
        if rng.random() < 0.85:
            fields["flow_m3s"] = round(rng.uniform(1, 40), 2)
        if rng.random() < 0.04:
            fields["ice_cm"] = round(rng.uniform(1, 30), 1)
        if rng.random() < 0.04:
            fields["turbidity_ntu"] = round(rng.uniform(1, 300), 1)
        rec = Record.create("station", origin, 1_700_000_000_000 + i * 1000, fields)
        if i >= WARMUP:
            called = history.has_replay(featurize_record(rec))
            group = ("flow" if "flow_m3s" in fields else "no flow") + (
                ", a rare reading" if "ice_cm" in fields or "turbidity_ntu" in fields else "")
            for g in ("all", group):
                n[g] += 1
                copies[g] += called
        batch.append(rec)
        if len(batch) == 64:
            history.add(batch)
            batch = []
    return {g: {"records": n[g], "copies": copies[g]} for g in sorted(n)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=3000, help="records in the stream (the first 500 only held)")
    ap.add_argument("--stations", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.records <= WARMUP:
        ap.error(f"--records must be more than {WARMUP} (the first {WARMUP} are only held)")
    if args.stations < 1:
        ap.error("--stations must be at least 1")
    out = run(args.records, args.stations)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    for g, v in out.items():
        print(f"{g:28s} {v['copies']:5d} of {v['records']:5d} called copies")


if __name__ == "__main__":
    main()
