"""Review 9 #2 through the sync adapter: catch-up pulls the certified blocks of a genesis
proposer that is not a validator, and never bans the honest peer that serves them (before
the fix: nothing pulled in 2 s and the server banned as a liar)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import trio

from protocol.block import BlockLimits, build_block
from protocol.catchup import SyncParams
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, Vote, sign_vote
from tests.node.test_syncsvc import Net, _commit, _service
from tests.protocol.conftest import KEYS, MODEL_ID, NETWORK

LIMITS = BlockLimits()
PROPOSER = PrivateKey(b"\x78" * 32)  # proposes, does not vote
G = replace(Genesis(NETWORK, ValidatorSet(k.peer_id for k in KEYS), (MODEL_ID,)),
            proposers=(PROPOSER.peer_id, *(k.peer_id for k in KEYS)))


def _chain(n: int) -> list[Any]:
    out, prev = [], None
    for seq in range(1, n + 1):
        recs = [Record.create("t", PROPOSER.peer_id, seq * 1000 + i, {"i": i}) for i in range(3)]
        b = build_block(PROPOSER, genesis_id=G.id, network=G.network_id, seq=seq, prev=prev, created_ms=seq,
                        model_id=MODEL_ID, records=recs, scores=[0.5] * 3, limits=LIMITS)
        votes = tuple(sign_vote(Vote(b.block_id, PROPOSER.peer_id, seq, k.peer_id, Decision.ACCEPT, Reason.OK), k,
                                G.id) for k in KEYS[: G.validators.q])
        out.append((b, recs, Certificate(b.block_id, PROPOSER.peer_id, seq, votes)))
        prev = b.block_id
    return out


async def test_catch_up_pulls_a_non_voting_proposers_blocks_and_bans_nobody(tmp_path: Any) -> None:
    net = Net()
    params = SyncParams(interval_ms=50, batch=4)
    _, full = _service(tmp_path, "a", net, ["b"], G, params)
    for b, recs, c in _chain(5):
        assert _commit(full, b, recs, c)
    svc, empty = _service(tmp_path, "b", net, ["a"], G, params)
    async with trio.open_nursery() as nursery:
        await nursery.start(svc.run)
        with trio.fail_after(20):
            while len(empty.blocks_range(PROPOSER.peer_id, 1, 100)) < 5:  # noqa: ASYNC110 (a store polled)
                await trio.sleep(0.05)
        nursery.cancel_scope.cancel()
    assert [r.seq for r in empty.blocks_range(PROPOSER.peer_id, 1, 100)] == [1, 2, 3, 4, 5]
    assert not svc.is_banned("a")
