"""Catch-up gap lookups: the old scan against ``Store.missing_committed_seqs``, side by side.

A peer's claimed head makes a node look up its own holes in that proposer's
chain (protocol/catchup.py), so a liar can make it repeat the lookup. One
store: a 100,000-block chain with one hole, a 20,000-block chain with none.
"old" is the scan the store used before session 4 (every committed seq into
Python); "new" is the store's method (chain_tips' count, then a memo of the
holes). Each is timed twice, alternating; the first "new" call of a chain
with holes builds the memo (about the old cost), later calls reuse it.

Usage: python scripts/bench_gaps.py
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from node.store import CommitItem, Store  # noqa: E402

d = Path(tempfile.mkdtemp())
st = Store.open(d / "g.db")


def fill(p, n, skip=()):
    items = [CommitItem(f"{p}{s}", p, s, b"H", b"P", 0, 1, b"C", [], []) for s in range(1, n + 1) if s not in skip]
    for i in range(0, len(items), 5000):
        st.commit_blocks(items[i:i+5000], 1)


P, Q = "12D3KooWGap", "12D3KooWNoGap"
fill(P, 100_000, {50_000})
fill(Q, 20_000)


def old(proposer, upto, limit=4096):
    with st._read() as conn:
        have = {s for (s,) in conn.execute("SELECT seq FROM blocks WHERE proposer = ? AND status = 'committed' AND seq <= ?", (proposer, upto))}
    out = []
    for s in range(1, upto + 1):
        if s not in have:
            out.append(s)
            if len(out) >= limit:
                break
    return out


for who, upto in ((P, 100_000), (Q, 20_000), (Q, 1_000_000), (P, 10**9)):
    res: dict = {}
    for name, f in (("old", old), ("new", st.missing_committed_seqs), ("old", old), ("new", st.missing_committed_seqs)):
        t = time.process_time()
        r = f(who, upto)
        res.setdefault(name, []).append(time.process_time() - t)
        res[name + "r"] = r
    assert res["oldr"] == res["newr"]
    o, (n1, n2) = min(res["old"]), res["new"]
    print(f"{who:14} upto {upto:>10}: {len(res['newr']):>4} missing; old {o * 1e3:6.2f} ms, new first "
          f"{n1 * 1e3:6.3f} ms then {n2 * 1e3:6.3f} ms CPU per lookup (old / new: {o / max(n2, 1e-6):.0f}x)")
