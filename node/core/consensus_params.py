"""The consensus driver's settings and counters (its slot bounds are :class:`protocol.slots.SlotParams`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from protocol import slots as sl
from protocol.errors import LocalError

__all__ = ["ConsensusParams", "ConsensusStats"]


@dataclass(frozen=True, slots=True)
class ConsensusParams:
    """The driver's settings; the slot bounds are in :class:`~protocol.slots.SlotParams`."""

    slots: sl.SlotParams = field(default_factory=sl.SlotParams)
    #: gossip events waiting for the consensus task; more are dropped (and counted)
    gossip_queue: int = 4096
    #: ...and at most this many payload bytes of gossiped blocks in that queue (4096 blocks of
    #: 512 KiB would otherwise be 2 GiB if the task fell behind)
    gossip_queue_bytes: int = 64 * 1024 * 1024
    #: seconds between ticks (expiry of pending, stale and idle state; vote flushes)
    tick_s: float = 0.5
    #: others' votes are written in batches of this many (or at the next tick)
    vote_flush_rows: int = 2000
    #: votes already handed to the core: a repeat costs one lookup (finding 4)
    seen_votes: int = 65_536
    #: our stored vote for a slot is re-sent at most this often, however often its block is replayed
    resend_interval_s: float = 1.0

    def validate(self) -> ConsensusParams:
        self.slots.validate()
        if (self.gossip_queue < 1 or self.gossip_queue_bytes < 1 or self.vote_flush_rows < 1
                or self.seen_votes < 1 or self.tick_s <= 0):
            raise LocalError("ConsensusParams: queue, flush and cache sizes must be >= 1, tick_s > 0")
        return self


@dataclass(frozen=True)
class ConsensusStats:
    committed_blocks: int
    committed_records: int
    rejected_blocks: int
    votes_cast: int
    evidence: int
    open_blocks: int
    pending_buffer: int
    store_errors: int = 0
    internal_errors: int = 0
