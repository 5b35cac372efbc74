"""Evidence of misbehaviour: one row per (kind, offender, slot), capped per offender.

An equivocating validator can make a conflicting pair for every slot it
invents and every block variant it signs. One row per (kind, offender,
proposer, seq) (a unique index) removes the pairs-per-slot blowup, and
``max_evidence_per_offender`` the slots-per-offender one: past the cap the
offender is proven faulty many times over, and new rows are skipped.
"""

from __future__ import annotations

import hashlib
from typing import Any

from node.store.db import Db, check_limit
from node.store.rows import EvidenceRow

_INSERT = (
    "INSERT OR IGNORE INTO evidence (kind, offender, proposer, seq, body, body_hash, found_ms) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE (SELECT count(*) FROM evidence WHERE offender = ?2) < ?8"
)


class EvidenceTable(Db):
    def add_evidence(
        self, kind: str, offender: str, proposer: str, seq: int, body: bytes, now_ms: int
    ) -> bool:
        """Store evidence unless this (kind, offender, slot) already has some or the offender is at its cap; True if new."""
        digest = hashlib.sha256(body).digest()
        with self._write() as conn:
            cur = conn.execute(
                _INSERT,
                (kind, offender, proposer, seq, body, digest, now_ms, self.params.max_evidence_per_offender),
            )
            new = cur.rowcount > 0
        if not new:
            self._refuse("evidence_duplicate_or_cap")
        return new

    def list_evidence(self, limit: int = 100, *, offender: str | None = None) -> list[EvidenceRow]:
        """Evidence, newest first, optionally against one offender."""
        check_limit(limit)
        sql = "SELECT id, kind, offender, proposer, seq, body, found_ms FROM evidence"
        args: tuple[Any, ...] = (limit,)
        if offender is not None:
            sql += " WHERE offender = ?"
            args = (offender, limit)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", args).fetchall()
        return [EvidenceRow(i, k, o, p, s, bytes(b), f) for i, k, o, p, s, b, f in rows]
