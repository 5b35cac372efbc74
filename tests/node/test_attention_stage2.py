"""Stage 2 data and fine-tuning: blocks shaped the way validators score them."""

from __future__ import annotations

import pytest
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


def test_primed_blocks_pad_the_plain_blocks_with_names_the_view_holds() -> None:
    from node.attention.data import PRIMED_KINDS
    from node.attention.features import FeatureCache
    from node.attention.history import History

    kinds = ("honest", "junk", "random", *PRIMED_KINDS)
    ws = make_view_block_windows([3, 4], 4, _by_position, family="randomized", warmup=2, lengths=(64, 128),
                                 kinds=kinds, prime_share=1.0)
    plain = make_view_block_windows([3, 4], 4, _by_position, family="randomized", warmup=2, lengths=(64, 128))
    assert len(ws) == 5 * 8
    assert len(plain) == 3 * 8
    # per window: honest, honest padded, junk, random, junk padded
    for j in range(8):
        honest, honest_pad, junk, _random, junk_pad = ws[5 * j:5 * j + 5]
        for block, padded in ((honest, honest_pad), (junk, junk_pad)):
            ctx = block.cases.count("context")
            assert padded.cases == block.cases
            assert torch.equal(padded.target, block.target)
            assert padded.records[:ctx] == block.records[:ctx]  # the same context, primers in it
            added = set()
            for a, b in zip(block.records[ctx:], padded.records[ctx:], strict=True):
                assert (a.kind, a.origin, a.ts_ms) == (b.kind, b.origin, b.ts_ms)
                assert set(a.fields) < set(b.fields)
                assert all(b.fields[f] == v for f, v in a.fields.items())  # nothing else changed
                added |= set(b.fields) - set(a.fields)
            # the names were committed first: the context (the proposer's last records) carries them
            carried = {f for r in padded.records[:ctx] for f in r.fields}
            assert added <= carried
    # selection and targets of the plain blocks do not depend on priming (the stand-in scorer ignores views)
    plain_of = [w for i, w in enumerate(ws) if i % 5 in (0, 2, 3)]
    for a, b in zip(plain_of, plain, strict=True):
        ctx_a, ctx_b = a.cases.count("context"), b.cases.count("context")
        assert a.records[ctx_a:] == b.records[ctx_b:]
        assert torch.equal(a.target[ctx_a:], b.target[ctx_b:])
    # once the primers committed, a padded name is no field its kind never had (a made-up label value
    # may still be unheard of in a field most primers agree on: that is the value rule, as validators
    # count it); without the primers every padded record claims a name its kind never had
    claims = []
    for honest, honest_pad in zip(ws[0::5], ws[1::5], strict=True):
        ctx = honest.cases.count("context")
        made_up = {f for a, b in zip(honest.records[ctx:], honest_pad.records[ctx:], strict=True)
                   for f in set(b.fields) - set(a.fields)}
        cache = FeatureCache()
        view, bare = History(4096, cache), History(4096, cache)
        view.add(honest.records[:ctx])
        bare.add(r for r in honest.records[:ctx] if not made_up & set(r.fields))
        for a, b in zip(honest.records[ctx:], honest_pad.records[ctx:], strict=True):
            claim = view.novelty_claim(cache.get(b))
            assert claim is None or "never had" not in claim or view.novelty_claim(cache.get(a)) == claim
            claims.append(claim)
            if bare.novelty_claim(cache.get(a)) is None:
                assert "never had" in (bare.novelty_claim(cache.get(b)) or "")
    assert claims.count(None) > len(claims) // 2


def test_finetune_config_of_the_shipped_judge_is_the_default() -> None:
    """The shipped checkpoint's judge recipe is FinetuneConfig's defaults, as written into its meta:
    a field added later (prime_version) must not appear at its old value, or the judge rebuilds to
    other bytes (scripts/train_model.py --verify)."""
    from dataclasses import replace
    from pathlib import Path

    from node.attention.train import load_checkpoint

    _, obj = load_checkpoint((Path(__file__).resolve().parents[2] / "node/attention/model.pt").read_bytes())
    assert obj["meta"]["judge"] == FinetuneConfig().to_dict()
    assert replace(FinetuneConfig(), prime_version=2).to_dict()["prime_version"] == 2


