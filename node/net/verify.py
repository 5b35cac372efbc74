"""Expensive verification off the event loop, charged to the peer that sent the work.

Theory of operation
-------------------
Decoding a gossip message and checking its signatures costs from tens of
microseconds to many milliseconds. Done on the event loop, a flood of such
work stalls everything else (the admin API, timers, other peers). So topic
validators hand that work to :meth:`Verifier.run`, which:

1. refuses at once if the sending peer's verification-CPU bucket is empty
   (:class:`~node.net.budget.Budget`), or if it already has
   ``max_queued_verifications`` messages waiting, or, for a stranger (a peer
   that is not known, see :mod:`node.net.budget`), if all strangers together
   have the stranger pool's worth waiting;
2. waits for one of the peer's ``max_inflight_verifications`` slots, so one
   peer can hold only a few places in the shared queue;
3. runs the work in a worker thread, ``threads`` at a time for the whole node:
   known peers' work (validators, peers we dialled) and our own first, then
   strangers', each in arrival order (:class:`_Lanes`). In one first-in
   first-out queue a validator's vote batch waited behind every stranger's
   queued message: 6.6-10.6 s behind 64 decoder bombs (review 37, finding E);
   strangers' work is bounded by their pool, known peers' by the genesis;
4. charges the thread CPU time the work took to the peer.

The work must be a plain function of its arguments (it runs in another
thread); the caches it uses must be thread-safe.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import trio

from node.net.budget import Budget

T = TypeVar("T")


class Verdict(enum.Enum):
    """A topic validator's answer (libp2p's pubsub only knows accept or not).

    ACCEPT: deliver and forward. IGNORE: neither, and the sender is not at
    fault (a rate limit, our own overload). REJECT: neither, and the sending
    peer loses standing: an honest peer runs the same checks before forwarding.
    """

    ACCEPT = "accept"
    IGNORE = "ignore"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One gossip message to validate: who sent it to us, who signed it, its bytes."""

    forwarder: str
    origin: str
    data: bytes


#: An asynchronous topic validator (see ``P2P.subscribe``).
AsyncValidator = Callable[[Inbound], Awaitable[Verdict]]


class OverBudget(Exception):
    """The peer may not spend more verification now; the message is ignored."""


class Verifier:
    """Runs verification work for peers in a bounded thread pool; see the module docstring."""

    def __init__(self, budget: Budget, *, threads: int = 1,
                 clock: Callable[[], float] = time.monotonic,
                 exempt: frozenset[str] = frozenset()) -> None:
        self.budget = budget
        #: peers whose work is never refused or charged: our own id (our own
        #: publishes are validated too, and must not starve on our own budget)
        self.exempt = exempt
        self._clock = clock
        self._threads = _Lanes(threads)
        self._slots: dict[str, trio.Semaphore] = {}
        self._waiting: dict[str, int] = {}
        self._stranger_waiting = 0  # strangers' messages waiting or running, all together
        self.runs = 0
        self.refused = 0

    async def run(self, peer: str, work: Callable[[], T]) -> T:
        """``work()`` in a worker thread on ``peer``'s budget; raises OverBudget if refused."""
        if peer in self.exempt:
            ok, result, _ = await self._threads.run(True, work)
            if not ok:
                assert isinstance(result, BaseException)
                raise result
            return result  # type: ignore[return-value]
        p = self.budget.params
        now = self._clock()
        waiting = self._waiting.get(peer, 0)
        if waiting >= p.max_queued_verifications:
            self.refused += 1
            self.budget.over_budget(peer, now)
            raise OverBudget(f"{peer} has {waiting} messages waiting for verification")
        stranger = not self.budget.is_known(peer)
        if stranger and self._stranger_waiting >= self.budget.pool_queued_verifications:
            # All strangers together queue what stranger_pool peers may (sybils share it).
            self.refused += 1
            self.budget.over_budget(peer, now)
            raise OverBudget(f"strangers have {self._stranger_waiting} messages waiting")
        if not self.budget.cpu_available(peer, now):
            self.refused += 1
            raise OverBudget(f"{peer} spent its verification CPU budget")
        slots = self._slots.get(peer)
        if slots is None:
            slots = self._slots[peer] = trio.Semaphore(p.max_inflight_verifications)
        self._waiting[peer] = waiting + 1
        if stranger:
            self._stranger_waiting += 1
        try:
            async with slots:
                ok, result, cpu_s = await self._threads.run(not stranger, work)
        finally:
            if stranger:
                self._stranger_waiting -= 1
            left = self._waiting[peer] - 1
            if left:
                self._waiting[peer] = left
            else:
                # Bounded: an idle peer holds no entry (its semaphore is free too).
                del self._waiting[peer]
                self._slots.pop(peer, None)
        self.runs += 1
        self.budget.charge_cpu(peer, cpu_s, self._clock())  # failed work costs too
        if not ok:
            assert isinstance(result, BaseException)
            raise result
        return result  # type: ignore[return-value]

    def statistics(self) -> tuple[int, int, int]:
        """(verifications run, refused, peers with work waiting)."""
        return self.runs, self.refused, len(self._waiting)


class _Lanes:
    """``threads`` worker slots handed out known-first: a waiting known peer's work (or our own)
    runs before any waiting stranger's; within a lane, in arrival order. A freed slot is handed to
    the next waiter directly, so nobody overtakes it."""

    def __init__(self, threads: int) -> None:
        self._free = threads
        self._waiters: tuple[deque[trio.Event], deque[trio.Event]] = (deque(), deque())  # (known, strangers)

    async def run(self, known: bool, work: Callable[[], T]) -> tuple[bool, T | Exception, float]:
        await self._acquire(known)
        try:
            return await trio.to_thread.run_sync(_timed, work)
        finally:
            self._release()

    async def _acquire(self, known: bool) -> None:
        if self._free > 0 and not any(self._waiters):
            await trio.lowlevel.checkpoint_if_cancelled()
            self._free -= 1  # held from here: nothing below may raise
            await trio.lowlevel.cancel_shielded_checkpoint()
            return
        turn = trio.Event()
        lane = self._waiters[0 if known else 1]
        lane.append(turn)
        try:
            await turn.wait()
        except BaseException:
            if turn.is_set():
                self._release()  # the slot was handed to us as we were cancelled: pass it on
            else:
                lane.remove(turn)
            raise

    def _release(self) -> None:
        for lane in self._waiters:
            if lane:
                lane.popleft().set()
                return
        self._free += 1


def _timed(work: Callable[[], T]) -> tuple[bool, T | Exception, float]:
    start = time.thread_time()
    try:
        result: T | Exception = work()
        ok = True
    except Exception as exc:
        result, ok = exc, False
    return ok, result, time.thread_time() - start
