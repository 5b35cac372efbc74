"""A network of local daemons as OS processes: used by ``devnet``, simulations and tests.

``LocalNet.create`` writes everything a network needs under one directory: a
data dir per node (identity, config with a fixed loopback port and every other
node as bootstrap peer) and one shared genesis naming the first ``validators``
nodes. Processes are plain ``python -m node.cli run`` children; each can be
killed (SIGKILL, to simulate a crash) and restarted on the same data dir.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from node.admin import AdminClient
from node.config import NodeConfig, PipelineConfig, load_config, write_config
from node.identity import generate_key, load_key, write_key
from node.sim.childout import OutputWatch
from node.sim.links import LinkRelay
from protocol.errors import LocalError
from protocol.genesis import Genesis, genesis_to_toml
from protocol.validators import ValidatorSet

NET_FILE = "localnet.json"


READY_LINE = b" listening on "


def _is_ready(line: bytes) -> bool:
    return line.startswith(b"attnshare node ") and READY_LINE in line


#: where :func:`free_port` looks when the kernel's ephemeral range leaves room below it
_LOW_PORTS = (10000, 32768)
#: ``lo-hi``: the ports :func:`free_port` draws from, in place of the default window. Processes
#: that make networks side by side (test workers, two simulations) each take a disjoint window,
#: so that neither can pick the other's port between picking it and binding it.
PORTS_ENV = "ATTNSHARE_PORTS"
_handed_out: set[int] = set()
_port_rng = random.SystemRandom()


@functools.cache
def _ephemeral_range() -> tuple[int, int]:
    try:
        lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def default_port_window() -> tuple[int, int]:
    """Ports below the kernel's ephemeral range, [lo, hi): no outgoing connection takes one."""
    lo, hi = _LOW_PORTS
    return lo, min(hi, _ephemeral_range()[0])


def port_window() -> tuple[int, int] | None:
    """The window ``$ATTNSHARE_PORTS`` names, or None where it is not set."""
    spec = os.environ.get(PORTS_ENV, "").strip()
    if not spec:
        return None
    try:
        lo_s, hi_s = spec.split("-")
        lo, hi = int(lo_s), int(hi_s)
    except ValueError:
        raise LocalError(f"{PORTS_ENV}={spec!r}: expected 'lo-hi', for example 20000-21000") from None
    if not 1024 <= lo < hi <= 65536:
        raise LocalError(f"{PORTS_ENV}={spec!r}: need 1024 <= lo < hi <= 65536")
    return lo, hi


def port_slice(index: int, count: int) -> str | None:
    """The ``index``-th of ``count`` disjoint slices of the default window, as ``lo-hi`` for
    ``$ATTNSHARE_PORTS`` (tests give one to each pytest-xdist worker); None where the window
    leaves fewer than 100 ports a slice (a kernel whose ephemeral range starts low), and
    :func:`free_port` keeps its own fallback."""
    if not 0 <= index < count:
        raise ValueError(f"slice {index} of {count}")
    lo, hi = default_port_window()
    step = (hi - lo) // count
    if step < 100:
        return None
    return f"{lo + index * step}-{lo + (index + 1) * step}"


