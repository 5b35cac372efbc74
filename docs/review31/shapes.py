"""Q2: honest cost/benefit of the fixed-value gate on station shapes. usage: shapes.py SHAPE [records]
SHAPE A: site, sensor labels; lat, lon, elev_m fixed per site; temp_c 1 decimal 20.0-25.0 (drifting)
SHAPE B: site, sensor labels; lat, lon fixed; temp_c 1 decimal 20.0-25.0; rh_pct 1 decimal 40.0-60.0
SHAPE C: site, sensor labels; lat, lon fixed; temp_c 2 decimals (drifting); flow 2 decimals (as eval_station_copies)
Anomalies (3%): temp_c 30-45 (important). Each record judged against every earlier record, gate on/off;
then every held anomaly re-sent with both labels re-typed (and a second variant: the anomaly's temp held,
its other numbers as they were), gate on/off."""
import sys, random, collections
sys.path.insert(0, "/work/main")
from node.attention import history as H
from node.attention.features import featurize_record
from protocol.record import Record
from protocol.keys import PrivateKey
FIXED = H.History._fixed_numbers
OFF = lambda self, f, facts: set()
shape = sys.argv[1]; N = int(sys.argv[2]) if len(sys.argv) > 2 else 2500
O = PrivateKey(b"\x09" * 32).peer_id; L = PrivateKey(b"\x77" * 32).peer_id
def judge(h, rec, gate):
    H.History._fixed_numbers = FIXED if gate else OFF
    try: return h.has_replay(featurize_record(rec))
    finally: H.History._fixed_numbers = FIXED
rng = random.Random(7)
sites = {f"ST-{i:03d}": (round(rng.uniform(59, 61), 4), round(rng.uniform(23, 26), 4), round(rng.uniform(5, 400), 1)) for i in range(40)}
temp = {s: rng.uniform(21, 24) for s in sites}
h = H.History(4096); n = collections.Counter(); called = collections.Counter(); batch = []; anomalies = []; routine_fields = []
for i in range(N):
    s = rng.choice(list(sites)); lat, lon, elev = sites[s]
    temp[s] = min(25.0, max(20.0, temp[s] + rng.gauss(0, 0.2)))
    anom = rng.random() < 0.03
    t = round(rng.uniform(30, 45), 1) if anom else round(temp[s], 1)
    f = {"site": s, "sensor": f"probe-{rng.randrange(1000)}", "lat": lat, "lon": lon}
    if shape == "A":
        f["elev_m"] = elev; f["temp_c"] = t
    elif shape == "B":
        f["temp_c"] = t; f["rh_pct"] = round(rng.uniform(40, 60), 1)
    else:
        f["temp_c"] = round(rng.uniform(30, 45), 2) if anom else round(temp[s] + rng.gauss(0, 0.01), 2); f["flow"] = round(rng.uniform(1, 40), 2)
    rec = Record.create("station", O, 1_700_000_000_000 + i * 1000, f)
    if i >= 500:
        g = "anomaly" if anom else "routine"
        for gate in (False, True):
            c = judge(h, rec, gate)
            called[(g, gate)] += c
        n[g] += 1
    if anom: anomalies.append(f)
    else: routine_fields.append(f)
    batch.append(rec)
    if len(batch) == 64: h.add(batch); batch = []
h.add(batch)
print(f"shape {shape}: honest records called copies (gate off -> on)")
for g in ("routine", "anomaly"):
    print(f"  {g}: {called[(g, False)]} -> {called[(g, True)]} of {n[g]}")
att = collections.Counter()
for j, f in enumerate(anomalies):
    c = {**f, "site": f["site"] + "-3af", "sensor": f["sensor"] + "-x"}
    rec = Record.create("station", L, 1_700_000_000_000 + (N + j) * 1000, c)
    for gate in (False, True): att[gate] += judge(h, rec, gate)
print(f"  anomalies re-sent, both labels re-typed: caught {att[False]} -> {att[True]} of {len(anomalies)}")
att = collections.Counter()
for j, f in enumerate(routine_fields[-300:]):
    c = {**f, "site": f["site"] + "-3af", "sensor": f["sensor"] + "-x"}
    rec = Record.create("station", L, 1_700_000_000_000 + (N + 500 + j) * 1000, c)
    for gate in (False, True): att[gate] += judge(h, rec, gate)
print(f"  last 300 routine records re-sent, both labels re-typed: caught {att[False]} -> {att[True]} of 300")
