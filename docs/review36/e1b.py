import trio, sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from harness import *
from node.net import NetConfig
async def main():
    stall = float(sys.argv[1])
    cfg = NetConfig(ping_failures_to_drop=0, send_stall_s=stall, send_stall_drop_s=0)
    async with network(1, cfg) as (a, b, at_b, atts, toks):
        p = a._gossip.pubsub
        el, done, got = await publish_all(a, at_b, 200)
        report(f"send_stall_s={stall}", a, el, done, got)
        c = atts[0]
        print("b budget-known by... b is stranger to a?", not a._budget.is_known(b.peer_id) if hasattr(a,'_budget') else '?')
        print("c (reads normally) received RPCs:", toks[0].read)
trio.run(main)
