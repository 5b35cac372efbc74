"""Q3 cost: has_replay time on crafted records, session 31 parts on / off (monkeypatched)."""
import sys, time, random
sys.path.insert(0, "/work/main")
from node.attention import history as H
from node.attention.features import featurize_record
from protocol.record import Record
from protocol.keys import PrivateKey
P = PrivateKey(b"\x09" * 32).peer_id
FIXED, MDR = H.History._fixed_numbers, H._moved_dropped_replay
def mode(m):
    H.History._fixed_numbers = FIXED if m in ("on", "fixed") else (lambda self, f, facts: set())
    H._moved_dropped_replay = MDR if m in ("on", "mdr") else (lambda *a: False)
def rec(i, fields, kind="k"): return Record.create(kind, P, 1_700_000_000_000 + i, fields)
def timeit(h, judged, reps=3):
    best = 1e9
    for _ in range(reps):
        h.has_replay(judged[0])
        t = time.perf_counter(); c = sum(h.has_replay(f) for f in judged); dt = time.perf_counter() - t
        best = min(best, dt)
    return best / len(judged) * 1e6, c
rng = random.Random(1)
cases = {}
# A: 64 fractional numbers, each field of few values (every judged number fixed): the gate's loop at its widest
VAL = [round(i + 0.5, 1) for i in range(8)]
held = [rec(i, {f"x{j:02d}": rng.choice(VAL) for j in range(63)} | {"tag": f"t{i}"}) for i in range(2048)]
judged = [featurize_record(rec(10**7 + i, {f"x{j:02d}": rng.choice(VAL) for j in range(63)} | {"tag": f"u{i}"})) for i in range(200)]
cases["A 63 fixed-valued fractions"] = (held, judged)
# B: 63 varied fractions, 64 drop names held (the moved-dropped probes on every number, both steps)
held = []
for i in range(2048):
    fl = {f"y{j:02d}": round(rng.uniform(1, 1000), 3) for j in range(40)}
    fl |= {f"d{(i + j) % 64:02d}": round(rng.uniform(1, 1000), 3) for j in range(20)}
    held.append(rec(i, fl))
judged = [featurize_record(rec(10**7 + i, {f"y{j:02d}": round(rng.uniform(1, 1000), 3) for j in range(62)} | {"lab": f"l{i}"})) for i in range(200)]
cases["B 62 varied fractions, 64 drop names"] = (held, judged)
# C: re-sent held records of B less one number (grid-0 hits on dropped digests are possible)
judged = [featurize_record(rec(10**7 + i, dict(list(held[-1 - i].items)[1:]) | {"lab": "z"})) for i in range(200)]
cases["C B's held records, one dropped, label added"] = (held, judged)
# D: honest station records (shape B of shapes.py)
sites = {f"S{i}": (round(rng.uniform(59, 61), 4), round(rng.uniform(23, 26), 4)) for i in range(40)}
def st(i):
    s = rng.choice(list(sites)); return rec(i, {"site": s, "sensor": f"p{rng.randrange(999)}", "lat": sites[s][0], "lon": sites[s][1],
                                          "temp_c": round(rng.uniform(20, 25), 1), "rh": round(rng.uniform(40, 60), 1)}, "st")
held = [st(i) for i in range(3000)]
judged = [featurize_record(st(10**7 + i)) for i in range(300)]
cases["D honest station records"] = (held, judged)
for name, (held, judged) in cases.items():
    h = H.History(4096); h.add(held)
    row = []
    for m in ("off", "fixed", "mdr", "on"):
        mode(m); us, c = timeit(h, judged); row.append(f"{m}: {us:7.1f} us ({c} copies)")
    mode("on")
    print(f"{name:45s}", " | ".join(row), flush=True)
