"""Q1: can a liar make the measured numbers of committed news 'fixed' with primer records, then re-send
the news with two labels re-typed without being called a copy?  usage: bootstrap.py FAMS SEEDS [MODE=sep|joint]"""
import sys, os, random, collections, time
ROOT = os.environ.get("ROOT", "/work/main")
sys.path.insert(0, ROOT + "/scripts"); sys.path.insert(0, ROOT)
import eval_unseen as E
import eval_copy_rule as C
from node.attention import history as H
from node.attention.features import featurize_record, field_facts
from protocol.record import Record
from protocol.keys import PrivateKey

FIXED = H.History._fixed_numbers
OFF = lambda self, f, facts: set()
LIAR = PrivateKey(b"\x77" * 32).peer_id
fams = sys.argv[1].split(","); seeds = [int(s) for s in sys.argv[2].split(",")]
mode = sys.argv[3] if len(sys.argv) > 3 else "sep"
NTARGET = int(os.environ.get("NTARGET", "20"))
MAXP = int(os.environ.get("MAXP", "3000"))

def judge(h, rec, gate):
    H.History._fixed_numbers = FIXED if gate else OFF
    try:
        return h.has_replay(featurize_record(rec))
    finally:
        H.History._fixed_numbers = FIXED

def frac_fields(fields):
    out = []
    for k, v in fields.items():
        if isinstance(v, bool) or not isinstance(v, float) or v.is_integer():
            continue
        x = field_facts(k, v)
        if x[2] is not None and x[4] and not x[5]:
            out.append(k)
    return out

def whole_meas(fields):
    return [k for k, v in fields.items() if not isinstance(v, bool) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))
            and field_facts(k, v)[2] is not None and field_facts(k, v)[4]]

tot = collections.Counter(); costs = []; per_field = []
for fam in fams:
    for seed in seeds:
        w = E._factory(fam)(seed)
        labeled = w.next_labeled(2000, 1_700_000_000_000)
        recs = [lr.record for lr in labeled]
        h = H.History(4096); h.add(recs)
        imp = sorted(range(len(labeled)), key=lambda i: -labeled[i].importance)
        rng = random.Random(seed)
        done = 0
        for i in imp:
            if done >= NTARGET: break
            r = recs[i]; fields = dict(r.items)
            labels = [k for k, v in fields.items() if C._is_label(k, v)]
            fr = frac_fields(fields)
            if len(labels) < 2 or len(fr) < 2:
                continue
            done += 1
            copy = dict(fields)
            for k in labels[:2]:
                copy[k] = copy[k] + "-3af"
            crec = Record.create(r.kind, LIAR, r.ts_ms + 5000, copy)
            b, a = judge(h, crec, False), judge(h, crec, True)
            tot["targets"] += 1; tot["caught_gate_off"] += b; tot["caught_gate_on"] += a
            if not a:
                if b:
                    fx = sorted(frac_fields(fields))
                    print(f"ZERO-PRIMER ESCAPE {fam} s{seed} {r.kind} imp={labeled[i].importance:.2f} frac={fx} whole={whole_meas(fields)}", flush=True)
                continue
            # primers: per fractional field, how many records carrying exactly the target's value make it fixed
            kid = featurize_record(r).kind_id
            f0 = featurize_record(r)
            need = {}
            for k, v in zip(f0.num_keys, f0.num_vals):
                pass
            for name in fr:
                # (kind, field) key: featurize a one-field record to get its num key
                ff = featurize_record(Record.create(r.kind, LIAR, 0, {name: fields[name]}))
                key = ff.num_keys[0]; v = ff.num_vals[0]
                held = h._values.get(key, {}); T = h._value_totals.get(key, 0); D = len(held); c = held.get(v, 0)
                need[name] = max(3 - c, 4 * D - T, 8 - T, 0)
            nwhole = len(whole_meas(fields))
            order = sorted(fr, key=lambda n: need[n])
            # fix cheapest fields until the evidence fails: fractional < 2 and fractional + whole < 3
            chosen = []
            left = len(fr)
            while left >= 2 or left + nwhole >= 3:
                if not order: break
                chosen.append(order.pop(0)); left -= 1
            if left >= 2 or left + nwhole >= 3:
                tot["cannot(whole numbers)"] += 1; continue
            cost = sum(need[n] for n in chosen) if mode == "sep" else max(need[n] for n in chosen)
            per_field += [need[n] for n in chosen]
            if cost > MAXP:
                tot["over_maxp"] += 1; costs.append(cost); continue
            h2 = h.copy()
            prim = []
            if mode == "sep":
                for n in chosen:
                    for j in range(need[n]):
                        prim.append(Record.create(r.kind, LIAR, r.ts_ms + 10 + len(prim), {n: fields[n], "note": f"p{len(prim)}"}))
            else:
                for j in range(cost):
                    prim.append(Record.create(r.kind, LIAR, r.ts_ms + 10 + j, {**{n: fields[n] for n in chosen}, "note": f"p{j}"}))
            h2.add(prim)
            b2, a2 = judge(h2, crec, False), judge(h2, crec, True)
            costs.append(cost)
            tot["primed"] += 1; tot["primed_caught_gate_off"] += b2; tot["primed_caught_gate_on"] += a2
            print(f"{fam} s{seed} {r.kind[:20]:20} frac={len(fr)} whole={nwhole} fixed={chosen} need={[need[n] for n in chosen]} "
                  f"T={[h._value_totals.get(featurize_record(Record.create(r.kind, LIAR, 0, {n: fields[n]})).num_keys[0]) for n in chosen]} "
                  f"primers={cost} caught off/on {b2}/{a2}", flush=True)
print(dict(tot))
if costs:
    s = sorted(costs); pf = sorted(per_field)
    print("primers per target: min", s[0], "median", s[len(s)//2], "max", s[-1], "n", len(s))
    print("primers per fixed field: min", pf[0], "median", pf[len(pf)//2], "max", pf[-1], "n", len(pf),
          "zero-cost fields", sum(1 for x in pf if x == 0))
    for lim in (10, 50, 200, 1000):
        print(f"targets escaping with <= {lim} primers: {sum(1 for x in s if x <= lim)} of {len(s)}")
