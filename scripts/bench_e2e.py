"""Side by side, one run, same machine, same workload: attnshare versus a naive flood.

* **attnshare**: 4 validators (blocks, attention scoring, signed-vote quorum)
  plus ``N - 4`` observers, as real nodes (node.sim.cluster) in this process;
* **naive**: ``N`` libp2p hosts from the same ``node.net.open_p2p``, with the
  same topology, where the same 4 feeders publish every record as its own
  JSON gossipsub message: no scoring, no compression, no quorum. Receivers
  parse each message into a record, nothing more.

Both get the same records (``--records`` in total, a quarter per feeder, from
the seeded workload generator with its ground-truth importance), as fast as
they take them. A run ends when every node holds everything it will get
(attnshare: every feeder's pipeline drained, its last block decided, every
node at the same committed count; naive: every node has every record, or no
progress for 10 s). Measured per system:

* records delivered per second: records present at *every* node / wall time;
* wire bytes per record: pubsub payload bytes sent by all hosts (each copy to
  each peer, forwards included; ``P2P.statistics``), per input record and per
  delivered record;
* CPU per record: process CPU time (all threads: event loop, store, model) per
  input record; both systems run every node in this one process;
* ground-truth importance retained, and retained per MiB on the wire; plus how
  much the naive flood had retained after shipping as many wire bytes as
  attnshare shipped in total (its records in publish order).

The sizes repeat at ``--nodes`` (4, 8 and 16 by default) to show how cost grows.
In-process rather than OS processes: on 2 cores, 16 processes each importing
torch would measure start-up and scheduling, not the protocols (and
shared/notes/libp2p.md found no gain from separate processes).

    python scripts/bench_e2e.py [--nodes 4 8 16] [--records 1200] [--json bench_e2e.json]
        [--record-threshold X] [--min-block-importance Y]   # the sharing policy, for a sensitivity run
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import trio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.net import P2P, NetConfig, open_p2p  # noqa: E402
from node.sim.cluster import make_keys, open_cluster  # noqa: E402
from node.workload import Workload  # noqa: E402
from protocol.errors import AttnshareError  # noqa: E402
from protocol.record import record_from_json  # noqa: E402

FEEDERS = 4
NAIVE_TOPIC = "/naive/records/1"
STALL_S = 10.0
DEADLINE_S = 300.0


# ---------------------------------------------------------------------- workload
def make_workload(total: int, seed: int) -> list[list[tuple[dict[str, Any], float]]]:
    """Per feeder: (ingest JSON without origin, ground-truth importance), generated once for both systems."""
    now = int(time.time() * 1000)
    out = []
    for f in range(FEEDERS):
        batch = []
        for rec, imp in Workload(seed + f).next_batch(total // FEEDERS, now):
            obj = rec.to_json()
            del obj["origin"]
            batch.append((obj, imp))
        out.append(batch)
    return out


def _bytes_out(p2p: P2P) -> tuple[int, int]:
    t = p2p.statistics().total()
    return t.bytes_out, t.messages_out


# ---------------------------------------------------------------------- attnshare
async def run_attnshare(n: int, work: list[list[tuple[dict[str, Any], float]]], root: Path,
                        genesis_kw: dict[str, Any]) -> dict[str, Any]:
    async with open_cluster(root, FEEDERS, genesis_kw=genesis_kw) as c:
        for k, key in enumerate(make_keys(n - FEEDERS, salt=77)):
            node = await c.add_node(key, connect_to=0)
            prev = c.nodes[FEEDERS + k - 1] if k else c.nodes[FEEDERS - 1]
            await node.p2p.connect(prev.p2p.addrs()[0])
        with trio.fail_after(30):
            for node in c.nodes:
                await node.p2p.wait_mesh_peers(node.topics.blocks, 1)
        net0 = [_bytes_out(node.p2p) for node in c.nodes]
        importance: dict[str, float] = {}
        cpu0, t0 = time.process_time(), time.monotonic()

        async def feed(node: Any, items: list[tuple[dict[str, Any], float]]) -> None:
            for i in range(0, len(items), 100):
                chunk = items[i:i + 100]
                res = await node.ingest([obj for obj, _ in chunk])
                for cid, (_, imp) in zip(res.cids, chunk, strict=True):
                    importance[cid] = imp

        async with trio.open_nursery() as nursery:
            for node, items in zip(c.nodes[:FEEDERS], work, strict=True):
                nursery.start_soon(feed, node, items)
        await _wait_attnshare_done(c)
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0
        net1 = [_bytes_out(node.p2p) for node in c.nodes]
        ref = c.nodes[-1]
        committed: set[str] = set()
        for b in ref.store.list_blocks(status="committed", limit=100_000):
            committed.update(r.cid for r in ref.store.block_records(b.block_id))
        at_every = min(node.consensus.stats_committed_records for node in c.nodes)
        return _row("attnshare", n, work, wall, cpu, net0, net1, at_every,
                    sum(importance.get(cid, 0.0) for cid in committed), blocks=len(ref.store.list_blocks(
                        status="committed", limit=100_000)))


async def _wait_attnshare_done(c: Any) -> None:
    """Every feeder drained and its last block decided, every node at one committed count, stable."""
    stable = 0
    last: tuple[int, ...] = ()
    with trio.fail_after(DEADLINE_S):
        while stable < 3:
            await trio.sleep(0.2)
            feeders = c.nodes[:FEEDERS]
            drained = all(f.pipeline.pending_count == 0 for f in feeders)
            undecided = any((row := f.store.latest_own_block(f.me)) is not None and row.status == "pending"
                            for f in feeders)
            snap = tuple(n.consensus.stats_committed_blocks for n in c.nodes) + tuple(
                f.pipeline.stats_kept + f.pipeline.stats_shipped for f in feeders)
            done = drained and not undecided and len(set(snap[:len(c.nodes)])) == 1
            stable = stable + 1 if done and snap == last else 0
            last = snap


# ---------------------------------------------------------------------- naive
@asynccontextmanager
async def open_naive(n: int) -> AsyncIterator[list[P2P]]:
    async with AsyncExitStack() as stack:
        hosts = [await stack.enter_async_context(open_p2p(bytes([200, i]) + bytes(30), NetConfig()))
                 for i in range(n)]
        yield hosts


async def run_naive(n: int, work: list[list[tuple[dict[str, Any], float]]]) -> dict[str, Any]:
    total = sum(len(w) for w in work)
    async with open_naive(n) as hosts, trio.open_nursery() as nursery:
        chans = [await h.subscribe(NAIVE_TOPIC, None) for h in hosts]
        # The same topology as open_cluster (+ observers): each node dials node 0 and its predecessor.
        for i, h in enumerate(hosts[1:], 1):
            await h.connect(hosts[0].addrs()[0])
            if i >= 2:
                await h.connect(hosts[i - 1].addrs()[0])
        with trio.fail_after(30):
            for h in hosts:
                await h.wait_mesh_peers(NAIVE_TOPIC, 1)
        received: list[set[str]] = [set() for _ in hosts]
        order: list[str] = []
        importance: dict[str, float] = {}
        progress = trio.Event()

        async def receive(i: int) -> None:
            nonlocal progress
            async for _origin, data in chans[i]:
                try:
                    obj = json.loads(data)
                    key = record_from_json(obj, obj["origin"]).cid
                except (ValueError, KeyError, TypeError, AttnshareError):
                    continue
                if key not in received[i]:
                    received[i].add(key)
                    if i == n - 1:
                        order.append(key)
                    progress.set()
                    progress = trio.Event()

        for i in range(n):
            nursery.start_soon(receive, i)
        net0 = [_bytes_out(h) for h in hosts]
        cpu0, t0 = time.process_time(), time.monotonic()

        async def flood(h: P2P, items: list[tuple[dict[str, Any], float]]) -> None:
            for obj, imp in items:
                rec = record_from_json(obj, h.peer_id)
                importance[rec.cid] = imp
                await h.publish(NAIVE_TOPIC, json.dumps(rec.to_json()).encode())

        async with trio.open_nursery() as feeders:
            for h, items in zip(hosts[:FEEDERS], work, strict=True):
                feeders.start_soon(flood, h, items)
        with trio.move_on_after(DEADLINE_S):
            while min(len(r) for r in received) < total:
                with trio.move_on_after(STALL_S) as scope:
                    await progress.wait()
                if scope.cancelled_caught:
                    break  # gossip lost the rest: count what arrived
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0
        net1 = [_bytes_out(h) for h in hosts]
        at_every = set.intersection(*received)
        row = _row("naive", n, work, wall, cpu, net0, net1, len(at_every),
                   sum(importance[k] for k in at_every))
        row["publish_order_importance"] = [importance[k] for k in order]
        nursery.cancel_scope.cancel()
    return row


# ---------------------------------------------------------------------- figures
def _row(system: str, n: int, work: list[list[tuple[dict[str, Any], float]]], wall: float, cpu: float,
         net0: list[tuple[int, int]], net1: list[tuple[int, int]], delivered: int, retained: float,
         **extra: Any) -> dict[str, Any]:
    total = sum(len(w) for w in work)
    total_imp = sum(imp for w in work for _, imp in w)
    wire = sum(b1 - b0 for (b1, _), (b0, _) in zip(net1, net0, strict=True))
    msgs = sum(m1 - m0 for (_, m1), (_, m0) in zip(net1, net0, strict=True))
    return {
        "system": system, "nodes": n, "input_records": total, "wall_s": wall, "cpu_s": cpu,
        "delivered_records": delivered,
        "delivered_per_s": delivered / wall if wall else 0.0,
        "input_per_s": total / wall if wall else 0.0,
        "wire_bytes": wire, "wire_messages": msgs,
        "wire_bytes_per_input_record": wire / total,
        "wire_bytes_per_delivered_record": wire / delivered if delivered else None,
        "cpu_ms_per_input_record": 1000 * cpu / total,
        "total_importance": total_imp,
        "importance_retained": retained / total_imp if total_imp else 0.0,
        "importance_per_wire_mib": (retained / total_imp) / (wire / 2**20) if wire else None,
        **extra,
    }


def naive_at_budget(naive: dict[str, Any], budget: int) -> float:
    """Importance the naive flood had retained after shipping ``budget`` wire bytes.

    Its records in the order one node received them, each charged the flood's
    mean wire bytes per record.
    """
    seq = naive["publish_order_importance"]
    if not seq or not naive["wire_bytes"]:
        return 0.0
    k = min(len(seq), int(budget / (naive["wire_bytes"] / len(seq))))
    return sum(seq[:k]) / naive["total_importance"]


RATIOS = [
    ("records delivered/s", "delivered_per_s"),
    ("input records absorbed/s", "input_per_s"),
    ("wire bytes / input record", "wire_bytes_per_input_record"),
    ("wire bytes / delivered record", "wire_bytes_per_delivered_record"),
    ("CPU ms / input record", "cpu_ms_per_input_record"),
    ("importance retained", "importance_retained"),
    ("importance / wire MiB", "importance_per_wire_mib"),
]


def print_table(results: list[dict[str, Any]]) -> None:
    sizes = sorted({r["nodes"] for r in results})
    hdr = f"{'metric':32}" + "".join(f"{f'{n} nodes: att / naive = ratio':>44}" for n in sizes)
    print(hdr)
    for label, key in RATIOS:
        cells = []
        for n in sizes:
            a = next(r for r in results if r["nodes"] == n and r["system"] == "attnshare")
            b = next(r for r in results if r["nodes"] == n and r["system"] == "naive")
            va, vb = a[key], b[key]
            ratio = va / vb if va is not None and vb else None
            cells.append(f"{_f(va):>12} / {_f(vb):>12} = {_f(ratio):>10}x")
        print(f"{label:32}" + "".join(f"{c:>44}" for c in cells))
    for n in sizes:
        a = next(r for r in results if r["nodes"] == n and r["system"] == "attnshare")
        b = next(r for r in results if r["nodes"] == n and r["system"] == "naive")
        print(f"{n} nodes: attnshare delivered {a['delivered_records']} of {a['input_records']} records in "
              f"{a['blocks']} blocks ({a['wall_s']:.1f} s, {a['wire_bytes'] / 2**20:.2f} MiB); naive delivered "
              f"{b['delivered_records']} ({b['wall_s']:.1f} s, {b['wire_bytes'] / 2**20:.2f} MiB), and at "
              f"attnshare's wire bytes had retained {a['naive_importance_at_same_bytes']:.3f} of the importance "
              f"(attnshare {a['importance_retained']:.3f})")


def _f(x: Any, digits: int = 3) -> str:
    """Three significant digits, at least one decimal place."""
    if x is None:
        return "-"
    if isinstance(x, float):
        if x == 0:
            return "0"
        return f"{x:.{max(1, digits - 1 - int(math.floor(math.log10(abs(x)))))}f}" if abs(x) < 1000 else f"{x:.0f}"
    return str(x)


async def main(args: argparse.Namespace) -> list[dict[str, Any]]:
    from node.sim.cluster import shared_scorer

    shared_scorer()  # load the model before anything is timed
    work = make_workload(args.records, args.seed)
    root = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    genesis_kw = {k: v for k, v in (("record_threshold", args.record_threshold), ("ship_share", args.ship_share),
                                     ("min_block_importance", args.min_block_importance)) if v is not None}
    results = []
    for n in args.nodes:
        att = await run_attnshare(n, work, root / f"att{n}", genesis_kw)
        naive = await run_naive(n, work)
        att["naive_importance_at_same_bytes"] = naive_at_budget(naive, att["wire_bytes"])
        results += [att, naive]
        print(f"{n} nodes done: attnshare {att['wall_s']:.1f} s, naive {naive['wall_s']:.1f} s", file=sys.stderr)
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, nargs="+", default=[4, 8, 16])
    ap.add_argument("--records", type=int, default=1200, help="input records in total (a quarter per feeder)")
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--record-threshold", type=float, help="genesis record_threshold (default: the genesis default)")
    ap.add_argument("--ship-share", type=float, help="genesis ship_share, the shipping budget (default: genesis)")
    ap.add_argument("--min-block-importance", type=float, help="genesis min_block_importance (default: genesis)")
    ap.add_argument("--json", default="bench_e2e.json")
    args = ap.parse_args()
    if min(args.nodes) < FEEDERS:
        ap.error(f"--nodes must be at least {FEEDERS}")
    res = trio.run(main, args)
    print_table(res)
    for r in res:
        r.pop("publish_order_importance", None)
    Path(args.json).write_text(json.dumps(res, indent=2))
    print(f"wrote {args.json}")
