"""The records table: local ingest (the durable acknowledgement), statuses, queries.

Records move through statuses: ``pending`` (ingested, not yet scored),
``kept`` (scored, stays local), ``shipped`` (ours, placed in a block we
proposed, or ours found in a committed block) and ``committed`` (received in
a committed block from anyone). A record that belongs to a committed block is
final: ``mark_records`` leaves it alone, and a second committed block holding
the same record does not steal it (see blocks.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from node.store.db import IN_CHUNK, Db, check_limit, chunks
from node.store.rows import RECORD_STATUSES, RecordRow
from protocol.errors import LocalError
from protocol.record import Record

RECORD_COLS = "body, status, score, block_id, ingested_ms, cid"
IN_COMMITTED_BLOCK = (
    "EXISTS (SELECT 1 FROM blocks cb WHERE cb.block_id = records.block_id"
    " AND cb.status = 'committed')"
)
_INSERT_PENDING = (
    "INSERT INTO records (cid, kind, origin, ts_ms, body, status, ingested_ms) "
    "VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (cid) DO NOTHING"
)
_EXISTING = f"SELECT cid FROM records WHERE cid IN ({','.join('?' * IN_CHUNK)})"
_GUARD = f"cid = ? AND status != 'committed' AND NOT {IN_COMMITTED_BLOCK}"
_MARK_CHUNK = 4000  # records per UPDATE in mark_records: 8,002 parameters, under SQLite's 32,766


class RecordsTable(Db):
    def _record_row(self, row: tuple[Any, ...]) -> RecordRow:
        body, status, score, block_id, ingested_ms, cid = row
        return RecordRow(self._decode(cid, body), status, score, block_id, ingested_ms)

    def add_records_new(self, records: Sequence[Record], now_ms: int) -> list[bool]:
        """Store new records as ``pending``, durable on return (one transaction); say which were new.

        This is the ingest acknowledgement. Idempotent: a record already
        stored (under any status) is left untouched and reported False, so
        the pipeline, which keeps new records in memory for scoring, never
        queues a record twice when a client re-sends it. A cid repeated
        within one call is new only the first time.
        """
        if not records:
            return []
        cids = [r.cid for r in records]
        rows = [
            (cid, r.kind, r.origin, r.ts_ms, r.canonical_bytes(), now_ms)
            for cid, r in zip(cids, records, strict=True)
        ]
        existing: set[str] = set()
        with self._write() as conn:
            for chunk in chunks(cids):
                if len(chunk) == IN_CHUNK:  # the common, cached statement
                    q = _EXISTING
                else:
                    q = f"SELECT cid FROM records WHERE cid IN ({','.join('?' * len(chunk))})"
                existing.update(c for (c,) in conn.execute(q, tuple(chunk)))
            conn.executemany(_INSERT_PENDING, rows)
        seen: set[str] = set()
        out = []
        for c in cids:
            out.append(c not in existing and c not in seen)
            seen.add(c)
        return out

    def pending_records(self, limit: int) -> list[Record]:
        """Up to ``limit`` pending records, oldest ingested first."""
        check_limit(limit)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT cid, body FROM records WHERE status = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._decode(cid, body) for cid, body in rows]

    def pending_page(self, after_id: int, limit: int) -> list[tuple[int, Record]]:
        """Up to ``limit`` pending records with ``id > after_id``, oldest ingested first, with their ids.

        The pipeline pages through the pending rows with the last id as its
        cursor: a limit alone returns the same oldest rows every time.
        """
        check_limit(limit)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, cid, body FROM records WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [(i, self._decode(cid, body)) for i, cid, body in rows]

    def count_pending(self) -> int:
        """How many records are pending (one range of the ``records_status`` index)."""
        with self._read() as conn:
            (n,) = conn.execute("SELECT count(*) FROM records WHERE status = 'pending'").fetchone()
        return int(n)

    def mark_records(
        self,
        cids: Sequence[str],
        status: str,
        *,
        scores: Sequence[float] | None = None,
        block_id: str | None = None,
    ) -> int:
        """Set the status (and optionally scores) of local records.

        ``shipped`` needs the ``block_id`` of a block already stored with
        ``put_block``; ``pending`` and ``kept`` clear the block id (the
        record is in no block). ``committed`` is not accepted: only
        ``commit_block`` commits. Records in a committed block are final
        and left untouched, as are unknown cids. Returns the rows changed.
        """
        if status not in ("pending", "shipped", "kept"):
            raise LocalError(
                f"mark_records status must be pending, shipped or kept, not {status!r}"
                + (" (use commit_block)" if status == "committed" else "")
            )
        if (status == "shipped") != (block_id is not None):
            raise LocalError("mark_records: block_id is required for 'shipped' and only for it")
        if scores is not None and len(scores) != len(cids):
            raise LocalError(f"mark_records: {len(scores)} scores for {len(cids)} cids")
        with self._write() as conn:
            if block_id is not None and conn.execute(
                "SELECT 1 FROM blocks WHERE block_id = ?", (block_id,)
            ).fetchone() is None:
                raise LocalError(f"mark_records: block {block_id} is not stored; put_block first")
            if len(set(cids)) != len(cids) or sqlite3.sqlite_version_info < (3, 33, 0):
                # A repeated cid: one UPDATE per entry, the last score winning (UPDATE ... FROM
                # would pick one arbitrarily and count the row once); UPDATE ... FROM needs 3.33.
                if scores is None:
                    cur = conn.executemany(
                        f"UPDATE records SET status = ?, block_id = ? WHERE {_GUARD}",
                        [(status, block_id, cid) for cid in cids],
                    )
                else:
                    cur = conn.executemany(
                        f"UPDATE records SET status = ?, block_id = ?, score = ? WHERE {_GUARD}",
                        [(status, block_id, float(s), cid) for cid, s in zip(cids, scores, strict=True)],
                    )
                return cur.rowcount
            # One statement per chunk joined to a VALUES list: 1.5x faster per record than a
            # statement per record (8.6 -> 5.8 us at 512, docs/throughput.md), same rows changed.
            changed = 0
            for i in range(0, len(cids), _MARK_CHUNK):
                part = cids[i : i + _MARK_CHUNK]
                if scores is None:
                    params: list[Any] = [status, block_id, *part]
                    q = f"UPDATE records SET status = ?, block_id = ? WHERE cid IN ({','.join('?' * len(part))})"
                else:
                    params = [status, block_id]
                    for cid, sc in zip(part, scores[i : i + _MARK_CHUNK], strict=True):
                        params += (cid, float(sc))
                    q = ("UPDATE records SET status = ?, block_id = ?, score = v.column2 FROM (VALUES "
                         + ",".join(["(?,?)"] * len(part)) + ") AS v WHERE records.cid = v.column1")
                changed += conn.execute(f"{q} AND records.status != 'committed' AND NOT {IN_COMMITTED_BLOCK}",
                                        params).rowcount
            return changed

    def get_record(self, cid: str) -> RecordRow | None:
        """The stored record with this cid, or None."""
        with self._read() as conn:
            row = conn.execute(f"SELECT {RECORD_COLS} FROM records WHERE cid = ?", (cid,)).fetchone()
        return None if row is None else self._record_row(row)

    def records_around(self, cid: str, window: int) -> list[RecordRow]:
        """Up to ``window`` local records ingested around ``cid``, in ingest order.

        This approximates the scoring window the record was judged in, so
        ``explain`` can show what it was compared with.
        """
        check_limit(window)
        half = window // 2
        with self._read() as conn:
            row = conn.execute("SELECT id, origin FROM records WHERE cid = ?", (cid,)).fetchone()
            if row is None:
                return []
            rows = conn.execute(
                f"SELECT {RECORD_COLS} FROM records WHERE origin = ? AND id >= ? ORDER BY id LIMIT ?",
                (row[1], max(0, row[0] - half), window),
            ).fetchall()
        return [self._record_row(r) for r in rows]

    def query_records(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        min_score: float | None = None,
        block_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[RecordRow]:
        """Records matching every given filter, newest ingested first."""
        check_limit(limit, offset)
        if status is not None and status not in RECORD_STATUSES:
            raise LocalError(f"unknown record status {status!r}; one of {RECORD_STATUSES}")
        where: list[str] = []
        args: list[Any] = []
        for col, val in (("status", status), ("kind", kind), ("block_id", block_id)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        if min_score is not None:
            where.append("score >= ?")
            args.append(float(min_score))
        sql = f"SELECT {RECORD_COLS} FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        with self._read() as conn:
            rows = conn.execute(sql, (*args, limit, offset)).fetchall()
        return [self._record_row(r) for r in rows]

    def count_records(self) -> dict[str, int]:
        """Number of records per status (every status present, 0 if none)."""
        with self._read() as conn:
            rows = conn.execute("SELECT status, count(*) FROM records GROUP BY status").fetchall()
        out = dict.fromkeys(RECORD_STATUSES, 0)
        out.update(rows)
        return out

    def committed_record_cids(self, cids: Sequence[str]) -> set[str]:
        """Those of ``cids`` already in a committed block (to skip before shipping)."""
        found: set[str] = set()
        with self._read() as conn:
            for chunk in chunks(list(cids)):
                marks = ",".join("?" * len(chunk))
                found.update(
                    cid
                    for (cid,) in conn.execute(
                        f"SELECT r.cid FROM records r JOIN blocks b ON b.block_id = r.block_id "
                        f"WHERE b.status = 'committed' AND r.cid IN ({marks})",
                        tuple(chunk),
                    )
                )
        return found