def test_primed_version_2_primes_up_to_128_per_kind_and_pads_apart() -> None:
    """Trial P2 (review 28, row 3): many primers per kind, and padding drawn unlike the primers for
    about half of the names; version 1 draws as session 28 did (primer and padding the same)."""
    import random

    from node.attention.data import _Padding
    from protocol.keys import PrivateKey
    from protocol.record import Record

    rng = random.Random(5)
    v1 = [_Padding.draw(rng, 1) for _ in range(200)]
    assert all(p is q for pad in v1 for _, p, q in pad.fields)
    assert max(p.times for p in v1) == 16
    v2 = [_Padding.draw(rng, 2) for _ in range(400)]
    assert max(p.times for p in v2) == 128
    assert {p.most for p in v2} == {512}
    fields = [f for pad in v2 for f in pad.fields]
    same = sum(p is q for _, p, q in fields)
    assert 0.35 < same / len(fields) < 0.65
    apart = 0
    for _, p, q in fields:
        if p is q:
            continue
        a, b = random.Random(1), random.Random(2)
        primed, padded = {repr(p(a)) for _ in range(50)}, {repr(q(b)) for _ in range(50)}
        apart += not (primed & padded)
    assert apart > (len(fields) - same) // 2  # most apart draws share no value with the primers
    origin = PrivateKey(b"\x07" * 32).peer_id
    pool = [Record.create(k, origin, 1_700_000_000_000 + i, {"x": float(i)}) for i, k in enumerate("abc" * 4)]
    pad = next(p for p in v2 if p.times == 128)
    primers = pad.primers(random.Random(3), pool, 1_700_000_100_000)
    assert len(primers) == 3 * 128
    assert all(set(r.fields) == {"x", *(n for n, _, _ in pad.fields)} for r in primers)


def test_fabricated_blocks_are_the_junk_block_with_made_up_numbers_and_its_targets() -> None:
    """Review 48, finding 2: the judge learns that a number a proposer made up carries nothing. The
    fabricated block is the junk block (same context, same view, same targets) with numbers multiplied
    far off; nothing else about a record changes, and the plain blocks are the same with or without it."""
    from node.attention.data import BLOCK_KINDS, FABRICATED_KINDS

    ws = make_view_block_windows([3, 4], 4, _by_position, family="randomized", warmup=2, lengths=(64, 128),
                                 kinds=(*BLOCK_KINDS, *FABRICATED_KINDS), fabricated_share=1.0)
    plain = make_view_block_windows([3, 4], 4, _by_position, family="randomized", warmup=2, lengths=(64, 128))
    assert len(ws) == 4 * 8
    assert len(plain) == 3 * 8
    changed = kept = 0
    ratios = []
    for j in range(8):
        honest, junk, rand, fab = ws[4 * j:4 * j + 4]
        for a, b in zip((honest, junk, rand), plain[3 * j:3 * j + 3], strict=True):
            assert a.records == b.records
            assert torch.equal(a.target, b.target)
        ctx = junk.cases.count("context")
        assert fab.cases == junk.cases
        assert torch.equal(fab.target, junk.target)
        assert fab.records[:ctx] == junk.records[:ctx]
        for a, b in zip(junk.records[ctx:], fab.records[ctx:], strict=True):
            assert (a.kind, a.origin, a.ts_ms, list(a.fields)) == (b.kind, b.origin, b.ts_ms, list(b.fields))
            moved = [f for f in a.fields if a.fields[f] != b.fields[f]]
            for f in moved:
                assert not isinstance(a.fields[f], str | bool)
                if a.fields[f]:
                    ratios.append(abs(float(b.fields[f]) / float(a.fields[f])))
            changed += bool(moved)
            kept += not moved
    assert changed > kept > 0  # most of the junk is dressed up; part of some blocks is left as it was
    assert min(ratios) < 0.2
    assert max(ratios) > 1e4
    assert sum(1 for r in ratios if 0.2 <= r <= 4.0) <= len(ratios) // 50  # rounding of small integers only


def test_fabrication_is_a_function_of_the_record_and_keeps_integers_whole_when_drawn() -> None:
    import random

    from node.attention.data import _Fabrication
    from node.workload import Workload
    from protocol.record import Record

    origin = Workload(1).origins[0]
    r = Record.create("meter", origin, 1_700_000_000_000, {"count": 12, "load": 3.5, "site": "x", "ok": True})
    whole = _Fabrication("every", 1.0, 7, True)
    a, b = whole.apply(r), whole.apply(r)
    assert a == b
    assert a.cid != r.cid
    assert isinstance(a.fields["count"], int)
    assert a.fields["site"] == "x"
    assert a.fields["ok"] is True
    assert isinstance(_Fabrication("every", 1.0, 7, False).apply(r).fields["count"], float)
    one = _Fabrication("one", 1.0, 7, False).apply(r)
    assert sum(one.fields[f] != r.fields[f] for f in r.fields) == 1
    assert _Fabrication("every", 1.0, 7, True).apply(Record.create("t", origin, 1, {"s": "a"})).fields == {"s": "a"}
    rng = random.Random(0)
    factors = [abs(_Fabrication.factor(rng)) for _ in range(2000)]
    assert min(factors) >= 1e-3
    assert max(factors) <= 1e6
    assert not any(0.2 < f < 5.0 for f in factors)


