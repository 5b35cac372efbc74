"""Review 6: defences attacked that held (these tests pass).

* a keyless relayer strips the payload off an honest block and announces it header-only first:
  the block is opened header-only, and the full block arriving later fills the payload in and
  is evaluated (``SlotCore._on_block``), with nothing fetched twice;
* a replayed committed block with a fresh ``attempt`` is never re-opened or re-evaluated.

The fail-open ``judge_scores`` on a non-finite score (finding 8) is fixed; its test is
``tests/protocol/test_admission.py::test_judge_scores_does_not_fail_open_on_a_non_finite_score``.
"""

from __future__ import annotations

from protocol.slots import BlockSeen, CertificateSeen, Evaluate, Evaluated, Fetch, StoreBlock
from tests.protocol.test_slots import KEYS, P, block, cert, core, of, records_of


def test_a_stripped_header_only_copy_first_does_not_lose_the_payload() -> None:
    c = core()
    full = block(P, 1)
    out = c.handle(BlockSeen(full.header_only(), "keyless"), 0)
    assert of(out, Fetch)
    assert not of(out, Evaluate)
    out = c.handle(BlockSeen(full, "honest"), 1)
    assert [s.block.payload is not None for s in of(out, StoreBlock)] == [True]
    assert of(out, Evaluate)


def test_a_replayed_committed_block_is_not_reopened() -> None:
    c = core()
    b = block(P, 1)
    c.handle(BlockSeen(b), 0)
    c.handle(Evaluated(b.block_id, records_of(b), None), 1)
    out = c.handle(CertificateSeen(cert(b, list(KEYS[1:4]))), 2)
    assert c.decided(P.peer_id, 1) == "committed", out
    out = c.handle(BlockSeen(b, "replayer"), 3)
    assert not of(out, Evaluate)
    assert not of(out, StoreBlock)

