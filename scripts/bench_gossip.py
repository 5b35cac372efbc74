"""Gossip cost and latency of node.net: 4 libp2p hosts in one process.

For each message size (1 KiB and 64 KiB by default), two runs:

* throughput: node 0 publishes ``--count`` messages as fast as ``publish``'s
  back-pressure allows; we time until every other node has every message.
  A *delivery* is one message arriving at one receiving node, so a run makes
  ``count * (nodes - 1)`` deliveries. CPU is the process's CPU time (all four
  hosts share the process), so CPU ms per delivery is the whole stack's cost;
* latency: node 0 publishes at ``--rate`` messages/s; each payload carries its
  send time, each receiver records arrival minus send time; p50 and p99.

Prints a table (with the 64 KiB / 1 KiB ratios, measured side by side in one
run because these machines are noisy) and writes JSON.

    python scripts/bench_gossip.py [--count 300] [--rate 20] [--json bench_gossip.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import struct
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass

import trio

from node.net import P2P, NetConfig, open_p2p

TOPIC = "/attnshare/bench/gossip/1"
HEADER = struct.Struct(">Id")  # sequence number, send time (trio clock)


@dataclass(frozen=True)
class Result:
    size: int
    nodes: int
    topology: str
    count: int
    deliveries: int
    wall_s: float
    cpu_s: float
    deliveries_per_s: float
    cpu_ms_per_delivery: float
    latency_rate_per_s: float
    latency_samples: int
    latency_p50_ms: float
    latency_p99_ms: float
    drops: int
    send_drops: int


@asynccontextmanager
async def open_cluster(n: int) -> AsyncIterator[list[P2P]]:
    async with AsyncExitStack() as stack:
        nodes = [await stack.enter_async_context(open_p2p(bytes([i + 1]) * 32, NetConfig()))
                 for i in range(n)]
        yield nodes


def payload(seq: int, size: int) -> bytes:
    head = HEADER.pack(seq, trio.current_time())
    return head + bytes(size - len(head))


async def connect(nodes: list[P2P], topology: str) -> None:
    if topology == "line":
        pairs = list(zip(nodes, nodes[1:], strict=False))
    else:
        pairs = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:]]
    for a, b in pairs:
        await b.connect(a.addrs()[0])
    for i, node in enumerate(nodes):
        want = len(nodes) - 1 if topology == "full" else (1 if i in (0, len(nodes) - 1) else 2)
        await node.wait_mesh_peers(TOPIC, want)


async def collect(chan: trio.MemoryReceiveChannel[tuple[str, bytes]], first: int, count: int,
                  latencies: list[float] | None) -> None:
    """Receive until sequence numbers [first, first + count) have all arrived."""
    pending = set(range(first, first + count))
    while pending:
        _, data = await chan.receive()
        seq, sent = HEADER.unpack_from(data)
        if seq in pending:
            pending.discard(seq)
            if latencies is not None:
                latencies.append((trio.current_time() - sent) * 1000.0)


async def drain(chan: trio.MemoryReceiveChannel[tuple[str, bytes]]) -> None:
    async for _ in chan:
        pass


async def bench_size(size: int, args: argparse.Namespace) -> Result:
    async with open_cluster(args.nodes) as nodes, trio.open_nursery() as nursery:
        chans = [await n.subscribe(TOPIC, None) for n in nodes]
        nursery.start_soon(drain, chans[0])  # the publisher's own copies
        await connect(nodes, args.topology)
        seq = 0

        # Warm-up: first messages pay for lazily built state (peer records, caches).
        async with trio.open_nursery() as receivers:
            for chan in chans[1:]:
                receivers.start_soon(collect, chan, seq, 10, None)
            for _ in range(10):
                await nodes[0].publish(TOPIC, payload(seq, size))
                seq += 1

        # Throughput.
        cpu0, wall0 = time.process_time(), time.perf_counter()
        async with trio.open_nursery() as receivers:
            for chan in chans[1:]:
                receivers.start_soon(collect, chan, seq, args.count, None)
            for _ in range(args.count):
                await nodes[0].publish(TOPIC, payload(seq, size))
                seq += 1
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        deliveries = args.count * (len(nodes) - 1)

        # Latency at a fixed rate.
        latencies: list[float] = []
        n_lat = max(1, int(args.rate * args.latency_s))
        async with trio.open_nursery() as receivers:
            for chan in chans[1:]:
                receivers.start_soon(collect, chan, seq, n_lat, latencies)
            for _ in range(n_lat):
                await nodes[0].publish(TOPIC, payload(seq, size))
                seq += 1
                await trio.sleep(1.0 / args.rate)

        totals = [n.statistics().total() for n in nodes]
        nursery.cancel_scope.cancel()
    quantiles = statistics.quantiles(latencies, n=100)
    return Result(
        size=size, nodes=len(nodes), topology=args.topology, count=args.count,
        deliveries=deliveries, wall_s=wall, cpu_s=cpu,
        deliveries_per_s=deliveries / wall, cpu_ms_per_delivery=cpu * 1000.0 / deliveries,
        latency_rate_per_s=args.rate, latency_samples=len(latencies),
        latency_p50_ms=statistics.median(latencies), latency_p99_ms=quantiles[98],
        drops=sum(t.drops for t in totals), send_drops=sum(t.send_drops for t in totals),
    )


def print_table(results: list[Result]) -> None:
    print(f"{'size':>8} {'deliveries':>10} {'deliv/s':>8} {'CPU ms/deliv':>12} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'drops':>5}")
    for r in results:
        print(f"{r.size / 1024:>4.0f} KiB {r.deliveries:>10} {r.deliveries_per_s:>8.0f} "
              f"{r.cpu_ms_per_delivery:>12.2f} {r.latency_p50_ms:>7.1f} {r.latency_p99_ms:>7.1f} "
              f"{r.drops + r.send_drops:>5}")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(f"ratio {large.size // 1024} KiB / {small.size // 1024} KiB: "
              f"CPU per delivery x{large.cpu_ms_per_delivery / small.cpu_ms_per_delivery:.2f}, "
              f"deliveries/s x{large.deliveries_per_s / small.deliveries_per_s:.2f}, "
              f"p50 x{large.latency_p50_ms / small.latency_p50_ms:.2f}")


async def main_async(args: argparse.Namespace) -> list[Result]:
    return [await bench_size(size, args) for size in args.sizes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=4)
    parser.add_argument("--topology", choices=("full", "line"), default="full")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 64 * 1024])
    parser.add_argument("--count", type=int, default=300, help="messages per throughput run")
    parser.add_argument("--rate", type=float, default=20.0, help="messages/s in the latency run")
    parser.add_argument("--latency-s", type=float, default=5.0, help="duration of the latency run")
    parser.add_argument("--json", default="bench_gossip.json", help="where to write the results")
    args = parser.parse_args(argv)
    if args.nodes < 2 or min(args.sizes) < HEADER.size or args.count < 1 or args.rate <= 0:
        parser.error("need --nodes >= 2, sizes >= 12 bytes, --count >= 1, --rate > 0")
    results = trio.run(main_async, args)
    print_table(results)
    with open(args.json, "w") as fh:
        json.dump({"python": sys.version.split()[0], "machine": platform.machine(),
                   "results": [asdict(r) for r in results]}, fh, indent=2)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
