"""Review 11 (a helper's review of session 18's consensus fixes; fixed the same session): _first_judged is keyed by (proposer, seq, view), not by the block. A byzantine
proposer's variant that a validator has never seen inherits the lenient lag of an earlier variant
that got no vote: a block first seen already stale is judged ready."""
from __future__ import annotations

from protocol.record import Record
from protocol.vote import Decision, Reason
from tests.node.test_views import G, P, Q, R, _block, records, view_of, views

LAG = G.max_view_lag


def _state(v, with_later: bool) -> None:  # type: ignore[no-untyped-def]
    for seq in range(1, 4):
        v.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, 4, 800 + seq))
    if with_later:
        v.on_commit(P.peer_id, 1, "p1", records(P, 4, 900))
        for seq in range(4, 4 + LAG + 2):  # Q runs on: the view below is LAG + 2 behind
            v.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, 4, 800 + seq))


def test_a_variant_never_seen_before_is_not_judged_from_an_earlier_variant() -> None:
    view = view_of(P=1, Q=3)
    a_recs = records(R, 8, 4301)
    a = _block(R, 1, None, a_recs, [0.5] * len(a_recs), view)  # variant A: P/1 not held yet
    later_q = records(Q, 4, 800 + 5)  # content committed in Q/5, after the view
    b_recs = [Record.create(r.kind, R.peer_id, r.ts_ms, r.fields) for r in later_q]
    b = _block(R, 1, None, b_recs, [0.5] * len(b_recs), view)  # variant B: signed later
    assert a.block_id != b.block_id

    fresh = views()
    _state(fresh, True)
    assert fresh.check(b.header).verdict == (Decision.REJECT, Reason.CHAIN_RULE)  # the rule

    v = views()
    _state(v, False)
    first = v.check(a.header)
    assert not first.ready
    assert first.verdict is None
    _state(v, True)
    got = v.check(b.header)  # B is first seen now, LAG + 2 behind
    print("B judged:", got, "ours:", v.current(), "view:", view)
    assert got.verdict == (Decision.REJECT, Reason.CHAIN_RULE), "a block first seen stale was judged ready"
