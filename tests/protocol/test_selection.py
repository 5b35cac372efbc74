"""Block selection under a budget: the shipped share converges to the budget on any stream."""

from __future__ import annotations

import random

import pytest

from protocol.errors import ConfigError, LocalError
from protocol.selection import PipelineParams, ShipSelector, best_half


def _run(sel: ShipSelector, stream: list[float], rng: random.Random, *, size: int = 100,
         max_records: int = 4096) -> list[int]:
    shipped: list[int] = []
    pos, now = 0, 0
    while pos < len(stream):
        n = rng.randint(1, 600)
        window = stream[pos : pos + n]
        got = sel.select(window, [size] * len(window), [True] * len(window), now, max_records)
        shipped += [pos + i for i in got.indices]
        pos += len(window)
        now += 250
    return shipped


@pytest.mark.parametrize("share", [0.02, 0.05, 0.2, 0.5])
@pytest.mark.parametrize("dist", ["uniform", "beta", "ties", "drift"])
def test_shipped_share_converges_to_the_budget(share: float, dist: str) -> None:
    rng = random.Random(hash((share, dist)) & 0xFFFF)
    n = 30_000
    if dist == "uniform":
        stream = [rng.random() for _ in range(n)]
    elif dist == "beta":
        stream = [rng.betavariate(0.5, 5) for _ in range(n)]
    elif dist == "ties":
        stream = [rng.choice([0.1, 0.1, 0.1, 0.9]) for _ in range(n)]
    else:  # the model's scale drifts upward over the stream
        stream = [min(1.0, rng.random() * 0.3 + i / n * 0.7) for i in range(n)]
    sel = ShipSelector(PipelineParams(share=share))
    shipped = _run(sel, stream, rng)
    assert abs(len(shipped) / n - share) <= 0.1 * share + 0.002
    stats = sel.statistics()
    assert stats.seen == n
    assert stats.shipped == len(shipped)
    assert stats.recent_share is not None
    assert abs(stats.recent_share - share) <= 0.25 * share + 0.005


def test_the_most_important_records_ship() -> None:
    rng = random.Random(5)
    stream = [rng.random() for _ in range(20_000)]
    shipped = _run(ShipSelector(PipelineParams(share=0.1)), stream, rng)
    mean_shipped = sum(stream[i] for i in shipped) / len(shipped)
    assert mean_shipped > 0.85  # the top decile of a uniform stream averages 0.95


def test_selection_is_deterministic() -> None:
    stream = [random.Random(1).random() for _ in range(5000)]
    a = _run(ShipSelector(PipelineParams(share=0.07)), stream, random.Random(2))
    b = _run(ShipSelector(PipelineParams(share=0.07)), stream, random.Random(2))
    assert a == b


def test_byte_rate_caps_what_ships() -> None:
    rng = random.Random(3)
    sel = ShipSelector(PipelineParams(share=1.0, bytes_per_s=10_000, burst_s=1.0))
    total = 0
    for step in range(200):  # 200 windows 250 ms apart = 50 s
        got = sel.select([rng.random() for _ in range(100)], [200] * 100, [True] * 100, step * 250, 4096)
        total += len(got.indices) * 200
    assert total <= 10_000 * (50 + 1)  # rate times time, plus one burst
    assert total >= 10_000 * 45
    assert sel.statistics().shipped_bytes == total


def test_ineligible_records_never_ship_and_blocks_are_capped() -> None:
    sel = ShipSelector(PipelineParams(share=1.0))
    got = sel.select([0.9, 0.8, 0.7, 0.6], [10] * 4, [False, True, True, True], 0, 2)
    assert got.indices == (1, 2)


def test_floor_is_absolute() -> None:
    sel = ShipSelector(PipelineParams(share=0.5, floor=0.95))
    got = sel.select([0.1, 0.2, 0.9, 0.3], [10] * 4, [True] * 4, 0, 10)
    assert got.indices == ()
    assert got.threshold == 0.95


def test_indices_come_back_in_ingest_order() -> None:
    sel = ShipSelector(PipelineParams(share=0.5))
    got = sel.select([0.1, 0.9, 0.2, 0.8], [10] * 4, [True] * 4, 0, 10)
    assert got.indices == (1, 3)


def test_best_half() -> None:
    assert best_half([0.1, 0.9, 0.5, 0.7]) == [1, 3]
    assert best_half([0.3]) == [0]


def test_misuse_and_params() -> None:
    with pytest.raises(LocalError):
        ShipSelector(PipelineParams()).select([0.1], [], [True], 0, 1)
    for bad in ({"share": 0.0}, {"share": 1.5}, {"bytes_per_s": 0}, {"history": 1}, {"floor": 2.0}):
        with pytest.raises(ConfigError):
            PipelineParams(**bad).validate()  # type: ignore[arg-type]


def test_genesis_carries_the_default_budget_without_changing_old_ids() -> None:
    from protocol.genesis import Genesis, genesis_to_toml, parse_genesis
    from protocol.validators import ValidatorSet
    from tests.protocol.conftest import KEYS, MODEL_ID

    vals = ValidatorSet(k.peer_id for k in KEYS)
    base = Genesis("testnet", vals, (MODEL_ID,))
    assert base.ship_share == 0.05
    tight = Genesis("testnet", vals, (MODEL_ID,), ship_share=0.2)
    assert tight.id != base.id
    assert parse_genesis(genesis_to_toml(tight)) == tight
    assert parse_genesis(genesis_to_toml(base)).id == base.id
    # The default adds nothing to the canonical bytes: ids from before the field are unchanged.
    assert base.canonical_bytes() == Genesis("testnet", vals, (MODEL_ID,), ship_share=0.05).canonical_bytes()
    with pytest.raises(ConfigError, match="ship_share"):
        Genesis("testnet", vals, (MODEL_ID,), ship_share=0.0)


def test_a_record_a_rule_scored_0_never_ships_even_at_a_zero_threshold() -> None:
    # Copies of committed content and novel records past the budget score exactly 0. In a window
    # that is mostly such records the quantile threshold is 0 too; they must still not ship.
    sel = ShipSelector(PipelineParams(share=0.5))
    scores = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 0.0]
    chosen = sel.select(scores, [10] * 8, [True] * 8, 0, 100).indices
    assert sel.threshold() == 0.0
    assert chosen == (6,)
