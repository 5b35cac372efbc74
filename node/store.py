"""The embedded store: SQLite (WAL) holding records, blocks, votes, evidence, peers.

Theory of operation
-------------------
One :class:`Store` owns one SQLite connection. The daemon calls it through
``trio.to_thread.run_sync``, so calls may arrive from different worker threads;
the connection is opened with ``check_same_thread=False`` and every public
method holds ``self._lock`` for its whole duration, so calls are serialized
and never interleave inside a transaction. The store is plain synchronous code
and never blocks the event loop itself.

Durability. The connection runs in autocommit mode and every write method is
exactly one ``BEGIN IMMEDIATE ... COMMIT`` transaction, so a method either
happened completely or not at all. With ``synchronous=FULL`` (the default) the
WAL is fsynced at every commit, so "returned" means "on disk": that is what
``add_records`` (the ingest acknowledgement), ``record_own_vote`` (a vote must
be durable before it is sent, or a power cut could make us vote twice),
``reserve_seq`` (a seq must never be reused) and ``commit_block`` promise.
Throughput comes from batching (one transaction per batch), not from weaker
syncing. ``Store.open(..., synchronous="NORMAL")`` exists for benchmarks and
for nodes that accept the trade: under NORMAL a process crash still loses
nothing that was committed to the WAL, but a power cut can lose the last
commits. Even then, own votes, reserved seqs and meta writes are always FULL,
because losing those can make us equivocate.

Records move through statuses: ``pending`` (ingested, not yet scored),
``kept`` (scored, stays local), ``shipped`` (ours, placed in a block we
proposed, or ours found in a committed block) and ``committed`` (received in a
committed block from anyone). A record that belongs to a committed block is
final: ``mark_records`` leaves it alone and a second committed block holding
the same record does not steal it. Only records in committed blocks are put
in the FTS5 index, once each (tracked by ``records.indexed``).

Blocks are ``pending`` until ``commit_block`` (with a certificate) or
``reject_block``. A partial UNIQUE index on ``(proposer, seq)`` over committed
blocks makes a fork impossible to store; ``commit_block`` checks first and
raises :class:`ForkError` naming both blocks.

Schema changes go through ``_MIGRATIONS`` (index i migrates user_version i to
i + 1), each in its own transaction together with the new ``user_version``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protocol.errors import AttnshareError, DecodeError, LocalError
from protocol.record import Record, decode_record

SCHEMA_VERSION = 1
# "atsh": lets open() tell an unrelated SQLite file from an attnshare store.
APPLICATION_ID = 0x61747368

RECORD_STATUSES = ("pending", "shipped", "kept", "committed")
BLOCK_STATUSES = ("pending", "committed", "rejected")
_SYNC_MODES = ("FULL", "NORMAL")
_OWN_SEQ_KEY = "own_seq"
# Stay far below SQLITE_MAX_VARIABLE_NUMBER on any build (32766 on older ones).
_IN_CHUNK = 500
_MAX_LIMIT = 100_000
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# OperationalErrors that say the database is at fault, not the query.
_DB_TROUBLE = ("locked", "busy", "disk", "i/o", "malformed", "readonly", "not a database")


class StoreError(LocalError):
    """The store file cannot be used (locked, corrupt, not ours, disk full...)."""


class ForkError(AttnshareError):
    """A second, different committed block for one (proposer, seq) slot.

    With at most f faulty validators this cannot happen; seeing it means the
    quorum assumption broke (or a bug). The store refuses to record it.
    """

    def __init__(self, proposer: str, seq: int, existing: str, offered: str) -> None:
        super().__init__(
            f"fork refused: slot ({proposer}, {seq}) already committed as {existing}, "
            f"refusing a second committed block {offered}"
        )
        self.proposer = proposer
        self.seq = seq
        self.existing = existing
        self.offered = offered


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A stored record and its local bookkeeping."""

    record: Record
    status: str
    score: float | None
    block_id: str | None
    ingested_ms: int

    @property
    def cid(self) -> str:
        return self.record.cid


@dataclass(frozen=True, slots=True)
class BlockRow:
    """A stored block; ``cert`` and ``committed_ms`` are set once it committed."""

    block_id: str
    proposer: str
    seq: int
    header: bytes
    payload: bytes | None
    status: str
    cert: bytes | None
    created_ms: int
    received_ms: int
    committed_ms: int | None
    record_count: int


@dataclass(frozen=True, slots=True)
class VoteRow:
    """One signed vote as stored; ``vote`` is the signed bytes."""

    block_id: str
    voter: str
    proposer: str
    seq: int
    decision: int
    vote: bytes


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """Evidence of misbehaviour; ``body`` holds the conflicting signed messages."""

    id: int
    kind: str
    offender: str
    proposer: str
    seq: int
    body: bytes
    found_ms: int


