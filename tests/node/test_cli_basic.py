"""The CLI starts fast, imports no heavy library for --help, and its basic commands work."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from node.cli import main
from node.config import NodeConfig, load_config, write_config
from node.identity import DataDirLock, load_key
from protocol.errors import ConfigError, LocalError


def test_help_imports_neither_torch_nor_libp2p():
    code = (
        "import sys, node.cli\n"
        "node.cli.build_parser().format_help()\n"
        "heavy = [m for m in ('torch', 'libp2p', 'trio', 'sqlite3') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_version_json(capsys):
    assert main(["version", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"]


def test_init_writes_private_key_and_config(tmp_path, capsys):
    d = tmp_path / "n"
    assert main(["init", "--data-dir", str(d), "--json", "--listen", "/ip4/127.0.0.1/tcp/4555"]) == 0
    out = json.loads(capsys.readouterr().out)
    key_path = d / "identity.key"
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert load_key(d).peer_id == out["peer_id"]
    assert load_config(d).listen == ("/ip4/127.0.0.1/tcp/4555",)
    # A second init must never overwrite an identity.
    assert main(["init", "--data-dir", str(d)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_key_readable_by_others_is_refused(tmp_path):
    main(["init", "--data-dir", str(tmp_path)])
    os.chmod(tmp_path / "identity.key", 0o644)
    with pytest.raises(LocalError, match="readable by others"):
        load_key(tmp_path)


def test_config_round_trip_and_errors(tmp_path):
    cfg = NodeConfig.default(tmp_path)
    write_config(cfg)
    assert load_config(tmp_path) == cfg
    (tmp_path / "config.toml").write_text("[node]\nlisten = 5\n")
    with pytest.raises(ConfigError, match="node.listen must be a list of strings"):
        load_config(tmp_path)
    (tmp_path / "config.toml").write_text("[node]\nbogus = 1\n")
    with pytest.raises(ConfigError, match="unknown key node.bogus"):
        load_config(tmp_path)
    (tmp_path / "config.toml").write_text("[pipeline]\nwindow = 0\n")
    with pytest.raises(ConfigError, match="pipeline.window"):
        load_config(tmp_path)
    (tmp_path / "config.toml").write_text("not toml [")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_data_dir_lock_is_exclusive(tmp_path):
    with DataDirLock(tmp_path), pytest.raises(LocalError, match="another attnshare daemon"):
        DataDirLock(tmp_path).acquire()
    with DataDirLock(tmp_path):  # released: can be taken again
        pass


def test_admin_client_errors(tmp_path):
    from node.admin import AdminClient, AdminError

    with pytest.raises(AdminError, match="not running"):
        AdminClient(tmp_path).call("status")
    (tmp_path / "admin.sock").write_text("x")
    with pytest.raises(AdminError, match="not a socket"):
        AdminClient(tmp_path).call("status")


def test_model_info_matches_the_scorer_without_torch():
    from node import model_info
    from node.attention import scorer

    assert model_info.WEIGHTS_FILE == scorer.DEFAULT_CHECKPOINT
    assert model_info.default_model_id() == scorer.load_scorer().model_id


# ---- finding 14: clean errors for hostile files, private data dirs -------------------
@pytest.mark.parametrize(("body", "match"), [
    (b"[node]\nanti_entropy_s = " + b"[" * 5000 + b"\n", "nested too deeply"),
    (b"[node]\nmetrics_port = " + b"9" * 5000 + b"\n", "invalid TOML"),
    (b"[node]\ngenesis = \"\xff\xfe\"\n", "not UTF-8"),
    (b"node = 5\n", r"\[node\] must be a table"),
    (b"[node]\nanti_entropy_s = " + b"9" * 400 + b"\n", "out of range"),
    (b"[node]\nmetrics_port = true\n", "must be an integer"),
    (b"[pipeline]\nship_bytes_per_s = 1.5\n", "must be an integer"),
])
def test_hostile_config_files_are_clear_errors(tmp_path, body, match):
    (tmp_path / "config.toml").write_bytes(body)
    with pytest.raises(ConfigError, match=match):
        load_config(tmp_path)


def test_removed_settings_in_old_configs_are_ignored(tmp_path):
    (tmp_path / "config.toml").write_text("[pipeline]\nmax_inflight_blocks = 2\n")
    assert load_config(tmp_path).pipeline == NodeConfig.default(tmp_path).pipeline


@pytest.mark.parametrize(("body", "match"), [
    (b"network_id = " + b"[" * 5000, "nested too deeply"),
    (b"network_id = \"\xff\"\n", "not UTF-8"),
    (b"genesis_time_ms = " + b"1" * 5000 + b"\n", "invalid TOML"),
    (b"network_id = 5\n", "genesis"),
])
def test_hostile_genesis_files_are_clear_errors(tmp_path, body, match):
    from node.config import load_genesis

    (tmp_path / "genesis.toml").write_bytes(body)
    with pytest.raises(ConfigError, match=match):
        load_genesis(tmp_path / "genesis.toml")


def test_run_with_a_broken_config_prints_an_error_not_a_traceback(tmp_path):
    main(["init", "--data-dir", str(tmp_path / "n")])
    (tmp_path / "n" / "config.toml").write_bytes(b"[node]\nlisten = " + b"[" * 5000)
    out = subprocess.run([sys.executable, "-m", "node.cli", "run", "--data-dir", str(tmp_path / "n")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "nested too deeply" in out.stderr
    assert "Traceback" not in out.stderr


def test_data_dir_is_private(tmp_path):
    d = tmp_path / "a" / "b"
    assert main(["init", "--data-dir", str(d)]) == 0
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    os.chmod(d, 0o755)  # loosened by hand: the daemon tightens it at start
    with DataDirLock(d):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700


class _FakeClient:
    """Records ingest calls; fails the calls numbered in ``fail_at`` (from 1)."""

    def __init__(self, fail_at: tuple[int, ...] = ()) -> None:
        self.calls: list[list] = []
        self.fail_at = fail_at

    def call(self, method, **params):
        from node.admin import AdminError

        assert method == "ingest"
        self.calls.append(list(params["records"]))  # a copy: the command reuses its batch list
        if len(self.calls) in self.fail_at:
            raise AdminError("store is full")
        return {"cids": [f"c{i}" for i in range(len(params["records"]))], "errors": []}


def _ingest(tmp_path, monkeypatch, capsys, data: bytes, client, *extra):
    from node.commands import daemon as cmds

    f = tmp_path / "in.jsonl"
    f.write_bytes(data)
    monkeypatch.setattr(cmds, "_client", lambda args: client)
    rc = main(["ingest", "--data-dir", str(tmp_path), "--json", str(f), *extra])
    return rc, capsys.readouterr()


def test_ingest_reports_hostile_lines_by_number(tmp_path, monkeypatch, capsys):
    good = b'{"kind": "a", "fields": {"v": 1}}\n'
    data = (good + b"\xff\xfe not utf-8\n" + b"[" * 100_000 + b"\n"
            + b'{"kind": "a", "fields": {"v": ' + b"9" * 5000 + b"}}\n" + good)
    client = _FakeClient()
    rc, out = _ingest(tmp_path, monkeypatch, capsys, data, client)
    assert rc == 1
    res = json.loads(out.out)
    assert res["ingested"] == 2
    assert [(e["line"], e["error"].split(":")[0]) for e in res["errors"]] == [
        (2, "not UTF-8 (byte 0)"), (3, "invalid JSON"), (4, "invalid JSON")]


def test_ingest_splits_batches_by_bytes(tmp_path, monkeypatch, capsys):
    from node.commands import daemon as cmds

    monkeypatch.setattr(cmds, "INGEST_MAX_BATCH_BYTES", 1000)
    line = b'{"kind": "a", "fields": {"s": "' + b"x" * 300 + b'"}}\n'
    client = _FakeClient()
    rc, out = _ingest(tmp_path, monkeypatch, capsys, line * 10, client)
    assert rc == 0
    assert json.loads(out.out)["ingested"] == 10
    assert all(len(c) <= 2 for c in client.calls)  # ~340 bytes a line, 1000 bytes a batch


def test_ingest_failure_says_what_was_acknowledged(tmp_path, monkeypatch, capsys):
    line = b'{"kind": "a", "fields": {"v": 1}}\n'
    client = _FakeClient(fail_at=(2, 3))  # the batch of lines 4..6, and its one retry
    rc, out = _ingest(tmp_path, monkeypatch, capsys, line * 10, client, "--batch", "3")
    assert rc == 2
    assert "lines 4..6 failed twice: store is full" in out.err
    assert "lines 4..6 may or may not have been" in out.err
    assert "Resume from line 4" in out.err
    assert "(3 records)" in out.err


def test_ingest_retries_a_failed_batch_once_with_the_same_records(tmp_path, monkeypatch, capsys):
    # Each line without ts_ms is stamped once, when read: the retry sends the very same records.
    data = b'{"kind": "a", "fields": {"v": 1}}\n{"kind": "a", "ts_ms": 5, "fields": {"v": 2}}\n' * 3
    client = _FakeClient(fail_at=(2,))
    rc, out = _ingest(tmp_path, monkeypatch, capsys, data, client, "--batch", "2")
    assert rc == 0
    assert json.loads(out.out)["ingested"] == 6
    assert len(client.calls) == 4
    assert client.calls[1] == client.calls[2]
    assert all(isinstance(r["ts_ms"], int) for c in client.calls for r in c)
    assert [r["ts_ms"] for c in client.calls for r in c][1::2] == [5] * 4  # a given ts_ms is kept


def test_ingest_batches_stay_under_the_daemons_cap(tmp_path, monkeypatch, capsys):
    from node.commands import daemon as cmds
    from node.core.pipeline import MAX_INGEST_RECORDS

    assert cmds.INGEST_MAX_BATCH_RECORDS <= MAX_INGEST_RECORDS
    monkeypatch.setattr(cmds, "INGEST_MAX_BATCH_RECORDS", 3)
    client = _FakeClient()
    rc, out = _ingest(tmp_path, monkeypatch, capsys, b'{"kind": "a", "fields": {}}\n' * 10, client,
                      "--batch", "1000000")
    assert rc == 0
    assert [len(c) for c in client.calls] == [3, 3, 3, 1]


def test_net_budget_and_admin_params_come_from_their_tables(tmp_path):
    (tmp_path / "config.toml").write_text(
        "[node]\nlisten = [\"/ip4/127.0.0.1/tcp/4001\"]\n"
        "[net]\nrequest_timeout_s = 20\npublish_timeout_s = 2.5\n"
        "[net.budget]\nban_s = 60\nmax_open_requests = 2\n"
        "[admin]\nmax_tcp_connections = 4\n")
    cfg = load_config(tmp_path)
    assert cfg.net.request_timeout_s == 20.0
    assert cfg.net.publish_timeout_s == 2.5
    assert (cfg.net.budget.ban_s, cfg.net.budget.max_open_requests) == (60.0, 2)
    assert cfg.admin.max_tcp_connections == 4
    assert cfg.net_params.listen_addrs == ("/ip4/127.0.0.1/tcp/4001",)
    for body, match in [("[net.budget]\nbogus = 1\n", "unknown key net.budget.bogus"),
                        ("[net.budget]\nmax_open_requests = 1.5\n", "net.budget.max_open_requests must be an integer"),
                        ("[net.budget]\npublish_threshold = -500.0\n", "disconnect_below < publish_threshold"),
                        ("[net]\nverify_threads = 0\n", "net.verify_threads"),
                        ("[net]\nping_failures_to_drop = -1\n", "net.ping_failures_to_drop"),
                        ("[net]\nlisten_addrs = []\n", "unknown key net.listen_addrs"),
                        ("[admin]\nidle_timeout_s = -1\n", "admin.idle_timeout_s")]:
        (tmp_path / "config.toml").write_text(body)
        with pytest.raises(ConfigError, match=match):
            load_config(tmp_path)


def test_written_config_keeps_net_settings_that_differ_from_the_defaults(tmp_path):
    # A local net's scenario tunes the daemons' pings; config_to_toml wrote no [net] table,
    # so the daemons ran on the defaults (found by scripts/scenarios/pause-resume.toml).
    from dataclasses import replace

    cfg = NodeConfig.default(tmp_path)
    assert "[net]" not in (write_config(cfg)).read_text()  # defaults: nothing written
    cfg = replace(cfg, net=replace(cfg.net, ping_interval_s=1.0, ping_failures_to_drop=1))
    write_config(cfg)
    back = load_config(tmp_path)
    assert (back.net.ping_interval_s, back.net.ping_failures_to_drop) == (1.0, 1)
    assert back.net.verify_threads == cfg.net.verify_threads
