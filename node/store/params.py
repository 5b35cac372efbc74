"""StoreParams: every bound the store enforces, with its default and why."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.errors import ConfigError


@dataclass(frozen=True, slots=True)
class StoreParams:
    """Bounds and retention of the store. See docs/store.md for what happens at each bound.

    "Head" below is a proposer's highest *decided* seq here (committed or
    rejected), kept in the ``chain_tips`` table. Uncertified writes (blocks
    seen on gossip, others' votes, evidence) are only stored for slots in the
    window ``head - retain_slots < seq <= head + slots_ahead``; anything
    outside is skipped with one primary-key lookup. Certified commits are
    never refused: a certificate is proof, and a node far behind must be able
    to store what sync brings.
    """

    #: Slots above a proposer's head for which uncertified blocks and votes are
    #: stored. Honest proposers run at most a few slots ahead of the slowest
    #: validator; a byzantine one inventing seq 10**9 is refused here. Matches
    #: SlotParams.slot_window_ahead: the store keeps what the slot core may open.
    slots_ahead: int = 64
    #: Slots at or below the head that keep their non-committed blocks, votes
    #: for non-committed blocks, and uncertified writes (for ``show`` and
    #: late votes). Older ones are pruned as the head moves (retention).
    retain_slots: int = 64
    #: Distinct uncertified blocks stored per slot. An equivocating proposer
    #: can sign unboundedly many variants of one slot; two already prove it
    #: (and SlotParams.max_blocks_per_slot opens no more).
    max_blocks_per_slot: int = 2
    #: Bytes (header + payload) of uncertified, uncommitted blocks kept per
    #: proposer. The window and the per-slot cap bound the count; this bounds
    #: the disk, since one payload may be 8 MiB. Honest proposers hold a few
    #: blocks in flight; retention frees the budget as the head moves.
    max_uncommitted_bytes_per_proposer: int = 64 * 1024 * 1024
    #: Distinct blocks one voter's votes are stored for per slot: two differing
    #: votes are the equivocation evidence; a third adds nothing.
    max_votes_per_voter_slot: int = 2
    #: Evidence rows kept per offender (one per (offender, slot) at most).
    #: One proves misbehaviour; a few show a pattern; more only fill the disk.
    max_evidence_per_offender: int = 64
    #: Committed records whose full-text indexing is deferred before a batch
    #: is flushed (see search.py); ``search`` flushes first, whatever the size.
    fts_batch: int = 4096
    #: Hard cap on the database file, in bytes (PRAGMA max_page_count), or 0
    #: for none. At the cap writes raise StoreFull and reads keep working.
    max_db_bytes: int = 0

    def validate(self) -> StoreParams:
        """Raise ConfigError (a LocalError) naming the first bad field; returns self."""
        for name, low in (
            ("slots_ahead", 1),
            ("retain_slots", 1),
            ("max_blocks_per_slot", 1),
            ("max_uncommitted_bytes_per_proposer", 1),
            ("max_votes_per_voter_slot", 1),
            ("max_evidence_per_offender", 1),
            ("fts_batch", 1),
            ("max_db_bytes", 0),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ConfigError(f"store.{name} (StoreParams) must be an integer >= {low}, not {value!r}")
        if 0 < self.max_db_bytes < 1 << 20:
            raise ConfigError("store.max_db_bytes (StoreParams) must be 0 (no cap) or at least 1 MiB")
        return self
