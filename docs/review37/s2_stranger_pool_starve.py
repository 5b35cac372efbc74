"""Review 37, finding 2: three free ids keep the strangers' serving pool empty; honest non-member
nodes are answered "busy" and their planners ban the honest server.

REAL SyncService on both sides (tests/node/test_syncsvc.py's in-memory Net, no libp2p), real clock,
default SyncParams.

- server: a genesis validator holding 64 committed blocks of KEYS[0];
- observer: an honest node that is NOT a genesis member (a stranger to the server), empty store,
  running SyncService.run() against the server only;
- attackers: 3 stranger ids, each sending a 1-byte `Heads` request every 5 ms; each id's own bucket
  admits 20/s of them (60/s together against the strangers' pool of 40/s), the rest are refused
  "busy" by the gate at no cost to anyone but the server's gate (busy is not a bad request).

Run A: no attackers. Run B: attackers from t=0. Both for DURATION seconds of real time.
Prints what the observer holds, its planner's view of the honest server (standing, banned), and
how many answers the attackers and the observer got.

usage: .venv/bin/python docs/review37/s2_stranger_pool_starve.py [duration_s]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile

sys.path.insert(0, ".")

import trio  # noqa: E402

from node.core.syncsvc import SyncService  # noqa: E402
from node.metrics import Metrics  # noqa: E402
from node.store import Store  # noqa: E402
from node.worker import Worker  # noqa: E402
from protocol.catchup import SyncParams  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.sync import ErrorResp, Heads, decode_response, encode_request  # noqa: E402
from tests.node.test_syncsvc import KEYS, LIMITS, FakeConsensus, Net, _certified, _commit, _genesis  # noqa: E402


POLL_S = 0.005  # an id polls every 5 ms; admitted at most 20/s by its own bucket


def make(tmp: str, name: str, net: Net, peers: list[str], g) -> tuple[SyncService, Store]:
    real = Store.open(os.path.join(tmp, f"{abs(hash(name))}.sqlite"))
    s = SyncService(p2p=net.host(name, peers), store=real, db=Worker(f"db-{name[:6]}"),
                    consensus=FakeConsensus(real), genesis=g, metrics=Metrics(), params=SyncParams(),
                    rng=random.Random(5), limits=LIMITS)
    return s, real


async def scenario(chain: list, n_attackers: int, duration: float) -> None:
    g = _genesis()
    net = Net()
    tmp = tempfile.mkdtemp(prefix="r37s2")
    server_id = KEYS[1].peer_id
    server, sstore = make(tmp, server_id, net, [], g)
    for blk in chain:
        _commit(sstore, *blk)
    observer_id = PrivateKey(b"\x55" * 32).peer_id  # honest, not in the genesis
    member_id = KEYS[2].peer_id  # a genesis validator asking too: its own budget
    counts = {"attacker_ok": 0, "attacker_busy": 0, "member_ok": 0, "member_busy": 0}

    async def attacker(i: int) -> None:
        me = PrivateKey(bytes([0x60 + i]) * 32).peer_id
        while True:
            resp = decode_response(await net.handlers[server_id](me, encode_request(Heads())))
            counts["attacker_busy" if isinstance(resp, ErrorResp) else "attacker_ok"] += 1
            await trio.sleep(POLL_S)

    async def member() -> None:
        while True:
            resp = decode_response(await net.handlers[server_id](member_id, encode_request(Heads())))
            counts["member_busy" if isinstance(resp, ErrorResp) else "member_ok"] += 1
            await trio.sleep(1.0)

    observer, ostore = make(tmp, observer_id, net, [server_id], g)
    async with trio.open_nursery() as nursery:
        for i in range(n_attackers):
            nursery.start_soon(attacker, i)
        nursery.start_soon(member)
        await trio.sleep(0.5)
        await nursery.start(observer.run)
        await trio.sleep(duration)
        nursery.cancel_scope.cancel()
    heads = ostore.heads()
    now = int(trio.current_time() * 1000)
    st = observer.planner.statistics(now)
    print(f"attackers={n_attackers}: after {duration:.0f} s the observer holds {heads[0][3] if heads else 0}/{len(chain)} "
          f"blocks; its planner: rounds={st.rounds} penalties={st.penalties}, honest server standing="
          f"{observer.planner.standing(server_id)} banned={observer.is_banned(server_id)}; "
          f"server refused {server.gate.refused} requests; {counts}")


def main() -> None:
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 15.0
    g = _genesis()
    chain = [_certified(g, seq) for seq in range(1, 65)]
    for n in (0, 2, 3):
        trio.run(scenario, chain, n, duration)


if __name__ == "__main__":
    main()
