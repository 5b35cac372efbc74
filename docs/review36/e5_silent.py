"""(a)/(d) One peer that answers pings but never reads its gossip stream (zero effort), default NetConfig.
py-libp2p's yamux write gives up after 5 s without window (MuxedStreamError); the send loop's error
handler calls _handle_dead_peer, which clears full_since/stalled and re-registers the peer on a NEW stream
with an empty queue and a fresh 256 KiB window: the publisher waits on it again for send_stall_s, and the
60 s send_stall_drop_s is never reached. argv: seconds [publish rate/s]"""
import trio, sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from harness import *
from node.net import NetConfig
from libp2p.peer.id import ID
async def main():
    secs = float(sys.argv[1]); rate = float(sys.argv[2]) if len(sys.argv) > 2 else 20
    async with network(1, NetConfig()) as (a, b, at_b, atts, toks):
        c, t = atts[0], toks[0]
        t.n = 0                                         # c never reads a's gossip again
        p = a._gossip.pubsub; cid = ID.from_base58(c.peer_id)
        t0 = trio.current_time(); deaths = []
        orig = p._handle_dead_peer
        def hdp(pid):
            if pid == cid: deaths.append(round(trio.current_time() - t0, 1))
            orig(pid)
        p._handle_dead_peer = hdp
        got = 0
        async def drain_b():
            nonlocal got
            async for _ in at_b: got += 1
        waits = []; n = 0
        async with trio.open_nursery() as nur:
            nur.start_soon(drain_b)
            with trio.move_on_after(secs):
                while True:
                    s0 = trio.current_time()
                    await a.publish(TOPIC, n.to_bytes(4, "big") + bytes(64 * 1024 - 4)); n += 1
                    w = trio.current_time() - s0
                    if w > 0.3: waits.append((round(s0 - t0, 1), round(w, 2)))
                    await trio.sleep(1 / rate)
            nur.cancel_scope.cancel()
        s = a.statistics()
        connected = c.peer_id in {x.peer_id for x in a.connected_peers()}
        print(f"silent peer, {secs:.0f} s at {rate}/s: published {n}; publishes that waited >0.3 s (start, wait): {waits}; "
              f"c's stream re-registered at {deaths}; send_stalls={s.send_stalls} send_drops={s.total().send_drops} "
              f"dead_connections={s.dead_connections}; c still connected={connected}; b got {got}", flush=True)
trio.run(main)
