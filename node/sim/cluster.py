"""An in-process cluster of real nodes (real libp2p hosts on 127.0.0.1): tests, benchmarks, simulations."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import trio

from node.config import NodeConfig, PipelineConfig
from node.core.daemon import Node
from node.net.pulse import Pulse
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.validators import ValidatorSet

_SCORER: Any = None


def shared_scorer() -> Any:
    """One model per process: every in-process node scores with the same weights."""
    global _SCORER
    if _SCORER is None:
        from node.attention import load_scorer

        _SCORER = load_scorer()
    return _SCORER


def make_keys(n: int, salt: int = 0) -> list[PrivateKey]:
    return [PrivateKey(bytes([salt, i]) + bytes(30)) for i in range(n)]


def make_genesis(keys: list[PrivateKey], model_id: str, **kw: Any) -> Genesis:
    return Genesis(
        network_id=kw.pop("network_id", "testnet"),
        validators=ValidatorSet([k.peer_id for k in keys]),
        accepted_model_ids=(model_id,),
        **kw,
    )


@dataclass
class Cluster:
    nodes: list[Node]
    genesis: Genesis
    root: Path
    nursery: trio.Nursery
    scorer: Any

    async def add_node(self, key: PrivateKey, connect_to: int = 0, **cfg: Any) -> Node:
        node = _make_node(self.root, key, self.genesis, self.scorer, **cfg)
        await self.nursery.start(node.run)
        await node.p2p.connect(self.nodes[connect_to].p2p.addrs()[0])
        self.nodes.append(node)
        return node

    async def stop_node(self, node: Node) -> None:
        """Cancel one node (as if it crashed between two awaits; the store is WAL+FULL)."""
        node.cancel_scope.cancel()  # type: ignore[attr-defined]
        await node.stopped.wait()  # type: ignore[attr-defined]


def _make_node(root: Path, key: PrivateKey, genesis: Genesis, scorer: Any, **cfg: Any) -> Node:
    d = root / key.peer_id[-8:]
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    pipe = replace(PipelineConfig(), **cfg.pop("pipeline", {}))
    limits = cfg.pop("limits", None)
    config = replace(NodeConfig.default(d), anti_entropy_s=cfg.pop("anti_entropy_s", 0.5), pipeline=pipe, **cfg)
    return _CancellableNode(config, genesis, key, scorer, limits=limits)


class _CancellableNode(Node):
    """A Node that a test can stop on its own."""

    async def run(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        self.stopped = trio.Event()
        try:
            with trio.CancelScope() as self.cancel_scope:
                await super().run(task_status=task_status)
        finally:
            self.stopped.set()


@asynccontextmanager
async def open_cluster(
    root: Path,
    n_validators: int = 4,
    *,
    genesis_kw: dict[str, Any] | None = None,
    node_kw: Callable[[int], dict[str, Any]] | None = None,
    salt: int = 0,
) -> AsyncIterator[Cluster]:
    """Start ``n_validators`` validator nodes connected in a star around node 0 (mesh forms by gossip)."""
    scorer = shared_scorer()
    keys = make_keys(n_validators, salt)
    genesis = make_genesis(keys, scorer.model_id, **(genesis_kw or {}))
    async with trio.open_nursery() as nursery:
        nodes = []
        for i, k in enumerate(keys):
            node = _make_node(root, k, genesis, scorer, **(node_kw(i) if node_kw else {}))
            await nursery.start(node.run)
            nodes.append(node)
        for i, node in enumerate(nodes[1:], 1):
            await node.p2p.connect(nodes[0].p2p.addrs()[0])
            if i >= 2:
                await node.p2p.connect(nodes[i - 1].p2p.addrs()[0])
        cluster = Cluster(nodes, genesis, root, nursery, scorer)
        # Let the gossip mesh form: every node must see the others on the votes topic.
        with trio.fail_after(20):
            for node in nodes:
                await node.p2p.wait_mesh_peers(node.topics.votes, min(len(nodes) - 1, 2))
        yield cluster
        nursery.cancel_scope.cancel()


def changes(node: Node) -> list[Pulse]:
    """The signals that fire when anything a test may wait on changes in ``node``.

    Consensus fires after every event it handles (commits, votes, evidence,
    open blocks), the pipeline after every window it handles (pending records,
    our own blocks), sync after every catch-up round and penalty (bans).
    """
    return [node.consensus.changed, node.pipeline.changed, node.sync.changed]


async def wait_until(nodes: Node | Sequence[Node], cond: Callable[[], object], seconds: float,
                     what: str = "condition") -> None:
    """Wait until ``cond()`` holds, failing after ``seconds``.

    Event-driven: ``cond`` is re-checked only when one of the ``nodes``' change
    signals (:func:`changes`) fires, never on a timer. ``cond`` must depend only
    on state those signals cover (store, consensus, pipeline, sync); peer and
    connection state has its own wait, ``P2P.wait_peers``.
    """
    pulses = [p for n in ([nodes] if isinstance(nodes, Node) else nodes) for p in changes(n)]
    with trio.move_on_after(seconds) as scope:
        while True:
            events = [p.event() for p in pulses]  # taken before the check: no change is missed
            if cond():
                return
            await _first_set(events)
    if scope.cancelled_caught:
        raise AssertionError(f"timed out after {seconds}s waiting for {what}")


async def _first_set(events: Sequence[trio.Event]) -> None:
    """Return as soon as any of ``events`` is set."""
    async def one(ev: trio.Event) -> None:
        await ev.wait()
        nursery.cancel_scope.cancel()

    async with trio.open_nursery() as nursery:
        for ev in events:
            nursery.start_soon(one, ev)


def workload_json(n: int, seed: int, now_ms: int) -> list[dict[str, Any]]:
    """Workload records as ingest JSON (without origin: the ingesting node is the origin)."""
    from node.workload import Workload

    out = []
    for rec, _imp in Workload(seed).next_batch(n, now_ms):
        obj = rec.to_json()
        del obj["origin"]
        out.append(obj)
    return out


@asynccontextmanager
async def open_rogue(cluster: Cluster, seed: bytes = b"\x7f" * 32) -> AsyncIterator[Any]:
    """A raw libp2p peer with no validators of its own: it can publish anything on any topic."""
    from node.net import NetConfig, open_p2p

    async with open_p2p(seed, NetConfig()) as p2p:
        for topic in (cluster.nodes[0].topics.blocks, cluster.nodes[0].topics.votes, cluster.nodes[0].topics.certs):
            await p2p.subscribe(topic, None)
        for node in cluster.nodes:
            await p2p.connect(node.p2p.addrs()[0])
        with trio.fail_after(20):
            await p2p.wait_mesh_peers(cluster.nodes[0].topics.blocks, 1)
        yield p2p
