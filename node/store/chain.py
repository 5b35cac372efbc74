"""Slot decisions, chain tips, the write window and retention.

Theory of operation
-------------------
``slot_decisions`` holds one row per slot decided here: ``committed`` (with
the block) or ``rejected`` (block id if known). A committed outcome replaces
a rejected one (sync may bring the certificate of a slot we thought
rejected); a rejected outcome never replaces a committed one; two different
committed blocks in one slot raise ForkError. ``chain_tips`` caches, per
proposer, the highest decided seq (the *head*), the latest commit, and how far
retention has pruned; it is updated in the same transaction as the decision,
so it is never stale, even after a crash.

The head anchors the write window (StoreParams): uncertified blocks and votes
are stored only for ``head - retain_slots < seq <= head + slots_ahead``, a
check that costs one primary-key lookup. Retention: when a proposer's head
passes ``s + retain_slots``, slot ``s`` loses its non-committed blocks (but
never our own, nor one a local record still points at) and the votes for
them; committed blocks, their certificates and votes, our own votes, the
decisions and the evidence stay. Pruning is incremental: each decision
deletes only the slots between the last pruned one and the new bound.

``ChainState.skipped`` is not stored: it is derived. Above the latest commit
every decided slot is a rejection, so the highest slot in
``(committed_seq, decided)`` with no decision here is exactly the slot the
chain rule must treat as possibly committed (FUTURE, not BAD_PREV).
"""

from __future__ import annotations

import sqlite3

from node.store.db import Db, check_limit
from node.store.errors import ForkError
from node.store.rows import OUTCOMES, ChainTipRow, SlotDecision
from protocol.errors import LocalError

_TIP = "SELECT decided, committed_seq, committed_id, pruned_upto FROM chain_tips WHERE proposer = ?"
_HEAD = "SELECT decided FROM chain_tips WHERE proposer = ?"
_DECISION = "SELECT outcome, block_id FROM slot_decisions WHERE proposer = ? AND seq = ?"
_PRUNE_VOTES = (
    "DELETE FROM votes WHERE proposer = ? AND seq > ? AND seq <= ? AND NOT EXISTS "
    "(SELECT 1 FROM slot_decisions d WHERE d.proposer = votes.proposer AND d.seq = votes.seq "
    " AND d.outcome = 'committed' AND d.block_id = votes.block_id)"
)
_PRUNE_BLOCKS = (
    "DELETE FROM blocks WHERE proposer = ? AND seq > ? AND seq <= ? AND status != 'committed' "
    "AND proposer IS NOT ? AND NOT EXISTS (SELECT 1 FROM records r WHERE r.block_id = blocks.block_id)"
)


