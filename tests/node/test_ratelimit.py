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
