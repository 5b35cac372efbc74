"""Review 10 #1: the view a block names is taken after its window is ranked, not before.

Ranking a window takes most of a second (0.76 s measured for 512 records); a validator
evaluates a tiny block in about 17 ms. A byzantine proposer committing tiny blocks while an
honest one ranked its window could push the view taken at the window's start more than
max_view_lag behind the validators' by the time they judged the block: REJECT CHAIN_RULE of an
honest block. The claims are scored against the view taken once the records are chosen."""

from __future__ import annotations

from typing import Any

import trio

from node.config import PipelineConfig
from node.core.pipeline import Pipeline
from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from tests.node.test_views import ME, SCORER, G, Q, records, views


class _Consensus:
    def tips(self) -> dict[str, Any]:
        return {}

    async def submit_block(self, _block: Any) -> None:
        return None

    async def wait_decided(self, _proposer: str, _seq: int) -> str:
        return "committed"


async def test_the_block_names_the_view_its_claims_were_scored_against() -> None:
    store = Store.open(":memory:", ME.peer_id)
    v = views()
    published: list[Any] = []

    async def publish(block: Any, _attempt: int) -> None:
        published.append(block)

    pipe = Pipeline(key=ME, genesis=G, config=PipelineConfig(window=512, block_interval_ms=10), store=store,
                    db=Worker("store"), score=SCORER.score, model_id=SCORER.model_id,  # type: ignore[arg-type]
                    consensus=_Consensus(), publish_block=publish, metrics=Metrics(),  # type: ignore[arg-type]
                    now_ms=lambda: 1_700_000_100_000, views=v)
    ranked = pipe.score
    lag = G.max_view_lag

    async def racing(recs: Any, view: Any, proposer: Any = None, judge: Any = None, ranking: bool = False) -> list[float]:
        out = await ranked(recs, view, proposer, judge=judge, ranking=ranking)
        if judge is False:  # while the window is ranked, Q commits lag + 2 tiny blocks
            base = v.current()[G.proposer_ids.index(Q.peer_id)]
            for seq in range(base + 1, base + lag + 3):
                v.on_commit(Q.peer_id, seq, f"q{seq}", records(Q, 1, 500 + seq))
        return out

    pipe.score = racing
    pending = records(ME, 96, 77, t0=1_700_000_000_000)
    assert all(store.add_records_new(pending, 1))
    with trio.fail_after(60):
        await pipe._decide(pending)
    assert published, "nothing shipped: the test proves nothing"
    named = published[0].header.view
    assert named[G.proposer_ids.index(Q.peer_id)] == lag + 2  # before: 0, lag + 2 behind
    assert named == v.current()
    store.close()
