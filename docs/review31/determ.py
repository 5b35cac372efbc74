"""Q3 determinism: answers with the History filled in different orders / batchings, and (run twice) other hash seeds."""
import sys, random, hashlib
sys.path.insert(0, "/work/main/scripts"); sys.path.insert(0, "/work/main")
import eval_unseen as E
import eval_copy_rule as C
from node.attention import history as H
from node.attention.features import featurize_record
from protocol.record import Record
out = []
for fam in ("fleet", "aqua", "dc"):
    labeled = E._factory(fam)(1).next_labeled(2400, 1_700_000_000_000)
    recs = [lr.record for lr in labeled]
    held, later = recs[:2000], recs[2000:]
    probes = []
    for r in held[-400:]:
        f = dict(r.items); labels = [k for k, v in f.items() if C._is_label(k, v)]
        for k in labels[:2]: f[k] += "-3af"
        probes.append(Record.create(r.kind, r.origin, r.ts_ms + 7, f))
    probes += later
    feats = [featurize_record(p) for p in probes]
    answers = []
    for order in range(4):
        rs = list(held); rng = random.Random(order)
        if order: rng.shuffle(rs)
        h = H.History(4096)
        step = [2000, 64, 1, 333][order]
        for i in range(0, len(rs), step): h.add(rs[i:i + step])
        a = "".join("1" if h.has_replay(f) else "0" for f in feats)
        answers.append(a)
    same = len(set(answers)) == 1
    out.append(f"{fam}: {len(feats)} probes, copies {answers[0].count('1')}, orders agree: {same}, digest {hashlib.sha1(answers[0].encode()).hexdigest()[:12]}")
print("\n".join(out))
