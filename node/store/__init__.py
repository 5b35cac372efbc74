"""The embedded store: SQLite (WAL) holding records, blocks, votes, evidence, peers and slot decisions.

A package of small per-table modules over one shared connection and
transaction helper (db.py):

- ``records``: local ingest and record statuses;   - ``search``: batched full-text index;
- ``blocks``: storing, committing, rejecting blocks; - ``blockreads``: reading blocks, heads for sync;
- ``chain``: slot decisions, tips, window, retention; - ``votes``: own and others' votes;
- ``evidence``: misbehaviour, one row per slot;    - ``peers``: blocked peers;
- ``schema``: tables and migrations;               - ``params``: :class:`StoreParams`, every bound;
- ``errors``: StoreError, StoreFull, ForkError;    - ``rows``: the row types; ``db``: connection, lock, transactions.

Durability. Every write method is exactly one ``BEGIN IMMEDIATE ... COMMIT``
transaction, so it happened completely or not at all. With
``synchronous=FULL`` (the default) the WAL is fsynced at every commit, so
"returned" means "on disk": that is what ``add_records_new`` (the ingest
acknowledgement), ``record_own_vote`` (a vote must be durable before it is
sent, or a power cut could make us vote twice) and ``commit_block`` promise.
Throughput comes from batching (one transaction per batch, ``commit_blocks``
for many blocks), not from weaker syncing. ``Store.open(...,
synchronous="NORMAL")`` exists for benchmarks and for nodes that accept the
trade: a process crash still loses nothing committed to the WAL, but a power
cut can lose the last commits; own votes are always FULL. docs/store.md has
the schema, the bounds and the retention policy.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from pathlib import Path

from node.store.blocks import BlocksTable, CommitItem
from node.store.db import Db
from node.store.errors import ForkError, StoreError, StoreFull, wrap
from node.store.evidence import EvidenceTable
from node.store.params import StoreParams
from node.store.peers import PeersTable
from node.store.rows import (
    BLOCK_STATUSES,
    OUTCOMES,
    RECORD_STATUSES,
    BlockRow,
    ChainTipRow,
    EvidenceRow,
    PeerRow,
    RecordRow,
    SlotDecision,
    StoreFootprint,
    StoreStatistics,
    VoteRow,
)
from node.store.schema import APPLICATION_ID, SCHEMA_VERSION, configure, migrate
from node.store.search import fts_phrase_query
from node.store.votes import VotesTable
from protocol.errors import LocalError

__all__ = [
    "APPLICATION_ID",
    "BLOCK_STATUSES",
    "OUTCOMES",
    "RECORD_STATUSES",
    "SCHEMA_VERSION",
    "BlockRow",
    "ChainTipRow",
    "CommitItem",
    "EvidenceRow",
    "ForkError",
    "PeerRow",
    "RecordRow",
    "SlotDecision",
    "Store",
    "StoreError",
    "StoreFootprint",
    "StoreFull",
    "StoreParams",
    "StoreStatistics",
    "VoteRow",
    "fts_phrase_query",
]

_SYNC_MODES = ("FULL", "NORMAL")


class Store(BlocksTable, VotesTable, EvidenceTable, PeersTable, Db):
    """The node's embedded SQLite store. Build it with :meth:`open`.

    Thread-safety: one connection shared by all threads, serialized by an
    internal lock; call it from ``trio.to_thread.run_sync`` (node/worker.py),
    never directly on the event loop. Every write method is one transaction.
    """

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        local_origin: str | None = None,
        *,
        synchronous: str = "FULL",
        mmap_size: int = 256 * 1024 * 1024,
        busy_timeout_ms: int = 5000,
        params: StoreParams | None = None,
    ) -> Store:
        """Open (creating or migrating) the store at ``path`` (``":memory:"`` for a throwaway one).

        ``local_origin`` is our own peer id: our records found in a committed
        block are marked ``shipped`` rather than ``committed``, and our own
        blocks are never refused by the write window. ``synchronous`` is
        ``"FULL"`` (default, every acknowledgement survives a power cut) or
        ``"NORMAL"`` (see the package docstring). ``params`` bounds the store
        (StoreParams defaults if None). Raises StoreError (a LocalError) with
        the path on a file that is not an attnshare store, is corrupt, newer
        than this code, or locked.
        """
        prm = (params or StoreParams()).validate()
        sync = synchronous.upper()
        if sync not in _SYNC_MODES:
            raise LocalError(f"synchronous must be one of {_SYNC_MODES}, not {synchronous!r}")
        spath = os.fspath(path)
        try:
            # isolation_level=None: no implicit BEGINs; we issue BEGIN IMMEDIATE
            # ourselves so a writer takes the lock up front instead of failing
            # halfway with SQLITE_BUSY on upgrade. Every SQL text is constant
            # per call site, so the statement cache prepares each one once.
            conn = sqlite3.connect(
                spath,
                check_same_thread=False,
                isolation_level=None,
                timeout=busy_timeout_ms / 1000,
                cached_statements=256,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {spath}: {exc}") from None
        try:
            configure(conn, spath, sync, mmap_size, busy_timeout_ms, prm.max_db_bytes)
            migrate(conn, spath)
            backlog = conn.execute("SELECT coalesce(sum(n), 0) FROM fts_queue").fetchone()[0]
        except (sqlite3.Error, OSError) as exc:
            conn.close()
            raise wrap(exc, spath) from None
        except BaseException:
            conn.close()
            raise
        store = cls(conn, spath, local_origin, sync, prm)
        store._fts_backlog = int(backlog)
        return store

    def close(self) -> None:
        """Close the connection (idempotent). Later calls raise LocalError."""
        with self._lock:
            if self._conn is None:
                return
            # Index what is queued so the next start has nothing to decode;
            # a failure here (full disk) only defers it to the next flush.
            with suppress(StoreError):
                if self._fts_backlog:
                    self._flush_now()
            # Only a planner hint; closing must happen whatever it says.
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def footprint(self) -> StoreFootprint:
        """File size, size cap, search backlog and refusals; no SQL, no lock (safe on the event loop)."""
        size = 0
        if self._path != ":memory:":
            for suffix in ("", "-wal"):
                with suppress(OSError):
                    size += Path(self._path + suffix).stat().st_size
        return StoreFootprint(size, self.params.max_db_bytes, self._fts_backlog, dict(self._refused))

    def statistics(self) -> StoreStatistics:
        """Row counts per table, the database size in bytes (main file + WAL), backlog and refusals."""
        records = self.count_records()
        with self._read() as conn:
            blocks = dict.fromkeys(BLOCK_STATUSES, 0)
            blocks.update(conn.execute("SELECT status, count(*) FROM blocks GROUP BY status").fetchall())
            counts = [
                conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("votes", "own_votes", "evidence", "peers", "slot_decisions")
            ]
            counts.append(conn.execute("SELECT coalesce(sum(n), 0) FROM fts_queue").fetchone()[0])
        return StoreStatistics(
            records, blocks, counts[0], counts[1], counts[2], counts[3], self.footprint().db_bytes,
            decisions=counts[4], fts_backlog=counts[5], refused=dict(self._refused),
        )
