"""The judge: a checkpoint's second set of weights, which gives every in-block score."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import trio

from node.attention import load_scorer
from node.attention.model import ImportanceNet, ModelConfig
from node.attention.scorer import Scorer, default_checkpoint_path
from node.attention.train import checkpoint_bytes, load_checkpoint, load_judge, save_checkpoint
from node.core.views import Views
from node.worker import Worker
from node.workload import Workload
from protocol.cid import cid_of
from protocol.errors import LocalError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.validators import ValidatorSet

NOW = 1_700_000_000_000
TINY = ModelConfig(d_model=16, heads=2, layers=1, ff=32)


def _tiny(seed: int) -> ImportanceNet:
    torch.manual_seed(seed)
    return ImportanceNet(TINY).eval()


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("judge")
    model, judge = _tiny(0), _tiny(1)
    out = {"plain": d / "plain.pt", "judged": d / "judged.pt"}
    save_checkpoint(model, out["plain"], {"note": "t"})
    save_checkpoint(model, out["judged"], {"note": "t"}, judge=judge)
    return out


def records(n: int, seed: int = 4) -> list:
    return [r for r, _ in Workload(seed).next_batch(n, NOW)]


def test_the_judge_is_part_of_the_checkpoint_and_of_the_model_id(paths: dict[str, Path]) -> None:
    plain, judged = paths["plain"].read_bytes(), paths["judged"].read_bytes()
    assert cid_of(plain) != cid_of(judged)  # a node with other judge weights names another model
    model, obj = load_checkpoint(judged)
    judge = load_judge(obj)
    assert judge is not None
    assert load_judge(load_checkpoint(plain)[1]) is None
    # Serializing again gives the same bytes: rebuilds stay byte-identical.
    assert checkpoint_bytes(model, {"note": "t"}, judge) == judged
    with pytest.raises(ValueError, match="architecture"):
        checkpoint_bytes(model, None, ImportanceNet(ModelConfig(d_model=8, heads=2, layers=1, ff=16)))


def test_judge_weights_that_do_not_fit_are_refused(paths: dict[str, Path], tmp_path: Path) -> None:
    import io

    obj = torch.load(io.BytesIO(paths["judged"].read_bytes()), weights_only=True)
    obj["judge_state_dict"].pop(next(iter(obj["judge_state_dict"])))
    bad = tmp_path / "bad.pt"
    torch.save(obj, bad)
    with pytest.raises(LocalError, match="judge weights"):
        load_scorer(str(bad), device="cpu")


def test_judge_scores_come_from_the_judge_weights(paths: dict[str, Path]) -> None:
    s = load_scorer(str(paths["judged"]), device="cpu")
    plain = load_scorer(str(paths["plain"]), device="cpu")
    recs = records(40)
    assert s.score(recs) == plain.score(recs)  # ranking: the model's weights
    judged = s.score(recs, judge=True)
    assert judged != s.score(recs)
    alone = Scorer(load_judge(load_checkpoint(paths["judged"].read_bytes())[1]), "x", "cpu", 1024)
    assert judged == pytest.approx(alone.score(recs), abs=1e-6)
    # Without a judge, judge=True is the model.
    assert plain.score(recs, judge=True) == plain.score(recs)
    exp = s.explain(recs, 3, judge=True)
    assert exp["weights"] == "judge"
    assert exp["score"] == pytest.approx(judged[3], abs=1e-5)
    assert s.explain(recs, 3)["weights"] == "model"


async def test_views_score_blocks_with_the_judge_and_windows_with_the_model(paths: dict[str, Path]) -> None:
    s = load_scorer(str(paths["judged"]), device="cpu")
    keys = [PrivateKey(bytes([0xB0 + i]) * 32) for i in range(3)]
    genesis = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in keys),
                      accepted_model_ids=(s.model_id,))
    views = Views(genesis, s, Worker("model"), capacity=256)
    me = keys[0].peer_id
    recs = records(30)
    view = views.current()
    hist = views.history(view)
    block = await views.score(recs, view, me)  # a block's records, as validators score them
    window = await views.score(recs, view, me, judge=False)  # a proposer ranking its window
    assert block == s.score(recs, hist, judge=True)
    assert window == s.score(recs, hist)
    assert block != window
    await trio.lowlevel.checkpoint()


def test_the_shipped_checkpoint_has_a_judge() -> None:
    _, obj = load_checkpoint(default_checkpoint_path().read_bytes())
    assert load_judge(obj) is not None
    assert obj["meta"]["judge"]["kinds"] == "honest,junk,random"


def test_the_shipped_judge_separates_honest_from_junk_blocks_at_the_genesis_bar() -> None:
    """A small replay of scripts/calibrate_block_importance.py on held-out seeds of a held-out family:
    honest blocks (the best tenth of each window) clear the genesis default bar, junk blocks (the
    worst tenth) do not. With the ranking weights scoring blocks (the checkpoint before the judge,
    57efd25) honest blocks miss this bar: the test fails there."""
    from node.attention.history import DEFAULT_CAPACITY
    from node.workload.holdout_fleet import FleetWorkload
    from protocol.admission import SCORING_CONTEXT, block_importance, without_history_copies

    s = load_scorer(device="cpu")
    bar = Genesis.__dataclass_fields__["min_block_importance"].default
    quota = DEFAULT_CAPACITY // 4
    passed: dict[str, list[bool]] = {"honest": [], "junk": []}
    for seed in (900_100, 900_101, 900_102):
        wl = FleetWorkload(seed)
        view = s.history(capacity=quota)
        mine: list = []
        now = NOW
        for step in range(5):
            batch = wl.next_labeled(256, now)
            now = batch[-1].record.ts_ms + 60_000
            recs = [lr.record for lr in batch]
            known = [view.has_content(s.cache.get(r).content) for r in recs]
            window = without_history_copies(s.score(recs, view), known)
            ranked = sorted(range(256), key=lambda i: (-window[i], i))
            blocks = {"honest": sorted(ranked[:26]), "junk": sorted(ranked[-26:])}
            for name in ("honest", "junk") if step >= 2 else ():
                block = [recs[i] for i in blocks[name]]
                ctx = mine[len(mine) - min(len(mine), SCORING_CONTEXT - len(block)):]
                own = s.score(ctx + block, view, judge=True)[len(ctx):]
                own = without_history_copies(own, [view.has_content(s.cache.get(r).content) for r in block])
                passed[name].append(block_importance(own) >= bar)
                if name == "honest":
                    view.add(block)
                    mine += block
            if step < 2:
                honest = [recs[i] for i in blocks["honest"]]
                view.add(honest)
                mine += honest
    assert sum(passed["honest"]) >= 8  # of 9
    assert sum(passed["junk"]) <= 1
