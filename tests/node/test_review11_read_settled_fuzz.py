"""Review 11: fuzz _read_settled against a reference reading of its docstring (fake store, small pages)."""
from __future__ import annotations

import random
from types import SimpleNamespace as NS

import pytest

import node.core.views as vw


class FakeStore:
    def __init__(self, slots: dict[int, tuple[str, str | None, str | None]]) -> None:
        # seq -> (outcome 'committed'/'rejected', block_id, prev)  (absent: no decision)
        self.slots = slots

    def heads(self):
        com = [s for s, (o, _b, _p) in self.slots.items() if o == "committed"]
        if not com:
            return []
        h = max(com)
        return [("Q", h, self.slots[h][1], len(com))]

    def decided_since(self, p, frm, limit):
        return [NS(seq=s, outcome=o, block_id=b) for s, (o, b, _p) in sorted(self.slots.items()) if s >= frm][:limit]

    def blocks_range(self, p, frm, limit):
        return [NS(seq=s, block_id=b, header=pr) for s, (o, b, pr) in sorted(self.slots.items())
                if s >= frm and o == "committed"][:limit]


def reference(slots, seq, bid, upto):
    pending = False
    k = seq
    while k < upto:
        k += 1
        d = slots.get(k)
        if d is None or d[0] == "rejected":
            pending = True
            continue
        if pending and d[2] != bid:
            return seq, bid
        seq, bid, pending = k, d[1], False
    return seq, bid


def chain(rng, n):
    """A chain of commits where each commit's prev is the previous commit (sometimes a foreign id)."""
    slots = {}
    last = None
    for s in range(1, n + 1):
        r = rng.random()
        if r < 0.55 or s == n:
            prev = last if rng.random() < 0.8 else f"foreign{s}"
            slots[s] = ("committed", f"B{s}", prev)
            last = f"B{s}"
        elif r < 0.85:
            slots[s] = ("rejected", None, None)
        # else: no decision
    return slots


@pytest.mark.parametrize("page", [1, 2, 3, 1024])
def test_fuzz(monkeypatch, page):
    monkeypatch.setattr(vw, "_SETTLE_PAGE", page)
    monkeypatch.setattr(vw, "decode_signed_header", lambda h: NS(header=NS(prev=h)))
    rng = random.Random(page)
    bad = []
    for _ in range(3000):
        n = rng.randint(1, 14)
        slots = chain(rng, n)
        com = sorted(s for s, d in slots.items() if d[0] == "committed")
        upto = com[-1] if rng.random() < 0.5 else rng.choice(com)
        # start from a settled prefix: 0, or a commit reached contiguously by the reference
        seq, bid = 0, None
        if rng.random() < 0.5:
            seq, bid = reference(slots, 0, None, rng.choice(com))
        if seq > upto:
            continue
        got = vw._read_settled(FakeStore(slots), "Q", seq, bid, upto)
        want = reference(slots, seq, bid, upto)
        if got != want:
            bad.append((slots, seq, bid, upto, got, want))
    assert not bad, bad[:3]
