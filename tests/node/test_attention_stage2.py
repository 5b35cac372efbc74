"""Stage 2 data and fine-tuning: blocks shaped the way validators score them."""

from __future__ import annotations

import torch

from node.attention.data import make_view_block_windows
from node.attention.features import WindowFeatures
from node.attention.model import ImportanceNet, ModelConfig
from node.attention.train import FinetuneConfig, TrainConfig, finetune


def _by_position(w: WindowFeatures) -> list[float]:
    # A stand-in scorer: later records score higher (deterministic, no model needed).
    n = w.cat.shape[-2]
    return [i / n for i in range(n)]


def test_view_blocks_put_the_block_after_committed_context_and_weigh_only_the_block() -> None:
    ws = make_view_block_windows([3], 2, _by_position, family="randomized", warmup=2,
                                 lengths=(64,), context=128)
    assert len(ws) == 6  # honest, junk, random per window
    committed: list = []
    for j, w in enumerate(ws):
        assert w.weight is not None
        k = int(w.weight.gt(0).sum())
        block = [i for i, c in enumerate(w.cases) if c != "context"]
        ctx = [i for i, c in enumerate(w.cases) if c == "context"]
        assert ctx == list(range(len(ctx)))  # the context comes first
        assert len(block) == 6  # 10% of 64
        assert w.weight[: len(ctx)].eq(0).all()
        assert w.target[: len(ctx)].eq(0).all()
        assert k <= len(block)
        if j % 3 == 0:  # honest: the best-scoring (here: the last) records of the window
            committed = list(w.records[len(ctx):])
        else:  # junk and random are scored after the honest block committed: it ends their context
            assert list(w.records[len(ctx) - len(committed):len(ctx)]) == committed
    # the context never exceeds what fills a window of 128 records
    assert all(len(w) <= 128 for w in ws)


def test_orphan_masking_leaves_orphans_out_of_the_loss() -> None:
    plain = make_view_block_windows(range(4), 2, _by_position, family="domains", lengths=(128,))
    masked = make_view_block_windows(range(4), 2, _by_position, family="domains", lengths=(128,),
                                     mask_orphans=True)
    assert [w.records for w in plain] == [w.records for w in masked]
    dropped = sum(int(a.weight.sum() - b.weight.sum()) for a, b in zip(plain, masked, strict=True))
    assert dropped > 0
    for w in masked:
        for i, c in enumerate(w.cases):
            if w.weight[i] == 0 and c != "context":
                assert c in ("dup", "near_dup", "burst_tail", "novel_follow")


def test_finetune_trains_only_the_named_parameters_and_is_deterministic() -> None:
    ws = make_view_block_windows([5], 1, _by_position, family="randomized", lengths=(64,))
    cfg = TrainConfig(model=ModelConfig(d_model=16, heads=2, ff=32, layers=1))
    ft = FinetuneConfig(epochs=1, train_only="head.")

    def run() -> dict[str, torch.Tensor]:
        torch.manual_seed(7)
        model = ImportanceNet(cfg.model)
        before = {k: v.clone() for k, v in model.state_dict().items()}
        finetune(model, cfg, ft, ws)
        after = model.state_dict()
        changed = {k for k in after if not torch.equal(before[k], after[k])}
        assert changed == {"head.weight", "head.bias"}
        assert all(p.requires_grad for p in model.parameters())  # restored for later use
        return after

    a, b = run(), run()
    assert all(torch.equal(a[k], b[k]) for k in a)
