"""Review 37: do valid-but-hostile records make the validators' scoring path raise?

Why it matters (node/core/consensus_effects.py ``Effects._evaluate``): any exception from
``views.score`` becomes ``EvaluationFailed`` -- no vote, no rescore backoff (protocol/slots.py
``_eval_done``) -- and the block is evaluated again on every re-announce. A record that makes the
scorer raise would cost every validator a decode + model run per re-announce, for free.

Generates records that pass ``Record.create`` and the default RecordLimits (extreme numbers,
empty / huge / odd-unicode text, bytes, bools, mixed lists, many fields, numeric-looking text,
units, priority words), and scores blocks of them through ``Views.score_sync`` (the validators'
path: context, copy rule, novelty budget, judge weights) against a History of committed records.

Run from /work/main:  .venv/bin/python docs/review37c/d_score_fuzz.py [seconds]
"""

from __future__ import annotations

import random
import sys
import time
import traceback

sys.path.insert(0, ".")

from protocol.record import Record, decode_record  # noqa: E402
from tests.node.test_views import P, Q, records, view_of, views  # noqa: E402

WORDS = ["CRITICAL", "critical", "ok", "OK", "red", "RED", "alarm", "7.53 m", "7530 mm", "-0", "nan", "inf",
         "1e308", "urgent!!", "", " ", "\u0000", "\u202e", "\U0001f525", "a" * 4096, "1" * 300, "0x10",
         "severity", "priority", "1/0", "-1e-320", "３", "Ⅻ", "١٢", "5 km/h", "10%", "1,000.5"]
NUMS = [0, -0.0, 1, -1, 2**63 - 1, -(2**63), 1e308, -1e308, 5e-324, -5e-324, 1e-300, 0.1, 3.14159,
        2**53 + 1, float(2**63), 123456789.123, True, False]
NAMES = ["severity", "priority", "level", "value", "temp_c", "lat", "lon", "status", "code", "x", "a.b",
         "é", "\u0000", "z" * 64, "count", "unit", "alarm", "tags", "msg", "score"]


def value(rng: random.Random):  # noqa: ANN201
    r = rng.random()
    if r < 0.35:
        return rng.choice(NUMS) if rng.random() < 0.7 else rng.uniform(-1e6, 1e6)
    if r < 0.65:
        return rng.choice(WORDS)
    if r < 0.75:
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 16, 4096])))
    n = rng.choice([0, 1, 2, 8, 64])
    return tuple(rng.choice([rng.choice(NUMS), rng.choice(WORDS), True, b"x"]) for _ in range(n))


def hostile(rng: random.Random, origin: str, i: int) -> Record | None:
    fields = {}
    for _ in range(rng.choice([0, 1, 3, 8, 20, 64])):
        fields[rng.choice(NAMES) + (str(rng.randrange(50)) if rng.random() < 0.5 else "")] = value(rng)
    kind = rng.choice(["alert", "reading", "x" * 64, "\u202e", "Ω", "a", "note"])
    try:
        rec = Record.create(kind, origin, rng.choice([0, 2**63 - 1, 1_700_000_000_000 + i]), fields)
        decode_record(rec.canonical_bytes())  # must be valid on the wire (RecordLimits)
        return rec
    except Exception:  # noqa: BLE001
        return None


def main() -> None:
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    rng = random.Random(3737)
    v = views()
    for seq in range(1, 6):
        v.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, 40, 100 + seq))
        v.on_commit(P.peer_id, seq, f"p{seq}", records(P, 40, 200 + seq))
    view = view_of(Q=5, P=5)
    t_end = time.monotonic() + budget
    blocks = recs_n = 0
    failures: dict[str, tuple[int, str]] = {}
    slowest = (0.0, 0)
    while time.monotonic() < t_end:
        n = rng.choice([1, 2, 8, 32])
        recs = [r for r in (hostile(rng, Q.peer_id, i + 1000 * blocks) for i in range(n)) if r is not None]
        recs = list({r.cid: r for r in recs}.values())
        if not recs:
            continue
        t = time.perf_counter()
        try:
            scores = v.score_sync(recs, view, Q.peer_id)
            assert len(scores) == len(recs)
        except Exception as exc:  # noqa: BLE001
            key = f"{type(exc).__name__}: {str(exc)[:120]}"
            count, tb = failures.get(key, (0, traceback.format_exc(limit=6)))
            failures[key] = (count + 1, tb)
        dt = time.perf_counter() - t
        if dt / len(recs) > slowest[0]:
            slowest = (dt / len(recs), len(recs))
        blocks += 1
        recs_n += len(recs)
    print(f"{blocks} blocks, {recs_n} hostile records scored in {budget:.0f} s; "
          f"slowest {slowest[0] * 1e3:.1f} ms/record (block of {slowest[1]})")
    if not failures:
        print("no exception from the scoring path")
    for key, (count, tb) in failures.items():
        print(f"--- {count} x {key}\n{tb}")


main()
