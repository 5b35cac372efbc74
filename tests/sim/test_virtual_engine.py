"""The virtual engine end to end: shipped scenarios, determinism, byzantine members, explore."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.sim.scenario import VIRTUAL_MAX_NODES, load_scenario, parse_scenario
from node.sim.virtual.explore import failing, minimize, random_scenario, to_toml
from node.sim.virtual.run import run_virtual

SCENARIOS = Path(__file__).resolve().parents[2] / "scripts" / "scenarios"


def _small(name: str, **over: object) -> object:
    sc = load_scenario(SCENARIOS / f"{name}.toml", max_nodes=VIRTUAL_MAX_NODES)
    from dataclasses import replace

    return replace(sc, virtual={**sc.virtual, "scorer": "truth"}, **over)  # type: ignore[arg-type]


def test_same_scenario_and_seed_give_a_byte_identical_report(tmp_path: Path):
    sc = _small("crash-restart").scaled(0.5)  # type: ignore[attr-defined]
    a = run_virtual(sc, tmp_path / "a", plots=False)
    run_virtual(sc, tmp_path / "b", plots=False)
    assert a.ok, a.failed
    ra, rb = (tmp_path / "a" / "report.json").read_bytes(), (tmp_path / "b" / "report.json").read_bytes()
    assert ra == rb
    from dataclasses import replace

    run_virtual(replace(sc, seed=sc.seed + 1), tmp_path / "c", plots=False)
    assert (tmp_path / "c" / "report.json").read_bytes() != ra


@pytest.mark.parametrize("name", ["steady", "byzantine-voter", "byzantine-proposer", "partition-heal",
                                  "blackhole-heal", "late-joiner", "rogue-input"])
def test_shipped_scenarios_hold_every_invariant_on_the_virtual_engine(name: str):
    res = run_virtual(_small(name).scaled(0.5), None, plots=False)  # type: ignore[attr-defined]
    assert res.ok, [c.detail for c in res.failed]
    assert res.run.shared.scorer.name == "truth"


def test_equivocations_leave_verified_evidence_on_honest_nodes():
    res = run_virtual(_small("byzantine-voter"), None, plots=False)
    ev = next(c for c in res.checks if c.name == "evidence")
    assert ev.ok
    assert "injected equivocations on file" in ev.detail


def test_a_crash_inside_the_simulated_code_fails_no_crash(monkeypatch: pytest.MonkeyPatch):
    from node.sim.virtual import node as vnode

    def boom(self: object, *a: object) -> None:
        raise RuntimeError("injected bug")

    monkeypatch.setattr(vnode.VirtualNode, "_commit", boom)
    res = run_virtual(_small("steady").scaled(0.25), None, plots=False)  # type: ignore[attr-defined]
    nc = next(c for c in res.checks if c.name == "no-crash")
    assert not nc.ok
    assert "injected bug" in nc.detail


def test_restarted_node_fills_gaps_left_while_it_was_down():
    # Explore seed 10: two validators crash and restart in turn. A restarted node commits the live
    # slot first, jumping over what it missed; heads-only anti-entropy never filled those gaps.
    res = run_virtual(random_scenario(10), None, plots=False)
    assert res.ok, [c.detail for c in res.failed]
    views = {n.index: len(n.store.committed) for n in res.run.nodes}
    assert len(set(views.values())) == 1


@pytest.mark.parametrize("startup_sync_ms", [10_000, 0])
def test_a_restarted_proposer_catches_up_before_it_names_a_view(monkeypatch: pytest.MonkeyPatch,
                                                                startup_sync_ms: int):
    # crash-restart: node 2 is down 6 s while the others commit. Restarted, it used to cut a block
    # at once on the view it went down with, more than max_view_lag behind: every validator
    # rejected it (two slots here). It now holds its first window until a catch-up round ends
    # (the daemon's SyncService.settle; 0 turns the wait off, as before).
    from functools import partial

    import node.sim.virtual.engine as engine
    from node.sim.virtual.node import NodeConfig

    monkeypatch.setattr(engine, "NodeConfig", partial(NodeConfig, startup_sync_ms=startup_sync_ms))
    res = run_virtual(_small("crash-restart"), None, plots=False)
    assert res.ok, [c.detail for c in res.failed]
    restarted = res.run.nodes[2].me
    rejected = {n.index: sum(1 for (p, _q), o in n.store.decided.items() if p == restarted and o != "committed")
                for n in res.run.nodes}
    if startup_sync_ms:
        assert set(rejected.values()) == {0}
    else:
        assert min(rejected.values()) > 0


def test_explore_seeds_hold_and_the_toml_round_trips():
    for seed in range(6):
        sc = random_scenario(seed)
        assert failing(sc) == [], seed
        import tomllib

        again = parse_scenario(tomllib.loads(to_toml(sc)))
        assert again.faults == sc.faults
        assert again.virtual == sc.virtual
        assert again.seed == sc.seed


def test_minimize_drops_faults_that_do_not_matter(monkeypatch: pytest.MonkeyPatch):
    import node.sim.virtual.explore as ex

    sc = random_scenario(19)  # lossy x2, a byzantine proposer, a kill and a restart
    assert len(sc.faults) >= 3
    # A stand-in invariant that fails while a "kill" fault is present.
    monkeypatch.setattr(ex, "failing", lambda s: ["x: kill"] if any(f.kind == "kill" for f in s.faults) else [])
    small = minimize(sc, "x")
    assert [f.kind for f in small.faults] == ["kill"]


def test_regression_explore_68_equivocation_lost_in_transit_is_not_demanded():
    sc = load_scenario(Path(__file__).parent / "scenarios" / "explore-68.toml")
    res = run_virtual(sc, None, plots=False)
    assert res.ok, [c.detail for c in res.failed]
    # An equivocation whose second message no honest node received cannot be demanded.
    from node.sim.virtual.engine import _observable, rogue_events_of

    injected = [e for evs in rogue_events_of(res.run).values() for e in evs
                if e.get("kind") == "proposer-equivocation"]
    assert injected
    assert all(_observable(res.run, e) for e in injected)
    lost = {**injected[0], "block_ids": [injected[0]["block_ids"][0], "bafkreinever"]}
    assert not _observable(res.run, lost)


def test_regression_explore_299_overlapping_slow_and_lossy_faults_end_cleanly():
    sc = load_scenario(Path(__file__).parent / "scenarios" / "explore-299.toml")
    res = run_virtual(sc, None, plots=False)
    assert res.ok, [c.detail for c in res.failed]
    base = res.run.base_net
    assert base is not None
    assert res.run.degraded == []
    assert res.run.net.p == base  # every slow and lossy fault undone, whatever their overlap


def test_report_is_byte_identical_across_processes_with_different_hash_seeds(tmp_path: Path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    outs = []
    for h in ("1", "2"):
        out = tmp_path / h
        subprocess.run([sys.executable, "-m", "node.cli", "simulate", str(SCENARIOS / "byzantine-voter.toml"),
                        "--engine", "virtual", "--scorer", "truth", "--no-plots", "--time-scale", "0.5",
                        "--out", str(out)],
                       check=True, cwd=root, env={**os.environ, "PYTHONHASHSEED": h}, capture_output=True)
        outs.append((out / "report.json").read_bytes())
    assert outs[0] == outs[1]


def test_a_shared_host_queues_message_handling_and_slows_commits():
    from dataclasses import replace

    base = _small("steady").scaled(0.25)  # type: ignore[attr-defined]
    own = run_virtual(base, None, plots=False)
    shared = run_virtual(replace(base, virtual={**base.virtual, "host_cores": 1, "msg_ms": 20.0}), None, plots=False)
    assert own.ok
    assert shared.ok, [c.detail for c in shared.failed]

    def p50(res: object) -> int:
        lat = sorted(x for n in res.run.nodes for x in n.stats.latencies_ms)  # type: ignore[attr-defined]
        return lat[len(lat) // 2]

    assert p50(shared) > p50(own) + 40  # at least two queued message handlings on the commit path


def test_a_replayed_feeder_trace_is_offered_and_acknowledged_exactly():
    # Calibration replays the process feeder's calls; the virtual engine must offer exactly that load,
    # not the scenario's rate (the process feeder falls behind on a busy host).
    base = _small("steady").scaled(0.25)  # type: ignore[attr-defined]
    fed = list(base.fed_nodes)
    trace = {fed[0]: [(100, 7, 7), (900, 5, 3), (1500, 4, 0)], fed[1]: [(400, 11, 11)]}
    res = run_virtual(base, None, plots=False, offered=trace)
    acked = res.run.acked
    assert acked.offered == 7 + 5 + 4 + 11
    assert len(acked.cids[fed[0]]) == 10
    assert len(acked.cids[fed[1]]) == 11
    assert all(not acked.cids[i] for i in fed[2:])
    assert res.run.crash is None
    with pytest.raises(ValueError, match="does not feed"):
        run_virtual(base, None, plots=False, offered={base.nodes + 5: [(1, 1, 1)]})


def test_shared_host_background_load_and_proposer_work_are_accounted_and_slow_commits():
    from dataclasses import replace

    from node.sim.virtual.engine import T0_MS

    base = _small("steady").scaled(0.25)  # type: ignore[attr-defined]
    host = {**base.virtual, "host_cores": 1, "msg_ms": 2.0}
    plain = run_virtual(replace(base, virtual=host), None, plots=False)
    busy = run_virtual(replace(base, virtual={**host, "idle_ms_per_s": 150.0, "propose_ms": 50.0,
                                              "msg_jitter": 1.0}), None, plots=False)
    assert plain.ok
    assert busy.ok, [c.detail for c in busy.failed]
    # Every node's background load (150 ms per simulated second, in 100 ms slices) is on the host.
    sim_s = (busy.run.sched.now_ms - T0_MS) / 1000
    idle_ms = 150.0 * base.nodes * sim_s
    assert busy.run.shared.host_work_ms >= idle_ms * 0.95
    assert plain.run.shared.host_work_ms < idle_ms  # without it, far less (messages and the model only)

    def p50(res: object) -> int:
        lat = sorted(x for n in res.run.nodes for x in n.stats.latencies_ms)  # type: ignore[attr-defined]
        return lat[len(lat) // 2]

    assert p50(busy) > p50(plain)


def test_non_validator_proposers_get_their_blocks_committed():
    # Issue 11's "100 proposers": the genesis names the first N nodes as proposers; validators vote.
    sc = parse_scenario({"name": "proposers", "nodes": 8, "validators": 4, "proposers": 6, "settle_s": 5,
                         "workload": {"rate": 600, "duration_s": 6, "feed": "proposers"},
                         "network": {"block_interval_ms": 500}, "virtual": {"scorer": "truth"}},
                        max_nodes=VIRTUAL_MAX_NODES)
    res = run_virtual(sc, None, plots=False)
    assert res.ok, [c.detail for c in res.failed]
    g = res.run.genesis
    assert g.proposer_ids == tuple(sorted(n.me for n in res.run.nodes[:6]))
    committed_by = {res.run.nodes[0].store.blocks[bid].block.header.proposer
                    for bid in res.run.nodes[0].store.committed.values()}
    outsiders = {n.me for n in res.run.nodes[4:6]}  # proposers that are not validators
    assert outsiders <= committed_by
    assert not committed_by & {n.me for n in res.run.nodes[6:]}


def test_other_jobs_on_the_shared_host_slow_commits_but_are_not_the_nodes_cpu():
    from dataclasses import replace

    base = _small("steady").scaled(0.25)  # type: ignore[attr-defined]
    host = {**base.virtual, "host_cores": 1, "msg_ms": 2.0}
    alone = run_virtual(replace(base, virtual=host), None, plots=False)
    shared = run_virtual(replace(base, virtual={**host, "other_load": 0.5, "other_burst_ms": 100.0}), None,
                         plots=False)
    assert shared.ok, [c.detail for c in shared.failed]

    def p50(res: object) -> int:
        lat = sorted(x for n in res.run.nodes for x in n.stats.latencies_ms)  # type: ignore[attr-defined]
        return lat[len(lat) // 2]

    assert p50(shared) > p50(alone)
    # The nodes' own modelled CPU stays of the same order: the other jobs' bursts are not counted.
    assert shared.run.shared.host_work_ms < 1.5 * alone.run.shared.host_work_ms


def test_virtual_proposers_name_their_committed_view_as_daemons_do():
    # Every committed header names the committed view (one seq per genesis proposer) and its own
    # entry is the seq of its prev: the view rule (admission.check_view) passed on every validator.
    res = run_virtual(_small("steady").scaled(0.25), None, plots=False)  # type: ignore[attr-defined]
    assert res.ok, [c.detail for c in res.failed]
    g = res.run.genesis
    store = res.run.nodes[0].store
    seq_of = {bid: slot[1] for slot, bid in store.committed.items()}
    headers = [store.blocks[bid].block.header for bid in store.committed.values()]
    assert headers
    assert all(len(h.view) == len(g.proposer_ids) for h in headers)
    for h in headers:
        assert h.view[g.proposer_ids.index(h.proposer)] == (seq_of[h.prev] if h.prev else 0)
    assert any(sum(h.view) > 0 for h in headers)  # later blocks name what was committed before them
