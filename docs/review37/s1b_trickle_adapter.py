"""Review 37, finding 1 (adapter level): trickling sybils against the REAL SyncService.

Real stores, real SyncService on both sides (tests/node/test_syncsvc.py's in-memory Net and
FakeP2P, no libp2p), real verify_certified, trio MockClock (autojump) so 10 s waits are simulated.

- "honest": a genesis validator's SyncService holding a committed chain of N blocks of KEYS[0];
- K sybils: strangers whose handler forwards each request to the honest server's real handler,
  but answers GetBlocks after 9.9 s keeping only the FIRST block (a valid, certified, new block);
- victim: an empty store running SyncService.run() with default SyncParams.

Prints the simulated time until the victim holds all N blocks, how many rounds each side got,
and the sybils' standing / ban state at the end.

usage: .venv/bin/python docs/review37/s1b_trickle_adapter.py [N] [K] [seed]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time

sys.path.insert(0, ".")

import trio  # noqa: E402
import trio.testing  # noqa: E402

from node.core.syncsvc import SyncService  # noqa: E402
from node.metrics import Metrics  # noqa: E402
from node.store import Store  # noqa: E402
from node.worker import Worker  # noqa: E402
from protocol.catchup import SyncParams  # noqa: E402
from protocol.sync import BlocksResp, GetBlocks, decode_request, decode_response, encode_response  # noqa: E402
from tests.node.test_syncsvc import KEYS, LIMITS, FakeConsensus, Net, _certified, _commit, _genesis  # noqa: E402


def svc(tmp: str, name: str, net: Net, peers: list[str], g, seed: int) -> tuple[SyncService, Store]:
    real = Store.open(os.path.join(tmp, f"{abs(hash(name))}.sqlite"))
    s = SyncService(p2p=net.host(name, peers), store=real, db=Worker(f"db-{name[:6]}"),
                    consensus=FakeConsensus(real), genesis=g, metrics=Metrics(), params=SyncParams(),
                    rng=random.Random(seed), limits=LIMITS)
    return s, real


async def scenario(n_blocks: int, n_sybils: int, seed: int, chain: list) -> None:
    g = _genesis()
    net = Net()
    tmp = tempfile.mkdtemp(prefix="r37s1b")
    honest_id = KEYS[1].peer_id  # a genesis validator
    _, hstore = svc(tmp, honest_id, net, [], g, 0)
    for blk in chain:
        _commit(hstore, *blk)
    sybils = [f"sybil{i}" for i in range(n_sybils)]
    served = {"sybil_getblocks": 0, "sybil_blocks": 0}

    def sybil_handler(name: str):
        async def handle(peer: str, data: bytes) -> bytes:
            req = decode_request(data)
            out = await net.handlers[honest_id](name, data)  # the real chain, from the real server
            if isinstance(req, GetBlocks):
                served["sybil_getblocks"] += 1
                await trio.sleep(9.9)
                resp = decode_response(out)
                if isinstance(resp, BlocksResp) and resp.items:
                    served["sybil_blocks"] += 1
                    return encode_response(BlocksResp(resp.items[:1]))
            return out
        return handle

    for name in sybils:
        net.handlers[name] = sybil_handler(name)
    victim, vstore = svc(tmp, "victim", net, [honest_id, *sybils], g, seed)
    t0 = trio.current_time()
    async with trio.open_nursery() as nursery:
        await nursery.start(victim.run)
        with trio.move_on_after(4 * 3600):
            while len(vstore.blocks_range(KEYS[0].peer_id, 1, 256)) < n_blocks or \
                    vstore.heads()[0][3] < n_blocks:
                await trio.sleep(0.5)
        nursery.cancel_scope.cancel()
    took = trio.current_time() - t0
    have = vstore.heads()[0][3] if vstore.heads() else 0
    st = victim.planner.statistics(int(trio.current_time() * 1000))
    standings = {s: victim.planner.standing(s) for s in sybils}
    banned = [s for s in sybils if victim.is_banned(s)]
    print(f"N={n_blocks} K={n_sybils} seed={seed}: victim holds {have}/{n_blocks} after {took:8.1f} s simulated; "
          f"rounds={st.rounds} penalties={st.penalties}; sybils served {served['sybil_getblocks']} GetBlocks, "
          f"{served['sybil_blocks']} blocks; sybil standings {sorted(set(standings.values()))}, banned {len(banned)}; "
          f"honest banned {victim.is_banned(honest_id)}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 96
    ks = [int(sys.argv[2])] if len(sys.argv) > 2 else [0, 8]
    seeds = [int(sys.argv[3])] if len(sys.argv) > 3 else [1, 2, 3]
    g = _genesis()
    chain = [_certified(g, seq) for seq in range(1, n + 1)]
    for k in ks:
        for seed in seeds:
            w = time.time()
            trio.run(scenario, n, k, seed, chain, clock=trio.testing.MockClock(autojump_threshold=0.05))
            print(f"   (wall {time.time() - w:.1f} s)")


if __name__ == "__main__":
    main()
