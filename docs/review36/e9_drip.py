"""k attackers each read one RPC every `period` s (slow drip: always making a little progress).
argv: k period n_messages"""
import sys, trio
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from harness import *
from node.net import NetConfig

async def main():
    k, period, n = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    async with network(k, NetConfig(), start_tokens=0) as (a, b, at_b, atts, toks):
        if len(sys.argv) > 4:
            a.budget.add_known([b.peer_id])
        async def drip(t, off):
            await trio.sleep(off)
            while True:
                t.give(1)
                await trio.sleep(period)
        async with trio.open_nursery() as nur:
            for i, t in enumerate(toks):
                nur.start_soon(drip, t, period * i / max(1, k))
            el, done, got = await publish_all(a, at_b, n, limit=120)
            report(f"k={k} period={period}", a, el, done, got)
            nur.cancel_scope.cancel()
trio.run(main)
