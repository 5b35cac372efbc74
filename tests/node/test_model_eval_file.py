"""``attnshare model eval FILE``: the model's ranking of a labelled file of one's own, against the baselines."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from node.attention.file_eval import BASELINES, CHUNK, MIN_CHUNKS, gain_of, ranks, stream_report
from node.workload import Workload
from protocol.errors import LocalError
from protocol.record import Record

NOW = 1_700_000_000_000


def _records(n: int, seed: int = 7) -> list[Record]:
    return [r for r, _ in Workload(seed).next_batch(n, NOW)]


def test_gain_of_reads_numbers_and_booleans_and_names_what_it_refuses() -> None:
    assert gain_of(0.8, "importance") == 0.8
    assert gain_of(3, "importance") == 3.0
    assert gain_of(True, "important") == 1.0
    assert gain_of(False, "important") == 0.0
    for bad, says in ((None, "no truth column 'importance'"), (-0.1, "number >= 0"), (math.nan, "number >= 0"),
                      (math.inf, "number >= 0"), ("high", "number >= 0"), ([1], "number >= 0")):
        with pytest.raises(ValueError, match=says):
            gain_of(bad, "importance")


def test_ranks_put_the_highest_score_first_and_break_ties_by_position() -> None:
    assert ranks([0.1, 0.9, 0.5]) == [1.0, 0.0, 0.5]
    assert ranks([0.5, 0.5]) == [0.0, 1.0]
    assert ranks([0.3]) == [0.0]


def test_stream_report_scores_the_truth_perfectly_and_its_reverse_badly() -> None:
    recs = _records(6 * CHUNK)
    gains = [((i * 37) % 101) / 100.0 for i in range(len(recs))]
    perfect = stream_report(recs, gains, gains, window=256)
    worst = stream_report(recs, gains, [-g for g in gains], window=256)
    for share in ("5%", "10%", "20%"):
        assert perfect["methods"]["model"][f"ndcg@{share}"] == pytest.approx(1.0)
        assert worst["methods"]["model"][f"ndcg@{share}"] < 0.2
    assert perfect["methods"]["model"]["run_ndcg@10%"] == pytest.approx(1.0)
    assert set(perfect["methods"]) == {"model", *BASELINES}
    # Baselines do not depend on the model's scores.
    assert perfect["methods"]["heuristic+"] == worst["methods"]["heuristic+"]
    assert perfect["runs_with_gain"] == 6
    assert perfect["windows"] == 6
    lead = perfect["vs_model"]["random"]
    assert lead["lo"] <= lead["diff"] <= lead["hi"]
    assert lead["diff"] > 0.3  # random keeps about half of uniform gains
    assert "cases" not in perfect


def test_stream_report_gives_no_interval_for_too_few_runs_and_skips_runs_without_gain() -> None:
    recs = _records(2 * CHUNK)
    gains = [0.0] * CHUNK + [float(i % 3 == 0) for i in range(CHUNK)]  # the first run has no gain at all
    rep = stream_report(recs, gains, [g + 0.01 * (i % 2) for i, g in enumerate(gains)], window=512)
    assert rep["runs_with_gain"] == 1 < MIN_CHUNKS
    assert "vs_model" not in rep
    assert rep["methods"]["model"]["run_ndcg@10%"] == pytest.approx(1.0)
    assert rep["gain_records"] == sum(1 for g in gains if g > 0)
    with pytest.raises(ValueError, match="one entry per record"):
        stream_report(recs, gains[:-1], gains, window=512)


def test_stream_report_case_table_is_the_median_rank_of_each_case() -> None:
    recs = _records(8)
    gains = [1.0, 0.0, 0.5, 0.0, 0.2, 0.0, 0.0, 0.9]
    cases = ["news", "copy", "news", "copy", None, "copy", "copy", "news"]
    scores = [0.9, 0.1, 0.8, 0.2, 0.5, 0.3, 0.05, 0.7]  # model order: 0, 2, 7, 4, 5, 3, 1, 6
    rep = stream_report(recs, gains, scores, window=8, cases=cases)
    assert rep["cases"]["counts"] == {"news": 3, "copy": 4}
    model = rep["cases"]["median_rank"]["model"]
    assert model["news"] == pytest.approx(1 / 7)  # ranks 0, 1, 2 of 0..7
    assert model["copy"] == pytest.approx((5 / 7 + 6 / 7) / 2)  # ranks 4, 5, 6, 7


def _labelled_file(path: Path, n: int, seed: int = 11) -> list[float]:
    """A labelled stream file as a user writes it: the record, its truth and its case at the top level."""
    wl = Workload(seed)  # the training generator's own labels
    gains = []
    with path.open("w") as fh:
        for lr in wl.next_labeled(n, NOW):
            r = lr.record
            fh.write(json.dumps({"kind": r.kind, "ts_ms": r.ts_ms, "origin": r.origin, "fields": dict(r.items),
                                 "importance": lr.importance, "case": lr.case, "id": len(gains)}) + "\n")
            gains.append(lr.importance)
    return gains


def test_cli_eval_file_ranks_a_labelled_stream_against_the_baselines(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from node.cli import main

    f = tmp_path / "mine.jsonl"
    _labelled_file(f, 1024)
    assert main(["model", "eval", str(f), "--case", "case", "--window", "512", "--json"]) == 0
    cap = capsys.readouterr()
    rep = json.loads(cap.out)
    assert rep["records"] == 1024
    assert rep["window"] == 512
    assert rep["truth"] == "importance"
    assert rep["model_id"].startswith("bafk")
    assert rep["bad_lines"] == 0
    m = rep["methods"]
    # The shipped model on its own training generator's labels: far above random and recency.
    assert m["model"]["ndcg@10%"] > m["random"]["ndcg@10%"] + 0.3
    assert m["model"]["ndcg@10%"] > m["recency"]["ndcg@10%"] + 0.3
    assert rep["vs_model"]["random"]["lo"] > 0
    assert {"routine", "dup"} <= set(rep["cases"]["counts"])
    assert rep["cases"]["median_rank"]["model"]["dup"] > 0.5  # copies ranked low
    assert "left out: id" in cap.err  # the id column is said to be left out, the truth and case are not
    assert "importance" not in cap.err.split("left out")[-1]
    # The table form prints the same figures.
    assert main(["model", "eval", str(f), "--case", "case", "--window", "512"]) == 0
    out = capsys.readouterr().out
    assert "model - heuristic+" in out
    assert "median rank per case" in out


def test_cli_eval_file_names_bad_truth_lines_and_ranks_the_rest(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from node.cli import main

    f = tmp_path / "mine.jsonl"
    _labelled_file(f, 300)
    lines = f.read_text().splitlines()
    row = json.loads(lines[3])
    row.pop("importance")
    lines[3] = json.dumps(row)
    row = json.loads(lines[5])
    row["importance"] = -1
    lines[5] = json.dumps(row)
    row = json.loads(lines[7])
    row["case"] = {"x": 1}
    lines[7] = json.dumps(row)
    f.write_text("\n".join([*lines, "[1, 2]", "not json"]) + "\n")
    assert main(["model", "eval", str(f), "--case", "case", "--json"]) == 1
    cap = capsys.readouterr()
    assert json.loads(cap.out)["records"] == 297  # 302 lines, 5 bad
    assert f"{f}:4: no truth column 'importance'" in cap.err
    assert f"{f}:6: truth 'importance' must be a number >= 0" in cap.err
    assert f"{f}:8: case 'case' must be a string" in cap.err
    assert f"{f}:301: a line must be a JSON object" in cap.err
    assert f"{f}:302: not JSON" in cap.err


def test_cli_eval_file_refuses_a_file_with_nothing_to_rank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from node.cli import main

    f = tmp_path / "flat.jsonl"
    recs = _records(20)
    f.write_text("".join(json.dumps({"kind": r.kind, "ts_ms": r.ts_ms, "fields": dict(r.items), "label": 0}) + "\n"
                         for r in recs))
    assert main(["model", "eval", str(f), "--truth", "label"]) == 2
    assert "no record has a truth above 0 in 'label'" in capsys.readouterr().err
    from argparse import Namespace

    from node.commands.model import _cmd_eval_file

    args = Namespace(file=str(f), truth="label", case=None, model=None, window=None, memory="own", share=0.2,
                     device=None, json=True)
    with pytest.raises(LocalError, match="nothing to rank"):
        _cmd_eval_file(args)
