"""The admin CLI against real running daemons (OS processes): JSON schemas and error paths."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time

import pytest

from node.config import PipelineConfig
from node.model_info import default_model_id
from node.sim.localnet import LocalNet
from node.workload import Workload

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([sys.executable, "-m", "node.cli", *args], capture_output=True, text=True, timeout=120)
    if check and out.returncode != 0:
        raise AssertionError(f"attnshare {' '.join(args)} exited {out.returncode}: {out.stderr}")
    return out


def cli_json(*args: str):
    return json.loads(cli(*args, "--json").stdout)


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    root = tmp_path_factory.mktemp("clinet")
    net = LocalNet.create(root / "net", 2, 2, model_id=default_model_id(),
                          pipeline=PipelineConfig(block_interval_ms=100), anti_entropy_s=0.5)
    net.start_all(log_level="WARNING")
    try:
        for i in range(2):
            net.wait_ready(i, timeout=120)
        yield net
    finally:
        net.stop_all()


def _wait(cond, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_admin_socket_is_private(net):
    st = os.stat(net.nodes[0].data_dir / "admin.sock")
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600
    # The data dir holds the store (records kept private): 0700 (finding 14).
    assert stat.S_IMODE(os.stat(net.nodes[0].data_dir).st_mode) == 0o700


def test_status_schema(net):
    d = str(net.nodes[0].data_dir)
    st = cli_json("status", "--data-dir", d)
    for key, typ in {"peer_id": str, "role": str, "addrs": list, "model_id": str, "uptime_s": float,
                     "ingested": int, "committed_blocks": int, "committed_records": int, "pending": int,
                     "heights": dict, "peers": int}.items():
        assert isinstance(st[key], typ), key
    assert st["peer_id"] == net.nodes[0].peer_id
    assert st["role"] == "validator"
    assert st["model_id"] == default_model_id()
    vs = cli_json("validators", "--data-dir", d)
    assert (vs["n"], vs["f"], vs["q"]) == (2, 0, 2)


def test_ingest_file_with_a_bad_line_then_query_everything(net, tmp_path):
    d = str(net.nodes[0].data_dir)
    lines = []
    for rec, _ in Workload(5).next_batch(300, int(time.time() * 1000)):
        obj = rec.to_json()
        del obj["origin"]
        lines.append(json.dumps(obj))
    lines.insert(10, "{not json")
    lines.insert(20, json.dumps({"kind": "", "fields": {"a": 1}}))  # an empty kind
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(lines) + "\n")
    out = cli("ingest", str(f), "--data-dir", d, "--json", check=False)
    assert out.returncode == 1  # bad lines are an error, but the good ones went in
    res = json.loads(out.stdout)
    assert res["ingested"] == 300
    assert {e["line"] for e in res["errors"]} == {11, 21}
    assert "invalid JSON" in res["errors"][0]["error"]

    _wait(lambda: cli_json("status", "--data-dir", d)["committed_blocks"] >= 1, 90, "a commit")
    _wait(lambda: cli_json("status", "--data-dir", d)["pending"] == 0, 90, "drained")
    blocks = cli_json("blocks", "--data-dir", d)
    assert blocks
    assert {"block_id", "proposer", "seq", "record_count"} <= set(blocks[0])
    shown = cli_json("show", blocks[0]["block_id"], "--data-dir", d)
    assert shown["type"] == "block"
    assert len(shown["certificate"]["votes"]) == 2
    assert shown["header"]["record_count"] == len(shown["records"])
    rec_cid = shown["records"][0]["cid"]
    assert cli_json("show", rec_cid, "--data-dir", d)["type"] == "record"
    kept = cli_json("records", "--status", "kept", "--data-dir", d)
    assert kept
    assert all(r["status"] == "kept" for r in kept)
    ex = cli_json("explain", rec_cid, "--data-dir", d)
    assert 0.0 <= ex["score"] <= 1.0
    assert ex["attended"]
    assert ex["features"]
    word = shown["records"][0]["record"]["kind"]
    hits = cli_json("search", word, "--data-dir", d)
    assert any(h["cid"] == rec_cid for h in hits) or hits
    votes = cli_json("votes", "--data-dir", d)
    assert {v["decision"] for v in votes} <= {"ACCEPT", "REJECT"}
    assert cli_json("evidence", "--data-dir", d) == []
    # Replication: the other node holds the same committed block.
    d1 = str(net.nodes[1].data_dir)
    _wait(lambda: any(b["block_id"] == blocks[0]["block_id"] for b in cli_json("blocks", "--data-dir", d1)),
          60, "replication to node1")


def test_peer_block_and_unblock(net):
    d = str(net.nodes[0].data_dir)
    other = net.nodes[1].peer_id
    assert cli_json("peer", "block", other, "--data-dir", d)["blocked"] is True
    # A blocked peer stays listed (with its budget and standing) but disconnected.
    _wait(lambda: any(p["peer_id"] == other and p["blocked"] and not p["connected"]
                      for p in cli_json("peers", "--data-dir", d)), 30, "disconnect")
    assert cli_json("peer", "unblock", other, "--data-dir", d)["blocked"] is False
    cli_json("peer", "connect", net.nodes[1].addr, "--data-dir", d)
    _wait(lambda: any(p["peer_id"] == other and p["connected"] and "standing" in p
                      for p in cli_json("peers", "--data-dir", d)), 30, "reconnect")


def test_error_paths(net, tmp_path):
    # Daemon not running.
    out = cli("status", "--data-dir", str(tmp_path), check=False)
    assert out.returncode == 2
    assert "not running" in out.stderr
    # A socket path that is not ours / not a socket.
    (tmp_path / "admin.sock").write_text("")
    out = cli("status", "--data-dir", str(tmp_path), check=False)
    assert out.returncode == 2
    assert "not a socket" in out.stderr
    # A stale socket nobody listens on.
    stale = tmp_path / "stale"
    stale.mkdir()
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(stale / "admin.sock"))
    s.close()
    out = cli("status", "--data-dir", str(stale), check=False)
    assert out.returncode == 2
    assert "not running" in out.stderr
    # Bad requests to a live daemon: garbage, unknown method, bad params, bad CID.
    path = str(net.nodes[0].data_dir / "admin.sock")
    for raw, code in [(b"garbage\n", -32700), (b'{"jsonrpc":"2.0","id":1,"method":"nope"}\n', -32601),
                      (b'{"jsonrpc":"2.0","id":2,"method":"status","params":{"x":1}}\n', -32602)]:
        with socket.socket(socket.AF_UNIX) as c:
            c.connect(path)
            c.sendall(raw)
            resp = json.loads(c.makefile().readline())
        assert resp["error"]["code"] == code
    out = cli("show", "not-a-cid", "--data-dir", str(net.nodes[0].data_dir), check=False)
    assert out.returncode == 2
    assert "not a CID" in out.stderr
    # The daemon survived all of it.
    assert cli_json("status", "--data-dir", str(net.nodes[0].data_dir))["peer_id"]


def test_peers_show_budget_use_and_standing(net):
    d = str(net.nodes[0].data_dir)
    _wait(lambda: any(p["connected"] and p["messages"] > 0 for p in cli_json("peers", "--data-dir", d)),
          60, "a peer that sent us gossip")
    peers = cli_json("peers", "--data-dir", d)
    assert {"peer_id", "latency_ms", "standing", "messages", "bytes", "cpu_ms", "open_requests", "invalid",
            "over_budget", "bad_requests", "banned_until", "validator", "connected", "blocked"} <= set(peers[0])
    honest = [p for p in peers if p["connected"]]
    assert honest
    assert all(p["standing"] == 0.0 and p["invalid"] == 0 for p in honest)  # honest peers keep full standing
    assert any(p["cpu_ms"] > 0 for p in honest)  # verification was charged to the sender
    table = cli("peers", "--data-dir", d).stdout  # the human table too
    assert "peers (" in table


def test_ingest_missing_file_is_a_clear_error(net):
    out = cli("ingest", "/nonexistent/x.jsonl", "--data-dir", str(net.nodes[0].data_dir), check=False)
    assert out.returncode == 2
    assert "cannot read /nonexistent/x.jsonl" in out.stderr
