"""(a) k colluding peers take turns holding our publisher, each for just under send_stall_s.

Each attacker reads nothing, except right after it was marked stalled: then it reads until its queue is
back at 8 (half). At that moment another attacker holds the publisher, so nothing refills its queue: the
drain clears full_since/stalled and it is waited for again, at a queue level below the others. Levels
are staggered by m = 8/(k-1) in a warm-up (a slow trickle of publishes during which attacker i stops
reading after i*m of them), so the attackers' queues reach 16 one after another: m publishes per
send_stall_s. Oracle: the attackers look at a's queue lengths (a real one estimates them from the seqnos
it receives versus what a normally-reading sybil receives). Default NetConfig.
argv: k seconds [trace]"""
import trio, sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from harness import *
from trace import tracer
from node.net import NetConfig
from libp2p.peer.id import ID
TRACE = len(sys.argv) > 3 and sys.argv[3] == 't'
TRICKLE = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05

async def main():
    k, secs = int(sys.argv[1]), float(sys.argv[2])
    m = max(1, round(8 / (k - 1)))
    async with network(k, NetConfig()) as (a, b, at_b, atts, toks):
        p = a._gossip.pubsub
        published = 0
        holding = [False] * k
        def q(c):
            qq = p.peer_queues.get(ID.from_base58(c.peer_id)); return -1 if qq is None else len(qq)
        async def attacker(i, c, t):
            pid = ID.from_base58(c.peer_id)
            t.n = 0
            target = 16 - i * m
            while not holding[0]:             # warm-up: hold my queue at my staggered level
                if q(c) > target and t.n < 1:
                    t.give(1)
                await trio.sleep(0.003)
            while True:
                await trio.sleep(0.01)
                if pid in p.stalled:          # oracle: it was just given up on; drain to half
                    while q(c) > 8:
                        if t.n < 1:
                            t.give(1)
                        await trio.sleep(0.003)
        got = 0
        async def drain_b():
            nonlocal got
            async for _ in at_b:
                got += 1
        async with trio.open_nursery() as nur:
            nur.start_soon(drain_b)
            for i, (c, t) in enumerate(zip(atts, toks)):
                nur.start_soon(attacker, i, c, t)
            # warm-up trickle: stagger the attackers' queue levels
            w = 0
            while q(atts[0]) < 16 and w < 100:
                await trio.sleep(TRICKLE)
                await a.publish(TOPIC, b"w" + w.to_bytes(4, "big") + bytes(64 * 1024 - 5)); w += 1
            holding[0] = True
            await trio.sleep(0.1)
            print(f"warm-up {w} msgs; levels {[q(c) for c in atts]}", flush=True)
            t0 = trio.current_time()
            if TRACE:
                nur.start_soon(tracer, a, {f'c{i}': c for i, c in enumerate(atts)} | {'b': b}, 0.1)
            marks = []
            with trio.move_on_after(secs):
                while True:
                    await a.publish(TOPIC, published.to_bytes(4, "big") + bytes(64 * 1024 - 4))
                    published += 1
                    if published in (10, 50, 100, 200):
                        marks.append((published, round(trio.current_time() - t0, 1)))
            el = trio.current_time() - t0
            await trio.sleep(1)
            nur.cancel_scope.cancel()
        s = a.statistics()
        print(f"k={k} (m={m}): published {published} in {el:.1f} s = {published/el:.2f} msg/s; marks(count,s)={marks}; "
              f"b got {got - w}; send_stalls={s.send_stalls} send_drops={s.total().send_drops} "
              f"dead_connections={s.dead_connections}; attackers read {[t.read for t in toks]} RPCs", flush=True)
trio.run(main)
