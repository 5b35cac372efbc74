"""scripts/train_model.py: what a byte-identical rebuild depends on is printed beside the verdict."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from tests.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_model.py"


def _load():
    return load_script("train_model.py", "train_model_test")


def test_machine_names_torch_build_and_kernel_level() -> None:
    # Session 23: the same tree trains other bytes on another CPU (AVX2 against AVX-512, or torch's
    # kernels without vectors), so --verify says which machine its verdict holds for.
    text = _load().machine()
    assert text.startswith(f"torch {torch.__version__}, ")
    assert f"CPU capability {torch.backends.cpu.get_cpu_capability()}" in text
    assert len(text.split(", ", 2)[2]) > 0  # the CPU model (or the platform's name for it)


def test_files_are_the_three_shipped_checkpoints() -> None:
    mod = _load()
    assert mod.FILES == {"attention": "model.pt", "mlp": "mlp.pt", "nobias": "nobias.pt"}
    shipped = SCRIPT.parents[1] / "node" / "attention"
    assert all((shipped / name).is_file() for name in mod.FILES.values())


class _Execed(Exception):
    pass


@pytest.mark.parametrize("flag", [[], ["--portable"]])
def test_portable_reexecs_with_the_fixed_kernel_path(monkeypatch, flag) -> None:
    # The variables only work if set before torch loads, so the script starts again with them; the fixed
    # path is the default (session 24), and --portable still names it.
    mod = _load()
    seen = {}

    def fake_execve(path, argv, env):
        seen.update(path=path, argv=argv, env=env)
        raise _Execed

    for key in mod.PORTABLE_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(mod.os, "execve", fake_execve)
    monkeypatch.setattr(mod, "cli_main", lambda argv: 1)  # without the re-exec: fail fast, no training
    monkeypatch.setattr(sys, "argv", ["train_model.py", *flag, "--only", "mlp", "--out-dir", "/nowhere"])
    with pytest.raises(_Execed):
        mod.run()
    assert seen["path"] == sys.executable
    assert seen["argv"][1:] == [str(SCRIPT), *flag, "--only", "mlp", "--out-dir", "/nowhere"]
    assert {k: seen["env"][k] for k in mod.PORTABLE_ENV} == {
        "ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41"}


def test_portable_does_not_reexec_once_set(monkeypatch, tmp_path) -> None:
    mod = _load()
    for key, value in mod.PORTABLE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(mod.os, "execve", lambda *a: (_ for _ in ()).throw(AssertionError("re-exec")))
    called = []
    monkeypatch.setattr(mod, "cli_main", lambda argv: called.append(argv) or 1)  # stop at the first training
    monkeypatch.setattr(sys, "argv", ["train_model.py", "--portable", "--only", "mlp", "--out-dir", str(tmp_path)])
    assert mod.run() == 1
    assert len(called) == 1
    assert called[0][:3] == ["model", "train", "--variant"]


def test_native_trains_on_the_cpus_own_kernels(monkeypatch, tmp_path) -> None:
    # The fixed path is the default since session 24; --native opts out and must not re-exec.
    mod = _load()
    for key in mod.PORTABLE_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(mod.os, "execve", lambda *a: (_ for _ in ()).throw(AssertionError("re-exec")))
    called = []
    monkeypatch.setattr(mod, "cli_main", lambda argv: called.append(argv) or 1)
    monkeypatch.setattr(sys, "argv", ["train_model.py", "--native", "--only", "mlp", "--out-dir", str(tmp_path)])
    assert mod.run() == 1
    assert len(called) == 1


def test_native_and_portable_exclude_each_other(monkeypatch) -> None:
    mod = _load()
    monkeypatch.setattr(sys, "argv", ["train_model.py", "--native", "--portable"])
    with pytest.raises(SystemExit) as err:
        mod.run()
    assert err.value.code == 2
