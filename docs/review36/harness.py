"""Shared harness: publisher a, honest subscriber b, attackers whose reading of a's gossip is gated."""
from __future__ import annotations
import sys, time, logging
from contextlib import AsyncExitStack, asynccontextmanager
import trio
from libp2p.peer.id import ID
sys.path.insert(0, "/work/main")
from node.net import NetConfig, open_p2p
from node.net.gossip import _Pubsub, _uvarint

TOPIC = "/attnshare/test/blocks/1"

def seed(i: int) -> bytes:
    return bytes([i + 1]) * 32

class Tokens:
    """How many more RPCs (from a) the attacker's pubsub reader may start reading."""
    def __init__(self, n: float = 0) -> None:
        self.n = n; self._ev = trio.Event(); self.read = 0; self.streams = []
    def give(self, k: float) -> None:
        self.n += k; self._ev.set(); self._ev = trio.Event()
    async def take(self) -> None:
        while self.n < 1:
            await self._ev.wait()
        self.n -= 1; self.read += 1

class Gated:
    def __init__(self, inner, tokens: Tokens) -> None:
        self._inner = inner; self._tokens = tokens; self._left = 0; self._prefix = bytearray()
    def __getattr__(self, name):
        return getattr(self._inner, name)
    async def read(self, n=None):
        if self._left == 0 and not self._prefix:
            await self._tokens.take()  # a new RPC starts: wait for a token
        data = await self._inner.read(n)
        view = memoryview(data)
        while view:
            if self._left:
                step = min(self._left, len(view)); self._left -= step; view = view[step:]; continue
            b = view[0]; view = view[1:]; self._prefix.append(b)
            if b & 0x80 == 0:
                self._left = _uvarint(self._prefix); self._prefix.clear()
        return data

def gate_reader(node, from_pid: str, tokens: Tokens) -> None:
    """node's pubsub reads RPCs from from_pid only as tokens allow (what an attacker does to its own reader)."""
    pub = node._gossip.pubsub
    target = ID.from_base58(from_pid)
    async def crs(stream):
        if stream.muxed_conn.peer_id == target:
            tokens.streams.append(stream)
            stream = Gated(stream, tokens)
        return await _Pubsub.continuously_read_stream(pub, stream)
    pub.continuously_read_stream = crs

@asynccontextmanager
async def network(n_attackers: int, cfg: NetConfig | None = None, start_tokens: float = 1e9):
    cfg = cfg or NetConfig(ping_failures_to_drop=0)
    async with AsyncExitStack() as st:
        a = await st.enter_async_context(open_p2p(seed(0), cfg))
        b = await st.enter_async_context(open_p2p(seed(1), cfg))
        await a.subscribe(TOPIC, None)
        at_b = await b.subscribe(TOPIC, None)
        atts, toks = [], []
        for i in range(n_attackers):
            c = await st.enter_async_context(open_p2p(seed(10 + i), cfg))
            t = Tokens(start_tokens)
            gate_reader(c, a.peer_id, t)
            pin_window(c)
            await c.subscribe(TOPIC, None)
            atts.append(c); toks.append(t)
        await b.connect(a.addrs()[0])
        for c in atts:
            await c.connect(a.addrs()[0])
        with trio.fail_after(30):
            await a.wait_mesh_peers(TOPIC, 1 + n_attackers)
            while len(a._gossip.pubsub.peer_topics.get(TOPIC, ())) < 1 + n_attackers:
                await trio.sleep(0.05)
        yield a, b, at_b, atts, toks

def qlen(a, c) -> int:
    q = a._gossip.pubsub.peer_queues.get(ID.from_base58(c.peer_id))
    return -1 if q is None else len(q)

async def publish_all(a, at_b, n: int, size: int = 64 * 1024, limit: float = 100.0):
    """Publish n messages; return (seconds, published count, b received count)."""
    got = 0
    async def drain_b():
        nonlocal got
        async for _ in at_b:
            got += 1
    t0 = trio.current_time(); done = 0
    async with trio.open_nursery() as nur:
        nur.start_soon(drain_b)
        with trio.move_on_after(limit):
            for i in range(n):
                await a.publish(TOPIC, i.to_bytes(4, "big") + bytes(size - 4))
                done += 1
        el = trio.current_time() - t0
        last, t_last = -1, trio.current_time()
        while trio.current_time() - t_last < 1.5 and trio.current_time() - t0 < limit + 20:
            if got != last:
                last, t_last = got, trio.current_time()
            await trio.sleep(0.1)
        nur.cancel_scope.cancel()
    return el, done, got

def report(tag, a, el, done, got):
    s = a.statistics()
    print(f"{tag}: published {done} in {el:.2f} s ({done/el:.1f} msg/s); b got {got}; "
          f"send_stalls={s.send_stalls} send_drops={s.total().send_drops} dead_conns={s.dead_connections}", flush=True)

# The attacker grants yamux window only for what it reads (no auto-tune growth): its own choice.
from libp2p.stream_muxer.yamux import yamux as _Y
_PINNED: set = set()
_orig_autotune = _Y.YamuxStream._apply_autotune_epoch
def _autotune(self, buffered):
    try:
        if self.conn.secured_conn.get_local_peer() in _PINNED:
            return 0
    except Exception:
        pass
    return _orig_autotune(self, buffered)
_Y.YamuxStream._apply_autotune_epoch = _autotune

def pin_window(node) -> None:
    _PINNED.add(ID.from_base58(node.peer_id))
