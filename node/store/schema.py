"""The schema, its migrations, and the connection settings.

Kept inline (not a .sql file) so it ships with the module and each statement
can run inside one explicit transaction: sqlite3.executescript() would COMMIT
first and break a migration's atomicity. ``MIGRATIONS[i]`` migrates
``user_version`` i to i + 1, in one transaction together with the new
``user_version``. Append, never edit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from node.store.errors import StoreError
from protocol.errors import DecodeError
from protocol.record import decode_record

SCHEMA_VERSION = 5
# "atsh": lets open() tell an unrelated SQLite file from an attnshare store.
APPLICATION_ID = 0x61747368

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
    # Up to StoreParams.max_votes_per_voter_slot votes per (proposer, seq,
    # voter) are kept on purpose: two different ones are voter equivocation.
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

_SCHEMA_V2 = (
    # One row per decided slot: what survives a restart so a replayed old
    # block is not re-opened, and what chain_tips' ``skipped`` is derived from.
    """CREATE TABLE slot_decisions (
        proposer TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        outcome TEXT NOT NULL CHECK (outcome IN ('committed', 'rejected')),
        block_id TEXT,
        PRIMARY KEY (proposer, seq),
        CHECK (outcome = 'rejected' OR block_id IS NOT NULL)
    ) WITHOUT ROWID""",
    # Per proposer: the head the write window is relative to, the latest
    # commit, and how far retention has pruned (so pruning is incremental).
    """CREATE TABLE chain_tips (
        proposer TEXT PRIMARY KEY,
        decided INTEGER NOT NULL,
        committed_seq INTEGER NOT NULL,
        committed_id TEXT,
        pruned_upto INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
    # Committed blocks whose records are not yet in records_fts (full-text
    # indexing is batched out of the commit transaction; search flushes this
    # first). ``n``: how many records, for the batch size. ``blocks.fts`` = 1
    # once a block's records were queued, so they are indexed exactly once
    # (this replaces the per-record ``records.indexed`` of v1, now unused).
    "CREATE TABLE fts_queue (block_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
    "ALTER TABLE blocks ADD COLUMN fts INTEGER NOT NULL DEFAULT 0 CHECK (fts IN (0, 1))",
    # Bytes a block takes (header + payload): the per-proposer budget for
    # uncommitted blocks sums them from this covering partial index.
    "ALTER TABLE blocks ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0",
    "UPDATE blocks SET bytes = length(header) + coalesce(length(payload), 0)",
    "CREATE INDEX blocks_uncommitted ON blocks(proposer, status, bytes) WHERE status != 'committed'",
    # v1 indexed every stored record of a committed block inside the commit.
    "UPDATE blocks SET fts = 1 WHERE status = 'committed' "
    "AND EXISTS (SELECT 1 FROM records r WHERE r.block_id = blocks.block_id)",
    # One evidence row per (kind, offender, slot): keep the first, drop the rest.
    "DELETE FROM evidence WHERE id NOT IN "
    "(SELECT min(id) FROM evidence GROUP BY kind, offender, proposer, seq)",
    "CREATE UNIQUE INDEX evidence_slot ON evidence(kind, offender, proposer, seq)",
    "INSERT INTO slot_decisions (proposer, seq, outcome, block_id) "
    "SELECT proposer, seq, 'committed', block_id FROM blocks WHERE status = 'committed'",
    "INSERT OR IGNORE INTO slot_decisions (proposer, seq, outcome, block_id) "
    "SELECT proposer, seq, 'rejected', min(block_id) FROM blocks WHERE status = 'rejected' "
    "GROUP BY proposer, seq",
    "INSERT INTO chain_tips (proposer, decided, committed_seq, committed_id) "
    "SELECT d.proposer, max(d.seq), coalesce(c.seq, 0), c.block_id FROM slot_decisions d "
    "LEFT JOIN (SELECT proposer, max(seq) AS seq, block_id FROM slot_decisions "
    "  WHERE outcome = 'committed' GROUP BY proposer) c ON c.proposer = d.proposer "
    "GROUP BY d.proposer",
)


_SCHEMA_V3 = (
    # What sync advertises (HEADS), kept per proposer as blocks commit, so a
    # peer's HEADS request costs one row per proposer, not a scan of every
    # committed block: the highest committed block *stored here* and how many.
    "ALTER TABLE chain_tips ADD COLUMN head_seq INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE chain_tips ADD COLUMN head_id TEXT",
    "ALTER TABLE chain_tips ADD COLUMN committed_count INTEGER NOT NULL DEFAULT 0",
    "UPDATE chain_tips SET (head_seq, head_id, committed_count) = "
    "(SELECT max(seq), block_id, count(*) FROM blocks b WHERE b.proposer = chain_tips.proposer "
    " AND b.status = 'committed') WHERE EXISTS (SELECT 1 FROM blocks b "
    " WHERE b.proposer = chain_tips.proposer AND b.status = 'committed')",
)


