"""Review 37, finding 3: single-block fetches (Get) try 4 peers, each up to 10 s, and never blame one.

REAL SyncService.fetch_block (the path consensus uses for a block announced header-only or named by
a certificate first), tests/node/test_syncsvc.py's in-memory Net, trio MockClock.

- 3 honest peers (genesis validators) that hold the block and answer Get at once;
- K stranger sybils that answer Get after 9.9 s with GetResp(None, None) ("don't have it"), or with
  another real block (a wrong answer verify_fetched refuses);
- hint: None, or a sybil (the gossip peer that relayed the announce first).

For 200 fetches of one block prints: how many returned the block, the mean simulated time a fetch
took, and whether any sybil is banned / lost standing afterwards.

usage: .venv/bin/python docs/review37/s4_fetch_sybils.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile

sys.path.insert(0, ".")

import trio  # noqa: E402
import trio.testing  # noqa: E402

from node.core.syncsvc import SyncService  # noqa: E402
from node.metrics import Metrics  # noqa: E402
from node.store import Store  # noqa: E402
from node.worker import Worker  # noqa: E402
from protocol.catchup import SyncParams  # noqa: E402
from protocol.sync import GetResp, decode_request, encode_response  # noqa: E402
from tests.node.test_syncsvc import KEYS, LIMITS, FakeConsensus, Net, _certified, _commit, _genesis  # noqa: E402

G = _genesis()


async def scenario(k: int, hint_is_sybil: bool, wrong: bool, fetches: int = 200) -> None:
    net = Net()
    tmp = tempfile.mkdtemp(prefix="r37s4")
    blk = _certified(G, 1)
    other = _certified(G, 2)
    honest = [KEYS[i].peer_id for i in (1, 2, 3)]
    for i, h in enumerate(honest):
        st = Store.open(os.path.join(tmp, f"h{i}.sqlite"))
        _commit(st, *blk)
        SyncService(p2p=net.host(h, []), store=st, db=Worker(f"db-h{i}"), consensus=FakeConsensus(st),
                    genesis=G, metrics=Metrics(), params=SyncParams(), rng=random.Random(i), limits=LIMITS)
    sybils = [f"sybil{i}" for i in range(k)]

    async def sybil(peer: str, data: bytes) -> bytes:
        decode_request(data)
        await trio.sleep(9.9)
        if wrong:
            return encode_response(GetResp(other[0].encode(), other[2].encode()))
        return encode_response(GetResp(None, None))

    for s in sybils:
        net.handlers[s] = sybil
    vstore = Store.open(os.path.join(tmp, "v.sqlite"))
    victim = SyncService(p2p=net.host(KEYS[0].peer_id, honest + sybils), store=vstore, db=Worker("db-v"),
                         consensus=FakeConsensus(vstore), genesis=G, metrics=Metrics(), params=SyncParams(),
                         rng=random.Random(7), limits=LIMITS)
    ok = 0
    spent = 0.0
    for i in range(fetches):
        hint = sybils[i % k] if hint_is_sybil and k else None
        t0 = trio.current_time()
        got = await victim.fetch_block(blk[0].block_id, hint)
        spent += trio.current_time() - t0
        ok += got is not None
        await trio.sleep(0.5)  # stay far under the honest servers' per-peer request rate (20/s)
    took = spent / fetches
    now = int(trio.current_time() * 1000)
    banned = sum(victim.planner.is_banned(s, now) for s in sybils)
    low = sum(victim.planner.standing(s) < 3 for s in sybils)
    print(f"sybils={k:2d} hint={'sybil' if hint_is_sybil else 'none '} sybil answer={'wrong block' if wrong else 'none'}: "
          f"{ok}/{fetches} fetches got the block, mean {took:5.1f} s simulated per fetch; "
          f"sybils banned {banned}, with lowered standing {low}")


async def main() -> None:
    for k, hint, wrong in ((0, False, False), (20, False, False), (60, False, False), (60, True, False),
                           (60, True, True)):
        await scenario(k, hint, wrong)


if __name__ == "__main__":
    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0.01))
