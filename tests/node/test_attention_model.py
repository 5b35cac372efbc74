"""The model: checkpoints, training, determinism, scoring windows, explanations."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from node.attention import Scorer, load_scorer, window_slices
from node.attention.data import make_block_windows, make_windows
from node.attention.model import ImportanceNet, ModelConfig, stack_windows
from node.attention.scorer import default_checkpoint_path
from node.attention.train import (
    BlockAugment,
    TrainConfig,
    checkpoint_bytes,
    load_checkpoint,
    loss_fn,
    save_checkpoint,
    train,
)
from node.workload import Workload
from protocol.cid import cid_of
from protocol.errors import LocalError
from protocol.record import Record

NOW = 1_700_000_000_000
TINY = ModelConfig(d_model=16, heads=2, layers=1, ff=32)
REPO = Path(__file__).resolve().parents[2]
PEER = Workload(1).origins[0]


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    save_checkpoint(ImportanceNet(TINY), path, {"note": "test"})
    return path


@pytest.fixture(scope="module")
def scorer(tiny_ckpt: Path) -> Scorer:
    return load_scorer(str(tiny_ckpt), device="cpu")


def records(n: int, seed: int = 4) -> list:
    return [r for r, _ in Workload(seed).next_batch(n, NOW)]


def test_checkpoint_round_trip_and_stable_model_id(tiny_ckpt: Path, scorer: Scorer) -> None:
    data = tiny_ckpt.read_bytes()
    assert scorer.model_id == cid_of(data)
    model, obj = load_checkpoint(data)
    assert obj["meta"] == {"note": "test"}
    assert obj["max_window"] == 1024
    # Serializing the loaded model again gives the very same bytes, hence the same model_id.
    assert checkpoint_bytes(model, {"note": "test"}) == data
    for (k, a), (_, b) in zip(model.state_dict().items(), scorer.model.state_dict().items(), strict=True):
        assert torch.equal(a, b), k


def test_lexicon_is_covered_by_the_model_id(tiny_ckpt: Path, tmp_path: Path) -> None:
    import io

    from node.attention.lexicon import LEXICON_ID

    obj = torch.load(io.BytesIO(tiny_ckpt.read_bytes()), weights_only=True)
    assert obj["features"]["lexicon"] == LEXICON_ID
    obj["features"]["lexicon"] = "attnshare-lexicon/0#0000"
    other = tmp_path / "other-lexicon.pt"
    torch.save(obj, other)
    with pytest.raises(LocalError, match="different feature"):
        load_scorer(str(other))


@pytest.mark.parametrize(("key", "value"), [("revision", 1), ("quantity", "attnshare-quantity/0"), ("revision", None)])
def test_the_features_revision_and_quantity_format_are_covered_by_the_model_id(
        tiny_ckpt: Path, tmp_path: Path, key: str, value: object) -> None:
    # Session 12: a checkpoint saved before quantities and wide records were read (revision 1, or
    # no revision at all) would score the same records differently from validators on revision 2.
    import io

    from node.attention.features import FEATURE_REVISION
    from node.attention.quantity import QUANTITY_FORMAT

    obj = torch.load(io.BytesIO(tiny_ckpt.read_bytes()), weights_only=True)
    assert obj["features"]["revision"] == FEATURE_REVISION
    assert obj["features"]["quantity"] == QUANTITY_FORMAT
    if value is None:
        del obj["features"][key]
    else:
        obj["features"][key] = value
    other = tmp_path / "other-revision.pt"
    torch.save(obj, other)
    with pytest.raises(LocalError, match="different feature"):
        load_scorer(str(other))


def test_corrupt_or_foreign_checkpoints_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(LocalError, match="not a loadable"):
        load_scorer(str(bad))
    foreign = tmp_path / "foreign.pt"
    torch.save({"format": "something-else"}, foreign)
    with pytest.raises(LocalError, match="not an attnshare"):
        load_scorer(str(foreign))
    with pytest.raises(LocalError, match="cannot read"):
        load_scorer(str(tmp_path / "missing.pt"))


def _rank_part(logits: list[float], target: list[float]) -> float:
    """What the ranking terms add to the cross-entropy (rank weight 1) for one window."""
    lg, t = torch.tensor([logits]), torch.tensor([target])
    return float(loss_fn(lg, t, "bce", 1.0) - loss_fn(lg, t, "bce", 0.0))


def test_ranking_terms_order_news_and_the_routine_floor() -> None:
    # News (0.5) above a routine record (0.04): ranking it under costs more than over.
    assert _rank_part([-2.0, 2.0], [0.5, 0.04]) > _rank_part([2.0, -2.0], [0.5, 0.04]) + 1.0
    # The floor: a routine record (0.04) above a burst tail (0.035), a re-send (0.01) or a copy (0.004).
    for low in (0.035, 0.01, 0.004):
        assert _rank_part([-2.0, 2.0], [0.04, low]) > _rank_part([2.0, -2.0], [0.04, low]) + 1.0, low
    # A near copy of news (0.06) and a routine record are in neither set (trial I put such copies in
    # the top half): their order costs nothing beyond the cross-entropy.
    assert _rank_part([-2.0, 2.0], [0.06, 0.04]) == pytest.approx(0.0, abs=1e-6)
    assert _rank_part([2.0, -2.0], [0.06, 0.04]) == pytest.approx(0.0, abs=1e-6)
    # Records a hair apart (two routine ones) are not ordered either.
    assert _rank_part([-2.0, 2.0], [0.04, 0.0375]) == pytest.approx(0.0, abs=1e-6)


def test_short_training_lowers_the_loss() -> None:
    windows = make_windows(range(1, 4), 4, (48,))
    cfg = TrainConfig(model=TINY, epochs=8, lr=1e-2, threads=1, tokens_per_batch=192)

    def loss_of(model: ImportanceNet) -> float:
        with torch.no_grad():
            feats = stack_windows([w.feats for w in windows])
            return float(loss_fn(model(feats), torch.stack([w.target for w in windows]), "mse", 0.0))

    torch.manual_seed(cfg.seed)
    before = loss_of(ImportanceNet(TINY).eval())
    result = train(cfg, windows=windows)
    after = loss_of(result.model)
    assert after < 0.8 * before, (before, after)
    # Same seed, same threads: bit-identical weights.
    again = train(cfg, windows=windows)
    assert checkpoint_bytes(again.model) == checkpoint_bytes(result.model)


def test_block_windows_are_subsets_scored_as_blocks() -> None:
    args = (range(1, 4), 6, (64, 128), (4, 8, 16))
    wins = make_block_windows(*args, shuffle_seed=3)
    again = make_block_windows(*args, shuffle_seed=3)
    assert [w.records for w in wins] == [w.records for w in again]
    assert all(torch.equal(a.target, b.target) for a, b in zip(wins, again, strict=True))
    for w in wins:
        assert len(w) in (4, 8, 16)
        ts = [r.ts_ms for r in w.records]
        assert ts == sorted(ts)  # window order is kept
        assert all(-1 <= ref < len(w) for ref in w.refs)
    # Honest subsets carry more ground-truth importance than junk ones.
    honest = make_block_windows(*args, mix=(1.0, 0.0, 0.0))
    junk = make_block_windows(*args, mix=(0.0, 1.0, 0.0))
    assert min(float(w.target.mean()) for w in honest) > max(float(w.target.mean()) for w in junk)
    # Without orphans no record repeats something the subset lacks.
    dependent = {"dup", "near_dup", "burst_tail", "novel_follow", "resend"}
    for w in make_block_windows(*args, drop_orphans=True):
        assert not dependent & set(w.cases)


def test_block_augmented_training_is_reproducible_and_opt_in() -> None:
    cfg = TrainConfig(model=TINY, worlds=1, windows_per_world=2, random_worlds=0, lengths=(32,),
                      length_weights=(1.0,), epochs=1, threads=1, tokens_per_batch=64)
    blocks = BlockAugment(per_world=3, sources=(64,), sizes=(8,))
    a = checkpoint_bytes(train(cfg, blocks=blocks).model)
    assert a == checkpoint_bytes(train(cfg, blocks=blocks).model)
    assert a != checkpoint_bytes(train(cfg).model)


def test_scores_are_deterministic_and_in_range(scorer: Scorer) -> None:
    recs = records(300)
    a = scorer.score(recs)
    b = scorer.score(list(recs))
    scorer.cache = type(scorer.cache)()  # featurize from scratch too
    c = scorer.score(recs)
    assert len(a) == 300
    assert all(0.0 <= s <= 1.0 for s in a)
    assert a == b == c


def test_scores_agree_in_a_new_process(tiny_ckpt: Path, scorer: Scorer) -> None:
    recs = records(200, seed=9)
    here = scorer.score(recs)
    code = (
        "import json, sys\n"
        "from node.attention import load_scorer\n"
        "from node.workload import Workload\n"
        f"recs = [r for r, _ in Workload(9).next_batch(200, {NOW})]\n"
        f"print(json.dumps(load_scorer({str(tiny_ckpt)!r}, device='cpu', threads=2).score(recs)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    there = json.loads(out.stdout)
    assert max(abs(x - y) for x, y in zip(here, there, strict=True)) < 1e-4


def test_window_slices_are_deterministic_and_bounded() -> None:
    assert window_slices(0, 1024) == []
    assert window_slices(1024, 1024) == [(0, 1024)]
    s = window_slices(2049, 1024)
    assert s == [(0, 683), (683, 1366), (1366, 2049)]
    for n in (1, 5, 1023, 1025, 5000):
        sl = window_slices(n, 1024)
        assert sl[0][0] == 0
        assert sl[-1][1] == n
        assert all(b - a <= 1024 and b - a >= (n // len(sl)) for a, b in sl)
        assert all(x[1] == y[0] for x, y in zip(sl, sl[1:], strict=False))


def test_long_inputs_are_scored_in_chunks(scorer: Scorer) -> None:
    recs = records(1100, seed=2)
    full = scorer.score(recs)
    assert len(full) == 1100
    # Each chunk is its own window: same scores as scoring the chunk alone.
    for a, b in window_slices(1100, scorer.max_window):
        assert scorer.score(recs[a:b]) == full[a:b]


def test_order_is_part_of_the_input(scorer: Scorer) -> None:
    recs = records(64, seed=3)
    fwd = scorer.score(recs)
    rev = scorer.score(recs[::-1])[::-1]
    # Same records, another order: a pure function of the sequence may differ, but stays in range.
    assert all(0.0 <= s <= 1.0 for s in rev)
    assert len(fwd) == len(rev)


def test_explain_is_json_safe(scorer: Scorer) -> None:
    recs = records(80, seed=5)
    out = scorer.explain(recs, 10, top_k=3)
    json.dumps(out)
    assert abs(out["score"] - scorer.score(recs)[10]) < 1e-6
    assert len(out["attended"]) == 3
    assert all(0.0 <= a["weight"] <= 1.0 and a["index"] != 10 for a in out["attended"])
    assert out["features"]
    assert all(f["name"].startswith("field:") for f in out["features"])
    with pytest.raises(LocalError):
        scorer.explain(recs, 80)


def test_mlp_variant_has_no_attention() -> None:
    mlp = ImportanceNet(replace(TINY, attention=False)).eval()
    w = make_windows([1], 1, (16,))[0]
    logits, maps = mlp(w.feats, return_attention=True)
    assert logits.shape == (1, 16)
    assert maps == []


def test_shipped_checkpoint() -> None:
    path = default_checkpoint_path()
    data = path.read_bytes()
    assert len(data) < 4 * 1024 * 1024
    s = load_scorer(device="cpu")
    assert s.model_id == cid_of(data)
    assert s.model.cfg.attention
    assert s.model.cfg.pair_bias


def test_shipped_model_scores_copies_of_committed_records_low() -> None:
    s = load_scorer(device="cpu")
    wl = Workload(90_124)
    past = wl.next_labeled(512, NOW)
    important = [lr.record for lr in past if lr.importance >= 0.5][:20]
    assert len(important) >= 5
    routine = [lr.record for lr in wl.next_labeled(200, NOW + 10**7)]
    copies = [Record.create(r.kind, r.origin, routine[-1].ts_ms + 1000 * (i + 1), r.fields)
              for i, r in enumerate(important)]
    window = routine + copies
    fresh = s.score(window)[len(routine):]
    seen = s.score(window, s.history([lr.record for lr in past]))[len(routine):]
    # With the committed view as history, re-sent news is recognised as already shared.
    assert sum(seen) < 0.5 * sum(fresh), (sum(seen), sum(fresh))


def test_shipped_model_ranks_a_copy_below_its_source() -> None:
    s = load_scorer(device="cpu")
    wl = Workload(90_123)
    batch = wl.next_labeled(256, NOW)
    scores = s.score([lr.record for lr in batch])
    pairs = [(lr.ref, i) for i, lr in enumerate(batch)
             if lr.case == "dup" and batch[lr.ref].importance > 0.3]
    assert pairs
    won = sum(scores[src] > scores[cp] for src, cp in pairs)
    assert won / len(pairs) >= 0.8, (won, len(pairs))


def test_cli_score_small_file(tmp_path: Path, tiny_ckpt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from node.cli import main

    lines = [
        {"kind": "vitals", "ts_ms": 1000, "fields": {"hr": 70, "ward": "icu"}},
        {"kind": "vitals", "ts_ms": 1500, "fields": {"hr": 71, "ward": "icu"}},
        {"kind": "alarm", "ts_ms": 2000, "fields": {"severity": "critical", "note": "spo2 low"},
         "origin": PEER},
        {"kind": "vitals", "ts_ms": 2500, "fields": {"hr": 190, "tags": ["a", "b"], "raw": {"$b64": "AAE="}}},
    ]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    assert main(["model", "score", str(f), "--json", "--model", str(tiny_ckpt)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["index"] for o in out] == [0, 1, 2, 3]
    assert all(0.0 <= o["score"] <= 1.0 for o in out)
    assert out[2]["kind"] == "alarm"
    assert main(["model", "explain", str(f), "--index", "3", "--json", "--model", str(tiny_ckpt)]) == 0
    assert json.loads(capsys.readouterr().out)["index"] == 3


def test_cli_score_reports_bad_lines_and_scores_the_rest(tmp_path: Path, tiny_ckpt: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """As `attnshare ingest` does: every bad line is named on stderr, the good ones are scored with
    the line each came from, and the exit code is 1. A file with no good line at all is an error (2)."""
    from node.cli import main

    f = tmp_path / "bad.jsonl"
    f.write_text('{"kind": "k", "ts_ms": 1, "fields": {}}\n'
                 '{"kind": "k", "ts_ms": 2, "fields": {"x": null, "engine": {"temp_c": 90}}}\n'
                 'not json\n'
                 '{"kind": "", "ts_ms": 3, "fields": {}}\n'
                 '\n'
                 '{"kind": "k", "ts_ms": 4, "fields": {"y": 1}}\n')
    assert main(["model", "score", str(f), "--json", "--model", str(tiny_ckpt)]) == 1
    cap = capsys.readouterr()
    assert "bad.jsonl:3: not JSON" in cap.err
    assert "bad.jsonl:4: kind must be" in cap.err
    assert "2 bad lines left out, 3 records read" in cap.err
    out = [json.loads(line) for line in cap.out.splitlines()]
    assert [(o["index"], o["line"]) for o in out] == [(0, 1), (1, 2), (2, 6)]
    assert main(["model", "explain", str(f), "--index", "2", "--json", "--model", str(tiny_ckpt)]) == 1
    got = json.loads(capsys.readouterr().out)
    assert (got["index"], got["line"]) == (2, 6)
    f.write_text("not json\n")
    assert main(["model", "score", str(f), "--model", str(tiny_ckpt)]) == 2
    assert main(["model", "score", str(tmp_path / "missing.jsonl")]) == 2
    f.write_bytes(b'{"kind": "k", "ts_ms": 1, "fields": {"x": "\xff"}}\n')
    assert main(["model", "score", str(f), "--model", str(tiny_ckpt)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_cli_help_does_not_import_torch() -> None:
    code = "import sys, node.cli as c; c.build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_scoring_from_worker_threads_agrees(scorer: Scorer) -> None:
    import trio

    recs = records(128, seed=6)
    expected = scorer.score(recs)
    results: list[list[float]] = []

    async def one() -> None:
        results.append(await trio.to_thread.run_sync(scorer.score, recs))

    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            for _ in range(4):
                nursery.start_soon(one)
    assert results == [expected] * 4


def test_eval_report_has_every_stream_method_and_case(capsys: pytest.CaptureFixture[str]) -> None:
    from node.attention.evaluate import TABLE_CASES
    from node.cli import main

    assert main(["model", "eval", "--worlds", "1", "--per-world", "1", "--window", "64", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    streams = report["streams"]
    assert set(streams) == {"training families", "held-out seeds", "held-out families", "held-out: fleet",
                            "held-out: ledger", "held-out: airspace (blind)"}
    assert streams["training families"]["records"] == 128  # one window of each training family
    fam = streams["held-out families"]
    assert set(fam["methods"]) >= {"random", "recency", "heuristic", "mlp (no attention)", "model"}
    for m in fam["methods"].values():
        assert 0.0 <= m["ndcg@10%"] <= 1.0
    assert set(fam["case_median_rank"]["model"]) == set(TABLE_CASES)
    wire = report["wire"]
    assert wire["shares"] == [0.05, 0.1, 0.2, 0.4]
    every = wire["methods"]["everything"]["bytes"][0]
    for m in ("random", "heuristic", "model"):
        b = wire["methods"][m]["bytes"]
        assert b == sorted(b)
        assert b[-1] < every
        assert all(0.0 <= k <= 1.0 for k in wire["methods"][m]["retained"])
    assert main(["model", "eval", "--worlds", "1", "--per-world", "1", "--window", "64", "--no-wire"]) == 0
    assert "median rank per case" in capsys.readouterr().out


def test_case_table_mapping() -> None:
    from node.attention.evaluate import table_case

    assert table_case("dup", "") == table_case("resend", "") == "exact dup"
    assert table_case("near_dup", "") == "near dup"
    assert table_case("burst_head", "anomaly") == "burst head"
    assert table_case("routine", "rare_kind") == "rare kind"
    assert table_case("routine", "") == "normal"
    assert table_case("novel_follow", "") is None


def test_scores_with_history_do_not_depend_on_its_arrival_order(scorer: Scorer) -> None:
    import random

    past = records(400, seed=12)
    shuffled = past[:]
    random.Random(1).shuffle(shuffled)
    window = records(128, seed=13)
    a = scorer.score(window, scorer.history(past))
    b = scorer.score(window, scorer.history(shuffled))
    assert a == b
    assert a != scorer.score(window)  # the history is an input


def test_explain_gives_reasons_in_the_definitions_words(scorer: Scorer) -> None:
    wl = Workload(90_321)
    past = [lr.record for lr in wl.next_labeled(300, NOW)]
    batch = wl.next_labeled(256, NOW + 10**7)
    recs = [lr.record for lr in batch]
    hist = scorer.history(past)
    i = next(i for i, lr in enumerate(batch) if lr.case == "dup")
    out = scorer.explain(recs, i, history=hist)
    json.dumps(out)
    assert out["history_records"] == 300
    first = out["reasons"][0]
    assert first["code"] == "exact_copy"
    assert first["of"] in {r.cid for r in recs[:i]}
    # A burst: eight records of one kind and origin, much tighter than the stream.
    routine = [Record.create(f"k{i % 6}", PEER, NOW + i * 1000, {"v": float(i % 7)}) for i in range(60)]
    other = Workload(2).origins[0]
    burst = [Record.create("k1", other, NOW + 30_500 + j * 20, {"v": 99.0 + j * 0.01}) for j in range(8)]
    stream = sorted(routine + burst, key=lambda r: r.ts_ms)
    head, second = stream.index(burst[0]), stream.index(burst[1])
    why = scorer.explain(stream, head)["reasons"]
    assert any(r["code"] == "burst_head" and r["size"] == 8 for r in why)
    assert "first of a burst of 8 from this origin" in [r["text"] for r in why]
    assert any(r["code"] == "burst_tail" and r["position"] == 2 for r in scorer.explain(stream, second)["reasons"])
    k = next(k for k, lr in enumerate(batch) if lr.detail == "anomaly" and lr.case == "routine")
    anomaly = [r for r in scorer.explain(recs, k, history=hist)["reasons"] if r["code"] == "anomaly"]
    assert anomaly
    assert anomaly[0]["mads"] >= 3.0
    assert "MADs" in anomaly[0]["text"]


def test_ndcg_and_window_metrics_on_a_known_case() -> None:
    from node.attention.evaluate import ndcg_at_k

    gains = [0.0, 1.0, 0.5]
    assert ndcg_at_k([0.1, 0.9, 0.5], gains, 2) == pytest.approx(1.0)
    worst = ndcg_at_k([0.9, 0.1, 0.5], gains, 2)
    assert 0.0 < worst < 0.5


def _plain_stream(rng, n: int, t0: int, kinds: list[str]) -> list[Record]:
    # Routine records of several kinds, no priority field, names outside the lexicon.
    out = []
    for i in range(n):
        k = kinds[rng.randrange(len(kinds))]
        out.append(Record.create(k, PEER, t0 + i * 1000, {
            "unitRef": f"u{rng.randrange(40)}", "readingA": round(rng.gauss(50.0, 2.0), 2),
            "readingB": round(rng.gauss(7.0, 0.5), 2), "mode": rng.choice(("auto", "manual"))}))
    return out


def test_shipped_model_ranks_a_rare_kind_without_priority_high() -> None:
    # Issue 9: a kind that makes up about 1% of the stream is news even with
    # ordinary values and no priority field (the first checkpoints ranked such
    # records mid-window: rarity had only been seen together with priority).
    import random
    import statistics

    s = load_scorer(device="cpu")
    rng = random.Random(7)
    kinds = ["tankLevel", "pumpCycle", "doorState", "fanSpeed", "lineRate", "shiftLog"]
    past = _plain_stream(rng, 1024, NOW, kinds)
    window = _plain_stream(rng, 253, NOW + 2_000_000, kinds)
    rare_at = [40, 130, 220]
    for j, at in enumerate(rare_at):
        r = window[at]
        window[at] = Record.create("valveSeized", PEER, r.ts_ms, {
            "unitRef": f"u{j}", "readingA": round(rng.gauss(50.0, 2.0), 2), "readingB": round(rng.gauss(7.0, 0.5), 2),
            "mode": "auto"})
    scores = s.score(window, s.history(past))
    order = sorted(range(len(window)), key=lambda i: -scores[i])
    ranks = [order.index(i) / (len(window) - 1) for i in rare_at]
    assert statistics.median(ranks) < 0.10, ranks


def test_explain_names_a_kind_rare_next_to_the_windows_kinds(scorer: Scorer) -> None:
    # 12 of 1,000 committed records is not rare in absolute terms, but it is next to
    # the ~160 of each kind the window's records have: the reason must say so.
    import random

    rng = random.Random(3)
    kinds = ["tankLevel", "pumpCycle", "doorState", "fanSpeed", "lineRate", "shiftLog"]
    past = _plain_stream(rng, 988, NOW, kinds) + [
        Record.create("valveSeized", PEER, NOW + 980_000 + j, {"unitRef": "u1", "readingA": 50.0}) for j in range(12)]
    window = _plain_stream(rng, 60, NOW + 2_000_000, kinds)
    window.append(Record.create("valveSeized", PEER, NOW + 2_100_000, {"unitRef": "u2", "readingA": 51.0}))
    out = scorer.explain(window, len(window) - 1, history=scorer.history(past))
    assert "rare_kind" in {r["code"] for r in out["reasons"]}
    first = scorer.explain(window, 0, history=scorer.history(past))
    assert "rare_kind" not in {r["code"] for r in first["reasons"]}


@pytest.mark.parametrize("family", ["randomized", "fleet"])
def test_shipped_model_ranks_burst_tails_in_the_bottom_half(family: str) -> None:
    # Issue 9: a burst's first record carries the news; its tail "matters less" and belongs in the
    # bottom half of the window (session 6's checkpoint, trained on tails labelled above routine
    # records, put them at 0.44-0.47). Held-out seeds of a training family, and a held-out family.
    import statistics

    from node.workload.holdout_fleet import FleetWorkload
    from node.workload.randomized import RandomizedWorkload

    s = load_scorer(device="cpu")
    factory = RandomizedWorkload if family == "randomized" else FleetWorkload
    ranks: list[float] = []
    heads_above = total = 0
    for seed in (90_301, 90_302, 90_303, 90_304):
        batch = factory(seed).next_labeled(256, NOW)
        scores = s.score([lr.record for lr in batch])
        order = sorted(range(len(batch)), key=lambda i: -scores[i])
        pos = {i: k / (len(batch) - 1) for k, i in enumerate(order)}
        for i, lr in enumerate(batch):
            if lr.case == "burst_tail":
                ranks.append(pos[i])
                if lr.ref >= 0:
                    total += 1
                    heads_above += scores[lr.ref] > scores[i]
    assert len(ranks) >= 20, len(ranks)
    # Bottom half with a margin: the old checkpoint gave 0.44 / 0.51 on these windows, this one 0.89 / 0.88.
    assert statistics.median(ranks) > 0.6, statistics.median(ranks)
    assert heads_above / total >= 0.9, (heads_above, total)


def test_cli_score_reads_a_stream_file_as_people_write_it(tmp_path: Path, tiny_ckpt: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Origins that are labels, not peer ids; extra top-level columns (an id, a truth label); times as
    ISO 8601 or floats; nested objects and nulls. Each was a refused line, so a whole file of them was
    refused, before session 36."""
    from node.cli import main

    rows = [
        {"id": 1, "kind": "vitals", "ts_ms": "2026-12-01T10:00:00Z", "origin": "ward-a", "truth": 0.1,
         "fields": {"hr": 70, "monitor": {"model": "M3", "battery": None}}},
        {"id": 2, "kind": "vitals", "ts_ms": 1796119200500.4, "origin": "ward-a", "truth": 0.1,
         "fields": {"hr": 71, "monitor": {"model": "M3"}}},
        {"id": 3, "kind": "vitals", "ts_ms": "1796119201000", "origin": 7, "truth": 0.9,
         "fields": {"hr": 190}},
        {"id": 4, "kind": "vitals", "ts_ms": "yesterday", "origin": "ward-b", "fields": {"hr": 72}},
    ]
    f = tmp_path / "stream.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["model", "score", str(f), "--json", "--model", str(tiny_ckpt)]) == 1  # the last line
    cap = capsys.readouterr()
    assert "stream.jsonl:4: ts_ms 'yesterday' is neither milliseconds nor an ISO 8601 time" in cap.err
    assert "left out: id, truth" in cap.err
    out = [json.loads(line) for line in cap.out.splitlines()]
    assert [o["ts_ms"] for o in out] == [1796119200000, 1796119200500, 1796119201000]

    from node.commands.model import _read_jsonl

    records, lines, bad = _read_jsonl(str(f))
    assert (lines, bad) == ([1, 2, 3], 1)
    a, b, c = records
    assert a.origin == b.origin != c.origin  # one label, one origin
    assert a.fields == {"hr": 70, "monitor.model": "M3"}
    assert PEER in {r.origin for r in _read_jsonl(str(_one_line(tmp_path, PEER)))[0]}  # a peer id stays itself


