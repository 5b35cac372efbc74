"""Feeding the scenario's workload into the daemons, and remembering what was acknowledged.

One thread per fed node ingests ``rate / len(nodes)`` records per second in
``batch_ms`` batches through that node's admin socket. A record counts as
acknowledged only when ``ingest`` returned its CID: the daemon answers after
the store has it durably, so the no-loss invariant is checked against exactly
this set. The ground-truth importance of each acknowledged record (from the
workload generator) and the size of its JSON form (what a naive flooder would
ship) are kept for the report's importance-versus-bytes curve.

Every ingest call is also logged in ``Acked.trace`` (per node: milliseconds
after ``start()`` when the daemon answered, records offered, records
acknowledged). Calibration replays that trace on the virtual engine, so both
engines get exactly the same load even when the feeder fell behind a busy host.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from node.admin import AdminError
from node.sim.localnet import LocalNet
from node.sim.scenario import WorkloadSpec
from node.workload import Workload


@dataclass
class Acked:
    """What the network acknowledged, per node, with the ground truth of each record."""

    cids: dict[int, list[str]] = field(default_factory=dict)
    importance: dict[str, float] = field(default_factory=dict)
    json_bytes: dict[str, int] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # acknowledgement order, all nodes
    errors: list[str] = field(default_factory=list)
    offered: int = 0
    #: per node, one (ms after the feed started, offered, acknowledged) per ingest call, in order
    trace: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.cids.values())


class Feeder:
    """Ingest threads for the fed nodes; ``start()`` then ``stop()``."""

    def __init__(self, net: LocalNet, spec: WorkloadSpec, nodes: tuple[int, ...], seed: int) -> None:
        self.net = net
        self.spec = spec
        self.nodes = nodes
        self.seed = seed
        self.acked = Acked(cids={i: [] for i in nodes}, trace={i: [] for i in nodes})
        self._t0 = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.spec.rate <= 0 or not self.nodes:
            return
        per_node = self.spec.rate / len(self.nodes)
        self._t0 = time.monotonic()
        for i in self.nodes:
            wl = Workload(self.seed * 1000 + i, domains=self.spec.domains, dup_rate=self.spec.dup_ratio,
                          burst_rate=self.spec.burst_ratio)
            t = threading.Thread(target=self._feed, args=(i, wl, per_node), name=f"feed-node{i}", daemon=True)
            self._threads.append(t)
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)

    def _feed(self, i: int, wl: Workload, rate: float) -> None:
        node = self.net.nodes[i]
        tick = self.spec.batch_ms / 1000
        owed = 0.0
        next_t = time.monotonic()
        while not self._stop.is_set():
            owed += rate * tick
            k = int(owed)
            if k > 0 and node.alive():
                owed -= k
                self._ingest(i, wl, k)
            elif not node.alive():
                owed = 0.0  # a dead node is offered nothing: its clients would see refused connections
            next_t += tick
            self._stop.wait(max(0.0, next_t - time.monotonic()))

    def _ingest(self, i: int, wl: Workload, k: int) -> None:
        labeled = wl.next_labeled(k, int(time.time() * 1000))
        objs: list[dict[str, Any]] = []
        for lr in labeled:
            obj = lr.record.to_json()
            del obj["origin"]  # the ingesting node becomes the origin
            objs.append(obj)
        with self._lock:
            self.acked.offered += len(objs)
        try:
            res = self.net.nodes[i].client(timeout=30).call("ingest", records=objs)
        except (AdminError, OSError) as exc:
            # OSError: AdminClient lets a connection reset through when the daemon dies mid-request.
            with self._lock:
                self.acked.errors.append(f"node{i}: {exc}")
                self.acked.trace[i].append((self._ms(), len(objs), 0))
            return
        bad = {e["index"] for e in res.get("errors", [])}
        good = [j for j in range(len(objs)) if j not in bad]
        with self._lock:
            # Counted as acknowledged only as a prefix: a replay draws the same records in order.
            self.acked.trace[i].append((self._ms(), len(objs), len(good) if not bad else min(bad)))
            self.acked.cids[i].extend(res["cids"])
            for j, cid in zip(good, res["cids"], strict=True):
                self.acked.importance[cid] = labeled[j].importance
                self.acked.json_bytes[cid] = len(json.dumps({**objs[j], "origin": self.net.nodes[i].peer_id}))
                self.acked.order.append(cid)
            for e in res.get("errors", []):
                self.acked.errors.append(f"node{i} record {e['index']}: {e['error']}")

    def _ms(self) -> int:
        return int((time.monotonic() - self._t0) * 1000)
