"""Scripted simulations: scenario parsing, the invariant checkers, and three scenarios run for real.

The end-to-end runs start real daemons as OS processes: crash-restart (which
also carries the steady scenario's checks) and byzantine-proposer in a short
form of the shipped scenario files (every time scaled by ``SHORT``), and
pause-resume and pause-hold in full (the first needs a ping's 5 s to call the
paused node silent, the second a pause longer than the 5 s a publish may wait);
about 25-35 s each on two cores. The other scenarios run from the README
(``attnshare simulate``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from node.sim import load_scenario, parse_scenario, run_scenario
from node.sim.invariants import (
    NodeView,
    ProcessFacts,
    check_agreement,
    check_evidence,
    check_no_crash,
    check_no_false_evidence,
    check_no_fork,
)
from node.sim.report import accumulate
from node.sim.scenario import MAX_NODES, VIRTUAL_MAX_NODES
from node.sim.virtual.engine import simulate
from node.store import BlockRow, EvidenceRow
from protocol.errors import ConfigError

SCENARIOS = Path(__file__).resolve().parents[2] / "scripts" / "scenarios"
SHORT = 0.6
PEER_A = "12D3KooWHUdHxVeAyevSRvKjppHfCxfocPq2sEBNo6scUNPe9F1k"
PEER_B = "12D3KooW9wj9SHpn8xaG62W56FuKDMHw62VEHatsFKhY5di9u7cv"


# ---------------------------------------------------------------------- scenario files
def test_every_shipped_scenario_parses():
    # Virtual-engine-only scenarios (more nodes than OS processes fit) parse under the virtual limit.
    names = {load_scenario(p, max_nodes=VIRTUAL_MAX_NODES).name for p in SCENARIOS.glob("*.toml")}
    assert names >= {"steady", "crash-restart", "partition-heal", "late-joiner", "byzantine-proposer",
                     "byzantine-voter", "rogue-input", "scale-16"}
    assert load_scenario(SCENARIOS / "scale-16.toml").nodes == 16


def test_virtual_only_sizes_are_refused_by_the_process_engine_limit():
    assert load_scenario(SCENARIOS / "scale-1000.toml", max_nodes=VIRTUAL_MAX_NODES).nodes == 1000
    with pytest.raises(ConfigError, match=f"nodes must be an integer in \\[1, {MAX_NODES}\\]"):
        load_scenario(SCENARIOS / "scale-1000.toml")


def test_byzantine_and_late_nodes_never_run_a_daemon_nor_get_fed():
    sc = load_scenario(SCENARIOS / "byzantine-proposer.toml")
    assert sc.rogue_nodes == {3}
    assert 3 not in sc.fed_nodes
    late = load_scenario(SCENARIOS / "late-joiner.toml")
    assert late.late_nodes == {3, 5}


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ({"nodes": 4}, "validators is required"),
        ({"nodes": 4, "validators": 5}, "validators must be"),
        ({"nodes": 4, "validators": 4, "bogus": 1}, "unknown key"),
        ({"nodes": 4, "validators": 4, "workload": {"domains": ["nope"]}}, "unknown"),
        ({"nodes": 4, "validators": 4, "fault": [{"kind": "kill"}]}, "node is required"),
        ({"nodes": 4, "validators": 4, "fault": [{"kind": "explode", "node": 1}]}, "kind must be"),
        ({"nodes": 4, "validators": 4, "fault": [{"kind": "partition", "groups": [[0, 1], [1, 2]]}]},
         "must not share"),
        ({"nodes": 5, "validators": 4, "fault": [{"kind": "byzantine-voter", "node": 4}]}, "must be a validator"),
        ({"nodes": 4, "validators": 4, "fault": [{"kind": "flood", "node": 3}, {"kind": "kill", "node": 3}]},
         "rogue process"),
        ({"nodes": 4, "validators": 4, "fault": [{"kind": "kill", "node": 1, "at_s": 1},
                                                  {"kind": "join", "node": 1, "at_s": 2}]}, "before it joins"),
    ],
)
def test_bad_scenarios_are_refused_with_the_field_named(raw, complaint):
    with pytest.raises(ConfigError, match=complaint):
        parse_scenario(raw)


def test_time_scale_shrinks_the_whole_timeline():
    sc = load_scenario(SCENARIOS / "crash-restart.toml").scaled(0.5)
    assert sc.workload.duration_s == 10
    assert [f.at_s for f in sc.faults] == [3, 6]
    with pytest.raises(ConfigError):
        sc.scaled(100)


def test_counters_are_made_monotone_across_restarts():
    assert accumulate([0, 5, 9, None, 2, 4]) == [0, 5, 9, 9, 11, 13]


# ---------------------------------------------------------------------- the checkers can fail
def _block(bid: str, seq: int, proposer: str = PEER_A) -> BlockRow:
    return BlockRow(bid, proposer, seq, b"", None, "committed", b"", 0, 0, 1, 1)


def _view(i: int, blocks: list[BlockRow], evidence: list[EvidenceRow] | None = None, up: bool = True) -> NodeView:
    return NodeView(i, PEER_B, up, committed=blocks, evidence=evidence or [])


def test_fork_is_caught_within_a_node_and_across_nodes():
    ok = [_view(0, [_block("a", 1)]), _view(1, [_block("a", 1)])]
    assert check_no_fork(ok).ok
    across = [_view(0, [_block("a", 1)]), _view(1, [_block("b", 1)])]
    assert not check_no_fork(across).ok
    within = [_view(0, [_block("a", 1), _block("b", 1)])]
    assert not check_no_fork(within).ok


def test_agreement_ignores_nodes_that_are_down_at_the_end():
    views = [_view(0, [_block("a", 1), _block("b", 2)]), _view(1, [_block("a", 1)])]
    res = check_agreement(views)
    assert not res.ok
    assert "node1 lacks 1" in res.detail
    views[1].up_at_end = False
    assert check_agreement(views).ok


def test_missing_evidence_and_false_accusations_fail():
    injected = [{"kind": "voter-equivocation", "offender": PEER_A, "slot": [PEER_B, 3]}]
    from protocol.genesis import Genesis
    from protocol.validators import ValidatorSet

    genesis = Genesis("t", ValidatorSet([PEER_A, PEER_B]),
                      ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",))
    assert not check_evidence([_view(0, [])], injected, genesis).ok
    accusation = EvidenceRow(1, "voter-equivocation", PEER_A, PEER_B, 3, b"", 0)
    assert not check_no_false_evidence([_view(0, [], [accusation])], [PEER_A]).ok
    assert check_no_false_evidence([_view(0, [], [accusation])], [PEER_B]).ok


def test_unexpected_exit_and_unclean_shutdown_are_crashes():
    assert check_no_crash([ProcessFacts(0, True, False, (), 0)]).ok
    assert not check_no_crash([ProcessFacts(0, True, False, ("exited with 1 at t=3.0s",), 0)]).ok
    assert not check_no_crash([ProcessFacts(0, True, False, (), 1)]).ok
    # Killed by the scenario and never restarted: expected to be down.
    assert check_no_crash([ProcessFacts(0, True, True, (), None)]).ok


# ---------------------------------------------------------------------- real runs
def _run(name: str, tmp_path: Path, **kw):
    sc = load_scenario(SCENARIOS / f"{name}.toml").scaled(SHORT)
    result = run_scenario(sc, tmp_path / name, progress=False, log_level="WARNING", **kw)
    assert result.ok, "invariants failed: " + "; ".join(f"{c.name}: {c.detail}" for c in result.failed)
    return result


@pytest.mark.slow
@pytest.mark.multiprocess
@pytest.mark.timeout(90)
def test_crash_restart_scenario_recovers_the_killed_validator_and_writes_the_report(tmp_path):
    # One run of OS processes carries what three did (session 34: about 45 s of the suite): the
    # steady scenario's checks (every invariant holds, the report and its plots are written,
    # selective sharing beats flooding) and tests/integration/test_multiprocess.py's old kill -9
    # test (records the victim acknowledged survive: the no-loss invariant; every node ends with
    # one committed set: agreement; a crash is no equivocation: no false evidence; SIGTERM exits
    # cleanly: no-crash). Steady still runs on the virtual engine (tests/sim) and from the README.
    res = _run("crash-restart", tmp_path)
    out = tmp_path / "crash-restart"
    for name in ("report.json", "report.md", "latency_cdf.png", "commit_rate.png", "wire_bytes.png",
                 "importance_bytes.png"):
        assert (out / name).stat().st_size > 0, name
    m = res.report["metrics"]
    assert m["committed_blocks"] > 0
    assert m["acked_records"] > 0
    # Selective sharing: what was committed carries more ground truth per byte than flooding everything.
    assert m["importance_per_mib"]["attnshare"] > m["importance_per_mib"]["naive"]
    assert {c.name for c in res.checks} >= {"no-loss", "agreement", "no-false-evidence", "no-crash"}
    assert [a.kind for a in res.applied] == ["kill", "restart"]
    node2 = next(v for v in res.views if v.index == 2)
    assert node2.up_at_end
    assert node2.acked > 0
    assert not node2.missing_acked
    # ... and it proposes again: every record it acknowledged was decided by the end (session 33:
    # restarted under load, it numbered its gossip as its last run had, peers dropped its next
    # block as equivocation, and its records stayed pending for good).
    assert res.samples[-1]["nodes"]["2"]["pending"] == 0


@pytest.mark.slow
@pytest.mark.multiprocess
@pytest.mark.timeout(120)
def test_a_paused_validator_is_dropped_by_its_peers_and_catches_up_when_resumed(tmp_path):
    # SIGSTOP: the process closes nothing, so its peers hold connections that went silent (the
    # case behind session 35's dead-connection work). Full length: the drop needs a ping's 5 s.
    res = _run_pause(tmp_path, "pause-resume.toml")
    # While it was stopped, the others let its silent connections go (3 peers -> 2) ...
    during = [s["nodes"]["0"]["peers"] for s in res.samples if 2 < s["t"] < 12 and s["nodes"]["0"]]
    assert 2 in during, during
    assert all(s["nodes"]["3"] is None for s in res.samples if 2.5 < s["t"] < 11.5)
    # ... and kept committing; resumed, it reconnected, caught up (agreement) and lost nothing.
    assert res.samples[-1]["nodes"]["3"]["peers"] == 3


def _run_pause(tmp_path, name):
    """Run a pause scenario of validator 3 in full; its invariants hold, the node came back whole."""
    res = run_scenario(load_scenario(SCENARIOS / name), tmp_path / "run", progress=False, log_level="WARNING",
                       write_report=False)
    assert res.ok, "invariants failed: " + "; ".join(f"{c.name}: {c.detail}" for c in res.failed)
    assert [(a.kind, a.ok) for a in res.applied] == [("pause", True), ("resume", True)]
    node3 = next(v for v in res.views if v.index == 3)
    assert node3.up_at_end
    assert not node3.missing_acked
    return res


@pytest.mark.slow
@pytest.mark.multiprocess
@pytest.mark.timeout(150)
def test_the_others_keep_committing_while_a_paused_validator_holds_its_connections(tmp_path):
    # Default ping settings: the paused node is not dropped within its 20 s pause, so its peers' gossip
    # to it backs up. Before session 36 every publish then waited on its full queue (and was dropped
    # for everyone after the daemon's 5 s bound): commits stopped about 5 s into the pause.
    res = _run_pause(tmp_path, "pause-hold.toml")
    held = [s["nodes"]["0"]["peers"] for s in res.samples if 3 < s["t"] < 21 and s["nodes"]["0"]]
    assert held
    assert all(p == 3 for p in held), held  # never dropped: the case this scenario is about
    blocks = {round(s["t"]): s["nodes"]["0"]["committed_blocks"] for s in res.samples if s["nodes"]["0"]}
    stalls = [t for t in range(8, 21) if t in blocks and t + 4 in blocks and blocks[t + 4] == blocks[t]]
    assert not stalls, (stalls, blocks)  # node 0 committed something in every 4 s of the pause


@pytest.mark.slow
@pytest.mark.multiprocess
@pytest.mark.timeout(150)
def test_a_black_hole_tells_nobody_and_the_minority_catches_up_after_the_heal(tmp_path):
    # Links between {0,1,2} and {3,4} stay open and carry nothing (node/sim/links.py), at default
    # ping settings: unlike a partition, no side is told, so the majority must keep committing
    # past connections that are up and silent, and the minority must recover when bytes flow again.
    res = run_scenario(load_scenario(SCENARIOS / "blackhole-heal.toml"), tmp_path / "run", progress=False,
                       log_level="WARNING", write_report=False)
    assert res.ok, "invariants failed: " + "; ".join(f"{c.name}: {c.detail}" for c in res.failed)
    assert [(a.kind, a.ok) for a in res.applied] == [("blackhole", True), ("heal", True)]
    during = [s for s in res.samples if 6 < s["t"] < 17 and all(s["nodes"][k] for k in "034")]
    assert during
    assert all(s["nodes"]["0"]["peers"] == 4 for s in during)  # nothing was closed or refused
    committed = {k: [s["nodes"][k]["committed_blocks"] for s in during] for k in "034"}
    assert len(set(committed["3"])) == 1, committed  # cut off for real
    assert len(set(committed["4"])) == 1, committed
    blocks = {round(s["t"]): s["nodes"]["0"]["committed_blocks"] for s in res.samples if s["nodes"]["0"]}
    stalls = [t for t in range(6, 15) if t in blocks and t + 4 in blocks and blocks[t + 4] == blocks[t]]
    assert not stalls, (stalls, blocks)  # the majority committed in every 4 s of the black hole
    assert committed["0"][-1] > committed["3"][-1] + 20
    end = res.samples[-1]["nodes"]
    assert end["3"]["pending"] == 0
    assert end["3"]["committed_blocks"] == end["0"]["committed_blocks"]
    assert all(not v.missing_acked for v in res.views)


def test_blackhole_takes_groups_and_runs_on_the_virtual_engine_too():
    base = {"nodes": 4, "validators": 4}
    with pytest.raises(ConfigError, match="groups must list"):
        parse_scenario({**base, "fault": [{"kind": "blackhole", "at_s": 1}]})
    sc = parse_scenario({**base, "workload": {"rate": 100, "duration_s": 8},
                         "fault": [{"kind": "blackhole", "at_s": 2, "groups": [[0, 1, 2], [3]]},
                                   {"kind": "heal", "at_s": 6}]})
    assert sc.faults[0].label == "blackhole 0,1,2|3"
    from node.sim.virtual.engine import check_run

    run = simulate(sc, "truth")
    assert all(c.ok for c in check_run(run)), [c.detail for c in check_run(run) if not c.ok]
    assert [(a.kind, a.ok) for a in run.applied] == [("blackhole", True), ("heal", True)]
    again = simulate(sc, "truth")  # deterministic
    assert again.samples == run.samples


def test_pause_needs_a_resume_and_the_process_engine():
    base = {"nodes": 4, "validators": 4}
    with pytest.raises(ConfigError, match="never resumed"):
        parse_scenario({**base, "fault": [{"kind": "pause", "node": 1, "at_s": 1}]})
    with pytest.raises(ConfigError, match="not paused then"):
        parse_scenario({**base, "fault": [{"kind": "resume", "node": 1, "at_s": 1}]})
    with pytest.raises(ConfigError, match="while paused"):
        parse_scenario({**base, "fault": [{"kind": "pause", "node": 1, "at_s": 1},
                                          {"kind": "pause", "node": 1, "at_s": 2},
                                          {"kind": "resume", "node": 1, "at_s": 3}]})
    with pytest.raises(ConfigError, match="that node is paused then"):
        parse_scenario({**base, "fault": [{"kind": "pause", "node": 1, "at_s": 1},
                                          {"kind": "kill", "node": 1, "at_s": 2},
                                          {"kind": "resume", "node": 1, "at_s": 3}]})
    with pytest.raises(ConfigError, match="not running then"):
        parse_scenario({**base, "fault": [{"kind": "kill", "node": 1, "at_s": 1},
                                          {"kind": "pause", "node": 1, "at_s": 2},
                                          {"kind": "resume", "node": 1, "at_s": 3}]})
    with pytest.raises(ConfigError, match="process engine"):
        simulate(load_scenario(SCENARIOS / "pause-resume.toml"))
    assert load_scenario(SCENARIOS / "pause-resume.toml").network.ping_failures_to_drop == 1


@pytest.mark.slow
@pytest.mark.multiprocess
@pytest.mark.timeout(90)
def test_byzantine_proposer_is_voted_down_and_leaves_evidence(tmp_path):
    res = _run("byzantine-proposer", tmp_path, write_report=False)
    events = res.rogue_events["node3-proposer"]
    injected = {e["action"] for e in events if e["event"] == "inject"}
    assert {"junk", "lie"} <= injected
    # What the rogue meant to be voted down (junk below the genesis importance threshold, every
    # lie) was rejected wherever its slot was decided, and never reached an honest store.
    doomed = [e for e in events if e["event"] == "inject" and e.get("expect") == "rejected"]
    assert doomed
    own = {tuple(e["slot"]): e["outcome"] for e in events if e["event"] == "decided"}
    for e in doomed:
        assert own.get(tuple(e["slot"]), "rejected") == "rejected", e
    bad = {bid for e in doomed for bid in e["block_ids"]}
    for v in res.views:
        assert not bad & v.committed_ids
