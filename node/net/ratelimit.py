"""Per-key token buckets: our own spam protection in place of py-libp2p's.

py-libp2p's built-in protection silently drops more than 10 messages per
second per topic per forwarding peer (our own included), so the node turns it
off and limits what matters instead (see :mod:`node.net.topics`). Every key
is a *verified* identity: a proposer or voter whose signature was just
checked, or the connected peer that forwarded the message. It is never a name
read from an unverified message, because anyone could spend that name's
tokens (finding 2).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """Token bucket per key: ``rate`` tokens/s, at most ``burst`` stored; bounded key count."""

    def __init__(self, rate: float, burst: float, *, max_keys: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self.clock = clock
        #: key -> (tokens, last time), least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.refused = 0

    def allow(self, key: str, cost: float = 1.0) -> bool:
        now = self.clock()
        buckets = self._buckets
        tokens, last = buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if key not in buckets and len(buckets) >= self.max_keys:
            self._make_room(now)
        buckets[key] = (tokens if tokens < cost else tokens - cost, now)
        buckets.move_to_end(key)
        if tokens < cost:
            self.refused += 1
            return False
        return True

    def _make_room(self, now: float) -> None:
        """Forget the buckets that are full again (a full bucket is what a new key gets), or, if
        too few are, the least recently used quarter. The table used to be cleared whole at its
        4,097th key: 4,096 keys of an attacker's reset every other key's limits with it (review 37).
        Each call frees at least a quarter of the table, so it costs O(1) a key, amortized."""
        buckets, rate, burst = self._buckets, self.rate, self.burst
        quarter = max(1, self.max_keys // 4)
        full = [k for k, (t, last) in buckets.items() if t + (now - last) * rate >= burst]
        if len(full) >= quarter:
            for k in full:
                del buckets[k]
            return
        for _ in range(min(quarter, len(buckets))):
            buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)