class ChainTable(Db):
    def _head(self, conn: sqlite3.Connection, proposer: str) -> int:
        row = conn.execute(_HEAD, (proposer,)).fetchone()
        return 0 if row is None else int(row[0])

    def _in_window(self, seq: int, head: int) -> bool:
        p = self.params
        return head - p.retain_slots < seq <= head + p.slots_ahead

    def _decide(
        self, conn: sqlite3.Connection, proposer: str, seq: int, outcome: str, block_id: str | None
    ) -> bool:
        """Inside a write transaction: record a slot's outcome; True if it changed."""
        old = conn.execute(_DECISION, (proposer, seq)).fetchone()
        if old is not None:
            if old[0] == "committed":
                if outcome == "committed" and old[1] != block_id:
                    raise ForkError(proposer, seq, old[1], str(block_id))
                return False
            if outcome == "rejected":
                return False
        conn.execute(
            "INSERT INTO slot_decisions (proposer, seq, outcome, block_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (proposer, seq) DO UPDATE SET outcome = excluded.outcome, block_id = excluded.block_id",
            (proposer, seq, outcome, block_id),
        )
        tip = conn.execute(_TIP, (proposer,)).fetchone()
        decided, cseq, cid, pruned = (0, 0, None, 0) if tip is None else tip
        decided = max(decided, seq)
        if outcome == "committed" and seq > cseq:
            cseq, cid = seq, block_id
        conn.execute(
            "INSERT INTO chain_tips (proposer, decided, committed_seq, committed_id, pruned_upto) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (proposer) DO UPDATE SET decided = excluded.decided, "
            "committed_seq = excluded.committed_seq, committed_id = excluded.committed_id",
            (proposer, decided, cseq, cid, pruned),
        )
        upto = decided - self.params.retain_slots
        if upto > pruned:
            conn.execute(_PRUNE_VOTES, (proposer, pruned, upto))
            conn.execute(_PRUNE_BLOCKS, (proposer, pruned, upto, self._local_origin))
            conn.execute("UPDATE chain_tips SET pruned_upto = ? WHERE proposer = ?", (upto, proposer))
        return True

    def mark_decided(self, proposer: str, seq: int, outcome: str, block_id: str | None) -> bool:
        """Durably record the outcome of slot (proposer, seq); True if it changed.

        ``outcome`` is ``"committed"`` (``block_id`` required) or
        ``"rejected"`` (``block_id`` optional: a slot may be rejected before
        its block arrived). ``commit_block`` and ``reject_block`` already
        record their decision; call this for outcomes learned without
        either. A committed outcome replaces a rejected one, never the
        reverse; a second, different committed block raises ForkError.
        Applies retention as the proposer's head moves.
        """
        if outcome not in OUTCOMES:
            raise LocalError(f"mark_decided: outcome must be one of {OUTCOMES}, not {outcome!r}")
        if not isinstance(seq, int) or seq < 1:
            raise LocalError(f"mark_decided: seq must be an integer >= 1, not {seq!r}")
        if outcome == "committed" and block_id is None:
            raise LocalError("mark_decided: a committed outcome needs its block_id")
        with self._write() as conn:
            return self._decide(conn, proposer, seq, outcome, block_id)

    def decided_since(self, proposer: str, from_seq: int, limit: int = 4096) -> list[SlotDecision]:
        """Decisions of ``proposer`` with seq >= ``from_seq``, ascending, at most ``limit``."""
        check_limit(limit)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT proposer, seq, outcome, block_id FROM slot_decisions "
                "WHERE proposer = ? AND seq >= ? ORDER BY seq LIMIT ?",
                (proposer, from_seq, limit),
            ).fetchall()
        return [SlotDecision(*r) for r in rows]

    def decided_window(self, window: int | None = None) -> list[SlotDecision]:
        """Every proposer's decisions with seq > head - ``window``, by (proposer, seq).

        ``window`` defaults to ``params.retain_slots``. This is what the slot
        lifecycle reloads at start so a replayed old block is recognised as
        decided; below the window, its head alone says "stale".
        """
        w = self.params.retain_slots if window is None else window
        if not isinstance(w, int) or w < 0:
            raise LocalError(f"decided_window: window must be a non-negative integer, not {w!r}")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT d.proposer, d.seq, d.outcome, d.block_id FROM slot_decisions d "
                "JOIN chain_tips t ON t.proposer = d.proposer "
                "WHERE d.seq > t.decided - ? ORDER BY d.proposer, d.seq",
                (w,),
            ).fetchall()
        return [SlotDecision(*r) for r in rows]

    def chain_tips(self) -> list[ChainTipRow]:
        """Per proposer with a decided slot, its persisted chain position, skipped included."""
        with self._read() as conn:
            tips = conn.execute(
                "SELECT proposer, decided, committed_seq, committed_id FROM chain_tips ORDER BY proposer"
            ).fetchall()
            out = []
            for proposer, decided, cseq, cid in tips:
                rejected = {
                    s
                    for (s,) in conn.execute(
                        "SELECT seq FROM slot_decisions WHERE proposer = ? AND seq > ? AND seq <= ?",
                        (proposer, cseq, decided),
                    )
                }
                skipped = 0
                s = decided
                while s > cseq:  # at most len(rejected) + 1 steps
                    if s not in rejected:
                        skipped = s
                        break
                    s -= 1
                out.append(ChainTipRow(proposer, int(decided), int(cseq), cid, skipped))
        return out
