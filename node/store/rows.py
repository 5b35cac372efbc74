"""Row types the store returns (frozen, slotted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from protocol.record import Record

RECORD_STATUSES = ("pending", "shipped", "kept", "committed")
BLOCK_STATUSES = ("pending", "committed", "rejected")
OUTCOMES = ("committed", "rejected")


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
class SlotDecision:
    """The outcome of one slot here: ``committed`` (with its block) or ``rejected``."""

    proposer: str
    seq: int
    outcome: str
    block_id: str | None


@dataclass(frozen=True, slots=True)
class ChainTipRow:
    """One proposer's chain position as persisted (what ``ChainState.restore`` takes).

    ``skipped`` is the highest slot at or below ``decided`` with no outcome
    known here (0 if none); only one above ``committed_seq`` matters to the
    chain rule, and that is always reported exactly.
    """

    proposer: str
    decided: int
    committed_seq: int
    committed_id: str | None
    skipped: int


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
    decisions: int = 0
    fts_backlog: int = 0
    #: uncertified writes skipped since open, by reason (window, slot_full, ...)
    refused: dict[str, int] | None = None


@dataclass(frozen=True, slots=True)
class StoreFootprint:
    """What the store costs, read without SQL or lock, so ``status`` may call it on the event loop."""

    #: main file plus WAL, in bytes (0 for ``:memory:``)
    db_bytes: int
    #: the size cap (``StoreParams.max_db_bytes``), 0 for none
    max_db_bytes: int
    #: committed records waiting for the full-text flush
    fts_backlog: int
    #: uncertified writes skipped since open, by reason
    refused: dict[str, int]


def block_row(row: tuple[Any, ...]) -> BlockRow:
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
