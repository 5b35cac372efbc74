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
