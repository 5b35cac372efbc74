"""Declarative simulation scenarios: the TOML format, parsed into frozen dataclasses.

A scenario file names the network (nodes, validators, genesis and pipeline
tweaks), the workload fed to it, and a timeline of faults. Times are seconds
from the moment the workload starts (``t = 0``); the timeline may run past the
workload's end, and the runner then waits ``settle_s`` for the network to
converge before it checks the invariants.

Example::

    name = "crash-restart"
    nodes = 4
    validators = 4
    # proposers = 100     # optional: the first N nodes may propose (genesis proposers);
    #                     # absent or 0: the validators propose
    settle_s = 20

    [workload]
    rate = 300            # records/s, all fed nodes together
    duration_s = 20
    domains = ["trades", "medical"]
    dup_ratio = 0.07
    burst_ratio = 0.012
    feed = "validators"   # or "proposers", "all", or a list of node indexes

    [network]
    block_interval_ms = 250
    anti_entropy_s = 0.5
    # ping_interval_s = 10        # optional: the daemons' peer pings (net.ping_interval_s)
    # ping_failures_to_drop = 3   # optional: silent pings in a row before a peer is dropped

    [genesis]
    min_block_importance = 0.4

    [[fault]]
    at_s = 6
    kind = "kill"
    node = 2

    [[fault]]
    at_s = 12
    kind = "restart"
    node = 2

Fault kinds and their fields:

* ``kill`` (node), ``restart`` (node): SIGKILL a daemon / start it again on its data dir;
* ``partition`` (groups: list of lists of node indexes) and ``heal``: peers in
  different groups block each other through the admin ``peer.block`` command,
  and ``heal`` unblocks every pair blocked so far;
* ``blackhole`` (groups): links between groups go silent without closing, as when
  a route or a NAT mapping dies: nothing crosses, nothing is refused, each side
  finds out only by its own timeouts, and ``heal`` delivers what TCP held. In the
  process engine every node then dials the others through a relay of the simulator
  (:mod:`node.sim.links`); the virtual engine blocks the pairs and keeps their
  connections and mesh edges (``VirtualNet.blackhole``);
* ``join`` (node): a late joiner; that node's daemon is not started before ``at_s``;
* ``byzantine-proposer`` (node, actions, interval_s, duration_s): the node runs
  ``node.sim.rogue`` instead of a daemon, and proposes junk, lying or equivocating
  blocks (actions from ``junk``, ``lie``, ``equivocate``);
* ``byzantine-voter`` (node, duration_s, max_equivocations): the node runs
  ``node.sim.rogue``, voting for two blocks in each slot it sees;
* ``flood`` (node, rate, duration_s): the node runs ``node.sim.rogue`` and floods
  malformed, oversized and zstd-bomb messages;
* ``pause`` (node) and ``resume`` (node): SIGSTOP a daemon, and SIGCONT it. A stopped
  process closes nothing: its peers see connections that went silent, as with a
  frozen host or a dropped NAT mapping, and its own timers and sockets wait. Every
  pause needs a later resume of the same node (the run's end must hear it). The
  process engine only;
* ``slow`` (latency_ms, duration_s) and ``lossy`` (loss, duration_s): every
  link gets ``latency_ms`` more latency, or loses gossip transmissions with
  probability ``loss``, for ``duration_s`` (default 5 s). ``lossy`` is the
  virtual engine's only (TCP between daemons loses nothing); the process
  engine carries out ``slow`` in its link relay (:mod:`node.sim.links`), each
  way, in order.

``checks`` (optional) asks for extra invariants: ``commit-rate-under-attack``
(honest records committed per second while rogues are active, from the first
rogue's start to the end of the load, stay at 80% or more of the rate in a
no-attack baseline of the same length just before it, after 5 s of warm-up;
so the first rogue starts past the middle of the load),
``byzantine-actions`` (every action of every byzantine proposer was injected)
and ``status-latency`` (every ``status`` call of the run answered within 1 s;
process engine).

A ``[virtual]`` table tunes the virtual engine (``--engine virtual``, see
:mod:`node.sim.virtual`): the network model (``latency_ms``, ``latency_sigma``,
``bandwidth_mbps``, ``loss``, ``connections``, ``d``, ``d_lo``, ``d_hi``,
``d_lazy``, ``heartbeat_ms``), the modelled processing costs
(``score_ms_base``, ``score_ms_per_record``, ``decode_ms_per_kib``,
``store_ms``, ``msg_ms``, and ``host_cores``: all nodes on one host of that
many cores, as the process engine runs them, with ``ingest_ms_per_record`` and
``idle_ms_per_s`` of host CPU for ingest and each daemon's background work,
``msg_jitter``, the varying share of a message's cost, ``propose_ms``, a
proposer's CPU to build and store a block, and ``other_load`` /
``other_burst_ms``, other jobs on that host), the ``scorer`` ("model", "truth" or "auto": the model up to
64 nodes) and ``sample_nodes`` (how many nodes the time series sample). The
process engine ignores it. The virtual engine takes up to
``VIRTUAL_MAX_NODES`` nodes; the process engine ``MAX_NODES``.

A node named by a byzantine fault never runs a daemon: its key is used by the
rogue process alone, so the network holds one byzantine member, not a
byzantine twin of an honest one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from protocol.errors import ConfigError

FAULT_KINDS = ("kill", "restart", "partition", "heal", "join", "byzantine-proposer", "byzantine-voter", "flood",
               "slow", "lossy", "pause", "resume", "blackhole")
VIRTUAL_ONLY_KINDS = frozenset({"lossy"})
#: faults the process engine carries out in its link relay: every node then dials through it
RELAYED_KINDS = frozenset({"blackhole", "slow"})
PROCESS_ONLY_KINDS = frozenset({"pause", "resume"})
#: faults that cut links between groups of nodes (``heal`` ends both)
SPLIT_KINDS = frozenset({"partition", "blackhole"})
ROGUE_KINDS = frozenset({"byzantine-proposer", "byzantine-voter", "flood"})
PROPOSER_ACTIONS = ("junk", "lie", "equivocate")
GENESIS_KEYS = frozenset({"score_tolerance", "record_threshold", "min_block_importance", "max_block_records"})
DOMAINS = ("game", "listings", "logistics", "manufacturing", "medical", "social", "trades")
MAX_NODES = 64
VIRTUAL_MAX_NODES = 10_000
#: Optional invariants a scenario can ask for (``checks = [...]``), on top of the standard ones.
EXTRA_CHECKS = frozenset({"commit-rate-under-attack", "status-latency", "byzantine-actions"})
VIRTUAL_KEYS = frozenset({
    "latency_ms", "latency_sigma", "bandwidth_mbps", "loss", "connections", "d", "d_lo", "d_hi", "d_lazy",
    "heartbeat_ms", "score_ms_base", "score_ms_per_record", "decode_ms_per_kib", "store_ms", "msg_ms", "host_cores",
    "ingest_ms_per_record", "idle_ms_per_s", "msg_jitter", "propose_ms", "other_load", "other_burst_ms", "scorer",
    "sample_nodes",
})


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """What is fed to the network, and how fast.

    ``rate`` is the total ingest rate over every fed node, in records/s;
    ``dup_ratio`` and ``burst_ratio`` are the workload generator's exact
    duplicate and burst rates; ``domains`` restricts the generated worlds
    (None: each fed node's seed picks its own mix).
    """

    rate: float = 300.0
    duration_s: float = 20.0
    domains: tuple[str, ...] | None = None
    dup_ratio: float = 0.07
    burst_ratio: float = 0.012
    feed: str | tuple[int, ...] = "validators"
    batch_ms: int = 250


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """Per-node settings written into every node's config."""

    block_interval_ms: int = 250
    anti_entropy_s: float = 0.5
    #: the daemons' net.ping_interval_s and net.ping_failures_to_drop (None: their defaults)
    ping_interval_s: float | None = None
    ping_failures_to_drop: int | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    """One timeline event; which fields matter depends on ``kind`` (see the module docstring)."""

    at_s: float
    kind: str
    node: int | None = None
    groups: tuple[tuple[int, ...], ...] = ()
    actions: tuple[str, ...] = ()
    interval_s: float = 3.0
    duration_s: float | None = None
    rate: float = 20.0
    max_equivocations: int = 20
    latency_ms: float = 0.0
    loss: float = 0.0

    def pairs(self) -> list[tuple[int, int]]:
        """Every (a, b) with a and b in different ``groups`` (a's group first): what a split cuts."""
        return [(a, b) for gi, ga in enumerate(self.groups) for gb in self.groups[gi + 1:] for a in ga for b in gb]

    @property
    def label(self) -> str:
        """Short text for plots and logs."""
        if self.kind in SPLIT_KINDS:
            return f"{self.kind} " + "|".join(",".join(map(str, g)) for g in self.groups)
        if self.node is not None:
            return f"{self.kind} node{self.node}"
        return self.kind


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole simulation, as read from a scenario file."""

    name: str
    nodes: int
    validators: int
    workload: WorkloadSpec
    network: NetworkSpec = field(default_factory=NetworkSpec)
    genesis: dict[str, Any] = field(default_factory=dict)
    faults: tuple[Fault, ...] = ()
    settle_s: float = 20.0
    seed: int = 1
    description: str = ""
    virtual: dict[str, Any] = field(default_factory=dict)
    checks: tuple[str, ...] = ()
    #: the first ``proposers`` nodes are the genesis proposers; 0: the validators propose
    proposers: int = 0

    @property
    def proposer_nodes(self) -> tuple[int, ...]:
        """Indexes of the nodes that may propose blocks."""
        return tuple(range(self.proposers or self.validators))

    @property
    def rogue_nodes(self) -> frozenset[int]:
        """Nodes that run ``node.sim.rogue`` instead of a daemon."""
        return frozenset(f.node for f in self.faults if f.kind in ROGUE_KINDS and f.node is not None)

    @property
    def late_nodes(self) -> frozenset[int]:
        """Nodes whose daemon first starts at a ``join`` fault."""
        return frozenset(f.node for f in self.faults if f.kind == "join" and f.node is not None)

    @property
    def fed_nodes(self) -> tuple[int, ...]:
        """Nodes the workload is ingested at (never a rogue node)."""
        feed = self.workload.feed
        if feed == "validators":
            idx: tuple[int, ...] = tuple(range(self.validators))
        elif feed == "proposers":
            idx = self.proposer_nodes
        elif feed == "all":
            idx = tuple(range(self.nodes))
        else:
            assert isinstance(feed, tuple)
            idx = feed
        return tuple(i for i in idx if i not in self.rogue_nodes)

    @property
    def timeline_end_s(self) -> float:
        """When the last scripted thing (load or fault) is over."""
        ends = [self.workload.duration_s]
        for f in self.faults:
            ends.append(f.at_s + (f.duration_s or 0.0))
        return max(ends)

    def scaled(self, factor: float) -> Scenario:
        """The same scenario with every time (load, faults, settle) multiplied by ``factor``."""
        if not 0.05 <= factor <= 20:
            raise ConfigError("time scale must be in [0.05, 20]")
        faults = tuple(
            replace(f, at_s=f.at_s * factor, interval_s=max(0.5, f.interval_s * factor),
                    duration_s=None if f.duration_s is None else f.duration_s * factor)
            for f in self.faults
        )
        wl = replace(self.workload, duration_s=self.workload.duration_s * factor)
        return replace(self, workload=wl, faults=faults, settle_s=max(5.0, self.settle_s * factor))


# ---------------------------------------------------------------------- parsing
def load_scenario(path: Path, max_nodes: int = MAX_NODES) -> Scenario:
    """Read and validate a scenario file; raises ConfigError naming the bad field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no scenario file at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        return parse_scenario(raw, default_name=path.stem, max_nodes=max_nodes)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_scenario(raw: dict[str, Any], default_name: str = "scenario", max_nodes: int = MAX_NODES) -> Scenario:
    """Build a :class:`Scenario` from a parsed TOML mapping (``max_nodes``: the engine's limit)."""
    top = {"name", "description", "nodes", "validators", "proposers", "settle_s", "seed", "workload", "network",
           "genesis", "fault", "virtual", "checks"}
    _no_unknown(raw, top, "")
    nodes = _int(raw, "nodes", 1, max_nodes, None)
    validators = _int(raw, "validators", 1, nodes, None)
    sc = Scenario(
        name=_str(raw, "name", default_name),
        description=_str(raw, "description", ""),
        nodes=nodes,
        validators=validators,
        proposers=_int(raw, "proposers", 0, min(nodes, 1024), 0),
        workload=_workload(_table(raw, "workload"), nodes),
        network=_network(_table(raw, "network")),
        genesis=_genesis(_table(raw, "genesis")),
        faults=tuple(sorted((_fault(f, i, nodes) for i, f in enumerate(_faults(raw))), key=lambda f: f.at_s)),
        settle_s=_num(raw, "settle_s", 1.0, 600.0, 20.0),
        seed=_int(raw, "seed", 0, 2**31, 1),
        virtual=_virtual(_table(raw, "virtual")),
        checks=_checks(raw.get("checks", [])),
    )
    _check_timeline(sc)
    return sc


def _workload(t: dict[str, Any], nodes: int) -> WorkloadSpec:
    _no_unknown(t, {"rate", "duration_s", "domains", "dup_ratio", "burst_ratio", "feed", "batch_ms"}, "workload.")
    domains = t.get("domains")
    if domains is not None:
        if not isinstance(domains, list) or not domains or not all(isinstance(d, str) for d in domains):
            raise ConfigError("workload.domains must be a non-empty list of domain names")
        unknown = sorted(set(domains) - set(DOMAINS))
        if unknown:
            raise ConfigError(f"workload.domains: unknown {unknown}; known: {list(DOMAINS)}")
    feed: Any = t.get("feed", "validators")
    if isinstance(feed, list):
        if not feed or not all(isinstance(i, int) and 0 <= i < nodes for i in feed):
            raise ConfigError(f"workload.feed must list node indexes in [0, {nodes})")
        feed = tuple(feed)
    elif feed not in ("validators", "proposers", "all"):
        raise ConfigError('workload.feed must be "validators", "proposers", "all" or a list of node indexes')
    return WorkloadSpec(
        rate=_num(t, "rate", 0.0, 100_000.0, 300.0, "workload."),
        duration_s=_num(t, "duration_s", 1.0, 3600.0, 20.0, "workload."),
        domains=tuple(domains) if domains else None,
        dup_ratio=_num(t, "dup_ratio", 0.0, 0.5, 0.07, "workload."),
        burst_ratio=_num(t, "burst_ratio", 0.0, 0.2, 0.012, "workload."),
        feed=feed,
        batch_ms=_int(t, "batch_ms", 20, 5000, 250, "workload."),
    )


def _network(t: dict[str, Any]) -> NetworkSpec:
    _no_unknown(t, {"block_interval_ms", "anti_entropy_s", "ping_interval_s", "ping_failures_to_drop"}, "network.")
    return NetworkSpec(
        block_interval_ms=_int(t, "block_interval_ms", 10, 600_000, 250, "network."),
        anti_entropy_s=_num(t, "anti_entropy_s", 0.1, 3600.0, 0.5, "network."),
        ping_interval_s=_num(t, "ping_interval_s", 0.1, 3600.0, None, "network.") if "ping_interval_s" in t else None,
        ping_failures_to_drop=(_int(t, "ping_failures_to_drop", 0, 1000, None, "network.")
                               if "ping_failures_to_drop" in t else None),
    )


def _checks(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x in EXTRA_CHECKS for x in v):
        raise ConfigError(f"checks must list some of {sorted(EXTRA_CHECKS)}")
    return tuple(v)


def _virtual(t: dict[str, Any]) -> dict[str, Any]:
    _no_unknown(t, set(VIRTUAL_KEYS), "virtual.")
    for k, v in t.items():
        if k == "scorer":
            if v not in ("auto", "model", "truth"):
                raise ConfigError('virtual.scorer must be "auto", "model" or "truth"')
        elif isinstance(v, bool) or not isinstance(v, int | float):
            raise ConfigError(f"virtual.{k} must be a number")
    return dict(t)  # the engine's NetParams / NodeCosts validate the values


def _genesis(t: dict[str, Any]) -> dict[str, Any]:
    _no_unknown(t, set(GENESIS_KEYS), "genesis.")
    return dict(t)  # Genesis validates the values themselves when the network is created


def _faults(raw: dict[str, Any]) -> list[dict[str, Any]]:
    faults = raw.get("fault", [])
    if not isinstance(faults, list) or not all(isinstance(f, dict) for f in faults):
        raise ConfigError("fault must be an array of tables ([[fault]])")
    return faults


def _fault(t: dict[str, Any], i: int, nodes: int) -> Fault:
    where = f"fault[{i}]."
    _no_unknown(t, {"at_s", "kind", "node", "groups", "actions", "interval_s", "duration_s", "rate",
                    "max_equivocations", "latency_ms", "loss"}, where)
    kind = _str(t, "kind", "", where)
    if kind not in FAULT_KINDS:
        raise ConfigError(f"{where}kind must be one of {list(FAULT_KINDS)}, got {kind!r}")
    node = _int(t, "node", 0, nodes - 1, None, where) if "node" in t else None
    if kind not in ("partition", "blackhole", "heal", "slow", "lossy") and node is None:
        raise ConfigError(f"{where}node is required for {kind}")
    groups: tuple[tuple[int, ...], ...] = ()
    if kind in SPLIT_KINDS:
        g = t.get("groups")
        if (not isinstance(g, list) or len(g) < 2
                or not all(isinstance(x, list) and x and all(isinstance(i, int) and 0 <= i < nodes for i in x)
                           for x in g)):
            raise ConfigError(f"{where}groups must list at least two non-empty lists of node indexes")
        flat = [i for x in g for i in x]
        if len(flat) != len(set(flat)):
            raise ConfigError(f"{where}groups must not share a node")
        groups = tuple(tuple(x) for x in g)
    actions: tuple[str, ...] = ()
    if kind == "byzantine-proposer":
        a = t.get("actions", list(PROPOSER_ACTIONS))
        if not isinstance(a, list) or not a or not all(x in PROPOSER_ACTIONS for x in a):
            raise ConfigError(f"{where}actions must list some of {list(PROPOSER_ACTIONS)}")
        actions = tuple(a)
    duration = _num(t, "duration_s", 0.5, 3600.0, None, where) if "duration_s" in t else None
    return Fault(
        at_s=_num(t, "at_s", 0.0, 3600.0, 0.0, where),
        kind=kind,
        node=node,
        groups=groups,
        actions=actions,
        interval_s=_num(t, "interval_s", 0.2, 600.0, 3.0, where),
        duration_s=duration,
        rate=_num(t, "rate", 0.1, 1000.0, 20.0, where),
        max_equivocations=_int(t, "max_equivocations", 0, 100_000, 20, where),
        latency_ms=_num(t, "latency_ms", 0.0, 60_000.0, 200.0 if kind == "slow" else 0.0, where),
        loss=_num(t, "loss", 0.0, 0.9, 0.1 if kind == "lossy" else 0.0, where),
    )


def _check_timeline(sc: Scenario) -> None:
    """Cross-field rules: what the runner could not carry out sensibly."""
    rogue, late = sc.rogue_nodes, sc.late_nodes
    if rogue & late:
        raise ConfigError(f"node(s) {sorted(rogue & late)} cannot both join late and be rogue")
    for f in sc.faults:
        if f.kind in ("byzantine-proposer", "byzantine-voter") and f.node is not None and f.node >= sc.validators:
            raise ConfigError(f"{f.kind} node{f.node} must be a validator (index < {sc.validators})")
        if f.kind == "byzantine-proposer" and f.node is not None and f.node not in sc.proposer_nodes:
            raise ConfigError(f"{f.kind} node{f.node} must be a proposer (index < {len(sc.proposer_nodes)})")
        if f.kind in ("kill", "restart", "pause", "resume") and f.node in rogue:
            raise ConfigError(f"{f.kind} node{f.node}: that node runs a rogue process, not a daemon")
    if not sc.fed_nodes and sc.workload.rate > 0:
        raise ConfigError("workload.feed names no honest node to feed")
    per_node: dict[int, list[str]] = {}
    for f in sc.faults:
        if f.kind in ("kill", "restart", "join") and f.node is not None:
            per_node.setdefault(f.node, []).append(f.kind)
    paused: dict[int, float] = {}
    down = set(late)
    for f in sc.faults:  # sorted by time
        if f.node is None:
            continue
        if f.kind in ("kill", "restart", "join") and f.node in paused:
            raise ConfigError(f"{f.kind} node{f.node} at {f.at_s}s: that node is paused then (resume it first)")
        if f.kind == "kill":
            down.add(f.node)
        elif f.kind in ("restart", "join"):
            down.discard(f.node)
        elif f.kind == "pause":
            if f.node in paused:
                raise ConfigError(f"node{f.node} is paused at {f.at_s}s while paused since {paused[f.node]}s")
            if f.node in down:
                raise ConfigError(f"pause node{f.node} at {f.at_s}s: that node is not running then")
            paused[f.node] = f.at_s
        elif f.kind == "resume" and paused.pop(f.node, None) is None:
            raise ConfigError(f"resume node{f.node} at {f.at_s}s: that node is not paused then")
    if paused:
        raise ConfigError(f"node(s) {sorted(paused)} paused and never resumed: add a resume fault")
    for n, kinds in per_node.items():
        if kinds.count("join") > 1:
            raise ConfigError(f"node{n} joins more than once")
        if "join" in kinds and kinds[0] != "join":
            raise ConfigError(f"node{n} is killed or restarted before it joins")


# ---------------------------------------------------------------------- field helpers
def _no_unknown(t: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(t) - allowed)
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(where + k for k in unknown)}")


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    t = raw.get(key, {})
    if not isinstance(t, dict):
        raise ConfigError(f"[{key}] must be a table")
    return t


def _str(t: dict[str, Any], key: str, default: str, where: str = "") -> str:
    v = t.get(key, default)
    if not isinstance(v, str):
        raise ConfigError(f"{where}{key} must be a string")
    return v


def _int(t: dict[str, Any], key: str, lo: int, hi: int, default: int | None, where: str = "") -> int:
    if key not in t:
        if default is None:
            raise ConfigError(f"{where}{key} is required")
        return default
    v = t[key]
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ConfigError(f"{where}{key} must be an integer in [{lo}, {hi}], got {v!r}")
    return v


def _num(t: dict[str, Any], key: str, lo: float, hi: float, default: Any, where: str = "") -> Any:
    if key not in t:
        return default
    v = t[key]
    if not isinstance(v, int | float) or isinstance(v, bool) or not lo <= v <= hi:
        raise ConfigError(f"{where}{key} must be a number in [{lo}, {hi}], got {v!r}")
    return float(v)
