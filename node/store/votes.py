"""Votes: our own (durable before sending, never two per slot) and others' (windowed, capped).

Others' votes are kept for ``show``/``votes`` and as equivocation evidence,
not for safety (certificates carry what matters), so they are bounded
hard: only for slots in the write window (chain.py), and at most
``max_votes_per_voter_slot`` distinct blocks per (voter, slot). Our own votes
are never pruned: they are what stops this node signing twice in one slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from node.store.chain import ChainTable
from node.store.db import check_limit
from node.store.rows import VoteRow

# The count subquery is the per-(voter, slot) cap; ON CONFLICT-free "OR IGNORE"
# drops exact duplicates (the primary key).
_INSERT_VOTE = (
    "INSERT OR IGNORE INTO votes (block_id, voter, proposer, seq, decision, vote) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE (SELECT count(*) FROM votes "
    "WHERE proposer = ?3 AND seq = ?4 AND voter = ?2 AND block_id != ?1) < ?7"
)


class VotesTable(ChainTable):
    def record_own_vote(self, proposer: str, seq: int, block_id: str, vote: bytes) -> bytes:
        """Durably record our vote in a slot BEFORE it is sent; returns the vote to send.

        If we already voted in (proposer, seq), nothing is stored and the
        existing vote bytes are returned, so even after a crash and restart
        this node can never sign two different votes for one slot. Always
        synchronous=FULL, whatever the store's mode.
        """
        with self._write(durable=True) as conn:
            row = conn.execute(
                "SELECT vote FROM own_votes WHERE proposer = ? AND seq = ?", (proposer, seq)
            ).fetchone()
            if row is not None:
                return bytes(row[0])
            conn.execute(
                "INSERT INTO own_votes (proposer, seq, block_id, vote) VALUES (?, ?, ?, ?)",
                (proposer, seq, block_id, vote),
            )
        return vote

    def own_vote(self, proposer: str, seq: int) -> bytes | None:
        """Our vote in slot (proposer, seq), if any."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT vote FROM own_votes WHERE proposer = ? AND seq = ?", (proposer, seq)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def add_votes(self, votes: Sequence[tuple[str, str, str, int, int, bytes]]) -> int:
        """Store verified votes ``(block_id, voter, proposer, seq, decision, vote)``; returns how many were new.

        One transaction. Duplicates are ignored; votes for slots outside the
        write window, and a voter's votes for more than
        ``max_votes_per_voter_slot`` blocks of one slot, are skipped. Two
        different votes from one voter in one slot are both kept (they are
        equivocation evidence).
        """
        if not votes:
            return 0
        cap = self.params.max_votes_per_voter_slot
        with self._write() as conn:
            heads: dict[str, int] = {}
            rows = []
            for bid, voter, proposer, seq, decision, vote in votes:
                head = heads.get(proposer)
                if head is None:
                    head = heads[proposer] = self._head(conn, proposer)
                if self._in_window(seq, head):
                    rows.append((bid, voter, proposer, seq, decision, vote, cap))
            if len(rows) < len(votes):
                self._refuse("vote_window", len(votes) - len(rows))
            before = conn.total_changes
            conn.executemany(_INSERT_VOTE, rows)
            return conn.total_changes - before

    def votes_for(self, block_id: str) -> list[bytes]:
        """Signed vote bytes for ``block_id``, ordered by voter."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT vote FROM votes WHERE block_id = ? ORDER BY voter", (block_id,)
            ).fetchall()
        return [bytes(v) for (v,) in rows]

    def list_votes(self, *, voter: str | None = None, limit: int = 100) -> list[VoteRow]:
        """Stored votes, most recently added first, optionally from one voter."""
        check_limit(limit)
        sql = "SELECT block_id, voter, proposer, seq, decision, vote FROM votes"
        args: tuple[Any, ...] = (limit,)
        if voter is not None:
            sql += " WHERE voter = ?"
            args = (voter, limit)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY rowid DESC LIMIT ?", args).fetchall()
        return [VoteRow(b, v, p, s, d, bytes(x)) for b, v, p, s, d, x in rows]
