"""Carrying out a scenario's fault timeline against a LocalNet.

Each :class:`FaultDriver.apply` call performs one :class:`~node.sim.scenario.Fault`
and returns an :class:`Applied` entry for the report. Faults never raise: a
fault that could not be carried out completely (a partition while one side is
down, say) is reported with ``ok=False`` and what went wrong, and the
invariants are still checked.

Partitions go through the daemons' own admin API: for every pair of nodes in
different groups, each side runs ``peer.block`` on the other, which drops the
connection and refuses it at the Noise handshake until ``peer.unblock``.
Healing unblocks every pair; the daemons' bootstrap loop redials on its own.
A ``blackhole`` silences the links between groups in the simulator's own relay
(:mod:`node.sim.links`) instead: nothing is closed or refused, and the daemons
find out by their timeouts. ``heal`` ends both kinds.

Byzantine members run ``python -m node.sim.rogue`` on their node's data dir (the
node's daemon is never started, see :mod:`node.sim.scenario`). Each rogue is
started with the daemons (:meth:`FaultDriver.prepare_rogue`), joins and waits;
its fault time only sends it SIGUSR1, so importing torch and joining the mesh
never eat into the scenario's timeline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.admin import AdminError
from node.sim.childout import ROGUE_READY_LINE, OutputWatch
from node.sim.links import LinkRelay
from node.sim.localnet import LocalNet
from node.sim.scenario import Fault

ROGUE_MODES = {"byzantine-proposer": "proposer", "byzantine-voter": "voter", "flood": "flood"}


@dataclass(frozen=True)
class Applied:
    """One fault as carried out: when (seconds after load start), what, and how it went."""

    t_s: float
    kind: str
    label: str
    ok: bool
    detail: str = ""


@dataclass
class RogueProc:
    """A running ``node.sim.rogue`` process and its event log."""

    node: int
    mode: str
    proc: subprocess.Popen[bytes]
    log: Path
    #: its output, copied to the node's rogue.log; ready at the rogue's READY_LINE
    watch: OutputWatch

    def events(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
        return out


@dataclass
class FaultDriver:
    """Applies faults; remembers what is down, blocked and rogue for the runner."""

    net: LocalNet
    run_dir: Path
    end_of_load_s: float
    seed: int = 1
    blocked: list[tuple[int, int]] = field(default_factory=list)
    killed: set[int] = field(default_factory=set)
    #: daemons stopped with SIGSTOP and not yet continued
    paused: set[int] = field(default_factory=set)
    rogues: list[RogueProc] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)
    #: the links' relay, when the scenario black-holes links (``LocalNet.relay``)
    relay: LinkRelay | None = None

    def apply(self, fault: Fault, t_s: float) -> Applied:
        """Carry out ``fault`` now (``t_s`` after load start) and remember how it went."""
        try:
            ok, detail = getattr(self, "_" + fault.kind.replace("-", "_"))(fault)
        except (AdminError, OSError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        done = Applied(round(t_s, 2), fault.kind, fault.label, ok, detail)
        self.applied.append(done)
        return done

    # -- crashes and joins -----------------------------------------------------------
    def _kill(self, f: Fault) -> tuple[bool, str]:
        assert f.node is not None
        n = self.net.nodes[f.node]
        if not n.alive():
            return False, f"node{f.node} was not running"
        self.net.kill(f.node)
        self.killed.add(f.node)
        self.paused.discard(f.node)  # SIGKILL ends a stopped process too
        return True, f"SIGKILL, exit {n.proc.returncode if n.proc else None}"

    def _restart(self, f: Fault) -> tuple[bool, str]:
        assert f.node is not None
        if self.net.nodes[f.node].alive():
            self.net.kill(f.node)
        self.paused.discard(f.node)
        self.net.nodes[f.node].restarts += 1
        self.net.start(f.node)
        self.killed.discard(f.node)
        return True, "started again on its data dir"

    def _join(self, f: Fault) -> tuple[bool, str]:
        assert f.node is not None
        self.net.start(f.node)
        return True, "first start"

    # -- pauses ----------------------------------------------------------------------
    def _pause(self, f: Fault) -> tuple[bool, str]:
        assert f.node is not None
        n = self.net.nodes[f.node]
        if not n.alive() or n.proc is None:
            return False, f"node{f.node} was not running"
        os.kill(n.proc.pid, signal.SIGSTOP)
        self.paused.add(f.node)
        return True, "SIGSTOP: its sockets stay open and silent"

    def _resume(self, f: Fault) -> tuple[bool, str]:
        assert f.node is not None
        n = self.net.nodes[f.node]
        if f.node not in self.paused or not n.alive() or n.proc is None:
            return False, f"node{f.node} was not paused"
        os.kill(n.proc.pid, signal.SIGCONT)
        self.paused.discard(f.node)
        return True, "SIGCONT"

    def resume_all(self) -> None:
        """SIGCONT every daemon still stopped (before the runner stops them all: SIGTERM waits on a stopped one)."""
        for i in sorted(self.paused):
            proc = self.net.nodes[i].proc
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
        self.paused.clear()

    # -- partitions ------------------------------------------------------------------
    def _partition(self, f: Fault) -> tuple[bool, str]:
        problems = []
        pairs = f.pairs()
        for a, b in pairs:
            problems += self._block_pair(a, b)
        return not problems, f"{len(pairs)} pairs blocked" + (f"; {'; '.join(problems)}" if problems else "")

    def _block_pair(self, a: int, b: int) -> list[str]:
        problems = []
        for x, y in ((a, b), (b, a)):
            nx = self.net.nodes[x]
            if not nx.alive():
                problems.append(f"node{x} down, cannot block node{y}")
                continue
            try:
                nx.client(timeout=10).call("peer.block", peer_id=self.net.nodes[y].peer_id)
            except (AdminError, OSError) as exc:
                problems.append(f"node{x} block node{y}: {exc}")
        self.blocked.append((a, b))
        return problems

    def _blackhole(self, f: Fault) -> tuple[bool, str]:
        if self.relay is None:
            return False, "the network was created without relayed links"
        pairs = f.pairs()
        for a, b in pairs:
            self.relay.block(a, b)
        return True, f"{len(pairs)} links silenced (open, carrying nothing)"

    def _slow(self, f: Fault) -> tuple[bool, str]:
        if self.relay is None:
            return False, "the network was created without relayed links"
        duration = f.duration_s if f.duration_s is not None else 5.0  # as the virtual engine
        self.relay.slow(f.latency_ms, duration)
        return True, f"+{f.latency_ms:g} ms each way on every link for {duration:g} s"

    def _heal(self, f: Fault) -> tuple[bool, str]:
        silenced = self.relay.heal() if self.relay is not None else 0
        ok, detail = self._unblock_all()
        return ok, detail + (f"; {silenced} silenced links carry bytes again" if silenced else "")

    def _unblock_all(self) -> tuple[bool, str]:
        problems = []
        for a, b in self.blocked:
            for x, y in ((a, b), (b, a)):
                nx = self.net.nodes[x]
                if not nx.alive():
                    problems.append(f"node{x} down, cannot unblock node{y}")
                    continue
                try:
                    nx.client(timeout=10).call("peer.unblock", peer_id=self.net.nodes[y].peer_id)
                except (AdminError, OSError) as exc:
                    problems.append(f"node{x} unblock node{y}: {exc}")
        n = len(self.blocked)
        self.blocked.clear()
        return not problems, f"{n} pairs unblocked" + (f"; {'; '.join(problems)}" if problems else "")

    # -- byzantine members -----------------------------------------------------------
    def _byzantine_proposer(self, f: Fault) -> tuple[bool, str]:
        return self._start_rogue(f)

    def _byzantine_voter(self, f: Fault) -> tuple[bool, str]:
        return self._start_rogue(f)

    def _flood(self, f: Fault) -> tuple[bool, str]:
        return self._start_rogue(f)

    def _start_rogue(self, f: Fault) -> tuple[bool, str]:
        """Let the rogue started by :meth:`prepare_rogue` loose (SIGUSR1), or start one now."""
        r = next((r for r in self.rogues if r.node == f.node and r.mode == ROGUE_MODES[f.kind]), None)
        if r is None:
            r = self._spawn(f, wait_signal=False)
            return True, f"{r.mode} started now (not prepared), pid {r.proc.pid}"
        if r.proc.poll() is not None:
            return False, f"the rogue exited early with {r.proc.returncode}; see {r.log}"
        if not r.watch.ready:
            # Before "ready" its SIGUSR1 handler may not exist yet, and the signal would kill it.
            return False, f"the rogue (pid {r.proc.pid}) has not joined yet; see {r.log}"
        r.proc.send_signal(signal.SIGUSR1)
        return True, f"{r.mode} let loose, pid {r.proc.pid}"

    def prepare_rogue(self, f: Fault) -> None:
        """Start ``f``'s rogue process now, joined but idle until its fault time."""
        self._spawn(f, wait_signal=True)

    def wait_rogues_ready(self, timeout: float) -> list[str]:
        """Wait (on each rogue's readiness line, no polling) until every prepared rogue is ready or
        exited, within one deadline; returns the ones that are not ready."""
        deadline = time.monotonic() + timeout
        for r in self.rogues:
            r.watch.wait(max(0.0, deadline - time.monotonic()))
        return [f"node{r.node}-{r.mode}" for r in self.rogues if not r.watch.ready]

    def _spawn(self, f: Fault, *, wait_signal: bool) -> RogueProc:
        assert f.node is not None
        mode = ROGUE_MODES[f.kind]
        extra = {
            "byzantine-proposer": ["--actions", ",".join(f.actions), "--interval", str(f.interval_s)],
            "byzantine-voter": ["--max-equivocations", str(f.max_equivocations)],
            "flood": ["--rate", str(f.rate)],
        }[f.kind]
        n = self.net.nodes[f.node]
        duration = f.duration_s if f.duration_s is not None else max(1.0, self.end_of_load_s - f.at_s)
        log = self.run_dir / f"rogue-node{f.node}-{mode}.jsonl"
        out = open(n.data_dir / "rogue.log", "ab")  # noqa: SIM115 - closed by the watch at the child's EOF
        cmd = [sys.executable, "-m", "node.sim.rogue", "--data-dir", str(n.data_dir), "--mode", mode,
               "--log", str(log), "--duration", str(duration), "--seed", str(self.seed + f.node), *extra]
        if wait_signal:
            cmd.append("--wait-signal")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **self.net.extra_env, "PYTHONUNBUFFERED": "1"})
        watch = OutputWatch(proc, out, lambda line: line.strip() == ROGUE_READY_LINE.encode(), f"log-rogue{f.node}")
        r = RogueProc(f.node, mode, proc, log, watch)
        self.rogues.append(r)
        return r

    def stop_rogues(self, timeout: float = 15.0) -> dict[int, int | None]:
        """SIGTERM every rogue still running, wait, SIGKILL stragglers; exit codes by node."""
        for r in self.rogues:
            if r.proc.poll() is None:
                r.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes: dict[int, int | None] = {}
        for r in self.rogues:
            try:
                codes[r.node] = r.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                r.proc.kill()
                codes[r.node] = r.proc.wait()
        return codes
