"""Per-proposer chain rules and the bounded buffer for blocks that must wait.

Theory of operation
-------------------
Each proposer has its own chain of slots ``seq = 1, 2, ...``. For every
proposer :class:`ChainState` keeps a :class:`ChainTip`:

* ``decided``: every slot ``<= decided`` is settled *for voting purposes*
  (committed, rejected, or skipped as explained below), so a validator never
  votes on it again;
* ``committed_seq`` / ``committed_id``: the latest commit known here, which
  the next block's ``prev`` must name;
* ``skipped``: the highest slot settled without this node learning its
  outcome (0 if none).

:meth:`ChainState.classify` is the whole voting rule for a header: STALE at
or below ``decided``; FUTURE beyond ``decided + 1`` (wait for the earlier
slots); at ``decided + 1`` READY if ``prev`` names the latest commit, else
BAD_PREV. The one exception: if a skipped slot lies above the latest known
commit, that slot might have committed without us hearing of it, so a
mismatched ``prev`` may be *our* gap rather than the proposer's lie; the
header is FUTURE (wait for sync to bring the missing certificate) instead of
BAD_PREV.

Outcomes may arrive out of order, and each is handled as follows:

* :meth:`ChainState.apply_commit` comes with a certificate, which is proof on
  its own. A commit at ``s > decided`` marks every slot below ``s`` decided
  (``decided = committed_seq = s``); the slots jumped over need no vote any
  more, and their commits (if any) are older than ``s``. A commit at
  ``s <= decided`` above the known commit (a gap filled by sync, or a slot we
  thought rejected) moves ``committed_*`` forward but not ``decided``.
  A commit at or below the known commit changes nothing, and a *different*
  block at exactly the known committed slot is a safety violation (more than
  ``f`` faulty validators): ValidationError.
* :meth:`ChainState.apply_reject` comes from our own tally, which needed at
  least one honest REJECT for slot ``s``; that validator had slot ``s - 1``
  decided, so slots below ``s`` are settled too. The jumped-over slots are
  recorded in ``skipped`` because one of them may have committed.

:class:`PendingBuffer` holds items (block ids) that wait on missing context:
bounded in total and per key, FIFO eviction, and a timeout driven by
``now_ms``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from typing import Generic, Protocol, TypeVar

from protocol.cid import validate_cid
from protocol.errors import DecodeError, LocalError, ValidationError


class Verdict(Enum):
    """How a header relates to its proposer's chain here."""

    READY = "ready"  #: its turn, and prev is right: evaluate and vote
    FUTURE = "future"  #: not yet decidable here: wait in the pending buffer
    STALE = "stale"  #: its slot is already decided: never vote on it
    BAD_PREV = "bad-prev"  #: its turn, but prev names the wrong block: reject


