"""scripts/train_model.py: what a byte-identical rebuild depends on is printed beside the verdict."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import torch

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_model.py"


def _load():
    spec = importlib.util.spec_from_file_location("train_model_test", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


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
