"""The modelled network of the virtual engine: links, a GossipSub mesh, partitions, sync streams.

Theory of operation
-------------------
Nodes are integers ``0..n-1``. Each pair that is connected has a *link* with
a one-way latency drawn once from a log-normal distribution around
``latency_ms`` (a fixed property of the pair: links differ, a link does not
jitter), a serialization rate ``bandwidth_mbps`` and a per-transmission loss
probability ``loss``.

**Connections.** At start every node dials ``connections`` random peers (plus
a ring, so the graph is connected); connections are symmetric. A partition
blocks every pair across its groups (as the daemons' ``peer.block`` does):
their connection and mesh edges are gone until ``heal``.

**The mesh.** One GossipSub mesh carries every topic (blocks, votes,
certificates). Each node keeps between ``d_lo`` and ``d_hi`` mesh peers among
its live, unblocked connections, aiming at ``d``: a heartbeat every
``heartbeat_ms`` grafts when a node has fewer than ``d_lo`` and prunes random
extras above ``d_hi``. A crash or a block removes mesh edges at once; the
heartbeat repairs them.

**A publish** floods the mesh: every node that receives a message forwards it
once to each mesh peer except the one it came from (the seen-cache drops the
duplicates it then receives, which still cost wire bytes). A node's arrival
time is the fastest mesh path, each hop costing the link latency plus the
message's serialization time. A node the mesh did not reach (loss, a thin
mesh after faults) can still get the message through gossip repair: at a
holder's next heartbeat within ``gossip_history`` heartbeats, it advertises
the id (IHAVE), the other side asks (IWANT) and the message follows, which
costs the heartbeat wait plus three link latencies. Without loss the flood
tree of a source only changes when the mesh does, so it is computed once per
(source, mesh epoch) and reused (the fast path); with loss every publish draws
its own losses (the slow path).

**Sync streams** (:meth:`VirtualNet.request`) are request/response exchanges
between any two live, unblocked nodes: one latency and the request's
serialization, then one latency and the response's. An unreachable peer
fails the request after ``request_timeout_ms``.

**Counting.** Wire bytes are counted per node, in and out, including
GossipSub's duplicate transmissions, per-message framing ``overhead_bytes``,
IHAVE/IWANT control traffic and sync streams.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from node.sim.virtual.clock import Scheduler


@dataclass(frozen=True, slots=True)
class NetParams:
    """The network model's knobs; defaults model a wide-area overlay of well-connected hosts."""

    latency_ms: float = 30.0
    """Median one-way link latency."""
    latency_sigma: float = 0.5
    """Log-normal spread of link latencies across links (0: every link at ``latency_ms``)."""
    bandwidth_mbps: float = 100.0
    """Serialization rate of one link, megabits per second."""
    loss: float = 0.0
    """Probability that one transmission of a gossip message is lost."""
    connections: int = 8
    """Peers each node dials at start (the connection graph also holds a ring)."""
    d: int = 6
    """GossipSub target mesh degree."""
    d_lo: int = 4
    """Fewer mesh peers than this: graft at the next heartbeat."""
    d_hi: int = 12
    """More mesh peers than this: prune at the next heartbeat."""
    d_lazy: int = 6
    """Non-mesh peers a heartbeat sends IHAVE to."""
    heartbeat_ms: int = 1000
    """GossipSub heartbeat period."""
    gossip_history: int = 3
    """Heartbeats during which a message id is advertised in IHAVE."""
    overhead_bytes: int = 64
    """Framing per gossip message (RPC envelope, topic, seqno, from)."""
    id_bytes: int = 40
    """One message id in IHAVE/IWANT."""
    request_timeout_ms: int = 10_000
    """How long a sync request to an unreachable peer takes to fail."""

    def validate(self) -> None:
        """Raise ValueError naming the first bad field."""
        if not 0 <= self.latency_ms <= 60_000:
            raise ValueError("latency_ms must be in [0, 60000]")
        if not 0 <= self.latency_sigma <= 3:
            raise ValueError("latency_sigma must be in [0, 3]")
        if not 0 < self.bandwidth_mbps <= 1e6:
            raise ValueError("bandwidth_mbps must be in (0, 1e6]")
        if not 0 <= self.loss < 1:
            raise ValueError("loss must be in [0, 1)")
        if not 1 <= self.d_lo <= self.d <= self.d_hi:
            raise ValueError("need 1 <= d_lo <= d <= d_hi")
        if self.connections < 1 or self.heartbeat_ms < 1 or self.gossip_history < 1:
            raise ValueError("connections, heartbeat_ms and gossip_history must be >= 1")


Deliver = Callable[[int, int], None]  # (receiving node, node it came from)


def _deliver_all(deliver: Deliver, group: list[tuple[int, int]]) -> None:
    for node, parent in group:
        deliver(node, parent)


