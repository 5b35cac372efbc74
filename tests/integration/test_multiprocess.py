"""Daemons as OS processes: clean stops, the TCP admin port.

kill -9 of a validator under load, its restart and catch-up run as the crash-restart scenario
(tests/integration/test_simulate.py), which checks what the test here did: acknowledged records
survive, every node ends with one committed set, no evidence, clean exits."""

from __future__ import annotations

import time

import pytest

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
