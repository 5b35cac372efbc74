"""Checkpoints that hold several ranking networks (``EnsembleNet``): format, scores, fast path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import torch

import node.attention.fastpath as fastpath
from node.attention.features import assemble_window, featurize_record
from node.attention.history import History
from node.attention.model import EnsembleNet, ImportanceNet, ModelConfig
from node.attention.scorer import load_scorer
from node.attention.train import (
    MAX_MEMBERS,
    checkpoint_bytes,
    first_member,
    load_checkpoint,
    load_judge,
    save_checkpoint,
)
from node.workload import Workload
from protocol.cid import cid_of
from protocol.errors import LocalError

NOW = 1_700_000_000_000
CFG = ModelConfig(d_model=32, heads=4, layers=2, ff=64)


def _net(seed: int, cfg: ModelConfig = CFG) -> ImportanceNet:
    torch.manual_seed(seed)
    return ImportanceNet(cfg).eval()


def _window(n: int, seed: int = 3, history: bool = False):
    stream = [r for r, _ in Workload(seed).next_batch(n + 300, NOW)]
    hist = History.from_records(stream[:300]) if history else None
    return assemble_window([featurize_record(r) for r in stream[300:]], hist)


def test_logits_are_the_members_mean_and_attention_their_mean_map() -> None:
    a, b, c = _net(1), _net(2), _net(3)
    ens = EnsembleNet([a, b, c]).eval()
    w = _window(64)
    with torch.inference_mode():
        want = (a(w) + b(w) + c(w)) / 3
        assert torch.allclose(ens(w), want, atol=1e-6)
        logits, maps = ens(w, return_attention=True)
        _, ma = a(w, return_attention=True)
        _, mb = b(w, return_attention=True)
        _, mc = c(w, return_attention=True)
    assert torch.allclose(logits, want, atol=1e-6)
    assert len(maps) == CFG.layers
    assert torch.allclose(maps[0], (ma[0] + mb[0] + mc[0]) / 3, atol=1e-6)
    # Each averaged map is still a distribution over the records attended to.
    assert torch.allclose(maps[1].sum(-1), torch.ones_like(maps[1].sum(-1)), atol=1e-5)


def test_one_member_scores_as_the_network_alone() -> None:
    a = _net(4)
    w = _window(40)
    with torch.inference_mode():
        assert torch.equal(EnsembleNet([a]).eval()(w), a(w))


def test_members_must_share_an_architecture() -> None:
    with pytest.raises(ValueError, match="same architecture"):
        EnsembleNet([_net(1), _net(2, ModelConfig(d_model=16, heads=2, layers=1, ff=32))])
    with pytest.raises(ValueError, match="at least one"):
        EnsembleNet([])


@pytest.mark.parametrize("history", [False, True], ids=["no history", "history"])
def test_fast_path_computes_the_ensemble(history: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    ens = EnsembleNet([_net(5), _net(6)]).eval()
    fast = fastpath.fast_forward_for(ens)
    assert fast is not None
    assert fast.members == list(ens.members)
    monkeypatch.setattr(fastpath, "MIN_RECORDS", 1)
    for n in (17, 256):
        w = _window(n, seed=n, history=history)
        with torch.inference_mode():
            ref = ens(w)
            got = fast(w)
        assert torch.allclose(got, ref, rtol=0.0, atol=1e-5), float((got - ref).abs().max())
    assert fast.calls["blocks"] == 2
    assert not fast.disabled


def test_an_ensemble_with_an_unknown_member_is_not_fast() -> None:
    plain = ImportanceNet(ModelConfig(d_model=32, heads=4, layers=2, ff=64, rel_values=False)).eval()
    assert not fastpath.supported(EnsembleNet([plain, plain]))
    assert fastpath.supported(EnsembleNet([_net(1), _net(2)]))


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    a, b, judge = _net(7), _net(8), _net(9)
    single = checkpoint_bytes(a, {"note": "t"}, judge)
    both = checkpoint_bytes(EnsembleNet([a, b]), {"note": "t"}, judge)
    # One network's bytes carry no member key: every earlier checkpoint keeps its model id.
    assert b"member_state_dicts" not in single
    assert cid_of(single) != cid_of(both)
    model, obj = load_checkpoint(both)
    assert isinstance(model, EnsembleNet)
    assert len(model.members) == 2
    assert first_member(model) is model.members[0]
    assert torch.equal(first_member(model).head.weight, a.head.weight)
    assert torch.equal(model.members[1].head.weight, b.head.weight)
    assert torch.equal(load_judge(obj).head.weight, judge.head.weight)
    assert checkpoint_bytes(model, {"note": "t"}, load_judge(obj)) == both  # rebuilds stay byte-identical
    lone, _ = load_checkpoint(single)
    assert isinstance(lone, ImportanceNet)
    assert first_member(lone) is lone
    path = tmp_path / "ens.pt"
    model_id = save_checkpoint(EnsembleNet([a, b]), path, {"note": "t"}, judge=judge)
    scorer = load_scorer(str(path), device="cpu")
    assert scorer.model_id == model_id
    assert isinstance(scorer.forward, fastpath.FastForward)
    recs = [r for r, _ in Workload(11).next_batch(300, NOW)]
    got = scorer.score(recs)
    scorer.forward = scorer.model
    ref = scorer.score(recs)
    assert max(abs(x - y) for x, y in zip(got, ref, strict=True)) < 1e-5
    exp = scorer.explain(recs[:64], 5)
    assert abs(exp["score"] - scorer.score(recs[:64])[5]) < 1e-5


def _rewrite(data: bytes, **changes: object) -> bytes:
    obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    obj.update(changes)
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_member_weights_that_do_not_fit_are_refused() -> None:
    a, b = _net(1), _net(2)
    data = checkpoint_bytes(EnsembleNet([a, b]))
    small = _net(3, ModelConfig(d_model=16, heads=2, layers=1, ff=32)).state_dict()
    with pytest.raises(LocalError, match="do not fit"):
        load_checkpoint(_rewrite(data, member_state_dicts=[small]))
    with pytest.raises(LocalError, match="member weights"):
        load_checkpoint(_rewrite(data, member_state_dicts={"x": 1}))
    with pytest.raises(LocalError, match=f"at most {MAX_MEMBERS - 1}"):
        load_checkpoint(_rewrite(data, member_state_dicts=[b.state_dict()] * MAX_MEMBERS))
    with pytest.raises(LocalError, match="do not fit"):
        load_checkpoint(_rewrite(data, member_state_dicts=[7]))


def test_an_architecture_option_this_code_does_not_know_is_refused_not_dropped() -> None:
    # Session 51: trial P's checkpoints carry "causal": True. A tree without the option must not load them
    # as a plain network: same bytes, same model id, other scores.
    data = checkpoint_bytes(_net(1))
    cfg = CFG.to_dict()
    with pytest.raises(LocalError, match="does not know: causal"):
        load_checkpoint(_rewrite(data, config={**cfg, "causal": True}))
    with pytest.raises(LocalError, match="not a mapping"):
        load_checkpoint(_rewrite(data, config=[1, 2]))
    with pytest.raises(LocalError, match="architecture"):
        load_checkpoint(_rewrite(data, config={**cfg, "heads": "four"}))
    model, _ = load_checkpoint(_rewrite(data, config=cfg))  # the config as written loads
    assert model.cfg == CFG


def test_a_judge_of_several_networks_round_trips_and_scores_their_mean(tmp_path: Path) -> None:
    # Session 50: two judges of one recipe and two seeds, their logits averaged.
    a, b, j1, j2 = _net(1), _net(2), _net(3), _net(4)
    one = checkpoint_bytes(EnsembleNet([a, b]), {"note": "t"}, j1)
    two = checkpoint_bytes(EnsembleNet([a, b]), {"note": "t"}, EnsembleNet([j1, j2]))
    assert b"judge_member_state_dicts" not in one  # one judge: the bytes every earlier checkpoint has
    model, obj = load_checkpoint(two)
    judge = load_judge(obj)
    assert isinstance(judge, EnsembleNet)
    assert [torch.equal(m.head.weight, x.head.weight) for m, x in zip(judge.members, (j1, j2), strict=True)] == [True] * 2
    assert checkpoint_bytes(model, {"note": "t"}, judge) == two  # rebuilds stay byte-identical
    path = tmp_path / "judges.pt"
    path.write_bytes(two)
    scorer = load_scorer(str(path), device="cpu")
    recs = [r for r, _ in Workload(12).next_batch(80, NOW)]
    w = assemble_window([featurize_record(r) for r in recs])
    with torch.inference_mode():
        want = ((j1(w) + j2(w)) / 2).sigmoid().squeeze(0).tolist()
    got = scorer.score(recs, judge=True)
    assert max(abs(x - y) for x, y in zip(got, want, strict=True)) < 1e-5
    exp = scorer.explain(recs, 5, judge=True)
    assert exp["weights"] == "judge"
    assert abs(exp["score"] - got[5]) < 1e-5


def test_judge_member_weights_that_do_not_fit_are_refused() -> None:
    a, j = _net(1), _net(2)
    data = checkpoint_bytes(a, None, j)
    small = _net(3, ModelConfig(d_model=16, heads=2, layers=1, ff=32)).state_dict()
    for bad, match in (([small], "do not fit"), ({"x": 1}, "judge member weights"), ([7], "do not fit"),
                       ([j.state_dict()] * MAX_MEMBERS, f"at most {MAX_MEMBERS - 1}")):
        _, obj = load_checkpoint(_rewrite(data, judge_member_state_dicts=bad))
        with pytest.raises(LocalError, match=match):
            load_judge(obj)


def test_the_shipped_checkpoint_is_the_recipes_ensemble() -> None:
    from tests.scripts import load_script

    members = load_script("train_model.py", "train_model_members").MEMBERS
    data = (Path(fastpath.__file__).parent / "model.pt").read_bytes()
    model, obj = load_checkpoint(data)
    assert isinstance(model, EnsembleNet)
    assert len(model.members) == members
    assert obj["meta"]["train"]["seed"] == 0
    assert obj["meta"]["member_seeds"] == list(range(1, members))
    assert load_judge(obj) is not None  # the judge: fine-tuned from the first network
    scorer = load_scorer(device="cpu")
    assert isinstance(scorer.forward, fastpath.FastForward)
    assert scorer.forward.members == list(scorer.model.members)
