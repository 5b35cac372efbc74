import trio
from libp2p.peer.id import ID
async def tracer(a, peers: dict, every=0.05, out=None):
    p = a._gossip.pubsub
    t0 = trio.current_time()
    while True:
        now = trio.current_time()
        row = []
        for name, node in peers.items():
            pid = ID.from_base58(node.peer_id)
            q = p.peer_queues.get(pid)
            fs = p.full_since.get(pid)
            row.append(f"{name}:q={len(q) if q is not None else '-'}{'' if fs is None else f' fs={now-fs:.2f}'}{' ST' if pid in p.stalled else ''}")
        (out or print)(f"{now-t0:6.2f} " + " | ".join(row))
        await trio.sleep(every)
