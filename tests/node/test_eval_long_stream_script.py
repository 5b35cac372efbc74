"""scripts/eval_long_stream.py: a whole stream ranked at once, scored with and without memory across
windows. One small real run; the metric is checked on a stream whose ranks are known."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.scripts import SCRIPTS, load_script

SCRIPT = SCRIPTS / "eval_long_stream.py"
tool = load_script("eval_long_stream.py", "eval_long_stream_test")


def test_whole_stream_metrics_rank_the_stream_at_once() -> None:
    stream = tool.long_stream("rail", 0, 300)
    assert len(stream) == 300
    assert all(a.record.ts_ms <= b.record.ts_ms for a, b in zip(stream, stream[1:], strict=False))
    truth = tool.stream_metrics([lr.importance for lr in stream], stream)
    assert truth["ndcg@10%"] == 1.0
    worst = tool.stream_metrics([-lr.importance for lr in stream], stream)
    assert worst["ndcg@10%"] < 0.2
    assert all(0.0 <= v <= 1.0 for v in worst.values())


def test_a_small_run_prints_every_method() -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--families", "rail", "--worlds", "1", "--records", "300",
                          "--window", "128", "--json"], capture_output=True, text=True, check=True, timeout=300)
    rep = json.loads(out.stdout)
    rows = rep["families"]["rail"]
    assert set(rows) == {"no memory, chunks of 1024", "no memory, chunks of 128", "own top 20%, chunks of 128",
                         "all earlier, chunks of 128", "own top 20%, chunks of 1024", "heuristic+ (per chunk)",
                         "truth"}
    assert rows["truth"]["ndcg@10%"] == 1.0
    assert 0.0 < rows["own top 20%, chunks of 128"]["ndcg@10%"] < 1.0
