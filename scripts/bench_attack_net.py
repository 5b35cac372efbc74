"""Benchmark: the honest commit rate of 4 validators with and without network attacks.

One 4-node cluster (real libp2p on 127.0.0.1, one process) is fed a steady
workload. The honest rate is measured for ``--seconds`` without an attack, then
for the same time under each attack in turn, from a raw libp2p peer with a
fresh identity:

- ``junk``: malformed vote batches, as fast as the rogue can publish;
- ``forged``: well-formed block announces naming validators, with zero
  signatures (finding 2);
- ``streams``: 80 silent sync streams to one node, renewed as they are cut
  (finding 11).

For each phase it prints committed records/s, the ratio to the baseline, and
the worst ``status()`` time on any node, and writes JSON. The issue's target
is a ratio of at least 0.8 and status under 1 s. This machine is shared and
noisy, so compare the phases of one run only.

Usage: python scripts/bench_attack_net.py [--seconds 20] [--rate 120] [--out bench_attack_net.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from libp2p.custom_types import TProtocol  # noqa: E402
from libp2p.peer.id import ID  # noqa: E402

from node.core.syncsvc import SYNC_PROTOCOL  # noqa: E402
from node.sim.cluster import open_cluster, open_rogue, workload_json  # noqa: E402
from protocol.block import Block, SignedHeader, build_block  # noqa: E402
from protocol.record import Record  # noqa: E402

#: The rogue runs in this same process: flat out, it would take the nodes' CPU
#: and measure that instead. 200 messages/s is far above any honest peer's rate.
ATTACK_PAUSE_S = 0.005


def _forged(c: Any, key: Any, seq: int) -> bytes:
    from node.net.topics import encode_block_announce

    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + i, {"v": float(i)}) for i in range(3)]
    good = build_block(key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=seq, prev=None,
                       created_ms=1_700_000_000_000 + seq, model_id=c.nodes[0].model_id, records=recs,
                       scores=[0.9] * 3)
    return encode_block_announce(Block(SignedHeader(good.signed.header, bytes(64)), good.payload), 0)


async def _attack(kind: str, c: Any, rogue: Any) -> None:
    if kind == "junk":
        i = 0
        while True:
            i += 1
            await rogue.publish(c.nodes[0].topics.votes, b"\x91" + i.to_bytes(4, "big") * 10)
            await trio.sleep(ATTACK_PAUSE_S)
    elif kind == "forged":
        msgs = [_forged(c, c.nodes[1 + s % 3].key, s) for s in range(1, 600)]
        i = 0
        while True:
            await rogue.publish(c.nodes[0].topics.blocks, msgs[i % len(msgs)])
            i += 1
            await trio.sleep(ATTACK_PAUSE_S)
    elif kind == "streams":
        target = ID.from_base58(c.nodes[0].me)
        while True:
            for _ in range(80):
                try:
                    await rogue._host.new_stream(target, [TProtocol(SYNC_PROTOCOL)])
                except Exception:
                    break
            await trio.sleep(1.0)


async def _phase(c: Any, kind: str | None, seconds: float, rate: float, seed: int) -> dict[str, Any]:
    if kind is None:
        return await _measure(c, None, None, seconds, rate, seed)
    async with open_rogue(c, seed=bytes([seed % 250 + 1]) * 32) as rogue:
        return await _measure(c, kind, rogue, seconds, rate, seed)


async def _measure(c: Any, kind: str | None, rogue: Any, seconds: float, rate: float,
                   seed: int) -> dict[str, Any]:
    base = sum(n.consensus.stats_committed_records for n in c.nodes)
    worst_status = 0.0
    async with trio.open_nursery() as nursery:
        if kind is not None:
            nursery.start_soon(_attack, kind, c, rogue)
        t0 = time.monotonic()
        k = 0
        while time.monotonic() - t0 < seconds:
            node = c.nodes[k % len(c.nodes)]
            await node.ingest(workload_json(int(rate / 4), seed=seed * 1000 + k, now_ms=int(time.time() * 1000)))
            k += 1
            for n in c.nodes:
                s0 = time.monotonic()
                n.status()
                worst_status = max(worst_status, time.monotonic() - s0)
            await trio.sleep(0.25)
        elapsed = time.monotonic() - t0
        nursery.cancel_scope.cancel()
    committed = sum(n.consensus.stats_committed_records for n in c.nodes) - base
    banned = {n.me[-6:]: len(n.p2p.blocked_peers()) for n in c.nodes}
    return {"phase": kind or "baseline", "records_per_s": committed / len(c.nodes) / elapsed,
            "worst_status_s": worst_status, "bans": banned}


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as d:
        # Every record ships (as in bench_node --ship-all): many commits, so the
        # rates are measured on the consensus path rather than the model's selectivity.
        genesis_kw = {"ship_share": 1.0, "min_block_importance": 0.0}
        async with open_cluster(Path(d), genesis_kw=genesis_kw) as c:
            await trio.sleep(2)
            for i, kind in enumerate([None, "junk", "forged", "streams"]):
                rows.append(await _phase(c, kind, args.seconds, args.rate, 10 + i))
    base = rows[0]["records_per_s"] or 1.0
    for r in rows:
        r["ratio"] = r["records_per_s"] / base
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=float, default=120.0,
                    help="records/s ingested in total (below saturation, so a slowdown shows)")
    ap.add_argument("--out", type=Path, default=Path("bench_attack_net.json"))
    args = ap.parse_args()
    rows = trio.run(main_async, args)
    print(f"{'phase':<10} {'records/s/node':>15} {'ratio':>6} {'worst status':>13}")
    for r in rows:
        print(f"{r['phase']:<10} {r['records_per_s']:>15.1f} {r['ratio']:>6.2f} {r['worst_status_s'] * 1000:>10.0f} ms")
    args.out.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