@dataclass(frozen=True, slots=True)
class PeerRow:
    """A peer we have seen or blocked."""

    peer_id: str
    addrs: tuple[str, ...]
    last_seen_ms: int | None
    blocked: bool


@dataclass(frozen=True, slots=True)
class StoreStatistics:
    """Row counts and file size, for ``status`` and metrics."""

    records: dict[str, int]
    blocks: dict[str, int]
    votes: int
    own_votes: int
    evidence: int
    peers: int
    db_bytes: int


# --- schema ---------------------------------------------------------------------
# Kept inline (not a .sql file) so it ships with the module and each statement
# can run inside one explicit transaction: sqlite3.executescript() would COMMIT
# first and break the migration's atomicity.
_SCHEMA_V1 = (
    # ``id`` is the ingest order (pending_records is FIFO) and the FTS rowid; an
    # explicit INTEGER PRIMARY KEY is stable across VACUUM, an implicit rowid
    # is not. ``cid`` is the record's identity and unique.
    """CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        cid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        origin TEXT NOT NULL,
        ts_ms INTEGER NOT NULL,
        body BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'shipped', 'kept', 'committed')),
        score REAL,
        block_id TEXT REFERENCES blocks(block_id),
        ingested_ms INTEGER NOT NULL,
        indexed INTEGER NOT NULL DEFAULT 0 CHECK (indexed IN (0, 1))
    )""",
    "CREATE INDEX records_status ON records(status, id)",
    "CREATE INDEX records_kind ON records(kind, id)",
    "CREATE INDEX records_block ON records(block_id) WHERE block_id IS NOT NULL",
    # Contentless: the text lives in records.body already; rows are only ever
    # added (a committed record never leaves its block), so no delete support
    # is needed.
    """CREATE VIRTUAL TABLE records_fts USING fts5(
        text, content='', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TABLE blocks (
        block_id TEXT PRIMARY KEY,
        proposer TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        header BLOB NOT NULL,
        payload BLOB,
        created_ms INTEGER NOT NULL,
        record_count INTEGER NOT NULL CHECK (record_count >= 0),
        received_ms INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'committed', 'rejected')),
        decided_ms INTEGER
    )""",
    # The fork guard: at most one committed block per slot, enforced by SQLite.
    "CREATE UNIQUE INDEX blocks_committed_slot ON blocks(proposer, seq) WHERE status = 'committed'",
    "CREATE INDEX blocks_slot ON blocks(proposer, seq)",
    "CREATE INDEX blocks_received ON blocks(received_ms)",
    """CREATE TABLE certificates (
        block_id TEXT PRIMARY KEY REFERENCES blocks(block_id),
        cert BLOB NOT NULL,
        committed_ms INTEGER NOT NULL
    )""",
    # Several votes per (proposer, seq, voter) are kept on purpose: two
    # different ones are voter equivocation, and both are the evidence.
    """CREATE TABLE votes (
        block_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        proposer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        decision INTEGER NOT NULL,
        vote BLOB NOT NULL,
        PRIMARY KEY (proposer, seq, voter, block_id)
    )""",
    "CREATE INDEX votes_block ON votes(block_id)",
    "CREATE INDEX votes_voter ON votes(voter)",
    """CREATE TABLE own_votes (
        proposer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        block_id TEXT NOT NULL,
        vote BLOB NOT NULL,
        PRIMARY KEY (proposer, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        offender TEXT NOT NULL,
        proposer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body BLOB NOT NULL,
        body_hash BLOB NOT NULL UNIQUE,
        found_ms INTEGER NOT NULL
    )""",
    "CREATE INDEX evidence_offender ON evidence(offender)",
    """CREATE TABLE peers (
        peer_id TEXT PRIMARY KEY,
        addrs TEXT NOT NULL DEFAULT '[]',
        last_seen_ms INTEGER,
        blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1))
    )""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    for stmt in _SCHEMA_V1:
        conn.execute(stmt)


# Index i migrates from user_version i to i + 1. Append, never edit.
_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_0_to_1,)
assert len(_MIGRATIONS) == SCHEMA_VERSION

_RECORD_COLS = "body, status, score, block_id, ingested_ms, cid"
_BLOCK_COLS = (
    "b.block_id, b.proposer, b.seq, b.header, b.payload, b.status, c.cert, "
    "b.created_ms, b.received_ms, c.committed_ms, b.record_count"
)
_BLOCK_FROM = "blocks b LEFT JOIN certificates c ON c.block_id = b.block_id"
_IN_COMMITTED_BLOCK = (
    "EXISTS (SELECT 1 FROM blocks cb WHERE cb.block_id = records.block_id"
    " AND cb.status = 'committed')"
)


def _chunks(items: Sequence[str], n: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _check_limit(limit: int, offset: int = 0) -> None:
    if not isinstance(limit, int) or not 0 <= limit <= _MAX_LIMIT:
        raise LocalError(f"limit must be an integer in [0, {_MAX_LIMIT}]")
    if not isinstance(offset, int) or offset < 0:
        raise LocalError("offset must be a non-negative integer")


def fts_phrase_query(query: str) -> str:
    """Turn free text into a safe FTS5 query: every word a quoted term, all ANDed.

    Quotes, operators (AND/OR/NOT/NEAR), parentheses, column filters and
    carets lose their meaning, so no user input can be an FTS5 syntax error.
    A trailing ``*`` on a word keeps its meaning (prefix search). Returns ""
    when the text holds no words.
    """
    # Control characters (NUL above all) end an FTS5 string early; drop them.
    query = _CONTROL_CHARS.sub(" ", query)
    terms = []
    for word in query.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not word:
            continue
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


class Store:
    """The node's embedded SQLite store. Build it with :meth:`open`.

    Thread-safety: one connection shared by all threads, serialized by an
    internal lock; call it from ``trio.to_thread.run_sync``, never directly on
    the event loop. Every write method is one transaction.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: str,
        local_origin: str | None,
        synchronous: str,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._local_origin = local_origin
        self._sync = synchronous
        self._lock = threading.RLock()

    # --- lifecycle ------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        local_origin: str | None = None,
        *,
        synchronous: str = "FULL",
        mmap_size: int = 256 * 1024 * 1024,
        busy_timeout_ms: int = 5000,
    ) -> Store:
        """Open (creating or migrating) the store at ``path``.

        ``local_origin`` is our own peer id: our records found in a committed
        block are marked ``shipped`` rather than ``committed``, and
        :meth:`reserve_seq` never returns a seq at or below one of our blocks
        already in the store. ``synchronous`` is ``"FULL"`` (default, every
        acknowledgement survives a power cut) or ``"NORMAL"`` (see the module
        docstring). Raises :class:`StoreError` (a LocalError) with the path on
        a file that is not an attnshare store, is corrupt, newer than this
        code, or locked.
        """
        sync = synchronous.upper()
        if sync not in _SYNC_MODES:
            raise LocalError(f"synchronous must be one of {_SYNC_MODES}, not {synchronous!r}")
        spath = os.fspath(path)
        try:
            # isolation_level=None: no implicit BEGINs; we issue BEGIN IMMEDIATE
            # ourselves so a writer takes the lock up front instead of failing
            # halfway with SQLITE_BUSY on upgrade.
            conn = sqlite3.connect(
                spath,
                check_same_thread=False,
                isolation_level=None,
                timeout=busy_timeout_ms / 1000,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {spath}: {exc}") from None
        try:
            cls._configure(conn, spath, sync, mmap_size, busy_timeout_ms)
            cls._migrate(conn, spath)
        except sqlite3.Error as exc:
            conn.close()
            raise _wrap(exc, spath) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, spath, local_origin, sync)

    @staticmethod
    def _configure(
        conn: sqlite3.Connection, path: str, sync: str, mmap_size: int, busy_timeout_ms: int
    ) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # Reading the header first turns "file is not a database" into a clear
        # error before anything is written.
        conn.execute("PRAGMA schema_version").fetchone()
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"store {path}: cannot enable WAL mode (got {mode!r})")
        conn.execute(f"PRAGMA synchronous = {sync}")
        conn.execute(f"PRAGMA mmap_size = {int(mmap_size)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # After a checkpoint the WAL is truncated back to this size, so a burst
        # of ingest does not leave a huge -wal file behind forever.
        conn.execute("PRAGMA journal_size_limit = 67108864")

    @staticmethod
    def _migrate(conn: sqlite3.Connection, path: str) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and (version != 0 or tables != 0):
            raise StoreError(f"{path} is an SQLite database but not an attnshare store")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {path} has schema version {version}, newer than this "
                f"attnshare (knows up to {SCHEMA_VERSION}); upgrade attnshare"
            )
        for v in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                _MIGRATIONS[v](conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {v + 1}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection (idempotent). Later calls raise LocalError."""
        with self._lock:
            if self._conn is None:
                return
            # Only a planner hint; closing must happen whatever it says.
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self._path

    @property
    def synchronous(self) -> str:
        return self._sync

    # --- plumbing -------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise LocalError(f"store {self._path} is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise _wrap(exc, self._path) from None

    @contextmanager
    def _write(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction; ``durable`` forces synchronous=FULL for its commit."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise LocalError(f"store {self._path} is closed")
            switch = durable and self._sync != "FULL"
            try:
                if switch:
                    conn.execute("PRAGMA synchronous = FULL")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise _wrap(exc, self._path) from None
            finally:
                if switch:
                    conn.execute(f"PRAGMA synchronous = {self._sync}")

    def _decode(self, cid: str, body: bytes) -> Record:
        try:
            return decode_record(bytes(body))
        except DecodeError as exc:
            raise StoreError(f"store {self._path}: record {cid} is corrupt: {exc}") from None

    def _record_row(self, row: tuple[Any, ...]) -> RecordRow:
        body, status, score, block_id, ingested_ms, cid = row
        return RecordRow(self._decode(cid, body), status, score, block_id, ingested_ms)

    # --- records ----------------------------------------------------------------
    def add_records(self, records: Sequence[Record], now_ms: int) -> list[str]:
        """Store new records as ``pending``; durable on return (one transaction).

        Idempotent: a record already stored (under any status) is left
        untouched. Returns the cids of all given records, in order.
        """
        cids = [r.cid for r in records]
        if not records:
            return cids
        rows = [
            (cid, r.kind, r.origin, r.ts_ms, r.canonical_bytes(), now_ms)
            for cid, r in zip(cids, records, strict=True)
        ]
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO records (cid, kind, origin, ts_ms, body, status, ingested_ms) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (cid) DO NOTHING",
                rows,
            )
        return cids

    def add_records_new(self, records: Sequence[Record], now_ms: int) -> list[bool]:
        """Like :meth:`add_records`, but say which records were new (not stored before).

        The pipeline keeps new records in memory for scoring, so it must not
        queue a record twice when a client re-sends it.
        """
        if not records:
            return []
        cids = [r.cid for r in records]
        rows = [
            (cid, r.kind, r.origin, r.ts_ms, r.canonical_bytes(), now_ms)
            for cid, r in zip(cids, records, strict=True)
        ]
        with self._write() as conn:
            existing: set[str] = set()
            for i in range(0, len(cids), 500):
                chunk = cids[i : i + 500]
                q = f"SELECT cid FROM records WHERE cid IN ({','.join('?' * len(chunk))})"
                existing.update(c for (c,) in conn.execute(q, chunk))
            conn.executemany(
                "INSERT INTO records (cid, kind, origin, ts_ms, body, status, ingested_ms) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (cid) DO NOTHING",
                rows,
            )
        seen: set[str] = set()
        out = []
        for c in cids:  # a cid repeated within one call is new only the first time
            out.append(c not in existing and c not in seen)
            seen.add(c)
        return out

    def pending_records(self, limit: int) -> list[Record]:
        """Up to ``limit`` pending records, oldest ingested first."""
        _check_limit(limit)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT cid, body FROM records WHERE status = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._decode(cid, body) for cid, body in rows]

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
        :meth:`put_block`; ``pending`` and ``kept`` clear the block id (the
        record is in no block). ``committed`` is not accepted: only
        :meth:`commit_block` commits. Records in a committed block are final
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
        guard = f"cid = ? AND status != 'committed' AND NOT {_IN_COMMITTED_BLOCK}"
        changed = 0
        with self._write() as conn:
            if block_id is not None and conn.execute(
                "SELECT 1 FROM blocks WHERE block_id = ?", (block_id,)
            ).fetchone() is None:
                raise LocalError(f"mark_records: block {block_id} is not stored; put_block first")
            if scores is None:
                cur = conn.executemany(
                    f"UPDATE records SET status = ?, block_id = ? WHERE {guard}",
                    [(status, block_id, cid) for cid in cids],
                )
            else:
                cur = conn.executemany(
                    f"UPDATE records SET status = ?, block_id = ?, score = ? WHERE {guard}",
                    [(status, block_id, float(s), cid) for cid, s in zip(cids, scores, strict=True)],
                )
            changed = cur.rowcount
        return changed

    def get_record(self, cid: str) -> RecordRow | None:
        """The stored record with this cid, or None."""
        with self._read() as conn:
            row = conn.execute(f"SELECT {_RECORD_COLS} FROM records WHERE cid = ?", (cid,)).fetchone()
        return None if row is None else self._record_row(row)

    def records_around(self, cid: str, window: int) -> list[RecordRow]:
        """Up to ``window`` local records ingested around ``cid``, in ingest order.

        This approximates the scoring window the record was judged in, so
        ``explain`` can show what it was compared with.
        """
        _check_limit(window)
        half = window // 2
        with self._read() as conn:
            row = conn.execute("SELECT id, origin FROM records WHERE cid = ?", (cid,)).fetchone()
            if row is None:
                return []
            rows = conn.execute(
                f"SELECT {_RECORD_COLS} FROM records WHERE origin = ? AND id >= ? ORDER BY id LIMIT ?",
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
        _check_limit(limit, offset)
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
        sql = f"SELECT {_RECORD_COLS} FROM records"
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
            for chunk in _chunks(list(cids)):
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

    def search(self, query: str, limit: int = 20, *, syntax: bool = False) -> list[RecordRow]:
        """Full-text search over records in committed blocks, best match first.

        By default ``query`` is plain words (all must appear; ``word*`` is a
        prefix), escaped so that no input is a syntax error. With
        ``syntax=True`` it is raw FTS5 query syntax, and a malformed query
        raises LocalError saying so.
        """
        _check_limit(limit)
        match = query if syntax else fts_phrase_query(query)
        if not match.strip():
            return []
        sql = (
            f"SELECT {_RECORD_COLS} FROM records_fts f JOIN records ON records.id = f.rowid "
            "WHERE records_fts MATCH ? ORDER BY f.rank LIMIT ?"
        )
        with self._lock:
            if self._conn is None:
                raise LocalError(f"store {self._path} is closed")
            try:
                rows = self._conn.execute(sql, (match, limit)).fetchall()
            except sqlite3.OperationalError as exc:
                msg = str(exc)
                # The SQL around the MATCH is fixed, so in raw mode any other
                # OperationalError comes from the user's query.
                if syntax and not any(t in msg.lower() for t in _DB_TROUBLE):
                    raise LocalError(f"bad search query {query!r}: {msg}") from None
                raise _wrap(exc, self._path) from None
            except sqlite3.Error as exc:
                raise _wrap(exc, self._path) from None
        return [self._record_row(r) for r in rows]

    # --- blocks and certificates -----------------------------------------------
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
    ) -> bool:
        """Store a block as ``pending``. Idempotent.

        Returns True if the block is new. For a block already stored, fills in
        the payload if it was missing and returns False. The caller has
        checked the header signature and the payload CID.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT proposer, seq, header, payload IS NULL FROM blocks WHERE block_id = ?",
                (block_id,),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO blocks (block_id, proposer, seq, header, payload, created_ms, "
                    "record_count, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (block_id, proposer, seq, header, payload, created_ms, record_count, now_ms),
                )
                return True
            if (row[0], row[1], bytes(row[2])) != (proposer, seq, header):
                # The block id is the header's CID, so this is a caller bug.
                raise LocalError(f"put_block: block {block_id} already stored with another header")
            if row[3] and payload is not None:
                conn.execute("UPDATE blocks SET payload = ? WHERE block_id = ?", (payload, block_id))
            return False

    def get_block(self, block_id: str) -> BlockRow | None:
        """The stored block (any status) with its certificate, or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_BLOCK_COLS} FROM {_BLOCK_FROM} WHERE b.block_id = ?", (block_id,)
            ).fetchone()
        return None if row is None else _block_row(row)

    def block_at(self, proposer: str, seq: int) -> BlockRow | None:
        """The committed block in slot (proposer, seq), or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_BLOCK_COLS} FROM {_BLOCK_FROM} "
                "WHERE b.proposer = ? AND b.seq = ? AND b.status = 'committed'",
                (proposer, seq),
            ).fetchone()
        return None if row is None else _block_row(row)

    def commit_block(
        self,
        block_id: str,
        cert: bytes,
        records: Sequence[Record],
        scores: Sequence[float],
        now_ms: int,
    ) -> bool:
        """Commit a stored block with its certificate, in one durable transaction.

        Marks the block committed, stores the certificate, inserts or updates
        its records (``committed``, or ``shipped`` when their origin is our
        ``local_origin``; a record already in another committed block stays
        there) and indexes them for search. ``records`` may be empty when the
        payload is not at hand yet; calling again with the records fills them
        in. Returns True if the block was newly committed, False if it already
        was. Raises :class:`ForkError` if another block is committed in the
        same slot, LocalError if the block is unknown or the counts are off.
        """
        if len(scores) != len(records):
            raise LocalError(f"commit_block: {len(scores)} scores for {len(records)} records")
        with self._write() as conn:
            row = conn.execute(
                "SELECT proposer, seq, status, record_count FROM blocks WHERE block_id = ?",
                (block_id,),
            ).fetchone()
            if row is None:
                raise LocalError(f"commit_block: block {block_id} is not stored; put_block first")
            proposer, seq, status, record_count = row
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
                        "UPDATE blocks SET status = 'committed', decided_ms = ? WHERE block_id = ?",
                        (now_ms, block_id),
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
            # Record.cid hashes and base32-encodes on every access: do it once.
            cids = [r.cid for r in records]
            self._upsert_committed_records(conn, block_id, cids, records, scores, now_ms)
            self._index_block(conn, block_id, dict(zip(cids, records, strict=True)))
        return newly

    def _upsert_committed_records(
        self,
        conn: sqlite3.Connection,
        block_id: str,
        cids: Sequence[str],
        records: Sequence[Record],
        scores: Sequence[float],
        now_ms: int,
    ) -> None:
        local = self._local_origin
        rows = []
        for cid, r, s in zip(cids, records, scores, strict=True):
            st = "shipped" if r.origin == local else "committed"
            rows.append(
                (cid, r.kind, r.origin, r.ts_ms, r.canonical_bytes(), st, float(s), block_id, now_ms)
            )
        conn.executemany(
            "INSERT INTO records (cid, kind, origin, ts_ms, body, status, score, block_id, "
            "ingested_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (cid) DO UPDATE SET status = excluded.status, score = excluded.score, "
            "block_id = excluded.block_id "
            f"WHERE records.block_id IS excluded.block_id OR NOT {_IN_COMMITTED_BLOCK}",
            rows,
        )

    def _index_block(self, conn: sqlite3.Connection, block_id: str, known: dict[str, Record]) -> None:
        todo = conn.execute(
            "SELECT id, cid, body FROM records WHERE block_id = ? AND indexed = 0", (block_id,)
        ).fetchall()
        if not todo:
            return
        conn.executemany(
            "INSERT INTO records_fts (rowid, text) VALUES (?, ?)",
            [(rid, (known.get(cid) or self._decode(cid, body)).text()) for rid, cid, body in todo],
        )
        conn.executemany("UPDATE records SET indexed = 1 WHERE id = ?", [(rid,) for rid, _, _ in todo])

    def reject_block(self, block_id: str, now_ms: int) -> bool:
        """Mark a pending block rejected. Returns True if it changed.

        A committed block is never un-committed (its certificate is proof),
        and an unknown block is ignored: both return False.
        """
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE blocks SET status = 'rejected', decided_ms = ? "
                "WHERE block_id = ? AND status = 'pending'",
                (now_ms, block_id),
            )
            return cur.rowcount > 0

    def heads(self) -> list[tuple[str, int, str, int]]:
        """Per proposer: ``(proposer, highest committed seq, its block_id, committed count)``."""
        with self._read() as conn:
            # SQLite guarantees bare columns come from the row holding MAX().
            rows = conn.execute(
                "SELECT proposer, max(seq), block_id, count(*) FROM blocks "
                "WHERE status = 'committed' GROUP BY proposer ORDER BY proposer"
            ).fetchall()
        return [(p, s, b, n) for p, s, b, n in rows]

    def missing_committed_seqs(self, proposer: str, upto: int, limit: int = 4096) -> list[int]:
        """Seqs in ``[1, upto]`` with no committed block of ``proposer`` here (gaps, or rejected slots)."""
        with self._read() as conn:
            have = {s for (s,) in conn.execute(
                "SELECT seq FROM blocks WHERE proposer = ? AND status = 'committed' AND seq <= ?", (proposer, upto))}
        out = []
        for s in range(1, upto + 1):
            if s not in have:
                out.append(s)
                if len(out) >= limit:
                    break
        return out

    def blocks_range(self, proposer: str, from_seq: int, limit: int) -> list[BlockRow]:
        """Committed blocks of ``proposer`` with seq >= ``from_seq``, ascending."""
        _check_limit(limit)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_BLOCK_COLS} FROM {_BLOCK_FROM} WHERE b.proposer = ? AND b.seq >= ? "
                "AND b.status = 'committed' ORDER BY b.seq LIMIT ?",
                (proposer, from_seq, limit),
            ).fetchall()
        return [_block_row(r) for r in rows]

    def list_blocks(
        self,
        *,
        proposer: str | None = None,
        status: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        limit: int = 100,
    ) -> list[BlockRow]:
        """Blocks (any status unless given), newest received first.

        ``since_ms`` (inclusive) and ``until_ms`` (exclusive) bound the local
        ``received_ms``, which, unlike ``created_ms``, a proposer cannot fake.
        """
        _check_limit(limit)
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
        sql = f"SELECT {_BLOCK_COLS} FROM {_BLOCK_FROM}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY b.received_ms DESC, b.rowid DESC LIMIT ?"
        with self._read() as conn:
            rows = conn.execute(sql, (*args, limit)).fetchall()
        return [_block_row(r) for r in rows]

    def block_records(self, block_id: str) -> list[RecordRow]:
        """The stored records that belong to ``block_id`` (shipped or committed in it).

        Ordered by ingest. A record committed in an earlier block stays with
        that block and is not listed here.
        """
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_RECORD_COLS} FROM records WHERE block_id = ? ORDER BY id", (block_id,)
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
                f"SELECT {_BLOCK_COLS} FROM {_BLOCK_FROM} WHERE b.proposer = ? "
                "ORDER BY b.seq DESC, b.status = 'committed' DESC, b.received_ms DESC LIMIT 1",
                (who,),
            ).fetchone()
        return None if row is None else _block_row(row)

    def chain_state(self) -> list[tuple[str, int, str | None, int]]:
        """Per proposer with a decided slot: ``(proposer, committed_seq, committed_id, decided_seq)``.

        ``committed_seq`` is the highest committed seq (0 and None id if
        none), ``decided_seq`` the highest seq committed or rejected. This is
        what the chain state machine needs to resume after a restart.
        """
        with self._read() as conn:
            rows = conn.execute(
                "SELECT d.proposer, coalesce(c.seq, 0), c.block_id, d.decided FROM "
                "(SELECT proposer, max(seq) AS decided FROM blocks "
                " WHERE status IN ('committed', 'rejected') GROUP BY proposer) d "
                "LEFT JOIN (SELECT proposer, max(seq) AS seq, block_id FROM blocks "
                " WHERE status = 'committed' GROUP BY proposer) c ON c.proposer = d.proposer "
                "ORDER BY d.proposer"
            ).fetchall()
        return [(p, int(s), b, int(d)) for p, s, b, d in rows]

    def count_committed(self) -> tuple[int, int]:
        """(committed blocks, records stored as part of a committed block)."""
        with self._read() as conn:
            blocks = conn.execute(
                "SELECT count(*) FROM blocks WHERE status = 'committed'"
            ).fetchone()[0]
            records = conn.execute(
                "SELECT count(*) FROM records r JOIN blocks b ON b.block_id = r.block_id "
                "WHERE b.status = 'committed'"
            ).fetchone()[0]
        return blocks, records

    # --- votes -------------------------------------------------------------------
    def record_own_vote(self, proposer: str, seq: int, block_id: str, vote: bytes) -> bytes:
        """Durably record our vote in a slot BEFORE it is sent; returns the vote to send.

        If we already voted in (proposer, seq), nothing is stored and the
        existing vote bytes are returned, so even after a crash and restart
        this node can never sign two different votes for one slot.
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

    def add_votes(self, votes: Sequence[tuple[str, str, str, int, int, bytes]]) -> None:
        """Store verified votes ``(block_id, voter, proposer, seq, decision, vote)``.

        One transaction; duplicates are ignored. Two different votes from one
        voter in one slot are both kept (they are equivocation evidence).
        """
        if not votes:
            return
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO votes (block_id, voter, proposer, seq, decision, vote) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                votes,
            )

    def votes_for(self, block_id: str) -> list[bytes]:
        """Signed vote bytes for ``block_id``, ordered by voter."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT vote FROM votes WHERE block_id = ? ORDER BY voter", (block_id,)
            ).fetchall()
        return [bytes(v) for (v,) in rows]

    def list_votes(self, *, voter: str | None = None, limit: int = 100) -> list[VoteRow]:
        """Stored votes, most recently added first, optionally from one voter."""
        _check_limit(limit)
        sql = "SELECT block_id, voter, proposer, seq, decision, vote FROM votes"
        args: tuple[Any, ...] = (limit,)
        if voter is not None:
            sql += " WHERE voter = ?"
            args = (voter, limit)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY rowid DESC LIMIT ?", args).fetchall()
        return [VoteRow(b, v, p, s, d, bytes(x)) for b, v, p, s, d, x in rows]

    # --- evidence ----------------------------------------------------------------
    def add_evidence(
        self, kind: str, offender: str, proposer: str, seq: int, body: bytes, now_ms: int
    ) -> bool:
        """Store evidence once (keyed by the hash of ``body``); True if new."""
        digest = hashlib.sha256(body).digest()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO evidence (kind, offender, proposer, seq, body, body_hash, found_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (body_hash) DO NOTHING",
                (kind, offender, proposer, seq, body, digest, now_ms),
            )
            return cur.rowcount > 0

    def list_evidence(self, limit: int = 100, *, offender: str | None = None) -> list[EvidenceRow]:
        """Evidence, newest first, optionally against one offender."""
        _check_limit(limit)
        sql = "SELECT id, kind, offender, proposer, seq, body, found_ms FROM evidence"
        args: tuple[Any, ...] = (limit,)
        if offender is not None:
            sql += " WHERE offender = ?"
            args = (offender, limit)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", args).fetchall()
        return [EvidenceRow(i, k, o, p, s, bytes(b), f) for i, k, o, p, s, b, f in rows]

    # --- our own proposer state --------------------------------------------------
    def reserve_seq(self) -> int:
        """Durably reserve and return the next seq for our own proposals (from 1).

        A reserved seq is never returned again, even after a crash, and never
        at or below a block of ours already in the store (so a node whose meta
        was lost but whose blocks were re-synced does not reuse a slot).
        """
        with self._write(durable=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (_OWN_SEQ_KEY,)).fetchone()
            last = int(row[0]) if row is not None else 0
            if self._local_origin is not None:
                top = conn.execute(
                    "SELECT max(seq) FROM blocks WHERE proposer = ?", (self._local_origin,)
                ).fetchone()[0]
                last = max(last, top or 0)
            nxt = last + 1
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_OWN_SEQ_KEY, str(nxt)),
            )
        return nxt

    def get_meta(self, key: str) -> str | None:
        """A value from the meta table, or None."""
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Durably set a meta value (always synchronous=FULL)."""
        if not isinstance(value, str):
            raise LocalError("meta values are strings")
        with self._write(durable=True) as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- peers ---------------------------------------------------------------------
    def upsert_peer(self, peer_id: str, addrs: Sequence[str], now_ms: int) -> None:
        """Record that we saw ``peer_id`` at ``addrs``; keeps its blocked flag."""
        enc = json.dumps(list(addrs))
        with self._write() as conn:
            conn.execute(
                "INSERT INTO peers (peer_id, addrs, last_seen_ms) VALUES (?, ?, ?) "
                "ON CONFLICT (peer_id) DO UPDATE SET addrs = excluded.addrs, "
                "last_seen_ms = excluded.last_seen_ms",
                (peer_id, enc, now_ms),
            )

    def set_peer_blocked(self, peer_id: str, blocked: bool) -> None:
        """Block or unblock a peer; a peer never seen is added so the block sticks."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO peers (peer_id, blocked) VALUES (?, ?) "
                "ON CONFLICT (peer_id) DO UPDATE SET blocked = excluded.blocked",
                (peer_id, int(bool(blocked))),
            )

    def list_peers(self, *, blocked: bool | None = None) -> list[PeerRow]:
        """Known peers, most recently seen first."""
        sql = "SELECT peer_id, addrs, last_seen_ms, blocked FROM peers"
        args: tuple[Any, ...] = ()
        if blocked is not None:
            sql += " WHERE blocked = ?"
            args = (int(blocked),)
        with self._read() as conn:
            rows = conn.execute(
                sql + " ORDER BY last_seen_ms IS NULL, last_seen_ms DESC, peer_id", args
            ).fetchall()
        return [PeerRow(p, tuple(json.loads(a)), t, bool(b)) for p, a, t, b in rows]

    # --- statistics --------------------------------------------------------------
    def statistics(self) -> StoreStatistics:
        """Row counts per table and the database size in bytes (main file + WAL)."""
        records = self.count_records()
        with self._read() as conn:
            blocks = dict.fromkeys(BLOCK_STATUSES, 0)
            blocks.update(conn.execute("SELECT status, count(*) FROM blocks GROUP BY status").fetchall())
            counts = [
                conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("votes", "own_votes", "evidence", "peers")
            ]
        size = 0
        for suffix in ("", "-wal"):
            p = Path(self._path + suffix)
            if p.exists():
                size += p.stat().st_size
        return StoreStatistics(records, blocks, counts[0], counts[1], counts[2], counts[3], size)


def _block_row(row: tuple[Any, ...]) -> BlockRow:
    bid, proposer, seq, header, payload, status, cert, created, received, committed, count = row
    return BlockRow(
        bid,
        proposer,
        seq,
        bytes(header),
        None if payload is None else bytes(payload),
        status,
        None if cert is None else bytes(cert),
        created,
        received,
        committed,
        count,
    )


def _wrap(exc: sqlite3.Error, path: str) -> StoreError:
    """Turn an sqlite3 error into a StoreError that names the file and a likely cause."""
    msg = str(exc)
    low = msg.lower()
    if "locked" in low or "busy" in low:
        hint = "another process or connection holds the database; is a second node using this data dir?"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        hint = "the file is corrupt or not an attnshare store"
    elif "disk" in low and "full" in low:
        hint = "the disk is full"
    elif "readonly" in low or "read-only" in low:
        hint = "the file or its directory is not writable"
    elif isinstance(exc, sqlite3.IntegrityError):
        hint = "a constraint was violated (caller bug)"
    else:
        hint = ""
    return StoreError(f"store {path}: {msg}" + (f" ({hint})" if hint else ""))
