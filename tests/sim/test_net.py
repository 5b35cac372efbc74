"""The modelled network: mesh upkeep, flood timing and bytes, loss repair, partitions, sync requests."""

from __future__ import annotations

import pytest

from node.sim.virtual.clock import Scheduler
from node.sim.virtual.net import NetParams, VirtualNet


def _net(n: int, **kw: object) -> tuple[Scheduler, VirtualNet]:
    s = Scheduler(3)
    return s, VirtualNet(n, NetParams(**kw), s, seed=3)  # type: ignore[arg-type]


def _flood(s: Scheduler, net: VirtualNet, src: int, size: int = 1000) -> dict[int, int]:
    got: dict[int, int] = {}

    def deliver(node: int, frm: int) -> None:
        assert node not in got, "delivered twice"
        got[node] = s.now_ms

    net.publish(src, size, deliver)
    s.run_until(s.now_ms + 60_000)
    return got


def test_mesh_degrees_stay_within_bounds_and_are_symmetric():
    _, net = _net(200)
    for i, m in enumerate(net.mesh):
        assert net.p.d_lo <= len(m) <= net.p.d_hi
        assert all(i in net.mesh[j] for j in m)


def test_flood_reaches_every_node_once_along_the_fastest_mesh_path():
    s, net = _net(100, latency_ms=10.0, latency_sigma=0.0, bandwidth_mbps=8.0)
    t0 = s.now_ms
    got = _flood(s, net, 0, size=936)  # +64 framing = 1000 bytes = 1 ms per hop at 8 Mbit/s
    assert set(got) == set(range(1, 100))
    # every neighbour in the mesh hears it after one hop: 10 ms latency + 1 ms serialization
    assert all(got[j] - t0 == 11 for j in net.mesh[0])
    assert max(got.values()) - t0 < 11 * 10


def test_flood_bytes_count_duplicates_and_delivered_counts_each_receiver_once():
    s, net = _net(50)
    _flood(s, net, 0, size=436)
    out, inn = net.totals()
    edges = sum(len(m) for m in net.mesh) // 2
    # each node forwards to all mesh peers but its parent: 2*edges - (n-1) transmissions of 500 bytes
    assert sum(out) == pytest.approx(500 * (2 * edges - 49))
    assert sum(inn) == pytest.approx(sum(out))
    assert net.delivered_bytes == 436 * 49


def test_loss_is_repaired_by_gossip_and_costs_time():
    s, net = _net(60, loss=0.3, latency_sigma=0.0)
    slow_times = []
    for src in range(10):
        got = _flood(s, net, src)
        assert set(got) == set(range(60)) - {src}
        slow_times.append(max(got.values()))
    assert net.repairs > 0


def test_partition_blocks_delivery_across_and_heal_restores_it():
    s, net = _net(20)
    a, b = list(range(10)), list(range(10, 20))
    assert net.partition([a, b]) == 100
    got = _flood(s, net, 0)
    assert set(got) <= set(a)
    net.heal()
    net.heartbeat()
    got = _flood(s, net, 0)
    assert set(got) == set(range(1, 20))


def test_a_black_hole_blocks_delivery_across_and_keeps_its_mesh_edges():
    """Unlike a partition, nobody is told: mesh edges across stay (and count in each side's degree,
    so the heartbeat grafts no replacement), floods across reach nobody, and heal restores them."""
    s, net = _net(20)
    a, b = list(range(10)), list(range(10, 20))
    across = {(i, j) for i in a for j in net.mesh[i] if j in b}
    assert across
    assert net.blackhole([a, b]) == 100
    net.heartbeat()
    assert all(j in net.mesh[i] for i, j in across)  # kept: a partition drops them at once
    got = _flood(s, net, 0)
    assert set(got) <= set(a)
    net.heal()
    got = _flood(s, net, 0)
    assert set(got) == set(range(1, 20))
    s2, net2 = _net(20)
    net2.partition([a, b])
    assert not any(j in net2.mesh[i] for i, j in across)


def test_crashed_node_gets_nothing_and_heartbeat_regrows_the_mesh():
    s, net = _net(30)
    victim = next(iter(net.mesh[0]))
    net.set_up(victim, False)
    got = _flood(s, net, 0)
    assert victim not in got
    assert len(got) == 28
    net.heartbeat()
    assert all(len(net.mesh[i]) >= net.p.d_lo for i in range(30) if net.up[i])


def test_request_answers_after_a_round_trip_or_times_out():
    s, net = _net(4, latency_ms=20.0, latency_sigma=0.0)
    answers: list[object] = []
    t0 = s.now_ms
    net.request(0, 1, 100, lambda: (1000, "pong"), answers.append)
    s.run_until(t0 + 1000)
    assert answers == ["pong"]
    net.set_up(1, False)
    net.request(0, 1, 100, lambda: (1000, "pong"), answers.append)
    s.run_until(t0 + 60_000)
    assert answers == ["pong", None]


def test_params_validate():
    with pytest.raises(ValueError, match="d_lo"):
        NetParams(d_lo=7, d=6).validate()
    with pytest.raises(ValueError, match="loss"):
        NetParams(loss=1.0).validate()
