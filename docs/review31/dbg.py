import sys
sys.path.insert(0, "/work/main/scripts"); sys.path.insert(0, "/work/main")
import eval_unseen as E
import eval_copy_rule as C
from node.attention import history as H
from node.attention.features import featurize_record, field_facts
from protocol.record import Record
labeled = E._factory("fleet")(2).next_labeled(2000, 1_700_000_000_000)
recs = [lr.record for lr in labeled]
h = H.History(4096); h.add(recs)
top = sorted(range(len(labeled)), key=lambda i: -labeled[i].importance)
n = 0
for i in top:
    r = recs[i]
    if r.kind != "evCharger": continue
    f = dict(r.items); labels = [k for k, v in f.items() if C._is_label(k, v)]
    c = dict(f)
    for k in labels[:2]: c[k] += "-3af"
    fr = featurize_record(Record.create(r.kind, r.origin, r.ts_ms + 5, c))
    facts = H._facts(fr)
    fx = h._fixed_numbers(fr, facts)
    print("fixed:", [fr.items[j][0] for j in fx], "labels", labels)
    print(labels, f)
    n += 1
    if n > 2: break
