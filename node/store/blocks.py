"""Blocks and certificates: storing (windowed), committing (batched), rejecting.

Blocks are ``pending`` until ``commit_block`` (with a certificate) or
``reject_block``. A partial UNIQUE index on ``(proposer, seq)`` over committed
blocks makes a fork impossible to store; committing checks first and raises
ForkError naming both blocks. An uncertified ``put_block`` is refused, cheaply
and silently (counted in ``statistics().refused``), outside the write window
(see chain.py), beyond ``max_blocks_per_slot`` in its slot, or beyond its
proposer's ``max_uncommitted_bytes_per_proposer``; a certified one never is.

``commit_block`` is one durable transaction per block; ``commit_blocks`` stores
and commits many certified blocks in one transaction (one fsync), which is
what a node catching up wants. Full-text indexing is not part of either: the
records are queued and indexed in batches (search.py). Reads are in
blockreads.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from node.store.blockreads import BlockReads
from node.store.chain import ChainTable
from node.store.errors import ForkError
from node.store.records import IN_COMMITTED_BLOCK
from node.store.search import SearchIndex
from protocol.errors import LocalError
from protocol.record import Record

_INSERT_BLOCK = (
    "INSERT INTO blocks (block_id, proposer, seq, header, created_ms, "
    "record_count, received_ms, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_COMMITTED = (
    "INSERT INTO records (cid, kind, origin, ts_ms, body, status, score, block_id, "
    "ingested_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (cid) DO UPDATE SET status = excluded.status, score = excluded.score, "
    "block_id = excluded.block_id "
    f"WHERE records.block_id IS excluded.block_id OR NOT {IN_COMMITTED_BLOCK}"
)


@dataclass(frozen=True, slots=True)
class CommitItem:
    """One certified block for :meth:`BlocksTable.commit_blocks`: the block, its cert, its records."""

    block_id: str
    proposer: str
    seq: int
    header: bytes
    payload: bytes | None
    created_ms: int
    record_count: int
    cert: bytes
    records: Sequence[Record]
    scores: Sequence[float]


class BlocksTable(ChainTable, SearchIndex, BlockReads):
    def put_block(
        self,
        block_id: str,
        proposer: str,
        seq: int,
        header: bytes,
        payload: bytes | None,
        created_ms: int,
        record_count: int,
        now_ms: int,
        *,
        certified: bool = False,
    ) -> bool:
        """Store a block as ``pending``. Idempotent. True if it was newly stored.

        For a block already stored, fills in the payload if it was missing
        and returns False. An uncertified block (``certified=False``, the
        default: a block seen on gossip) outside its proposer's write window,
        in a slot already committed to another block, beyond
        ``max_blocks_per_slot`` in its slot, or over its proposer's byte
        budget for uncommitted blocks is not stored (nor is its payload
        filled in), and False is returned; our own blocks are never refused. Pass ``certified=True``
        for a block whose certificate was verified (it is about to be
        committed). The caller has checked the header signature and the
        payload CID.
        """
        with self._write() as conn:
            stored = self._put(conn, block_id, proposer, seq, header, payload, created_ms, record_count,
                               now_ms, certified or proposer == self._local_origin)
        return stored

    def _put(
        self,
        conn: sqlite3.Connection,
        block_id: str,
        proposer: str,
        seq: int,
        header: bytes,
        payload: bytes | None,
        created_ms: int,
        record_count: int,
        now_ms: int,
        trusted: bool,
    ) -> bool:
        row = conn.execute(
            "SELECT proposer, seq, header, NOT EXISTS (SELECT 1 FROM payloads p WHERE p.block_id = ?1), "
            "status FROM blocks WHERE block_id = ?1",
            (block_id,),
        ).fetchone()
        size = len(header) + (0 if payload is None else len(payload))
        if row is not None:
            if (row[0], row[1]) != (proposer, seq):
                # The block id is the header's CID, so this is a caller bug.
                raise LocalError(f"put_block: block {block_id} already stored with another header")
            # Same header, perhaps another signature: an Ed25519 signer can make many valid
            # signatures over one header, and the id covers the header, not the signature.
            # The first stored one stays (raising here stopped the consensus task: a
            # byzantine proposer's second signature crashed every node).
            if row[3] and payload is not None:
                if not trusted and row[4] != "committed" and self._over_budget(conn, proposer, len(payload)):
                    self._refuse("block_budget")
                    return False
                conn.execute("INSERT INTO payloads (block_id, payload) VALUES (?, ?)", (block_id, payload))
                conn.execute("UPDATE blocks SET bytes = ? WHERE block_id = ?", (size, block_id))
            return False
        if not trusted:
            if not self._in_window(seq, self._head(conn, proposer)):
                self._refuse("block_window")
                return False
            decided = conn.execute(
                "SELECT outcome FROM slot_decisions WHERE proposer = ? AND seq = ?", (proposer, seq)
            ).fetchone()
            if decided is not None and decided[0] == "committed":
                self._refuse("block_slot_committed")
                return False
            (n,) = conn.execute(
                "SELECT count(*) FROM blocks WHERE proposer = ? AND seq = ?", (proposer, seq)
            ).fetchone()
            if n >= self.params.max_blocks_per_slot:
                self._refuse("block_slot_full")
                return False
            if self._over_budget(conn, proposer, size):
                self._refuse("block_budget")
                return False
        conn.execute(_INSERT_BLOCK, (block_id, proposer, seq, header, created_ms, record_count, now_ms, size))
        if payload is not None:
            conn.execute("INSERT INTO payloads (block_id, payload) VALUES (?, ?)", (block_id, payload))
        return True

    def _over_budget(self, conn: sqlite3.Connection, proposer: str, extra: int) -> bool:
        # An index-only sum over the proposer's uncommitted blocks (blocks_uncommitted).
        (used,) = conn.execute(
            "SELECT coalesce(sum(bytes), 0) FROM blocks WHERE proposer = ? AND status != 'committed'",
            (proposer,),
        ).fetchone()
        return bool(used + extra > self.params.max_uncommitted_bytes_per_proposer)

    def commit_block(
        self,
        block_id: str,
        cert: bytes,
        records: Sequence[Record],
        scores: Sequence[float],
        now_ms: int,
    ) -> bool:
        """Commit a stored block with its certificate, in one durable transaction.

        Marks the block committed, stores the certificate, records the slot
        decision, inserts or updates its records (``committed``, or
        ``shipped`` when their origin is our ``local_origin``; a record
        already in another committed block stays there) and queues them for
        search. ``records`` may be empty when the payload is not at hand yet;
        calling again with the records fills them in. Returns True if the
        block was newly committed, False if it already was. Raises ForkError
        if another block is committed in the same slot, LocalError if the
        block is unknown or the counts are off.
        """
        with self._write() as conn:
            newly = self._commit(conn, block_id, cert, records, scores, now_ms)
        self._after_commit()
        return newly

    def commit_blocks(self, items: Sequence[CommitItem], now_ms: int) -> list[bool]:
        """Store and commit several certified blocks in ONE durable transaction.

        Each item is stored as by ``put_block(certified=True)`` and committed
        as by ``commit_block``. All or nothing: a ForkError or LocalError on
        any item leaves none of them stored. Returns, per item, whether it
        was newly committed.
        """
        out = []
        with self._write() as conn:
            for it in items:
                self._put(conn, it.block_id, it.proposer, it.seq, it.header, it.payload,
                          it.created_ms, it.record_count, now_ms, True)
                out.append(self._commit(conn, it.block_id, it.cert, it.records, it.scores, now_ms))
        self._after_commit()
        return out

    def _commit(
        self,
        conn: sqlite3.Connection,
        block_id: str,
        cert: bytes,
        records: Sequence[Record],
        scores: Sequence[float],
        now_ms: int,
    ) -> bool:
        if len(scores) != len(records):
            raise LocalError(f"commit_block: {len(scores)} scores for {len(records)} records")
        row = conn.execute(
            "SELECT proposer, seq, status, record_count, fts FROM blocks WHERE block_id = ?", (block_id,)
        ).fetchone()
        if row is None:
            raise LocalError(f"commit_block: block {block_id} is not stored; put_block first")
        proposer, seq, status, record_count, queued = row
        if records and len(records) != record_count:
            raise LocalError(
                f"commit_block: block {block_id} holds {record_count} records, got {len(records)}"
            )
        newly: bool = status != "committed"
        if newly:
            other = conn.execute(
                "SELECT block_id FROM blocks WHERE proposer = ? AND seq = ? "
                "AND status = 'committed' AND block_id != ?",
                (proposer, seq, block_id),
            ).fetchone()
            if other is not None:
                raise ForkError(proposer, seq, other[0], block_id)
            try:
                conn.execute(
                    "UPDATE blocks SET status = 'committed', decided_ms = ?, fts = ? WHERE block_id = ?",
                    (now_ms, int(bool(records)), block_id),
                )
            except sqlite3.IntegrityError:
                # The partial unique index is the backstop for the check above.
                raise ForkError(proposer, seq, "(unknown)", block_id) from None
            conn.execute(
                "INSERT INTO certificates (block_id, cert, committed_ms) VALUES (?, ?, ?) "
                "ON CONFLICT (block_id) DO UPDATE SET cert = excluded.cert, "
                "committed_ms = excluded.committed_ms",
                (block_id, cert, now_ms),
            )
            self._decide(conn, proposer, seq, "committed", block_id)  # creates the tip row
            conn.execute(
                "UPDATE chain_tips SET committed_count = committed_count + 1, "
                "head_id = CASE WHEN ?1 > head_seq THEN ?2 ELSE head_id END, "
                "head_seq = max(head_seq, ?1) WHERE proposer = ?3",
                (seq, block_id, proposer),
            )
        if records:
            # Record.cid hashes and base32-encodes on every access: do it once.
            cids = [r.cid for r in records]
            local = self._local_origin
            conn.executemany(
                _UPSERT_COMMITTED,
                [
                    (cid, r.kind, r.origin, r.ts_ms, r.canonical_bytes(),
                     "shipped" if r.origin == local else "committed", float(s), block_id, now_ms)
                    for cid, r, s in zip(cids, records, scores, strict=True)
                ],
            )
            if not queued:
                if not newly:  # records filled in after a header-only commit
                    conn.execute("UPDATE blocks SET fts = 1 WHERE block_id = ?", (block_id,))
                self._queue_fts(conn, block_id, dict(zip(cids, records, strict=True)))
        return newly

    def reject_block(self, block_id: str, now_ms: int) -> bool:
        """Mark a pending block rejected and record the slot's decision. True if it changed.

        A committed block is never un-committed (its certificate is proof),
        and an unknown block is ignored: both return False.
        """
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE blocks SET status = 'rejected', decided_ms = ? "
                "WHERE block_id = ? AND status = 'pending' RETURNING proposer, seq",
                (now_ms, block_id),
            )
            row = cur.fetchone()
            if row is None:
                return False
            self._decide(conn, row[0], row[1], "rejected", block_id)
            return True