def test_the_fabricated_share_stays_out_of_the_judge_recipe_at_zero() -> None:
    from dataclasses import replace

    assert "fabricated_share" not in FinetuneConfig().to_dict()
    assert replace(FinetuneConfig(), fabricated_share=0.5).to_dict()["fabricated_share"] == 0.5


def test_replayed_blocks_resend_the_committed_honest_block_at_the_targets_of_copies() -> None:
    """Session 49: trial M's judge let re-typed replays of committed news through more often than K's. The
    replayed block is the honest block again, after the window, each record changed a little (or not at
    all), scored against the view that holds the honest block, at 0.02 (0.01 exact); the other blocks are
    the same with or without it."""
    from node.attention.data import BLOCK_KINDS, REPLAYED_KINDS

    ws = make_view_block_windows([3, 4], 4, _by_position, family="randomized", warmup=2, lengths=(64, 128),
                                 kinds=(*BLOCK_KINDS, *REPLAYED_KINDS), replayed_share=1.0)
    plain = make_view_block_windows([3, 4], 4, _by_position, family="randomized", warmup=2, lengths=(64, 128))
    assert len(ws) == 4 * 8
    hows = set()
    for j in range(8):
        honest, junk, rand, replay = ws[4 * j:4 * j + 4]
        for a, b in zip((honest, junk, rand), plain[3 * j:3 * j + 3], strict=True):
            assert a.records == b.records
        ctx_h, ctx_r = honest.cases.count("context"), replay.cases.count("context")
        assert replay.records[:ctx_r] == junk.records[:junk.cases.count("context")]
        originals, copies = honest.records[ctx_h:], replay.records[ctx_r:]
        assert len(originals) == len(copies)
        assert set(replay.cases[ctx_r:]) == {"replay"}
        assert replay.records[ctx_r - len(originals):ctx_r] == originals  # the originals end the context
        for a, b, t in zip(originals, copies, replay.target[ctx_r:].tolist(), strict=True):
            assert (a.kind, a.origin) == (b.kind, b.origin)
            assert b.ts_ms > a.ts_ms
            same = dict(a.fields) == dict(b.fields)
            assert t == pytest.approx(0.01 if same else 0.02)
            changed = {f for f in set(a.fields) | set(b.fields) if a.fields.get(f) != b.fields.get(f)}
            assert len(changed) <= 2
            hows.add("exact" if same else "changed")
        assert replay.weight[ctx_r:].eq(1).all()
    assert hows == {"exact", "changed"}


def test_a_replay_changes_what_it_draws_and_keeps_types() -> None:
    import random

    from node.attention.data import _Replay
    from node.workload import Workload
    from protocol.record import Record

    origin = Workload(1).origins[0]
    r = Record.create("meter", origin, 1_000, {"count": 12, "load": 3.5, "site": "north", "ok": True})
    for how in ("exact", "retype", "nudge", "added", "mixed"):
        b, t = _Replay(how, 5).apply(r, 2_000)
        assert b == _Replay(how, 5).apply(r, 2_000)[0]
        assert b.ts_ms == 2_000
        assert b.fields["ok"] is True
        changed = {f for f in set(r.fields) | set(b.fields) if r.fields.get(f) != b.fields.get(f)}
        if how == "exact":
            assert not changed
            assert t == 0.01
        else:
            assert changed
            assert t == 0.02
        if how == "retype":
            assert changed == {"site"}
        if how == "nudge":
            assert changed <= {"count", "load"}
            assert isinstance(b.fields["count"], int)
            assert 0.5 * 3.5 < b.fields["load"] < 1.5 * 3.5
        if how == "added":
            assert changed.isdisjoint(r.fields)
    bare, t = _Replay("retype", 5).apply(Record.create("t", origin, 1, {"n": 1.0}), 2)
    assert set(bare.fields) > {"n"}  # no label to re-type: a made-up field instead
    assert t == 0.02
    rng = random.Random(1)
    assert all(_Replay.retyped("abc", rng) != "abc" for _ in range(200))
    assert "replayed_share" not in FinetuneConfig().to_dict()
