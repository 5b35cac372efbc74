"""Fault search: random fault schedules on the virtual engine, every invariant checked, failures minimized.

Theory of operation
-------------------
:func:`random_scenario` turns a seed into a small network (``nodes``
validators-and-peers) and a random timeline drawn from every fault kind the
virtual engine knows: crashes with restarts, partitions with a heal, slow
links, lossy links, and byzantine members (proposers and voters) among the
validators; in a third of the networks that have non-validators, every node
is a genesis proposer. The number of faulty validators at any moment stays within ``f``:
byzantine members are chosen first, and a validator is crashed only while no
other is down and the byzantine count leaves room. Each schedule runs on the
virtual engine with the cheap scorer and is checked against every invariant.

On a violation, :func:`minimize` removes faults one at a time (then shortens
the load) as long as the same invariant still fails, and the smallest
scenario is written as a TOML file that ``attnshare simulate --engine
virtual`` replays exactly (the seed is part of it).
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from node.sim.scenario import Fault, NetworkSpec, Scenario, WorkloadSpec

LOAD_S = 8.0
SETTLE_S = 15.0


def random_scenario(seed: int, nodes: int | None = None) -> Scenario:
    """A random small scenario for ``seed`` (see the module docstring)."""
    rng = random.Random(f"attnshare-explore/{seed}")
    n = nodes or rng.randint(4, 7)
    validators = n if n <= 5 else rng.randint(4, n)
    f = (validators - 1) // 3
    faults: list[Fault] = []
    byz = rng.randint(0, f)
    rogue_idx = rng.sample(range(validators), byz)
    for i in rogue_idx:
        t = round(rng.uniform(0.5, 4.0), 1)
        if rng.random() < 0.5:
            acts = tuple(rng.sample(["junk", "lie", "equivocate"], rng.randint(1, 3)))
            faults.append(Fault(t, "byzantine-proposer", node=i, actions=acts, interval_s=round(rng.uniform(0.5, 2), 1),
                                duration_s=round(rng.uniform(2, 6), 1)))
        else:
            faults.append(Fault(t, "byzantine-voter", node=i, max_equivocations=rng.randint(1, 10),
                                duration_s=round(rng.uniform(2, 6), 1)))
    honest = [i for i in range(n) if i not in rogue_idx]
    crash_room = f - byz  # validators that may be down at once besides the rogues
    t = 0.5
    for _ in range(rng.randint(0, 3)):
        kind = rng.choice(["crash", "partition", "slow", "lossy"])
        t = round(t + rng.uniform(0.5, 3.0), 1)
        if t > LOAD_S:
            break
        if kind == "crash":
            cands = [i for i in honest if i >= validators or crash_room > 0]
            if not cands:
                continue
            i = rng.choice(cands)
            down = round(rng.uniform(0.5, 4.0), 1)
            faults.append(Fault(t, "kill", node=i))
            faults.append(Fault(round(t + down, 1), "restart", node=i))
            t = round(t + down, 1)
        elif kind == "partition":
            k = rng.randint(1, n // 2)
            side = sorted(rng.sample(range(n), k))
            other = [i for i in range(n) if i not in side]
            split = "blackhole" if rng.random() < 0.5 else "partition"  # told, or not
            faults.append(Fault(t, split, groups=(tuple(side), tuple(other))))
            t = round(t + rng.uniform(0.5, 4.0), 1)
            faults.append(Fault(t, "heal"))
        elif kind == "slow":
            faults.append(Fault(t, "slow", latency_ms=round(rng.uniform(50, 500)), duration_s=round(rng.uniform(1, 4), 1)))
        else:
            faults.append(Fault(t, "lossy", loss=round(rng.uniform(0.05, 0.4), 2), duration_s=round(rng.uniform(1, 4), 1)))
    faults.sort(key=lambda x: x.at_s)
    rate = float(rng.choice([100, 200, 400]))
    network = NetworkSpec(block_interval_ms=rng.choice([100, 250, 500]), anti_entropy_s=0.5)
    virtual = {"scorer": "truth", "latency_ms": float(rng.choice([1, 10, 50])), "loss": rng.choice([0.0, 0.0, 0.02])}
    # Drawn last, so the schedules above stay those of earlier versions: in a third of the networks
    # with non-validators, every node is a genesis proposer (non-validators propose, validators vote).
    proposers = n if n > validators and rng.random() < 1 / 3 else 0
    return Scenario(
        name=f"explore-{seed}", nodes=n, validators=validators, proposers=proposers,
        workload=WorkloadSpec(rate=rate, duration_s=LOAD_S,
                              feed=tuple(i for i in range(proposers or validators) if i not in rogue_idx)),
        network=network, faults=tuple(faults), settle_s=SETTLE_S, seed=seed,
        description=f"explore seed {seed}", virtual=virtual,
    )


#: Not a safety or liveness promise: a random schedule can leave a rogue nothing to act on (say, a
#: voter partitioned away from every proposer for its whole window). Such a seed is vacuous, not a bug.
VACUOUS = ("faults-injected",)


def failing(sc: Scenario) -> list[str]:
    """The invariants ``sc`` violates on the virtual engine, as "name: detail" (empty: all hold)."""
    from node.sim.virtual.run import run_virtual

    res = run_virtual(sc, None, plots=False)
    return [c.name + ": " + c.detail for c in res.failed if c.name not in VACUOUS]


def minimize(sc: Scenario, check: str) -> Scenario:
    """Drop faults (and shorten the load) while invariant ``check`` still fails."""
    def still(s: Scenario) -> bool:
        try:
            return any(x.startswith(check + ":") for x in failing(s))
        except Exception:  # noqa: BLE001 - an invalid reduction (a restart without its kill) is just not smaller
            return False

    changed = True
    while changed:
        changed = False
        for i in range(len(sc.faults)):
            cand = replace(sc, faults=sc.faults[:i] + sc.faults[i + 1:])
            if _valid(cand) and still(cand):
                sc, changed = cand, True
                break
    shorter = replace(sc, workload=replace(sc.workload, duration_s=max(1.0, sc.workload.duration_s / 2)))
    if still(shorter):
        sc = shorter
    return sc


def _valid(sc: Scenario) -> bool:
    from node.sim.scenario import _check_timeline
    from protocol.errors import ConfigError

    try:
        _check_timeline(sc)
    except ConfigError:
        return False
    return True


def to_toml(sc: Scenario) -> str:
    """A scenario file that reproduces ``sc`` (``attnshare simulate FILE --engine virtual``)."""
    def val(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, tuple | list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        return repr(v)

    wl = sc.workload
    lines = [f"name = {val(sc.name)}", f"description = {val(sc.description)}", f"nodes = {sc.nodes}",
             f"validators = {sc.validators}", *([f"proposers = {sc.proposers}"] if sc.proposers else []),
             f"settle_s = {sc.settle_s}", f"seed = {sc.seed}", "",
             "[workload]", f"rate = {wl.rate}", f"duration_s = {wl.duration_s}", f"dup_ratio = {wl.dup_ratio}",
             f"burst_ratio = {wl.burst_ratio}", f"batch_ms = {wl.batch_ms}",
             f"feed = {val(wl.feed if isinstance(wl.feed, str) else list(wl.feed))}", "",
             "[network]", f"block_interval_ms = {sc.network.block_interval_ms}",
             f"anti_entropy_s = {sc.network.anti_entropy_s}", ""]
    if sc.genesis:
        lines += ["[genesis]"] + [f"{k} = {val(v)}" for k, v in sorted(sc.genesis.items())] + [""]
    if sc.virtual:
        lines += ["[virtual]"] + [f"{k} = {val(v)}" for k, v in sorted(sc.virtual.items())] + [""]
    for f in sc.faults:
        lines += ["[[fault]]", f"at_s = {f.at_s}", f"kind = {val(f.kind)}"]
        if f.node is not None:
            lines.append(f"node = {f.node}")
        if f.kind in ("partition", "blackhole"):
            lines.append(f"groups = {val([list(g) for g in f.groups])}")
        if f.kind == "byzantine-proposer":
            lines += [f"actions = {val(list(f.actions))}", f"interval_s = {f.interval_s}"]
        if f.kind == "byzantine-voter":
            lines.append(f"max_equivocations = {f.max_equivocations}")
        if f.kind == "slow":
            lines.append(f"latency_ms = {f.latency_ms}")
        if f.kind == "lossy":
            lines.append(f"loss = {f.loss}")
        if f.duration_s is not None:
            lines.append(f"duration_s = {f.duration_s}")
        lines.append("")
    return "\n".join(lines)


def explore(seeds: range, nodes: int | None, out_dir: Path, say: Any = print) -> list[tuple[int, list[str], Path]]:
    """Run every seed; on a violation print it, minimize it and write the scenario. Returns the violations."""
    found = []
    for seed in seeds:
        sc = random_scenario(seed, nodes)
        bad = failing(sc)
        if not bad:
            continue
        say(f"seed {seed}: VIOLATION {bad[0]}")
        small = minimize(sc, bad[0].split(":", 1)[0])
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"explore-{seed}.toml"
        path.write_text(to_toml(small))
        say(f"  minimized to {len(small.faults)} fault(s): {path}")
        found.append((seed, bad, path))
    return found