class VirtualNet:
    """Connections, mesh and counters for ``n`` virtual nodes on one scheduler."""

    def __init__(self, n: int, params: NetParams, sched: Scheduler, seed: int) -> None:
        params.validate()
        self.n = n
        self.p = params
        self.sched = sched
        self._seed = seed
        self._rng = random.Random(f"attnshare-net/{seed}")
        self.up = [True] * n
        self.conns: list[set[int]] = [set() for _ in range(n)]
        self.mesh: list[set[int]] = [set() for _ in range(n)]
        self.blocked: set[tuple[int, int]] = set()
        self._lat: dict[tuple[int, int], float] = {}
        self.epoch = 0
        self._trees: dict[int, tuple[int, list[tuple[int, float, int, int]] | None]] = {}
        # Per-tree use, folded into the per-node counters when the tree is dropped.
        self._tree_use: dict[tuple[int, int], list[float]] = {}
        self._tree_vec: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self.bytes_out = [0.0] * n
        self.bytes_in = [0.0] * n
        self.msgs_published = 0
        self.deliveries = 0
        #: message bytes handed to receivers (each message once per receiving node, no framing or
        #: duplicates): what the process engine's "gossip bytes delivered" counts
        self.delivered_bytes = 0
        self.repairs = 0
        self._recent: list[int] = []  # messages published per heartbeat, newest last
        self._phase = [self._rng.randrange(params.heartbeat_ms) for _ in range(n)]
        self._ser_per_byte = 8.0 / (params.bandwidth_mbps * 1000.0)  # ms per byte
        self._build()

    # ------------------------------------------------------------------ topology
    def _build(self) -> None:
        n, rng = self.n, self._rng
        for i in range(n):
            if n > 1:
                self._connect(i, (i + 1) % n)
        for i in range(n):
            want = min(self.p.connections, n - 1)
            tries = 0
            while len(self.conns[i]) < want and tries < 4 * want:
                tries += 1
                j = rng.randrange(n)
                if j != i:
                    self._connect(i, j)
        for i in range(n):
            self._graft_up_to(i, self.p.d)
        self.epoch += 1

    def _connect(self, a: int, b: int) -> None:
        self.conns[a].add(b)
        self.conns[b].add(a)

    def latency(self, a: int, b: int) -> float:
        """One-way latency of the (a, b) link, ms; fixed per pair, drawn on first use."""
        key = (a, b) if a < b else (b, a)
        lat = self._lat.get(key)
        if lat is None:
            z = random.Random(f"{self._seed}/{key[0]}/{key[1]}").gauss(0.0, 1.0)
            lat = self._lat[key] = self.p.latency_ms * math.exp(self.p.latency_sigma * z)
        return lat

    def reachable(self, a: int, b: int) -> bool:
        """Both up and not blocked from each other."""
        return self.up[a] and self.up[b] and ((a, b) if a < b else (b, a)) not in self.blocked

    def _live_conns(self, i: int) -> list[int]:
        return sorted(j for j in self.conns[i] if self.reachable(i, j))

    def _graft_up_to(self, i: int, target: int) -> bool:
        if not self.up[i]:
            return False
        cands = [j for j in self._live_conns(i) if j not in self.mesh[i] and len(self.mesh[j]) < self.p.d_hi]
        self._rng.shuffle(cands)
        changed = False
        for j in cands:
            if len(self.mesh[i]) >= target:
                break
            self.mesh[i].add(j)
            self.mesh[j].add(i)
            changed = True
        return changed

    def _drop_mesh_edges(self, i: int, only: Iterable[int] | None = None) -> None:
        for j in list(self.mesh[i] if only is None else only):
            self.mesh[i].discard(j)
            self.mesh[j].discard(i)

    def _changed(self) -> None:
        self.epoch += 1
        self._fold_trees()
        self._trees.clear()
        self._tree_vec.clear()

    def heartbeat(self) -> None:
        """One GossipSub heartbeat for every live node: mesh upkeep and IHAVE traffic."""
        changed = False
        for i in range(self.n):
            if not self.up[i]:
                continue
            if len(self.mesh[i]) < self.p.d_lo:
                changed |= self._graft_up_to(i, self.p.d)
            elif len(self.mesh[i]) > self.p.d_hi:
                extra = sorted(self.mesh[i])
                self._rng.shuffle(extra)
                self._drop_mesh_edges(i, extra[: len(self.mesh[i]) - self.p.d])
                changed = True
        if changed:
            self._changed()
        # IHAVE: ids of the messages of the last few heartbeats, to d_lazy non-mesh peers.
        self._recent.append(0)
        del self._recent[: -self.p.gossip_history]
        ids = sum(self._recent[:-1])
        if ids:
            cost = ids * self.p.id_bytes + self.p.overhead_bytes
            for i in range(self.n):
                if self.up[i]:
                    k = min(self.p.d_lazy, max(0, len(self.conns[i]) - len(self.mesh[i])))
                    self.bytes_out[i] += k * cost
                    self.bytes_in[i] += k * cost  # symmetric on average: everyone gossips

    # ------------------------------------------------------------------ faults
    def set_up(self, i: int, up: bool) -> None:
        """Crash (False) or restart (True) node ``i``; a restarted node re-grafts at once."""
        if self.up[i] == up:
            return
        self.up[i] = up
        if up:
            self._graft_up_to(i, self.p.d)
        else:
            self._drop_mesh_edges(i)
        self._changed()

    def partition(self, groups: Iterable[Iterable[int]]) -> int:
        """Block every pair across ``groups``; returns the number of pairs blocked."""
        return self._block(groups, cut=True)

    def blackhole(self, groups: Iterable[Iterable[int]]) -> int:
        """Block every pair across ``groups`` and tell nobody: unlike :meth:`partition`, connections
        and mesh edges across stay (each side still counts the other in its degree and sends it
        its share of every flood, into the void) until :meth:`heal`. Returns pairs blocked."""
        return self._block(groups, cut=False)

    def _block(self, groups: Iterable[Iterable[int]], cut: bool) -> int:
        gs = [sorted(set(g)) for g in groups]
        pairs = 0
        for gi, a_group in enumerate(gs):
            for b_group in gs[gi + 1:]:
                for a in a_group:
                    for b in b_group:
                        key = (a, b) if a < b else (b, a)
                        if key not in self.blocked:
                            self.blocked.add(key)
                            pairs += 1
                        if cut:
                            self._drop_mesh_edges(a, [b])
                            # A partition cuts connections; grow the ones that remain.
                            self.conns[a].add(b)
                            self.conns[b].add(a)
        self._changed()
        return pairs

    def heal(self) -> int:
        """Unblock every pair; the next heartbeats graft across again. Returns pairs unblocked."""
        pairs = len(self.blocked)
        self.blocked.clear()
        self._changed()
        return pairs

    # ------------------------------------------------------------------ gossip
    def ser_ms(self, size: int) -> float:
        return size * self._ser_per_byte

    def publish(self, src: int, size: int, deliver: Deliver) -> None:
        """Flood a message of ``size`` bytes from ``src``; ``deliver(node, from)`` runs at each arrival."""
        if not self.up[src]:
            return
        self.msgs_published += 1
        if self._recent:
            self._recent[-1] += 1
        data_size = size
        size += self.p.overhead_bytes
        if self.p.loss == 0.0:
            tree = self._tree(src)
            if tree is not None:
                use = self._tree_use.setdefault((src, self.epoch), [0.0, 0])
                use[0] += size
                use[1] += 1
                ser = self.ser_ms(size)
                now, at = self.sched.now_ms, self.sched.at
                # One scheduler entry per arrival millisecond, not per node: a flood to 1,000
                # nodes lands in a few dozen distinct milliseconds.
                t_group = -1
                group: list[tuple[int, int]] = []
                for node, dist, hops, parent in tree:
                    t = now + math.ceil(dist + hops * ser)
                    if t != t_group:
                        if group:
                            at(t_group, _deliver_all, deliver, group)
                        t_group, group = t, []
                    group.append((node, parent))
                if group:
                    at(t_group, _deliver_all, deliver, group)
                self.deliveries += len(tree)
                self.delivered_bytes += len(tree) * data_size
                return
        self.delivered_bytes += data_size * self._flood_slow(src, size, deliver)

    def _tree(self, src: int) -> list[tuple[int, float, int, int]] | None:
        """The mesh flood tree of ``src`` this epoch, or None if the mesh misses a live node."""
        cached = self._trees.get(src)
        if cached is not None and cached[0] == self.epoch:
            return cached[1]
        dist: dict[int, float] = {src: 0.0}
        hops = {src: 0}
        parent = {src: -1}
        heap = [(0.0, src)]
        done: set[int] = set()
        while heap:
            d, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            for v in self.mesh[u]:
                if v in done or not self.reachable(u, v):  # a black hole keeps its mesh edges
                    continue
                nd = d + self.latency(u, v)
                if nd < dist.get(v, math.inf):
                    dist[v], hops[v], parent[v] = nd, hops[u] + 1, u
                    heapq.heappush(heap, (nd, v))
        live = sum(self.up)
        tree: list[tuple[int, float, int, int]] | None = None
        if len(done) == live:
            tree = sorted(((v, dist[v], hops[v], parent[v]) for v in done if v != src), key=lambda x: (x[1], x[0]))
            out = [0] * self.n
            inn = [0] * self.n
            for u in done:
                deg = sum(1 for v in self.mesh[u] if self.up[v])
                out[u] = deg - (0 if u == src else 1)
                children = sum(1 for v in self.mesh[u] if parent.get(v) == u)
                inn[u] = deg - children
            self._tree_vec[(src, self.epoch)] = (out, inn)
        self._trees[src] = (self.epoch, tree)
        return tree

    def _fold_trees(self) -> None:
        for key, (size_sum, _count) in self._tree_use.items():
            out, inn = self._tree_vec[key]
            for i in range(self.n):
                if out[i]:
                    self.bytes_out[i] += out[i] * size_sum
                if inn[i]:
                    self.bytes_in[i] += inn[i] * size_sum
        self._tree_use.clear()

    def _next_heartbeat(self, node: int, t: float) -> float:
        hb = self.p.heartbeat_ms
        ph = self._phase[node]
        k = math.floor((t - ph) / hb) + 1
        return ph + k * hb

    def _flood_slow(self, src: int, size: int, deliver: Deliver) -> int:
        """Per-message flood with losses and gossip repair (see the module docstring); returns receivers."""
        p, rng = self.p, self._rng
        ser = self.ser_ms(size)
        t0 = float(self.sched.now_ms)
        best: dict[int, tuple[float, int]] = {src: (t0, -1)}
        heap = [(t0, src, -1)]
        done: set[int] = set()
        window = p.gossip_history * p.heartbeat_ms
        while heap:
            t, u, frm = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            if u != src:
                self.sched.at(math.ceil(t), deliver, u, frm)
                self.deliveries += 1
                self.bytes_in[u] += size
            for v in sorted(self.mesh[u]):
                if v == frm or not self.reachable(u, v):
                    continue
                self.bytes_out[u] += size
                if v in done:
                    self.bytes_in[v] += size  # a duplicate the seen-cache drops
                    continue
                if p.loss and rng.random() < p.loss:
                    continue
                nt = t + self.latency(u, v) + ser
                if nt < best.get(v, (math.inf, -1))[0]:
                    best[v] = (nt, u)
                    heapq.heappush(heap, (nt, v, u))
            # Gossip repair: IHAVE to connected non-mesh peers at u's next heartbeats.
            for v in sorted(self.conns[u]):
                if v in self.mesh[u] or v in done or not self.reachable(u, v):
                    continue
                hb = self._next_heartbeat(u, t)
                while hb <= t + window:
                    if not (p.loss and rng.random() < p.loss):
                        nt = hb + 3 * self.latency(u, v) + ser
                        if nt < best.get(v, (math.inf, -1))[0]:
                            best[v] = (nt, u)
                            heapq.heappush(heap, (nt, v, u))
                            self.repairs += 1
                        break
                    hb += p.heartbeat_ms
        return len(done) - 1

    # ------------------------------------------------------------------ sync streams
    def request(self, a: int, b: int, req_bytes: int, respond: Callable[[], tuple[int, object]],
                on_reply: Callable[[object | None], None]) -> None:
        """Node ``a`` asks ``b``; ``respond()`` runs at ``b`` on arrival and returns (bytes, answer).

        ``on_reply(answer)`` runs at ``a`` when the answer arrives, or ``on_reply(None)`` after
        ``request_timeout_ms`` if ``b`` is unreachable at either end of the exchange.
        """
        if not self.reachable(a, b):
            self.sched.after(self.p.request_timeout_ms, on_reply, None)
            return
        lat = self.latency(a, b)
        self.bytes_out[a] += req_bytes
        self.bytes_in[b] += req_bytes

        def at_b() -> None:
            if not self.reachable(a, b):
                self.sched.after(self.p.request_timeout_ms, on_reply, None)
                return
            size, answer = respond()
            self.bytes_out[b] += size
            self.bytes_in[a] += size
            self.sched.after(lat + self.ser_ms(size), lambda: on_reply(answer if self.up[a] else None))

        self.sched.after(lat + self.ser_ms(req_bytes), at_b)

    # ------------------------------------------------------------------ results
    def node_bytes(self, which: list[int]) -> tuple[list[float], list[float]]:
        """(bytes out, bytes in) so far of the nodes ``which``, without folding the tree counters."""
        out = [self.bytes_out[i] for i in which]
        inn = [self.bytes_in[i] for i in which]
        for key, (size_sum, _count) in self._tree_use.items():
            vo, vi = self._tree_vec[key]
            for j, i in enumerate(which):
                out[j] += vo[i] * size_sum
                inn[j] += vi[i] * size_sum
        return out, inn

    def totals(self) -> tuple[list[float], list[float]]:
        """Per-node (bytes out, bytes in) so far."""
        self._fold_trees()
        return self.bytes_out, self.bytes_in
