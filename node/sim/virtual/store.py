"""An in-memory store for one virtual node: what a daemon's SQLite store keeps, without the disk.

It survives a simulated crash (it models the durable disk): after a restart
the node rebuilds its volatile state (tally, chain tips, pending buffer) from
it, as a daemon does from SQLite. Blocks are held by reference: every node's
store points at the same immutable :class:`~protocol.block.Block` objects, so
a thousand nodes cost a thousand dict entries per block, not a thousand
copies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from node.store import BlockRow, EvidenceRow
from protocol.block import Block
from protocol.vote import SignedVote


@dataclass(slots=True)
class MemBlock:
    block: Block
    status: str  # "pending" | "committed" | "rejected"
    received_ms: int
    cert: bytes | None = None
    committed_ms: int | None = None


class MemStore:
    """Blocks, own votes, evidence and own records of one node."""

    __slots__ = ("blocks", "committed", "own_votes", "evidence", "records", "committed_cids", "_ev_keys",
                 "committed_records", "_heads", "decided")

    def __init__(self, track_cids: bool) -> None:
        self.blocks: dict[str, MemBlock] = {}
        self.committed: dict[tuple[str, int], str] = {}  # slot -> block id
        self.own_votes: dict[tuple[str, int], SignedVote] = {}
        self.evidence: list[EvidenceRow] = []
        self._ev_keys: set[tuple[str, str, str, int]] = set()
        self.records: dict[str, str] = {}  # own ingested record cid -> status
        self.committed_cids: set[str] | None = set() if track_cids else None
        self.committed_records = 0
        self._heads: dict[str, tuple[int, str, int]] = {}  # proposer -> (max seq, its block id, count)
        self.decided: dict[tuple[str, int], str] = {}  # slot -> "committed" | "rejected" (PersistDecided)

    def put_block(self, block: Block, now_ms: int) -> None:
        mb = self.blocks.get(block.block_id)
        if mb is None:
            self.blocks[block.block_id] = MemBlock(block, "pending", now_ms)
        elif mb.block.payload is None and block.payload is not None:
            mb.block = block

    def commit_block(self, block: Block, cert: bytes, cids: list[str] | None, now_ms: int) -> bool:
        """Mark committed; False if it already was."""
        self.put_block(block, now_ms)
        mb = self.blocks[block.block_id]
        if mb.status == "committed":
            return False
        mb.status, mb.cert, mb.committed_ms = "committed", cert, now_ms
        self.committed[block.header.slot] = block.block_id
        self.decided[block.header.slot] = "committed"
        self.committed_records += block.header.record_count
        p, seq = block.header.slot
        top, top_id, count = self._heads.get(p, (0, "", 0))
        self._heads[p] = (seq, block.block_id, count + 1) if seq > top else (top, top_id, count + 1)
        if self.committed_cids is not None and cids:
            self.committed_cids.update(cids)
        return True

    def reject_block(self, block_id: str) -> None:
        mb = self.blocks.get(block_id)
        if mb is not None and mb.status == "pending":
            mb.status = "rejected"

    def record_own_vote(self, sv: SignedVote) -> SignedVote:
        """Keep our first vote per slot; returns the one that stands (an earlier one wins)."""
        return self.own_votes.setdefault(sv.vote.slot, sv)

    def add_evidence(self, kind: str, offender: str, proposer: str, seq: int, body: bytes, now_ms: int) -> None:
        key = (kind, offender, proposer, seq)
        if key in self._ev_keys:
            return  # one evidence row per (offender, slot, kind)
        self._ev_keys.add(key)
        self.evidence.append(EvidenceRow(len(self.evidence) + 1, kind, offender, proposer, seq, body, now_ms))

    def chain_tips(self) -> list[tuple[str, int, int, str | None, int]]:
        """Per proposer: (proposer, decided seq, committed seq, committed id, skipped), for ``SlotCore.restore``."""
        top: dict[str, int] = {}
        for (p, seq) in self.decided:
            top[p] = max(top.get(p, 0), seq)
        out = []
        for p in sorted(top):
            cseq, cid, _n = self._heads.get(p, (0, "", 0))
            out.append((p, top[p], cseq, cid or None, 0))
        return out

    def committed_view(self, proposer_ids: tuple[str, ...]) -> tuple[int, ...]:
        """The committed view (highest committed seq per genesis proposer, in that order)."""
        heads = self._heads
        return tuple(heads[p][0] if p in heads else 0 for p in proposer_ids)

    def heads(self) -> list[tuple[str, int, str, int]]:
        """Per proposer: (proposer, highest committed seq, its block id, committed count), as the SQLite store."""
        return [(p, s, bid, n) for p, (s, bid, n) in sorted(self._heads.items())]

    def missing_committed_seqs(self, proposer: str, upto: int) -> list[int]:
        return [s for s in range(1, upto + 1) if (proposer, s) not in self.committed]

    def blocks_range(self, proposer: str, from_seq: int, limit: int) -> list[MemBlock]:
        """Committed blocks of ``proposer`` from ``from_seq`` up, ascending, at most ``limit``."""
        top = self._heads.get(proposer, (0, "", 0))[0]
        out = []
        for s in range(from_seq, top + 1):
            bid = self.committed.get((proposer, s))
            if bid is not None:
                out.append(self.blocks[bid])
                if len(out) >= limit:
                    break
        return out

    def committed_rows(self, header_bytes: Callable[[Block], bytes]) -> list[BlockRow]:
        """Committed blocks as the SQLite store's rows (for the invariants and the report)."""
        out = []
        for bid in self.committed.values():
            mb = self.blocks[bid]
            h = mb.block.header
            out.append(BlockRow(bid, h.proposer, h.seq, header_bytes(mb.block), mb.block.payload, mb.status,
                                mb.cert, h.created_ms, mb.received_ms, mb.committed_ms, h.record_count))
        return out
