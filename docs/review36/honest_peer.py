"""An honest subscriber in its own process: connects to argv[1], reads everything, prints its count."""
import sys, trio
sys.path.insert(0, "/work/main")
from node.net import NetConfig, open_p2p
TOPIC = "/attnshare/test/blocks/1"
async def main():
    addr, idx, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    async with open_p2p(bytes([idx + 1]) * 32, NetConfig(ping_failures_to_drop=0)) as b:
        ch = await b.subscribe(TOPIC, None)
        await b.connect(addr)
        got = 0
        async def rd():
            nonlocal got
            async for _ in ch:
                got += 1
        async with trio.open_nursery() as n:
            n.start_soon(rd)
            await trio.sleep(secs)
            n.cancel_scope.cancel()
        print(f"HONEST{idx} got {got}", flush=True)
trio.run(main)
