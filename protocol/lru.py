"""A small bounded least-recently-used cache for pure, deterministic lookups.

Decoders cache parsed peer ids, public keys and CID conversions: the same few
validators and block ids recur in every message. A cache that is *wiped* when
full lets an attacker flush the honest entries with one burst of fresh keys;
an LRU only ever evicts the entries used least recently, so the working set
of honest ids survives any flood.

Entries depend only on their keys, so a cache never changes a result, only
its cost. The cache is shared by the event loop and worker threads: every
operation tolerates a concurrent eviction (a lost entry is just a miss).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """Bounded mapping that evicts the least recently used entry when full."""

    __slots__ = ("_data", "_max")

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("LruCache needs room for at least one entry")
        self._data: OrderedDict[K, V] = OrderedDict()
        self._max = max_entries

    def get(self, key: K) -> V | None:
        """The cached value, or None on a miss; a hit becomes most recent."""
        try:
            value = self._data[key]
            self._data.move_to_end(key)
        except KeyError:  # absent, or evicted by another thread between the two steps
            return None
        return value

    def put(self, key: K, value: V) -> None:
        """Insert or refresh ``key``; evicts the oldest entries beyond the bound."""
        data = self._data
        data[key] = value
        with contextlib.suppress(KeyError):  # evicted by another thread meanwhile
            data.move_to_end(key)
        while len(data) > self._max:
            try:
                data.popitem(last=False)
            except KeyError:
                break

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    @property
    def max_entries(self) -> int:
        return self._max


class RecentKeys(Generic[K]):
    """The keys seen within the last ``window`` (in the units of the ``now`` it is given), at most
    ``max_entries`` of them: who asked lately, for shares split among those active now. Touching a
    key and counting is O(1) amortized (the oldest expire from the front). Not thread-safe."""

    __slots__ = ("_seen", "_window", "_max")

    def __init__(self, window: float, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("RecentKeys needs room for at least one entry")
        self._seen: OrderedDict[K, float] = OrderedDict()
        self._window, self._max = window, max_entries

    def touch(self, key: K, now: float) -> int:
        """Note ``key`` as seen at ``now``; returns how many keys were seen in the window, it included."""
        seen = self._seen
        seen[key] = now
        seen.move_to_end(key)
        while seen and (next(iter(seen.values())) < now - self._window or len(seen) > self._max):
            seen.popitem(last=False)
        return len(seen)

    def __len__(self) -> int:
        return len(self._seen)
