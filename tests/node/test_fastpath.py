"""The inference fast path (node/attention/fastpath.py) computes what model.forward computes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

import node.attention.fastpath as fastpath
from node.attention.features import WindowFeatures, assemble_window, featurize_record
from node.attention.history import History
from node.attention.model import ImportanceNet, ModelConfig, stack_windows
from node.attention.scorer import load_scorer
from node.attention.train import load_checkpoint
from node.workload import Workload

NOW = 1_700_000_000_000
CKPT_DIR = Path(fastpath.__file__).parent
TOL = 1e-5
SIZES = (1, 2, 17, 128, 512)


def _records(n: int, seed: int) -> list:
    return [r for r, _ in Workload(seed).next_batch(n, NOW)]


@pytest.fixture(scope="module")
def windows() -> list[tuple[str, WindowFeatures]]:
    """Windows of every size, with and without a history of earlier records of the same stream."""
    out = []
    stream = _records(600 + max(SIZES), seed=31)
    hist = History.from_records(stream[:600])
    for n in SIZES:
        feats = [featurize_record(r) for r in stream[600:600 + n]]
        out.append((f"{n} records", assemble_window(feats)))
        out.append((f"{n} records + history", assemble_window(feats, hist)))
    return out


def _models() -> list[tuple[str, ImportanceNet]]:
    out = []
    for name in ("model.pt", "nobias.pt", "mlp.pt"):
        model, _ = load_checkpoint((CKPT_DIR / name).read_bytes())
        out.append((name, model.eval()))
    torch.manual_seed(7)
    out.append(("fresh default config", ImportanceNet(ModelConfig()).eval()))
    torch.manual_seed(8)
    out.append(("fresh small config", ImportanceNet(ModelConfig(d_model=16, heads=2, layers=1, ff=32)).eval()))
    torch.manual_seed(9)
    out.append(("fresh 3 layers", ImportanceNet(ModelConfig(d_model=32, heads=8, layers=3, ff=64)).eval()))
    return out


MODELS = _models()


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[m[0] for m in MODELS])
def test_agrees_with_model_forward(name: str, model: ImportanceNet, windows: list,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fast = fastpath.fast_forward_for(model)
    cfg = model.cfg
    if not (cfg.attention and cfg.pair_bias and cfg.rel_values):
        assert fast is None  # an architecture it does not know: the scorer uses model.forward
        return
    assert fast is not None
    # Small windows normally take model.forward (MIN_RECORDS, and 1-2 records are all
    # same-kind pairs): force the grouped form on every window.
    monkeypatch.setattr(fastpath, "MIN_RECORDS", 1)
    monkeypatch.setattr(fastpath, "MAX_PAIR_SHARE", 1.0)
    with torch.inference_mode():
        for label, w in windows:
            ref = model(w)
            got = fast(w)
            assert got.shape == ref.shape, label
            assert torch.allclose(got, ref, rtol=0.0, atol=TOL), (label, float((got - ref).abs().max()))
    assert fast.calls["blocks"] == len(windows)  # the grouped form ran on every window


def test_shipped_checkpoint_is_served_by_the_fast_path() -> None:
    scorer = load_scorer()
    assert isinstance(scorer.forward, fastpath.FastForward)
    recs = _records(300, seed=5)
    a = scorer.score(recs)
    assert a == scorer.score(recs)  # bit-identical in-process
    scorer.forward = scorer.model
    b = scorer.score(recs)
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < TOL


def _window(kinds: list[int], content: list[int] | None = None) -> WindowFeatures:
    recs = _records(len(kinds), seed=12)
    w = assemble_window([featurize_record(r) for r in recs])
    fields = {"kind": torch.tensor(kinds, dtype=torch.int64)}
    if content is not None:
        fields["content"] = torch.tensor(content, dtype=torch.int64)
    return replace(w, **fields)


def test_falls_back_where_the_grouped_form_does_not_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "MIN_RECORDS", 16)  # so that each case below falls back for its own reason
    model = MODELS[0][1]
    fast = fastpath.fast_forward_for(model)
    assert fast is not None
    with torch.inference_mode():
        cases = [
            _window([1] * 200),  # one kind: every pair is same-kind
            _window([i % 2 for i in range(200)]),  # half of all pairs
            _window(list(range(200))),  # more kinds than MAX_KINDS
            _window([i % 8 for i in range(200)], content=[5, 5] + list(range(198))),  # a digest shared by 2 kinds
            _window([i % 8 for i in range(8)]),  # below MIN_RECORDS
        ]
        for w in cases:
            assert torch.equal(fast(w), model(w))
        batch = stack_windows([cases[0], cases[1]])
        assert torch.equal(fast(batch), model(batch))
    assert fast.calls == {"blocks": 0, "model": len(cases) + 1}
    with torch.inference_mode():
        fast(_window([i % 8 for i in range(200)], content=list(range(200))))  # none of those reasons
    assert fast.calls["blocks"] == 1


def test_grouped_form_with_duplicates_across_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact and near copies, bursts and a shared digest within a kind all land in the kind blocks."""
    monkeypatch.setattr(fastpath, "MIN_RECORDS", 1)
    model = MODELS[0][1]
    fast = fastpath.fast_forward_for(model)
    assert fast is not None
    recs = _records(150, seed=21)
    recs = recs + recs[:40] + recs[10:20]  # exact copies, later in the window
    feats = [featurize_record(r) for r in recs]
    w = assemble_window(feats)
    with torch.inference_mode():
        assert torch.allclose(fast(w), model(w), rtol=0.0, atol=TOL)
    assert fast.calls["blocks"] == 1


def test_unsupported_modules_are_refused() -> None:
    assert not fastpath.supported(object())
    model = MODELS[0][1]
    monkey = ImportanceNet(model.cfg)
    monkey.cfg = replace(model.cfg, rel_values=False)
    assert not fastpath.supported(monkey)


def test_a_fast_path_that_disagrees_with_the_model_turns_itself_off(monkeypatch: pytest.MonkeyPatch) -> None:
    model = MODELS[0][1]
    fast = fastpath.fast_forward_for(model)
    assert fast is not None
    real = fastpath._dense_channels

    def drifted(*args: object) -> torch.Tensor:  # as if model.py's channels had changed under us
        return real(*args).mul_(1.5)

    monkeypatch.setattr(fastpath, "_dense_channels", drifted)
    w = _window([i % 8 for i in range(300)], content=list(range(300)))
    with torch.inference_mode():
        first = fast(w)
        assert torch.equal(first, model(w))  # the model's logits, not the drifted ones
        assert fast.disabled
        assert not fast.verified
        assert torch.equal(fast(w), model(w))
    assert fast.calls == {"blocks": 0, "model": 2}


def test_the_first_grouped_window_is_checked_once() -> None:
    fast = fastpath.fast_forward_for(MODELS[0][1])
    assert fast is not None
    w = _window([i % 8 for i in range(300)], content=list(range(300)))
    with torch.inference_mode():
        fast(w)
        fast(w)
    assert fast.verified
    assert not fast.disabled
    assert fast.calls == {"blocks": 2, "model": 0}