class HeaderLike(Protocol):
    """What :meth:`ChainState.classify` reads from a block header."""

    @property
    def proposer(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def prev(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ChainTip:
    """One proposer's chain position. See the module docstring."""

    decided: int = 0
    committed_seq: int = 0
    committed_id: str | None = None
    skipped: int = 0

    @property
    def uncertain(self) -> bool:
        """True if a slot above the latest known commit was settled unseen."""
        return self.skipped > self.committed_seq


_GENESIS_TIP = ChainTip()


class ChainState:
    """Per-proposer chain positions; pure and deterministic.

    Memory is one small :class:`ChainTip` per proposer that had a slot
    decided; node/ admits only proposers from the genesis validator set.
    """

    __slots__ = ("_tips",)

    def __init__(self) -> None:
        self._tips: dict[str, ChainTip] = {}

    def tip(self, proposer: str) -> ChainTip:
        """The proposer's position (all zero if nothing is decided yet)."""
        return self._tips.get(proposer, _GENESIS_TIP)

    def snapshot(self) -> dict[str, tuple[int, str | None]]:
        """Per proposer: (highest decided seq, latest committed block id)."""
        return {p: (t.decided, t.committed_id) for p, t in sorted(self._tips.items())}

    def restore(
        self,
        proposer: str,
        decided_seq: int,
        committed_seq: int,
        committed_id: str | None,
        skipped: int = 0,
    ) -> None:
        """Reinstate a tip after a restart (from the store); raises LocalError if inconsistent."""
        if not 0 <= committed_seq <= decided_seq or not 0 <= skipped <= decided_seq:
            raise LocalError(
                f"chain tip of {proposer}: need 0 <= committed ({committed_seq}) "
                f"<= decided ({decided_seq}) and skipped ({skipped}) <= decided"
            )
        if (committed_seq == 0) != (committed_id is None):
            raise LocalError(f"chain tip of {proposer}: committed_id must be set iff committed_seq > 0")
        if committed_id is not None:
            try:
                validate_cid(committed_id)
            except DecodeError as exc:
                raise LocalError(f"chain tip of {proposer}: {exc}") from None
        self._tips[proposer] = ChainTip(decided_seq, committed_seq, committed_id, skipped)

    def classify(self, header: HeaderLike) -> Verdict:
        """Where ``header`` stands on its proposer's chain (the voting rule)."""
        t = self.tip(header.proposer)
        if header.seq <= t.decided:
            return Verdict.STALE
        if header.seq > t.decided + 1:
            return Verdict.FUTURE
        if header.prev == t.committed_id:
            return Verdict.READY
        return Verdict.FUTURE if t.uncertain else Verdict.BAD_PREV

    def apply_commit(self, proposer: str, seq: int, block_id: str) -> bool:
        """Record a certified commit; returns True if the tip moved.

        Raises ValidationError if a different block is already committed at
        ``seq``: that takes more than ``f`` faulty validators.
        """
        if seq < 1:
            raise LocalError("seq starts at 1")
        t = self.tip(proposer)
        if seq == t.committed_seq:
            if block_id != t.committed_id:
                raise ValidationError(
                    f"conflicting commits for {proposer} seq {seq}: {t.committed_id} and {block_id}"
                )
            return False
        if seq < t.committed_seq:
            return False  # an older commit learned late: already covered
        self._tips[proposer] = replace(
            t, decided=max(t.decided, seq), committed_seq=seq, committed_id=block_id
        )
        return True

    def apply_reject(self, proposer: str, seq: int) -> bool:
        """Record that slot ``seq`` was rejected here; returns True if the tip moved."""
        if seq < 1:
            raise LocalError("seq starts at 1")
        t = self.tip(proposer)
        if seq <= t.decided:
            return False
        skipped = seq - 1 if seq > t.decided + 1 else t.skipped
        self._tips[proposer] = replace(t, decided=seq, skipped=skipped)
        return True

    def __len__(self) -> int:
        return len(self._tips)


K = TypeVar("K", bound=Hashable)
T = TypeVar("T", bound=Hashable)


class PendingBuffer(Generic[K, T]):
    """Items waiting on missing context, grouped by key (e.g. block ids by proposer).

    Bounded: at most ``max_per_key`` items per key and ``max_items`` in all;
    adding past a bound evicts the oldest item of that key, or the oldest
    item of the key holding the most (so a key within its fair share,
    ``max_items`` / keys, never loses an item to other keys). Items older than ``timeout_ms`` expire on :meth:`tick`.
    Adding an item already held is a no-op (its age is kept, so re-adding
    cannot keep an item alive forever). Everything is FIFO and deterministic;
    ``now_ms`` is expected never to decrease.
    """

    __slots__ = ("_by_key", "_max_items", "_max_per_key", "_order", "_timeout_ms")

    def __init__(self, max_items: int, max_per_key: int, timeout_ms: int) -> None:
        if max_items < 1 or max_per_key < 1 or timeout_ms < 1:
            raise LocalError("PendingBuffer bounds and timeout must be >= 1")
        self._max_items = max_items
        self._max_per_key = max_per_key
        self._timeout_ms = timeout_ms
        # Global insertion order -> added_ms; dicts keep insertion order.
        self._order: dict[tuple[K, T], int] = {}
        self._by_key: dict[K, dict[T, None]] = {}

    def add(self, key: K, item: T, now_ms: int) -> list[T]:
        """Hold ``item`` under ``key``; returns the items evicted to make room."""
        if (key, item) in self._order:
            return []
        evicted: list[T] = []
        group = self._by_key.get(key)
        if group is not None and len(group) >= self._max_per_key:
            oldest = next(iter(group))
            self._remove(key, oldest)
            evicted.append(oldest)
        if len(self._order) >= self._max_items:
            # Fair share, not oldest-first: evict the oldest item of the key holding
            # the most (the newcomer's key counted with its new item; ties: the key
            # whose oldest item is oldest). A key holding at most max_items / keys
            # items then never loses one to other keys' floods: 16 byzantine
            # proposers parking 64 blocks each no longer push out honest ones.
            victim = max(self._by_key, key=lambda k: (
                len(self._by_key[k]) + (k == key), -self._order[(k, next(iter(self._by_key[k])))]))
            oldest = next(iter(self._by_key[victim]))
            self._remove(victim, oldest)
            evicted.append(oldest)
        self._order[(key, item)] = now_ms
        self._by_key.setdefault(key, {})[item] = None
        return evicted

    def pop(self, key: K) -> list[T]:
        """Remove and return every item under ``key``, oldest first."""
        group = self._by_key.pop(key, None)
        if group is None:
            return []
        for item in group:
            del self._order[(key, item)]
        return list(group)

    def remove(self, key: K, item: T) -> bool:
        """Drop one item; returns False if it was not held."""
        if (key, item) not in self._order:
            return False
        self._remove(key, item)
        return True

    def tick(self, now_ms: int) -> list[T]:
        """Expire and return items held for ``timeout_ms`` or longer, oldest first."""
        expired: list[T] = []
        while self._order:
            (key, item), added = next(iter(self._order.items()))
            if added + self._timeout_ms > now_ms:
                break
            self._remove(key, item)
            expired.append(item)
        return expired

    def items(self, key: K) -> list[T]:
        """The items under ``key``, oldest first (not removed)."""
        return list(self._by_key.get(key, ()))

    def keys(self) -> Iterator[K]:
        return iter(list(self._by_key))

    def __contains__(self, entry: object) -> bool:
        """``(key, item) in buffer``."""
        return entry in self._order

    def __len__(self) -> int:
        return len(self._order)

    def _remove(self, key: K, item: T) -> None:
        del self._order[(key, item)]
        group = self._by_key[key]
        del group[item]
        if not group:
            del self._by_key[key]
