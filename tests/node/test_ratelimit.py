"""The per-proposer block rate limit."""

from __future__ import annotations

from node.net.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_bucket_allows_burst_then_rate_per_key():
    clock = FakeClock()
    rl = RateLimiter(rate=10.0, burst=5.0, clock=clock)
    assert [rl.allow("a") for _ in range(7)] == [True] * 5 + [False] * 2
    assert rl.allow("b")  # keys are independent
    clock.t += 0.25  # 2.5 tokens back
    assert [rl.allow("a") for _ in range(3)] == [True, True, False]
    assert rl.refused == 3
    clock.t += 100  # never more than the burst
    assert sum(rl.allow("a") for _ in range(10)) == 5


def test_bounded_keys():
    rl = RateLimiter(rate=1.0, burst=1.0, max_keys=3, clock=FakeClock())
    for k in "abcdef":
        assert rl.allow(k)
    assert len(rl._buckets) <= 3


def test_a_flood_of_new_keys_does_not_reset_a_limited_key():
    """Review 37: at its 4,097th key the table was cleared whole, so an attacker's 4,096 fresh keys
    (forwarder ids, replayed block ids) reset every other key's limit with them. Now buckets that are
    full again go first, then the least recently used, and a key in use keeps its state."""
    clock = FakeClock()
    rl = RateLimiter(rate=1.0, burst=5.0, max_keys=64, clock=clock)
    assert [rl.allow("victim-limited") for _ in range(6)] == [True] * 5 + [False]
    for i in range(1000):  # a flood of fresh keys, each spent once (its bucket not full)
        rl.allow(f"sybil-{i}")
        if i % 25 == 0:
            rl.allow("victim-limited")  # still in use: recently used, never the first to go
        assert len(rl._buckets) <= 64
    assert not rl.allow("victim-limited")  # still limited: not reset
    clock.t += 100.0  # every bucket full again: they go first, as a block
    for i in range(64):
        rl.allow(f"later-{i}")
    assert len(rl._buckets) <= 64