_SCHEMA_V4 = (
    # Payloads (up to 8 MiB) move out of ``blocks``: SQLite rewrites a whole
    # row on UPDATE, so every status change (commit, reject) of a block
    # rewrote its payload too. Deleting a block deletes its payload.
    """CREATE TABLE payloads (
        block_id TEXT PRIMARY KEY REFERENCES blocks(block_id) ON DELETE CASCADE,
        payload BLOB NOT NULL
    )""",
    "INSERT INTO payloads (block_id, payload) SELECT block_id, payload FROM blocks WHERE payload IS NOT NULL",
    "ALTER TABLE blocks DROP COLUMN payload",
)


# v5: the same index with one of 3-character prefixes. A prefix query ``abc*`` then
# reads one doclist instead of merging those of every token starting with ``abc``
# (search.py allows no shorter prefix). The option can only be set at creation.
_RECORDS_FTS_V5 = """CREATE VIRTUAL TABLE records_fts_v5 USING fts5(
    text, content='', tokenize='unicode61 remove_diacritics 2', prefix='3'
)"""


def _rebuild_fts_with_prefixes(conn: sqlite3.Connection) -> None:
    """Re-index exactly the records the old index held, from their stored bodies.

    A contentless table cannot be altered or rebuilt in place, so the new one is
    filled from ``records.body`` (the same ``Record.text()`` the flush indexes)
    and renamed over the old one. The rowids come from the old index itself,
    so the searchable set is unchanged; queued blocks stay queued. Costs about
    what committing those records cost in indexing, once, inside the migration.
    """
    conn.execute(_RECORDS_FTS_V5)
    rows = conn.execute(
        "SELECT r.id, r.cid, r.body FROM records_fts f JOIN records r ON r.id = f.rowid ORDER BY r.id"
    )
    while batch := rows.fetchmany(4096):
        texts = []
        for rid, cid, body in batch:
            try:
                texts.append((rid, decode_record(bytes(body)).text()))
            except DecodeError as exc:
                raise StoreError(f"record {cid} is corrupt: {exc}") from None
        conn.executemany("INSERT INTO records_fts_v5 (rowid, text) VALUES (?, ?)", texts)
    conn.execute("DROP TABLE records_fts")
    conn.execute("ALTER TABLE records_fts_v5 RENAME TO records_fts")


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    for stmt in _SCHEMA_V1:
        conn.execute(stmt)


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    for stmt in _SCHEMA_V2:
        conn.execute(stmt)


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    for stmt in _SCHEMA_V3:
        conn.execute(stmt)


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    for stmt in _SCHEMA_V4:
        conn.execute(stmt)


def _migrate_4_to_5(conn: sqlite3.Connection) -> None:
    _rebuild_fts_with_prefixes(conn)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_0_to_1, _migrate_1_to_2, _migrate_2_to_3, _migrate_3_to_4, _migrate_4_to_5,
)
assert len(MIGRATIONS) == SCHEMA_VERSION


def configure(
    conn: sqlite3.Connection, path: str, sync: str, mmap_size: int, busy_timeout_ms: int, max_db_bytes: int
) -> None:
    """Set the connection's pragmas; WAL is required except for ``:memory:``."""
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    # Reading the header first turns "file is not a database" into a clear
    # error before anything is written.
    conn.execute("PRAGMA schema_version").fetchone()
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal" and not (path == ":memory:" and str(mode).lower() == "memory"):
        raise StoreError(f"store {path}: cannot enable WAL mode (got {mode!r})")
    conn.execute(f"PRAGMA synchronous = {sync}")
    conn.execute(f"PRAGMA mmap_size = {int(mmap_size)}")
    conn.execute("PRAGMA foreign_keys = ON")
    # After a checkpoint the WAL is truncated back to this size, so a burst
    # of ingest does not leave a huge -wal file behind forever.
    conn.execute("PRAGMA journal_size_limit = 67108864")
    if max_db_bytes:
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        conn.execute(f"PRAGMA max_page_count = {max(1, max_db_bytes // page)}")


def migrate(conn: sqlite3.Connection, path: str, upto: int = SCHEMA_VERSION) -> None:
    """Bring the file to schema ``upto`` (tests stop early to build old files)."""
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
    for v in range(version, upto):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[v](conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {v + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