def port_is_free(port: int) -> bool:
    """Whether a loopback port can be bound now."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port that is free now and is likely to stay free until a daemon binds it.

    Why not port 0: the kernel hands it out of the ephemeral range, the same range every
    outgoing connection takes its local port from. A port written into a config can be bound
    seconds later (a late node, a relay), and in that time another process's dial can take it
    (CI saw ``Address already in use`` with two test workers running daemons side by side).
    Ports below the ephemeral range are never taken by a dial, so one is drawn there at random
    (or in ``$ATTNSHARE_PORTS``' window), checked free by binding it, and not handed out twice
    by this process.
    """
    named = port_window()
    lo, hi = named or default_port_window()
    tries = 200 if hi - lo >= 100 else 4 * (hi - lo)
    for _ in range(tries):
        port = _port_rng.randrange(lo, hi)
        if port not in _handed_out and port_is_free(port):
            _handed_out.add(port)
            return port
    if named:
        raise LocalError(f"no free port left in {PORTS_ENV}={lo}-{hi}")
    with socket.socket() as s:  # no room below the ephemeral range: the kernel's choice
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalNode:
    index: int
    data_dir: Path
    peer_id: str
    port: int
    validator: bool
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    restarts: int = 0
    #: the running daemon's output: readiness is its "listening on" line (or the end: it exited)
    watch: OutputWatch | None = field(default=None, repr=False, compare=False)

    @property
    def addr(self) -> str:
        return f"/ip4/127.0.0.1/tcp/{self.port}/p2p/{self.peer_id}"

    @property
    def role(self) -> str:
        return "validator" if self.validator else "observer"

    def client(self, timeout: float = 60.0) -> AdminClient:
        return AdminClient(self.data_dir, timeout=timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class LocalNet:
    root: Path
    nodes: list[LocalNode]
    genesis: Genesis
    extra_env: dict[str, str] = field(default_factory=dict)
    #: (a, b) -> the port where node a dials node b through a :class:`~node.sim.links.LinkRelay`
    #: (``create(relayed=True)``); empty: the nodes dial each other directly
    relay_ports: dict[tuple[int, int], int] = field(default_factory=dict)

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(
        cls,
        root: Path,
        n_nodes: int,
        n_validators: int,
        *,
        network_id: str = "devnet",
        model_id: str,
        pipeline: PipelineConfig | None = None,
        anti_entropy_s: float = 1.0,
        net_kw: dict[str, Any] | None = None,
        genesis_kw: dict[str, Any] | None = None,
        n_proposers: int = 0,
        relayed: bool = False,
    ) -> LocalNet:
        """``n_proposers``: the first that many nodes are the genesis proposers (0: the validators).
        ``relayed``: every node dials every other through a port of its own per pair, where a
        :class:`~node.sim.links.LinkRelay` (:meth:`relay`) copies the bytes, so a scenario can
        black-hole links."""
        if not 1 <= n_validators <= n_nodes:
            raise LocalError("need 1 <= validators <= nodes")
        if not 0 <= n_proposers <= n_nodes:
            raise LocalError("need 0 <= proposers <= nodes")
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        if (root / NET_FILE).exists():
            raise LocalError(f"{root} already holds a network; pick an empty directory")
        nodes = []
        for i in range(n_nodes):
            d = root / f"node{i}"
            d.mkdir(mode=0o700)
            key = generate_key()
            write_key(d, key)
            nodes.append(LocalNode(i, d, key.peer_id, free_port(), i < n_validators))
        genesis = Genesis(
            network_id=network_id,
            validators=ValidatorSet([n.peer_id for n in nodes[:n_validators]]),
            proposers=tuple(n.peer_id for n in nodes[:n_proposers]),
            accepted_model_ids=(model_id,),
            **(genesis_kw or {}),
        )
        (root / "genesis.toml").write_text(genesis_to_toml(genesis))
        relay_ports = {(a.index, b.index): free_port() for a in nodes for b in nodes if a is not b} if relayed else {}

        def dial(n: LocalNode, o: LocalNode) -> str:
            port = relay_ports.get((n.index, o.index), o.port)
            return f"/ip4/127.0.0.1/tcp/{port}/p2p/{o.peer_id}"

        for n in nodes:
            cfg = replace(
                NodeConfig.default(n.data_dir),
                listen=(f"/ip4/127.0.0.1/tcp/{n.port}",),
                bootstrap=tuple(dial(n, o) for o in nodes if o is not n),
                genesis=str((root / "genesis.toml").resolve()),
                anti_entropy_s=anti_entropy_s,
                pipeline=pipeline or PipelineConfig(),
            )
            if net_kw:  # the daemons' [net] settings a scenario tunes (ping_interval_s...)
                cfg = replace(cfg, net=replace(cfg.net, **net_kw))
            write_config(cfg)
        meta = {"nodes": [{"index": n.index, "data_dir": str(n.data_dir), "peer_id": n.peer_id, "port": n.port,
                           "validator": n.validator} for n in nodes],
                "relay": [[a, b, port] for (a, b), port in sorted(relay_ports.items())]}
        (root / NET_FILE).write_text(json.dumps(meta, indent=2))
        return cls(root, nodes, genesis, relay_ports=relay_ports)

    @classmethod
    def load(cls, root: Path) -> LocalNet:
        from node.runner import load_genesis

        meta = json.loads((Path(root) / NET_FILE).read_text())
        nodes = [LocalNode(m["index"], Path(m["data_dir"]), m["peer_id"], m["port"], m["validator"])
                 for m in meta["nodes"]]
        for n in nodes:
            load_key(n.data_dir)
        genesis = load_genesis(load_config(nodes[0].data_dir).genesis_path)
        relay_ports = {(a, b): port for a, b, port in meta.get("relay", [])}
        return cls(Path(root), nodes, genesis, relay_ports=relay_ports)

    def relay(self) -> LinkRelay:
        """A started :class:`~node.sim.links.LinkRelay` for this network's relayed links (the
        caller stops it). Raises LocalError when the network was not created ``relayed``."""
        if not self.relay_ports:
            raise LocalError("this network was created without relayed links")
        relay = LinkRelay(self.relay_ports, {n.index: n.port for n in self.nodes})
        relay.start()
        return relay

    # ------------------------------------------------------------------ processes
    def start(self, i: int, *, log_level: str = "INFO") -> None:
        n = self.nodes[i]
        if n.alive():
            return
        n.log_path = n.data_dir / "daemon.log"
        log = open(n.log_path, "ab")  # noqa: SIM115 - closed by the pump thread at the daemon's EOF
        env = {**os.environ, **self.extra_env, "PYTHONUNBUFFERED": "1"}
        n.proc = subprocess.Popen(
            [sys.executable, "-m", "node.cli", "run", "--data-dir", str(n.data_dir), "--log-level", log_level],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        # The daemon's output goes to its log through a thread that also watches for the readiness
        # line: wait_ready waits on that event instead of polling the admin socket.
        n.watch = OutputWatch(n.proc, log, _is_ready, name=f"log-node{i}")

    def start_all(self, **kw: Any) -> None:
        for i in range(len(self.nodes)):
            self.start(i, **kw)

    def wait_ready(self, i: int, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until node ``i``'s daemon says it is listening (an event, no polling); returns its status."""
        n = self.nodes[i]
        ready = n.watch.wait(timeout) if n.watch is not None else False
        if ready is None:
            raise LocalError(f"node{i} not ready after {timeout}s; see {n.log_path}")
        if not ready:
            code = n.proc.wait() if n.proc is not None else None
            raise LocalError(f"node{i} exited with {code} while starting; see {n.log_path}")
        return n.client(timeout=30).call("status")  # type: ignore[no-any-return]

    def kill(self, i: int, sig: int = signal.SIGKILL) -> None:
        n = self.nodes[i]
        if n.proc is not None and n.proc.poll() is None:
            n.proc.send_signal(sig)
            n.proc.wait()

    def restart(self, i: int) -> None:
        self.kill(i)
        self.nodes[i].restarts += 1
        self.start(i)

    def stop_all(self, timeout: float = 20.0) -> dict[int, int | None]:
        """SIGTERM everyone, wait, SIGKILL stragglers; returns exit codes."""
        for n in self.nodes:
            if n.alive():
                assert n.proc is not None
                n.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes: dict[int, int | None] = {}
        for n in self.nodes:
            if n.proc is None:
                continue
            try:
                codes[n.index] = n.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                n.proc.kill()
                codes[n.index] = n.proc.wait()
        return codes

    def call(self, i: int, method: str, **params: Any) -> Any:
        return self.nodes[i].client().call(method, **params)
