"""Four daemons as OS processes: kill -9 a validator under load, commits go on, it restarts and catches up."""

from __future__ import annotations

import threading
import time

import pytest

from node.config import PipelineConfig
from node.model_info import default_model_id
from node.sim.localnet import LocalNet
from node.workload import Workload

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]


def _batch(seed: int, n: int) -> list[dict]:
    out = []
    for rec, _ in Workload(seed).next_batch(n, int(time.time() * 1000)):
        obj = rec.to_json()
        del obj["origin"]
        out.append(obj)
    return out


def _wait(cond, seconds: float, what: str):
    """Poll daemons over their admin sockets (separate processes: no events to wait on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def _committed(net: LocalNet, i: int) -> set[str]:
    return {b["block_id"] for b in net.call(i, "blocks", limit=100_000)}


def test_kill9_validator_under_load_then_restart_catches_up(tmp_path):
    net = LocalNet.create(tmp_path / "net", 4, 4, model_id=default_model_id(),
                          pipeline=PipelineConfig(block_interval_ms=200), anti_entropy_s=0.5)
    stop = threading.Event()
    acked: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}

    def load() -> None:
        seed = 100
        while not stop.is_set():
            for i in (0, 1, 2):
                if net.nodes[i].alive():
                    res = net.call(i, "ingest", records=_batch(seed, 100))
                    acked[i].extend(res["cids"])
                    seed += 1
            stop.wait(0.3)

    try:
        net.start_all(log_level="WARNING")
        for i in range(4):
            net.wait_ready(i, timeout=120)
        _wait(lambda: all(net.call(i, "status")["peers"] >= 2 for i in range(4)), 60, "peers connected")
        # Records acknowledged by the victim before it dies must survive the crash.
        acked[3] = net.call(3, "ingest", records=_batch(7, 200))["cids"]
        t = threading.Thread(target=load, daemon=True)
        t.start()
        _wait(lambda: net.call(0, "status")["committed_blocks"] >= 2, 90, "first commits")

        net.kill(3)  # SIGKILL, mid-load
        before = net.call(0, "status")["committed_blocks"]
        # f = 1: the three survivors still make quorum (q = 3).
        _wait(lambda: net.call(1, "status")["committed_blocks"] >= before + 3, 90, "commits without node3")

        net.start(3)
        net.wait_ready(3, timeout=120)
        stop.set()
        t.join()
        # Settle: everyone drained, then node3 holds exactly what the others committed.
        _wait(lambda: all(net.call(i, "status")["pending"] == 0 for i in range(4)), 90, "drained")
        # In-flight slots may still commit after the queues drain: compare all four
        # sets at the same moment until they agree.
        _wait(lambda: len({frozenset(_committed(net, i)) for i in range(4)}) == 1, 90, "node3 caught up")
        target = _committed(net, 0)
        assert len(target) >= 5

        for i in range(4):
            for cid in acked[i][:50] + acked[i][-50:]:
                assert net.call(i, "show", cid=cid)["type"] == "record"
        # No double vote: node3's votes hold at most one per slot (the store enforces it; check the view).
        votes = net.call(3, "votes", voter=net.nodes[3].peer_id, limit=100_000)
        slots = [(v["proposer"], v["seq"]) for v in votes]
        assert len(slots) == len(set(slots))
        # No evidence against anyone: a crash is not equivocation.
        assert net.call(0, "evidence") == []
    finally:
        stop.set()
        codes = net.stop_all()
    # SIGTERM leaves every daemon with exit code 0 (clean shutdown).
    assert all(c == 0 for c in codes.values()), codes


def test_sigint_stops_cleanly_and_releases_everything(tmp_path):
    import signal

    from node.identity import DataDirLock

    net = LocalNet.create(tmp_path / "one", 1, 1, model_id=default_model_id())
    net.start(0, log_level="WARNING")
    try:
        net.wait_ready(0, timeout=120)
        net.call(0, "ingest", records=_batch(3, 50))
        proc = net.nodes[0].proc
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    finally:
        net.stop_all()
    d = net.nodes[0].data_dir
    assert not (d / "admin.sock").exists()  # socket removed
    with DataDirLock(d):  # lock released
        pass
    # The listen port is free again: nothing left bound.
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", net.nodes[0].port))


def test_tcp_admin_port_is_loopback_and_needs_the_token(tmp_path):
    import json
    import os
    import socket
    import stat
    from dataclasses import replace

    from node.admin import AdminClient
    from node.config import load_config, write_config
    from node.sim.localnet import free_port

    net = LocalNet.create(tmp_path / "tcp", 1, 1, model_id=default_model_id())
    d = net.nodes[0].data_dir
    port = free_port()
    write_config(replace(load_config(d), admin_tcp_port=port))
    net.start(0, log_level="WARNING")
    try:
        net.wait_ready(0, timeout=120)
        assert stat.S_IMODE(os.stat(d / "admin.token").st_mode) == 0o600
        assert AdminClient(d, tcp_port=port).call("status")["peer_id"] == net.nodes[0].peer_id
        for token in (None, "0" * 64):
            req = {"jsonrpc": "2.0", "id": 1, "method": "status"}
            if token:
                req["token"] = token
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(json.dumps(req).encode() + b"\n")
                resp = json.loads(s.makefile().readline())
            assert resp["error"]["code"] == -32001
    finally:
        net.stop_all()
    assert not (d / "admin.token").exists()
