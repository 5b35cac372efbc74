"""The store's errors, and the translation of sqlite3 errors into them."""

from __future__ import annotations

import errno
import sqlite3

from protocol.errors import AttnshareError, LocalError


class StoreError(LocalError):
    """The store file cannot be used (locked, corrupt, not ours, disk full...)."""


class StoreFull(StoreError):
    """A write failed because the disk (or the configured size cap) is full.

    Nothing of the failed write is stored (its transaction rolled back) and
    reads keep working; the caller should log, count and carry on, and retry
    writes once space is freed.
    """


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


# OperationalErrors that say the database is at fault, not the query.
DB_TROUBLE = ("locked", "busy", "disk", "i/o", "malformed", "readonly", "not a database")


def is_full(exc: BaseException) -> bool:
    """True if ``exc`` says the disk or the page cap is full.

    SQLITE_FULL (13) is what SQLite reports for both ``max_page_count`` and a
    real ENOSPC while growing the file; an fsync or write of the WAL that
    fails with ENOSPC may surface as an SQLITE_IOERR, so its text is checked
    too, and a plain OSError carries errno.
    """
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
        return True
    low = str(exc).lower()
    return "disk is full" in low or "no space left" in low


def wrap(exc: BaseException, path: str) -> StoreError:
    """Turn an sqlite3 (or OS) error into a StoreError naming the file and a likely cause."""
    msg = str(exc)
    low = msg.lower()
    if is_full(exc):
        return StoreFull(f"store {path}: {msg} (the disk or the store's size cap is full; reads still work)")
    if "locked" in low or "busy" in low:
        hint = "another process or connection holds the database; is a second node using this data dir?"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        hint = "the file is corrupt or not an attnshare store"
    elif "readonly" in low or "read-only" in low:
        hint = "the file or its directory is not writable"
    elif isinstance(exc, sqlite3.IntegrityError):
        hint = "a constraint was violated (caller bug)"
    else:
        hint = ""
    return StoreError(f"store {path}: {msg}" + (f" ({hint})" if hint else ""))
