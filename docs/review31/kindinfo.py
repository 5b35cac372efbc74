import sys, os, collections
sys.path.insert(0, "/work/main/scripts"); sys.path.insert(0, "/work/main")
import eval_unseen as E
from node.attention import history as H
from node.attention.features import featurize_record
fam, seed, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
labeled = E._factory(fam)(seed).next_labeled(2000, 1_700_000_000_000)
recs = [lr for lr in labeled if lr.record.kind == kind]
print(len(recs), "records of kind; cases", collections.Counter(lr.case for lr in recs))
vals = collections.defaultdict(collections.Counter)
for lr in recs:
    for k, v in lr.record.items:
        if isinstance(v, float): vals[k][v] += 1
for k, c in vals.items():
    print(f"  {k}: held {sum(c.values())} distinct {len(c)} top {c.most_common(4)}")
top = sorted(recs, key=lambda lr: -lr.importance)[:3]
for lr in top: print(lr.importance, lr.case, dict(lr.record.items))