def test_cli_score_says_where_a_flat_records_values_go(tmp_path: Path, tiny_ckpt: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A flat record (values beside kind and ts_ms) is refused with the place its values go, not read
    with its columns as fields: a truth column read as a field would be scored as content."""
    from node.cli import main

    f = tmp_path / "flat.jsonl"
    f.write_text(json.dumps({"kind": "trade", "ts_ms": 1, "price": 10.5, "label": 1}) + "\n"
                 + json.dumps({"kind": "trade", "ts_ms": 2, "fields": {"price": 10.7}, "label": 0}) + "\n")
    assert main(["model", "score", str(f), "--json", "--model", str(tiny_ckpt)]) == 1
    cap = capsys.readouterr()
    assert 'flat.jsonl:1: record is missing fields (put its values under "fields": top-level label, price' in cap.err
    assert [json.loads(line)["line"] for line in cap.out.splitlines()] == [2]
    assert "left out: label" in cap.err  # a truth column beside fields is still left out, and said


def _one_line(tmp_path: Path, origin: str) -> Path:
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps({"kind": "k", "ts_ms": 1, "origin": origin, "fields": {}}) + "\n")
    return f


def test_cli_score_scores_records_over_the_wire_limits_unless_told(tmp_path: Path, tiny_ckpt: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A post of 10,000 characters or a record of 100 fields cannot travel (16 KiB, 64 fields), but
    scoring a file is local: it is scored and counted, so no line of a stream is lost to a size limit
    (and every record keeps its place). --wire-limits refuses it, as a node would."""
    from node.cli import main

    rows = [{"kind": "post", "ts_ms": 1, "fields": {"body": "word " * 2000}},
            {"kind": "telemetry", "ts_ms": 2, "fields": {f"f{i}": i for i in range(100)}},
            {"kind": "post", "ts_ms": 3, "fields": {"body": "short"}}]
    f = tmp_path / "big.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["model", "score", str(f), "--json", "--model", str(tiny_ckpt)]) == 0
    cap = capsys.readouterr()
    assert [json.loads(line)["line"] for line in cap.out.splitlines()] == [1, 2, 3]
    assert "2 records over the network's record limits" in cap.err
    assert main(["model", "score", str(f), "--json", "--wire-limits", "--model", str(tiny_ckpt)]) == 1
    cap = capsys.readouterr()
    assert [json.loads(line)["line"] for line in cap.out.splitlines()] == [3]
    assert "big.jsonl:1:" in cap.err
    assert main(["model", "explain", str(f), "--index", "1", "--json", "--model", str(tiny_ckpt)]) == 0
    assert json.loads(capsys.readouterr().out)["line"] == 2
