"""Reading blocks and certificates: by id, by slot, by proposer, heads for sync, listings."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from node.store.db import check_limit
from node.store.records import RECORD_COLS, RecordsTable
from node.store.rows import BLOCK_STATUSES, BlockRow, RecordRow, block_row
from protocol.errors import LocalError

BLOCK_COLS = (
    "b.block_id, b.proposer, b.seq, b.header, p.payload, b.status, c.cert, "
    "b.created_ms, b.received_ms, c.committed_ms, b.record_count"
)
BLOCK_FROM = (
    "blocks b LEFT JOIN certificates c ON c.block_id = b.block_id "
    "LEFT JOIN payloads p ON p.block_id = b.block_id"
)
# A listing reads no header, payload or certificate (review 7, finding 6: listing 50 blocks
# read up to 50 payloads of 4-8 MiB each, on the store worker, to print their lengths).
# ``bytes`` is header + payload, stored when the block was; length() of a blob reads only
# its size, and the payload's presence is a lookup in the payloads' key index.
_LIST_COLS = (
    "b.block_id, b.proposer, b.seq, b.status, b.created_ms, b.received_ms, c.committed_ms, "
    "b.record_count, b.bytes, "
    "CASE WHEN EXISTS (SELECT 1 FROM payloads p WHERE p.block_id = b.block_id) "
    "THEN b.bytes - length(b.header) END"
)
_LIST_FROM = "blocks b LEFT JOIN certificates c ON c.block_id = b.block_id"


@dataclass(frozen=True, slots=True)
class BlockSummary:
    """A block as :meth:`BlockReads.list_blocks` lists it: its sizes, not its bytes.

    ``bytes`` is header + payload as stored; ``payload_bytes`` is None for a
    block stored header-only.
    """

    block_id: str
    proposer: str
    seq: int
    status: str
    created_ms: int
    received_ms: int
    committed_ms: int | None
    record_count: int
    bytes: int
    payload_bytes: int | None


class BlockReads(RecordsTable):
    def get_block(self, block_id: str) -> BlockRow | None:
        """The stored block (any status) with its certificate, or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {BLOCK_COLS} FROM {BLOCK_FROM} WHERE b.block_id = ?", (block_id,)
            ).fetchone()
        return None if row is None else block_row(row)

    def block_at(self, proposer: str, seq: int) -> BlockRow | None:
        """The committed block in slot (proposer, seq), or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {BLOCK_COLS} FROM {BLOCK_FROM} "
                "WHERE b.proposer = ? AND b.seq = ? AND b.status = 'committed'",
                (proposer, seq),
            ).fetchone()
        return None if row is None else block_row(row)

    def heads(self) -> list[tuple[str, int, str, int]]:
        """Per proposer: ``(proposer, highest committed seq, its block_id, committed count)``."""
        with self._read() as conn:
            # Kept up to date by every commit (chain_tips), so this costs one row per proposer.
            rows = conn.execute(
                "SELECT proposer, head_seq, head_id, committed_count FROM chain_tips "
                "WHERE committed_count > 0 ORDER BY proposer"
            ).fetchall()
        return [(p, s, b, n) for p, s, b, n in rows]

    def missing_committed_seqs(self, proposer: str, upto: int, limit: int = 4096) -> list[int]:
        """Seqs in ``[1, upto]`` with no committed block of ``proposer`` here (gaps, or rejected slots).

        A peer's claimed head decides ``upto``, so this runs for lying claims
        too and must not cost a scan of the chain each time (a 100k-block
        chain took 67 ms of CPU per call). ``chain_tips`` counts a proposer's
        committed blocks, which are never pruned and hold distinct seqs >= 1:
        ``committed_count == head_seq`` proves there is no gap below the head
        (the common case, one row). A chain with holes keeps its holes below
        its head in a memo keyed by (head, count), brought up to date from the
        rows above the old head and, only when the count says an old hole was
        filled, a lookup of the old holes.
        """
        if upto < 1 or limit < 1:
            return []
        with self._read() as conn:
            tip = conn.execute(
                "SELECT head_seq, committed_count FROM chain_tips WHERE proposer = ?", (proposer,)
            ).fetchone()
            head, count = (int(tip[0]), int(tip[1])) if tip is not None else (0, 0)
            holes: Sequence[int] = []
            if count != head:
                holes = self._holes_below_head(conn, proposer, head, count)
        out = [s for s in holes[:limit] if s <= upto]
        start = min(head, upto) + 1  # past our head (everything when we hold nothing of it)
        out.extend(range(start, min(upto, start - 1 + limit - len(out)) + 1))
        return out

    def _holes_below_head(self, conn: Any, proposer: str, head: int, count: int) -> array[int]:
        """Sorted seqs in ``[1, head]`` with no committed block (runs under the store's lock).

        Memoized per proposer as an ``array('q')``: 8 bytes a hole, where a list of ints held 44, and a
        byzantine proposer whose slots keep being rejected adds a hole each (review 25: about 60 MiB a
        day at 20 rejected slots a second as a list)."""
        memo: dict[str, tuple[int, int, array[int]]] = self.__dict__.setdefault("_holes_memo", {})
        h0, c0, holes0 = memo.get(proposer, (0, 0, array("q")))
        if (h0, c0) == (head, count):
            return holes0
        if head < h0 or count < c0:  # cannot happen (commits are final); start over rather than trust it
            h0, c0, holes0 = 0, 0, array("q")
        above = [s for (s,) in conn.execute(
            "SELECT seq FROM blocks WHERE proposer = ? AND status = 'committed' AND seq > ? ORDER BY seq",
            (proposer, h0),
        )]
        holes = holes0
        if count - c0 != len(above):  # some old holes were filled since
            filled: set[int] = set()
            for i in range(0, len(holes0), 500):
                chunk = holes0[i:i + 500]
                filled.update(s for (s,) in conn.execute(
                    "SELECT seq FROM blocks WHERE proposer = ? AND status = 'committed' "
                    f"AND seq IN ({','.join('?' * len(chunk))})",
                    (proposer, *chunk),
                ))
            holes = array("q", (s for s in holes0 if s not in filled))
        else:
            holes = array("q", holes0)
        prev = h0
        for s in above:
            holes.extend(range(prev + 1, s))
            prev = s
        memo[proposer] = (head, count, holes)
        return holes

    def blocks_range(self, proposer: str, from_seq: int, limit: int) -> list[BlockRow]:
        """Committed blocks of ``proposer`` with seq >= ``from_seq``, ascending."""
        check_limit(limit)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {BLOCK_COLS} FROM {BLOCK_FROM} WHERE b.proposer = ? AND b.seq >= ? "
                "AND b.status = 'committed' ORDER BY b.seq LIMIT ?",
                (proposer, from_seq, limit),
            ).fetchall()
        return [block_row(r) for r in rows]

    def list_blocks(
        self,
        *,
        proposer: str | None = None,
        status: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        limit: int = 100,
    ) -> list[BlockSummary]:
        """Blocks (any status unless given), newest received first, without their bytes.

        ``since_ms`` (inclusive) and ``until_ms`` (exclusive) bound the local
        ``received_ms``, which, unlike ``created_ms``, a proposer cannot fake.
        :meth:`get_block` reads one block whole.
        """
        check_limit(limit)
        if status is not None and status not in BLOCK_STATUSES:
            raise LocalError(f"unknown block status {status!r}; one of {BLOCK_STATUSES}")
        where: list[str] = []
        args: list[Any] = []
        for cond, val in (
            ("b.proposer = ?", proposer),
            ("b.status = ?", status),
            ("b.received_ms >= ?", since_ms),
            ("b.received_ms < ?", until_ms),
        ):
            if val is not None:
                where.append(cond)
                args.append(val)
        sql = f"SELECT {_LIST_COLS} FROM {_LIST_FROM}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY b.received_ms DESC, b.rowid DESC LIMIT ?"
        with self._read() as conn:
            rows = conn.execute(sql, (*args, limit)).fetchall()
        return [BlockSummary(*r) for r in rows]

    def block_records(self, block_id: str) -> list[RecordRow]:
        """The stored records that belong to ``block_id`` (shipped or committed in it).

        Ordered by ingest. A record committed in an earlier block stays with
        that block and is not listed here.
        """
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {RECORD_COLS} FROM records WHERE block_id = ? ORDER BY id", (block_id,)
            ).fetchall()
        return [self._record_row(r) for r in rows]

    def latest_own_block(self, proposer: str | None = None) -> BlockRow | None:
        """The highest-seq block (any status) of ``proposer``, by default ours.

        After a restart this is the block we may still have to re-announce.
        """
        who = proposer if proposer is not None else self._local_origin
        if who is None:
            raise LocalError("latest_own_block: no proposer given and no local_origin set")
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {BLOCK_COLS} FROM {BLOCK_FROM} WHERE b.proposer = ? "
                "ORDER BY b.seq DESC, b.status = 'committed' DESC, b.received_ms DESC LIMIT 1",
                (who,),
            ).fetchone()
        return None if row is None else block_row(row)

    def count_committed(self) -> tuple[int, int]:
        """(committed blocks, records stored as part of a committed block)."""
        with self._read() as conn:
            blocks = conn.execute("SELECT count(*) FROM blocks WHERE status = 'committed'").fetchone()[0]
            records = conn.execute(
                "SELECT count(*) FROM records r JOIN blocks b ON b.block_id = r.block_id "
                "WHERE b.status = 'committed'"
            ).fetchone()[0]
        return blocks, records
