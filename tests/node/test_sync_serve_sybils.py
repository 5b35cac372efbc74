"""Review 7, finding 4: sybil peer ids do not multiply the sync server's answer budget.

``ServeGate`` (protocol/sync.py), used by ``SyncService._serve`` (node/core/syncsvc.py), keyed its
request and byte buckets (8 MiB/s, burst 32 MiB) on the asking peer id alone: each fresh key pair
brought a fresh 32 MiB burst (plus one answer of debt), read from SQLite on the node's single
store worker and sent. Now every peer that is not a genesis member is also charged to one pool
that all strangers share, ``stranger_pool`` (2) peers' worth, as the net layer's budget does.
Measured by this test: one id gets 42 MiB before "busy"; 16 ids asking until "busy" got 664 MiB
on 2faf772, 69 MiB now.
"""

from __future__ import annotations

from typing import Any

from node.net.budget import BudgetParams
from protocol.catchup import SyncParams
from protocol.sync import BlocksResp, ErrorResp, GetBlocks
from tests.node.test_syncsvc import KEYS, Net, _ask, _certified, _commit, _genesis, _service

MiB = 1 << 20


def _size(resp: BlocksResp) -> int:
    return sum(len(b) + len(c) for b, c in resp.items)


async def test_sybil_ids_do_not_multiply_the_sync_answer_budget(tmp_path: Any, mock_clock: Any) -> None:
    # mock_clock: no bucket refills while the store is read, so the figures are exact.
    g = _genesis(max_payload_bytes=3 * MiB)
    net = Net()
    _svc, store = _service(tmp_path, "a", net, [], g)
    for seq in range(1, 8):  # seven ~2.4 MiB incompressible committed blocks: ~14 MiB per answer
        assert _commit(store, *_certified(g, seq, blob=3, n=200))
    req = GetBlocks(KEYS[0].peer_id, 1, 32)

    # One peer's budget (a validator's, which strangers cannot spend): its burst (32 MiB) plus
    # one answer of debt, then "busy".
    one = 0
    for _ in range(8):
        resp = await _ask(net, "a", req, peer=KEYS[1].peer_id)
        if isinstance(resp, ErrorResp):
            break
        one += _size(resp)
    assert 32 * MiB < one < 3 * 16 * MiB

    # Sixteen fresh ids (a key pair each costs nothing), each asking until it is told "busy".
    served = 0
    for i in range(16):
        for _ in range(8):
            resp = await _ask(net, "a", req, peer=f"sybil-{i}")
            if isinstance(resp, ErrorResp):
                break
            served += _size(resp)
    pool = BudgetParams().stranger_pool  # what all strangers together get everywhere else: 2 peers' worth
    print(f"one id: {one / MiB:.0f} MiB; 16 ids: {served / MiB:.0f} MiB")
    # 2faf772: 16 ids were served 664 MiB, 16x one id's budget.
    assert served <= pool * one, (
        f"16 sybil ids were served {served / MiB:.0f} MiB at once; one id gets {one / MiB:.0f} MiB "
        f"before 'busy' (strangers' pool: {pool:g} peers' worth = {pool * one / MiB:.0f} MiB)")
    # The crowd spent the strangers' pool, not the genesis members' own budgets.
    assert isinstance(await _ask(net, "a", req, peer=KEYS[2].peer_id), BlocksResp)
    assert SyncParams().serve_bytes_burst == 32 * MiB
