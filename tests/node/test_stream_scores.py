"""`stream_scores`: a long stream scored window after window against memory of the earlier windows
(what `attnshare model score` does with a file longer than one window)."""

from __future__ import annotations

import pytest

from node.attention.scorer import Scorer, load_scorer, stream_context, stream_scores
from node.workload.domains import Workload
from protocol.errors import LocalError
from protocol.record import Record

NOW = 1_700_000_000_000


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    return load_scorer(device="cpu")


def _stream(n: int, seed: int = 11) -> list[Record]:
    return [lr.record for lr in Workload(seed).next_labeled(n, NOW)]


def test_no_memory_at_max_window_is_score(shipped: Scorer) -> None:
    recs = _stream(300)
    assert stream_scores(shipped, recs, window=shipped.max_window, memory="none") == shipped.score(recs)


def test_a_resent_record_is_news_only_without_memory(shipped: Scorer) -> None:
    """The best-scored record of the first window, sent again in the second: with the model's own top
    share remembered it is a copy of something shipped; scored alone, the second window takes it for
    news (what `model score` did with any file longer than one window before session 36)."""
    recs = _stream(512)
    first = stream_scores(shipped, recs[:256], window=256, memory="none")
    top = max(range(256), key=lambda i: first[i])
    src = recs[top]
    at = 400
    copy = Record.create(src.kind, src.origin, recs[at].ts_ms, src.fields)
    stream = [*recs[:at], copy, *recs[at + 1:]]
    alone = stream_scores(shipped, stream, window=256, memory="none")
    own = stream_scores(shipped, stream, window=256, memory="own")
    every = stream_scores(shipped, stream, window=256, memory="all")
    assert own[:256] == alone[:256]  # the first window has nothing before it
    # news to the second window alone: in its top tenth (session 40's model: 0.499, 11th of 256; a
    # rank, not a score, so that a retrain moving every score a little does not decide it)
    second = alone[256:512]
    assert sorted(second, reverse=True).index(alone[at]) < len(second) // 10
    assert own[at] < alone[at] - 0.2, (own[at], alone[at])
    assert every[at] < alone[at] - 0.2, (every[at], alone[at])
    assert stream_scores(shipped, stream, window=256, memory="own") == own  # deterministic


def test_own_memory_holds_the_share_of_each_window(shipped: Scorer) -> None:
    recs = _stream(600)
    hist = shipped.history()
    stream_scores(shipped, recs, window=200, memory="own", share=0.25, history=hist)
    assert len(hist) == 3 * 50
    hist = shipped.history()
    stream_scores(shipped, recs, window=200, memory="all", history=hist)
    assert len(hist) == 600


def test_an_explanation_explains_the_streams_score(shipped: Scorer) -> None:
    recs = _stream(520)
    scores = stream_scores(shipped, recs, window=256, memory="own")
    for index in (3, 300, 519):
        a, b, hist = stream_context(shipped, recs, index, window=256, memory="own")
        assert a <= index < b
        out = shipped.explain(recs[a:b], index - a, history=hist if len(hist) else None)
        assert out["score"] == pytest.approx(scores[index], abs=1e-4)


def test_progress_and_bad_arguments(shipped: Scorer) -> None:
    recs = _stream(300)
    seen: list[tuple[int, int]] = []
    stream_scores(shipped, recs, window=100, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(100, 300), (200, 300), (300, 300)]
    with pytest.raises(LocalError, match="memory"):
        stream_scores(shipped, recs, memory="some")
    with pytest.raises(LocalError, match="share"):
        stream_scores(shipped, recs, share=0.0)
    with pytest.raises(LocalError, match="out of range"):
        stream_context(shipped, recs, 300)
    assert stream_scores(shipped, [], window=100) == []
