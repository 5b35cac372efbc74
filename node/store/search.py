"""Full-text search over committed records, indexed in batches outside the commit.

Theory of operation
-------------------
Only records in committed blocks are searchable, each indexed once in the
contentless FTS5 table ``records_fts`` whose rowid is ``records.id``: a
block's records are queued once (``blocks.fts``), and a record belongs to the
first committed block that held it (blocks.py), so no record is queued twice.

Tokenizing and merging FTS segments used to be a third of ``commit_block``'s
time. Now the commit transaction only adds one row per block to
``fts_queue``, and :meth:`SearchIndex._flush_fts` moves the queue into
``records_fts`` in one transaction per batch: when the
queue reaches ``StoreParams.fts_batch`` records (right after the commit that
filled it, in its own transaction) and, whatever its size, at the start of
every :meth:`SearchIndex.search`.

Consistency: every search runs after a flush under the same lock as the
writers, so a record whose ``commit_block`` has returned is found by every
later search (read-your-commits), exactly as when indexing was inside the
commit. The queue rows are written in the commit transaction and deleted in
the flush transaction that indexes them, so a crash at any moment leaves
each committed record either indexed or queued, never lost or indexed twice.
The one exception is a full disk: the flush cannot write, so search answers
from the index as it stands (records committed since the last flush are
missing) rather than failing; they are indexed by the first flush that fits.

Cost (review 7, finding 3): a search runs under the store lock that every
writer takes, so its cost is bounded three ways. Plain text may hold at most
:data:`MAX_TERMS` tokens, at most :data:`MAX_PREFIX_TERMS` of them ``word*``
prefixes, each with at least :data:`MIN_PREFIX_CHARS` characters
(:class:`SearchQueryError` otherwise): a one-letter prefix merged the doclist
of every token with that letter, and 40 of them held the lock for seconds.
``records_fts`` keeps an index of 3-character prefixes (schema v5), so the
shortest allowed prefix reads one doclist. And every query runs with a
progress handler that aborts it past :data:`SEARCH_BUDGET_S` (a
:class:`SearchQueryError` saying so): raw syntax, a prefix that SQLite's
tokenizer splits differently from ours, or a common word ranked over
millions of rows stop there.
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import suppress
from typing import Any

from node.store.db import check_limit
from node.store.errors import DB_TROUBLE, StoreFull, wrap
from node.store.records import RECORD_COLS, RecordsTable
from node.store.rows import RecordRow
from protocol.errors import LocalError
from protocol.record import Record

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# What unicode61 keeps as a token: letters and digits; every other character separates
# (underscore included). Used to count terms and to find the token a ``*`` applies to.
_TOKEN = re.compile(r"[^\W_]+")
#: tokens in a plain-text query (all ANDed; each is one doclist read)
MAX_TERMS = 16
#: ``word*`` prefix terms in a plain-text query
MAX_PREFIX_TERMS = 4
#: characters of the token a ``*`` applies to; records_fts indexes 3-character prefixes
MIN_PREFIX_CHARS = 3
#: wall-clock budget of one search query under the store lock
SEARCH_BUDGET_S = 0.5
# SQLite calls the budget check every this many VM instructions (FTS5's own segment
# reads count too): about every 10-90 ms of a long query on a loaded 2-core machine.
_BUDGET_STEPS = 1000
_SEARCH = (
    f"SELECT {RECORD_COLS} FROM records_fts f JOIN records ON records.id = f.rowid "
    "WHERE records_fts MATCH ? ORDER BY f.rank LIMIT ?"
)
_QUEUE_BLOCK = "INSERT OR IGNORE INTO fts_queue (block_id, n) VALUES (?, ?)"


class SearchQueryError(LocalError):
    """A search the caller must change: too many terms or prefixes, a short prefix, over budget."""


def fts_phrase_query(query: str) -> str:
    """Turn free text into a safe FTS5 query: every word a quoted term, all ANDed.

    Quotes, operators (AND/OR/NOT/NEAR), parentheses, column filters and
    carets lose their meaning, so no user input can be an FTS5 syntax error.
    A trailing ``*`` on a word keeps its meaning (prefix search). Returns ""
    when the text holds no words. Raises :class:`SearchQueryError` past
    :data:`MAX_TERMS` tokens or :data:`MAX_PREFIX_TERMS` prefixes, or for a
    prefix shorter than :data:`MIN_PREFIX_CHARS` (see the module docstring).
    """
    # Control characters (NUL above all) end an FTS5 string early; drop them.
    query = _CONTROL_CHARS.sub(" ", query)
    terms = []
    tokens = prefixes = 0
    for word in query.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not word:
            continue
        # A quoted word is a phrase of the tokens unicode61 finds in it; a * applies to the last.
        found = _TOKEN.findall(word)
        tokens += len(found)
        if prefix and found:
            prefixes += 1
            if len(found[-1]) < MIN_PREFIX_CHARS:
                raise SearchQueryError(f"search prefix {found[-1] + '*'!r} is too short: "
                                       f"give at least {MIN_PREFIX_CHARS} characters before '*'")
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    if tokens > MAX_TERMS:
        raise SearchQueryError(f"search query has {tokens} terms (words, split at punctuation); at most {MAX_TERMS}")
    if prefixes > MAX_PREFIX_TERMS:
        raise SearchQueryError(f"search query has {prefixes} prefix words (word*); at most {MAX_PREFIX_TERMS}")
    return " ".join(terms)


class SearchIndex(RecordsTable):
    def _queue_fts(self, conn: sqlite3.Connection, block_id: str, records: dict[str, Record]) -> None:
        """Inside a commit: queue the block's records for the next flush (the caller
        queues each block once, guarded by ``blocks.fts``)."""
        conn.execute(_QUEUE_BLOCK, (block_id, len(records)))
        self._fts_backlog += len(records)
        # Bounded by fts_batch plus one block: flushed as soon as it is reached.
        self._fts_pending.update(records)

    def _flush_fts(self, conn: sqlite3.Connection) -> int:
        """Inside a write transaction: index the records of every queued block; returns how many."""
        cache = self._fts_pending
        rows = []
        for (bid,) in conn.execute("SELECT block_id FROM fts_queue").fetchall():
            for rid, cid in conn.execute("SELECT id, cid FROM records WHERE block_id = ?", (bid,)).fetchall():
                rec = cache.get(cid)
                if rec is None:  # queued before a restart: decode the stored body
                    (body,) = conn.execute("SELECT body FROM records WHERE id = ?", (rid,)).fetchone()
                    rec = self._decode(cid, body)
                rows.append((rid, rec.text()))
        conn.executemany("INSERT INTO records_fts (rowid, text) VALUES (?, ?)", rows)
        conn.execute("DELETE FROM fts_queue")
        return len(rows)

    def _after_commit(self) -> None:
        """After a commit transaction: flush the FTS queue if it reached a batch.

        Best effort: the commit is already durable, so a flush that fails on
        a full disk must not make the commit look failed; the queue stays and
        the next flush (or search) retries. The text cache is dropped past two
        batches so that it stays bounded meanwhile (bodies are decoded instead).
        """
        if self._fts_backlog >= self.params.fts_batch:
            with suppress(StoreFull):
                self._flush_now()
            if len(self._fts_pending) > 2 * self.params.fts_batch:
                self._fts_pending.clear()

    def _flush_now(self) -> None:
        with self._write() as conn:
            self._flush_fts(conn)
        # Only once the flush committed: a failed one keeps the cache for the retry.
        self._fts_pending.clear()
        self._fts_backlog = 0

    def search(self, query: str, limit: int = 20, *, syntax: bool = False) -> list[RecordRow]:
        """Full-text search over records in committed blocks, best match first.

        By default ``query`` is plain words (all must appear; ``word*`` is a
        prefix), escaped so that no input is a syntax error, and bounded (see
        the module docstring: SearchQueryError past the caps). With
        ``syntax=True`` it is raw FTS5 query syntax, and a malformed query
        raises LocalError saying so. Either way a query that runs past
        :data:`SEARCH_BUDGET_S` is aborted with SearchQueryError. Every record
        committed before the call is searchable (see the module docstring for
        the full-disk exception).
        """
        check_limit(limit)
        match = query if syntax else fts_phrase_query(query)
        if not match.strip():
            return []
        with self._lock:
            if self._fts_backlog:
                # On a full disk, answer from the index as it stands (module docstring).
                with suppress(StoreFull):
                    self._flush_now()
            if self._conn is None:
                raise LocalError(f"store {self._path} is closed")
            rows = self._run_search(self._conn, query, match, limit, syntax)
        return [self._record_row(r) for r in rows]

    def _run_search(self, conn: sqlite3.Connection, query: str, match: str, limit: int,
                    syntax: bool) -> list[Any]:
        """The MATCH itself, under the lock, aborted past the time budget."""
        deadline = time.monotonic() + SEARCH_BUDGET_S
        over = False

        def check() -> int:
            nonlocal over
            over = time.monotonic() > deadline
            return int(over)  # non-zero makes SQLite stop the statement ("interrupted")

        conn.set_progress_handler(check, _BUDGET_STEPS)
        try:
            return conn.execute(_SEARCH, (match, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            if over:
                raise SearchQueryError(f"search query {query[:100]!r} is too expensive: stopped after "
                                       f"{SEARCH_BUDGET_S} s; use fewer, rarer or longer words") from None
            msg = str(exc)
            # The SQL around the MATCH is fixed, so in raw mode any other
            # OperationalError comes from the user's query.
            if syntax and not any(t in msg.lower() for t in DB_TROUBLE):
                raise LocalError(f"bad search query {query!r}: {msg}") from None
            raise wrap(exc, self._path) from None
        except sqlite3.Error as exc:
            raise wrap(exc, self._path) from None
        finally:
            conn.set_progress_handler(None, 0)
