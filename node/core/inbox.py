"""The consensus task's inbox: two queues, served internal-first (plumbing, no protocol rules).

- *gossip* (blocks, votes, certificates already verified by the pubsub
  validators): bounded by count and by the bytes it holds (:func:`event_bytes`), and lossy
  when full; the caller counts the drop, gossip re-announces and sync repair it;
- *internal* completions (Evaluated, Fetched, Synced, our own blocks, the
  tick): never dropped. It needs no cap because every producer is bounded by
  construction (see :mod:`node.core.consensus`).

One consumer (the consensus task) takes :class:`Job` s with :meth:`Inbox.next`;
:meth:`Inbox.wait_idle` lets tests and the simulator wait until everything
posted so far has been taken and handled.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import trio

from protocol import slots as sl
from protocol.block import header_held_bytes

__all__ = ["Inbox", "Job", "event_bytes"]


@dataclass(eq=False)
class Job:
    """An internal event; ``done`` is set once handled (Synced and ticks wait for it)."""

    event: sl.Event | None  # None: a tick
    done: trio.Event | None = None
    committed: bool = False


# Review 25: header-only announces counted 0 bytes, so 4,096 of them (217 KiB each then) could hold
# about 870 MiB while the consumer was busy. A header counts protocol.block.header_held_bytes.
_VOTE_HELD = 400  # a SignedVote: its fields, two ids and a 64-byte signature


def event_bytes(event: sl.Event | None) -> int:
    """About what a queued gossip event holds: a block's decoded header and payload, or its votes
    (a certificate's too: counted 0, a queue of them held more than the byte bound said; review 37)."""
    if isinstance(event, sl.BlockSeen):
        payload = event.block.payload
        return header_held_bytes(event.block.header) + (len(payload) if payload is not None else 0)
    if isinstance(event, sl.VotesSeen):
        return _VOTE_HELD * len(event.votes)
    if isinstance(event, sl.CertificateSeen):
        return _VOTE_HELD * (len(event.cert.votes) + 1)  # its votes, and its slot and block id
    return 0


class Inbox:
    """Gossip (bounded, lossy) and internal (lossless) events for one consumer task."""

    def __init__(self, max_events: int, max_bytes: int) -> None:
        self.max_events, self.max_bytes = max_events, max_bytes
        self._gossip: deque[sl.Event] = deque()
        self.gossip_bytes = 0  # what the gossip queue holds, by event_bytes
        self._internal: deque[Job] = deque()
        self._wake, self._idle = trio.Event(), trio.Event()

    def post_gossip(self, event: sl.Event) -> bool:
        """Queue a gossip event; False (and nothing queued) when either bound would be passed."""
        size = event_bytes(event)
        if len(self._gossip) >= self.max_events or self.gossip_bytes + size > self.max_bytes:
            return False
        self._gossip.append(event)
        self.gossip_bytes += size
        self._wake.set()
        return True

    def post(self, job: Job) -> None:
        """Queue an internal job (never dropped)."""
        self._internal.append(job)
        self._wake.set()

    async def next(self) -> Job:
        """The next job, internal first; while both queues are empty the inbox counts as idle."""
        while True:
            if self._internal:
                return self._internal.popleft()
            if self._gossip:
                event = self._gossip.popleft()
                self.gossip_bytes -= event_bytes(event)
                return Job(event)
            self._wake = trio.Event()
            self._idle.set()
            await self._wake.wait()
            self._idle = trio.Event()

    async def wait_idle(self) -> None:
        """Wait until every job posted so far is taken and the consumer is back waiting for more."""
        while self._gossip or self._internal or not self._idle.is_set():
            await self._idle.wait()
            await trio.lowlevel.checkpoint()
