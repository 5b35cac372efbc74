"""The one shared connection and its transaction helper, which every table module uses.

Theory of operation
-------------------
One :class:`Db` owns one SQLite connection. The daemon calls the store
through ``trio.to_thread.run_sync`` (node/worker.py), so calls may arrive from
different worker threads; the connection is opened with
``check_same_thread=False`` and every public method holds ``self._lock`` for
its whole duration, so calls are serialized and never interleave inside a
transaction.

The connection runs in autocommit mode; :meth:`Db._write` is exactly one
``BEGIN IMMEDIATE ... COMMIT`` (a method happened completely or not at all)
and :meth:`Db._read` runs outside any explicit transaction. Every sqlite3 or
OS error leaves as a :class:`StoreError` naming the file; a full disk (or the
configured size cap) as its subclass :class:`StoreFull`, after the failed
transaction is rolled back, so reads keep working.

SQL text is constant per call site, so the sqlite3 statement cache (sized in
``open``) prepares each statement once per connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from node.store.errors import StoreError, wrap
from node.store.params import StoreParams
from protocol.errors import DecodeError, LocalError
from protocol.record import Record, decode_record

# Stay far below SQLITE_MAX_VARIABLE_NUMBER on any build (32766 on older ones).
IN_CHUNK = 500
MAX_LIMIT = 100_000


def chunks(items: Sequence[str], n: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def check_limit(limit: int, offset: int = 0) -> None:
    if not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise LocalError(f"limit must be an integer in [0, {MAX_LIMIT}]")
    if not isinstance(offset, int) or offset < 0:
        raise LocalError("offset must be a non-negative integer")


class Db:
    """Connection, lock, transaction helpers and shared state of one store."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: str,
        local_origin: str | None,
        synchronous: str,
        params: StoreParams,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._local_origin = local_origin
        self._sync = synchronous
        self._lock = threading.RLock()
        self.params = params
        #: uncertified writes skipped since open, by reason (for statistics)
        self._refused: dict[str, int] = {}
        #: committed records waiting for the FTS flush, by cid: spares decoding
        #: the body again at flush time (after a restart, bodies are decoded)
        self._fts_pending: dict[str, Record] = {}
        self._fts_backlog = 0

    @property
    def path(self) -> str:
        return self._path

    @property
    def synchronous(self) -> str:
        return self._sync

    def _refuse(self, reason: str, n: int = 1) -> None:
        self._refused[reason] = self._refused.get(reason, 0) + n

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise LocalError(f"store {self._path} is closed")
            try:
                yield self._conn
            except (sqlite3.Error, OSError) as exc:
                raise wrap(exc, self._path) from None

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
                    # SQLite may already have rolled back (SQLITE_FULL can).
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise wrap(exc, self._path) from None
            finally:
                if switch:
                    conn.execute(f"PRAGMA synchronous = {self._sync}")

    def _decode(self, cid: str, body: bytes) -> Record:
        try:
            return decode_record(bytes(body))
        except DecodeError as exc:
            raise StoreError(f"store {self._path}: record {cid} is corrupt: {exc}") from None
