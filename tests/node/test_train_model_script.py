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


def _tiny_checkpoint(path: Path, seed: int) -> None:
    from node.attention.model import ImportanceNet, ModelConfig
    from node.attention.train import save_checkpoint

    torch.manual_seed(seed)
    save_checkpoint(ImportanceNet(ModelConfig(d_model=16, heads=2, layers=1, ff=32)), path, {"train": {"seed": seed}})


def test_members_train_the_next_seeds_and_join_the_first(monkeypatch, tmp_path) -> None:
    # --members 2: stage 1 with seeds S and S+1, the judge from the first, both ranking in model.pt.
    from node.attention.model import EnsembleNet

    mod = _load()
    for key, value in mod.PORTABLE_ENV.items():
        monkeypatch.setenv(key, value)
    trained: list[int] = []

    def fake_train(argv):
        seed = int(argv[argv.index("--seed") + 1])
        trained.append(seed)
        _tiny_checkpoint(Path(argv[argv.index("--out") + 1]), seed)
        return 0

    joined = {}

    def fake_stage2(stage1, out, seed, prime_version=1, members=None, fabricated_share=0.0, replayed_share=0.0,
                    judge_seeds=None):
        model, obj = mod.ranking_model(stage1, members or [])
        joined.update(model=model, seed=seed, meta=obj["meta"], shares=(fabricated_share, replayed_share),
                      judge_seeds=judge_seeds)
        out.write_bytes(b"model")
        return "bafk-test"

    monkeypatch.setattr(mod, "cli_main", fake_train)
    monkeypatch.setattr(mod, "stage2", fake_stage2)
    monkeypatch.setattr(sys, "argv", ["train_model.py", "--only", "attention", "--members", "2", "--seed", "3",
                                      "--out-dir", str(tmp_path)])
    assert mod.run() == 0
    assert trained == [3, 4]
    assert isinstance(joined["model"], EnsembleNet)
    assert len(joined["model"].members) == 2
    assert joined["seed"] == 3
    assert joined["shares"] == (0.0, 0.0)  # the shipped judge's recipe unless --fabricated/--replayed-share
    assert joined["judge_seeds"] is None  # one judge, of --seed, unless --judge-seeds
    # The meta is the first network's; the others' training seeds are named.
    assert joined["meta"] == {"train": {"seed": 3}, "member_seeds": [4]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # the stage-1 files are removed


def test_a_stage1_file_holding_the_members_is_used_as_it_is(monkeypatch, tmp_path) -> None:
    from node.attention.model import EnsembleNet
    from node.attention.train import load_checkpoint, save_checkpoint

    mod = _load()
    for key, value in mod.PORTABLE_ENV.items():
        monkeypatch.setenv(key, value)
    a, b = tmp_path / "a.pt", tmp_path / "b.pt"
    _tiny_checkpoint(a, 0)
    _tiny_checkpoint(b, 1)
    both = tmp_path / "both.pt"
    save_checkpoint(mod.ranking_model(a, [b])[0], both)
    assert isinstance(load_checkpoint(both.read_bytes())[0], EnsembleNet)
    monkeypatch.setattr(mod, "cli_main", lambda argv: (_ for _ in ()).throw(AssertionError("trained")))
    seen = {}

    def fake_stage2(stage1, out, seed, prime_version=1, members=None, fabricated_share=0.0, replayed_share=0.0,
                    judge_seeds=None):
        seen.update(members=members)
        out.write_bytes(b"model")
        return "x"

    monkeypatch.setattr(mod, "stage2", fake_stage2)
    monkeypatch.setattr(sys, "argv", ["train_model.py", "--only", "attention", "--members", "2", "--stage1", str(both),
                                      "--out-dir", str(tmp_path / "out")])
    assert mod.run() == 0
    assert seen["members"] == []
    assert both.exists()  # a file the caller gave is never removed


def test_judge_seeds_train_one_judge_each_and_join_them(monkeypatch, tmp_path) -> None:
    # --judge-seeds 5,6: two judges fine-tuned from the same network with their own draws, averaged;
    # the meta names the first seed's recipe and the others' seeds.
    import node.attention.train as train
    from node.attention.model import EnsembleNet
    from node.attention.train import load_checkpoint, load_judge

    mod = _load()
    stage1 = tmp_path / "s1.pt"
    _tiny_checkpoint(stage1, 0)
    seeds_seen: list[int] = []
    shares: list[float] = []
    monkeypatch.setattr(train, "finetune_windows", lambda judge, cfg, ft: [])

    def fake_finetune(judge, cfg, ft, windows):
        seeds_seen.append(ft.seed)
        shares.append(ft.fabricated_share)
        assert cfg.seed == ft.seed
        with torch.no_grad():
            judge.head.weight.fill_(float(ft.seed))
        return train.TrainResult(model=judge, losses=[0.1], steps=1)

    monkeypatch.setattr(train, "finetune", fake_finetune)
    out = tmp_path / "model.pt"
    mod.stage2(stage1, out, 0, fabricated_share=0.5, judge_seeds=[5, 6])
    assert seeds_seen == [5, 6]
    assert shares == [0.5, 0.5]  # one recipe, two seeds
    _, obj = load_checkpoint(out.read_bytes())
    judge = load_judge(obj)
    assert isinstance(judge, EnsembleNet)
    assert len(judge.members) == 2
    assert [float(m.head.weight.detach().flatten()[0]) for m in judge.members] == [5.0, 6.0]
    assert obj["meta"]["judge"]["seed"] == 5
    assert obj["meta"]["judge"]["fabricated_share"] == 0.5
    assert obj["meta"]["judge_member_seeds"] == [6]
    # One seed: one network, and no member key (the bytes every earlier judge was written with).
    mod.stage2(stage1, out, 0, judge_seeds=[5])
    _, obj = load_checkpoint(out.read_bytes())
    assert not isinstance(load_judge(obj), EnsembleNet)
    assert "judge_member_seeds" not in obj["meta"]
    assert "judge_member_state_dicts" not in obj


def test_judge_seeds_are_checked_and_passed_on(monkeypatch, tmp_path, capsys) -> None:
    from node.attention.train import MAX_MEMBERS

    mod = _load()
    assert mod.MAX_JUDGES == MAX_MEMBERS  # the script's bound is the loader's
    for key, value in mod.PORTABLE_ENV.items():
        monkeypatch.setenv(key, value)
    seen = {}

    def fake_stage2(stage1, out, seed, prime_version=1, members=None, fabricated_share=0.0, replayed_share=0.0,
                    judge_seeds=None):
        seen.update(judge_seeds=judge_seeds)
        out.write_bytes(b"model")
        return "x"

    monkeypatch.setattr(mod, "stage2", fake_stage2)
    stage1 = tmp_path / "s1.pt"
    _tiny_checkpoint(stage1, 0)
    base = ["train_model.py", "--only", "attention", "--members", "1", "--stage1", str(stage1),
            "--out-dir", str(tmp_path / "out")]
    monkeypatch.setattr(sys, "argv", [*base, "--judge-seeds", "0,1"])
    assert mod.run() == 0
    assert seen["judge_seeds"] == [0, 1]
    for bad in ("0,x", "1,1", "0,1,2,3,4"):
        monkeypatch.setattr(sys, "argv", [*base, "--judge-seeds", bad])
        with pytest.raises(SystemExit):
            mod.run()
        assert "--judge-seeds" in capsys.readouterr().err


def test_the_distillation_trial_trains_on_the_same_kernel_path() -> None:
    distill = load_script("trial_distill.py", "trial_distill_test")
    assert distill.PORTABLE_ENV == _load().PORTABLE_ENV
