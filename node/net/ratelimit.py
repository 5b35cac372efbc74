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
from collections.abc import Callable


class RateLimiter:
    """Token bucket per key: ``rate`` tokens/s, at most ``burst`` stored; bounded key count."""

    def __init__(self, rate: float, burst: float, *, max_keys: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)
        self.refused = 0

    def allow(self, key: str, cost: float = 1.0) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < cost:
            self._buckets[key] = (tokens, now)
            self.refused += 1
            return False
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._buckets.clear()  # bounded memory; a reset only ever lets more through
        self._buckets[key] = (tokens - cost, now)
        return True
